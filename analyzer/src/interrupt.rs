//! Ctrl-C and friends (SIGINT, SIGTERM, SIGHUP), through `signal-hook`: the progress line
//! is cleared, the temporary files registered here are removed, a plain message is printed
//! and the process exits 130, as shells expect of an interrupted command.
//!
//! Code that creates a file it renames into place at the end (`redact`'s hidden
//! `.vcap-redact-*.part`) registers it with [`remove_on_interrupt`] for as long as it
//! exists; a progress bar registers with [`clear_on_interrupt`]. Without [`install`]
//! (library use, tests) the registrations do nothing.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

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

/// Registers `path` for removal on interrupt until the guard is dropped (drop it once the
/// file is renamed into place or removed).
pub fn remove_on_interrupt(path: &Path) -> Registered {
    let id = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    lock(&FILES).push((id, path.to_path_buf()));
    Registered(id)
}

/// See [`remove_on_interrupt`].
#[must_use = "the file is forgotten when the guard is dropped"]
pub struct Registered(u64);

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
    fn registered_files_are_removed_until_released() {
        let dir = tempfile::tempdir().unwrap();
        let kept = dir.path().join("kept");
        let gone = dir.path().join("gone");
        std::fs::write(&kept, "x").unwrap();
        std::fs::write(&gone, "x").unwrap();
        let released = remove_on_interrupt(&kept);
        let _held = remove_on_interrupt(&gone);
        drop(released);
        clean_up();
        assert!(kept.exists());
        assert!(!gone.exists());
    }
}
