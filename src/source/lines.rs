//! Which line a byte offset is on, for reports. Only every [`STRIDE`]th line start is kept:
//! a large export has millions of lines (8 bytes each in a full index), and the few lines
//! after a kept start are found by scanning them.

/// Lines between two kept line starts.
const STRIDE: usize = 32;

pub struct LineIndex {
    /// The start of line 0, STRIDE, 2 × STRIDE, ...
    kept: Vec<usize>,
    /// Lines in the text (one more than its newlines).
    count: usize,
}

impl LineIndex {
    pub fn new(text: &[u8]) -> Self {
        let mut kept = vec![0];
        let mut count = 1;
        newlines(text, &mut |at| {
            if count % STRIDE == 0 {
                kept.push(at);
            }
            count += 1;
        });
        LineIndex { kept, count }
    }

    pub fn count(&self) -> usize {
        self.count
    }

    /// The 0-based line holding `offset` and the offset where that line starts.
    pub fn locate(&self, text: &[u8], offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let k = self.kept.partition_point(|&s| s <= offset).max(1) - 1;
        let seg = &text[self.kept[k]..offset];
        // At most STRIDE lines: counted, then the last newline found from the end.
        let line = k * STRIDE + seg.iter().filter(|&&b| b == b'\n').count();
        let start = memchr::memrchr(b'\n', seg).map_or(self.kept[k], |i| self.kept[k] + i + 1);
        (line, start)
    }

    /// Where a 0-based line starts (the last line for a line past the end).
    pub fn start(&self, text: &[u8], line: usize) -> usize {
        let line = line.min(self.count - 1);
        let k = line / STRIDE;
        let mut at = self.kept[k];
        for _ in 0..line % STRIDE {
            at += memchr::memchr(b'\n', &text[at..]).map_or(0, |p| p + 1);
        }
        at
    }
}

/// Calls `each` with the offset after every newline, in order. `memchr` finds them with the
/// CPU's vector instructions: a large export has hundreds of megabytes to scan.
pub fn newlines(bytes: &[u8], each: &mut dyn FnMut(usize)) {
    for at in memchr::memchr_iter(b'\n', bytes) {
        each(at + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn newlines_are_found_in_every_position_of_a_word() {
        for text in [
            "",
            "\n",
            "a\nb",
            "0123456\n89abcdef\n\n\r\nxyz",
            "no newline at all here",
        ] {
            let mut got = Vec::new();
            newlines(text.as_bytes(), &mut |at| got.push(at));
            let want: Vec<usize> = text.match_indices('\n').map(|(i, _)| i + 1).collect();
            assert_eq!(got, want, "{text:?}");
        }
    }

    #[test]
    fn every_offset_and_line_agrees_with_a_full_index() {
        // Line lengths that cross the stride in every way, and texts with and without a last
        // newline.
        for n in [0, 1, 31, 32, 33, 64, 65, 200] {
            for tail in ["", "\n", "end"] {
                let mut text = String::new();
                for i in 0..n {
                    text.push_str(&"x".repeat(i % 5));
                    text.push('\n');
                }
                text.push_str(tail);
                let b = text.as_bytes();
                let mut full = vec![0];
                newlines(b, &mut |at| full.push(at));
                let index = LineIndex::new(b);
                assert_eq!(index.count(), full.len(), "{n} {tail:?}");
                for offset in 0..=b.len() {
                    let line = full.partition_point(|&s| s <= offset) - 1;
                    assert_eq!(
                        index.locate(b, offset),
                        (line, full[line]),
                        "{n} {tail:?} {offset}"
                    );
                }
                for (line, &start) in full.iter().enumerate() {
                    assert_eq!(index.start(b, line), start, "{n} {tail:?} line {line}");
                }
                assert_eq!(index.start(b, full.len() + 3), *full.last().unwrap_or(&0));
            }
        }
    }
}
