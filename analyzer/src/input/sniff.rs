//! Magic bytes: what a stream is (gzip, tar, anything else) from its first bytes, and a
//! reader that peeks those bytes without seeking (stdin, pipes, tar entries) and then
//! returns them again.

use std::io::{self, ErrorKind, Read};

/// Bytes peeked to tell a stream's format: one tar header block.
pub(crate) const PEEK: usize = 512;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// What a stream's first bytes say it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Magic {
    Empty,
    Gzip,
    Tar,
    Other,
}

/// Tells the format from a stream's first bytes (up to [`PEEK`] of them).
pub(crate) fn magic(prefix: &[u8]) -> Magic {
    if prefix.is_empty() {
        Magic::Empty
    } else if prefix.starts_with(&GZIP_MAGIC) {
        Magic::Gzip
    } else if is_tar_header(prefix) {
        Magic::Tar
    } else {
        Magic::Other
    }
}

/// Whether `block` starts with a tar header: a full 512-byte block whose checksum matches,
/// ustar or old (v7) format alike. Text logs never pass the checksum.
pub(crate) fn is_tar_header(block: &[u8]) -> bool {
    if block.len() < PEEK || block[..PEEK].iter().all(|b| *b == 0) {
        return false;
    }
    let field = &block[148..156];
    let digits: Vec<u8> = field
        .iter()
        .copied()
        .skip_while(|b| *b == b' ')
        .take_while(|b| (b'0'..=b'7').contains(b))
        .collect();
    if digits.is_empty() {
        return false;
    }
    let Some(stored) = std::str::from_utf8(&digits)
        .ok()
        .and_then(|s| u32::from_str_radix(s, 8).ok())
    else {
        return false;
    };
    let sum: u32 = block[..148]
        .iter()
        .chain(&block[156..PEEK])
        .map(|b| u32::from(*b))
        .sum::<u32>()
        + 8 * 32;
    sum == stored
}

/// Names the archive or compression formats this reader does not read, from their magic bytes,
/// so that such a file is reported as what it is rather than read as a log.
pub(crate) fn unsupported_format(prefix: &[u8]) -> Option<&'static str> {
    const KNOWN: [(&[u8], &str); 6] = [
        (b"PK\x03\x04", "zip"),
        (b"BZh", "bzip2"),
        (b"\xfd7zXZ\x00", "xz"),
        (b"\x28\xb5\x2f\xfd", "zstd"),
        (b"7z\xbc\xaf\x27\x1c", "7-Zip"),
        (b"\x04\x22\x4d\x18", "lz4"),
    ];
    KNOWN
        .iter()
        .find(|(magic, _)| prefix.starts_with(magic))
        .map(|(_, name)| *name)
}

/// Shows a stream's first bytes in messages: printable ASCII as is, the rest as `\xNN`.
pub(crate) fn describe_prefix(prefix: &[u8]) -> String {
    let mut out = String::new();
    for b in prefix.iter().take(16) {
        if b.is_ascii_graphic() || *b == b' ' {
            out.push(char::from(*b));
        } else {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

/// A reader that has read its first bytes ahead (to tell the format) and returns them first.
/// An error met while peeking is returned once the peeked bytes are consumed, and again on
/// every later read.
pub(crate) struct Peeked<R> {
    prefix: Vec<u8>,
    pos: usize,
    error: Option<(ErrorKind, String)>,
    inner: R,
}

/// Reads up to `n` bytes of `inner` ahead.
pub(crate) fn peek<R: Read>(mut inner: R, n: usize) -> Peeked<R> {
    let mut prefix = vec![0; n];
    let mut filled = 0;
    let mut error = None;
    while filled < n {
        match inner.read(&mut prefix[filled..]) {
            Ok(0) => break,
            Ok(k) => filled += k,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => {
                error = Some((e.kind(), e.to_string()));
                break;
            }
        }
    }
    prefix.truncate(filled);
    Peeked {
        prefix,
        pos: 0,
        error,
        inner,
    }
}

impl<R> Peeked<R> {
    /// The bytes read ahead (fewer than asked at the end of the stream or at an error).
    pub(crate) fn prefix(&self) -> &[u8] {
        &self.prefix
    }

    /// What the peeked bytes say the stream is.
    pub(crate) fn magic(&self) -> Magic {
        magic(&self.prefix)
    }

    /// The error that stopped the peek early, if one did.
    pub(crate) fn error(&self) -> Option<&str> {
        self.error.as_ref().map(|(_, message)| message.as_str())
    }
}

impl<R: Read> Read for Peeked<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.pos < self.prefix.len() {
            let n = out.len().min(self.prefix.len() - self.pos);
            out[..n].copy_from_slice(&self.prefix[self.pos..self.pos + n]);
            self.pos += n;
            return Ok(n);
        }
        if let Some((kind, message)) = &self.error {
            return Err(io::Error::new(*kind, message.clone()));
        }
        self.inner.read(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tar_block(name: &str) -> Vec<u8> {
        let mut header = tar::Header::new_gnu();
        header.set_path(name).unwrap();
        header.set_size(0);
        header.set_cksum();
        header.as_bytes().to_vec()
    }

    #[test]
    fn tells_formats_apart() {
        assert_eq!(magic(b""), Magic::Empty);
        assert_eq!(magic(&[0x1f, 0x8b, 8, 0]), Magic::Gzip);
        assert_eq!(magic(&tar_block("a/b.log")), Magic::Tar);
        assert_eq!(magic(b"2024-01-01 hello"), Magic::Other);
        assert_eq!(magic(&[b'x'; 512]), Magic::Other);
        assert_eq!(magic(&[0; 512]), Magic::Other);
        let mut broken = tar_block("a");
        broken[0] = b'b';
        assert_eq!(magic(&broken), Magic::Other);
    }

    #[test]
    fn peeked_bytes_come_back_then_the_rest() {
        let mut p = peek(&b"hello world"[..], 5);
        assert_eq!(p.prefix(), b"hello");
        let mut all = String::new();
        p.read_to_string(&mut all).unwrap();
        assert_eq!(all, "hello world");
    }

    #[test]
    fn peek_error_comes_after_the_prefix() {
        struct Failing(bool);
        impl Read for Failing {
            fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
                if self.0 {
                    return Err(io::Error::other("boom"));
                }
                self.0 = true;
                out[..2].copy_from_slice(b"ab");
                Ok(2)
            }
        }
        let mut p = peek(Failing(false), 10);
        assert_eq!(p.prefix(), b"ab");
        let mut buf = [0; 10];
        assert_eq!(p.read(&mut buf).unwrap(), 2);
        assert!(p.read(&mut buf).is_err());
        assert!(p.read(&mut buf).is_err());
    }

    #[test]
    fn describes_binary_prefixes() {
        assert_eq!(describe_prefix(b"PK\x03\x04"), "PK\\x03\\x04");
        assert_eq!(unsupported_format(b"\x28\xb5\x2f\xfd\x00"), Some("zstd"));
        assert_eq!(unsupported_format(b"hello"), None);
    }
}
