// Optional comfort: the page is complete without it. Filters the VM sections, opens or
// closes them all. Reads no input except the filter box; writes no markup.
(function () {
  var d = document;
  d.documentElement.setAttribute("data-js", "on");
  // Whether the page fits its window without a sideways scroll (the browser test reads it).
  var root = d.documentElement;
  root.setAttribute("data-fits", root.scrollWidth <= root.clientWidth ? "yes" : "no");
  var tools = d.getElementById("vm-tools");
  if (!tools) return;
  tools.hidden = false;
  var box = d.getElementById("vm-filter");
  var count = d.getElementById("vm-shown");
  var vms = d.querySelectorAll("details.vm[data-filter]");
  box.addEventListener("input", function () {
    var q = box.value.trim().toLowerCase();
    var shown = 0;
    for (var i = 0; i < vms.length; i++) {
      var hit = !q || vms[i].getAttribute("data-filter").toLowerCase().indexOf(q) >= 0;
      vms[i].hidden = !hit;
      if (hit) shown++;
    }
    count.textContent = q ? shown + " of " + vms.length + " VMs" : "";
  });
  function all(open) {
    return function () {
      for (var i = 0; i < vms.length; i++) vms[i].open = open;
    };
  }
  d.getElementById("vm-open").addEventListener("click", all(true));
  d.getElementById("vm-close").addEventListener("click", all(false));
})();
