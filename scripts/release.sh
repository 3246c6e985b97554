#!/usr/bin/env bash
# Builds the portable release binaries: vcap-collect and vcap-analyze for x86_64 Linux,
# linked against glibc 2.17 (so they run on every supported stemcell: Xenial, Bionic,
# Jammy, Noble), stripped, with the `dist` profile of the root Cargo.toml; then writes
# their sha256 sums.
#
#   scripts/release.sh [OUTDIR]          # default: target/release-dist/
#
# Output: OUTDIR/vcap-collect-linux-amd64, OUTDIR/vcap-analyze-linux-amd64, OUTDIR/SHA256SUMS.
# These are the blobs of the BOSH release (release/README.md: `bosh add-blob`).
#
# It installs what it needs when missing: Zig from PyPI (`pip install ziglang`, the linker
# cargo-zigbuild drives) and cargo-zigbuild (`cargo install --locked`). rustup cannot fetch
# a musl target on the build machines, so the binaries are glibc ones, pinned to 2.17.
set -euo pipefail
cd "$(dirname "$0")/.."

out=${1:-target/release-dist}
target=x86_64-unknown-linux-gnu
glibc=2.17

if ! python3 -m ziglang version >/dev/null 2>&1; then
  echo "release: installing Zig (pip install ziglang)" >&2
  python3 -m pip install --quiet ziglang
fi
if ! cargo zigbuild --help >/dev/null 2>&1; then
  echo "release: installing cargo-zigbuild (cargo install --locked)" >&2
  cargo install --quiet --locked cargo-zigbuild
fi

cargo zigbuild --locked --quiet --profile dist --target "$target.$glibc" \
  -p vcap-collect -p vcap-analyze

mkdir -p "$out"
for bin in vcap-collect vcap-analyze; do
  install -m 0755 "${CARGO_TARGET_DIR:-target}/$target/dist/$bin" "$out/$bin-linux-amd64"
done
(cd "$out" && sha256sum vcap-collect-linux-amd64 vcap-analyze-linux-amd64 > SHA256SUMS)
cat "$out/SHA256SUMS"
ls -l "$out"
