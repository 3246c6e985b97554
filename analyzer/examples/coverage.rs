//! How much of what the components can log the signature library accounts for:
//! generates `docs/coverage.md` from the mined messages (`mining/messages/*.tsv`, written by
//! `tools/mine/mine.py`), the built-in library and `mining/ignore.toml`.
//!
//! ```text
//! cargo run -p vcap-analyze --example coverage > docs/coverage.md
//! cargo run -p vcap-analyze --example coverage -- --uncovered bbs     # what is left, one a line
//! ```
//!
//! **Covered.** A mined message is covered when a signature of the built-in library hits a
//! *probe line* built from it, through the analyzer's own [`Matcher`] (literal prefilter,
//! regexes, `not` exclusions; file scopes are not applied, as for a loose log). The probes
//! are the message as a component writes it, with nothing else a signature could lean on:
//!
//! - the text itself, format verbs (`%s`, `%v`, `%d`, `#{...}`, `{}`) replaced by `x`/`1`;
//! - for a lager key of a lager component, the lager line that carries it at its level:
//!   `"message":"<source>.<key>"` with an `"error":"x"` datum (gorouter's zap line: the bare
//!   key);
//! - for an error string (`errstr`) of a lager or zap component, such a line carrying the
//!   text as its `"error"` datum (how an error string reaches a log).
//!
//! Steno components (Cloud Controller, the DEA) get their JSON line with the message in
//! `"message"`. Plain-text components (Java, nats-server, bosh-agent, `log.Printf`) get the text
//! alone: a probe never dresses a message in an envelope its component does not write.
//!
//! A signature whose regex also needs a particular error text (say `out of memory` after a
//! generic key) does not cover the key: the rule is conservative, never generous.
//!
//! **Ignored.** `mining/ignore.toml` lists classes of messages that cannot indicate a
//! VM or foundation failure (a client's malformed request, a resource a client asked for
//! that does not exist, a feature the BOSH release never configures...), each `[[ignore]]`
//! with a `pattern` (regex over the message), optional `components`, `levels` and `paths`
//! (regex over the source file) filters, and a one-line `reason`.
//!
//! **Counted.** The target (>= 60% accounted for) is over *error-level* messages present at
//! HEAD (`error`, `fatal`, `panic`); history counts every distinct message ever added.
//! Warn-level messages, error strings, API errors and director error classes are listed
//! beside it.

use analyzer::matcher::{Matcher, Selection};
use analyzer::signature::Library;
use analyzer::timestamp::YearHint;
use regex::Regex;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::{env, fs};

/// The twelve busiest components are held to this share of their error-level messages.
const TARGET_PERCENT: f64 = 60.0;
const BUSIEST: usize = 12;

/// One row of `mining/messages/<component>.tsv`.
#[derive(Debug, Clone)]
struct Mined {
    component: String,
    level: String,
    message: String,
    path: String,
    now: bool,
}

/// One class of messages deliberately not covered.
#[derive(Debug, Deserialize)]
struct IgnoreRule {
    pattern: String,
    #[serde(default)]
    components: Vec<String>,
    #[serde(default)]
    levels: Vec<String>,
    /// Optional regex over the source path of the message (a feature's own files).
    #[serde(default)]
    paths: Option<String>,
    reason: String,
}

#[derive(Debug, Deserialize)]
struct IgnoreFile {
    #[serde(default)]
    ignore: Vec<IgnoreRule>,
}

struct CompiledIgnore {
    rule: IgnoreRule,
    regex: Regex,
    paths: Option<Regex>,
}

impl CompiledIgnore {
    fn applies(&self, m: &Mined) -> bool {
        (self.rule.components.is_empty() || self.rule.components.contains(&m.component))
            && (self.rule.levels.is_empty() || self.rule.levels.contains(&m.level))
            && self.regex.is_match(&m.message)
            && self.paths.as_ref().is_none_or(|p| p.is_match(&m.path))
    }
}

/// What became of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    Covered(String),
    Ignored(usize),
    Open,
}

