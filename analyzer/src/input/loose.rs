//! Loose inputs: a single log file (or a named pipe) and stdin. Each stands for a VM of its
//! own, matched against every signature ([`super::VmInfo::is_loose`]). The stream is peeked,
//! never seeked: gzip data is decompressed, and a tar stream (a bundle piped in) is read as an
//! archive.

use super::archive::{read_tar, Source};
use super::content;
use super::gzip::Counter;
use super::naming::{self, NameInfo};
use super::{EntryMeta, Problem, Sink};
use std::fs::{self, Metadata};
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::Path;

/// Reads one file named by the user as a log. A FIFO or device is read as the stream it is
/// (the user asked for it: `analyze <(zcat x.gz)`); a regular file is opened non-blocking.
pub(crate) fn read_file(path: &Path, sink: &dyn Sink) -> Vec<Problem> {
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
    let mut options = fs::OpenOptions::new();
    options.read(true);
    if meta.is_file() {
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = match options.open(path) {
        Ok(f) => f,
        Err(e) => return vec![Problem::new(origin, format!("cannot open: {e}"))],
    };
    let names = path
        .file_name()
        .map(|n| naming::parse_name(&n.to_string_lossy()))
        .unwrap_or_default();
    let entry = loose_meta(&origin, meta.is_file().then_some(&meta));
    read_stream(&origin, &origin, names, entry, file, sink)
}

/// Reads standard input: VM `stdin`, input `-`.
pub(crate) fn read_stdin(sink: &dyn Sink) -> Vec<Problem> {
    let entry = loose_meta("-", None);
    read_stream(
        "-",
        "stdin",
        NameInfo::default(),
        entry,
        io::stdin().lock(),
        sink,
    )
}

/// The entry a loose input delivers: named after its path (from `var/vcap/` on, when the path
/// has it, else its file name); `stdin` for stdin.
pub(crate) fn loose_meta(origin: &str, meta: Option<&Metadata>) -> EntryMeta {
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

fn read_stream(
    origin: &str,
    name: &str,
    names: NameInfo,
    entry: EntryMeta,
    mut reader: impl Read,
    sink: &dyn Sink,
) -> Vec<Problem> {
    let mut content = content::open(&mut reader);
    if content.is_archive() {
        let src = Source {
            origin: origin.to_string(),
            names,
            fallback: name.to_string(),
            depth: 0,
            compressed: content.counter(),
        };
        return read_tar(content.reader(), &src, sink).into_problems();
    }
    let gzip = content.counter();
    deliver(origin, name, entry, content.reader(), gzip, sink)
}

/// Delivers one loose stream as a VM of its own.
pub(crate) fn deliver(
    origin: &str,
    name: &str,
    entry: EntryMeta,
    data: &mut dyn Read,
    gzip: Option<Counter>,
    sink: &dyn Sink,
) -> Vec<Problem> {
    let vm = naming::loose_vm(origin, name);
    sink.vm(&vm);
    content::deliver(sink, &vm, &entry, data, gzip)
        .map(|failed| failed.problem(origin))
        .into_iter()
        .collect()
}
