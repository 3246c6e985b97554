#!/usr/bin/env bash
# Benchmark: vcap-collect vs `tar czf` on the same fake VM tree, same run.
# Usage: bench/collect.sh [SIZE_MB] [ROUNDS]   (defaults 1024, 3). Needs GNU time
# (apt-get install time). Writes bench/results/collect.md. Not part of the test suite.
#
# Fairness: vcap-collect lowers its own priority (nice 19, best-effort I/O class level 7,
# collector/src/guard.rs) to stay gentle on a VM, so `tar czf` runs at that same priority
# here; on a shared machine anything else compares a nice-19 process with a nice-0 one.
# The two run in turns, ROUNDS times, and the medians are reported (the machine's speed
# varies from minute to minute; ratios hold better than absolute times).
set -euo pipefail
cd "$(dirname "$0")/.."
mb=${1:-1024}
rounds=${2:-3}
# Another build to compare (e.g. an earlier commit's): VCAP_COLLECT=path; results then go
# to bench/out/ instead of bench/results/.
vc=${VCAP_COLLECT:-./target/release/vcap-collect}
result=bench/results/collect.md
[ -n "${VCAP_COLLECT:-}" ] && result=bench/out/collect-other.md
work=bench/out/collect-$mb
cargo build -q --release -p vcap-collect --bin vcap-collect
cargo build -q --release -p testkit --example gen_corpus
if [ ! -d "$work/vm-000" ]; then
  mkdir -p "$work"
  ./target/release/examples/gen_corpus "$work" 1 "$mb"
fi
root=$work/vm-000
bytes=$(du -sb "$root/var" | cut -f1)
run() { # label, command...
  local label=$1; shift
  sync; /usr/bin/time -f "%e %M" -o "$work/time.$label" "$@" >/dev/null 2>"$work/err.$label" || true
  cat "$work/time.$label"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# Warm the page cache once so both read from memory, as on a VM that just wrote its logs.
tar cf - -C "$root" var >/dev/null
load_before=$(cut -d' ' -f1 /proc/loadavg)
: >"$work/tar.runs"; : >"$work/vcap.runs"
for _ in $(seq "$rounds"); do
  rm -f "$work"/*.tgz
  run tar nice -n 19 ionice -c 2 -n 7 tar czf "$work/tar.tgz" -C "$root" var >>"$work/tar.runs"
  run vcap "$vc" --root "$root" --no-commands \
    --max-file-size 4GiB --max-total 4GiB --min-free 0 --min-free-percent 0 \
    --output "$work/" >>"$work/vcap.runs"
done
load_after=$(cut -d' ' -f1 /proc/loadavg)
tar_wall=$(cut -d' ' -f1 "$work/tar.runs" | median)
tar_rss=$(cut -d' ' -f2 "$work/tar.runs" | median)
vc_wall=$(cut -d' ' -f1 "$work/vcap.runs" | median)
vc_rss=$(cut -d' ' -f2 "$work/vcap.runs" | sort -n | tail -1)
vc_size=$(stat -c %s "$work"/cf.*.tgz)
tar_size=$(stat -c %s "$work/tar.tgz")
ratio=$(python3 -c "print(f'{$vc_wall/$tar_wall:.2f}')")
redactions=$(tar xzOf "$work"/cf.*.tgz --wildcards '*/manifest.json' | python3 -c 'import json,sys; print(json.load(sys.stdin)["totals"]["redactions"])')
{
  echo "# vcap-collect vs tar czf ($(date -u +%Y-%m-%d), $(nproc) cores)"
  echo
  echo "Input: one generated VM tree, $((bytes / 1048576)) MiB of logs (bench/collect.sh $mb $rounds)."
  echo "Both at nice 19 / ionice best-effort 7 (what vcap-collect sets for itself); $rounds rounds"
  echo "in turns, medians (peak RSS: the highest). Load average $load_before before, $load_after after."
  echo
  echo "| tool | wall s (median; all) | peak RSS MiB | output MiB |"
  echo "|---|---|---|---|"
  echo "| tar czf | $tar_wall; $(cut -d' ' -f1 "$work/tar.runs" | paste -sd' ') | $((tar_rss / 1024)) | $((tar_size / 1048576)) |"
  echo "| vcap-collect (redaction and leak gate on, $redactions secrets redacted) | $vc_wall; $(cut -d' ' -f1 "$work/vcap.runs" | paste -sd' ') | $((vc_rss / 1024)) | $((vc_size / 1048576)) |"
  echo
  echo "Ratio vcap-collect / tar czf wall time: **$ratio** (goal <= 1.0); peak RSS goal <= 64 MiB."
} | tee "$result"
rm -f "$work"/*.tgz
