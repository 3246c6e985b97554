//! Writing the `.tgz`: the tar stream is cut into chunks, each compressed as its own gzip
//! member (so chunks, even of one large file, are compressed in parallel, and the manifest,
//! known only at the end, can still come first); the final file is assembled as
//! `[manifest member][body members...][end-of-archive member]`.
//! Concatenated gzip members are one valid gzip stream for every reader (`gzip -dc`,
//! `tar xzf`, flate2's `MultiGzDecoder`, Go's and Python's gzip).

use flate2::write::GzEncoder;
use flate2::Compression;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;
use tempfile::SpooledTempFile;

/// Compression level of every member (zlib's default trade-off).
pub const LEVEL: u32 = 6;

/// One compressed gzip member holding one tar entry (header, data, padding), no
/// end-of-archive marker.
pub struct Member {
    pub data: SpooledTempFile,
    pub len: u64,
}

/// Writes that can be switched off: lets `tar::Builder` finish without its end-of-archive
/// blocks, which only the last member may carry.
struct Gate<W> {
    inner: W,
    open: bool,
}

impl<W: Write> Write for Gate<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.open {
            self.inner.write(buf)
        } else {
            Ok(buf.len())
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Compresses one tar entry `path` of exactly `size` bytes read from `data` into a member
/// spooled in `spool_dir`.
pub fn member(
    path: &str,
    mtime: i64,
    size: u64,
    data: &mut dyn Read,
    spool_dir: &Path,
) -> io::Result<Member> {
    let gz = GzEncoder::new(bundle::spool::new_spool(spool_dir), Compression::new(LEVEL));
    let mut builder = tar::Builder::new(Gate {
        inner: gz,
        open: true,
    });
    let mut header = file_header(size, mtime);
    let mut exact = ExactReader {
        inner: data,
        left: size,
    };
    builder.append_data(&mut header, path, &mut exact)?;
    builder.get_mut().open = false;
    let gate = builder.into_inner()?;
    let mut spool = gate.inner.finish()?;
    let len = spool.seek(SeekFrom::End(0))?;
    spool.seek(SeekFrom::Start(0))?;
    Ok(Member { data: spool, len })
}

/// The last member: tar's end-of-archive (two zero blocks).
pub fn end_of_archive() -> io::Result<Vec<u8>> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::new(LEVEL));
    gz.write_all(&[0u8; 1024])?;
    gz.finish()
}

/// Reads exactly `left` bytes: pads with zeros if the source is short, so the tar header's
/// size always holds (the spool's size is known, this is a guard, not a path taken).
struct ExactReader<'a> {
    inner: &'a mut dyn Read,
    left: u64,
}

impl Read for ExactReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.left == 0 {
            return Ok(0);
        }
        let want = buf.len().min(self.left as usize);
        let n = self.inner.read(&mut buf[..want])?;
        let n = if n == 0 {
            buf[..want].fill(0);
            want
        } else {
            n
        };
        self.left -= n as u64;
        Ok(n)
    }
}

/// The header of a regular file entry: root-owned, mode 0644 (the bundle itself is 0600).
fn file_header(size: u64, mtime: i64) -> tar::Header {
    let mut header = tar::Header::new_gnu();
    header.set_size(size);
    header.set_mode(0o644);
    header.set_mtime(mtime.max(0) as u64);
    header.set_uid(0);
    header.set_gid(0);
    header.set_entry_type(tar::EntryType::Regular);
    header
}

/// Bytes of tar stream per chunk compressed on its own.
pub const CHUNK: usize = 4 << 20;

/// Serializes one tar entry `path` of exactly `size` bytes read from `data`, handing the
/// raw tar bytes (header, data, padding; no end-of-archive) to `emit` in chunks of
/// [`CHUNK`] bytes (the last may be shorter). Returns the number of chunks.
pub fn entry_chunks(
    path: &str,
    mtime: i64,
    size: u64,
    data: &mut dyn Read,
    emit: &mut dyn FnMut(Vec<u8>),
) -> io::Result<u32> {
    let chunker = Chunker {
        buf: Vec::with_capacity(CHUNK),
        emit,
        count: 0,
    };
    let mut builder = tar::Builder::new(Gate {
        inner: chunker,
        open: true,
    });
    let mut header = file_header(size, mtime);
    let mut exact = ExactReader {
        inner: data,
        left: size,
    };
    builder.append_data(&mut header, path, &mut exact)?;
    builder.get_mut().open = false;
    let mut chunker = builder.into_inner()?.inner;
    chunker.flush_chunk();
    Ok(chunker.count)
}

/// Compresses one chunk of tar stream into a gzip member.
pub fn compress(chunk: &[u8]) -> io::Result<Vec<u8>> {
    let mut gz = GzEncoder::new(Vec::with_capacity(chunk.len() / 4), Compression::new(LEVEL));
    gz.write_all(chunk)?;
    gz.finish()
}

struct Chunker<'a> {
    buf: Vec<u8>,
    emit: &'a mut dyn FnMut(Vec<u8>),
    count: u32,
}

impl Chunker<'_> {
    fn flush_chunk(&mut self) {
        if !self.buf.is_empty() {
            let full = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
            (self.emit)(full);
            self.count += 1;
        }
    }
}

impl Write for Chunker<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = buf.len().min(CHUNK - self.buf.len());
        self.buf.extend_from_slice(&buf[..n]);
        if self.buf.len() == CHUNK {
            self.flush_chunk();
        }
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunked_entries_compressed_apart_read_back_as_one_tar() {
        let big: Vec<u8> = (0..(CHUNK * 2 + 1234))
            .map(|i| b"abcdefgh\n"[i % 9])
            .collect();
        let mut chunks = Vec::new();
        let n = entry_chunks(
            "top/big.log",
            0,
            big.len() as u64,
            &mut &big[..],
            &mut |c| chunks.push(c),
        )
        .unwrap();
        assert_eq!(n, 3);
        let mut out: Vec<u8> = chunks.iter().flat_map(|c| compress(c).unwrap()).collect();
        out.extend(end_of_archive().unwrap());
        let mut ar = tar::Archive::new(flate2::read::MultiGzDecoder::new(&out[..]));
        let mut e = ar.entries().unwrap().next().unwrap().unwrap();
        let mut back = Vec::new();
        e.read_to_end(&mut back).unwrap();
        assert_eq!(back, big);
    }

    #[test]
    fn members_concatenate_into_one_tar() {
        let dir = tempfile::tempdir().unwrap();
        let long = format!("top/{}/file.log", "d".repeat(150));
        let mut out = Vec::new();
        for (p, body) in [
            ("top/manifest.json", &b"{}"[..]),
            (long.as_str(), &b"line\n"[..]),
        ] {
            let mut m = member(
                p,
                1_700_000_000,
                body.len() as u64,
                &mut &body[..],
                dir.path(),
            )
            .unwrap();
            m.data.read_to_end(&mut out).unwrap();
        }
        out.extend(end_of_archive().unwrap());
        let mut ar = tar::Archive::new(flate2::read::MultiGzDecoder::new(&out[..]));
        let names: Vec<String> = ar
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().display().to_string())
            .collect();
        assert_eq!(names, vec!["top/manifest.json".to_string(), long]);
    }
}
