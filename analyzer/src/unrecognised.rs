//! Unrecognised errors: error- and fatal-level lines that no signature explains, clustered
//! into templates so a user sees what the library does not know yet ("nothing goes silent").
//!
//! The clustering is Drain's idea (He et al., "Drain: An Online Log Parsing Approach with
//! Fixed Depth Tree", ICWS 2017) in its simplest useful form, small enough to read in one
//! sitting rather than a dependency:
//! 1. **Mask** the variable parts of a message: numbers, hex ids and digests, UUIDs, IP
//!    addresses and ports, durations, quoted values, paths with digits become `<*>`.
//! 2. **Bucket** by token count and first token (Drain's fixed-depth tree, depth 2).
//! 3. **Merge** into the most similar template of the bucket when at least
//!    [`SIMILARITY`] of the tokens are equal position by position; the positions that
//!    differ become `<*>`. Otherwise the message starts a new template.
//!
//! What it is not: a parser of envelopes (the caller hands over the message text of a line
//! it already judged error- or fatal-level) nor a judge of what matters (every template is
//! shown, ranked by VMs then count).
//!
//! Memory is bounded: at most [`MAX_TEMPLATES`] templates per miner (further new shapes are
//! counted in [`Miner::dropped`]), examples capped at [`MAX_EXAMPLE`] bytes, tokens per
//! template capped at [`MAX_TOKENS`].

use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

/// Share of equal tokens for a message to join a template (Drain3's default is 0.4; a
/// little stricter here, since CF messages share long prefixes).
pub const SIMILARITY: f64 = 0.5;
/// Templates kept per miner.
pub const MAX_TEMPLATES: usize = 2000;
/// Bytes kept of a template's example line.
pub const MAX_EXAMPLE: usize = 400;
/// Tokens looked at per message; the rest is one `<*>`.
pub const MAX_TOKENS: usize = 48;
/// The wildcard a variable part becomes.
pub const WILD: &str = "<*>";

/// Severity of the lines a template was made from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Fatal,
}

impl Level {
    /// The name the JSON report uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Fatal => "fatal",
        }
    }
}

/// One template of unrecognised errors, as the report shows it (JSON `unrecognised[]`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Unrecognised {
    /// The message with its variable parts as `<*>`.
    pub template: String,
    /// The highest level of the lines it was made from.
    pub level: Level,
    /// Lines clustered into it, over every VM.
    pub count: u64,
    /// VMs where it was seen.
    pub vms: Vec<String>,
    /// The first line seen (capped), to read it in context.
    pub example: String,
    /// Where the example was seen (`<vm> <path>`).
    pub example_at: String,
}

struct Cluster {
    tokens: Vec<String>,
    level: Level,
    count: u64,
    vms: BTreeSet<String>,
    example: String,
    example_at: String,
}

/// An online template miner: feed it messages, read templates at the end. One per VM (or
/// per thread) and [`Miner::merge`]d, so reading stays parallel.
#[derive(Default)]
pub struct Miner {
    clusters: Vec<Cluster>,
    buckets: HashMap<(usize, String), Vec<usize>>,
    /// Lines whose shape was new when the miner was full: counted, not clustered.
    pub dropped: u64,
}

impl Miner {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one error- or fatal-level line's message, seen on `vm` at `at` (`<vm> <path>`);
    /// `example` is the line as read (the message may be a part of it).
    pub fn add(&mut self, vm: &str, at: &str, level: Level, message: &str, example: &str) {
        let tokens = mask(message);
        if tokens.is_empty() {
            return;
        }
        self.add_tokens(tokens, level, 1, [vm.to_string()].into(), example, at);
    }

    fn add_tokens(
        &mut self,
        tokens: Vec<String>,
        level: Level,
        count: u64,
        vms: BTreeSet<String>,
        example: &str,
        at: &str,
    ) {
        let key = (tokens.len(), tokens[0].clone());
        let bucket = self.buckets.entry(key).or_default();
        let best = bucket
            .iter()
            .map(|&i| (i, similarity(&self.clusters[i].tokens, &tokens)))
            .filter(|&(_, s)| s >= SIMILARITY)
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        match best {
            Some((i, _)) => {
                let c = &mut self.clusters[i];
                for (t, n) in c.tokens.iter_mut().zip(&tokens) {
                    if t != n {
                        *t = WILD.to_string();
                    }
                }
                c.level = c.level.max(level);
                c.count += count;
                c.vms.extend(vms);
            }
            None if self.clusters.len() >= MAX_TEMPLATES => self.dropped += count,
            None => {
                bucket.push(self.clusters.len());
                self.clusters.push(Cluster {
                    tokens,
                    level,
                    count,
                    vms,
                    example: cap(example, MAX_EXAMPLE),
                    example_at: cap(at, MAX_EXAMPLE),
                });
            }
        }
    }

    /// Adds every template of `other` (another VM's or thread's miner) to this one.
    pub fn merge(&mut self, other: Miner) {
        self.dropped += other.dropped;
        for c in other.clusters {
            self.add_tokens(c.tokens, c.level, c.count, c.vms, &c.example, &c.example_at);
        }
    }

    /// Adds a template another miner finished (a per-VM result read back).
    pub fn absorb(&mut self, u: Unrecognised) {
        let tokens: Vec<String> = u.template.split(' ').map(str::to_string).collect();
        if tokens.is_empty() || tokens[0].is_empty() {
            return;
        }
        let vms = u.vms.into_iter().collect();
        self.add_tokens(tokens, u.level, u.count, vms, &u.example, &u.example_at);
    }

