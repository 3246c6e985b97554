//! `vcap-analyze redact IN OUT`: a redacted copy of a bundle we did not make.
//!
//! What IN may be, and what OUT then is (the format follows the input, whatever OUT's name):
//!
//! | IN                                                   | OUT                                   |
//! |------------------------------------------------------|---------------------------------------|
//! | `.tgz` / `.tar.gz` (`bosh logs`, `logs_<epoch>.tgz`, our bundle) | `.tgz`, same entries          |
//! | plain `.tar`                                         | plain `.tar`, same entries            |
//! | a directory `DIR`                                    | `.tgz` (`.tar` if OUT ends in `.tar`) with entries `DIR/...` |
//! | a log file                                           | the redacted log file                 |
//! | a gzip-compressed log (`rep.stdout.log.1.gz`)        | the redacted log, gzip-compressed     |
//!
//! Every entry keeps its name, its mode, owner and mtime, and its place: nested archives are
//! redacted entry by entry and nested again, rotated `.gz` logs are decompressed, redacted
//! and compressed again under the same name, directories and symbolic links are copied as
//! they are (never followed). Binary files that are not gzip (keystores, DER keys, core
//! files), FIFOs and devices are left out and listed. An archive gets one extra entry at its
//! root, [`MANIFEST_NAME`], the last one (see
//! [`manifest`](super::manifest)).
//!
//! Our own bundle's `manifest.json` is redacted as data rather than as text, so that its
//! counts by kind survive (see `bundle_manifest`): a copy of our bundle reads as the same VM.
//!
//! Safety of the output: it is written to a temporary file (mode 0600) beside OUT, synced,
//! then renamed to OUT; on any failure the temporary file is removed and OUT is not touched.
//! An input that cannot be read whole (truncated or corrupt archive) is a failure: a partial
//! copy is never left behind. A single corrupt member inside an intact archive (a truncated
//! rotated `.gz`, a corrupt nested tarball) is left out and listed instead.
//!
//! Streaming and layout: see `tarcopy` (why the tar is walked here rather than through the
//! input reader's `Sink`, and how spools keep memory bounded).

use super::manifest::{Action, FileRecord, RedactManifest, MANIFEST_NAME};
use super::tarcopy::{entry_fail, Copier, EntryFail, Stop};
use super::tarwrite::{append, with};
use crate::input::capture::Capture;
use crate::input::classify::{classify, Kind};
use crate::interrupt::PartFile;
use flate2::write::GzEncoder;
use flate2::Compression;
use redact::gate::GateWriter;
use redact::mask::{MaskWriter, Masker};
use redact::{FileKind, Redactor};
use std::fs::{self, File, Permissions};
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use tar::{Builder, EntryType, Header, HeaderMode};
use walkdir::WalkDir;

/// What went wrong; nothing was written to OUT.
#[derive(Debug, thiserror::Error)]
pub enum RedactError {
    /// The input (or its archive stream) could not be read whole.
    #[error("{input}: {message}")]
    Unreadable { input: String, message: String },
    /// The copy could not be written.
    #[error("{output}: cannot write: {source}")]
    Output {
        output: String,
        #[source]
        source: io::Error,
    },
    /// IN and OUT do not make sense together.
    #[error("{0}")]
    Usage(String),
}

/// What IN was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// A tar stream, gzip-compressed or not.
    Archive {
        gzip: bool,
    },
    Directory,
    /// A single log file, gzip-compressed or not.
    LogFile {
        gzip: bool,
    },
}

/// A finished copy.
#[derive(Debug)]
pub struct Redacted {
    /// Where the copy was written (OUT, or `OUT/<name of IN>` when OUT is a directory).
    pub output: PathBuf,
    pub kind: InputKind,
    /// What was redacted and dropped; stored in the copy when it is an archive.
    pub manifest: RedactManifest,
}

/// Writes a redacted copy of `input` to `output` (see the module docs).
pub fn redact(input: &Path, output: &Path) -> Result<Redacted, RedactError> {
    redact_masked(input, output, None)
}

