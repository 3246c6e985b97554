#!/usr/bin/env bash
# A real libFuzzer run of every fuzz target for a few seconds each, with stable Rust and
# without cargo-fuzz: the targets are built with libFuzzer's coverage instrumentation
# (the same `-Cpasses=sancov-module` flags cargo-fuzz passes) but no AddressSanitizer,
# which is the one part that needs nightly features. Debug profile: overflow checks and
# debug assertions on, and it builds in about 1.5 minutes on 2 cores.
#
# usage: fuzz/smoke.sh [SECONDS_PER_TARGET]   (default 10)
# New inputs go to a temporary directory, never into fuzz/seeds. A crash fails the script
# and leaves its input in fuzz/artifacts/<target>/ (see docs/reliability.md).
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
host=$(rustc -vV | sed -n 's/^host: //p')
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$PWD/fuzz/target/smoke}
# --target keeps these flags off build scripts and proc macros (they would not link).
export RUSTFLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing"
cargo build --locked --quiet --manifest-path fuzz/Cargo.toml --target "$host" --bins

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
for bin in fuzz/fuzz_targets/*.rs; do
  t=$(basename "$bin" .rs)
  mkdir -p "$scratch/$t" "fuzz/artifacts/$t"
  extra=()
  case "$t" in redact|structured) extra=(-max_len=8192) ;; esac
  echo "fuzz smoke: $t for ${secs}s"
  "$CARGO_TARGET_DIR/$host/debug/$t" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="fuzz/artifacts/$t/" "${extra[@]}" \
    "$scratch/$t" "fuzz/seeds/$t" 2>"$scratch/$t.log" || {
      tail -40 "$scratch/$t.log" >&2
      echo "fuzz smoke: target $t failed (input in fuzz/artifacts/$t/)" >&2
      exit 1
    }
  grep -a -E '^(#[0-9]+\s+DONE|stat::number_of_executed_units)' "$scratch/$t.log" | tr -s ' ' | paste -sd' '
done