    /// The templates, most VMs first, then most lines, then by template.
    pub fn finish(self) -> Vec<Unrecognised> {
        let mut out: Vec<Unrecognised> = self
            .clusters
            .into_iter()
            .map(|c| Unrecognised {
                template: c.tokens.join(" "),
                level: c.level,
                count: c.count,
                vms: c.vms.into_iter().collect(),
                example: c.example,
                example_at: c.example_at,
            })
            .collect();
        out.sort_by(|a, b| {
            b.vms
                .len()
                .cmp(&a.vms.len())
                .then(b.count.cmp(&a.count))
                .then(b.level.cmp(&a.level))
                .then(a.template.cmp(&b.template))
        });
        out
    }
}

/// Share of positions where both token lists hold the same token (a wildcard in the
/// template matches anything but counts for less, as in Drain).
fn similarity(template: &[String], tokens: &[String]) -> f64 {
    if template.len() != tokens.len() || template.is_empty() {
        return 0.0;
    }
    let same: f64 = template
        .iter()
        .zip(tokens)
        .map(|(t, n)| {
            if t == n {
                1.0
            } else if t == WILD {
                0.5
            } else {
                0.0
            }
        })
        .sum();
    same / template.len() as f64
}

/// Splits a message into tokens with its variable parts masked.
pub fn mask(message: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, raw) in message.split_whitespace().enumerate() {
        if i == MAX_TOKENS {
            out.push(WILD.to_string());
            break;
        }
        out.push(if is_variable(raw) {
            WILD.to_string()
        } else {
            raw.to_string()
        });
    }
    out
}

/// Whether a token is a variable part: anything with a digit (counts, ids, addresses,
/// durations, versions, timestamps, paths with indexes), long hex or base64-ish runs, and
/// quoted values.
fn is_variable(token: &str) -> bool {
    let t =
        token.trim_matches(|c: char| matches!(c, ',' | ';' | '.' | ':' | ')' | '(' | '[' | ']'));
    if t.is_empty() {
        return false;
    }
    if t.bytes().any(|b| b.is_ascii_digit()) {
        return true;
    }
    let quoted = t.len() > 1
        && ((t.starts_with('"') && t.ends_with('"')) || (t.starts_with('\'') && t.ends_with('\'')));
    let random_run = t.len() >= 16
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && t.bytes().any(|b| b.is_ascii_uppercase())
        && t.bytes().any(|b| b.is_ascii_lowercase());
    quoted || random_run
}

fn cap(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn add(m: &mut Miner, vm: &str, msg: &str) {
        m.add(vm, &format!("{vm} x.log"), Level::Error, msg, msg);
    }

    #[test]
    fn variable_parts_are_masked_and_similar_lines_share_a_template() {
        // Illustrative messages in the shape of bbs errors (not copied from a log).
        let mut m = Miner::new();
        add(
            &mut m,
            "a/0",
            "failed-to-fetch-desired-lrp guid 3f2a01 took 120ms",
        );
        add(
            &mut m,
            "b/0",
            "failed-to-fetch-desired-lrp guid 77aa91 took 7ms",
        );
        add(
            &mut m,
            "a/0",
            "connection reset by peer on upstream diego-api",
        );
        let t = m.finish();
        assert_eq!(t.len(), 2, "{t:?}");
        assert_eq!(
            t[0].template,
            "failed-to-fetch-desired-lrp guid <*> took <*>"
        );
        assert_eq!(t[0].count, 2);
        assert_eq!(t[0].vms, ["a/0", "b/0"], "ranked first: seen on two VMs");
        assert_eq!(
            t[1].template,
            "connection reset by peer on upstream diego-api"
        );
    }

    #[test]
    fn differing_words_in_one_position_become_a_wildcard() {
        let mut m = Miner::new();
        add(&mut m, "a/0", "cannot reach database host primary now");
        add(&mut m, "a/0", "cannot reach database host replica now");
        let t = m.finish();
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].template, "cannot reach database host <*> now");
    }

    #[test]
    fn dissimilar_messages_of_the_same_length_stay_apart() {
        let mut m = Miner::new();
        add(&mut m, "a/0", "alpha beta gamma delta");
        add(&mut m, "a/0", "alpha zeta eta theta");
        assert_eq!(m.finish().len(), 2);
    }

    #[test]
    fn miners_merge_across_vms_into_the_same_templates() {
        let mut a = Miner::new();
        add(&mut a, "a/0", "lock lost after 15s");
        let mut b = Miner::new();
        add(&mut b, "b/0", "lock lost after 30s");
        add(&mut b, "b/0", "unrelated failure happened");
        a.merge(b);
        let t = a.finish();
        assert_eq!(t[0].template, "lock lost after <*>");
        assert_eq!((t[0].count, t[0].vms.len()), (2, 2));
        assert_eq!(t.len(), 2);
    }

    #[test]
    fn the_miner_is_bounded() {
        let mut m = Miner::new();
        for i in 0..MAX_TEMPLATES + 10 {
            // Every message a new shape: distinct words, no digits to mask.
            let word: String = format!("{i:x}")
                .chars()
                .map(|c| (b'g' + c.to_digit(16).unwrap() as u8) as char)
                .collect();
            add(&mut m, "a/0", &format!("{word} only"));
        }
        assert_eq!(m.dropped, 10);
        assert_eq!(m.finish().len(), MAX_TEMPLATES);
    }

    #[test]
    fn long_lines_and_examples_are_capped() {
        let mut m = Miner::new();
        let long = "word ".repeat(10_000);
        add(&mut m, "a/0", &long);
        let t = m.finish();
        assert_eq!(t[0].template.split(' ').count(), MAX_TOKENS + 1);
        assert!(t[0].example.len() <= MAX_EXAMPLE + 3);
    }
}
