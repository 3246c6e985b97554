//! Ctrl-C and friends (SIGINT, SIGTERM, SIGHUP), through `signal-hook`: the progress line
//! is cleared, the temporary files registered here are removed, a plain message is printed
//! and the process exits 130, as shells expect of an interrupted command.
//!
//! Code that writes a file it renames into place at the end (`redact`'s hidden
//! `.vcap-redact-*.part`) creates it as a [`PartFile`], which the interrupt removes for as
//! long as it exists; a progress bar registers with [`clear_on_interrupt`]. Without
//! [`install`] (library use, tests) the registrations do nothing.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use tempfile::NamedTempFile;

/// Files to remove, by registration number.
static FILES: Mutex<Vec<(u64, PathBuf)>> = Mutex::new(Vec::new());
static BARS: Mutex<Vec<indicatif::ProgressBar>> = Mutex::new(Vec::new());
static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The exit code of an interrupted run (128 + SIGINT).
pub const EXIT_INTERRUPTED: u8 = 130;

/// Handles SIGINT, SIGTERM and SIGHUP from now on, on a thread of its own: clean up, say
/// `PROGRAM: interrupted` on stderr, exit 130.
pub fn install(program: &'static str) -> std::io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            if signals.forever().next().is_some() {
                clean_up();
                eprintln!("{program}: interrupted");
                std::process::exit(EXIT_INTERRUPTED.into());
            }
        })?;
    Ok(())
}

/// What an interrupt undoes: clears the registered progress bars and removes the
/// registered files.
fn clean_up() {
    for bar in lock(&BARS).drain(..) {
        bar.finish_and_clear();
    }
    for (_, path) in lock(&FILES).drain(..) {
        let _ = std::fs::remove_file(path);
    }
}

/// A temporary file an interrupt removes. It is registered under the lock the interrupt
/// takes, in the same critical section that creates it, so a signal never finds it on disk
/// unregistered; it is unregistered only once renamed into place or deleted (fields drop in
/// order: the file, then the registration).
pub struct PartFile {
    file: NamedTempFile,
    _registered: Registered,
}

impl PartFile {
    /// Creates the file with `builder` in `dir`, registered for removal on interrupt.
    pub fn create_in(builder: &tempfile::Builder, dir: &Path) -> io::Result<Self> {
        let mut files = lock(&FILES);
        let file = builder.tempfile_in(dir)?;
        let id = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        files.push((id, file.path().to_path_buf()));
        Ok(PartFile {
            file,
            _registered: Registered(id),
        })
    }

    pub fn as_file(&self) -> &std::fs::File {
        self.file.as_file()
    }

    /// Renames the file to `path`; an interrupt after this leaves `path` complete.
    pub fn persist(self, path: &Path) -> io::Result<()> {
        let PartFile { file, _registered } = self;
        file.persist(path).map(drop).map_err(|e| e.error)
    }
}

/// A registration in [`FILES`], released on drop.
struct Registered(u64);

impl Drop for Registered {
    fn drop(&mut self) {
        lock(&FILES).retain(|(id, _)| *id != self.0);
    }
}

/// Clears `bar` (a clone shares its state) on interrupt, so no spinner is left on the
/// terminal.
pub fn clear_on_interrupt(bar: &indicatif::ProgressBar) {
    lock(&BARS).push(bar.clone());
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_part_file_is_removed_on_interrupt_until_persisted() {
        let dir = tempfile::tempdir().unwrap();
        let builder = tempfile::Builder::new();
        let kept = PartFile::create_in(&builder, dir.path()).unwrap();
        let held = PartFile::create_in(&builder, dir.path()).unwrap();
        let held_path = held.file.path().to_path_buf();
        kept.persist(&dir.path().join("kept")).unwrap();
        assert!(lock(&FILES)
            .iter()
            .all(|(_, p)| p != &dir.path().join("kept")));
        clean_up();
        assert!(dir.path().join("kept").exists());
        assert!(!held_path.exists(), "the unpersisted part file is removed");
        drop(held);
        assert!(lock(&FILES).iter().all(|(_, p)| p != &held_path));
    }
}
