//! Copying a tar stream entry by entry through the redactor, into another tar stream with the
//! same layout.
//!
//! The entries come from the one tar walker (`input::walk`), the one the analysis reads
//! through, with all its safeguards (header metadata capped per entry, links never
//! followed, FIFOs and devices never opened, a stream that ends early is an error with its
//! offset, nesting capped at [`MAX_NESTING`](crate::input::MAX_NESTING), panics caught); what each file is, is decided
//! by `input::classify`, as for the analysis. Why not take entries from the reader's `Sink`
//! instead: it delivers VMs and files (nested archives flattened into VMs of their own,
//! directories and links reported as skipped, names mapped to VM paths), which is what
//! analysis wants and exactly what a faithful copy must not do. Here every entry keeps its
//! name as stored (raw bytes, `./` prefixes, long names), directories and symbolic links are
//! copied, and a nested archive is rebuilt and nested again at the same place.
//!
//! Streaming: a tar header needs the entry's size before its data, and redaction changes the
//! size, so each redacted entry goes through a bounded-memory spool
//! ([`bundle::spool::new_spool`]: memory up to 4 MiB, then a temporary file beside the
//! output) and is appended from there. A nested archive is built in a spool the same way,
//! its own entries spooled in turn: memory stays within a few spools whatever the input size.

use super::bundle_manifest;
use super::manifest::{Action, FileRecord};
use super::tarwrite::{append, template, with};
use crate::input::capture::Capture;
use crate::input::classify::{classify, Kind as Content};
use crate::input::gzip::Counter;
use crate::input::walk::{self, Entry, Kind, Visitor, Walk};
use flate2::write::GzEncoder;
use flate2::Compression;
use redact::gate::{GateHit, GateWriter};
use redact::mask::{MaskWriter, Masker};
use redact::{FileKind, RedactStats, Redactor};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::Path;
use tar::{Builder, EntryType, Header};

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

