//! Copying a tar stream entry by entry through the redactor, into another tar stream with the
//! same layout.
//!
//! Why walk the tar here rather than take entries from the [`input`](crate::input) reader's
//! `Sink`: the reader delivers VMs and files (nested archives flattened into VMs of their
//! own, directories and links reported as skipped, names mapped to VM paths), which is what
//! analysis wants and exactly what a faithful copy must not do. Here every entry keeps its
//! name as stored (raw bytes, `./` prefixes, long names), directories and symbolic links are
//! copied, and a nested archive is rebuilt and nested again at the same place. The reader's
//! safeguards are kept: magic bytes decide what a file is (`input::sniff`), header metadata
//! per entry is capped, a stream that ends early is an error, nesting is capped at
//! [`MAX_NESTING`].
//!
//! Streaming: a tar header needs the entry's size before its data, and redaction changes the
//! size, so each redacted entry goes through a bounded-memory spool
//! ([`bundle::spool::new_spool`]: memory up to 4 MiB, then a temporary file beside the
//! output) and is appended from there. A nested archive is built in a spool the same way,
//! its own entries spooled in turn: memory stays within a few spools whatever the input size.

use super::bundle_manifest;
use super::manifest::{Action, FileRecord};
use super::tarread::{EntryData, State, Tracked, HEADER_BUDGET};
use super::tarwrite::{append, template, with};
use crate::input::capture::Capture;
use crate::input::sniff::{self, peek, Magic, PEEK};
use crate::input::MAX_NESTING;
use flate2::read::MultiGzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;
use redact::gate::{GateHit, GateWriter};
use redact::mask::{MaskWriter, Masker};
use redact::{FileKind, RedactStats, Redactor};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;
use tar::{Builder, EntryType, Header};

/// Bytes of a file's start checked for NUL bytes: binary content is never copied (a keystore
/// or a DER key cannot be redacted line by line). Same rule as the collector.
pub(crate) const BINARY_SNIFF: usize = 8 << 10;
/// Bytes read after the end-of-archive marker to check the compressed stream's end.
const TRAILER_CAP: u64 = 16 << 20;

/// Why copying a tar stream stopped.
#[derive(Debug)]
pub(crate) enum Stop {
    /// The stream being read failed (truncated, corrupt): the message says where.
    Stream(String),
    /// Writing the copy failed (disk full...).
    Write(io::Error),
}

/// Why one file could not be copied.
#[derive(Debug)]
pub(crate) enum EntryFail {
    /// Its content could not be read (corrupt gzip, read error).
    Content(String),
    Write(io::Error),
}

/// Copies entries, recording what happened to each.
pub(crate) struct Copier<'a> {
    pub redactor: &'a Redactor,
    /// Where spools spill (the output's directory).
    pub spool_dir: &'a Path,
    pub records: Vec<FileRecord>,
    /// `--mask`: names, content and links rewritten with the run's tokens.
    pub mask: Option<&'a Masker>,
}

