//! Bounded-memory buffers: content is kept in memory up to a cap and spills to an anonymous
//! temporary file (on the output's filesystem, never the small root disk) beyond it.

use sha2::{Digest, Sha256};
use std::io::{self, Seek, SeekFrom, Write};
use std::path::Path;
use tempfile::SpooledTempFile;

/// In-memory bytes per spool before it spills to disk.
pub const SPOOL_MEMORY: usize = 4 << 20;

pub fn new_spool(dir: &Path) -> SpooledTempFile {
    tempfile::spooled_tempfile_in(SPOOL_MEMORY, dir)
}

/// Rewinds a spool for reading.
pub fn rewind(spool: &mut SpooledTempFile) -> io::Result<()> {
    spool.seek(SeekFrom::Start(0)).map(|_| ())
}

/// A writer that counts and hashes what passes through it.
pub struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
    len: u64,
}

impl<W: Write> HashingWriter<W> {
    pub fn new(inner: W) -> Self {
        HashingWriter {
            inner,
            hasher: Sha256::new(),
            len: 0,
        }
    }

    /// The inner writer, the number of bytes written and their SHA-256 in hex.
    pub fn finish(self) -> (W, u64, String) {
        let digest = self.hasher.finalize();
        let hex = digest.iter().map(|b| format!("{b:02x}")).collect();
        (self.inner, self.len, hex)
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
