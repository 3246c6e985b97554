//! What a byte stream is: the one place it is decided, for every stream every command meets
//! (a file named on the command line, stdin, a file in a directory, a tar entry, a file
//! `redact` copies). Told from magic bytes, never from a name: a tar archive (plain or
//! gzip-compressed), gzip-compressed data (a rotated `.gz` log, delivered decompressed),
//! a compression or archive format that is not read (zip, xz, zstd...), binary data, or
//! text.
//!
//! The stream is peeked, never seeked (stdin, pipes and tar entries cannot seek): the bytes
//! looked at are handed over again as the stream's start. Gzip data is looked into: its
//! decompressed start decides between a compressed tar and a compressed file.
//!
//! Adding an input format: a new [`Kind`] here (magic bytes in `sniff`) and the one file
//! that reads it; the readers dispatch on [`Kind`].

use super::gzip::{gunzip, Counter};
use super::readahead::{self, Decompress};
use super::sniff::{self, peek, Magic, Peeked, PEEK};
use std::io::{self, Read};

/// Bytes of a stream's (decompressed) start looked at to tell binary data from text: a NUL
/// byte there makes it binary. The collector uses the same rule.
pub(crate) const BINARY_SNIFF: usize = 8 << 10;

/// What a stream is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A tar archive: read entry by entry (by the tar walker).
    Tar,
    /// Text (an empty stream too): read line by line.
    Text,
    /// Data with a NUL byte near its start: no log, and maybe key material.
    Binary,
    /// An archive or compression format that is not read, by name (`zip`, `xz`...).
    Unsupported(&'static str),
}

/// A stream, classified, from its first byte again.
pub(crate) struct Stream<'r> {
    kind: Kind,
    gzip: Option<Counter>,
    data: Peeked<Box<dyn Read + 'r>>,
}

/// Classifies `raw`, decompressing gzip data as it is read.
pub(crate) fn classify<'r>(raw: impl Read + 'r) -> Stream<'r> {
    let head = peek(raw, PEEK);
    match head.magic() {
        Magic::Gzip => {
            let (decoder, counter) = gunzip(head);
            gzip(Box::new(decoder), counter)
        }
        _ => plain(head),
    }
}

/// Classifies a stream the reader owns (an input file, stdin). [`Decompress::Ahead`]: a tar
/// stream or gzip data is read (and decompressed) ahead on its own thread, so that
/// decompression overlaps matching; [`Decompress::Inline`]: as [`classify`].
pub(crate) fn classify_owned<R: Read + Send + 'static>(
    raw: R,
    how: Decompress,
) -> io::Result<Stream<'static>> {
    if how == Decompress::Inline {
        return Ok(classify(raw));
    }
    let head = peek(raw, PEEK);
    Ok(match head.magic() {
        Magic::Gzip => {
            let (decoder, counter) = gunzip(head);
            gzip(Box::new(readahead::spawn(decoder)?), counter)
        }
        Magic::Tar => plain(readahead::spawn(head)?),
        _ => plain(head),
    })
}

fn gzip<'r>(decoder: Box<dyn Read + 'r>, counter: Counter) -> Stream<'r> {
    let data = peek(decoder, BINARY_SNIFF);
    let kind = if sniff::is_tar_header(data.prefix()) {
        Kind::Tar
    } else {
        data_kind(data.prefix())
    };
    Stream {
        kind,
        gzip: Some(counter),
        data,
    }
}

/// A stream that is not gzip, told by its first bytes.
fn plain<'r>(raw: impl Read + 'r) -> Stream<'r> {
    let data = peek(Box::new(raw) as Box<dyn Read + 'r>, BINARY_SNIFF);
    let kind = match sniff::magic(data.prefix()) {
        Magic::Tar => Kind::Tar,
        _ => match sniff::unsupported_format(data.prefix()) {
            Some(format) => Kind::Unsupported(format),
            None => data_kind(data.prefix()),
        },
    };
    Stream {
        kind,
        gzip: None,
        data,
    }
}

