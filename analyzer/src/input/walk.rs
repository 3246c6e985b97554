//! The tar walker: the one place a tar stream is parsed, for every command. `analyze`,
//! `timeline`, `certs` and `scan-secrets` read its entries as VM files (`archive`);
//! `redact` copies them (`foreign::tarcopy`).
//!
//! Its hardening, which every caller gets:
//! - Names are handed over as stored (raw bytes); nothing here touches the file system, so a
//!   `../` or absolute name is only a name (callers normalize it for reporting).
//! - Links are described ([`Kind::Symlink`], [`Kind::HardLink`]), never followed; FIFOs and
//!   devices are described, never opened: only [`Kind::File`] entries have data to read.
//! - Header metadata per entry (the header, GNU long names, pax records) is capped at
//!   [`HEADER_BUDGET`] bytes: beyond that the archive is corrupt or hostile and the tar
//!   parser would buffer it all.
//! - An entry whose data ends early is an error, never a short file; a stream that ends
//!   without its end-of-archive marker, a corrupt header, a decompression error or a
//!   corruption after the end (padding, the gzip trailer) stops the walk with a [`Problem`]
//!   that says where (byte offset, and what the offset counts).
//! - Nesting is capped: an archive inside an archive is walked at [`nested`] depth, up to
//!   [`MAX_NESTING`].
//! - A panic while walking (in the tar parser or in the visitor) is caught and reported as
//!   the stream's problem.
//!
//! What it is not: it does not decide what an entry's bytes are (that is `classify`), nor
//! what an entry means to a VM (that is `archive` and `naming`).

use super::gzip::Counter;
use super::problem::Problem;
use std::cell::{Cell, RefCell};
use std::io::{self, Read};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// How many archives deep readers go: the input itself is depth 0, a tarball inside it
/// depth 1 (as `bosh logs` multi-instance output has), and so on. A nested archive deeper
/// than this is not read.
pub const MAX_NESTING: usize = 4;

/// Bytes the tar parser may consume to produce one entry: its header, long names and pax
/// records. Beyond this an archive is corrupt or hostile.
pub(crate) const HEADER_BUDGET: u64 = 1 << 20;

/// Bytes read after the end-of-archive marker to check the compressed stream's end.
const TRAILER_CAP: u64 = 16 << 20;

/// The depth of an archive found inside one at `depth`, or why it is not read.
pub(crate) fn nested(depth: usize) -> Result<usize, String> {
    let depth = depth + 1;
    if depth > MAX_NESTING {
        Err(format!(
            "archive nested {depth} levels deep (the limit is {MAX_NESTING})"
        ))
    } else {
        Ok(depth)
    }
}

/// What a tar entry is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A regular file (contiguous and sparse files included): the only kind with data.
    File,
    Directory,
    /// A symbolic link and its target, as stored.
    Symlink(Vec<u8>),
    /// A hard link and its target, as stored.
    HardLink(Vec<u8>),
    Fifo,
    Device,
    /// A pax global header: metadata for the parser, nothing to deliver.
    Meta,
    /// Any other type flag.
    Other(u8),
}

impl Kind {
    fn of(entry: &tar::Entry<'_, Tracked<'_>>) -> Kind {
        let kind = entry.header().entry_type();
        let link = || {
            entry
                .link_name_bytes()
                .map(|l| l.into_owned())
                .unwrap_or_default()
        };
        if kind.is_file() || kind.is_contiguous() || kind.is_gnu_sparse() {
            Kind::File
        } else if kind.is_dir() {
            Kind::Directory
        } else if kind.is_symlink() {
            Kind::Symlink(link())
        } else if kind.is_hard_link() {
            Kind::HardLink(link())
        } else if kind.is_fifo() {
            Kind::Fifo
        } else if kind.is_character_special() || kind.is_block_special() {
            Kind::Device
        } else if kind.is_pax_global_extensions() {
            Kind::Meta
        } else {
            Kind::Other(kind.as_byte())
        }
    }