/// [`redact()`], with host names, addresses and user names also replaced by the tokens of
/// `mask` (`--mask`; see [`redact::mask`]): in every entry's content, name and link target,
/// in the input's name as recorded, and in our bundle's `manifest.json`.
pub fn redact_masked(
    input: &Path,
    output: &Path,
    mask: Option<&Masker>,
) -> Result<Redacted, RedactError> {
    let shown = input.display().to_string();
    let unreadable = |message: String| RedactError::Unreadable {
        input: shown.clone(),
        message,
    };
    let meta = fs::metadata(input).map_err(|e| unreadable(format!("cannot read: {e}")))?;
    if !meta.is_dir() && !meta.is_file() {
        return Err(RedactError::Usage(format!(
            "{shown}: not a regular file or a directory"
        )));
    }
    let output = resolve_output(input, output, meta.is_dir())?;
    let out_err = |source: io::Error| RedactError::Output {
        output: output.display().to_string(),
        source,
    };
    let dir = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    // Ctrl-C must not leave the hidden partial file behind (removed on drop otherwise).
    let tmp = PartFile::create_in(
        tempfile::Builder::new()
            .prefix(".vcap-redact-")
            .suffix(".part"),
        dir,
    )
    .map_err(&out_err)?;
    tmp.as_file()
        .set_permissions(Permissions::from_mode(0o600))
        .map_err(&out_err)?;

    let redactor = Redactor::new();
    let mut copier = Copier {
        redactor: &redactor,
        spool_dir: dir,
        records: Vec::new(),
        mask,
    };
    let name = String::from_utf8_lossy(&copier.masked(file_name(input).into_bytes())).into_owned();
    let stop = |s: Stop| match s {
        Stop::Stream(m) => unreadable(m),
        Stop::Write(e) => out_err(e),
    };
    // the manifest stored in an archive; a single log file has none stored
    let mut stored = None;
    let kind = if meta.is_dir() {
        let gzip = !output.to_string_lossy().ends_with(".tar");
        let top = fs::canonicalize(input)
            .ok()
            .and_then(|p| p.file_name().map(|n| n.to_os_string()));
        let top = copier.masked(top.map_or_else(|| b"bundle".to_vec(), |n| n.as_bytes().to_vec()));
        stored = Some(
            write_archive(tmp.as_file(), gzip, &mut copier, &name, |b, c| {
                tree(input, &top, b, c)
            })
            .map_err(stop)?,
        );
        InputKind::Directory
    } else {
        let file = File::open(input).map_err(|e| unreadable(format!("cannot open: {e}")))?;
        let mut data = classify(BufReader::with_capacity(256 << 10, file));
        let counter = data.gzip().cloned();
        let gzip = counter.is_some();
        let compressed = if gzip { "gzip-compressed " } else { "" };
        match data.kind() {
            Kind::Tar => {
                stored = Some(
                    write_archive(tmp.as_file(), gzip, &mut copier, &name, |b, c| {
                        c.copy_tar(&mut data, counter.as_ref(), b, "", 0)
                    })
                    .map_err(stop)?,
                );
                InputKind::Archive { gzip }
            }
            _ if gzip && data.prefix().is_empty() && data.error().is_some() => {
                let e = data.error().unwrap_or_default();
                return Err(unreadable(format!("corrupt gzip data ({e})")));
            }
            Kind::Unsupported(format) => {
                return Err(unreadable(format!("{format} data: not a supported format (a directory, a tar or gzip archive, or a log file)")));
            }
            Kind::Binary => {
                return Err(unreadable(format!(
                    "{compressed}binary data: neither a log nor a tar archive"
                )));
            }
            Kind::Text => {
                copier.records.push(
                    log_file(&redactor, mask, data, tmp.as_file(), gzip, &name)
                        .map_err(|f| fail(f, &unreadable, &out_err))?,
                );
                InputKind::LogFile { gzip }
            }
        }
    };
    tmp.as_file().sync_all().map_err(&out_err)?;
    tmp.persist(&output).map_err(&out_err)?;
    let manifest = stored.unwrap_or_else(|| RedactManifest::new(name, copier.records));
    Ok(Redacted {
        output,
        kind,
        manifest,
    })
}

fn fail(
    f: EntryFail,
    unreadable: &dyn Fn(String) -> RedactError,
    out_err: &dyn Fn(io::Error) -> RedactError,
) -> RedactError {
    match f {
        EntryFail::Content(m) => unreadable(m),
        EntryFail::Write(e) => out_err(e),
    }
}

