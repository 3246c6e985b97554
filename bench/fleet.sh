#!/usr/bin/env bash
# Benchmark: merging per-VM results at fleet scale. Per-VM results (`--format vm-result`,
# what the BOSH errand prints on each VM) are made from the shipped samples' 25 bundles,
# then copied to N VMs (each copy renamed to its own instance, `<group>/<n>`, so that the
# grouping sees N distinct VMs with the samples' findings), one file per VM as `bosh
# run-errand` gives them. Then `vcap-analyze analyze results/*.json` correlates them all:
# wall time and peak RSS (GNU time), at three sizes, 3 runs each, median.
#
# Usage: bench/fleet.sh [N...]   (default 1250 2500 5000). Needs python3 and GNU time.
# VCAP_ANALYZE=PATH runs that binary (e.g. target/release-dist/vcap-analyze-linux-amd64,
# the portable one) instead of building target/release/vcap-analyze.
# Writes bench/results/fleet.md. Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1250 2500 5000)
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
  results+=("| $n | $mib MiB | ${secs} s | $((kib / 1024)) MiB | ${causes% *} | ${causes#* } |")
done

{
  echo "# Fleet merge: per-VM results at scale"
  echo
  echo "\`bench/fleet.sh ${sizes[*]}\` on $(nproc) cores, $(date -u +%Y-%m-%d), binary \`$bin\`: \`vcap-analyze analyze\`"
  echo "over one per-VM result file per VM (copies of the 25 shipped samples' results, each"
  echo "renamed to its own VM), \`--format json\`; median of 3 runs (wall time, peak RSS by GNU time)."
  echo "Goal: 5,000 VMs in <= 10 s with <= 256 MiB peak RSS, growing linearly."
  echo
  echo "| VMs | input | wall time | peak RSS | root causes | findings |"
  echo "|---|---|---|---|---|---|"
  printf '%s\n' "${results[@]}"
} > bench/results/fleet.md
cat bench/results/fleet.md
