#!/usr/bin/env python3
"""Prints every regex of the signature library, one per line: the `rg -f` pattern file that
gives ripgrep the same patterns vcap-analyze runs (ripgrep uses the same regex syntax;
named groups become plain groups, since ripgrep joins all patterns into one regex)."""
import pathlib, re, sys, tomllib

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "signatures")
for f in sorted(root.rglob("*.toml")):
    sig = tomllib.loads(f.read_text())
    for r in sig.get("match", {}).get("regex", []):
        # One alternation of all patterns cannot repeat a group name: make groups plain.
        print(re.sub(r"\(\?P<\w+>", "(?:", r))