fn data_kind(prefix: &[u8]) -> Kind {
    if prefix.contains(&0) {
        Kind::Binary
    } else {
        Kind::Text
    }
}

impl<'r> Stream<'r> {
    pub(crate) fn kind(&self) -> Kind {
        self.kind
    }

    /// A tar stream, to walk.
    pub(crate) fn is_archive(&self) -> bool {
        self.kind == Kind::Tar
    }

    /// Compressed bytes consumed so far, when the stream is gzip data.
    pub(crate) fn gzip(&self) -> Option<&Counter> {
        self.gzip.as_ref()
    }

    /// The stream's first (decompressed) bytes, as far as they were looked at.
    pub(crate) fn prefix(&self) -> &[u8] {
        self.data.prefix()
    }

    /// The error that stopped looking at the start (corrupt gzip data, a read error), if one
    /// did: it is returned again when the data is read.
    pub(crate) fn error(&self) -> Option<&str> {
        self.data.error()
    }

    /// The (decompressed) data, from its first byte.
    pub(crate) fn reader(&mut self) -> &mut (dyn Read + 'r) {
        &mut self.data
    }
}

impl Read for Stream<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        self.data.read(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::GzEncoder;
    use flate2::Compression;
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn tar_of(name: &str, body: &[u8]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_size(body.len() as u64);
        h.set_cksum();
        b.append_data(&mut h, name, body).unwrap();
        b.into_inner().unwrap()
    }

    fn kind_of(bytes: &[u8]) -> (Kind, bool) {
        let s = classify(bytes);
        (s.kind(), s.gzip().is_some())
    }

    #[test]
    fn every_kind_from_its_bytes_and_the_bytes_come_back_whole() {
        let tar = tar_of("a.log", b"hello\n");
        assert_eq!(kind_of(&tar), (Kind::Tar, false));
        assert_eq!(kind_of(&gz(&tar)), (Kind::Tar, true));
        assert_eq!(kind_of(&gz(b"2024 log line\n")), (Kind::Text, true));
        assert_eq!(kind_of(b"2024 log line\n"), (Kind::Text, false));
        assert_eq!(kind_of(b""), (Kind::Text, false));
        assert_eq!(kind_of(b"\x30\x82\x01\x00\x00key"), (Kind::Binary, false));
        assert_eq!(kind_of(&gz(b"\x00\x01core")), (Kind::Binary, true));
        assert_eq!(
            kind_of(b"PK\x03\x04rest"),
            (Kind::Unsupported("zip"), false)
        );

        let text = "x".repeat(3 * BINARY_SNIFF) + "\n";
        for input in [text.as_bytes().to_vec(), gz(text.as_bytes())] {
            let mut s = classify(&input[..]);
            let mut all = String::new();
            s.read_to_string(&mut all).unwrap();
            assert_eq!(all, text, "peeked bytes are handed over again");
        }
    }

    #[test]
    fn owned_streams_say_the_same_read_ahead_or_inline() {
        let tar = tar_of("a.log", b"hello\n");
        let line = b"line\n".to_vec();
        // (stream, what it is, gzip, what reading it yields)
        for (bytes, kind, gzip, plain) in [
            (tar.clone(), Kind::Tar, false, &tar),
            (gz(&tar), Kind::Tar, true, &tar),
            (gz(&line), Kind::Text, true, &line),
            (line.clone(), Kind::Text, false, &line),
        ] {
            for how in [Decompress::Ahead, Decompress::Inline] {
                let mut s = classify_owned(io::Cursor::new(bytes.clone()), how).unwrap();
                assert_eq!((s.kind(), s.gzip().is_some()), (kind, gzip), "{how:?}");
                let mut all = Vec::new();
                s.read_to_end(&mut all).unwrap();
                assert_eq!(&all, plain, "{how:?}");
            }
        }
    }

    #[test]
    fn corrupt_gzip_says_why() {
        let mut bad = gz(b"some text that is long enough to be compressed\n");
        let n = bad.len();
        bad.truncate(n / 2);
        let s = classify(&bad[..]);
        assert!(s.error().is_some());
        assert!(s.gzip().is_some());
    }
}
