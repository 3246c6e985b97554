#!/usr/bin/env bash
# Benchmark: vcap-analyze vs ripgrep with the library's patterns, same run, same corpus
# (20 VMs x 50 MB of lager/agent/router lines, as plain trees and as .tgz), plus bare
# inflate and peak RSS for one bundle and for 1,000 small ones.
# Usage: bench/analyze.sh [VMS] [MB_PER_VM]  (default 20 50). Needs ripgrep and GNU time.
# Writes bench/results/analyze.md. Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
vms=${1:-20}; mb=${2:-50}
work=bench/out/analyze-${vms}x${mb}
cargo build -q --release -p vcap-analyze --bin vcap-analyze
cargo build -q --release -p testkit --example gen_corpus --example inflate
if [ ! -d "$work/trees" ]; then
  mkdir -p "$work/trees" "$work/tgz"
  ./target/release/examples/gen_corpus "$work/trees" "$vms" "$mb"
  for d in "$work"/trees/vm-*; do tar czf "$work/tgz/$(basename "$d").tgz" -C "$d" var; done
fi
if [ ! -d "$work/small" ]; then
  mkdir -p "$work/small-trees" "$work/small"
  ./target/release/examples/gen_corpus "$work/small-trees" 1000 0.1
  for d in "$work"/small-trees/vm-*; do tar czf "$work/small/$(basename "$d").tgz" -C "$d" var; done
fi
python3 bench/patterns.py signatures > "$work/patterns"
npat=$(wc -l < "$work/patterns")
bytes=$(du -sb "$work/trees" | cut -f1)
runs=${RUNS:-5}
va=./target/release/vcap-analyze
# The commands measured, by label. They run round-robin, $runs rounds, so that a noisy
# neighbour on a shared machine slows every command alike; each reports its median wall
# time and its largest peak RSS.
declare -A cmd=(
  [rg_tree]="rg -j2 -c -f $work/patterns $work/trees"
  [va_tree]="$va analyze $(echo "$work"/trees/vm-*) --format json -q -o /dev/null"
  [rg_tgz]="rg -z -a -j2 -c -f $work/patterns $work/tgz"
  [va_tgz]="$va analyze $(echo "$work"/tgz/*.tgz) --format json -q -o /dev/null"
  [inflate]="./target/release/examples/inflate $(echo "$work"/tgz/*.tgz)"
  [va_one]="$va analyze $work/tgz/vm-000.tgz --format json -q -o /dev/null"
  [va_small]="$va analyze $work/small --format json -q -o /dev/null"
)
labels=(rg_tree va_tree rg_tgz va_tgz inflate va_one va_small)
# Warm the page cache.
cat "$work"/tgz/*.tgz >/dev/null; tar cf - "$work/trees" >/dev/null
rm -f "$work"/t.*
for _ in $(seq "$runs"); do
  for l in "${labels[@]}"; do
    # shellcheck disable=SC2086 # the command lines are split on purpose
    /usr/bin/time -f "%e %M" -o "$work/t" ${cmd[$l]} >/dev/null 2>"$work/err" || true
    tail -1 "$work/t" >> "$work/t.$l"
  done
done
med() { # median wall, max RSS (KiB) of one label
  python3 -c 'import sys, statistics as s
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
print(f"{s.median(float(r[0]) for r in rows):.2f}", max(int(r[1]) for r in rows))' "$work/t.$1"
}
read -r rg_tree rg_tree_rss < <(med rg_tree)
read -r va_tree va_tree_rss < <(med va_tree)
read -r rg_tgz rg_tgz_rss < <(med rg_tgz)
read -r va_tgz va_tgz_rss < <(med va_tgz)
read -r inflate inflate_rss < <(med inflate)
read -r va_one va_one_rss < <(med va_one)
read -r va_small va_small_rss < <(med va_small)
r() { python3 -c "print(f'{$1/$2:.2f}')"; }
{
  echo "# vcap-analyze vs ripgrep ($(date -u +%Y-%m-%d), $(nproc) cores)"
  echo
  echo "Corpus: $vms VMs x $mb MB of generated lager/agent/router/syslog lines ($((bytes / 1048576)) MiB as trees), the same as .tgz; $npat regexes from signatures/ (bench/patterns.py) given to ripgrep with -f. Command: bench/analyze.sh $vms $mb. Each time is the median of $runs runs (RUNS=$runs), the commands taking turns, page cache warm."
  echo
  echo "| run | wall s | peak RSS MiB |"
  echo "|---|---|---|"
  echo "| rg -j2 -c -f patterns trees/ | $rg_tree | $((rg_tree_rss / 1024)) |"
  echo "| vcap-analyze analyze trees/vm-* | $va_tree | $((va_tree_rss / 1024)) |"
  echo "| rg -z -a -j2 -c -f patterns tgz/ (-a: a tar is binary, rg would stop at its first NUL) | $rg_tgz | $((rg_tgz_rss / 1024)) |"
  echo "| vcap-analyze analyze tgz/*.tgz | $va_tgz | $((va_tgz_rss / 1024)) |"
  echo "| bare inflate (flate2 zlib-rs, 2 threads) | $inflate | $((inflate_rss / 1024)) |"
  echo "| vcap-analyze, one bundle (vm-000.tgz) | $va_one | $((va_one_rss / 1024)) |"
  echo "| vcap-analyze, 1,000 small bundles | $va_small | $((va_small_rss / 1024)) |"
  echo
  echo "- trees: vcap-analyze / ripgrep = **$(r "$va_tree" "$rg_tree")** (goal <= 0.5)"
  echo "- tgz: vcap-analyze / ripgrep -z = **$(r "$va_tgz" "$rg_tgz")** (goal <= 0.35); / bare inflate = **$(r "$va_tgz" "$inflate")** (goal <= 2)"
  echo "- peak RSS goal <= 256 MiB for one bundle and for 1,000 small ones"
} | tee bench/results/analyze.md
