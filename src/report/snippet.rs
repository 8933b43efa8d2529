//! The source snippets diagnostics show, cut from the user's files in one place:
//! - windowed: only the lines around a place, and on a long line (a `ConvertTo-Json -Compress`
//!   export is one line of megabytes) only a few hundred bytes either side of it, with `…`
//!   where it was cut, so a report never prints a whole 50 MB line;
//! - redacted: every snippet passes through `source::redact::scrub`, whatever the text came
//!   from (a parsed export, a file with a syntax error, the configuration), so no secret is
//!   ever printed;
//! - numbered as in the file: line and column in the header are the file's, not the window's.

use std::sync::Arc;

use miette::{LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

use super::diag::Diag;
use crate::source::{redact, InputError, SourceFile, Span, Syntax};

/// Bytes kept either side of the place on a long line.
const REACH: usize = 240;
/// Lines of a multi-line place that are shown.
const MAX_LINES: usize = 8;
/// Earlier lines read for the redaction of block values (`password:` then `- item` lines).
const LOOKBACK: usize = 30;
const ELLIPSIS: &str = "…";

#[derive(Debug)]
pub struct Snippet {
    name: String,
    /// The window: the shown lines, cut and redacted, joined by `\n`.
    text: String,
    /// 0-based line in the file of the window's first line.
    first_line: usize,
    lines: Vec<Cut>,
}

/// One window line: which bytes of the file it shows and where they are in the window.
#[derive(Debug)]
struct Cut {
    /// File bytes shown.
    from: usize,
    to: usize,
    /// Where `from` is in the window text (after a leading `…`).
    at: usize,
    /// Characters before `at` on this window line (the `…`).
    prefix_chars: usize,
    /// 0-based column in the file of `from`.
    column: usize,
}

impl Snippet {
    /// The window around `place` in `file`.
    pub fn around(file: &SourceFile, place: Span) -> Snippet {
        let text = file.text.as_str();
        let l0 = file.line_of(place.start().min(text.len()));
        let l1 = file
            .line_of(
                place
                    .end()
                    .saturating_sub(1)
                    .max(place.start())
                    .min(text.len()),
            )
            .min(l0 + MAX_LINES - 1);
        let first = l0.saturating_sub(1);
        let last = (l1 + 1).min(file.line_count() - 1);
        let anchor = place.start().min(text.len()) - file.line_bounds(l0).0;

        // The bytes each line shows, and a wider range around them for the redaction to see
        // the key before a value.
        let mut ranges = Vec::new();
        for line in first..=last {
            let (ls, le) = file.line_bounds(line);
            let (from, to) = if le - ls <= 2 * REACH + 80 {
                (ls, le)
            } else {
                let from = floor(text, (ls + anchor.saturating_sub(REACH)).min(le));
                let extra = if line == l0 {
                    place.len().min(REACH)
                } else {
                    0
                };
                (from, ceil(text, (from + 2 * REACH + extra).min(le)))
            };
            ranges.push((line, ls, le, from, to));
        }
        let context = redaction_context(file, first, &ranges);

        let mut window = String::new();
        let mut lines = Vec::new();
        for &(_, ls, le, from, to) in &ranges {
            if !window.is_empty() {
                window.push('\n');
            }
            let prefix = from > ls;
            if prefix {
                window.push_str(ELLIPSIS);
            }
            let at = window.len();
            window.push_str(context.piece(from, to));
            if to < le {
                window.push_str(ELLIPSIS);
            }
            lines.push(Cut {
                from,
                to,
                at,
                prefix_chars: usize::from(prefix),
                column: file.line_col(from).1 - 1,
            });
        }
        Snippet {
            name: file.display.clone(),
            text: window,
            first_line: first,
            lines,
        }
    }

    /// A place in the file as a span of the window, if the window shows where it starts.
    pub fn map(&self, place: Span) -> Option<SourceSpan> {
        let find = |o: usize| self.lines.iter().find(|c| c.from <= o && o <= c.to);
        let start_cut = find(place.start())?;
        let start = start_cut.at + (place.start() - start_cut.from);
        let end = match find(place.end()) {
            Some(c) => c.at + (place.end() - c.from),
            None => start_cut.at + (start_cut.to - start_cut.from),
        };
        Some(SourceSpan::new(
            start.into(),
            end.saturating_sub(start).max(1),
        ))
    }
}

/// The redacted text of the line holding `place`, at most `width` characters around it, for
/// one-line listings (the why-chain). Same windowing and redaction as every snippet.
pub fn excerpt(file: &SourceFile, place: Span, width: usize) -> String {
    let number = file.line_of(place.start().min(file.text.len())) + 1;
    let Some(line) = lines(file, place).into_iter().find(|l| l.number == number) else {
        return String::new();
    };
    let text = line.text.as_str();
    // Where the place starts on its line, in characters.
    let at = line
        .mark
        .and_then(|(a, _)| text.get(..a))
        .map_or(0, |t| t.chars().count());
    let chars: Vec<char> = text.chars().collect();
    let lead = chars.iter().take_while(|c| c.is_whitespace()).count();
    let from = at.saturating_sub(width / 3).max(lead).min(chars.len());
    let to = (from + width).min(chars.len());
    let mut out: String = chars[from..to].iter().collect();
    if from > lead {
        out.insert_str(0, ELLIPSIS);
    }
    if to < chars.len() {
        out.push_str(ELLIPSIS);
    }
    out.trim_end().to_string()
}

/// One line of a snippet as plain text, for renderers that draw the snippet themselves (the
/// HTML report): the file's 1-based line number, the shown text (cut and redacted, `…` where
/// it was cut), and the byte range of that text that the place covers, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub number: usize,
    pub text: String,
    pub mark: Option<(usize, usize)>,
}

