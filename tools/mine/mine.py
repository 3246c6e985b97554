#!/usr/bin/env python3
"""Mine error- and warn-level messages from Cloud Foundry and BOSH component sources.

Reads bare git directories fetched under a mirror directory (default /work/.mirror, one
`<owner>+<name>/repo` per repository, as the search tool's `fetch` lands them) and writes,
for every component of `COMPONENTS`, `mining/messages/<component>.tsv` with the columns

    component  level  message  repo  commit  path  seen

- `level`: `error`, `fatal`, `panic`, `warn` (a logging call at that level), `errstr` (an
  error string built in an error path: fmt.Errorf, errors.New, bosherr.Error/Errorf/
  WrapError, Ruby `raise X, "..."`), `api` (a Cloud Controller v2 API error) or
  `error-class` (a numbered BOSH director error class).
- `message`: the lager key (with the session prefix when the same file shows the session:
  `session.key`), the zap/logrus/Java/Ruby message, or the format string, as written.
- `seen`: `now` (present at HEAD; `commit` is HEAD) or `history` (added by some commit of
  the history and gone at HEAD; `commit` is the newest commit that added it).

Python 3 standard library only; no fetched file is written anywhere. Usage:

    python3 tools/mine/mine.py [--mirror DIR] [--out mining] [--only COMPONENT,...]
                               [--no-history]

The list of repositories and what is mined from each is `COMPONENTS` below;
`mining/README.md` documents the procedure and the result.
"""

import argparse
import collections
import os
import re
import subprocess
import sys
import threading

# ---------------------------------------------------------------------------------------
# What to mine: component -> [(repo, path regex that selects its files)].
# Paths are matched against the whole history, so older layouts are listed too.

GO = r"\.go$"
RB = r"\.rb$"
JAVA = r"\.(java|kt)$"

COMPONENTS = {
    # diego
    "bbs": [("cloudfoundry/bbs", GO)],
    "rep": [("cloudfoundry/rep", GO)],
    "executor": [("cloudfoundry/executor", GO)],
    "locket": [("cloudfoundry/locket", GO)],
    "auctioneer": [("cloudfoundry/auctioneer", GO)],
    "route-emitter": [("cloudfoundry/route-emitter", GO)],
    "ssh-proxy": [("cloudfoundry/diego-ssh", GO)],
    "file-server": [("cloudfoundry/fileserver", GO)],
    "cc-uploader": [("cloudfoundry/cc-uploader", GO)],
    "tps": [("cloudfoundry/tps", GO)],
    # garden-runc and its predecessors
    "guardian": [("cloudfoundry/guardian", GO)],
    "grootfs": [("cloudfoundry/grootfs", GO)],
    "garden-linux": [("cloudfoundry/garden-linux", GO)],
    # routing
    "gorouter": [("cloudfoundry/gorouter", GO)],
    "routing-api": [("cloudfoundry/routing-api", GO)],
    "tcp-router": [("cloudfoundry/cf-tcp-router", GO)],
    "route-registrar": [("cloudfoundry/route-registrar", GO)],
    # loggregator: doppler, trafficcontroller, rlp, syslog drain binder; metron v1 apart
    "loggregator": [
        ("cloudfoundry/loggregator-release", r"^src/(?!.*metron)(?!.*/?deaagent).*" + GO),
        ("cloudfoundry/loggregator", r"^(?!.*metron).*" + GO),
    ],
    "metron": [("cloudfoundry/loggregator-release", r"^src/.*metron.*" + GO)],
    "loggregator-agent": [
        ("cloudfoundry/loggregator-agent-release", GO),
        ("cloudfoundry/loggregator-agent", GO),
    ],
    "log-cache": [
        ("cloudfoundry/log-cache", GO),
        ("cloudfoundry/log-cache-release", r"^src/.*" + GO),
    ],
    # cloud controller, uaa, credhub
    "cloud_controller": [
        ("cloudfoundry/cloud_controller_ng", r"^(app|lib)/.*" + RB),
        ("cloudfoundry/cloud_controller_ng", r"(^|/)errors/v2\.yml$"),
    ],
    "uaa": [("cloudfoundry/uaa", r"/src/main/.*" + JAVA)],
    "credhub": [("cloudfoundry/credhub", r"/src/main/.*" + JAVA)],
    # bosh
    "bosh-director": [("cloudfoundry/bosh", r"(^|/)bosh-director/lib/.*" + RB)],
    "health-monitor": [("cloudfoundry/bosh", r"(^|/)bosh-monitor/lib/.*" + RB)],
    "bosh-agent": [("cloudfoundry/bosh-agent", GO)],
    "bosh-dns": [("cloudfoundry/bosh-dns-release", r"^src/bosh-dns/.*" + GO)],
    "nats": [("nats-io/nats-server", r"^(server|logger|conf)/.*" + GO)],
    # cf-networking
    "silk": [
        ("cloudfoundry/silk", GO),
        ("cloudfoundry/cf-networking-release", r"^src/.*silk.*" + GO),
        ("cloudfoundry/silk-release", r"^src/.*silk.*" + GO),
    ],
    "policy-server": [("cloudfoundry/cf-networking-release", r"^src/.*policy-server/.*" + GO)],
    "vxlan-policy-agent": [
        ("cloudfoundry/cf-networking-release", r"^src/.*vxlan-policy-agent/.*" + GO),
        ("cloudfoundry/silk-release", r"^src/.*vxlan-policy-agent/.*" + GO),
    ],
    # databases
    "pxc": [("cloudfoundry/pxc-release", r"^src/.*" + GO)],
    "cf-mysql": [("cloudfoundry/cf-mysql-release", r"^src/.*" + GO)],
    "postgres": [("cloudfoundry/postgres-release", r"^(jobs|src)/.*\.(sh|erb|go)$")],
    # retired generations (seeds)
    "dea": [("cloudfoundry/dea_ng", r"^(lib|go)/.*\.(rb|go)$")],
    "warden": [("cloudfoundry/warden", r"^warden/lib/.*" + RB)],
    "etcd": [("cloudfoundry-incubator/etcd-release", r"^src/.*" + GO)],
    "consul": [("cloudfoundry-incubator/consul-release", r"^src/.*" + GO)],
    "hm9000": [("cloudfoundry/hm9000", GO)],
}

