use super::*;

/// Reads `r` to the end through `buf`-sized reads.
fn drain(r: &mut impl Read, buf: usize) {
    let mut chunk = vec![0; buf];
    while r.read(&mut chunk).unwrap() > 0 {}
}

/// A log of `n` timestamped lines (illustrative), then untimed lines.
fn log(n: usize, untimed: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        s.push_str(&format!(
            "2026-11-21T10:{:02}:{:02}.000Z INFO line {i}\n",
            i / 60 % 60,
            i % 60
        ));
    }
    for _ in 0..untimed {
        s.push_str("\tat some.Frame(Native Method)\n");
    }
    s
}

#[test]
fn a_log_s_end_and_size_are_kept_in_one_pass_whatever_the_reads() {
    let text = log(3_000, 5);
    for buf in [7, 4096, 1 << 20] {
        let mut c = Counting::new(text.as_bytes());
        drain(&mut c, buf);
        assert_eq!(c.n, text.len() as u64, "reads of {buf}");
        // Only the end is kept, never the whole file.
        assert!(c.tail.len() <= 2 * TAIL, "reads of {buf}: {}", c.tail.len());
        let a = c.activity(YearHint::default(), 3_005);
        assert_eq!(
            a.last,
            Some("2026-11-21T10:49:59Z".parse().unwrap()),
            "reads of {buf}"
        );
        assert!(a.last_line.ends_with("line 2999"), "{}", a.last_line);
    }
}

#[test]
fn a_log_whose_end_carries_no_time_has_no_end() {
    // More untimed lines than are looked at: the end is unknown, not guessed.
    let text = log(10, TAIL_LINES + 1);
    let mut c = Counting::new(text.as_bytes());
    drain(&mut c, 64);
    let a = c.activity(YearHint::default(), 75);
    assert_eq!((a.last, a.last_line.as_str()), (None, ""));
}
