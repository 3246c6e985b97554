//! Gzip decoding for every place a gzip stream appears (bundles, nested instance tarballs,
//! rotated `.gz` logs, stdin), counting the compressed bytes consumed so that a corrupt or
//! truncated stream is reported with its offset. Concatenated members are read as one stream.

use flate2::bufread::MultiGzDecoder;
use std::io::{self, BufRead, BufReader, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Compressed bytes consumed so far; shared with a decompression thread when there is one.
#[derive(Debug, Clone, Default)]
pub(crate) struct Counter(Arc<AtomicU64>);

impl Counter {
    pub(crate) fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }

    fn add(&self, n: usize) {
        self.0.fetch_add(n as u64, Ordering::Relaxed);
    }
}

/// A buffered reader that counts what its consumer has consumed (not what it buffered).
pub(crate) struct CountingBufRead<B> {
    inner: B,
    consumed: Counter,
}

impl<B: BufRead> Read for CountingBufRead<B> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(out)?;
        self.consumed.add(n);
        Ok(n)
    }
}

impl<B: BufRead> BufRead for CountingBufRead<B> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        self.inner.fill_buf()
    }

    fn consume(&mut self, amt: usize) {
        self.inner.consume(amt);
        self.consumed.add(amt);
    }
}

/// A multi-member gzip decoder over any reader, with its compressed-offset counter.
pub(crate) type Gunzip<R> = MultiGzDecoder<CountingBufRead<BufReader<R>>>;

/// Decodes `compressed` as (possibly concatenated) gzip members.
pub(crate) fn gunzip<R: Read>(compressed: R) -> (Gunzip<R>, Counter) {
    let counter = Counter::default();
    let counting = CountingBufRead {
        inner: BufReader::with_capacity(64 * 1024, compressed),
        consumed: counter.clone(),
    };
    (MultiGzDecoder::new(counting), counter)
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::GzEncoder;
    use flate2::Compression;
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn reads_concatenated_members_and_counts_compressed_bytes() {
        let mut both = gz(b"first ");
        both.extend(gz(b"second"));
        let (mut dec, counter) = gunzip(&both[..]);
        let mut out = String::new();
        dec.read_to_string(&mut out).unwrap();
        assert_eq!(out, "first second");
        assert_eq!(counter.get(), both.len() as u64);
    }

    #[test]
    fn truncated_stream_is_an_error_at_its_end() {
        let data: Vec<u8> = (0..100_000u32).flat_map(|i| i.to_le_bytes()).collect();
        let full = gz(&data);
        let cut = &full[..full.len() / 2];
        let (mut dec, counter) = gunzip(cut);
        let mut out = Vec::new();
        let err = dec.read_to_end(&mut out).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::UnexpectedEof);
        assert_eq!(counter.get(), cut.len() as u64);
        assert!(!out.is_empty());
    }
}