impl Snippet {
    /// The window's lines, numbered as in the file, with the part `place` covers marked. A
    /// place of no length marks nothing; its line is the one the mark would be on.
    pub fn lines(&self, place: Span) -> Vec<Line> {
        let mut out = Vec::new();
        let mut start = 0;
        for (i, (piece, cut)) in self.text.split('\n').zip(&self.lines).enumerate() {
            let (from, to) = (place.start().max(cut.from), place.end().min(cut.to));
            let at = cut.at.saturating_sub(start);
            let mark = (from < to)
                .then(|| (at + (from - cut.from), at + (to - cut.from)))
                .filter(|(a, b)| piece.is_char_boundary(*a) && piece.is_char_boundary(*b));
            out.push(Line {
                number: self.first_line + i + 1,
                text: piece.to_string(),
                mark,
            });
            start += piece.len() + 1;
        }
        out
    }
}

/// The redacted lines around `place` in `file`, windowed as every snippet is (see [`Line`]).
pub fn lines(file: &SourceFile, place: Span) -> Vec<Line> {
    Snippet::around(file, place).lines(place)
}

/// The text the window is cut from, redacted: the window's ranges (widened to the left so a
/// key before a value is seen) after up to [`LOOKBACK`] short earlier lines.
struct Context {
    text: String,
    /// (file offset, context offset) of each piece, in order.
    pieces: Vec<(usize, usize, usize)>,
}

impl Context {
    fn piece(&self, from: usize, to: usize) -> &str {
        self.pieces
            .iter()
            .find(|(f, t, _)| *f <= from && to <= *t)
            .and_then(|(f, _, c)| self.text.get(c + (from - f)..c + (to - f)))
            .unwrap_or("")
    }
}

fn redaction_context(
    file: &SourceFile,
    first: usize,
    ranges: &[(usize, usize, usize, usize, usize)],
) -> Context {
    let text = file.text.as_str();
    let mut raw = String::new();
    let mut pieces = Vec::new();
    for line in first.saturating_sub(LOOKBACK)..first {
        let (ls, le) = file.line_bounds(line);
        if le - ls <= 4 * REACH {
            raw.push_str(&text[ls..le]);
        }
        raw.push('\n');
    }
    for &(_, ls, _, from, to) in ranges {
        let wide = floor(text, from.saturating_sub(2 * REACH).max(ls));
        let c = raw.len() + (from - wide);
        raw.push_str(&text[wide..to]);
        raw.push('\n');
        pieces.push((from, to, c));
    }
    Context {
        text: redact::scrub(&raw),
        pieces,
    }
}

