//! YAML into the same span-carrying tree as JSON, through serde-saphyr's `Spanned`.
//! serde-saphyr enforces depth and alias budgets, so a hostile file fails cleanly.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

use super::node::{mark_duplicates, Duplicate, Member, Node, Value};
use super::Span;

pub struct YamlError {
    pub offset: Option<usize>,
    pub message: String,
}

/// serde-saphyr's default budget (250,000 nodes, 1,000,000 events, 64 MiB of scalars) is for
/// configuration files; the content status of a large site is millions of nodes. Without
/// aliases a node takes at least one byte of the file and an event at most a few, so the
/// budgets grow with the file's size; the alias and anchor budgets, which stop expansion
/// bombs, stay serde-saphyr's. (The file itself is bounded by the reader's size limit.)
fn budget_for(len: usize) -> Option<serde_saphyr::Budget> {
    serde_saphyr::budget! {
        max_reader_input_bytes: None,
        max_nodes: len.max(250_000),
        max_events: len.saturating_mul(3).max(1_000_000),
        max_total_scalar_bytes: len.max(64 * 1024 * 1024),
    }
}

/// Parses a document. serde-saphyr refuses keys repeated exactly; keys that differ only in
/// case (which PowerShell treats as one property) come back as duplicates.
pub fn parse(text: &str) -> Result<(Node<'static>, Vec<Duplicate>), YamlError> {
    // YAML 1.2 scalars: `yes`, `on` and `0755` stay strings, as a JSON reader would see them.
    let opts = serde_saphyr::options! {
        strict_booleans: true,
        underscored_numbers_as_strings: true,
        leading_zero_numbers_as_strings: true,
        budget: budget_for(text.len()),
    };
    match serde_saphyr::from_str_with_options::<Spanned<Tree>>(text, opts) {
        Ok(root) => {
            let mut dups = Vec::new();
            let node = lower(root, &mut dups);
            Ok((node, dups))
        }
        Err(e) => Err(YamlError {
            offset: e.location().and_then(|l| {
                l.span()
                    .byte_offset()
                    .map(|o| o as usize)
                    .or_else(|| offset_of(text, l.line() as usize, l.column() as usize))
            }),
            message: first_line(&e.to_string()),
        }),
    }
}

/// The byte offset of a 1-based line and character column, for errors that carry no offset.
fn offset_of(text: &str, line: usize, column: usize) -> Option<usize> {
    let start = match line.checked_sub(1)? {
        0 => 0,
        n => text.match_indices('\n').nth(n - 1)?.0 + 1,
    };
    let rest = &text[start..];
    let in_line = rest
        .char_indices()
        .nth(column.saturating_sub(1))
        .map_or(rest.len(), |(i, _)| i);
    Some(start + in_line)
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or(s).to_string()
}

fn span_of<T>(s: &Spanned<T>) -> Span {
    let sp = s.referenced.span();
    Span::new(
        sp.byte_offset().unwrap_or(0) as usize,
        sp.byte_len().unwrap_or(0) as usize,
    )
}

fn lower(s: Spanned<Tree>, dups: &mut Vec<Duplicate>) -> Node<'static> {
    let span = span_of(&s);
    let value = match s.value {
        Tree::Null => Value::Null,
        Tree::Bool(b) => Value::Bool(b),
        Tree::Int(i) => Value::Int(i),
        Tree::Float(f) => Value::Float(f),
        Tree::Str(x) => Value::String(x.into()),
        Tree::Seq(items) => Value::Array(items.into_iter().map(|i| lower(i, dups)).collect()),
        Tree::Map(members) => {
            let mut members: Vec<Member> = members
                .into_iter()
                .map(|(k, v)| Member {
                    key_span: span_of(&k),
                    key: k.value.into(),
                    value: lower(v, dups),
                })
                .collect();
            mark_duplicates(&mut members, dups);
            Value::Object(members)
        }
    };
    Node { span, value }
}

enum Tree {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Spanned<Tree>>),
    Map(Vec<(Spanned<String>, Spanned<Tree>)>),
}

impl<'de> Deserialize<'de> for Tree {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TreeVisitor)
    }
}

struct TreeVisitor;

impl<'de> Visitor<'de> for TreeVisitor {
    type Value = Tree;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Tree, E> {
        Ok(Tree::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Tree, E> {
        Ok(Tree::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Tree, E> {
        Ok(i64::try_from(v).map_or(Tree::Float(v as f64), Tree::Int))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Tree, E> {
        Ok(Tree::Float(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Tree, E> {
        Ok(Tree::Str(v.to_string()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Tree, E> {
        Ok(Tree::Str(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Tree, E> {
        Ok(Tree::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Tree, E> {
        Ok(Tree::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Tree, D::Error> {
        Tree::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Tree, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Tree>>()? {
            items.push(item);
        }
        Ok(Tree::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Tree, A::Error> {
        let mut members = Vec::new();
        while let Some(k) = map.next_key::<Spanned<String>>()? {
            let v = map.next_value::<Spanned<Tree>>()?;
            members.push((k, v));
        }
        Ok(Tree::Map(members))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_site_is_over_the_default_node_budget_and_parses() {
        // 65,000 content status rows of three keys: 260,001 nodes, over the default 250,000.
        let mut text = String::new();
        for i in 0..65_000 {
            text.push_str(&format!(
                "- PackageID: PS{i:06}\n  State: 0\n  ServerNALPath: x\n"
            ));
        }
        let Ok((node, dups)) = parse(&text) else {
            panic!("a large plain file does not parse")
        };
        assert!(dups.is_empty());
        assert!(matches!(&node.value, Value::Array(rows) if rows.len() == 65_000));
        // Aliases keep serde-saphyr's own budget: a billion laughs still fails.
        let mut bomb = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
        for (i, name) in ["b", "c", "d", "e", "f", "g", "h", "i"].iter().enumerate() {
            let prev = ["a", "b", "c", "d", "e", "f", "g", "h"][i];
            bomb.push_str(&format!(
                "{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
            ));
        }
        assert!(parse(&bomb).is_err());
    }

    #[test]
    fn spans_and_strict_scalars() {
        let text = "a: yes\nb:\n  - 0755\n  - 12\n";
        let (n, _) = parse(text).ok().expect("parses");
        assert_eq!(n.get("a").and_then(Node::as_str), Some("yes"));
        let Value::Array(items) = &n.get("b").expect("b").value else {
            panic!("seq")
        };
        assert_eq!(items[0].as_str(), Some("0755"));
        assert_eq!(items[1].value, Value::Int(12));
        assert_eq!(&text[items[1].span.start..items[1].span.end()], "12");
    }

    #[test]
    fn keys_differing_in_case_are_duplicates() {
        let (n, dups) = parse("Flags: 1\nflags: 2\n").ok().expect("parses");
        assert_eq!(dups.len(), 1);
        assert!(matches!(
            n.get("flags").map(|v| &v.value),
            Some(Value::Repeated(_))
        ));
        assert!(
            parse("a: 1\na: 2\n").is_err(),
            "exact repeats are a YAML error"
        );
    }

    #[test]
    fn errors_point_at_their_line() {
        let text = "a: 1\nb:\n\t- x\n";
        let e = parse(text).expect_err("a tab is no indentation");
        let at = e.offset.expect("placed");
        assert!(at >= 5, "{at}: {}", e.message);
    }

    #[test]
    fn alias_bomb_is_rejected() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        assert!(parse(&text).is_err());
    }
}
