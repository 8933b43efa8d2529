//! Secrets never reach a report. Two layers, both blanking with `*` at the same length so that
//! every other span stays right:
//! - on load, the value under a key that names a secret is blanked in the text kept for
//!   snippets, found exactly in the parsed tree ([`collect`], [`blank`]);
//! - every snippet a report prints is cut from text passed through [`scrub`], which finds
//!   secrets textually: in a file that did not parse (a syntax error next to a password), in
//!   the task sequence XML inside a JSON string (`OSDJoinPassword` step variables), and in
//!   YAML block values.

use super::node::{Node, Value};

/// A key or variable name that holds a secret: `PXEPassword`, `OSDJoinPassword`,
/// `client_secret`, `pin`. Flags about a secret (`password_protected`, `PasswordRequired`) are
/// not secrets and stay readable.
pub fn is_secret_key(key: &str) -> bool {
    // Compared without case and without a lower-cased copy, in one pass over the key: this
    // runs for every key of every object loaded.
    let k = key.as_bytes();
    let at = |i: usize, w: &str| {
        k.get(i..i + w.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(w.as_bytes()))
    };
    let names_secret = key.eq_ignore_ascii_case("pin")
        || (0..k.len()).any(|i| match k[i] | 0x20 {
            b'p' => at(i, "password") || at(i, "passphrase"),
            b's' => at(i, "secret"),
            _ => false,
        });
    if !names_secret {
        return false;
    }
    const FLAGS: [&str; 9] = [
        "protected",
        "required",
        "enabled",
        "expired",
        "expires",
        "changed",
        "length",
        "policy",
        "type",
    ];
    let ends_with =
        |f: &str| k.len() >= f.len() && k[k.len() - f.len()..].eq_ignore_ascii_case(f.as_bytes());
    !FLAGS.iter().any(|f| ends_with(f))
}

/// Blanks every secret value below `node` in `text`; returns how many it blanked.
pub fn redact(node: &Node, text: &mut String) -> usize {
    let mut spans = Vec::new();
    collect(node, &mut spans);
    blank(&spans, text);
    spans.len()
}

/// Blanks byte ranges found by [`collect`] (same length, so other spans stay right).
pub fn blank(spans: &[(usize, usize)], text: &mut String) {
    if spans.is_empty() {
        return;
    }
    let mut bytes = std::mem::take(text).into_bytes();
    let len = bytes.len();
    for (start, end) in spans {
        for b in &mut bytes[(*start).min(len)..(*end).min(len)] {
            if !matches!(*b, b'\n' | b'\r') {
                *b = b'*';
            }
        }
    }
    // Only ASCII '*' replaced whole value spans, so the text stays UTF-8; stay safe anyway.
    *text = String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
}

/// Where a value ends, its last descendant included: a YAML collection's own span covers only
/// its start (`password: [a, b]`, or a block sequence on the following lines).
fn extent(n: &Node) -> usize {
    let last = match &n.value {
        Value::Array(items) => items.iter().map(extent).max(),
        Value::Object(members) => members.iter().map(|m| extent(&m.value)).max(),
        Value::Repeated(inner) => Some(extent(inner)),
        _ => None,
    };
    last.unwrap_or(0).max(n.span.end())
}