    /// Why an entry of this kind is not read as a file (`None` for files, directories and
    /// metadata), e.g. `symbolic link to ../../etc/passwd (not followed)`.
    pub(crate) fn not_read(&self) -> Option<String> {
        let lossy = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        match self {
            Kind::File | Kind::Directory | Kind::Meta => None,
            Kind::Symlink(to) => Some(format!("symbolic link to {} (not followed)", lossy(to))),
            Kind::HardLink(to) => Some(format!("hard link to {} (not followed)", lossy(to))),
            Kind::Fifo => Some("FIFO (not a regular file)".to_string()),
            Kind::Device => Some("device file (not a regular file)".to_string()),
            Kind::Other(flag) => Some(format!(
                "unsupported tar entry type {:?}",
                char::from(*flag)
            )),
        }
    }
}

/// One entry, as the walker hands it to a [`Visitor`].
pub(crate) struct Entry<'d> {
    /// The name as stored (long names and pax paths resolved), raw bytes.
    pub name: Vec<u8>,
    pub kind: Kind,
    /// The header as stored (mode, owner, times), for a faithful copy.
    pub header: tar::Header,
    /// Size of the stored data in bytes.
    pub size: u64,
    /// Modification time, seconds since the Unix epoch.
    pub mtime: Option<i64>,
    /// The stored data (empty unless [`Kind::File`]); an early end is an error. What the
    /// visitor does not read is skipped by the walker.
    pub data: &'d mut dyn Read,
}

impl Entry<'_> {
    /// The name for messages (lossy UTF-8).
    pub(crate) fn shown(&self) -> String {
        String::from_utf8_lossy(&self.name).into_owned()
    }
}

/// What a tar stream's entries go to.
pub(crate) trait Visitor {
    /// What handling one entry leaves to settle once the walker knows the stream held (an
    /// entry's own failure is only its own when the stream under it did not fail).
    type Done;
    /// Why the visitor stops the walk (e.g. the copy cannot be written).
    type Stop;
    /// One entry, in stream order.
    fn entry(&mut self, entry: Entry<'_>) -> Self::Done;
    /// Called after [`Visitor::entry`] when the stream is intact past that entry.
    fn settle(&mut self, done: Self::Done) -> Result<(), Self::Stop>;
}

/// Why a walk ended early.
#[derive(Debug)]
pub(crate) enum Stop<S> {
    /// The stream failed (truncated, corrupt, hostile): what was walked before was
    /// delivered; the problem says where.
    Stream(Problem),
    /// The visitor stopped it.
    Visitor(S),
}

/// One tar stream to walk.
pub(crate) struct Walk<'a> {
    /// Names the stream in problems: `input` or `input!nested.tgz`.
    pub origin: &'a str,
    /// Compressed bytes consumed, when the tar stream is gzip-compressed: problems of the
    /// decompression are placed in the compressed data.
    pub gzip: Option<&'a Counter>,
}

