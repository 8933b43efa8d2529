//! Secrets never reach a report. A value under a key that names a password is blanked in the
//! text we keep for snippets (same length, so every other span stays right).

use super::node::{Node, Value};

pub fn is_secret_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.contains("password") || k.contains("passphrase") || k.contains("secret") || k == "pin"
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

/// The byte ranges of secret values below `node`, in one walk.
pub fn collect(node: &Node, out: &mut Vec<(usize, usize)>) {
    match &node.value {
        Value::Object(members) => {
            for m in members {
                if is_secret_key(&m.key) && !m.value.is_null() && m.value.span.len > 0 {
                    out.push((m.value.span.start, m.value.span.end()));
                } else {
                    collect(&m.value, out);
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect(i, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_values_are_blanked() {
        let mut text = String::from("{\"PXEPassword\": \"hunter2\", \"Name\": \"DP01\"}");
        let node = crate::source::json::parse(&text).expect("json");
        let before = text.len();
        assert_eq!(redact(&node, &mut text), 1);
        assert!(!text.contains("hunter2"));
        assert!(text.contains("DP01"));
        assert_eq!(text.len(), before, "offsets of later values must not move");
    }
}
