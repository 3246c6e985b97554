#!/usr/bin/env bash
# Benchmark: vcap-collect vs `tar czf` on the same 1 GiB fake VM tree, same run.
# Usage: bench/collect.sh [SIZE_MB]   (default 1024). Needs GNU time (apt-get install time).
# Writes bench/results/collect.md. Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
mb=${1:-1024}
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
  read -r wall rss < "$work/time.$label"
  echo "$wall $rss"
}
# Warm the page cache once so both read from memory, as on a VM that just wrote its logs.
tar cf - -C "$root" var >/dev/null
rm -f "$work"/*.tgz
read -r tar_wall tar_rss < <(run tar tar czf "$work/tar.tgz" -C "$root" var)
read -r vc_wall vc_rss < <(run vcap ./target/release/vcap-collect --root "$root" --no-commands \
  --max-file-size 4GiB --max-total 4GiB --min-free 0 --min-free-percent 0 --output "$work/")
vc_size=$(stat -c %s "$work"/cf.*.tgz)
tar_size=$(stat -c %s "$work/tar.tgz")
ratio=$(python3 -c "print(f'{$vc_wall/$tar_wall:.2f}')")
redactions=$(tar xzOf "$work"/cf.*.tgz --wildcards '*/manifest.json' | python3 -c 'import json,sys; print(json.load(sys.stdin)["totals"]["redactions"])')
{
  echo "# vcap-collect vs tar czf ($(date -u +%Y-%m-%d), $(nproc) cores)"
  echo
  echo "Input: one generated VM tree, $((bytes / 1048576)) MiB of logs (bench/collect.sh $mb)."
  echo
  echo "| tool | wall s | peak RSS MiB | output MiB |"
  echo "|---|---|---|---|"
  echo "| tar czf | $tar_wall | $((tar_rss / 1024)) | $((tar_size / 1048576)) |"
  echo "| vcap-collect (redaction on, $redactions secrets redacted) | $vc_wall | $((vc_rss / 1024)) | $((vc_size / 1048576)) |"
  echo
  echo "Ratio vcap-collect / tar czf wall time: **$ratio** (goal <= 1.0); peak RSS goal <= 64 MiB."
} | tee bench/results/collect.md