/// OUT as given, or `OUT/<name of IN>` (`.tgz` added for a directory) when OUT is a
/// directory. Refuses to overwrite IN or to write inside the directory being copied.
fn resolve_output(input: &Path, output: &Path, input_is_dir: bool) -> Result<PathBuf, RedactError> {
    let mut out = output.to_path_buf();
    if output.is_dir() {
        let mut name = file_name(input);
        if input_is_dir {
            name.push_str(".tgz");
        }
        out = output.join(name);
    }
    let canon_in = fs::canonicalize(input).ok();
    if canon_in.is_some() && fs::canonicalize(&out).ok() == canon_in {
        return Err(RedactError::Usage(format!(
            "{}: OUT is the input itself; give another path",
            out.display()
        )));
    }
    if input_is_dir {
        let parent = out
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if let (Ok(p), Some(i)) = (fs::canonicalize(parent), &canon_in) {
            if p.starts_with(i) {
                return Err(RedactError::Usage(format!(
                    "{}: OUT is inside the directory being redacted; write it elsewhere",
                    out.display()
                )));
            }
        }
    }
    Ok(out)
}

fn file_name(p: &Path) -> String {
    let named = |p: &Path| p.file_name().map(|n| n.to_string_lossy().into_owned());
    named(p)
        .or_else(|| fs::canonicalize(p).ok().and_then(|c| named(&c)))
        .unwrap_or_else(|| "input".to_string())
}

/// The output file, compressed or not.
enum OutStream<'f> {
    Plain(BufWriter<&'f File>),
    Gzip(Box<GzEncoder<BufWriter<&'f File>>>),
}

impl<'f> OutStream<'f> {
    fn new(file: &'f File, gzip: bool) -> Self {
        let w = BufWriter::with_capacity(256 << 10, file);
        if gzip {
            OutStream::Gzip(Box::new(GzEncoder::new(w, Compression::default())))
        } else {
            OutStream::Plain(w)
        }
    }

    fn finish(self) -> io::Result<()> {
        match self {
            OutStream::Plain(mut w) => w.flush(),
            OutStream::Gzip(g) => g.finish()?.flush(),
        }
    }
}

impl Write for OutStream<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            OutStream::Plain(w) => w.write(buf),
            OutStream::Gzip(g) => g.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            OutStream::Plain(w) => w.flush(),
            OutStream::Gzip(g) => g.flush(),
        }
    }
}

/// An archive: the entries `fill` copies, then the redaction manifest, then the end. Returns
/// the manifest stored.
fn write_archive(
    file: &File,
    gzip: bool,
    copier: &mut Copier<'_>,
    input_name: &str,
    fill: impl FnOnce(&mut Builder<OutStream<'_>>, &mut Copier<'_>) -> Result<(), Stop>,
) -> Result<RedactManifest, Stop> {
    let mut b = Builder::new(OutStream::new(file, gzip));
    fill(&mut b, copier)?;
    let manifest = RedactManifest::new(input_name.to_string(), std::mem::take(&mut copier.records));
    let mut json =
        serde_json::to_vec_pretty(&manifest).map_err(|e| Stop::Write(io::Error::other(e)))?;
    json.push(b'\n');
    let mut h = Header::new_gnu();
    h.set_mode(0o644);
    h.set_mtime(manifest.redacted_at.as_second().max(0) as u64);
    let h = with(&h, EntryType::Regular, json.len() as u64);
    append(&mut b, h, MANIFEST_NAME.as_bytes(), None, &mut &json[..]).map_err(Stop::Write)?;
    b.into_inner()
        .and_then(OutStream::finish)
        .map_err(Stop::Write)?;
    Ok(manifest)
}

/// One log file, redacted (and compressed again when it was).
fn log_file(
    redactor: &Redactor,
    mask: Option<&Masker>,
    data: impl Read,
    file: &File,
    gzip: bool,
    name: &str,
) -> Result<FileRecord, EntryFail> {
    let mut src = Capture::new(data);
    let mut out = MaskWriter::new(mask, GateWriter::new(OutStream::new(file, gzip)));
    let kind = FileKind::detect(name, b"");
    let (stats, hit) = redactor
        .redact_reader_as(kind, &mut src, &mut out, bundle::MAX_LINE)
        .and_then(|stats| {
            let (out, hit, _) = out.finish()?.finish();
            out.finish().map(|()| (stats, hit))
        })
        .map_err(|e| entry_fail(&src, e))?;
    if let Some(hit) = hit {
        // Nothing of it is kept: the output file is emptied.
        file.set_len(0).map_err(EntryFail::Write)?;
        return Ok(super::tarcopy::withheld(name.to_string(), hit));
    }
    Ok(FileRecord {
        bytes: Some(src.bytes),
        redactions: stats.redactions,
        by_kind: stats
            .by_kind
            .iter()
            .map(|(k, v)| (k.to_string(), *v))
            .collect(),
        leak_scan_hits: stats.leak_scan_hits,
        ..FileRecord::new(
            name.to_string(),
            if gzip {
                Action::Regzipped
            } else {
                Action::Redacted
            },
        )
    })
}