# Never mined: tests, fakes, vendored and generated code, fixtures.
EXCLUDE = re.compile(
    r"(^|/)(vendor|Godeps|_workspace|fakes?|[^/]*fakes|testhelpers?|test_helpers|"
    r"testrunner|integration|inigo|spec|test|tests|testdata|fixtures|assets|"
    r"node_modules|third_party|\.git)/"
    r"|_test\.go$|_spec\.rb$|/fake_[^/]*$|Test\.(java|kt)$|\.pb\.go$"
)
# Submodules and external sources inside a release tree: mined from their own repos.
RELEASE_EXTERNAL = re.compile(r"^src/(github\.com|golang\.org|gopkg\.in|google\.golang\.org)/")

# ---------------------------------------------------------------------------------------
# Idioms. Each returns (level, message) pairs for one logical line.

STR = r'"((?:[^"\\\n]|\\.)*)"'
RSTR = r"""(?:"((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)')"""

# Go: lager/zap/logrus `x.Error("key", ...)`; bosh-agent boshlog `x.Error(tag, "msg", ...)`
GO_LEVELS = {"Error": "error", "Fatal": "fatal", "Panic": "panic", "Warn": "warn",
             "Warning": "warn", "ErrorWithDetails": "error", "Errorf": "error",
             "Fatalf": "fatal", "Panicf": "panic", "Warnf": "warn", "Warningf": "warn",
             "Errorw": "error", "Warnw": "warn", "Fatalw": "fatal"}
GO_LOG_CALL = re.compile(
    r"\b([A-Za-z_][\w.\[\]()]*)\.(ErrorWithDetails|Errorf|Errorw|Error|Fatalf|Fatalw|Fatal|"
    r"Panicf|Panic|Warningf|Warning|Warnf|Warnw|Warn)\(\s*"
    r"(?:(?:[\w.]+|" + STR + r")\s*,\s*(?:fmt\.Sprintf\(\s*)?)?" + STR
)
GO_ERRSTR = re.compile(
    r"\b(?:fmt\.Errorf|errors\.New|errors\.Errorf|errors\.Wrapf?\([^,()]*(?:\([^()]*\))?,\s*|"
    r"bosherr\.(?:Errorf|Error|WrapErrorf|WrapError|WrapComplexError)\((?:[^,()\"]*(?:\([^()]*\))?,\s*)?|"
    r"xerrors\.Errorf)\(?\s*" + STR
)
GO_STDLOG = re.compile(r"\blog\.(Fatalf|Fatalln|Fatal|Panicf|Panicln|Panic|Printf|Println|Print)\(\s*" + STR)
ERRORISH = re.compile(
    r"(?i)error|fail|unable|cannot|can't|could not|couldn't|invalid|timed? ?out|refused|"
    r"denied|not found|unreachable|panic"
)
# receivers whose .Errorf/.Error build an error value rather than log one
GO_NOT_LOGGERS = re.compile(r"^(fmt|errors|bosherr|xerrors|pkgerrors|t|b|GinkgoT\(\)|status|grpc)$")
GO_SESSION = re.compile(r"\b(\w+)\s*:?=\s*[\w.]+\.Session\(\s*" + STR)

