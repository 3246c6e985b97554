//! Decompression on its own thread: a thread reads and inflates an input into ~1 MiB buffers
//! and sends them over a bounded channel; the tar parser (and the matcher behind the sink)
//! reads from the channel. Decompression and matching overlap, and memory stays bounded:
//! at most [`DEPTH`] buffers in flight, plus one being filled and one being read.
//!
//! Buffers are recycled through a second channel so a long stream does not allocate per chunk.
//! Dropping the reader stops the thread (its next send fails) and joins it.
//!
//! When many inputs are read at once, the cores are busy anyway: [`Schedule`] decides input
//! by input whether one gets the thread (the last ones to start, so that a core whose inputs
//! are done helps) or is decompressed by the thread that matches it (no hand-over, no copy).

use std::io::{self, ErrorKind, Read};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, SyncSender, TryRecvError};
use std::thread::JoinHandle;

/// Where an input's stream is decompressed (or, a plain tar stream, read).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decompress {
    /// On a thread of its own, overlapping the matching (`spawn`).
    Ahead,
    /// On the thread that matches it.
    Inline,
}

/// Hands out [`Decompress`] to inputs as they start, when many are read in parallel: inline
/// while at least one waiting input is left for each other worker of the pool (every core
/// has an input of its own), ahead for the last ones.
#[derive(Debug)]
pub struct Schedule {
    unstarted: AtomicUsize,
    others: usize,
}

impl Schedule {
    /// For `inputs` inputs read on rayon's current pool.
    pub fn new(inputs: usize) -> Schedule {
        Schedule::with_workers(inputs, rayon::current_num_threads())
    }

    fn with_workers(inputs: usize, workers: usize) -> Schedule {
        Schedule {
            unstarted: AtomicUsize::new(inputs),
            others: workers.saturating_sub(1),
        }
    }

    /// The next input starts: how it is decompressed.
    pub fn start(&self) -> Decompress {
        let before = self
            .unstarted
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
            .unwrap_or(0);
        let waiting = before.saturating_sub(1);
        if self.others > 0 && waiting >= self.others {
            Decompress::Inline
        } else {
            Decompress::Ahead
        }
    }
}

/// Bytes per buffer.
pub(crate) const CHUNK: usize = 1 << 20;
/// Buffers in flight between the thread and the reader.
pub(crate) const DEPTH: usize = 4;

enum Msg {
    /// A buffer and how many of its bytes are data.
    Data(Vec<u8>, usize),
    Eof,
    Err(io::Error),
}

/// The reading end: a [`Read`] over what the thread produced.
pub(crate) struct Readahead {
    rx: Option<Receiver<Msg>>,
    recycle: SyncSender<Vec<u8>>,
    chunk: Vec<u8>,
    len: usize,
    pos: usize,
    /// Set once the stream ended: `Ok` at its end, `Err` at an error (returned again on
    /// every later read).
    done: Option<Result<(), (ErrorKind, String)>>,
    thread: Option<JoinHandle<()>>,
}

/// Starts a thread reading `source` ahead.
pub(crate) fn spawn<R: Read + Send + 'static>(source: R) -> io::Result<Readahead> {
    let (tx, rx) = mpsc::sync_channel::<Msg>(DEPTH);
    let (recycle, free) = mpsc::sync_channel::<Vec<u8>>(DEPTH + 2);
    let thread = std::thread::Builder::new()
        .name("vcap-readahead".to_string())
        .spawn(move || produce(source, &tx, &free))?;
    Ok(Readahead {
        rx: Some(rx),
        recycle,
        chunk: Vec::new(),
        len: 0,
        pos: 0,
        done: None,
        thread: Some(thread),
    })
}

