//! Tar streams as VMs: our bundles, `bosh logs` tarballs (the nested instance tarballs of the
//! multi-instance output included), plain `.tar`. The tar walker (`walk`) hands over the
//! entries; here they become VM files: the first `manifest.json` names the VM, names are
//! mapped to VM paths (`naming`), each file is classified (`classify`) and delivered
//! decompressed, a nested archive is read recursively as a VM of its own, links, devices
//! and FIFOs are reported as skipped. When the stream fails (truncated, corrupt), what was
//! read has been delivered and one problem says where reading stopped; an archive nested in
//! an intact one that fails stops only itself.

use super::classify::{classify, Kind, Stream};
use super::deliver::deliver;
use super::gzip::Counter;
use super::naming::{self, Layout, NameInfo, MANIFEST_CAP};
use super::problem::Problem;
use super::sink::{EntryMeta, Sink, Skipped, VmInfo};
use super::walk::{self, Entry, Visitor, Walk};
use std::io::{self, Read};

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

/// Reads an archive stream ([`Stream::is_archive`]) as VMs: the one place container formats
/// are dispatched, for inputs, directories and nested archives alike. A new container format
/// is a kind in `classify` and a walker beside `walk` that this calls with the same visitor.
pub(crate) fn read_archive(stream: &mut Stream<'_>, src: &Source, sink: &dyn Sink) -> Outcome {
    let gzip = stream.gzip().cloned();
    match stream.kind() {
        Kind::Tar => read_tar(stream.reader(), gzip.as_ref(), src, sink),
        other => Outcome {
            problems: Vec::new(),
            stream: Some(Problem::new(
                &src.origin,
                format!("not an archive ({other:?}): not read"),
            )),
        },
    }
}

/// Reads one tar stream (gzip data when `gzip` counts its compressed bytes), delivering its
/// VM(s) and files to the sink.
fn read_tar(
    reader: &mut dyn Read,
    gzip: Option<&Counter>,
    src: &Source,
    sink: &dyn Sink,
) -> Outcome {
    let mut level = Level::new(src, sink);
    let walk = Walk {
        origin: &src.origin,
        gzip,
    };
    match walk.run(reader, &mut level) {
        Ok(()) => {}
        Err(walk::Stop::Stream(problem)) => level.outcome.stream = Some(problem),
        Err(walk::Stop::Visitor(never)) => match never {},
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

    /// A regular file: the manifest, a nested archive, or data for the sink. Returns a problem
    /// to record unless the stream itself failed (then that failure is the problem).
    fn file(&mut self, data: &mut dyn Read, norm: &str, mut meta: EntryMeta) -> Option<Problem> {
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
        let mut content = classify(data);
        if content.is_archive() {
            return self.nested(&mut content, norm, &meta.archive_name);
        }
        self.start();
        meta.path = naming::vm_path(norm, &self.layout);
        let gzip = content.gzip().cloned();
        deliver(self.sink, &self.vm, &meta, content.reader(), gzip).map(|failed| {
            failed
                .problem(&self.src.origin)
                .with_path(&meta.archive_name)
        })
    }

    /// Our bundle's `manifest.json`: names the VM, then goes to the sink like any file.
    fn manifest(&mut self, data: &mut dyn Read, meta: EntryMeta) -> Option<Problem> {
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
            Err(_) => {} // the stream failed: reported by the walker
        }
        self.start();
        let mut rest = io::Cursor::new(head).chain(data);
        deliver(self.sink, &self.vm, &meta, &mut rest, None).map(|failed| {
            failed
                .problem(&self.src.origin)
                .with_path(&meta.archive_name)
        })
    }

    /// An archive inside this one: a VM (or several) of its own, read as a stream.
    fn nested(
        &mut self,
        content: &mut Stream<'_>,
        norm: &str,
        archive_name: &str,
    ) -> Option<Problem> {
        self.nested_any = true;
        let depth = match walk::nested(self.src.depth) {
            Ok(depth) => depth,
            Err(why) => {
                self.skip(norm, format!("{why}: not read"));
                return None;
            }
        };
        let name = if norm.is_empty() { archive_name } else { norm };
        let origin = format!("{}!{}", self.src.origin, name);
        let child = Source {
            names: naming::parse_name(naming::base_name(name)).inherit(&self.src.names),
            fallback: origin.clone(),
            origin,
            depth,
        };
        let outcome = read_archive(content, &child, self.sink);
        self.outcome.problems.extend(outcome.problems);
        outcome.stream
    }
}

impl Visitor for Level<'_> {
    /// A problem with the entry, recorded once the stream is known to have held.
    type Done = Option<Problem>;
    type Stop = std::convert::Infallible;

    fn entry(&mut self, entry: Entry<'_>) -> Option<Problem> {
        let norm = naming::normalize(&entry.name);
        if let Some(reason) = entry.kind.not_read() {
            self.skip(&norm, reason);
            return None;
        }
        if entry.kind != walk::Kind::File {
            return None; // a directory, metadata: nothing to read
        }
        let meta = EntryMeta {
            path: String::new(),
            archive_name: entry.shown(),
            size: Some(entry.size),
            mtime: entry.mtime,
        };
        self.file(entry.data, &norm, meta)
    }

    fn settle(&mut self, done: Option<Problem>) -> Result<(), Self::Stop> {
        self.outcome.problems.extend(done);
        Ok(())
    }
}
