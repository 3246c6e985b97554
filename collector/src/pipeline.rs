//! The copy pipeline, three stages with plain data between them:
//!
//! 1. the *preparer* (the calling thread) takes planned items in order, copies each file
//!    through the redactor into a spool, applies `--max-total`, and cuts the entry's tar
//!    bytes into chunks;
//! 2. *compressors* (`--threads`) turn chunks into gzip members, in parallel, even for one
//!    large file;
//! 3. the *writer* puts members back in order, applies the free-space guard (counting the
//!    final assembly's copy of the whole body), and appends them to the body; an entry
//!    refused part way is rolled back whole, so the body is always a valid sequence of tar
//!    entries.
//!
//! A spool or body write that fails for lack of space stops collection like the guard does:
//! the remaining files are recorded as over budget, never as unreadable.

use crate::archive;
use crate::commands::Ran;
use crate::copy::prepare;
use crate::guard::FreeSpace;
use crate::plan::{Candidate, Item};
use bundle::manifest::{CommandRecord, CommandStatus, FileRecord, FileStatus};
use redact::Redactor;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Shared stop conditions.
pub struct Stops<'a> {
    /// Set by SIGTERM/SIGINT/SIGHUP.
    pub signal: &'a AtomicBool,
    /// Set by the writer when the output filesystem is nearly full or a write failed.
    pub halt: AtomicBool,
    pub started: Instant,
    pub max_duration: Duration,
}

impl Stops<'_> {
    /// Why collection must stop now, if it must.
    pub fn why(&self) -> Option<&'static str> {
        if self.signal.load(Ordering::Relaxed) {
            Some("interrupted by a signal")
        } else if self.started.elapsed() > self.max_duration {
            Some("--max-duration reached")
        } else {
            None
        }
    }
}

/// What the pipeline settles for each item, in plan order, and why it stopped early.
pub struct Written {
    pub files: Vec<FileRecord>,
    pub commands: Vec<CommandRecord>,
    pub reasons: Vec<String>,
    /// Every entry in the body, in body order, with the body length after it: the final
    /// assembly can drop entries from the end when the bundle does not fit.
    pub stored: Vec<Stored>,
}

/// One entry of the body: whose record it is and where it ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stored {
    pub record: RecordRef,
    /// Body length after this entry.
    pub end: u64,
}

/// An index into [`Written::files`] or [`Written::commands`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordRef {
    File(usize),
    Command(usize),
}

/// Limits and places the pipeline needs.
pub struct Settings<'a> {
    pub threads: usize,
    pub max_file_size: u64,
    pub max_total: u64,
    pub spool_dir: &'a Path,
    /// The bundle's top directory.
    pub stem: &'a str,
}

enum Rec {
    File(FileRecord),
    Command(CommandRecord),
}

enum Done {
    Chunk { seq: u64, idx: u32, member: Vec<u8> },
    Finish { seq: u64, chunks: u32, rec: Rec },
}

/// Runs the pipeline over the command outputs then the planned items, appending to `body`.
pub fn run(
    ran: Vec<Ran>,
    items: Vec<Item>,
    set: &Settings,
    stops: &Stops,
    redactor: &Redactor,
    free: &FreeSpace,
    body: &mut File,
) -> Written {
    let threads = set.threads.max(1);
    let (chunk_tx, chunk_rx) = sync_channel::<(u64, u32, Vec<u8>)>(threads * 2);
    let chunk_rx = Mutex::new(chunk_rx);
    let (done_tx, done_rx) = sync_channel::<Done>(threads * 4);
    std::thread::scope(|s| {
        for _ in 0..threads {
            let (done_tx, chunk_rx) = (done_tx.clone(), &chunk_rx);
            s.spawn(move || loop {
                let next = chunk_rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
                let Ok((seq, idx, chunk)) = next else { return };
                // Compression of bytes in memory cannot fail short of allocation failure.
                let member = archive::compress(&chunk).expect("gzip into memory");
                if done_tx.send(Done::Chunk { seq, idx, member }).is_err() {
                    return;
                }
            });
        }
        let writer = s.spawn(move || write_body(done_rx, body, free, stops));
        let mut p = Preparer {
            set,
            stops,
            redactor,
            chunk_tx,
            done_tx,
            seq: 0,
            stored: 0,
            budget_hit: false,
            spool_full: None,
        };
        for r in ran {
            p.command(r);
        }
        for item in items {
            p.item(item);
        }
        let (budget_hit, spool_full) = (p.budget_hit, p.spool_full.take());
        drop(p); // closes the channels: compressors and writer finish
        let mut w = writer.join().expect("writer thread panicked");
        if budget_hit {
            w.reasons
                .push(format!("--max-total of {} bytes reached", set.max_total));
        }
        w.reasons.extend(spool_full);
        if let Some(why) = stops.why() {
            w.reasons.push(why.to_string());
        }
        w
    })
}

