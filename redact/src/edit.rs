//! Replacement spans found by the rules, and how they are applied to one line.
//!
//! Rules only report `start..end` + kind; overlapping spans (a `private_key` value that is
//! also a PEM body, an `access_token` value that is also a JWT) are merged into one, so
//! the union of what every rule found is always removed.

use super::kind::SecretKind;

/// Replace `line[start..end]` by `[REDACTED kind]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Edit {
    pub start: usize,
    pub end: usize,
    pub kind: SecretKind,
}

/// Sorts the edits and merges overlapping ones in place (the first one's kind wins).
pub(crate) fn normalize(edits: &mut Vec<Edit>) {
    edits.retain(|e| e.end > e.start);
    if edits.len() < 2 {
        return;
    }
    edits.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut merged: Vec<Edit> = Vec::with_capacity(edits.len());
    for e in edits.drain(..) {
        match merged.last_mut() {
            Some(last) if e.start < last.end => last.end = last.end.max(e.end),
            _ => merged.push(e),
        }
    }
    *edits = merged;
}

/// Appends `line` to `out` with every (normalized) edit applied.
pub(crate) fn apply(line: &[u8], edits: &[Edit], out: &mut Vec<u8>) {
    let mut pos = 0;
    for e in edits {
        out.extend_from_slice(&line[pos..e.start]);
        out.extend_from_slice(super::kind::MARKER_PREFIX.as_bytes());
        out.extend_from_slice(e.kind.as_str().as_bytes());
        out.push(b']');
        pos = e.end;
    }
    out.extend_from_slice(&line[pos..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(start: usize, end: usize, kind: SecretKind) -> Edit {
        Edit { start, end, kind }
    }

    #[test]
    fn overlapping_edits_merge_into_their_union() {
        let mut v = vec![
            e(5, 9, SecretKind::Jwt),
            e(2, 6, SecretKind::Token),
            e(12, 14, SecretKind::Password),
        ];
        normalize(&mut v);
        assert_eq!(
            v,
            vec![e(2, 9, SecretKind::Token), e(12, 14, SecretKind::Password)]
        );
        let mut out = Vec::new();
        apply(b"0123456789abcdef", &v, &mut out);
        assert_eq!(out, b"01[REDACTED token]9ab[REDACTED password]ef");
    }

    #[test]
    fn empty_edits_are_dropped() {
        let mut v = vec![e(3, 3, SecretKind::Password)];
        normalize(&mut v);
        assert!(v.is_empty());
    }
}