# Ruby: logger.error / @logger.warn / Steno, raise X, "msg"
RB_LOG = re.compile(
    r"(?:\blogger|@logger|\blog|@log|Config\.logger|\bLogger)\.(error|warn|fatal)\(?\s*" + RSTR
)
RB_RAISE = re.compile(r"\braise\s+[A-Z][\w:]*(?:,\s*|\.new\(\s*)" + RSTR)
RB_ERRCLASS = re.compile(r"^\s*([A-Z]\w*)\s*=\s*err\((\d+)(?:,\s*(\d+))?\)")
YML_MESSAGE = re.compile(r'^\s+message:\s*"?(.*?)"?\s*$')

# Java/Kotlin: logger.error("...") / log.warn("...")
JAVA_LOG = re.compile(
    r"\b(?:logger|log|LOGGER|LOG|Log|Logger|logging)\.(error|warn|fatal)\(\s*" + STR
)

# Shell (postgres-release job templates): echo of an error
SH_ECHO = re.compile(r"\becho\s+(?:-e\s+)?" + RSTR)


def unescape_ws(s):
    """Collapse what cannot live in one TSV cell."""
    return re.sub(r"[\x00-\x1f\x7f]", " ", s).strip()


class Extractor:
    """Extracts (level, message) from a stream of lines of one file, keeping the
    session variables seen so far (lager `x := logger.Session("name")`)."""

    def __init__(self, path):
        self.path = path
        self.sessions = {}
        self.kind = self._kind(path)

    @staticmethod
    def _kind(path):
        if path.endswith(".go"):
            return "go"
        if path.endswith(".rb"):
            return "rb-errors" if path.endswith("director/errors.rb") else "rb"
        if path.endswith((".java", ".kt")):
            return "java"
        if path.endswith("v2.yml"):
            return "yml"
        if path.endswith((".sh", ".erb")):
            return "sh"
        return None

    def line(self, text):
        k = self.kind
        if k == "go":
            return self._go(text)
        if k == "rb":
            return self._rb(text)
        if k == "rb-errors":
            m = RB_ERRCLASS.match(text)
            if m:
                return [("error-class", "%s (%s)" % (m.group(1), m.group(2)))]
            return self._rb(text)
        if k == "java":
            return [(m.group(1).replace("fatal", "error"), m.group(2))
                    for m in JAVA_LOG.finditer(text)]
        if k == "yml":
            m = YML_MESSAGE.match(text)
            return [("api", m.group(1))] if m else []
        if k == "sh":
            out = []
            for m in SH_ECHO.finditer(text):
                msg = m.group(1) or m.group(2) or ""
                if re.search(r"(?i)\b(error|fatal|failed|cannot|unable)\b", msg):
                    out.append(("error", msg))
            return out
        return []

    def _go(self, text):
        out = []
        for m in GO_SESSION.finditer(text):
            self.sessions[m.group(1)] = m.group(2)
        for m in GO_LOG_CALL.finditer(text):
            recv, method, msg = m.group(1), m.group(2), m.group(4)
            if GO_NOT_LOGGERS.match(recv.split(".")[-1] if "." in recv else recv):
                continue
            if recv.split(".")[0] in ("fmt", "errors", "bosherr", "xerrors"):
                continue
            var = recv.split(".")[-1]
            sess = self.sessions.get(var)
            if sess and "." not in msg and " " not in msg:
                msg = "%s.%s" % (sess, msg)
            out.append((GO_LEVELS[method], msg))
        for m in GO_ERRSTR.finditer(text):
            out.append(("errstr", m.group(1)))
        for m in GO_STDLOG.finditer(text):
            fn, msg = m.group(1), m.group(2)
            if fn.startswith("Fatal"):
                out.append(("fatal", msg))
            elif fn.startswith("Panic"):
                out.append(("panic", msg))
            elif ERRORISH.search(msg):
                out.append(("error", msg))
        return out

    def _rb(self, text):
        out = []
        for m in RB_LOG.finditer(text):
            out.append((m.group(1).replace("fatal", "error"), m.group(2) or m.group(3) or ""))
        for m in RB_RAISE.finditer(text):
            out.append(("errstr", m.group(1) or m.group(2) or ""))
        return out


