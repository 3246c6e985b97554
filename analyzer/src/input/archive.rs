//! Tar streams: our bundles, `bosh logs` tarballs (the nested instance tarballs of the
//! multi-instance output included), plain `.tar`, and a lone `.gz` file given as an archive.
//!
//! Entries go from the tar reader to the sink as streams. Nested archives are read
//! recursively as streams, each a VM of its own. Links, devices and FIFOs are reported, never
//! followed. When the stream fails (truncated, corrupt), what was read has been delivered and
//! one problem says where reading stopped; an archive nested in an intact one that fails stops
//! only itself.

use super::content::{self, Content};
use super::gzip::{gunzip, Counter};
use super::naming::{self, Layout, NameInfo, MANIFEST_CAP};
use super::sniff::{self, describe_prefix, magic, peek, Magic, PEEK};
use super::{loose, readahead, EntryMeta, Problem, Sink, Skipped, VmInfo, MAX_NESTING};
use std::cell::{Cell, RefCell};
use std::fs::{self, File};
use std::io::{self, Read};
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::Path;

/// Bytes the tar reader may consume to produce one entry: its header, long names and pax
/// records. Beyond this an archive is corrupt or hostile (the tar reader would buffer it all).
const HEADER_BUDGET: u64 = 1 << 20;

/// Bytes read after the end-of-archive marker to check the compressed stream's end.
const TRAILER_CAP: u64 = 16 << 20;

/// Reads an archive file: sniffs it, decompresses on a readahead thread, reads the tar.
pub(crate) fn read_file(path: &Path, sink: &dyn Sink) -> Vec<Problem> {
    let origin = path.display().to_string();
    let meta = match fs::metadata(path) {
        Ok(m) => m,
        Err(e) => return vec![Problem::new(origin, format!("cannot read: {e}"))],
    };
    if !meta.is_file() {
        // a pipe or device named as an archive: read it as a stream, sniffing as it goes
        return loose::read_file(path, sink);
    }
    let file = match fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
    {
        Ok(f) => f,
        Err(e) => return vec![Problem::new(origin, format!("cannot open: {e}"))],
    };
    let mut head = [0u8; PEEK];
    let n = match read_head(&file, &mut head) {
        Ok(n) => n,
        Err(e) => return vec![Problem::new(origin, format!("cannot read: {e}"))],
    };
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let names = naming::parse_name(&file_name);
    let top = |compressed| Source {
        origin: origin.clone(),
        names: names.clone(),
        fallback: origin.clone(),
        depth: 0,
        compressed,
    };
    match magic(&head[..n]) {
        Magic::Empty => vec![Problem::new(origin, "empty file (0 bytes): not an archive")],
        Magic::Other => vec![Problem::new(
            origin,
            match sniff::unsupported_format(&head[..n]) {
                Some(format) => {
                    format!("{format} data: not a supported format (gzip-compressed or plain tar)")
                }
                None => format!(
                    "not a gzip or tar archive (it starts with \"{}\")",
                    describe_prefix(&head[..n])
                ),
            },
        )],
        Magic::Tar => match readahead::spawn(file) {
            Ok(mut stream) => read_tar(&mut stream, &top(None), sink).into_problems(),
            Err(e) => vec![Problem::new(
                origin,
                format!("cannot start the reading thread: {e}"),
            )],
        },
        Magic::Gzip => {
            let (decoder, counter) = gunzip(file);
            let stream = match readahead::spawn(decoder) {
                Ok(s) => s,
                Err(e) => {
                    return vec![Problem::new(
                        origin,
                        format!("cannot start the decompression thread: {e}"),
                    )]
                }
            };
            let mut data = peek(stream, PEEK);
            if sniff::is_tar_header(data.prefix()) {
                return read_tar(&mut data, &top(Some(counter)), sink).into_problems();
            }
            if naming::has_archive_ext(&file_name) {
                return vec![match data.error() {
                    Some(e) => Problem::new(
                        origin,
                        format!("gzip data ends early or is corrupt ({e}); offset is in the compressed file"),
                    )
                    .with_offset(counter.get()),
                    None => Problem::new(origin, "the gzip data does not hold a tar archive"),
                }];
            }
            // a lone compressed log (`rep.stdout.log.1.gz`)
            let entry = loose::loose_meta(&origin, Some(&meta));
            loose::deliver(&origin, &origin, entry, &mut data, Some(counter), sink)
        }
    }
}