fn floor(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

impl SourceCode for Snippet {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.text.read_span(span, before, after)?;
        let cut = self.lines.get(inner.line());
        let column = cut.map_or(inner.column(), |c| {
            c.column + inner.column().saturating_sub(c.prefix_chars)
        });
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            inner.data(),
            *inner.span(),
            self.first_line + inner.line(),
            column,
            inner.line_count(),
        )))
    }
}

/// Puts a snippet of `file` on `d` with a primary label at `place`.
pub fn attach(d: &mut Diag, file: &SourceFile, place: Span, label: &str) {
    let snippet = Snippet::around(file, place);
    if let Some(span) = snippet.map(place) {
        d.labels
            .push(LabeledSpan::new_primary_with_span(Some(label.into()), span));
    }
    d.source = Some(snippet);
}

/// A second place in the same diagnostic: a label when the snippet shows it, else `None`.
pub fn label(d: &mut Diag, place: Span, text: &str) -> bool {
    match d.source.as_ref().and_then(|s| s.map(place)) {
        Some(span) => {
            d.labels
                .push(LabeledSpan::new_with_span(Some(text.into()), span));
            true
        }
        None => false,
    }
}

/// A file that could not be used, as a diagnostic: the message, and the snippet when the error
/// has a place.
pub fn input_diag(e: InputError) -> Diag {
    let mut d = Diag::new(
        miette::Severity::Error,
        format!("{}: {}", e.path, e.message),
    );
    d.help = e.help;
    if let Some((text, span)) = e.at {
        let file = SourceFile::from_shared(
            e.path.clone(),
            std::path::Path::new(&e.path),
            Arc::clone(&text),
            Syntax::Json,
            "",
        );
        attach(&mut d, &file, span, "here");
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Syntax;

    fn file(text: &str) -> SourceFile {
        SourceFile::new(
            std::path::Path::new("x.json"),
            text.to_string(),
            Syntax::Json,
            "UTF-8",
        )
    }

    #[test]
    fn lines_are_numbered_as_in_the_file_with_the_place_marked() {
        let text = "{\n  \"a\": 1,\n  \"b\": 22,\n  \"c\": 3\n}\n";
        let at = text.find("22").expect("22");
        let got = lines(&file(text), Span::new(at, 2));
        let numbers: Vec<usize> = got.iter().map(|l| l.number).collect();
        assert_eq!(numbers, [2, 3, 4]);
        assert_eq!(got[1].text, "  \"b\": 22,");
        assert_eq!(got[1].mark, Some((7, 9)));
        assert_eq!(got[0].mark, None);
    }

    #[test]
    fn a_long_line_is_cut_around_the_place() {
        let text = format!("[{}\"here\"{}]", "1,".repeat(1000), ",2".repeat(1000));
        let at = text.find("\"here\"").expect("here");
        let got = lines(&file(&text), Span::new(at, 6));
        assert_eq!(got.len(), 1);
        let l = &got[0];
        assert!(
            l.text.starts_with('…') && l.text.ends_with('…'),
            "{}",
            l.text
        );
        assert!(l.text.len() < 1000);
        let (a, b) = l.mark.expect("marked");
        assert_eq!(&l.text[a..b], "\"here\"");
    }

    #[test]
    fn secrets_are_blanked() {
        let text = "{\n  \"AdvertFlags\": 1,\n  \"PXEPassword\": \"hunter2\"\n}\n";
        let at = text.find('1').expect("1");
        let got = lines(&file(text), Span::new(at, 1));
        let all: Vec<&str> = got.iter().map(|l| l.text.as_str()).collect();
        assert!(!all.concat().contains("hunter2"), "{all:?}");
        assert!(all.iter().any(|l| l.contains("\"*******\"")), "{all:?}");
    }
}
