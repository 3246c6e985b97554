#!/usr/bin/env bash
# Checks the binaries scripts/release.sh built: they run on every supported stemcell and
# are small enough to ship to every VM.
#
#   scripts/check-portable.sh [DIR]      # default: target/release-dist/
#
# For vcap-collect-linux-amd64 and vcap-analyze-linux-amd64 in DIR:
# - every versioned glibc symbol they need is GLIBC_2.17 or older (objdump -T), and they
#   need no other shared library than glibc's own (libc, libm, libpthread, libdl, librt,
#   libgcc_s, ld-linux);
# - stripped (no .symtab section, readelf -S);
# - vcap-collect is at most 6 MB (6,000,000 bytes);
# - both run (`--version`) and SHA256SUMS matches them.
# Exit 0 when all hold; 1 with what failed.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-target/release-dist}
max_glibc=2.17
max_collect=6000000
fail=0

bad() {
  echo "check-portable: $*" >&2
  fail=1
}

for name in vcap-collect vcap-analyze; do
  bin="$dir/$name-linux-amd64"
  if [ ! -x "$bin" ]; then
    bad "$bin: missing (run scripts/release.sh first)"
    continue
  fi
  newest=$(objdump -T "$bin" | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/^GLIBC_//' | sort -V | tail -n 1)
  if [ -z "$newest" ]; then
    echo "$name: no versioned glibc symbol (static)"
  elif [ "$(printf '%s\n%s\n' "$newest" "$max_glibc" | sort -V | tail -n 1)" != "$max_glibc" ]; then
    bad "$name needs GLIBC_$newest (at most GLIBC_$max_glibc):"
    objdump -T "$bin" | grep -E "GLIBC_$newest\b" | head -n 5 >&2
  else
    echo "$name: newest glibc symbol version GLIBC_$newest (<= $max_glibc)"
  fi
  others=$(readelf -d "$bin" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' \
    | grep -Ev '^(libc|libm|libpthread|libdl|librt|libgcc_s)\.so\.[0-9]+$|^ld-linux-x86-64\.so\.2$' || true)
  [ -z "$others" ] || bad "$name needs shared libraries beyond glibc: $others"
  if readelf -S "$bin" | grep -q '\.symtab'; then
    bad "$name is not stripped"
  fi
  size=$(stat -c %s "$bin")
  echo "$name: $size bytes"
  if [ "$name" = vcap-collect ] && [ "$size" -gt "$max_collect" ]; then
    bad "$name is $size bytes (at most $max_collect)"
  fi
  "$bin" --version >/dev/null || bad "$name --version failed"
done
(cd "$dir" && sha256sum --check --quiet SHA256SUMS) || bad "SHA256SUMS does not match"
exit "$fail"
