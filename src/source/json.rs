//! A JSON reader that keeps the byte span of every value and key.
//! serde_json gives no positions for values, and a finding must point at one.
//! `parse_items` hands out the elements of a top-level array one at a time, so a
//! content-status export of hundreds of megabytes never exists as one tree.

use std::borrow::Cow;

use super::node::{Duplicate, Member, Node, Value};
use super::Span;

/// ConvertTo-Json stops at depth 100; anything deeper is not an export.
const MAX_DEPTH: usize = 128;

#[derive(Debug, PartialEq)]
pub struct JsonError {
    pub offset: usize,
    pub message: String,
}

/// Calls `each` for every element of a top-level array, or once for any other top-level
/// value. An empty file yields nothing (PowerShell writes nothing for an empty pipeline).
/// Returns the duplicate property names met on the way.
/// `defer`: property names (compared without case) whose string values are checked but left
/// encoded, as [`Value::Deferred`], for a reader that decodes them on demand.
pub fn parse_items<'a>(
    text: &'a str,
    defer: &[&str],
    mut each: impl FnMut(Node<'a>),
) -> Result<Vec<Duplicate>, JsonError> {
    let mut p = Parser::new(text);
    p.defer = defer;
    p.ws();
    if p.i == p.s.len() {
        return Ok(p.dups);
    }
    if p.s[p.i] == b'[' {
        p.i += 1;
        p.ws();
        if p.eat(b']') {
            p.end()?;
            return Ok(p.dups);
        }
        loop {
            each(p.value(1)?);
            p.ws();
            if p.eat(b',') {
                continue;
            }
            if p.eat(b']') {
                p.end()?;
                return Ok(p.dups);
            }
            return Err(p.err("expected `,` or `]` after an array element"));
        }
    }
    each(p.value(0)?);
    p.end()?;
    Ok(p.dups)
}

/// Parses a whole document into one tree (small files: baselines, tests). Duplicate
/// properties are wrapped in `Value::Repeated`.
pub fn parse(text: &str) -> Result<Node<'_>, JsonError> {
    let mut p = Parser::new(text);
    let v = p.value(0)?;
    p.end()?;
    Ok(v)
}

/// The decoded value of the JSON string whose opening quote is at `offset` in `text` (a value
/// decoded again on demand, such as a task sequence's Sequence XML).
pub fn string_at(text: &str, offset: usize) -> Result<String, JsonError> {
    let mut p = Parser::new(text);
    p.i = offset;
    if p.s.get(offset) != Some(&b'"') {
        return Err(p.err("expected a string"));
    }
    p.string().map(Cow::into_owned)
}

/// Maps an offset in a decoded JSON string back to the raw text between its quotes,
/// so a finding inside an escaped string (task sequence XML) points at the right column.
pub fn raw_offset(raw: &str, decoded_offset: usize) -> usize {
    RawCursor::new(raw).raw(decoded_offset)
}

/// [`raw_offset`] for many offsets into one string: it walks on from the last offset asked
/// for, so offsets in increasing order (steps and variables in document order) cost one pass
/// over the string in all, not one pass each.
pub struct RawCursor<'a> {
    raw: &'a str,
    r: usize,
    d: usize,
}

impl<'a> RawCursor<'a> {
    pub fn new(raw: &'a str) -> Self {
        RawCursor { raw, r: 0, d: 0 }
    }

    /// The raw offset of a decoded offset.
    pub fn raw(&mut self, decoded_offset: usize) -> usize {
        if decoded_offset < self.d {
            (self.r, self.d) = (0, 0);
        }
        let (raw, b) = (self.raw, self.raw.as_bytes());
        let (mut r, mut d) = (self.r, self.d);
        while r < b.len() && d < decoded_offset {
            if b[r] == b'\\' && r + 1 < b.len() {
                let (raw_len, dec_len) = match b[r + 1] {
                    b'u' => {
                        let hex = raw
                            .get(r + 2..r + 6)
                            .and_then(|h| u32::from_str_radix(h, 16).ok());
                        match hex {
                            Some(0xD800..=0xDBFF) if raw.get(r + 6..r + 8) == Some("\\u") => {
                                (12, 4)
                            }
                            Some(c) => (6, char::from_u32(c).map_or(3, char::len_utf8)),
                            None => (2, 1),
                        }
                    }
                    _ => (2, 1),
                };
                r += raw_len;
                d += dec_len;
                // An escape of a non-ASCII character is not valid JSON, but the text may be
                // anything: never stop inside a character.
                while r < b.len() && !raw.is_char_boundary(r) {
                    r += 1;
                }
            } else {
                // Up to the next escape, raw and decoded bytes are the same: move on in one
                // step, to the wanted offset or the escape, whichever comes first, never
                // stopping inside a character (what stepping by characters gives).
                let limit = r.saturating_add(decoded_offset - d).min(b.len());
                let stop = b
                    .get(r + 1..limit)
                    .and_then(|run| run.iter().position(|&c| c == b'\\'))
                    .map_or(limit, |p| r + 1 + p);
                let mut step = stop.max(r + 1) - r;
                while r + step < b.len() && !raw.is_char_boundary(r + step) {
                    step += 1;
                }
                r += step;
                d += step;
            }
        }
        (self.r, self.d) = (r, d);
        r
    }
}