fn main() -> ExitCode {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let args: Vec<String> = env::args().skip(1).collect();
    let uncovered = match args.as_slice() {
        [] => None,
        [flag, comp] if flag == "--uncovered" => Some(comp.clone()),
        _ => {
            eprintln!(
                "usage: cargo run -p vcap-analyze --example coverage [-- --uncovered COMPONENT]"
            );
            return ExitCode::from(2);
        }
    };
    match run(&root, uncovered.as_deref()) {
        Ok(out) => {
            print!("{out}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("coverage: {e}");
            ExitCode::from(1)
        }
    }
}

fn run(root: &Path, uncovered: Option<&str>) -> Result<String, String> {
    let lib = Library::builtin();
    if let Some(p) = lib.problems.first() {
        return Err(format!("signature library: {p}"));
    }
    let matcher = Matcher::new(&lib.signatures).map_err(|e| e.to_string())?;
    let mined = read_messages(&root.join("mining/messages"))?;
    let ignores = read_ignores(&root.join("mining/ignore.toml"))?;
    let verdicts: Vec<Verdict> = mined
        .iter()
        .map(|m| verdict(&matcher, &ignores, m))
        .collect();
    if let Some(comp) = uncovered {
        let mut out = String::new();
        for (m, v) in mined.iter().zip(&verdicts) {
            if m.component == comp && m.now && *v == Verdict::Open {
                let _ = writeln!(out, "{}\t{}", m.level, m.message);
            }
        }
        return Ok(out);
    }
    Ok(render(&lib, &mined, &verdicts, &ignores))
}

fn read_messages(dir: &Path) -> Result<Vec<Mined>, String> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "tsv"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        let text = fs::read_to_string(&f).map_err(|e| format!("{}: {e}", f.display()))?;
        for (n, line) in text.lines().enumerate().skip(1) {
            let cols: Vec<&str> = line.split('\t').collect();
            let [component, level, message, _repo, _commit, path, seen] = cols[..] else {
                return Err(format!("{}:{}: expected 7 columns", f.display(), n + 1));
            };
            out.push(Mined {
                component: component.to_string(),
                level: level.to_string(),
                message: message.to_string(),
                path: path.to_string(),
                now: seen == "now",
            });
        }
    }
    Ok(out)
}

fn read_ignores(path: &Path) -> Result<Vec<CompiledIgnore>, String> {
    let text = fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let file: IgnoreFile = toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    file.ignore
        .into_iter()
        .map(|rule| {
            let regex = Regex::new(&rule.pattern)
                .map_err(|e| format!("{}: pattern {:?}: {e}", path.display(), rule.pattern))?;
            let paths = match &rule.paths {
                Some(p) => Some(
                    Regex::new(p).map_err(|e| format!("{}: paths {p:?}: {e}", path.display()))?,
                ),
                None => None,
            };
            if rule.reason.trim().is_empty() {
                return Err(format!(
                    "{}: pattern {:?} has no reason",
                    path.display(),
                    rule.pattern
                ));
            }
            Ok(CompiledIgnore { rule, regex, paths })
        })
        .collect()
}

fn verdict(matcher: &Matcher, ignores: &[CompiledIgnore], m: &Mined) -> Verdict {
    let all = Selection::all(matcher.len());
    for probe in probes(m) {
        if let Some(hit) = matcher
            .scan_slice(&all, probe.as_bytes(), YearHint::default())
            .first()
        {
            return Verdict::Covered(matcher.id(hit.signature).to_string());
        }
    }
    match ignores.iter().position(|i| i.applies(m)) {
        Some(i) => Verdict::Ignored(i),
        None => Verdict::Open,
    }
}

/// How a component writes its log lines, for the probes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Envelope {
    /// lager JSON: `"source":"<src>","message":"<src>.<key>"`.
    Lager(&'static str),
    /// gorouter's zap JSON: `"log_level":N,...,"message":"<key>","source":"vcap.gorouter"`.
    Zap,
    /// Ruby steno JSON (Cloud Controller, DEA): `"message":"<message>","log_level":"error"`.
    Steno,
    /// Plain text (Java, nats-server, bosh-agent, `log.Printf`): the message alone.
    Text,
}

