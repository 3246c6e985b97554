#!/usr/bin/env python3
"""Prints every regex of the signature library, one per line: the `rg -f` pattern file that
gives ripgrep the same patterns vcap-analyze runs (ripgrep uses the same regex syntax)."""
import pathlib, sys, tomllib

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "signatures")
for f in sorted(root.rglob("*.toml")):
    sig = tomllib.loads(f.read_text())
    for r in sig.get("match", {}).get("regex", []):
        print(r)