impl Walk<'_> {
    /// Walks `reader` to its end (and past it, to check the compressed stream's trailer),
    /// handing each entry to `visitor`. Never panics.
    pub(crate) fn run<V: Visitor>(
        &self,
        reader: &mut dyn Read,
        visitor: &mut V,
    ) -> Result<(), Stop<V::Stop>> {
        let state = StreamState::default();
        let walked = catch_unwind(AssertUnwindSafe(|| self.walk(reader, &state, visitor)));
        match walked {
            Ok(result) => result,
            Err(panic) => Err(Stop::Stream(
                Problem::new(
                    self.origin,
                    format!(
                        "internal error while reading (panic: {})",
                        panic_text(&*panic)
                    ),
                )
                .with_offset(state.pos.get()),
            )),
        }
    }

    fn walk<V: Visitor>(
        &self,
        reader: &mut dyn Read,
        state: &StreamState,
        visitor: &mut V,
    ) -> Result<(), Stop<V::Stop>> {
        let mut archive = tar::Archive::new(Tracked {
            inner: reader,
            state,
        });
        let mut entries = archive
            .entries()
            .map_err(|e| Stop::Stream(self.problem(state, Some(&e), None)))?;
        loop {
            state.budget.set(Some(HEADER_BUDGET));
            let next = entries.next();
            state.budget.set(None);
            let entry = match next {
                None => break,
                Some(Err(e)) => return Err(Stop::Stream(self.problem(state, Some(&e), None))),
                Some(Ok(entry)) => entry,
            };
            let name = entry.path_bytes().into_owned();
            let kind = Kind::of(&entry);
            let header = entry.header().clone();
            let mtime = header.mtime().ok().and_then(|m| i64::try_from(m).ok());
            let size = entry.size();
            let mut data = EntryData {
                entry,
                state,
                want: size,
                got: 0,
            };
            let shown = String::from_utf8_lossy(&name).into_owned();
            let done = visitor.entry(Entry {
                name,
                kind,
                header,
                size,
                mtime,
                data: &mut data,
            });
            // skip what was not read, so the next header is where the parser expects it
            let drained = io::copy(&mut data, &mut io::sink());
            if state.failed() || drained.is_err() {
                let e = drained.err();
                return Err(Stop::Stream(self.problem(state, e.as_ref(), Some(&shown))));
            }
            visitor.settle(done).map_err(Stop::Visitor)?;
        }
        if state.eof.get() {
            let problem = self.problem(state, None, None);
            return Err(Stop::Stream(Problem {
                message: format!(
                    "the archive ends without its end-of-archive marker: it is probably truncated; offset is in {}",
                    self.offset_unit()
                ),
                ..problem
            }));
        }
        // the rest (padding, the gzip trailer) may still hold a corruption worth reporting
        let mut rest = archive.into_inner();
        if let Err(e) = io::copy(&mut (&mut rest).take(TRAILER_CAP), &mut io::sink()) {
            let problem = self.problem(state, Some(&e), None);
            return Err(Stop::Stream(Problem {
                message: format!("after the end of the tar archive: {}", problem.message),
                ..problem
            }));
        }
        Ok(())
    }

    fn offset_unit(&self) -> &'static str {
        if self.gzip.is_some() {
            "the decompressed tar stream"
        } else {
            "the tar data"
        }
    }

    /// The problem that ends the walk.
    fn problem(
        &self,
        state: &StreamState,
        tar_error: Option<&io::Error>,
        path: Option<&str>,
    ) -> Problem {
        let pos = state.pos.get();
        let unit = self.offset_unit();
        let (message, offset) = match (&*state.failure.borrow(), self.gzip) {
            (Some(Failure::Read(e)), Some(counter)) => (
                format!(
                    "gzip data ends early or is corrupt ({e}) after {pos} bytes of the tar stream; \
                     offset is in the compressed data"
                ),
                counter.get(),
            ),
            (Some(Failure::Read(e)), None) => (format!("read error ({e}); offset is in {unit}"), pos),
            (Some(Failure::Truncated { got, want }), _) => (
                format!("the archive ends inside this entry ({got} of {want} bytes): it is truncated; offset is in {unit}"),
                pos,
            ),
            (Some(Failure::HeaderTooLarge), _) => (
                format!(
                    "tar header metadata (long names, pax records) over {HEADER_BUDGET} bytes: \
                     corrupt or hostile archive, not read further; offset is in {unit}"
                ),
                pos,
            ),
            (None, _) => {
                let e = tar_error.map_or_else(|| "unknown error".to_string(), |e| e.to_string());
                (format!("corrupt tar data ({e}); offset is in {unit}"), pos)
            }
        };
        let problem = Problem::new(self.origin, message).with_offset(offset);
        match path {
            Some(p) => problem.with_path(p),
            None => problem,
        }
    }
}

/// What a caught panic said.
pub(crate) fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string())
}

/// Shared by the reader under the tar parser and the loop driving it.
#[derive(Default)]
struct StreamState {
    /// Bytes handed to the tar parser.
    pos: Cell<u64>,
    /// The stream reached its end.
    eof: Cell<bool>,
    /// Bytes the parser may still read before it returns the next entry.
    budget: Cell<Option<u64>>,
    failure: RefCell<Option<Failure>>,
}

enum Failure {
    /// The stream under the tar parser failed (decompression, I/O).
    Read(String),
    /// The stream ended inside an entry's data.
    Truncated { got: u64, want: u64 },
    /// Header metadata over [`HEADER_BUDGET`].
    HeaderTooLarge,
}

impl StreamState {
    fn fail(&self, failure: Failure) {
        self.failure.borrow_mut().get_or_insert(failure);
    }

    fn failed(&self) -> bool {
        self.failure.borrow().is_some()
    }
}

/// The reader under the tar parser: counts, notices the end and failures, enforces the
/// header budget.
struct Tracked<'a> {
    inner: &'a mut dyn Read,
    state: &'a StreamState,
}