def logical_lines(lines):
    """Joins a call left open at the end of a line with the next line (a key written on
    the line after `logger.Error(`)."""
    pending = ""
    for line in lines:
        if pending:
            line = pending + " " + line.strip()
            pending = ""
        if line.rstrip().endswith(("(", ",")) and len(line) < 400:
            pending = line.rstrip()
            continue
        yield line
    if pending:
        yield pending


# ---------------------------------------------------------------------------------------
# Git.

def git_dir(mirror, repo):
    base = os.path.join(mirror, repo.replace("/", "+"), "repo")
    for cand in (os.path.join(base, ".git"), base):
        if os.path.isfile(os.path.join(cand, "HEAD")):
            return cand
    return None


def git(gd, *args):
    return subprocess.run(["git", "--git-dir=" + gd, *args], check=True,
                          stdout=subprocess.PIPE).stdout


def selected(path, pattern):
    return re.search(pattern, path) and not EXCLUDE.search(path) \
        and not RELEASE_EXTERNAL.search(path)


def mine_head(gd, head, pattern):
    """(level, message, path) of every message at HEAD."""
    paths = [p for p in git(gd, "ls-tree", "-r", "--name-only", head).decode(
        "utf-8", "replace").splitlines() if selected(p, pattern)]
    if not paths:
        return []
    found = []
    proc = subprocess.Popen(["git", "--git-dir=" + gd, "cat-file", "--batch"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    # Fed from a thread: a long list would otherwise fill both pipes and dead-lock.
    def feed():
        proc.stdin.write("".join("%s:%s\n" % (head, p) for p in paths).encode())
        proc.stdin.close()

    threading.Thread(target=feed, daemon=True).start()
    for p in paths:
        header = proc.stdout.readline().split()
        if len(header) < 3 or header[1] != b"blob":
            continue
        body = proc.stdout.read(int(header[2]))
        proc.stdout.read(1)
        ex = Extractor(p)
        for line in logical_lines(body.decode("utf-8", "replace").splitlines()):
            for level, msg in ex.line(line):
                found.append((level, msg, p))
    proc.wait()
    return found


def mine_history(gd, head, pattern, ext_globs):
    """(level, message, path, commit) of every message an added line of the history
    carries, newest commit first."""
    cmd = ["git", "--git-dir=" + gd, "log", "-p", "-U0", "--no-merges", "--no-renames",
           "--no-color", "--format=%x00commit %H", head, "--"] + ext_globs
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE)
    commit = path = None
    ex = None
    added = []
    found = []

    def flush():
        if ex is not None and added:
            for line in logical_lines(added):
                for level, msg in ex.line(line):
                    found.append((level, msg, path, commit))
        added.clear()

    for raw in proc.stdout:
        line = raw.decode("utf-8", "replace").rstrip("\n")
        if line.startswith("\x00commit "):
            flush()
            commit, ex, path = line[8:], None, None
        elif line.startswith("+++ "):
            flush()
            p = line[6:] if line.startswith("+++ b/") else None
            path = p
            ex = Extractor(p) if p and selected(p, pattern) else None
        elif line.startswith("@@"):
            flush()
        elif line.startswith("+") and ex is not None:
            added.append(line[1:])
    flush()
    proc.wait()
    return found


def ext_globs(pattern):
    """git pathspecs narrowing `git log` to the file types of a pattern (the regex decides)."""
    globs = []
    for ext, g in ((GO, "*.go"), (RB, "*.rb"), (JAVA, "*.java")):
        if ext in pattern:
            globs.append(g)
    if ".kt" in pattern:
        globs.append("*.kt")
    if "v2\\.yml" in pattern:
        globs.append("*v2.yml")
    if "(rb|go)" in pattern:
        globs += ["*.rb", "*.go"]
    if "(sh|erb|go)" in pattern:
        globs += ["*.sh", "*.erb", "*.go"]
    globs = sorted(set(globs)) or ["."]
    return globs + [":(exclude,glob)**/vendor/**", ":(exclude,glob)**/*_test.go",
                    ":(exclude,glob)**/spec/**", ":(exclude,glob)**/Godeps/**"]


# ---------------------------------------------------------------------------------------

def clean(msg):
    return unescape_ws(msg)


def keep(level, msg):
    if len(msg) < 3 or not re.search(r"[A-Za-z]{3}", msg):
        return False
    if level in ("errstr", "error", "warn") and re.fullmatch(r"%[a-z]|%[a-z]: %[a-z]|%[a-z] ?%[a-z]", msg):
        return False
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mirror", default="/work/.mirror")
    ap.add_argument("--out", default="mining")
    ap.add_argument("--only", default="")
    ap.add_argument("--no-history", action="store_true")
    ap.add_argument("--counts-only", action="store_true",
                    help="only rewrite <out>/counts.tsv from the existing messages/*.tsv")
    args = ap.parse_args()
    if args.counts_only:
        write_counts(args.out)
        return 0
    only = set(filter(None, args.only.split(",")))
    os.makedirs(os.path.join(args.out, "messages"), exist_ok=True)
    status = 0
    repos_used = {}
    for comp, sources in COMPONENTS.items():
        if only and comp not in only:
            continue
        rows = {}  # (level, msg) -> row
        for repo, pattern in sources:
            gd = git_dir(args.mirror, repo)
            if gd is None:
                print("mine: %s: %s not fetched under %s, skipped" % (comp, repo, args.mirror),
                      file=sys.stderr)
                status = 1
                continue
            head = git(gd, "rev-parse", "HEAD").decode().strip()
            repos_used[repo] = head
            for level, msg, path in mine_head(gd, head, pattern):
                msg = clean(msg)
                if keep(level, msg):
                    rows.setdefault((level, msg), (comp, level, msg, repo, head, path, "now"))
            if args.no_history:
                continue
            for level, msg, path, commit in mine_history(gd, head, pattern, ext_globs(pattern)):
                msg = clean(msg)
                if keep(level, msg):
                    rows.setdefault((level, msg), (comp, level, msg, repo, commit, path, "history"))
        out = os.path.join(args.out, "messages", comp + ".tsv")
        with open(out, "w", encoding="utf-8") as f:
            f.write("component\tlevel\tmessage\trepo\tcommit\tpath\tseen\n")
            for key in sorted(rows):
                f.write("\t".join(rows[key]) + "\n")
        counts = collections.Counter(r[6] for r in rows.values())
        print("%-20s now %5d  history-only %5d" % (comp, counts["now"], counts["history"]),
              file=sys.stderr)
    # Repositories and the HEAD mined; a partial run (--only) keeps the others' rows.
    index = os.path.join(args.out, "repos.tsv")
    if os.path.exists(index):
        with open(index, encoding="utf-8") as f:
            for row in list(f)[1:]:
                repo, _, head = row.rstrip("\n").partition("\t")
                repos_used.setdefault(repo, head)
    with open(index, "w", encoding="utf-8") as f:
        f.write("repo\thead\n")
        for repo in sorted(repos_used):
            f.write("%s\t%s\n" % (repo, repos_used[repo]))
    write_counts(args.out)
    return status


ERROR_LEVELS = ("error", "fatal", "panic")


def write_counts(out):
    """<out>/counts.tsv: per component, distinct messages at HEAD and ever, all levels and
    error-level alone."""
    mdir = os.path.join(out, "messages")
    with open(os.path.join(out, "counts.tsv"), "w", encoding="utf-8") as f:
        f.write("component\tnow\tever\terror_now\terror_ever\twarn_now\terrstr_now\n")
        for name in sorted(os.listdir(mdir)):
            if not name.endswith(".tsv"):
                continue
            with open(os.path.join(mdir, name), encoding="utf-8") as t:
                rows = [line.rstrip("\n").split("\t") for line in t][1:]
            now = [r for r in rows if r[6] == "now"]
            f.write("\t".join(str(x) for x in (
                name[:-4], len(now), len(rows),
                sum(r[1] in ERROR_LEVELS for r in now), sum(r[1] in ERROR_LEVELS for r in rows),
                sum(r[1] == "warn" for r in now), sum(r[1] == "errstr" for r in now))) + "\n")


if __name__ == "__main__":
    sys.exit(main())