/// The byte ranges of secret values below `node`, in one walk.
pub fn collect(node: &Node, out: &mut Vec<(usize, usize)>) {
    match &node.value {
        Value::Object(members) => {
            for m in members {
                if is_secret_key(&m.key) && !m.value.is_null() {
                    out.push((m.value.span.start(), extent(&m.value)));
                } else {
                    collect(&m.value, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect(i, out)),
        Value::Repeated(inner) => collect(inner, out),
        _ => {}
    }
}

const WORDS: [&str; 4] = ["password", "passphrase", "secret", "pin"];

/// Blanks secret values found textually in `text` (see the module comment). Same length, same
/// line breaks. Over-blanking a harmless word is the accepted cost of never printing a secret.
pub fn scrub(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let mut out = text.as_bytes().to_vec();
    // The indentation of a key whose value continues on the following, deeper lines.
    let mut block: Option<usize> = None;
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let end = start + content.len();
        let trimmed = content.trim_start();
        let indent = content.len() - trimmed.len();
        if let Some(k) = block {
            let deeper = indent > k || (indent == k && trimmed.starts_with('-'));
            if trimmed.is_empty() || deeper {
                star(&mut out, start + indent, end);
                start += line.len();
                continue;
            }
            block = None;
        }
        let mut from = start;
        while let Some((p, len)) = next_word(&lower, from, end) {
            let (k0, k1) = token(text.as_bytes(), p, p + len, start, end);
            from = k1.max(p + len);
            if !is_secret_key(&text[k0..k1]) {
                continue;
            }
            match value_after(text.as_bytes(), k1, end) {
                After::Value(v0, v1) => {
                    star(&mut out, v0, v1);
                    from = from.max(v1);
                }
                After::Block(v0) => {
                    star(&mut out, v0, end);
                    block = Some(indent);
                    break;
                }
                After::Nothing => {}
            }
        }
        start += line.len();
    }
    // Only ASCII bytes were replaced by '*', whole characters at a time.
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn star(out: &mut [u8], from: usize, to: usize) {
    for b in &mut out[from.min(to)..to] {
        if !matches!(*b, b'\n' | b'\r') {
            *b = b'*';
        }
    }
}

/// The next secret word in `lower[from..end]`: (offset, length).
fn next_word(lower: &str, from: usize, end: usize) -> Option<(usize, usize)> {
    let hay = lower.get(from..end)?;
    WORDS
        .iter()
        .filter_map(|w| hay.find(w).map(|i| (from + i, w.len())))
        .min()
}

/// The identifier around a word: letters, digits, `_` and `-`.
fn token(b: &[u8], mut k0: usize, mut k1: usize, line0: usize, end: usize) -> (usize, usize) {
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c == b'-';
    while k0 > line0 && ident(b[k0 - 1]) {
        k0 -= 1;
    }
    while k1 < end && ident(b[k1]) {
        k1 += 1;
    }
    (k0, k1)
}

enum After {
    /// The value's byte range.
    Value(usize, usize),
    /// The value starts here and continues on the following lines.
    Block(usize),
    Nothing,
}

/// What follows a secret key: `": value"` (JSON, YAML) or the text of an XML element whose
/// name attribute it is (`name="OSDJoinPassword">value<`, raw or JSON-escaped).
fn value_after(b: &[u8], mut i: usize, end: usize) -> After {
    // Closing quote of the key: `"`, `'`, or `\"` inside a JSON string.
    loop {
        match (b.get(i), b.get(i + 1)) {
            (Some(b'"' | b'\''), _) if i < end => i += 1,
            (Some(b'\\'), Some(b'"')) if i + 1 < end => i += 2,
            _ => break,
        }
    }
    let mut j = i;
    while j < end && b[j] == b' ' {
        j += 1;
    }
    if j < end && (b[j] == b':' || b[j] == b'=') {
        j += 1;
        while j < end && matches!(b[j], b' ' | b'\t') {
            j += 1;
        }
        return match b.get(j) {
            _ if j >= end => After::Block(end),
            Some(b'"') | Some(b'\'') => After::Value(j + 1, closing_quote(b, j, end)),
            Some(b'[') | Some(b'{') => match matching_bracket(b, j, end) {
                Some(close) => After::Value(j + 1, close),
                None => After::Block(j),
            },
            _ => {
                let stop = (j..end)
                    .find(|&k| matches!(b[k], b',' | b'}' | b']' | b'#'))
                    .unwrap_or(end);
                After::Value(j, stop)
            }
        };
    }
    // XML element text: the end of the start tag, then up to the next tag.
    let text = &b[i..end];
    let close = [&b">"[..], b"\\u003e", b"&gt;"]
        .iter()
        .filter_map(|t| find(text, t).map(|k| (k, t.len())))
        .min();
    let open_before = [&b"<"[..], b"\\u003c", b"&lt;"]
        .iter()
        .filter_map(|t| find(text, t))
        .min();
    match close {
        Some((k, len)) if k < 300 && open_before.is_none_or(|o| o > k) => {
            let v0 = i + k + len;
            let rest = &b[v0..end];
            let v1 = [&b"<"[..], b"\\u003c", b"&lt;"]
                .iter()
                .filter_map(|t| find(rest, t))
                .min()
                .map_or(end, |k| v0 + k);
            After::Value(v0, v1)
        }
        _ => After::Nothing,
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len())
        .position(|w| w.eq_ignore_ascii_case(needle))
}

/// The offset of the quote closing the string that opens at `open`, or the line end.
fn closing_quote(b: &[u8], open: usize, end: usize) -> usize {
    let q = b[open];
    let mut k = open + 1;
    while k < end {
        if b[k] == b'\\' {
            k += 2;
            continue;
        }
        if b[k] == q {
            return k;
        }
        k += 1;
    }
    end
}

/// The offset of the bracket closing the one at `open` on the same line, if any.
fn matching_bracket(b: &[u8], open: usize, end: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut k = open;
    while k < end {
        match b[k] {
            b'"' | b'\'' => k = closing_quote(b, k, end),
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(k);
                }
            }
            _ => {}
        }
        k += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_values_are_blanked() {
        let mut text = String::from("{\"PXEPassword\": \"hunter2\", \"Name\": \"DP01\"}");
        let node = crate::source::json::parse(&text)
            .expect("json")
            .into_owned();
        let before = text.len();
        assert_eq!(redact(&node, &mut text), 1);
        assert!(!text.contains("hunter2"));
        assert!(text.contains("DP01"));
        assert_eq!(text.len(), before, "offsets of later values must not move");
    }

    #[test]
    fn yaml_collections_are_blanked_whole() {
        for src in [
            "password: [hunter2x, other]\nname: x\n",
            "password:\n  - hunter2x\n  - other\nname: x\n",
        ] {
            let mut text = src.to_string();
            let (node, _) = crate::source::yaml::parse(&text).ok().expect("yaml");
            redact(&node, &mut text);
            assert!(
                !text.contains("unter2") && !text.contains("other"),
                "{text}"
            );
            assert!(text.contains("name: x"), "{text}");
        }
    }

    #[test]
    fn scrub_finds_secrets_in_text_that_did_not_parse() {
        let cases = [
            ("{\"PXEPassword\": \"hunter2\", \"Name\": \"DP01\"", "DP01"),
            ("password: [hunter2, other]\nname: x\n", "name: x"),
            ("password:\n  - hunter2\n  - other\nname: x\n", "name: x"),
            ("  \"Password\": [\n    \"hunter2\"\n  ],\n  \"Name\": 1", "\"Name\": 1"),
            (
                "\"\\u003cvariable name=\\\"OSDJoinPassword\\\" property=\\\"DomainPassword\\\"\\u003ehunter2\\u003c/variable\\u003e\"",
                "variable",
            ),
            (
                "\\u003cvariable name=\\\"OSDJoinPassword\\\"\\u003ehunter2\\u003c/variable\\u003e\\q",
                "/variable",
            ),
            ("<variable name=\"OSDLocalAdminPassword\">hunter2</variable>", "</variable>"),
            ("pin: 4711hunter2\n", "pin"),
        ];
        for (text, kept) in cases {
            let s = scrub(text);
            assert_eq!(s.len(), text.len(), "{text}");
            assert!(
                !s.contains("hunter2") && !s.contains("unter2"),
                "{text} -> {s}"
            );
            assert!(s.contains(kept), "{text} -> {s}");
        }
        // A flag about a password stays readable.
        assert_eq!(
            scrub("password_protected: true\n"),
            "password_protected: true\n"
        );
    }
}