impl Copier<'_> {
    /// `text` with the run's mask applied (unchanged without `--mask`).
    pub(crate) fn masked(&self, text: Vec<u8>) -> Vec<u8> {
        match self.mask {
            Some(m) => m.mask_bytes(&text),
            None => text,
        }
    }

    /// Copies the tar stream `input` into `out` (without its end-of-archive marker: the caller
    /// finishes `out`). `prefix` names the stream in records (`outer.tgz!` when nested);
    /// `depth` is 0 for the input itself.
    pub(crate) fn copy_tar<W: Write>(
        &mut self,
        input: &mut dyn Read,
        out: &mut Builder<W>,
        prefix: &str,
        depth: usize,
    ) -> Result<(), Stop> {
        let state = State::default();
        let mut archive = tar::Archive::new(Tracked {
            inner: input,
            state: &state,
        });
        let mut entries = archive
            .entries()
            .map_err(|e| Stop::Stream(state.message(&e)))?;
        loop {
            state.budget.set(Some(HEADER_BUDGET));
            let next = entries.next();
            state.budget.set(None);
            let entry = match next {
                None => break,
                Some(Err(e)) => return Err(Stop::Stream(state.message(&e))),
                Some(Ok(entry)) => entry,
            };
            let name = self.masked(entry.path_bytes().into_owned());
            let shown = format!("{prefix}{}", String::from_utf8_lossy(&name));
            let kind = entry.header().entry_type();
            let link = entry.link_name_bytes().map(|l| self.masked(l.into_owned()));
            let template = template(entry.header());
            let want = entry.size();
            let mut data = EntryData {
                entry,
                state: &state,
                want,
                got: 0,
            };
            let result = if depth == 0 && is_old_manifest(&name) {
                self.records.push(FileRecord::dropped(
                    shown.clone(),
                    "an earlier redaction manifest (this run writes its own)",
                ));
                Ok(())
            } else if kind.is_dir() {
                append(
                    out,
                    with(&template, EntryType::Directory, 0),
                    &name,
                    None,
                    &mut io::empty(),
                )
                .map_err(EntryFail::Write)
            } else if kind.is_symlink() || kind.is_hard_link() {
                let link = link.unwrap_or_default();
                append(
                    out,
                    with(&template, kind, 0),
                    &name,
                    Some(&link),
                    &mut io::empty(),
                )
                .map_err(EntryFail::Write)
            } else if kind.is_file() || kind.is_contiguous() || kind.is_gnu_sparse() {
                self.regular(out, &name, shown.clone(), &template, &mut data, depth)
            } else if kind.is_pax_global_extensions() {
                Ok(())
            } else {
                let what = if kind.is_fifo() {
                    "a FIFO".to_string()
                } else if kind.is_character_special() || kind.is_block_special() {
                    "a device file".to_string()
                } else {
                    format!("tar entry type {:?}", kind.as_byte() as char)
                };
                self.records.push(FileRecord::dropped(
                    shown.clone(),
                    format!("{what}, not a regular file"),
                ));
                Ok(())
            };
            // what was not read is skipped, so the next header is where the parser expects it
            let drained = io::copy(&mut data, &mut io::sink());
            if state.failed() || drained.is_err() {
                let e = drained
                    .err()
                    .unwrap_or_else(|| io::Error::other("read error"));
                return Err(Stop::Stream(format!("{shown}: {}", state.message(&e))));
            }
            match result {
                Ok(()) => {}
                Err(EntryFail::Write(e)) => return Err(Stop::Write(e)),
                Err(EntryFail::Content(m)) => self.records.push(FileRecord::dropped(
                    shown,
                    format!("unreadable, not stored: {m}"),
                )),
            }
        }
        if state.eof.get() {
            return Err(Stop::Stream(
                "the archive ends without its end-of-archive marker: it is probably truncated"
                    .into(),
            ));
        }
        // the rest (padding, the gzip trailer and its checksum) may still hold a corruption
        let mut rest = archive.into_inner();
        if let Err(e) = io::copy(&mut (&mut rest).take(TRAILER_CAP), &mut io::sink()) {
            return Err(Stop::Stream(format!(
                "after the end of the tar archive: {e}"
            )));
        }
        Ok(())
    }

    /// One regular file: a nested archive, gzip-compressed text, text, or something dropped.
    /// On failure nothing was appended to `out` and no record of it (or of its entries) is
    /// left: the caller records the drop.
    pub(crate) fn regular<W: Write>(
        &mut self,
        out: &mut Builder<W>,
        name: &[u8],
        shown: String,
        template: &Header,
        data: &mut dyn Read,
        depth: usize,
    ) -> Result<(), EntryFail> {
        if !bundle_manifest::is_candidate(name) {
            return self.content(out, name, shown, template, data, depth);
        }
        // our bundle's manifest is redacted as data (see `bundle_manifest`)
        let mut head = Vec::new();
        let mut src = Capture::new(&mut *data);
        (&mut src)
            .take(bundle_manifest::CAP + 1)
            .read_to_end(&mut head)
            .map_err(|e| src.fail(e))?;
        if head.len() as u64 <= bundle_manifest::CAP {
            if let Some((bytes, stats)) = bundle_manifest::redact(self.redactor, &head) {
                let bytes = self.masked(bytes);
                let h = with(template, EntryType::Regular, bytes.len() as u64);
                append(out, h, name, None, &mut &bytes[..]).map_err(EntryFail::Write)?;
                self.records
                    .push(record(shown, Action::Redacted, head.len() as u64, &stats));
                return Ok(());
            }
        }
        self.content(
            out,
            name,
            shown,
            template,
            &mut io::Cursor::new(head).chain(data),
            depth,
        )
    }

    /// A file told by its content.
    fn content<W: Write>(
        &mut self,
        out: &mut Builder<W>,
        name: &[u8],
        shown: String,
        template: &Header,
        data: &mut dyn Read,
        depth: usize,
    ) -> Result<(), EntryFail> {
        let head = peek(data, PEEK);
        match head.magic() {
            Magic::Gzip => {
                let inner = peek(MultiGzDecoder::new(head), BINARY_SNIFF);
                if sniff::is_tar_header(inner.prefix()) {
                    self.nested(out, name, shown, template, inner, true, depth)
                } else if inner.prefix().contains(&0) {
                    self.skip(
                        shown,
                        "gzip-compressed binary content, not stored (it may hold key material)",
                    );
                    Ok(())
                } else {
                    self.text(out, name, shown, template, inner, true)
                }
            }
            Magic::Tar => self.nested(out, name, shown, template, head, false, depth),
            Magic::Empty | Magic::Other => {
                let head = peek(head, BINARY_SNIFF);
                if let Some(format) = sniff::unsupported_format(head.prefix()) {
                    self.skip(
                        shown,
                        format!("{format}-compressed data cannot be redacted, not stored"),
                    );
                    Ok(())
                } else if head.prefix().contains(&0) {
                    self.skip(
                        shown,
                        "binary content, not stored (it may hold key material)",
                    );
                    Ok(())
                } else {
                    self.text(out, name, shown, template, head, false)
                }
            }
        }
    }

    fn skip(&mut self, shown: String, reason: impl Into<String>) {
        self.records.push(FileRecord::dropped(shown, reason));
    }

    /// Text through the redactor into a spool (gzip-compressed again when it was), then into
    /// `out` under the same name.
    fn text<W: Write>(
        &mut self,
        out: &mut Builder<W>,
        name: &[u8],
        shown: String,
        template: &Header,
        data: impl Read,
        gzip: bool,
    ) -> Result<(), EntryFail> {
        let mut src = Capture::new(data);
        let mut spool = bundle::spool::new_spool(self.spool_dir);
        let kind = FileKind::detect(&shown, b"");
        // redactor -> mask (when asked) -> leak gate -> spool
        let result = if gzip {
            let gz = GateWriter::new(GzEncoder::new(&mut spool, Compression::default()));
            let mut w = MaskWriter::new(self.mask, gz);
            self.redactor
                .redact_reader_as(kind, &mut src, &mut w, bundle::MAX_LINE)
                .and_then(|stats| {
                    let (gz, hit, _) = w.finish()?.finish();
                    gz.finish().map(|_| (stats, hit))
                })
        } else {
            let mut w = MaskWriter::new(self.mask, GateWriter::new(&mut spool));
            self.redactor
                .redact_reader_as(kind, &mut src, &mut w, bundle::MAX_LINE)
                .and_then(|stats| Ok((stats, w.finish()?.finish().1)))
        };
        let (stats, hit) = result.map_err(|e| src.fail(e))?;
        if let Some(hit) = hit {
            self.records.push(withheld(shown, hit));
            return Ok(());
        }
        let size = spool.seek(SeekFrom::End(0)).map_err(EntryFail::Write)?;
        spool.seek(SeekFrom::Start(0)).map_err(EntryFail::Write)?;
        append(
            out,
            with(template, EntryType::Regular, size),
            name,
            None,
            &mut spool,
        )
        .map_err(EntryFail::Write)?;
        let action = if gzip {
            Action::Regzipped
        } else {
            Action::Redacted
        };
        self.records.push(record(shown, action, src.bytes, &stats));
        Ok(())
    }

    /// A nested archive: its entries copied into a new archive (same compression) in a spool,
    /// appended under the same name.
    #[allow(clippy::too_many_arguments)]
    fn nested<W: Write>(
        &mut self,
        out: &mut Builder<W>,
        name: &[u8],
        shown: String,
        template: &Header,
        data: impl Read,
        gzip: bool,
        depth: usize,
    ) -> Result<(), EntryFail> {
        let depth = depth + 1;
        if depth > MAX_NESTING {
            self.skip(
                shown,
                format!(
                    "archive nested {depth} levels deep (the limit is {MAX_NESTING}): not stored"
                ),
            );
            return Ok(());
        }
        let first = self.records.len();
        self.records
            .push(FileRecord::new(shown.clone(), Action::Archive));
        let mut src = Capture::new(data);
        let prefix = format!("{shown}!");
        let mut spool = bundle::spool::new_spool(self.spool_dir);
        let copied = if gzip {
            let mut b = Builder::new(GzEncoder::new(&mut spool, Compression::default()));
            self.copy_tar(&mut src, &mut b, &prefix, depth)
                .and_then(|()| {
                    let gz = b.into_inner().map_err(Stop::Write)?;
                    gz.finish().map(|_| ()).map_err(Stop::Write)
                })
        } else {
            let mut b = Builder::new(&mut spool);
            self.copy_tar(&mut src, &mut b, &prefix, depth)
                .and_then(|()| b.into_inner().map(|_| ()).map_err(Stop::Write))
        };
        if let Err(stop) = copied {
            self.records.truncate(first);
            return Err(match stop {
                Stop::Stream(m) => EntryFail::Content(m),
                Stop::Write(e) => EntryFail::Write(e),
            });
        }
        let size = spool.seek(SeekFrom::End(0)).map_err(EntryFail::Write)?;
        spool.seek(SeekFrom::Start(0)).map_err(EntryFail::Write)?;
        append(
            out,
            with(template, EntryType::Regular, size),
            name,
            None,
            &mut spool,
        )
        .map_err(EntryFail::Write)?;
        self.records[first].bytes = Some(src.bytes);
        Ok(())
    }
}

