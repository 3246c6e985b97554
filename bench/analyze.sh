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
cargo build -q --release -p analyzer --bin vcap-analyze
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
t() { # wall and peak RSS (KiB) of a command, output discarded
  /usr/bin/time -f "%e %M" -o "$work/t" "$@" >/dev/null 2>"$work/err" || true
  cat "$work/t" | tail -1
}
va=./target/release/vcap-analyze
# Warm the page cache.
cat "$work"/tgz/*.tgz >/dev/null; tar cf - "$work/trees" >/dev/null
read -r rg_tree rg_tree_rss < <(t rg -j2 -c -f "$work/patterns" "$work/trees")
read -r va_tree va_tree_rss < <(t $va analyze "$work"/trees/vm-* --format json -q -o /dev/null)
read -r rg_tgz rg_tgz_rss < <(t rg -z -a -j2 -c -f "$work/patterns" "$work/tgz")
read -r va_tgz va_tgz_rss < <(t $va analyze "$work"/tgz/*.tgz --format json -q -o /dev/null)
read -r inflate inflate_rss < <(t ./target/release/examples/inflate "$work"/tgz/*.tgz)
read -r va_one va_one_rss < <(t $va analyze "$work/tgz/vm-000.tgz" --format json -q -o /dev/null)
read -r va_small va_small_rss < <(t $va analyze "$work/small" --format json -q -o /dev/null)
r() { python3 -c "print(f'{$1/$2:.2f}')"; }
{
  echo "# vcap-analyze vs ripgrep ($(date -u +%Y-%m-%d), $(nproc) cores)"
  echo
  echo "Corpus: $vms VMs x $mb MB of generated lager/agent/router/syslog lines ($((bytes / 1048576)) MiB as trees), the same as .tgz; $npat regexes from signatures/ (bench/patterns.py) given to ripgrep with -f. Command: bench/analyze.sh $vms $mb."
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