fn read_head(file: &File, head: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < head.len() {
        match file.read_at(&mut head[filled..], filled as u64) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// One tar stream to read, and what is known of it from outside.
pub(crate) struct Source {
    /// Names the archive in VMs and problems: `input` or `input!nested.tgz`.
    pub origin: String,
    /// Identity and time hints from the archive's own name (and its parents').
    pub names: NameInfo,
    /// The VM's name when neither a manifest nor the name give one.
    pub fallback: String,
    /// 0 for an input, 1 for an archive inside it...
    pub depth: usize,
    /// Compressed bytes consumed, when the tar stream is gzip-compressed.
    pub compressed: Option<Counter>,
}

/// What reading one tar stream found wrong.
#[derive(Default)]
pub(crate) struct Outcome {
    pub problems: Vec<Problem>,
    /// The failure of the stream itself that ended reading early, if any: kept apart so an
    /// enclosing archive whose own stream failed reports it once, as its own.
    pub stream: Option<Problem>,
}

impl Outcome {
    pub(crate) fn into_problems(mut self) -> Vec<Problem> {
        self.problems.extend(self.stream);
        self.problems
    }
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
        let mut slot = self.failure.borrow_mut();
        if slot.is_none() {
            *slot = Some(failure);
        }
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

type TarEntry<'e, 'a> = tar::Entry<'e, Tracked<'a>>;

/// One entry's stored data; an early end is an error (the tar reader would return it short).
struct EntryData<'e, 'a> {
    entry: TarEntry<'e, 'a>,
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

/// Reads one tar stream, delivering its VM(s) and files to the sink.
pub(crate) fn read_tar(reader: &mut dyn Read, src: &Source, sink: &dyn Sink) -> Outcome {
    let state = StreamState::default();
    let mut level = Level::new(src, sink);
    let mut archive = tar::Archive::new(Tracked {
        inner: reader,
        state: &state,
    });
    let mut entries = match archive.entries() {
        Ok(entries) => entries,
        Err(e) => {
            level.outcome.stream = Some(level.stream_problem(&state, Some(&e), None));
            return level.finish();
        }
    };
    loop {
        state.budget.set(Some(HEADER_BUDGET));
        let next = entries.next();
        state.budget.set(None);
        match next {
            None => break,
            Some(Err(e)) => {
                level.outcome.stream = Some(level.stream_problem(&state, Some(&e), None));
                return level.finish();
            }
            Some(Ok(entry)) => {
                if let Err(stop) = level.entry(entry, &state) {
                    level.outcome.stream = Some(stop);
                    return level.finish();
                }
            }
        }
    }
    if state.eof.get() {
        let problem = level.stream_problem(&state, None, None);
        level.outcome.stream = Some(Problem {
            message: format!(
                "the archive ends without its end-of-archive marker: it is probably truncated; offset is in {}",
                level.offset_unit()
            ),
            ..problem
        });
    } else {
        // the rest (padding, the gzip trailer) may still hold a corruption worth reporting
        let mut rest = archive.into_inner();
        if let Err(e) = io::copy(&mut (&mut rest).take(TRAILER_CAP), &mut io::sink()) {
            let problem = level.stream_problem(&state, Some(&e), None);
            level.outcome.stream = Some(Problem {
                message: format!("after the end of the tar archive: {}", problem.message),
                ..problem
            });
        }
    }
    level.finish()
}

/// Reading state of one tar stream: the VM it stands for, announced at its first file.
struct Level<'a> {
    src: &'a Source,
    sink: &'a dyn Sink,
    vm: VmInfo,
    layout: Layout,
    started: bool,
    seen_file: bool,
    nested_any: bool,
    outcome: Outcome,
}

impl<'a> Level<'a> {
    fn new(src: &'a Source, sink: &'a dyn Sink) -> Self {
        Level {
            src,
            sink,
            vm: naming::vm_info(&src.origin, &src.fallback, &src.names, None),
            layout: Layout::Auto,
            started: false,
            seen_file: false,
            nested_any: false,
            outcome: Outcome::default(),
        }
    }

    fn start(&mut self) {
        if !self.started {
            self.started = true;
            self.sink.vm(&self.vm);
        }
    }

    /// A stream holding only nested archives is no VM itself; any other is one, even empty.
    fn finish(mut self) -> Outcome {
        if !self.nested_any {
            self.start();
        }
        self.outcome
    }

    fn skip(&self, norm: &str, reason: String) {
        let path = naming::vm_path(norm, &self.layout);
        self.sink.skipped(Skipped {
            vm: self.vm.identity.name.clone(),
            path,
            reason,
        });
    }

    fn offset_unit(&self) -> &'static str {
        if self.src.compressed.is_some() {
            "the decompressed tar stream"
        } else {
            "the tar data"
        }
    }

    /// The problem that ends reading this stream.
    fn stream_problem(
        &self,
        state: &StreamState,
        tar_error: Option<&io::Error>,
        path: Option<&str>,
    ) -> Problem {
        let pos = state.pos.get();
        let unit = self.offset_unit();
        let (message, offset) = match (&*state.failure.borrow(), &self.src.compressed) {
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
        let problem = Problem::new(&self.src.origin, message).with_offset(offset);
        match path {
            Some(p) => problem.with_path(p),
            None => problem,
        }
    }

    /// Handles one entry; `Err` is the problem that ends this stream.
    fn entry<'s>(
        &mut self,
        entry: TarEntry<'_, 's>,
        state: &'s StreamState,
    ) -> Result<(), Problem> {
        let raw = entry.path_bytes();
        let raw_name = String::from_utf8_lossy(&raw).into_owned();
        let norm = naming::normalize(&raw);
        drop(raw);
        let kind = entry.header().entry_type();
        let mtime = entry
            .header()
            .mtime()
            .ok()
            .and_then(|m| i64::try_from(m).ok());
        let link = entry
            .link_name_bytes()
            .map(|l| String::from_utf8_lossy(&l).into_owned())
            .unwrap_or_default();
        let want = entry.size();
        let mut data = EntryData {
            entry,
            state,
            want,
            got: 0,
        };

        let mut later = None;
        if kind.is_dir() || kind.is_pax_global_extensions() {
            // nothing to read
        } else if kind.is_symlink() {
            self.skip(&norm, format!("symbolic link to {link} (not followed)"));
        } else if kind.is_hard_link() {
            self.skip(&norm, format!("hard link to {link} (not followed)"));
        } else if kind.is_fifo() {
            self.skip(&norm, "FIFO (not a regular file)".to_string());
        } else if kind.is_character_special() || kind.is_block_special() {
            self.skip(&norm, "device file (not a regular file)".to_string());
        } else if kind.is_file() || kind.is_contiguous() || kind.is_gnu_sparse() {
            let meta = EntryMeta {
                path: String::new(),
                archive_name: raw_name.clone(),
                size: Some(want),
                mtime,
            };
            later = self.file(&mut data, &norm, meta);
        } else {
            self.skip(
                &norm,
                format!("unsupported tar entry type {:?}", kind.as_byte() as char),
            );
        }

        // skip what was not read, so the next header is where the parser expects it
        let drained = io::copy(&mut data, &mut io::sink());
        if state.failed() || drained.is_err() {
            return Err(self.stream_problem(state, drained.err().as_ref(), Some(&raw_name)));
        }
        if let Some(problem) = later {
            self.outcome.problems.push(problem);
        }
        Ok(())
    }

    /// A regular file: the manifest, a nested archive, or data for the sink. Returns a problem
    /// to record unless the stream itself failed (then that failure is the problem).
    fn file(
        &mut self,
        data: &mut EntryData<'_, '_>,
        norm: &str,
        mut meta: EntryMeta,
    ) -> Option<Problem> {
        if naming::is_redact_manifest(norm) {
            return None;
        }
        if !self.seen_file {
            self.seen_file = true;
            if let Some(top) = naming::manifest_top(norm) {
                self.layout = Layout::Bundle { top };
                meta.path = naming::vm_path(norm, &self.layout);
                return self.manifest(data, meta);
            }
        }
        let mut content = content::open(data);
        if content.is_archive() {
            return self.nested(&mut content, norm, &meta.archive_name);
        }
        self.start();
        meta.path = naming::vm_path(norm, &self.layout);
        let gzip = content.counter();
        content::deliver(self.sink, &self.vm, &meta, content.reader(), gzip).map(|failed| {
            failed
                .problem(&self.src.origin)
                .with_path(&meta.archive_name)
        })
    }

    /// Our bundle's `manifest.json`: names the VM, then goes to the sink like any file.
    fn manifest(&mut self, data: &mut EntryData<'_, '_>, meta: EntryMeta) -> Option<Problem> {
        let mut head = Vec::new();
        let read = data.take(MANIFEST_CAP + 1).read_to_end(&mut head);
        let origin = &self.src.origin;
        let mut note = |message: String| {
            self.outcome
                .problems
                .push(Problem::new(origin, message).with_path(&meta.archive_name));
        };
        match read {
            Ok(_) if head.len() as u64 <= MANIFEST_CAP => match naming::parse_manifest(&head) {
                Ok((info, warnings)) => {
                    warnings.into_iter().for_each(&mut note);
                    self.vm = naming::vm_info(origin, &self.src.fallback, &self.src.names, Some(&info));
                }
                Err(message) => note(format!("{message}; the VM is named after the archive")),
            },
            Ok(_) => note(format!("manifest.json is over {MANIFEST_CAP} bytes: not parsed; the VM is named after the archive")),
            Err(_) => {} // the stream failed: reported by the caller
        }
        self.start();
        let mut rest = io::Cursor::new(head).chain(data);
        content::deliver(self.sink, &self.vm, &meta, &mut rest, None).map(|failed| {
            failed
                .problem(&self.src.origin)
                .with_path(&meta.archive_name)
        })
    }

    /// An archive inside this one: a VM (or several) of its own, read as a stream.
    fn nested(
        &mut self,
        content: &mut Content<'_>,
        norm: &str,
        archive_name: &str,
    ) -> Option<Problem> {
        self.nested_any = true;
        let depth = self.src.depth + 1;
        if depth > MAX_NESTING {
            self.skip(
                norm,
                format!(
                    "archive nested {depth} levels deep (the limit is {MAX_NESTING}): not read"
                ),
            );
            return None;
        }
        let name = if norm.is_empty() { archive_name } else { norm };
        let origin = format!("{}!{}", self.src.origin, name);
        let child = Source {
            names: naming::parse_name(naming::base_name(name)).inherit(&self.src.names),
            fallback: origin.clone(),
            origin,
            depth,
            compressed: content.counter(),
        };
        let outcome = read_tar(content.reader(), &child, self.sink);
        self.outcome.problems.extend(outcome.problems);
        outcome.stream
    }
}
