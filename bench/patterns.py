#!/usr/bin/env python3
"""Prints the `rg -f` pattern file that gives ripgrep the search vcap-analyze runs over every
line: each signature's literals (escaped: the prefilter every line goes through) and its
`regex` patterns. A schema-2 signature's `error` patterns and `message` names are left out:
vcap-analyze applies them only to lines that hold one of the signature's literals, and
alone some are as loose as `.+`. The few patterns ripgrep refuses are left out and counted
on stderr. ripgrep uses the same regex syntax; named groups become plain groups, since
ripgrep joins all patterns into one regex."""
import pathlib, re, subprocess, sys, tomllib


def portable(pattern):
    """The same pattern with escapes of quotes and spaces (`\\"`, `\\ `) written plain: newer
    versions of the regex crate accept them, a distribution's ripgrep may not."""
    out, chars = [], iter(pattern)
    for c in chars:
        if c == "\\":
            n = next(chars, "")
            out.append(n if n in "\"' " else c + n)
        else:
            out.append(c)
    return "".join(out)


def ripgrep_takes(pattern):
    """Whether ripgrep compiles the pattern (it refuses one that could match a line end,
    such as `[^\\n"]`, which vcap-analyze runs line by line all the same)."""
    run = subprocess.run(["rg", "-q", "-e", pattern, "-"], input=b"", capture_output=True)
    return run.returncode != 2


root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "signatures")
left_out = 0
for f in sorted(root.rglob("*.toml")):
    if "fixtures" in f.parts:
        continue
    m = tomllib.loads(f.read_text()).get("match", {})
    literals = [re.escape(lit) for lit in m.get("literals", [])]
    for r in m.get("regex", []) + literals:
        # One alternation of all patterns cannot repeat a group name: make groups plain.
        r = portable(re.sub(r"\(\?P<\w+>", "(?:", r))
        if ripgrep_takes(r):
            print(r)
        else:
            left_out += 1
print(f"patterns.py: {left_out} pattern(s) ripgrep refuses left out", file=sys.stderr)