struct Preparer<'a> {
    set: &'a Settings<'a>,
    stops: &'a Stops<'a>,
    redactor: &'a Redactor,
    chunk_tx: SyncSender<(u64, u32, Vec<u8>)>,
    done_tx: SyncSender<Done>,
    seq: u64,
    /// Uncompressed bytes handed on so far.
    stored: u64,
    budget_hit: bool,
    /// Why copying stopped when a spool could not be written (the output filesystem is full).
    spool_full: Option<String>,
}

impl Preparer<'_> {
    fn finish(&mut self, chunks: u32, rec: Rec) {
        let _ = self.done_tx.send(Done::Finish {
            seq: self.seq,
            chunks,
            rec,
        });
        self.seq += 1;
    }

    /// Cuts an entry into chunks for the compressors; returns how many.
    fn chunks(
        &mut self,
        name: &str,
        mtime: i64,
        size: u64,
        data: &mut dyn io::Read,
    ) -> io::Result<u32> {
        let (seq, tx) = (self.seq, &self.chunk_tx);
        let mut idx = 0;
        archive::entry_chunks(
            &format!("{}/{name}", self.set.stem),
            mtime,
            size,
            data,
            &mut |c| {
                let _ = tx.send((seq, idx, c));
                idx += 1;
            },
        )
    }

    fn command(&mut self, mut ran: Ran) {
        let mut chunks = 0;
        if let (Some(data), Some(path)) = (ran.data.as_mut(), ran.record.path.clone()) {
            if self.stored + ran.record.size > self.set.max_total {
                self.budget_hit = true;
                skip_command(&mut ran.record, "--max-total reached");
            } else {
                match self.chunks(
                    &path,
                    jiff::Timestamp::now().as_second(),
                    ran.record.size,
                    data,
                ) {
                    Ok(n) => {
                        chunks = n;
                        self.stored += ran.record.size;
                    }
                    Err(e) => {
                        skip_command(&mut ran.record, &format!("could not store output: {e}"))
                    }
                }
            }
        }
        self.finish(chunks, Rec::Command(ran.record));
    }

    fn item(&mut self, item: Item) {
        let c = match item {
            Item::Record(r) => return self.finish(0, Rec::File(r)),
            Item::Store(c) => c,
        };
        let refuse = if let Some(why) = self.stops.why() {
            Some((FileStatus::TimedOut, why))
        } else if self.stops.halt.load(Ordering::Relaxed) {
            Some((FileStatus::OverBudget, "output filesystem nearly full"))
        } else if self.stored + c.size.min(self.set.max_file_size) > self.set.max_total {
            Some((FileStatus::OverBudget, "--max-total reached"))
        } else {
            None
        };
        if let Some((status, why)) = refuse {
            self.budget_hit |= why == "--max-total reached";
            return self.finish(0, Rec::File(unstored(&c, status, why)));
        }
        let mut p = prepare(
            &c,
            self.set.max_file_size,
            self.set.spool_dir,
            self.redactor,
        );
        if p.record.status == FileStatus::OverBudget {
            // The spool hit a full output filesystem: later files would only fail the same way.
            self.stops.halt.store(true, Ordering::Relaxed);
            let why = p.record.detail.clone().unwrap_or_default();
            self.spool_full.get_or_insert(why);
        }
        let mut chunks = 0;
        if let Some(data) = p.data.as_mut() {
            if self.stored + p.record.size > self.set.max_total {
                self.budget_hit = true;
                mark_unstored(
                    &mut p.record,
                    FileStatus::OverBudget,
                    "--max-total reached".into(),
                );
            } else {
                let name = p
                    .record
                    .stored_as
                    .clone()
                    .unwrap_or_else(|| p.record.path.clone());
                match self.chunks(&name, p.record.mtime.unwrap_or(0), p.record.size, data) {
                    Ok(n) => {
                        chunks = n;
                        self.stored += p.record.size;
                    }
                    Err(e) => mark_unstored(
                        &mut p.record,
                        FileStatus::Unreadable,
                        format!("could not read back the spool: {e}"),
                    ),
                }
            }
        }
        self.finish(chunks, Rec::File(p.record));
    }
}

