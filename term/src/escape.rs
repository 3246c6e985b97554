//! Escaping one field of hostile text for a terminal.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` must not reach a terminal raw: C0 controls and DEL (tab aside), C1
/// controls, and the invisible format characters that reorder or hide text (bidi marks,
/// embeddings, overrides and isolates; zero-width characters; line and paragraph
/// separators; the byte order mark).
pub fn is_unsafe(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(
            c,
            '\u{061C}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

/// `s` with every unsafe character ([`is_unsafe`]) shown escaped: C0 controls and DEL in
/// caret notation as `cat -v` shows them (`ESC` is `^[`, `CR` is `^M`, newline `^J`), the
/// rest as `\u{202e}`. Borrowed when nothing needed escaping (the common case).
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        push(&mut out, c);
    }
    Cow::Owned(out)
}

/// Appends `c` to `out`, escaped if unsafe.
pub(crate) fn push(out: &mut String, c: char) {
    if !is_unsafe(c) {
        out.push(c);
        return;
    }
    match c as u32 {
        n @ 0..=0x1F => {
            out.push('^');
            out.push(char::from(b'@' + n as u8));
        }
        0x7F => out.push_str("^?"),
        n => {
            let _ = write!(out, "\\u{{{n:x}}}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed() {
        assert!(matches!(escape("rep.stdout.log: ok\t1"), Cow::Borrowed(_)));
        assert!(matches!(escape("café ✓ 日本"), Cow::Borrowed(_)));
    }

    #[test]
    fn hostile_text_is_shown_not_obeyed() {
        // Illustrative hostile lines: each would act on a terminal if printed raw.
        let cases = [
            ("\x1b[2J\x1b[Hok", "^[[2J^[[Hok"), // clear screen, cursor home
            ("\x1b]0;pwned\x07title", "^[]0;pwned^Gtitle"), // OSC: set window title
            ("ERROR\rINFO all good", "ERROR^MINFO all good"), // carriage return
            ("fail\x08\x08\x08\x08pass", "fail^H^H^H^Hpass"), // backspaces
            ("a\u{9b}31mred", "a\\u{9b}31mred"), // C1 CSI
            ("a\u{9d}0;t\u{9c}", "a\\u{9d}0;t\\u{9c}"), // C1 OSC .. ST
            ("key\u{202e}gnp.exe", "key\\u{202e}gnp.exe"), // right-to-left override
            ("x\u{2066}y\u{2069}", "x\\u{2066}y\\u{2069}"), // isolates
            ("name\nfake: line", "name^Jfake: line"), // newline in a file name
            ("del\x7f", "del^?"),
            ("nul\0", "nul^@"),
            ("zw\u{200b}sp", "zw\\u{200b}sp"),
        ];
        for (input, want) in cases {
            let got = escape(input);
            assert_eq!(got, want, "{input:?}");
            assert!(!got.chars().any(is_unsafe), "{got:?}");
        }
    }
}