fn produce<R: Read>(mut source: R, tx: &SyncSender<Msg>, free: &Receiver<Vec<u8>>) {
    loop {
        let mut buf = match free.try_recv() {
            Ok(buf) => buf,
            Err(TryRecvError::Empty | TryRecvError::Disconnected) => vec![0; CHUNK],
        };
        let mut filled = 0;
        let mut outcome = None;
        while filled < buf.len() {
            match source.read(&mut buf[filled..]) {
                Ok(0) => {
                    outcome = Some(Msg::Eof);
                    break;
                }
                Ok(n) => filled += n,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) => {
                    outcome = Some(Msg::Err(e));
                    break;
                }
            }
        }
        if filled > 0 && tx.send(Msg::Data(buf, filled)).is_err() {
            return; // the reader is gone
        }
        if let Some(last) = outcome {
            let _ = tx.send(last);
            return;
        }
    }
}

impl Read for Readahead {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if out.is_empty() {
            return Ok(0);
        }
        loop {
            if self.pos < self.len {
                let n = out.len().min(self.len - self.pos);
                out[..n].copy_from_slice(&self.chunk[self.pos..self.pos + n]);
                self.pos += n;
                return Ok(n);
            }
            if let Some(done) = &self.done {
                return match done {
                    Ok(()) => Ok(0),
                    Err((kind, message)) => Err(io::Error::new(*kind, message.clone())),
                };
            }
            if !self.chunk.is_empty() {
                let _ = self.recycle.try_send(std::mem::take(&mut self.chunk));
            }
            let msg = match &self.rx {
                Some(rx) => rx.recv().ok(),
                None => None,
            };
            match msg {
                Some(Msg::Data(buf, len)) => {
                    self.chunk = buf;
                    self.len = len;
                    self.pos = 0;
                }
                Some(Msg::Eof) => self.done = Some(Ok(())),
                Some(Msg::Err(e)) => self.done = Some(Err((e.kind(), e.to_string()))),
                None => {
                    self.done = Some(Err((
                        ErrorKind::Other,
                        "the decompression thread stopped unexpectedly".to_string(),
                    )))
                }
            }
        }
    }
}

impl Drop for Readahead {
    fn drop(&mut self) {
        self.rx = None; // unblocks a thread waiting to send
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inputs_are_inline_while_every_other_worker_has_one_waiting() {
        let starts = |inputs, workers| {
            let s = Schedule::with_workers(inputs, workers);
            (0..inputs + 1).map(|_| s.start()).collect::<Vec<_>>()
        };
        use Decompress::{Ahead, Inline};
        // 5 inputs, 2 workers: the 5th (none waiting) reads ahead; so does a stray start.
        assert_eq!(starts(5, 2), [Inline, Inline, Inline, Inline, Ahead, Ahead]);
        // 4 workers: the last three to start (fewer waiting than other workers) read ahead.
        assert_eq!(starts(5, 4), [Inline, Inline, Ahead, Ahead, Ahead, Ahead]);
        // One input; one worker (reading ahead is then the only overlap there is).
        assert_eq!(starts(1, 2), [Ahead, Ahead]);
        assert_eq!(starts(3, 1), [Ahead; 4]);
    }

    #[test]
    fn delivers_everything_in_order() {
        let data: Vec<u8> = (0..3 * CHUNK + 17).map(|i| (i % 251) as u8).collect();
        let mut r = spawn(io::Cursor::new(data.clone())).unwrap();
        let mut out = Vec::new();
        r.read_to_end(&mut out).unwrap();
        assert_eq!(out, data);
    }

    #[test]
    fn errors_come_after_the_data_before_them() {
        let source = io::Cursor::new(vec![7u8; 1000]).chain(FailingReader);
        let mut r = spawn(source).unwrap();
        let mut out = Vec::new();
        let err = r.read_to_end(&mut out).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidData);
        assert_eq!(out.len(), 1000);
        assert!(r.read(&mut [0; 4]).is_err());
    }

    #[test]
    fn dropping_early_stops_the_thread() {
        let r = spawn(io::repeat(1)).unwrap();
        drop(r); // joins; would hang if the thread kept sending
    }

    struct FailingReader;
    impl Read for FailingReader {
        fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
            Err(io::Error::new(ErrorKind::InvalidData, "bad"))
        }
    }
}