/// What went wrong with an entry copied through `src`: its data (a read error `src` kept,
/// a truncated or corrupt archive) or the copy (`e` itself, a write error).
pub(crate) fn entry_fail<R>(src: &Capture<R>, e: io::Error) -> EntryFail {
    match &src.error {
        Some(m) => EntryFail::Content(m.clone()),
        None => EntryFail::Write(e),
    }
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
    /// `depth` is 0 for the input itself; `gzip` counts the compressed bytes when the stream
    /// is gzip data, for the offset of a failure.
    pub(crate) fn copy_tar<W: Write>(
        &mut self,
        input: &mut dyn Read,
        gzip: Option<&Counter>,
        out: &mut Builder<W>,
        prefix: &str,
        depth: usize,
    ) -> Result<(), Stop> {
        let origin = prefix.strip_suffix('!').unwrap_or(prefix);
        let walk = Walk { origin, gzip };
        let mut visit = CopyVisit {
            copier: self,
            out,
            prefix,
            depth,
        };
        walk.run(input, &mut visit).map_err(|stop| match stop {
            walk::Stop::Stream(problem) => {
                let mut detail = problem.message;
                if let Some(path) = problem.path {
                    detail = format!("{prefix}{path}: {detail}");
                }
                if let Some(offset) = problem.offset {
                    detail.push_str(&format!(" (at byte {offset})"));
                }
                Stop::Stream(detail)
            }
            walk::Stop::Visitor(e) => Stop::Write(e),
        })
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
            .map_err(|e| entry_fail(&src, e))?;
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
        let mut stream = classify(data);
        let gzip = stream.gzip().cloned();
        match stream.kind() {
            Content::Tar => {
                let data = Capture::new(stream.reader());
                self.nested(out, name, shown, template, data, gzip.as_ref(), depth)
            }
            Content::Binary => {
                let what = if gzip.is_some() {
                    "gzip-compressed binary"
                } else {
                    "binary"
                };
                self.skip(
                    shown,
                    format!("{what} content, not stored (it may hold key material)"),
                );
                Ok(())
            }
            Content::Unsupported(format) => {
                self.skip(
                    shown,
                    format!("{format}-compressed data cannot be redacted, not stored"),
                );
                Ok(())
            }
            Content::Text => self.text(out, name, shown, template, stream, gzip.is_some()),
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
        let (stats, hit) = result.map_err(|e| entry_fail(&src, e))?;
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

    /// A nested archive (`src`, decompressed; `gzip` when it was gzip data): its entries
    /// copied into a new archive (same compression) in a spool, appended under the same name.
    #[allow(clippy::too_many_arguments)]
    fn nested<W: Write, R: Read>(
        &mut self,
        out: &mut Builder<W>,
        name: &[u8],
        shown: String,
        template: &Header,
        mut src: Capture<R>,
        gzip: Option<&Counter>,
        depth: usize,
    ) -> Result<(), EntryFail> {
        let depth = match walk::nested(depth) {
            Ok(depth) => depth,
            Err(why) => {
                self.skip(shown, format!("{why}: not stored"));
                return Ok(());
            }
        };
        let first = self.records.len();
        self.records
            .push(FileRecord::new(shown.clone(), Action::Archive));
        let prefix = format!("{shown}!");
        let mut spool = bundle::spool::new_spool(self.spool_dir);
        let copied = if gzip.is_some() {
            let mut b = Builder::new(GzEncoder::new(&mut spool, Compression::default()));
            self.copy_tar(&mut src, gzip, &mut b, &prefix, depth)
                .and_then(|()| {
                    let gz = b.into_inner().map_err(Stop::Write)?;
                    gz.finish().map(|_| ()).map_err(Stop::Write)
                })
        } else {
            let mut b = Builder::new(&mut spool);
            self.copy_tar(&mut src, None, &mut b, &prefix, depth)
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

/// The copy of one tar stream, as the walker's visitor.
struct CopyVisit<'c, 'r, W: Write> {
    copier: &'c mut Copier<'r>,
    out: &'c mut Builder<W>,
    prefix: &'c str,
    depth: usize,
}

impl<W: Write> Visitor for CopyVisit<'_, '_, W> {
    /// The entry as shown in records, and how its copy went.
    type Done = (String, Result<(), EntryFail>);
    /// Writing the copy failed.
    type Stop = io::Error;

    fn entry(&mut self, mut e: Entry<'_>) -> Self::Done {
        // With `--mask`, names and link targets are masked like the content.
        e.name = self.copier.masked(std::mem::take(&mut e.name));
        if let Kind::Symlink(link) | Kind::HardLink(link) = &mut e.kind {
            *link = self.copier.masked(std::mem::take(link));
        }
        let shown = format!("{}{}", self.prefix, e.shown());
        let template = template(&e.header);
        let empty = &mut io::empty();
        let out = &mut *self.out;
        let result = match &e.kind {
            _ if self.depth == 0 && is_old_manifest(&e.name) => {
                self.copier.skip(
                    shown.clone(),
                    "an earlier redaction manifest (this run writes its own)",
                );
                Ok(())
            }
            Kind::Directory => {
                let h = with(&template, EntryType::Directory, 0);
                append(out, h, &e.name, None, empty).map_err(EntryFail::Write)
            }
            Kind::Symlink(link) | Kind::HardLink(link) => {
                let h = with(&template, e.header.entry_type(), 0);
                append(out, h, &e.name, Some(link), empty).map_err(EntryFail::Write)
            }
            Kind::File => {
                let (name, depth) = (&e.name, self.depth);
                self.copier
                    .regular(out, name, shown.clone(), &template, e.data, depth)
            }
            Kind::Meta => Ok(()),
            Kind::Fifo | Kind::Device | Kind::Other(_) => {
                let why = e.kind.not_read().unwrap_or_default();
                self.copier
                    .skip(shown.clone(), format!("{why}: not stored"));
                Ok(())
            }
        };
        (shown, result)
    }

    fn settle(&mut self, (shown, result): Self::Done) -> Result<(), io::Error> {
        match result {
            Ok(()) => Ok(()),
            Err(EntryFail::Write(e)) => Err(e),
            Err(EntryFail::Content(m)) => {
                self.copier
                    .skip(shown, format!("unreadable, not stored: {m}"));
                Ok(())
            }
        }
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
        c.copy_tar(&mut &input[..], None, &mut out, "", 0).unwrap();
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
        match c.copy_tar(&mut &bytes[..], None, &mut out, "", 0) {
            Err(Stop::Stream(m)) => assert!(m.contains("truncated"), "{m}"),
            other => panic!("{other:?}"),
        }
    }
}
