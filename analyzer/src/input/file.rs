//! Inputs that are one stream: a file named on the command line (an archive or a log, a
//! named pipe) and stdin. The stream is classified once (`classify`; read ahead on its own
//! thread or inline, as the caller's [`Decompress`] says): a tar stream is walked as an
//! archive (`archive`), anything else is one loose file standing for a VM of its own,
//! matched against every signature ([`VmInfo::is_loose`](super::VmInfo::is_loose)): a
//! log, gzip-compressed or not.
//!
//! An input `discover` took for an archive (by its magic bytes or its name) that holds no
//! tar stream is reported as what it is (empty, another format, broken gzip), not read as
//! a log.

use super::archive::{read_archive, Source};
use super::classify::{classify_owned, Kind, Stream};
use super::deliver::deliver;
use super::naming::{self, NameInfo};
use super::problem::Problem;
use super::readahead::Decompress;
use super::sink::{EntryMeta, Sink};
use super::sniff::describe_prefix;
use std::fs::{self, Metadata};
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::Path;

/// How the user gave a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Named {
    /// As an archive: a stream that holds none is a problem.
    Archive,
    /// As a log (or stdin): any stream is read.
    Log,
}

/// Reads one file. A FIFO or device is read as the stream it is (the user asked for it:
/// `analyze <(zcat x.gz)`); a regular file is opened non-blocking.
pub(crate) fn read_file(
    path: &Path,
    named: Named,
    sink: &dyn Sink,
    how: Decompress,
) -> Vec<Problem> {
    let origin = path.display().to_string();
    let meta = match fs::metadata(path) {
        Ok(m) => m,
        Err(e) => return vec![Problem::new(origin, format!("cannot read: {e}"))],
    };
    if meta.is_dir() {
        return vec![Problem::new(origin, "is a directory, not a file")];
    }
    if meta.file_type().is_socket() {
        return vec![Problem::new(origin, "is a socket, not a file")];
    }
    // a pipe or device named as an archive is read as a stream, whatever it holds
    let named = if meta.is_file() { named } else { Named::Log };
    let mut options = fs::OpenOptions::new();
    options.read(true);
    if meta.is_file() {
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = match options.open(path) {
        Ok(f) => f,
        Err(e) => return vec![Problem::new(origin, format!("cannot open: {e}"))],
    };
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let one = One {
        origin: &origin,
        name: &origin,
        names: naming::parse_name(&file_name),
        entry: loose_meta(&origin, meta.is_file().then_some(&meta)),
        named,
        file_name: &file_name,
    };
    one.read(file, sink, how)
}

/// Reads standard input: VM `stdin`, input `-`.
pub(crate) fn read_stdin(sink: &dyn Sink, how: Decompress) -> Vec<Problem> {
    let one = One {
        origin: "-",
        name: "stdin",
        names: NameInfo::default(),
        entry: loose_meta("-", None),
        named: Named::Log,
        file_name: "",
    };
    one.read(io::stdin(), sink, how)
}

/// The entry a loose input delivers: named after its path (from `var/vcap/` on, when the path
/// has it, else its file name); `stdin` for stdin.
fn loose_meta(origin: &str, meta: Option<&Metadata>) -> EntryMeta {
    EntryMeta {
        path: if origin == "-" {
            "stdin".to_string()
        } else {
            naming::loose_path(origin)
        },
        archive_name: origin.to_string(),
        size: meta.map(Metadata::len),
        mtime: meta.map(MetadataExt::mtime),
    }
}

/// One stream and what is known of it from outside.
struct One<'a> {
    origin: &'a str,
    /// The VM's name when it is a loose file (or an archive naming no VM).
    name: &'a str,
    names: NameInfo,
    entry: EntryMeta,
    named: Named,
    file_name: &'a str,
}

impl One<'_> {
    fn read(
        self,
        raw: impl Read + Send + 'static,
        sink: &dyn Sink,
        how: Decompress,
    ) -> Vec<Problem> {
        let mut stream = match classify_owned(raw, how) {
            Ok(s) => s,
            Err(e) => {
                return vec![Problem::new(
                    self.origin,
                    format!("cannot start the reading thread: {e}"),
                )]
            }
        };
        if stream.is_archive() {
            let src = Source {
                origin: self.origin.to_string(),
                names: self.names,
                fallback: self.name.to_string(),
                depth: 0,
            };
            return read_archive(&mut stream, &src, sink).into_problems();
        }
        if self.named == Named::Archive {
            if let Some(problem) = self.not_an_archive(&stream) {
                return vec![problem];
            }
        }
        let vm = naming::loose_vm(self.origin, self.name);
        sink.vm(&vm);
        let gzip = stream.gzip().cloned();
        // Pasted text: JSON records a terminal wrapped are rejoined.
        let mut text = super::unwrap::Unwrap::new(stream.reader());
        deliver(sink, &vm, &self.entry, &mut text, gzip)
            .map(|failed| failed.problem(self.origin))
            .into_iter()
            .collect()
    }

    /// Why a file given as an archive holding no tar stream is not read, unless it is a
    /// lone compressed log (`rep.stdout.log.1.gz`), which is.
    fn not_an_archive(&self, stream: &Stream<'_>) -> Option<Problem> {
        let origin = self.origin;
        let problem = |message: String| Some(Problem::new(origin, message));
        match (stream.gzip(), stream.kind()) {
            (Some(_), _) if !naming::has_archive_ext(self.file_name) => None,
            (Some(counter), _) => match stream.error() {
                Some(e) => Some(
                    Problem::new(
                        origin,
                        format!("gzip data ends early or is corrupt ({e}); offset is in the compressed file"),
                    )
                    .with_offset(counter.get()),
                ),
                None => problem("the gzip data does not hold a tar archive".to_string()),
            },
            (None, _) if stream.prefix().is_empty() && stream.error().is_none() => {
                problem("empty file (0 bytes): not an archive".to_string())
            }
            (None, Kind::Unsupported(format)) => problem(format!(
                "{format} data: not a supported format (gzip-compressed or plain tar)"
            )),
            (None, _) => problem(format!(
                "not a gzip or tar archive (it starts with \"{}\")",
                describe_prefix(stream.prefix())
            )),
        }
    }
}