/// The envelope of a component's messages.
fn envelope(component: &str) -> Envelope {
    match component {
        "bbs" => Envelope::Lager("bbs"),
        "rep" | "executor" => Envelope::Lager("rep"),
        "locket" => Envelope::Lager("locket"),
        "auctioneer" => Envelope::Lager("auctioneer"),
        "route-emitter" => Envelope::Lager("route-emitter"),
        "ssh-proxy" => Envelope::Lager("ssh-proxy"),
        "file-server" => Envelope::Lager("file-server"),
        "cc-uploader" => Envelope::Lager("cc-uploader"),
        "tps" => Envelope::Lager("tps-watcher"),
        "guardian" => Envelope::Lager("guardian"),
        "garden-linux" => Envelope::Lager("garden-linux"),
        "grootfs" => Envelope::Lager("grootfs"),
        "routing-api" => Envelope::Lager("routing-api"),
        "tcp-router" => Envelope::Lager("tcp-router"),
        "route-registrar" => Envelope::Lager("route-registrar"),
        "silk" => Envelope::Lager("silk-daemon"),
        "policy-server" => Envelope::Lager("policy-server"),
        "vxlan-policy-agent" => Envelope::Lager("vxlan-policy-agent"),
        "log-cache" => Envelope::Lager("log-cache"),
        "consul" => Envelope::Lager("confab"),
        "etcd" => Envelope::Lager("etcdfab"),
        "hm9000" => Envelope::Lager("hm9000"),
        "cf-mysql" | "pxc" => Envelope::Lager("galera-init"),
        "gorouter" => Envelope::Zap,
        "cloud_controller" | "dea" => Envelope::Steno,
        _ => Envelope::Text,
    }
}

/// Probe lines for one message (see the module docs): the text alone; a lager key in its
/// lager (or zap) line; an error string as the `error` datum of such a line.
fn probes(m: &Mined) -> Vec<String> {
    let text = fill_verbs(&m.message);
    let json_text = json_escape(&text);
    let key_like = m
        .message
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c));
    // gorouter's zap levels are zap's plus one: warn 2, error 3, panic 5, fatal 6.
    let (level, log_level) = match m.level.as_str() {
        "fatal" => ("fatal", 6),
        "panic" => ("fatal", 5),
        "warn" => ("error", 2),
        _ => ("error", 3),
    };
    let ts = "\"timestamp\":\"2024-01-01T00:00:00.000000000Z\"";
    let data = |error: &str| format!("\"data\":{{\"error\":\"{error}\",\"session\":\"1\"}}");
    let mut out = vec![text.clone()];
    match (envelope(&m.component), key_like, m.level.as_str()) {
        (Envelope::Lager(src), true, "error" | "fatal" | "panic") => out.push(format!(
            "{{{ts},\"level\":\"{level}\",\"source\":\"{src}\",\"message\":\"{src}.{json_text}\",{}}}",
            data("x")
        )),
        (Envelope::Zap, true, "error" | "fatal" | "panic" | "warn") => out.push(format!(
            "{{\"log_level\":{log_level},{ts},\"message\":\"{json_text}\",\"source\":\"vcap.gorouter\",{}}}",
            data("x")
        )),
        (Envelope::Lager(src), _, "errstr") => out.push(format!(
            "{{{ts},\"level\":\"error\",\"source\":\"{src}\",\"message\":\"{src}.failed\",{}}}",
            data(&json_text)
        )),
        (Envelope::Steno, _, "error" | "fatal" | "warn") => out.push(format!(
            "{{{ts},\"message\":\"{json_text}\",\"log_level\":\"{}\",\"source\":\"{}\",\"data\":{{}}}}",
            if m.level == "warn" { "warn" } else { "error" },
            m.component
        )),
        (Envelope::Zap, _, "errstr") => out.push(format!(
            "{{\"log_level\":3,{ts},\"message\":\"failed\",\"source\":\"vcap.gorouter\",{}}}",
            data(&json_text)
        )),
        _ => {}
    }
    out
}

/// Replaces format verbs (Go `%v`, Ruby `#{...}`, SLF4J `{}`) by a neutral value.
fn fill_verbs(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut chars = message.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '%' => {
                // A verb is `%` [flags width precision] letter; `%%` and a lone `%` stay.
                let rest: String = chars.clone().take(8).collect();
                let flags = rest
                    .find(|n: char| !"-+#0123456789.*".contains(n))
                    .unwrap_or(rest.len());
                match rest[flags..].chars().next() {
                    Some(v) if v.is_ascii_alphabetic() => {
                        chars.nth(flags);
                        out.push(if v == 'd' { '1' } else { 'x' });
                    }
                    Some('%') if flags == 0 => {
                        chars.next();
                        out.push_str("%%");
                    }
                    _ => out.push('%'),
                }
            }
            '#' if chars.peek() == Some(&'{') => {
                let mut depth = 0;
                for n in chars.by_ref() {
                    match n {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                out.push('x');
            }
            '{' if chars.peek() == Some(&'}') => {
                chars.next();
                out.push('x');
            }
            '\\' if chars.peek().is_some_and(|n| *n == '"' || *n == '\\') => {
                out.extend(chars.next());
            }
            _ => out.push(c),
        }
    }
    out
}

