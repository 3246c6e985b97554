//! Reading a tar stream defensively, for the copy: the reader under the tar parser notices the
//! stream's end and failures and caps header metadata per entry; an entry whose data ends
//! early is an error, not a short file. The same guards as the input reader's.

use std::cell::{Cell, RefCell};
use std::io::{self, Read};

use super::tarcopy::EntryFail;
use crate::input::capture::Capture;

/// Bytes the tar reader may consume to produce one entry (its header, long names, pax
/// records): beyond this the archive is corrupt or hostile.
pub(crate) const HEADER_BUDGET: u64 = 1 << 20;

/// Shared by the reader under the tar parser and the loop driving it.
#[derive(Default)]
pub(crate) struct State {
    /// The stream reached its end (before an end-of-archive marker, if the loop ends so).
    pub eof: Cell<bool>,
    /// Bytes the parser may still read before it returns the next entry.
    pub budget: Cell<Option<u64>>,
    failure: RefCell<Option<String>>,
}

impl State {
    fn fail(&self, message: String) {
        self.failure.borrow_mut().get_or_insert(message);
    }

    pub(crate) fn failed(&self) -> bool {
        self.failure.borrow().is_some()
    }

    /// The stream's own failure if there was one, else `e`.
    pub(crate) fn message(&self, e: &io::Error) -> String {
        match &*self.failure.borrow() {
            Some(m) => m.clone(),
            None => format!("corrupt tar data ({e})"),
        }
    }
}

/// The reader under the tar parser: notices the end and failures, enforces the header budget.
pub(crate) struct Tracked<'a> {
    pub inner: &'a mut dyn Read,
    pub state: &'a State,
}

impl Read for Tracked<'_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let budget = self.state.budget.get();
        let out = match budget {
            Some(0) if !out.is_empty() => {
                let m = format!("tar header metadata (long names, pax records) over {HEADER_BUDGET} bytes: corrupt or hostile archive");
                self.state.fail(m.clone());
                return Err(io::Error::other(m));
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
                if let Some(left) = budget {
                    self.state.budget.set(Some(left - n as u64));
                }
                Ok(n)
            }
            Err(e) => {
                if e.kind() != io::ErrorKind::Interrupted {
                    self.state
                        .fail(format!("read error or corrupt compressed data ({e})"));
                }
                Err(e)
            }
        }
    }
}

/// One entry's stored data; an early end is an error (the tar reader would return it short).
pub(crate) struct EntryData<'e, 'a> {
    pub entry: tar::Entry<'e, Tracked<'a>>,
    pub state: &'a State,
    pub want: u64,
    pub got: u64,
}

impl Read for EntryData<'_, '_> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.entry.read(out)?;
        if n == 0 && !out.is_empty() && self.got < self.want {
            let m = format!(
                "the archive ends inside this entry ({} of {} bytes): it is truncated",
                self.got, self.want
            );
            self.state.fail(m.clone());
            return Err(io::Error::new(io::ErrorKind::UnexpectedEof, m));
        }
        self.got += n as u64;
        Ok(n)
    }
}

/// What went wrong with an entry copied through `src`: its data (a read error `src` kept,
/// a truncated or corrupt archive) or the copy (`e` itself, a write error).
impl<R> Capture<R> {
    pub(crate) fn fail(&self, e: io::Error) -> EntryFail {
        match &self.error {
            Some(m) => EntryFail::Content(m.clone()),
            None => EntryFail::Write(e),
        }
    }
}
