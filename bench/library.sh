#!/usr/bin/env bash
# Benchmark: how the analysis time grows with the size of the signature library, and what
# start-up (loading and compiling the library) costs.
#
# The library is grown by cloning the built-in signatures into a directory given with
# --signatures (clones get new ids and literals made distinct by a suffix, so the literal
# filter and the regex sets really grow; their regexes never match the corpus, as a new
# signature mostly does not). Sizes: the built-in library alone, then +100, +300, +600
# clones. The corpus is bench/analyze.sh's trees (generated if missing).
# Last, the matcher alone over subsets of the built-in library, from 100 signatures up
# (examples/growth.rs).
# Usage: bench/library.sh [VMS] [MB_PER_VM]  (default 10 50). Writes bench/results/library.md.
# Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
vms=${1:-10}; mb=${2:-50}
work=bench/out/analyze-${vms}x${mb}
cargo build -q --release -p vcap-analyze --bin vcap-analyze --example startup --example growth
cargo build -q --release -p testkit --example gen_corpus
if [ ! -d "$work/trees" ]; then
  mkdir -p "$work/trees"
  ./target/release/examples/gen_corpus "$work/trees" "$vms" "$mb"
fi
va=./target/release/vcap-analyze
builtin=$($va signatures list | tail -1 | awk '{print $1}')
runs=${RUNS:-5}
clones() { # N DIR: N clones of the built-in signatures in DIR
  python3 - "$1" "$2" <<'EOF'
import pathlib, sys, tomllib, re
n, out = int(sys.argv[1]), pathlib.Path(sys.argv[2])
out.mkdir(parents=True, exist_ok=True)
files = sorted(pathlib.Path("signatures").rglob("*.toml"))
files = [f for f in files if f.name != "README.md"]
made = 0
while made < n:
    for f in files:
        if made == n:
            break
        text = f.read_text()
        sfx = f"~c{made}"
        # New id (= file stem), literals and regexes that only the clone's own suffix satisfies.
        text = re.sub(r'^id = (["\'])([^"\']+)["\']', lambda m: f'id = "{m.group(2)}-clone{made}"', text, count=1, flags=re.M)
        data = tomllib.loads(text)
        lits = data.get("match", {}).get("literals", [])
        for l in lits:
            text = text.replace(f'"{l}"', f'"{l}{sfx}"').replace(f"'{l}'", f"'{l}{sfx}'")
        # Examples would no longer match: drop them (this library is never `check`ed).
        text = text.split("[[tests]]")[0]
        text = re.sub(r'^\[\[explained_by\]\][\s\S]*?(?=^\[|\Z)', '', text, flags=re.M)
        (out / f"{data['id']}-clone{made}.toml").write_text(text)
        made += 1
EOF
}
rm -rf "${work:?}/lib" && mkdir -p "$work/lib"
sizes=(0 100 300 600)
for k in "${sizes[@]}"; do
  mkdir -p "$work/lib/$k"
  [ "$k" = 0 ] || clones "$k" "$work/lib/$k"
done
trees=$(echo "$work"/trees/vm-*)
rm -f "$work"/l.* "$work"/s.*
for _ in $(seq "$runs"); do
  for k in "${sizes[@]}"; do
    # shellcheck disable=SC2086 # the tree list is split on purpose
    /usr/bin/time -f "%e %M" -o "$work/t" $va analyze $trees --signatures "$work/lib/$k" --format json -q -o /dev/null >/dev/null 2>&1 || true
    tail -1 "$work/t" >> "$work/l.$k"
    # Start-up: load + compile the library, analyze an empty file.
    echo "2026-12-03T00:00:00Z healthy line" > "$work/empty.log"
    python3 - "$va" "$work/lib/$k" "$work/empty.log" >> "$work/s.$k" <<'EOF'
import subprocess, sys, time
va, lib, empty = sys.argv[1:]
best = min(
    (lambda t0: (subprocess.run([va, "analyze", empty, "--signatures", lib, "--format", "json", "-q", "-o", "/dev/null"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), time.perf_counter() - t0)[1])(time.perf_counter())
    for _ in range(10))
print(f"{best*1000:.1f}")
EOF
  done
done
bytes=$(du -sb "$work/trees" | cut -f1)
{
  echo "# Library size vs analysis time"
  echo
  echo "Command: \`bench/library.sh $vms $mb\` on $(nproc) cores, $(date -u +%Y-%m-%d); corpus: $vms VM trees,"
  echo "$((bytes / 1048576)) MiB (bench/analyze.sh's generator). Built-in library: $builtin signatures;"
  echo "larger libraries add clones of it with distinct literals (see the script). Medians of $runs"
  echo "rounds, run in turns; start-up is the fastest of 10 runs on an empty file (load, compile,"
  echo "report)."
  echo
  echo "| signatures | analysis (s) | MB/s | peak RSS (MiB) | start-up (ms) |"
  echo "|---:|---:|---:|---:|---:|"
  for k in "${sizes[@]}"; do
    python3 - "$work/l.$k" "$work/s.$k" "$((builtin + k))" "$bytes" <<'EOF'
import sys, statistics as s
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
start = [float(l) for l in open(sys.argv[2]) if l.strip()]
wall = s.median(float(r[0]) for r in rows)
rss = max(int(r[1]) for r in rows) / 1024
mbps = int(sys.argv[4]) / 1048576 / wall if wall else 0
print(f"| {sys.argv[3]} | {wall:.2f} | {mbps:.0f} | {rss:.0f} | {min(start):.1f} |")
EOF
  done
  echo
  echo "Start-up of the built-in library by phase, in process (\`cargo run --release -p"
  echo "vcap-analyze --example startup\`): $(./target/release/examples/startup)."
  echo
  echo "## From 100 signatures to the whole library"
  echo
  echo "Subsets of the built-in library (every k-th signature, so each mixes every category),"
  echo "the matcher alone over the same trees on all cores, as \`analyze\` scans each file (no"
  echo "checks, no report; fastest of 3): \`cargo run --release -p vcap-analyze --example growth"
  echo "-- TREE...\`."
  echo
  # shellcheck disable=SC2086 # the tree list is split on purpose
  ./target/release/examples/growth $trees | sed 's/^/- /'
} > bench/results/library.md
cat bench/results/library.md
