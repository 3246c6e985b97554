//! Copying one file into a spool: open safely, keep the tail of large files, decompress
//! rotated `.gz` logs, redact every line, hash what is stored. One file at a time, streamed.

use crate::plan::Candidate;
use bundle::manifest::{FileRecord, FileStatus};
use bundle::spool::{new_spool, rewind, HashingWriter};
use bundle::MAX_LINE;
use flate2::read::MultiGzDecoder;
use redact::gate::GateWriter;
use redact::{FileKind, RedactStats, Redactor};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;
use tempfile::SpooledTempFile;

/// How far past a cut we look for the next line start when keeping a tail.
const MAX_RESYNC: u64 = 64 << 10;
/// Bytes sniffed to tell text, gzip and binary apart.
const SNIFF: usize = 8 << 10;

/// A file ready for the archive: its manifest record and, when stored, its redacted bytes.
pub struct Prepared {
    pub record: FileRecord,
    pub data: Option<SpooledTempFile>,
}

/// Copies `c` through the redactor into a spool in `spool_dir`, keeping at most
/// `max_file_size` bytes (the tail) of its (decompressed) content.
pub fn prepare(
    c: &Candidate,
    max_file_size: u64,
    spool_dir: &Path,
    redactor: &Redactor,
) -> Prepared {
    let mut record = FileRecord::new(c.rel.clone(), FileStatus::Ok, None, c.size, c.mtime);
    match copy(c, &mut record, max_file_size, spool_dir, redactor) {
        Ok(data) => Prepared { record, data },
        Err(err) => {
            record.status = match err.kind() {
                io::ErrorKind::NotFound => FileStatus::Vanished,
                // Reading never fails so: the spool on the output filesystem did.
                io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => FileStatus::OverBudget,
                _ => FileStatus::Unreadable,
            };
            record.detail = Some(match record.status {
                FileStatus::OverBudget => format!("output filesystem full while copying: {err}"),
                _ => err.to_string(),
            });
            record.size = 0;
            record.sha256 = None;
            Prepared { record, data: None }
        }
    }
}

fn copy(
    c: &Candidate,
    record: &mut FileRecord,
    max: u64,
    spool_dir: &Path,
    redactor: &Redactor,
) -> io::Result<Option<SpooledTempFile>> {
    // O_NOFOLLOW: a file swapped for a link since planning is not followed; O_NONBLOCK: a
    // file swapped for a FIFO does not block the open.
    let mut file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(&c.abs)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        record.status = FileStatus::NotRegular;
        record.detail = Some("no longer a regular file".into());
        return Ok(None);
    }
    let len = meta.len();
    record.source_size = len;
    let mut head = vec![0u8; SNIFF.min(len as usize)];
    let n = read_full(&mut file, &mut head)?;
    head.truncate(n);
    file.seek(SeekFrom::Start(0))?;

    // The independent leak gate judges every line on its way into the spool (one pass,
    // not a second read of the stored entry).
    let mut spool = gated_spool(spool_dir);
    let stats;
    if head.starts_with(&[0x1f, 0x8b]) {
        let stored = c.rel.strip_suffix(".gz").unwrap_or(&c.rel).to_string();
        // Judged after decompression: binary, or compressed or archived again, is not
        // stored (never copied as is).
        let inner = gzip_head(&mut file, len)?;
        if let Some(why) = not_text(&inner) {
            record.status = FileStatus::Binary;
            record.detail = Some(format!("decompressed content is {why}: not stored"));
            return Ok(None);
        }
        let kind = FileKind::detect(&stored, &inner);
        record.stored_as = Some(stored);
        stats = copy_gzip(
            &mut file, len, max, record, &mut spool, spool_dir, redactor, kind,
        )?;
    } else if let Some(why) = not_text(&head) {
        record.status = FileStatus::Binary;
        record.detail = Some(format!("{why}, not stored (it may hold key material)"));
        return Ok(None);
    } else {
        let kind = FileKind::detect(&c.rel, &head);
        stats = copy_plain(&mut file, len, max, record, &mut spool, redactor, kind)?;
    }
    // An entry the leak gate flagged is withheld whole and listed, never stored.
    let (spool, hit, lines) = spool.finish();
    if let Some(hit) = hit {
        record.status = FileStatus::Withheld;
        record.detail = Some(format!(
            "leak gate: {} at line {} ({lines} line(s) flagged); not stored",
            hit.kind, hit.line
        ));
        return Ok(None);
    }
    let (mut data, size, sha) = spool.finish();
    rewind(&mut data)?;
    record.size = size;
    record.sha256 = Some(sha);
    record.redactions = stats.redactions;
    record.leak_scan_hits = stats.leak_scan_hits;
    record.redacted_kinds = stats
        .by_kind
        .iter()
        .map(|(k, v)| (k.to_string(), *v))
        .collect();
    Ok(Some(data))
}

