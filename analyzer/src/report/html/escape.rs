//! The one HTML escaper. Every string that comes from an input (VM names, paths, excerpts,
//! captures, certificate subjects, problems...) reaches the page through [`esc`], and
//! nothing else builds markup from input.
//!
//! The result is safe in HTML text, in double-quoted attribute values (the only kind of
//! attribute the renderer writes) and in inline SVG text such as `<title>`: the five
//! characters that can end a context (`& < > " '`) become character references. Control
//! characters (except tab and newline) and the Unicode bidirectional overrides, which can
//! make a log line display differently from what it says ("Trojan Source"), become U+FFFD.
//!
//! Not for: URLs, `<script>` or `<style>` content. The renderer never puts input there.

use std::fmt;

/// `s`, escaped when displayed: `format!("<td>{}</td>", esc(path))`.
pub fn esc(s: &str) -> Esc<'_> {
    Esc(s)
}

/// See [`esc`].
pub struct Esc<'a>(&'a str);

impl fmt::Display for Esc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0;
        let mut done = 0;
        for (i, c) in s.char_indices() {
            let with = match c {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                '\n' | '\t' => continue,
                c if c.is_control() || is_bidi_control(c) => "\u{FFFD}",
                _ => continue,
            };
            f.write_str(&s[done..i])?;
            f.write_str(with)?;
            done = i + c.len_utf8();
        }
        f.write_str(&s[done..])
    }
}

/// Embeddings, overrides and isolates (U+202A..U+202E, U+2066..U+2069).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// At most `max` characters of `s` on one line, with `…` when cut. Cut *before* escaping,
/// never after (a cut could split a character reference).
pub fn clip(s: &str, max: usize) -> String {
    let one = s.replace(['\n', '\r'], " ");
    if one.chars().count() <= max {
        one
    } else {
        let mut c: String = one.chars().take(max.saturating_sub(1)).collect();
        c.push('…');
        c
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(s: &str) -> String {
        esc(s).to_string()
    }

    #[test]
    fn script_and_tags_become_text() {
        assert_eq!(
            e("<script>window.__pwned=1;document.title='PWNED'</script>"),
            "&lt;script&gt;window.__pwned=1;document.title=&#39;PWNED&#39;&lt;/script&gt;"
        );
        assert_eq!(e("</pre><b>x</b>"), "&lt;/pre&gt;&lt;b&gt;x&lt;/b&gt;");
    }

    #[test]
    fn attribute_breakouts_are_closed_for_both_quotes() {
        let s = e(r#""><img src=x onerror=alert(1)>"#);
        assert_eq!(s, "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
        let s = e("' onmouseover='alert(1)");
        assert_eq!(s, "&#39; onmouseover=&#39;alert(1)");
        for hostile in [r#"a" b="c"#, "a' b='c", "x>y<z", "&quot;"] {
            let out = e(hostile);
            assert!(!out.contains(['"', '\'', '<', '>']), "{out}");
        }
    }

    #[test]
    fn existing_references_are_escaped_again_not_trusted() {
        assert_eq!(e("&lt;script&gt;"), "&amp;lt;script&amp;gt;");
        assert_eq!(
            e("&#x3c;svg onload=1&#62;"),
            "&amp;#x3c;svg onload=1&amp;#62;"
        );
    }

    #[test]
    fn svg_title_cannot_be_closed_from_inside() {
        let s = e("</title></svg><svg onload=alert(1)>");
        assert!(!s.contains('<'));
        assert_eq!(s, "&lt;/title&gt;&lt;/svg&gt;&lt;svg onload=alert(1)&gt;");
    }

    #[test]
    fn controls_and_bidi_overrides_are_neutralized() {
        assert_eq!(
            e("a\u{0}b\u{1b}[31mc\rd"),
            "a\u{FFFD}b\u{FFFD}[31mc\u{FFFD}d"
        );
        assert_eq!(e("evil\u{202E}gol.exe"), "evil\u{FFFD}gol.exe");
        assert_eq!(e("line1\nline2\tx"), "line1\nline2\tx");
        assert_eq!(e("\u{2066}x\u{2069}"), "\u{FFFD}x\u{FFFD}");
    }

    #[test]
    fn plain_and_non_ascii_text_is_unchanged() {
        let s = "diego_cell/3f2a-ü-日本 var/vcap/sys/log/rep/rep.stdout.log:12";
        assert_eq!(e(s), s);
        assert_eq!(e(""), "");
    }

    #[test]
    fn clip_cuts_characters_not_references() {
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("abc", 4), "abc");
        assert_eq!(clip("a\nb", 10), "a b");
        // Cut first, escape after: the result never holds half an entity.
        assert_eq!(e(&clip("<<<<<<", 3)), "&lt;&lt;…");
    }
}