/// The writer: members in order, the free-space guard, rollback of a refused entry.
fn write_body(done: Receiver<Done>, body: &mut File, free: &FreeSpace, stops: &Stops) -> Written {
    let mut out = Written {
        files: Vec::new(),
        commands: Vec::new(),
        reasons: Vec::new(),
        stored: Vec::new(),
    };
    let mut chunks: BTreeMap<(u64, u32), Vec<u8>> = BTreeMap::new();
    let mut finishes: BTreeMap<u64, (u32, Rec)> = BTreeMap::new();
    let (mut seq, mut idx) = (0u64, 0u32);
    let mut end = 0u64; // body length after the last whole entry
    let mut pos = 0u64; // body length now
    let mut refused: Option<String> = None;
    for d in done {
        match d {
            Done::Chunk { seq, idx, member } => {
                chunks.insert((seq, idx), member);
            }
            Done::Finish {
                seq,
                chunks: n,
                rec,
            } => {
                finishes.insert(seq, (n, rec));
            }
        }
        loop {
            if let Some(member) = chunks.remove(&(seq, idx)) {
                idx += 1;
                if refused.is_some() {
                    continue;
                }
                let why = if stops.halt.load(Ordering::Relaxed) {
                    Some("output filesystem nearly full".to_string())
                } else if let Err(why) =
                    free.check(pos.saturating_add((member.len() as u64).saturating_mul(2)))
                {
                    // The member, and the final assembly's copy of the whole body with it.
                    out.reasons.push(why.clone());
                    Some(why)
                } else if let Err(e) = body.write_all(&member) {
                    let why = format!("writing the bundle failed: {e}");
                    out.reasons.push(why.clone());
                    Some(why)
                } else {
                    pos += member.len() as u64;
                    None
                };
                if let Some(why) = why {
                    stops.halt.store(true, Ordering::Relaxed);
                    let _ = body
                        .set_len(end)
                        .and_then(|_| body.seek(SeekFrom::Start(end)).map(|_| ()));
                    pos = end;
                    refused = Some(why);
                }
                continue;
            }
            if finishes.get(&seq).is_some_and(|(n, _)| *n == idx) {
                let (n, mut rec) = finishes.remove(&seq).expect("checked");
                let written = n > 0 && refused.is_none();
                if let Some(why) = refused.take() {
                    match &mut rec {
                        Rec::File(r) => mark_unstored(r, FileStatus::OverBudget, why),
                        Rec::Command(c) => skip_command(c, &why),
                    }
                }
                let record = match rec {
                    Rec::File(r) => {
                        out.files.push(r);
                        RecordRef::File(out.files.len() - 1)
                    }
                    Rec::Command(c) => {
                        out.commands.push(c);
                        RecordRef::Command(out.commands.len() - 1)
                    }
                };
                if written {
                    out.stored.push(Stored { record, end: pos });
                }
                end = pos;
                seq += 1;
                idx = 0;
                continue;
            }
            break;
        }
    }
    out
}

/// Marks a record whose content is not (or no longer) in the bundle.
pub fn mark_unstored(r: &mut FileRecord, status: FileStatus, why: String) {
    r.status = status;
    r.detail = Some(why);
    r.size = 0;
    r.sha256 = None;
}

/// Marks a command whose output is not (or no longer) in the bundle.
pub fn skip_command(c: &mut CommandRecord, why: &str) {
    c.status = CommandStatus::Skipped;
    c.detail = Some(why.to_string());
    c.size = 0;
    c.sha256 = None;
    c.path = None;
}

fn unstored(c: &Candidate, status: FileStatus, why: &str) -> FileRecord {
    FileRecord::new(
        c.rel.clone(),
        status,
        Some(why.to_string()),
        c.size,
        c.mtime,
    )
}