/// A spool (hashed as written) behind the leak gate.
type Gated = GateWriter<HashingWriter<SpooledTempFile>>;

fn gated_spool(spool_dir: &Path) -> Gated {
    GateWriter::new(HashingWriter::new(new_spool(spool_dir)))
}

/// A plain file: the first `len` bytes as opened (a growing log is cut where it was), or its
/// tail from the first line start after `len - max`.
fn copy_plain(
    file: &mut File,
    len: u64,
    max: u64,
    record: &mut FileRecord,
    out: &mut Gated,
    redactor: &Redactor,
    kind: FileKind,
) -> io::Result<RedactStats> {
    let mut start = 0;
    if len > max {
        start = len - max;
        record.truncated = Some(len);
    }
    file.seek(SeekFrom::Start(start))?;
    let mut reader =
        BufReader::with_capacity(256 << 10, CountingReader::new(file.take(len - start)));
    if start > 0 {
        skip_partial_line(&mut reader)?;
        skip_open_private_key(&mut reader)?;
    }
    let stats = redactor.redact_reader_as(kind, &mut reader, out, MAX_LINE)?;
    let read = reader.get_ref().count;
    if read < len - start {
        record.detail = Some(format!(
            "shrank while read: {} of {} bytes",
            start + read,
            len
        ));
    }
    Ok(stats)
}

/// A rotated `.gz` log: stored decompressed. One pass when it fits under the cap; when it
/// does not, the rest is measured and a second pass keeps the tail.
#[allow(clippy::too_many_arguments)] // the file, its record, where to spool, how to redact
fn copy_gzip(
    file: &mut File,
    len: u64,
    max: u64,
    record: &mut FileRecord,
    out: &mut Gated,
    spool_dir: &Path,
    redactor: &Redactor,
    kind: FileKind,
) -> io::Result<RedactStats> {
    let gz = |file: &mut File| -> io::Result<GzLines> {
        file.seek(SeekFrom::Start(0))?;
        let f = file.try_clone()?.take(len);
        Ok(BufReader::with_capacity(
            256 << 10,
            TolerantReader::new(MultiGzDecoder::new(BufReader::new(f))),
        ))
    };
    let mut reader = gz(file)?;
    let stats = redactor.redact_reader_as(kind, (&mut reader).take(max), &mut *out, MAX_LINE)?;
    if !reader.fill_buf()?.is_empty() {
        let (rest, _) = copy_lossy(&mut reader, &mut io::sink());
        let total = max + rest;
        record.truncated = Some(total);
        *out = gated_spool(spool_dir);
        let mut reader = gz(file)?;
        io::copy(&mut (&mut reader).take(total - max), &mut io::sink())?;
        skip_partial_line(&mut reader)?;
        skip_open_private_key(&mut reader)?;
        let stats = redactor.redact_reader_as(kind, &mut reader, &mut *out, MAX_LINE)?;
        note_corruption(record, reader.get_ref());
        return Ok(stats);
    }
    note_corruption(record, reader.get_ref());
    Ok(stats)
}

/// The first decompressed bytes of a gzip file (at most [`SNIFF`]); the file is left
/// where it was found (at its start).
fn gzip_head(file: &mut File, len: u64) -> io::Result<Vec<u8>> {
    file.seek(SeekFrom::Start(0))?;
    let f = file.try_clone()?.take(len);
    let mut dec = TolerantReader::new(MultiGzDecoder::new(BufReader::new(f)));
    let mut head = vec![0u8; SNIFF];
    let n = read_full(&mut dec, &mut head)?;
    head.truncate(n);
    file.seek(SeekFrom::Start(0))?;
    Ok(head)
}

