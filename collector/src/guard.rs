//! Keeping the VM safe: the free-space guard on the output filesystem and lowering the
//! collector's own CPU and I/O priority.

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// Refuses writes that would leave the output filesystem with less than `min_bytes` or
/// `min_percent` of its size free.
#[derive(Debug, Clone)]
pub struct FreeSpace {
    pub dir: PathBuf,
    pub min_bytes: u64,
    pub min_percent: f64,
}

impl FreeSpace {
    /// Bytes available to this process on the filesystem, when it can be told.
    pub fn available(&self) -> Option<u64> {
        statvfs(&self.dir).map(|(avail, _)| avail)
    }

    /// `Ok(())` when `more` bytes can be written; otherwise why not.
    pub fn check(&self, more: u64) -> Result<(), String> {
        let Some((avail, total)) = statvfs(&self.dir) else {
            return Ok(()); // Cannot tell (not a local filesystem): the write itself will say.
        };
        let floor = self
            .min_bytes
            .max((total as f64 * self.min_percent / 100.0) as u64);
        if avail.saturating_sub(more) < floor {
            return Err(format!(
                "output filesystem of {} nearly full: {} MiB free, keeping at least {} MiB \
                 (write elsewhere with --output DIR/, stream with --output -, or lower \
                 --min-free/--min-free-percent)",
                self.dir.display(),
                avail >> 20,
                floor >> 20
            ));
        }
        Ok(())
    }
}

/// Available and total bytes of the filesystem holding `dir`.
fn statvfs(dir: &Path) -> Option<(u64, u64)> {
    let c = CString::new(dir.as_os_str().as_bytes()).ok()?;
    let mut st: libc::statvfs = unsafe { std::mem::zeroed() };
    // SAFETY: `c` is a valid NUL-terminated path and `st` a valid out-pointer.
    if unsafe { libc::statvfs(c.as_ptr(), &mut st) } != 0 {
        return None;
    }
    let frsize = st.f_frsize as u64;
    Some((st.f_bavail as u64 * frsize, st.f_blocks as u64 * frsize))
}

/// Lowest CPU priority (nice 19) and best-effort I/O class at its lowest level, for this
/// thread and every thread it starts. Failures are ignored: it is a courtesy, not a need.
pub fn lower_priority() {
    // SAFETY: plain syscalls on the calling thread with constant arguments.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 19);
        const IOPRIO_WHO_PROCESS: libc::c_long = 1;
        const IOPRIO_CLASS_BE: libc::c_long = 2;
        const IOPRIO_CLASS_SHIFT: libc::c_long = 13;
        libc::syscall(
            libc::SYS_ioprio_set,
            IOPRIO_WHO_PROCESS,
            0,
            (IOPRIO_CLASS_BE << IOPRIO_CLASS_SHIFT) | 7,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_when_the_floor_would_be_crossed() {
        let dir = std::env::temp_dir();
        let (avail, _) = statvfs(&dir).unwrap();
        let lenient = FreeSpace {
            dir: dir.clone(),
            min_bytes: 0,
            min_percent: 0.0,
        };
        assert!(lenient.check(0).is_ok());
        let strict = FreeSpace {
            dir,
            min_bytes: avail + (1 << 30),
            min_percent: 0.0,
        };
        let err = strict.check(0).unwrap_err();
        assert!(err.contains("nearly full"), "{err}");
    }
}