fn json_escape(s: &str) -> String {
    serde_json::to_string(s)
        .map(|q| q[1..q.len() - 1].to_string())
        .unwrap_or_default()
}

/// Counts for one component and one set of rows.
#[derive(Debug, Default, Clone, Copy)]
struct Tally {
    found: usize,
    covered: usize,
    ignored: usize,
}

impl Tally {
    fn add(&mut self, v: &Verdict) {
        self.found += 1;
        match v {
            Verdict::Covered(_) => self.covered += 1,
            Verdict::Ignored(_) => self.ignored += 1,
            Verdict::Open => {}
        }
    }

    fn percent(&self) -> f64 {
        if self.found == 0 {
            return 100.0;
        }
        100.0 * (self.covered + self.ignored) as f64 / self.found as f64
    }
}

#[derive(Debug, Default)]
struct ComponentRow {
    /// Error-level messages at HEAD, and ever.
    now: Tally,
    ever: Tally,
    /// Other levels at HEAD: warn, errstr, api / error-class.
    warn: Tally,
    errstr: Tally,
    api: Tally,
}

fn is_error_level(level: &str) -> bool {
    matches!(level, "error" | "fatal" | "panic")
}

fn render(
    lib: &Library,
    mined: &[Mined],
    verdicts: &[Verdict],
    ignores: &[CompiledIgnore],
) -> String {
    let mut rows: BTreeMap<&str, ComponentRow> = BTreeMap::new();
    let mut by_sig: BTreeMap<&str, usize> = BTreeMap::new();
    let mut by_rule = vec![0usize; ignores.len()];
    for (m, v) in mined.iter().zip(verdicts) {
        let row = rows.entry(&m.component).or_default();
        if is_error_level(&m.level) {
            row.ever.add(v);
            if m.now {
                row.now.add(v);
            }
        } else if m.now {
            match m.level.as_str() {
                "warn" => row.warn.add(v),
                "errstr" => row.errstr.add(v),
                _ => row.api.add(v),
            }
        }
        match v {
            Verdict::Covered(id) => *by_sig.entry(id.as_str()).or_default() += 1,
            Verdict::Ignored(i) => by_rule[*i] += 1,
            Verdict::Open => {}
        }
    }
    let mut busiest: Vec<(&str, usize)> = rows.iter().map(|(c, r)| (*c, r.now.found)).collect();
    busiest.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let busiest: BTreeSet<&str> = busiest.iter().take(BUSIEST).map(|(c, _)| *c).collect();

    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Coverage: what the components can log, and what the library accounts for\n"
    );
    let _ = writeln!(
        out,
        "Generated by `cargo run -p vcap-analyze --example coverage > docs/coverage.md` from \
         `mining/messages/*.tsv` (mined by `tools/mine/mine.py`, see `mining/README.md`), \
         the built-in library ({} signatures) and `mining/ignore.toml` ({} rules). Do not edit \
         by hand.\n",
        lib.signatures.len(),
        ignores.len()
    );
    let _ = writeln!(
        out,
        "A message is *covered* when a signature hits a probe line built from it (the \
         message alone, or the lager line that carries it, with no other text a signature \
         could lean on); *ignored* when a rule of `mining/ignore.toml` names its class with a \
         reason. The target is over error-level messages (`error`, `fatal`, `panic`) present \
         at HEAD: **>= {TARGET_PERCENT:.0}% accounted for** in each of the {BUSIEST} busiest \
         components (marked **bold**). *Ever* counts every distinct message the history \
         added. The rule is documented in `analyzer/examples/coverage.rs`.\n"
    );
    let _ = writeln!(
        out,
        "| component | error now | covered | ignored | accounted | target | error ever | accounted ever | warn now (acc.) | error strings now (acc.) | API / classes now (acc.) |"
    );
    let _ = writeln!(
        out,
        "|---|---:|---:|---:|---:|:---:|---:|---:|---:|---:|---:|"
    );
    let mut total = ComponentRow::default();
    for (comp, r) in &rows {
        let busy = busiest.contains(comp);
        let target = if !busy {
            ""
        } else if r.now.percent() >= TARGET_PERCENT {
            "met"
        } else {
            "**below**"
        };
        let name = if busy {
            format!("**{comp}**")
        } else {
            comp.to_string()
        };
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} | {:.0}% | {target} | {} | {:.0}% | {} ({:.0}%) | {} ({:.0}%) | {} ({:.0}%) |",
            r.now.found,
            r.now.covered,
            r.now.ignored,
            r.now.percent(),
            r.ever.found,
            r.ever.percent(),
            r.warn.found,
            r.warn.percent(),
            r.errstr.found,
            r.errstr.percent(),
            r.api.found,
            r.api.percent(),
        );
        for (t, s) in [
            (&mut total.now, r.now),
            (&mut total.ever, r.ever),
            (&mut total.warn, r.warn),
            (&mut total.errstr, r.errstr),
            (&mut total.api, r.api),
        ] {
            t.found += s.found;
            t.covered += s.covered;
            t.ignored += s.ignored;
        }
    }
    let t = &total;
    let _ = writeln!(
        out,
        "| *all* | {} | {} | {} | {:.0}% | | {} | {:.0}% | {} ({:.0}%) | {} ({:.0}%) | {} ({:.0}%) |\n",
        t.now.found,
        t.now.covered,
        t.now.ignored,
        t.now.percent(),
        t.ever.found,
        t.ever.percent(),
        t.warn.found,
        t.warn.percent(),
        t.errstr.found,
        t.errstr.percent(),
        t.api.found,
        t.api.percent(),
    );

    let _ = writeln!(out, "## Ignored classes\n");
    let _ = writeln!(out, "| messages | pattern | components | reason |");
    let _ = writeln!(out, "|---:|---|---|---|");
    for (i, rule) in ignores.iter().enumerate() {
        let comps = if rule.rule.components.is_empty() {
            "all".to_string()
        } else {
            rule.rule.components.join(", ")
        };
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {} |",
            by_rule[i],
            rule.rule.pattern.replace('|', "\\|"),
            comps,
            rule.rule.reason
        );
    }
    let _ = writeln!(
        out,
        "\n## Signatures by mined messages covered (all levels, now and history)\n"
    );
    let _ = writeln!(out, "| signature | messages |");
    let _ = writeln!(out, "|---|---:|");
    let mut sigs: Vec<(&str, usize)> = by_sig.into_iter().collect();
    sigs.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    for (id, n) in sigs {
        let _ = writeln!(out, "| `{id}` | {n} |");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbs_are_filled() {
        assert_eq!(fill_verbs("dial %s: %v (%d tries)"), "dial x: x (1 tries)");
        assert_eq!(fill_verbs("100%% sure"), "100%% sure");
        assert_eq!(fill_verbs("50% done, %-5.2f left"), "50% done, x left");
        assert_eq!(fill_verbs("no job #{job.name} on {}"), "no job x on x");
    }

    fn mined(component: &str, level: &str, message: &str) -> Mined {
        Mined {
            component: component.into(),
            level: level.into(),
            message: message.into(),
            path: "x.go".into(),
            now: true,
        }
    }

    #[test]
    fn a_lager_key_is_probed_in_its_lager_line_and_a_plain_message_alone() {
        let lager = probes(&mined("bbs", "error", "db-fail-task.failed-locking-task"));
        assert!(
            lager[1].contains(r#""source":"bbs","message":"bbs.db-fail-task.failed-locking-task""#)
        );
        let fatal = probes(&mined("nats", "fatal", "Error listening on port: %s, %q"));
        assert_eq!(fatal, vec!["Error listening on port: x, x".to_string()]);
    }

    #[test]
    fn coverage_runs_the_real_matcher_and_ignores_only_what_a_rule_names() {
        let lib = Library::builtin();
        let matcher = Matcher::new(&lib.signatures).unwrap();
        let rule = IgnoreRule {
            pattern: "^failed-parsing-request$".into(),
            components: vec!["bbs".into()],
            levels: vec![],
            paths: None,
            reason: "client validation".into(),
        };
        let ignores = [CompiledIgnore {
            regex: Regex::new(&rule.pattern).unwrap(),
            rule,
            paths: None,
        }];
        let v = |c, l, m| verdict(&matcher, &ignores, &mined(c, l, m));
        assert_eq!(
            v("bbs", "error", "db-fail-task.failed-locking-task"),
            Verdict::Covered("bbs-sql-operation-failed".into())
        );
        assert_eq!(
            v("bbs", "error", "failed-parsing-request"),
            Verdict::Ignored(0)
        );
        assert_eq!(v("rep", "error", "failed-parsing-request"), Verdict::Open);
        // A fatal lager key is covered by the generic exit signature only in a lager component.
        assert!(matches!(
            v("locket", "fatal", "sql-failed-to-connect"),
            Verdict::Covered(_)
        ));
        assert_eq!(v("nats", "fatal", "some-unknown-key"), Verdict::Open);
    }
}