fn record(path: String, action: Action, bytes: u64, stats: &RedactStats) -> FileRecord {
    FileRecord {
        bytes: Some(bytes),
        redactions: stats.redactions,
        by_kind: stats
            .by_kind
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect(),
        leak_scan_hits: stats.leak_scan_hits,
        ..FileRecord::new(path, action)
    }
}

/// The manifest of an earlier run, at the root of the input: replaced, not copied.
fn is_old_manifest(name: &[u8]) -> bool {
    let name = name.strip_prefix(b"./").unwrap_or(name);
    name == super::manifest::MANIFEST_NAME.as_bytes()
}

/// The record of an entry the leak gate withheld.
pub(crate) fn withheld(shown: String, hit: GateHit) -> FileRecord {
    FileRecord {
        reason: Some(format!(
            "leak gate: {} at line {} of the redacted copy; not stored",
            hit.kind, hit.line
        )),
        ..FileRecord::new(shown, Action::Withheld)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(kind: EntryType, size: u64) -> Header {
        let mut h = Header::new_gnu();
        h.set_entry_type(kind);
        h.set_size(size);
        h.set_mode(0o640);
        h.set_mtime(1_563_024_441);
        h
    }

    #[test]
    fn names_links_and_metadata_survive_and_text_is_redacted() {
        let long = format!("./{}/rep.stdout.log", "d".repeat(120));
        let target = format!("../{}", "t".repeat(130));
        let mut input = Builder::new(Vec::new());
        append(
            &mut input,
            header(EntryType::Directory, 0),
            b"./rep/",
            None,
            &mut io::empty(),
        )
        .unwrap();
        let body = b"password: hunter2-secret\nplain line\n";
        append(
            &mut input,
            header(EntryType::Regular, body.len() as u64),
            long.as_bytes(),
            None,
            &mut &body[..],
        )
        .unwrap();
        append(
            &mut input,
            header(EntryType::Symlink, 0),
            b"./rep/link",
            Some(target.as_bytes()),
            &mut io::empty(),
        )
        .unwrap();
        let fifo = header(EntryType::Fifo, 0);
        append(&mut input, fifo, b"./rep/pipe", None, &mut io::empty()).unwrap();
        let input = input.into_inner().unwrap();

        let dir = tempfile::tempdir().unwrap();
        let redactor = Redactor::new();
        let mut c = Copier {
            redactor: &redactor,
            spool_dir: dir.path(),
            records: Vec::new(),
            mask: None,
        };
        let mut out = Builder::new(Vec::new());
        c.copy_tar(&mut &input[..], &mut out, "", 0).unwrap();
        let out = out.into_inner().unwrap();

        let mut ar = tar::Archive::new(&out[..]);
        type Got = (String, EntryType, Option<String>, u32, Vec<u8>);
        let got: Vec<Got> = ar
            .entries()
            .unwrap()
            .map(|e| {
                let mut e = e.unwrap();
                let name = String::from_utf8(e.path_bytes().into_owned()).unwrap();
                let link = e
                    .link_name_bytes()
                    .map(|l| String::from_utf8(l.into_owned()).unwrap());
                let (kind, mode) = (e.header().entry_type(), e.header().mode().unwrap());
                let mut data = Vec::new();
                e.read_to_end(&mut data).unwrap();
                (name, kind, link, mode, data)
            })
            .collect();
        assert_eq!(got.len(), 3, "the FIFO is left out");
        assert_eq!(
            (got[0].0.as_str(), got[0].1),
            ("./rep/", EntryType::Directory)
        );
        assert_eq!(got[1].0, long, "a long name is kept whole, `./` included");
        assert_eq!(got[1].3, 0o640);
        assert_eq!(got[1].4, b"password: [REDACTED password]\nplain line\n");
        assert_eq!(
            (got[2].1, got[2].2.as_deref()),
            (EntryType::Symlink, Some(target.as_str()))
        );
        assert_eq!(c.records.len(), 2);
        assert_eq!(
            (c.records[0].action, c.records[0].redactions),
            (Action::Redacted, 1)
        );
        assert_eq!(c.records[1].action, Action::Dropped);
    }

    #[test]
    fn an_archive_without_its_end_marker_is_a_stream_failure() {
        let mut input = Builder::new(Vec::new());
        append(
            &mut input,
            header(EntryType::Regular, 3),
            b"a.log",
            None,
            &mut &b"ok\n"[..],
        )
        .unwrap();
        let mut bytes = input.into_inner().unwrap();
        bytes.truncate(1024); // header and data block, no end-of-archive blocks
        let dir = tempfile::tempdir().unwrap();
        let redactor = Redactor::new();
        let mut c = Copier {
            redactor: &redactor,
            spool_dir: dir.path(),
            records: Vec::new(),
            mask: None,
        };
        let mut out = Builder::new(Vec::new());
        match c.copy_tar(&mut &bytes[..], &mut out, "", 0) {
            Err(Stop::Stream(m)) => assert!(m.contains("truncated"), "{m}"),
            other => panic!("{other:?}"),
        }
    }
}