/// The first offset from `i` that holds a `"`, a `\\` or a control character (or the end):
/// the bytes a string takes as they are. Eight bytes at a time, with the has-zero-byte and
/// has-byte-less-than tricks of <https://graphics.stanford.edu/~seander/bithacks.html>.
fn plain_run(s: &[u8], mut i: usize) -> usize {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    const QUOTES: u64 = u64::from_ne_bytes([b'"'; 8]);
    const BACKSLASHES: u64 = u64::from_ne_bytes([b'\\'; 8]);
    const SPACES: u64 = u64::from_ne_bytes([0x20; 8]);
    while let Some(chunk) = s.get(i..i + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_ne_bytes(word);
        let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
        // A byte below 0x20; exact for the existence of one, as the byte-wise scan below decides.
        let control = x.wrapping_sub(SPACES) & !x & HIGHS;
        if zero(x ^ QUOTES) | zero(x ^ BACKSLASHES) | control != 0 {
            break;
        }
        i += 8;
    }
    while let Some(&b) = s.get(i) {
        if b == b'"' || b == b'\\' || b < 0x20 {
            break;
        }
        i += 1;
    }
    i
}

/// The offset of the quote that closes the string `i` is inside (past its opening quote), or
/// `None` when the text ends first.
fn closing_quote(s: &[u8], mut i: usize) -> Option<usize> {
    loop {
        i = plain_run(s, i);
        match s.get(i)? {
            b'"' => return Some(i),
            b'\\' => i += 2,
            _ => i += 1,
        }
    }
}

struct Parser<'a, 'd> {
    s: &'a [u8],
    text: &'a str,
    i: usize,
    dups: Vec<Duplicate>,
    defer: &'d [&'d str],
}