/// A directory as entries `<top>/...`, sorted by name, links not followed.
fn tree<W: Write>(
    root: &Path,
    top: &[u8],
    out: &mut Builder<W>,
    c: &mut Copier<'_>,
) -> Result<(), Stop> {
    for item in WalkDir::new(root).follow_links(false).sort_by_file_name() {
        let item = match item {
            Ok(item) => item,
            Err(e) => {
                let rel = e
                    .path()
                    .and_then(|p| p.strip_prefix(root).ok())
                    .map(|p| p.display().to_string())
                    .unwrap_or_default();
                c.records.push(FileRecord::dropped(
                    rel,
                    format!("unreadable, not stored: {e}"),
                ));
                continue;
            }
        };
        let rel = item.path().strip_prefix(root).unwrap_or(item.path());
        let mut name = top.to_vec();
        if !rel.as_os_str().is_empty() {
            name.push(b'/');
            name.extend_from_slice(rel.as_os_str().as_bytes());
        }
        let shown = String::from_utf8_lossy(&name).into_owned();
        let meta = match item.metadata() {
            Ok(m) => m,
            Err(e) => {
                c.records.push(FileRecord::dropped(
                    shown,
                    format!("unreadable, not stored: {e}"),
                ));
                continue;
            }
        };
        let mut template = Header::new_gnu();
        template.set_metadata_in_mode(&meta, HeaderMode::Complete);
        let ft = item.file_type();
        let result = if ft.is_dir() {
            name.push(b'/');
            append(
                out,
                with(&template, EntryType::Directory, 0),
                &name,
                None,
                &mut io::empty(),
            )
            .map_err(EntryFail::Write)
        } else if ft.is_symlink() {
            match fs::read_link(item.path()) {
                Ok(target) => append(
                    out,
                    with(&template, EntryType::Symlink, 0),
                    &name,
                    Some(target.as_os_str().as_bytes()),
                    &mut io::empty(),
                )
                .map_err(EntryFail::Write),
                Err(e) => Err(EntryFail::Content(e.to_string())),
            }
        } else if ft.is_file() {
            file(item.path(), &name, shown.clone(), &template, c, out)
        } else {
            c.records.push(FileRecord::dropped(
                shown.clone(),
                format!("{}, not a regular file", special_name(ft)),
            ));
            Ok(())
        };
        match result {
            Ok(()) => {}
            Err(EntryFail::Write(e)) => return Err(Stop::Write(e)),
            Err(EntryFail::Content(m)) => c.records.push(FileRecord::dropped(
                shown,
                format!("unreadable, not stored: {m}"),
            )),
        }
    }
    Ok(())
}

/// One regular file of a directory: opened without following a link nor blocking on a FIFO
/// swapped in since the walk, and checked again.
fn file<W: Write>(
    path: &Path,
    name: &[u8],
    shown: String,
    template: &Header,
    c: &mut Copier<'_>,
    out: &mut Builder<W>,
) -> Result<(), EntryFail> {
    let f = fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
        .map_err(|e| EntryFail::Content(format!("cannot open: {e}")))?;
    match f.metadata() {
        Ok(m) if m.is_file() => {}
        Ok(_) => return Err(EntryFail::Content("no longer a regular file".into())),
        Err(e) => return Err(EntryFail::Content(e.to_string())),
    }
    c.regular(
        out,
        name,
        shown,
        template,
        &mut BufReader::with_capacity(256 << 10, f),
        0,
    )
}

fn special_name(ft: fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if ft.is_fifo() {
        "a FIFO"
    } else if ft.is_socket() {
        "a socket"
    } else if ft.is_char_device() || ft.is_block_device() {
        "a device file"
    } else {
        "not a file"
    }
}
