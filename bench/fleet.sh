#!/usr/bin/env bash
# Benchmark: merging per-VM results at fleet scale. Per-VM results (`--format vm-result`,
# what the BOSH errand prints on each VM) are made from the shipped samples' 25 bundles,
# then copied to N VMs (each copy renamed to its own instance, `<group>/<n>`, so that the
# grouping sees N distinct VMs with the samples' findings), one file per VM as `bosh
# run-errand` gives them. Then `vcap-analyze analyze results/*.json` correlates them all:
# wall time and peak RSS (GNU time), at each size, 3 runs each, median. Then the HTML
# report of each size (`--format html`: its size, the time to write it) and, for the
# largest, the time headless chromium takes to open and render it (`--dump-dom`, median
# of 3; an empty page's time, chromium's start alone, is given next to it).
#
# Usage: bench/fleet.sh [N...]   (default 625 1250 2500 5000). Needs python3, GNU time and
# chromium (Debian's `chromium` package; without it the browser row is left out).
# VCAP_ANALYZE=PATH runs that binary (e.g. target/release-dist/vcap-analyze-linux-amd64,
# the portable one) instead of building target/release/vcap-analyze.
# Writes bench/results/fleet.md, keeping its "## Earlier runs" section (by hand: the
# tables of earlier commits). Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(625 1250 2500 5000)
work=bench/out/fleet
bin=${VCAP_ANALYZE:-target/release/vcap-analyze}
[ -n "${VCAP_ANALYZE:-}" ] || cargo build -q --release -p vcap-analyze --bin vcap-analyze

mkdir -p "$work/samples"
for b in samples/*/bundles/*.tgz; do
  "$bin" analyze --format vm-result -q "$b" > "$work/samples/$(basename "$b" .tgz).json"
done

# One result file per VM: the sample results in turn, each renamed to VM number n.
make_fleet() {
  python3 - "$work/samples" "$1" "$2" <<'PY'
import json, os, sys
src, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
docs = [json.load(open(os.path.join(src, f))) for f in sorted(os.listdir(src))]
os.makedirs(out, exist_ok=True)
for i in range(n):
    doc = json.loads(json.dumps(docs[i % len(docs)]))
    for vm in doc["vms"]:
        old = vm["vm"]["name"]
        new = "%s/%05d" % (old.split("/")[0], i)
        vm["vm"]["name"] = new
        for item in vm["findings"] + vm["certificates"]:
            item["vm"] = new
    with open(os.path.join(out, "vm%05d.json" % i), "w") as f:
        json.dump(doc, f, separators=(",", ":"))
PY
}

results=()
for n in "${sizes[@]}"; do
  dir="$work/vms-$n"
  [ -d "$dir" ] || make_fleet "$n" "$dir"
  bytes=$(du -sb "$dir" | cut -f1)
  runs=()
  for _ in 1 2 3; do
    # `%e %M`: wall seconds, peak RSS in KiB.
    /usr/bin/time -f '%e %M' -o "$work/time" \
      "$bin" analyze --format json -q -o "$work/report-$n.json" "$dir"/*.json
    runs+=("$(cat "$work/time")")
  done
  median=$(printf '%s\n' "${runs[@]}" | sort -n | sed -n 2p)
  read -r secs kib <<<"$median"
  causes=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); print(len(r["root_causes"]), len(r["findings"]))' "$work/report-$n.json")
  mib=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
  echo "$n VMs: ${secs}s, $((kib / 1024)) MiB peak RSS, input $mib MiB, root causes/findings: $causes" >&2
  growth=""
  [ -z "${prev:-}" ] || growth=$(awk -v a="$prev" -v b="$secs" 'BEGIN { if (a > 0) printf "%.1fx", b / a }')
  prev=$secs
  /usr/bin/time -f '%e' -o "$work/time" \
    "$bin" analyze --format html -q -o "$work/report-$n.html" "$dir"/*.json
  html_secs=$(cat "$work/time")
  html_mb=$(awk -v b="$(stat -c %s "$work/report-$n.html")" 'BEGIN { printf "%.2f", b / 1048576 }')
  echo "  HTML: $html_mb MiB in ${html_secs}s" >&2
  results+=("| $n | $mib MiB | ${secs} s | ${growth:--} | $((kib / 1024)) MiB | ${causes% *} | ${causes#* } | $html_mb MiB | ${html_secs} s |")
done

# Headless chromium on the largest report, as tests/browser.rs drives it.
browser=""
chrome=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$chrome" ]; then
  largest=${sizes[${#sizes[@]}-1]}
  profile=$(mktemp -d)
  echo '<!DOCTYPE html><title>empty</title>' > "$work/empty.html"
  open_page() {
    /usr/bin/time -f '%e' -o "$work/time" "$chrome" --headless --no-sandbox --disable-gpu \
      --no-first-run --disable-background-networking --disable-component-update --disable-sync \
      --disable-dev-shm-usage --user-data-dir="$profile" --dump-dom "file://$PWD/$1" \
      > "$work/dom.html" 2>/dev/null
    cat "$work/time"
  }
  median3() { printf '%s\n' "$@" | sort -n | sed -n 2p; }
  page=$(median3 "$(open_page "$work/report-$largest.html")" "$(open_page "$work/report-$largest.html")" "$(open_page "$work/report-$largest.html")")
  grep -q '<section id="timeline"' "$work/dom.html" || { echo "chromium did not render the report" >&2; exit 1; }
  empty=$(median3 "$(open_page "$work/empty.html")" "$(open_page "$work/empty.html")" "$(open_page "$work/empty.html")")
  rm -rf "$profile"
  echo "chromium: $largest-VM report opened and rendered in ${page}s (an empty page: ${empty}s)" >&2
  browser="Headless chromium (\`chromium --headless --no-sandbox --dump-dom\`, median of 3) opens and renders the $largest-VM HTML report in ${page} s; an empty page takes ${empty} s (chromium's start). Goal: under 5 MB, under 5 s."
fi

earlier=""
[ ! -f bench/results/fleet.md ] || earlier=$(sed -n '/^## Earlier runs/,$p' bench/results/fleet.md)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
{
  echo "# Fleet merge: per-VM results at scale"
  echo
  echo "\`bench/fleet.sh ${sizes[*]}\` on $(nproc) cores, $(date -u +%Y-%m-%d), commit $commit, binary \`$bin\`: \`vcap-analyze analyze\`"
  echo "over one per-VM result file per VM (copies of the 25 shipped samples' results, each"
  echo "renamed to its own VM), \`--format json\`; median of 3 runs (wall time, peak RSS by GNU time);"
  echo "growth: the time over the previous size's. HTML: the same run with \`--format html\`, once."
  echo "Goal: 5,000 VMs in <= 10 s with <= 256 MiB peak RSS, growing linearly (~2x per doubling)."
  echo
  echo "| VMs | input | wall time | growth | peak RSS | root causes | findings | HTML | HTML time |"
  echo "|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${results[@]}"
  if [ -n "$browser" ]; then
    echo
    echo "$browser"
  fi
  if [ -n "$earlier" ]; then
    echo
    echo "$earlier"
  fi
} > bench/results/fleet.md
cat bench/results/fleet.md
