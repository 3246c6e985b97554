//! The "bare inflate" baseline of the analyzer benchmark: decompresses every file given with
//! flate2 (the same zlib-rs backend the analyzer uses) into nothing, two files at a time.
use std::io::Read;

fn main() {
    let files: Vec<String> = std::env::args().skip(1).collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    let total = std::sync::atomic::AtomicU64::new(0);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(f) = files.get(i) else { return };
                let mut d = flate2::read::MultiGzDecoder::new(std::io::BufReader::with_capacity(
                    1 << 20,
                    std::fs::File::open(f).unwrap(),
                ));
                let mut buf = vec![0u8; 1 << 20];
                loop {
                    let n = d.read(&mut buf).unwrap();
                    if n == 0 {
                        break;
                    }
                    total.fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
                }
            });
        }
    });
    println!("{}", total.into_inner());
}