impl Read for Tracked<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let budget = self.state.budget.get();
        let out = match budget {
            Some(0) if !out.is_empty() => {
                self.state.fail(Failure::HeaderTooLarge);
                return Err(io::Error::other("tar header metadata too large"));
            }
            Some(left) => {
                let n = left.min(out.len() as u64) as usize;
                &mut out[..n]
            }
            None => out,
        };
        match self.inner.read(out) {
            Ok(n) => {
                if n == 0 && !out.is_empty() {
                    self.state.eof.set(true);
                }
                self.state.pos.set(self.state.pos.get() + n as u64);
                if let Some(left) = budget {
                    self.state.budget.set(Some(left - n as u64));
                }
                Ok(n)
            }
            Err(e) => {
                if e.kind() != io::ErrorKind::Interrupted {
                    self.state.fail(Failure::Read(e.to_string()));
                }
                Err(e)
            }
        }
    }
}

/// One entry's stored data; an early end is an error (the tar parser would return it short).
struct EntryData<'e, 'a> {
    entry: tar::Entry<'e, Tracked<'a>>,
    state: &'a StreamState,
    want: u64,
    got: u64,
}

impl Read for EntryData<'_, '_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.entry.read(out)?;
        if n == 0 && !out.is_empty() && self.got < self.want {
            self.state.fail(Failure::Truncated {
                got: self.got,
                want: self.want,
            });
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "the archive ends inside this entry ({} of {} bytes)",
                    self.got, self.want
                ),
            ));
        }
        self.got += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records every entry's name and kind and reads its data.
    #[derive(Default)]
    struct Names(Vec<(String, Kind, Vec<u8>)>, bool);

    impl Visitor for Names {
        type Done = ();
        type Stop = ();
        fn entry(&mut self, e: Entry<'_>) {
            if self.1 {
                panic!("visitor blew up");
            }
            let mut data = Vec::new();
            let _ = e.data.read_to_end(&mut data);
            self.0.push((e.shown(), e.kind, data));
        }
        fn settle(&mut self, (): ()) -> Result<(), ()> {
            Ok(())
        }
    }

    fn tar(entries: &[(&str, tar::EntryType, &[u8], Option<&str>)]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (name, kind, data, link) in entries {
            let mut h = tar::Header::new_gnu();
            h.set_path(name).unwrap();
            h.set_entry_type(*kind);
            h.set_size(data.len() as u64);
            if let Some(l) = link {
                h.set_link_name(l).unwrap();
            }
            h.set_cksum();
            b.append(&h, *data).unwrap();
        }
        b.into_inner().unwrap()
    }

    const WALK: Walk<'static> = Walk {
        origin: "in.tar",
        gzip: None,
    };

    #[test]
    fn kinds_are_told_and_only_files_have_data() {
        use tar::EntryType as T;
        let bytes = tar(&[
            ("d/", T::Directory, b"", None),
            ("d/a.log", T::Regular, b"hello\n", None),
            ("d/l", T::Symlink, b"", Some("/etc/passwd")),
            ("d/p", T::Fifo, b"", None),
        ]);
        let mut v = Names::default();
        WALK.run(&mut &bytes[..], &mut v).unwrap();
        let kinds: Vec<&Kind> = v.0.iter().map(|e| &e.1).collect();
        assert_eq!(
            kinds,
            [
                &Kind::Directory,
                &Kind::File,
                &Kind::Symlink(b"/etc/passwd".to_vec()),
                &Kind::Fifo
            ]
        );
        assert_eq!(v.0[1].2, b"hello\n");
        assert_eq!(
            v.0[2].1.not_read().as_deref(),
            Some("symbolic link to /etc/passwd (not followed)")
        );
        assert_eq!(Kind::File.not_read(), None);
    }

    #[test]
    fn a_panic_in_the_visitor_is_the_streams_problem() {
        let bytes = tar(&[("a.log", tar::EntryType::Regular, b"x", None)]);
        let mut v = Names(Vec::new(), true);
        match WALK.run(&mut &bytes[..], &mut v) {
            Err(Stop::Stream(p)) => {
                assert_eq!(p.input, "in.tar");
                assert!(p.message.contains("panic: visitor blew up"), "{p}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn nesting_stops_past_the_limit() {
        assert_eq!(nested(0), Ok(1));
        assert_eq!(nested(MAX_NESTING - 1), Ok(MAX_NESTING));
        assert_eq!(
            nested(MAX_NESTING),
            Err("archive nested 5 levels deep (the limit is 4)".to_string())
        );
    }
}