/// Why content starting with `head` is not stored as text: binary, or compressed or
/// archived (again). `None` for text.
fn not_text(head: &[u8]) -> Option<&'static str> {
    let magic: &[(&[u8], &str)] = &[
        (&[0x1f, 0x8b], "gzip-compressed"),
        (b"BZh", "bzip2-compressed"),
        (&[0xfd, b'7', b'z', b'X', b'Z', 0], "xz-compressed"),
        (&[0x28, 0xb5, 0x2f, 0xfd], "zstd-compressed"),
        (b"PK\x03\x04", "a zip archive"),
        (b"7z\xbc\xaf", "a 7z archive"),
    ];
    if let Some((_, what)) = magic.iter().find(|(m, _)| head.starts_with(m)) {
        return Some(what);
    }
    if head.len() > 262 && &head[257..262] == b"ustar" {
        return Some("a tar archive");
    }
    head.contains(&0).then_some("binary content")
}

/// A kept tail that starts inside a PEM private key (its BEGIN line was cut off) drops
/// everything up to the end of that key's END line: a body without its header would be
/// judged line by line only. Looks at what the reader has buffered (256 KiB).
fn skip_open_private_key<R: BufRead>(reader: &mut R) -> io::Result<()> {
    let buf = reader.fill_buf()?;
    let end = memchr::memmem::find(buf, b"-----END ");
    let begin = memchr::memmem::find(buf, b"-----BEGIN ");
    let Some(e) = end else {
        return Ok(());
    };
    if begin.is_some_and(|b| b < e) {
        return Ok(());
    }
    let line_end = memchr::memchr(b'\n', &buf[e..]).map_or(buf.len(), |i| e + i + 1);
    if memchr::memmem::find(&buf[e..line_end], b"PRIVATE KEY").is_some() {
        reader.consume(line_end);
    }
    Ok(())
}

/// A rotated log's decompressed bytes, buffered for line splitting.
type GzLines = BufReader<TolerantReader<MultiGzDecoder<BufReader<io::Take<File>>>>>;

fn note_corruption<R>(record: &mut FileRecord, r: &TolerantReader<R>) {
    if let Some(err) = &r.error {
        record.detail = Some(format!(
            "gzip data corrupt after {} decompressed bytes ({err}); the readable part is stored",
            r.count
        ));
    }
}

/// Skips to just after the next `\n` (at most [`MAX_RESYNC`] bytes), so a kept tail starts
/// on a line boundary and no half-line reaches the redactor.
fn skip_partial_line<R: BufRead>(r: &mut R) -> io::Result<()> {
    let mut skipped = 0;
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        if let Some(i) = memchr::memchr(b'\n', buf) {
            r.consume(i + 1);
            return Ok(());
        }
        let n = buf.len();
        r.consume(n);
        skipped += n as u64;
        if skipped >= MAX_RESYNC {
            return Ok(());
        }
    }
}

/// Copies until EOF or the first error; returns bytes copied and the error, if any.
fn copy_lossy<R: Read, W: io::Write>(r: &mut R, w: &mut W) -> (u64, Option<io::Error>) {
    let mut buf = vec![0u8; 64 << 10];
    let mut total = 0;
    loop {
        match r.read(&mut buf) {
            Ok(0) => return (total, None),
            Ok(n) => {
                if let Err(e) = w.write_all(&buf[..n]) {
                    return (total, Some(e));
                }
                total += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return (total, Some(e)),
        }
    }
}

fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

struct CountingReader<R> {
    inner: R,
    count: u64,
}

impl<R> CountingReader<R> {
    fn new(inner: R) -> Self {
        CountingReader { inner, count: 0 }
    }
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count += n as u64;
        Ok(n)
    }
}

/// Turns a read error into EOF and remembers it: a truncated rotated log still yields the
/// part that could be decompressed.
struct TolerantReader<R> {
    inner: R,
    count: u64,
    error: Option<String>,
}

impl<R> TolerantReader<R> {
    fn new(inner: R) -> Self {
        TolerantReader {
            inner,
            count: 0,
            error: None,
        }
    }
}

impl<R: Read> Read for TolerantReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.error.is_some() {
            return Ok(0);
        }
        loop {
            match self.inner.read(buf) {
                Ok(n) => {
                    self.count += n as u64;
                    return Ok(n);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.error = Some(e.to_string());
                    return Ok(0);
                }
            }
        }
    }
}