impl<'a> Parser<'a, '_> {
    fn new(text: &'a str) -> Self {
        Parser {
            s: text.as_bytes(),
            text,
            i: 0,
            dups: Vec::new(),
            defer: &[],
        }
    }

    fn err(&self, message: &str) -> JsonError {
        if self.i >= self.s.len() {
            // Out of input in the middle of a value: the file was cut off.
            return JsonError {
                offset: self.s.len(),
                message: format!("unexpected end of file, the JSON is truncated ({message})"),
            };
        }
        JsonError {
            offset: self.i,
            message: message.to_string(),
        }
    }

    fn end(&mut self) -> Result<(), JsonError> {
        self.ws();
        if self.i < self.s.len() {
            return Err(self.err("unexpected text after the end of the JSON value"));
        }
        Ok(())
    }

    fn ws(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node<'a>, JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.err("nesting deeper than 128 levels"));
        }
        self.ws();
        let start = self.i;
        let value = match self.s.get(self.i) {
            None => return Err(self.err("unexpected end of file: the JSON is truncated")),
            Some(b'{') => self.object(depth)?,
            Some(b'[') => self.array(depth)?,
            Some(b'"') => Value::String(self.string()?),
            Some(b't') => self.word("true", Value::Bool(true))?,
            Some(b'f') => self.word("false", Value::Bool(false))?,
            Some(b'n') => self.word("null", Value::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(_) => return Err(self.err("expected a JSON value")),
        };
        Ok(Node {
            span: Span::new(start, self.i - start),
            value,
        })
    }

    fn word(&mut self, w: &str, v: Value<'a>) -> Result<Value<'a>, JsonError> {
        if self.s[self.i..].starts_with(w.as_bytes()) {
            self.i += w.len();
            Ok(v)
        } else {
            Err(self.err("expected a JSON value"))
        }
    }

    fn number(&mut self) -> Result<Value<'a>, JsonError> {
        let start = self.i;
        self.eat(b'-');
        let mut float = false;
        while let Some(&c) = self.s.get(self.i) {
            match c {
                b'0'..=b'9' => {}
                b'.' | b'e' | b'E' | b'+' | b'-' => float = true,
                _ => break,
            }
            self.i += 1;
        }
        let raw = &self.text[start..self.i];
        if !float {
            if let Ok(n) = raw.parse::<i64>() {
                return Ok(Value::Int(n));
            }
        }
        raw.parse::<f64>().map(Value::Float).map_err(|_| JsonError {
            offset: start,
            message: format!("`{raw}` is not a valid number"),
        })
    }

    /// A string: borrowed from the text when it has no escape, else decoded.
    fn string(&mut self) -> Result<Cow<'a, str>, JsonError> {
        let open = self.i;
        self.i += 1;
        let mut out = String::new();
        let mut run = self.i;
        loop {
            self.i = plain_run(self.s, self.i);
            let Some(&c) = self.s.get(self.i) else {
                return Err(JsonError {
                    offset: open,
                    message: "string is not closed: the JSON is truncated".into(),
                });
            };
            match c {
                b'"' => {
                    let tail = &self.text[run..self.i];
                    self.i += 1;
                    if out.capacity() == 0 {
                        return Ok(Cow::Borrowed(tail));
                    }
                    out.push_str(tail);
                    return Ok(Cow::Owned(out));
                }
                b'\\' => {
                    if out.capacity() == 0 {
                        // The first escape: the decoded string is at most as long as the raw
                        // one, so one allocation holds it (growing by doubling copies it
                        // several times; measured slower on a large site's escaped NAL paths).
                        out.reserve(closing_quote(self.s, self.i).unwrap_or(self.i) - run);
                    }
                    out.push_str(&self.text[run..self.i]);
                    out.push(self.escape()?);
                    run = self.i;
                }
                0..=0x1F => return Err(self.err("control character inside a string")),
                _ => self.i += 1,
            }
        }
    }

    /// A string checked like [`Parser::string`] but left encoded: the text between its quotes.
    fn deferred(&mut self) -> Result<&'a str, JsonError> {
        let open = self.i;
        self.i += 1;
        loop {
            self.i = plain_run(self.s, self.i);
            match self.s.get(self.i) {
                None => {
                    return Err(JsonError {
                        offset: open,
                        message: "string is not closed: the JSON is truncated".into(),
                    })
                }
                Some(b'"') => {
                    self.i += 1;
                    return Ok(&self.text[open + 1..self.i - 1]);
                }
                Some(b'\\') => self.skip_escape()?,
                Some(0..=0x1F) => return Err(self.err("control character inside a string")),
                Some(_) => self.i += 1,
            }
        }
    }

    /// Checks the escape at the cursor as [`Parser::escape`] does, without decoding it.
    fn skip_escape(&mut self) -> Result<(), JsonError> {
        match self.s.get(self.i + 1) {
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                self.i += 2;
                Ok(())
            }
            Some(b'u') => {
                self.i += 2;
                self.hex4().map(|_| ())
            }
            _ => Err(self.err("invalid escape sequence")),
        }
    }

    /// The character of the escape at the cursor, which moves past it.
    fn escape(&mut self) -> Result<char, JsonError> {
        let c = self.s.get(self.i + 1).copied();
        self.i += 2;
        let ch = match c {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                let hi = self.hex4()?;
                if (0xD800..0xDC00).contains(&hi) && self.s[self.i..].starts_with(b"\\u") {
                    self.i += 2;
                    let lo = self.hex4()?;
                    let c = 0x10000 + ((hi - 0xD800) << 10) + (lo.wrapping_sub(0xDC00) & 0x3FF);
                    char::from_u32(c).unwrap_or('\u{FFFD}')
                } else {
                    char::from_u32(hi).unwrap_or('\u{FFFD}')
                }
            }
            _ => {
                self.i -= 2;
                return Err(self.err("invalid escape sequence"));
            }
        };
        Ok(ch)
    }

    /// Four hex digits (`from_str_radix` would also take a sign, which JSON does not).
    fn hex4(&mut self) -> Result<u32, JsonError> {
        let h = self.s.get(self.i..self.i + 4).and_then(|h| {
            h.iter().try_fold(0u32, |v, &c| {
                let d = (c as char).to_digit(16)?;
                Some(v << 4 | d)
            })
        });
        match h {
            Some(v) => {
                self.i += 4;
                Ok(v)
            }
            None => Err(self.err("invalid \\u escape")),
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value<'a>, JsonError> {
        self.i += 1;
        let mut items = Vec::new();
        self.ws();
        if self.eat(b']') {
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.ws();
            if self.eat(b',') {
                continue;
            }
            if self.eat(b']') {
                return Ok(Value::Array(items));
            }
            return Err(self.err("expected `,` or `]` in an array"));
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value<'a>, JsonError> {
        self.i += 1;
        let mut members = Vec::new();
        self.ws();
        if self.eat(b'}') {
            return Ok(Value::Object(members));
        }
        loop {
            self.ws();
            if self.s.get(self.i) != Some(&b'"') {
                return Err(self.err("expected a property name in double quotes"));
            }
            let key_start = self.i;
            let key = self.string()?;
            let key_span = Span::new(key_start, self.i - key_start);
            self.ws();
            if !self.eat(b':') {
                return Err(self.err("expected `:` after a property name"));
            }
            self.ws();
            let value = if self.s.get(self.i) == Some(&b'"')
                && self.defer.iter().any(|d| d.eq_ignore_ascii_case(&key))
            {
                let start = self.i;
                let raw = self.deferred()?;
                Node {
                    span: Span::new(start, self.i - start),
                    value: Value::Deferred(raw),
                }
            } else {
                self.value(depth + 1)?
            };
            members.push(Member {
                key,
                key_span,
                value,
            });
            self.ws();
            if self.eat(b',') {
                continue;
            }
            if self.eat(b'}') {
                super::node::mark_duplicates(&mut members, &mut self.dups);
                return Ok(Value::Object(members));
            }
            return Err(self.err("expected `,` or `}` in an object"));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_point_at_values() {
        let text = "{\"a\":  [1, \"x\\u003cy\"], \"b\": null}";
        let n = parse(text).expect("parses");
        let a = n.get("A").expect("case-insensitive");
        let Value::Array(items) = &a.value else {
            panic!("array")
        };
        assert_eq!(
            &text[items[1].span.start()..items[1].span.end()],
            "\"x\\u003cy\""
        );
        assert_eq!(items[1].as_str(), Some("x<y"));
        assert!(n.get("b").expect("b").is_null());
    }

    #[test]
    fn raw_offsets_stay_on_character_boundaries() {
        // Found by the json_items fuzz target: a backslash before a multi-byte character.
        for raw in ["\\\u{FFFD}", "\\é\\u00", "a\\u12"] {
            for d in 0..8 {
                let r = raw_offset(raw, d);
                assert!(raw.is_char_boundary(r.min(raw.len())), "{raw:?} {d} -> {r}");
            }
        }
    }

    #[test]
    fn top_level_array_is_streamed() {
        let mut seen = vec![];
        parse_items("[ {\"x\":1}, {\"x\":2} ]", &[], |n| {
            seen.push(n.span.start())
        })
        .expect("parses");
        assert_eq!(seen, vec![2, 11]);
        let mut count = 0;
        parse_items("{\"x\":1}", &[], |_| count += 1).expect("parses");
        parse_items("  \r\n", &[], |_| count += 1).expect("empty is fine");
        assert_eq!(count, 1);
    }

    #[test]
    fn deferred_strings_are_checked_but_left_encoded() {
        let text =
            r#"[{"Name": "a\u003cb", "sequence": "<x a=\"1\"/>\u003c", "n": {"Sequence": 5}}]"#;
        let mut items = Vec::new();
        parse_items(text, &["Sequence"], |n| items.push(n)).expect("parses");
        let seq = items[0].get("Sequence").expect("kept");
        assert_eq!(seq.value, Value::Deferred(r#"<x a=\"1\"/>\u003c"#));
        assert_eq!(seq.as_str(), None, "not decoded");
        assert_eq!(
            string_at(text, seq.span.start()).expect("decodes"),
            "<x a=\"1\"/><"
        );
        // Other properties decode as always; a non-string value is not deferred.
        assert_eq!(items[0].get("Name").and_then(Node::as_str), Some("a<b"));
        let inner = items[0].get("n").and_then(|n| n.get("Sequence"));
        assert_eq!(inner.map(|n| &n.value), Some(&Value::Int(5)));
        // Escapes are still checked, and an open string is still truncation.
        for bad in [r#"[{"Sequence": "a\qb"}]"#, r#"[{"Sequence": "abc"#] {
            assert!(parse_items(bad, &["Sequence"], |_| {}).is_err(), "{bad}");
        }
    }

    #[test]
    fn strings_without_escapes_are_borrowed() {
        let n = parse(r#"{"key": "plain", "esc": "a\nb"}"#).expect("parses");
        let Value::Object(members) = &n.value else {
            panic!("object")
        };
        assert!(matches!(members[0].key, Cow::Borrowed("key")));
        assert!(matches!(
            members[0].value.value,
            Value::String(Cow::Borrowed("plain"))
        ));
        assert!(matches!(&members[1].value.value, Value::String(Cow::Owned(s)) if s == "a\nb"));
    }

    #[test]
    fn truncated_input_is_an_error_with_offset() {
        let e = parse("[{\"a\": \"b").expect_err("error");
        assert_eq!(e.offset, 7);
        let e = parse("[{\"a\": 1},").expect_err("error");
        assert!(e.message.contains("truncated"), "{}", e.message);
    }

    #[test]
    fn deep_nesting_is_rejected_not_a_stack_overflow() {
        let text = "[".repeat(100_000);
        assert!(parse(&text).is_err());
    }

    #[test]
    fn plain_runs_stop_where_a_byte_at_a_time_scan_stops() {
        let naive = |s: &[u8], i: usize| {
            (i..s.len())
                .find(|&j| s[j] == b'"' || s[j] == b'\\' || s[j] < 0x20)
                .unwrap_or(s.len())
        };
        let texts = [
            "plain text without a stop, longer than eight bytes",
            "ab\"cd",
            "0123456789abcdef\\x",
            "é€𝄞 ünïcödé text then \u{1f} control",
            "\u{7f}\u{80}\u{ff} high bytes and 0x21 ! then quote\"",
            "",
        ];
        for t in texts {
            let b = t.as_bytes();
            for i in 0..=b.len() {
                assert_eq!(plain_run(b, i), naive(b, i), "{t:?} from {i}");
            }
        }
    }

    #[test]
    fn raw_offsets_agree_with_stepping_by_characters() {
        // The cursor before it moved through runs in one step.
        fn by_chars(raw: &str, decoded_offset: usize) -> usize {
            let b = raw.as_bytes();
            let (mut r, mut d) = (0, 0);
            while r < b.len() && d < decoded_offset {
                if b[r] == b'\\' && r + 1 < b.len() {
                    let (raw_len, dec_len) = match b[r + 1] {
                        b'u' => {
                            let hex = raw
                                .get(r + 2..r + 6)
                                .and_then(|h| u32::from_str_radix(h, 16).ok());
                            match hex {
                                Some(0xD800..=0xDBFF) if raw.get(r + 6..r + 8) == Some("\\u") => {
                                    (12, 4)
                                }
                                Some(c) => (6, char::from_u32(c).map_or(3, char::len_utf8)),
                                None => (2, 1),
                            }
                        }
                        _ => (2, 1),
                    };
                    r += raw_len;
                    d += dec_len;
                    while r < b.len() && !raw.is_char_boundary(r) {
                        r += 1;
                    }
                } else {
                    let ch_len = raw[r..].chars().next().map_or(1, char::len_utf8);
                    r += ch_len;
                    d += ch_len;
                }
            }
            r
        }
        for raw in [
            "a\\u003cb\\\"c",
            "\\\u{FFFD}",
            "\\é\\u00",
            "a\\u12",
            "plain ünïcode € text with no escape at all",
            "é\\r\\né\\u00e9x\\ud83d\\ude00y\\",
        ] {
            let mut cursor = RawCursor::new(raw);
            for d in 0..raw.len() + 4 {
                assert_eq!(cursor.raw(d), by_chars(raw, d), "{raw:?} at {d}");
                assert_eq!(raw_offset(raw, d), by_chars(raw, d), "{raw:?} at {d}");
            }
            assert_eq!(raw_offset(raw, usize::MAX), raw.len(), "{raw:?} at the end");
        }
    }

    #[test]
    fn raw_offset_walks_escapes() {
        let raw = "a\\u003cb\\\"c";
        let decoded = "a<b\"c";
        let pos = decoded.find('c').expect("c");
        assert_eq!(&raw[raw_offset(raw, pos)..], "c");
    }
}
