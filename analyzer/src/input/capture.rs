//! A reader that passes data through, counting the bytes and keeping the first error: what
//! tells a read failure (truncated or corrupt input) from the consumer's own failure once
//! the consumer has returned, and how much got through before it.

use std::io::{self, Read};

/// Wraps `inner`; [`Capture::error`] is the first read error (interruptions aside).
pub(crate) struct Capture<R> {
    inner: R,
    /// Bytes read so far.
    pub bytes: u64,
    /// The first read error's message, if a read failed.
    pub error: Option<String>,
}

impl<R: Read> Capture<R> {
    pub(crate) fn new(inner: R) -> Self {
        Capture {
            inner,
            bytes: 0,
            error: None,
        }
    }
}

impl<R: Read> Read for Capture<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(out) {
            Ok(n) => {
                self.bytes += n as u64;
                Ok(n)
            }
            Err(e) => {
                if e.kind() != io::ErrorKind::Interrupted && self.error.is_none() {
                    self.error = Some(e.to_string());
                }
                Err(e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_keeps_the_first_error() {
        let data: &[u8] = b"hello";
        let mut c = Capture::new(data);
        let mut out = Vec::new();
        c.read_to_end(&mut out).unwrap();
        assert_eq!((c.bytes, c.error.as_deref()), (5, None));

        struct Broken;
        impl Read for Broken {
            fn read(&mut self, _: &mut [u8]) -> io::Result<usize> {
                Err(io::Error::other("corrupt deflate stream"))
            }
        }
        let mut c = Capture::new(b"ab".chain(Broken));
        assert!(c.read_to_end(&mut out).is_err());
        assert!(c.read_to_end(&mut out).is_err());
        assert_eq!(
            (c.bytes, c.error.as_deref()),
            (2, Some("corrupt deflate stream"))
        );
    }
}
