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
/// bombs, stay serde-saphyr's.
fn budget_for(len: usize) -> Option<serde_saphyr::Budget> {
    serde_saphyr::budget! {
        max_reader_input_bytes: None,
        max_nodes: len.max(250_000),
        max_events: len.saturating_mul(3).max(1_000_000),
        max_total_scalar_bytes: len.max(64 * 1024 * 1024),
    }
}

/// serde-saphyr's options: YAML 1.2 scalars (`yes`, `on` and `0755` stay strings, as a JSON
/// reader would see them) and budgets for the file's size.
fn options(text: &str) -> serde_saphyr::Options {
    serde_saphyr::options! {
        strict_booleans: true,
        underscored_numbers_as_strings: true,
        leading_zero_numbers_as_strings: true,
        budget: budget_for(text.len()),
    }
}

/// Parses a document into one tree. serde-saphyr refuses keys repeated exactly; keys that
/// differ only in case (which PowerShell treats as one property) come back as duplicates.
pub fn parse(text: &str) -> Result<(Node<'static>, Vec<Duplicate>), YamlError> {
    match serde_saphyr::from_str_with_options::<Spanned<Built>>(text, options(text)) {
        Ok(root) => {
            let mut dups = Vec::new();
            let mut node = Node {
                span: span_of(&root),
                value: root.value.0,
            };
            mark_all(&mut node, &mut dups);
            Ok((node, dups))
        }
        Err(e) => Err(error(text, e)),
    }
}

/// Parses a document as [`parse`] does, handing each element of a top-level sequence to
/// `each` as soon as it is read, so that only one is alive at a time (a large site's content
/// status is hundreds of thousands); any other document is one item.
pub fn parse_items(
    text: &str,
    each: &mut dyn FnMut(Node<'static>),
) -> Result<Vec<Duplicate>, YamlError> {
    let mut dups = Vec::new();
    let items = Items {
        each,
        dups: &mut dups,
    };
    serde_saphyr::with_deserializer_from_str_with_options(text, options(text), |de| {
        de::DeserializeSeed::deserialize(items, de)
    })
    .map_err(|e| error(text, e))?;
    Ok(dups)
}

fn error(text: &str, e: serde_saphyr::Error) -> YamlError {
    YamlError {
        offset: e.location().and_then(|l| {
            l.span()
                .byte_offset()
                .map(|o| o as usize)
                .or_else(|| offset_of(text, l.line() as usize, l.column() as usize))
        }),
        message: first_line(&e.to_string()),
    }
}

/// Wraps the values of property names given twice (compared without case) in
/// `Value::Repeated`, inner objects first.
fn mark_all(node: &mut Node<'static>, dups: &mut Vec<Duplicate>) {
    match &mut node.value {
        Value::Array(items) => items.iter_mut().for_each(|i| mark_all(i, dups)),
        Value::Object(members) => {
            for m in members.iter_mut() {
                mark_all(&mut m.value, dups);
            }
            mark_duplicates(members, dups);
        }
        _ => {}
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

/// A YAML value as our tree's value, built while serde-saphyr reads it (its children carry
/// their spans through `Spanned`).
struct Built(Value<'static>);

fn node(s: Spanned<Built>) -> Node<'static> {
    Node {
        span: span_of(&s),
        value: s.value.0,
    }
}

impl<'de> Deserialize<'de> for Built {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(BuiltVisitor)
    }
}

struct BuiltVisitor;

impl<'de> Visitor<'de> for BuiltVisitor {
    type Value = Built;
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Built, E> {
        Ok(Built(Value::Bool(v)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Built, E> {
        Ok(Built(Value::Int(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Built, E> {
        Ok(Built(
            i64::try_from(v).map_or(Value::Float(v as f64), Value::Int),
        ))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Built, E> {
        Ok(Built(Value::Float(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Built, E> {
        Ok(Built(Value::String(v.to_string().into())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Built, E> {
        Ok(Built(Value::String(v.into())))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Built, E> {
        Ok(Built(Value::Null))
    }
    fn visit_none<E: de::Error>(self) -> Result<Built, E> {
        Ok(Built(Value::Null))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Built, D::Error> {
        Built::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Built, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(item) = seq.next_element::<Spanned<Built>>()? {
            items.push(node(item));
        }
        Ok(Built(Value::Array(items)))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Built, A::Error> {
        let mut members = Vec::with_capacity(map.size_hint().unwrap_or(0).min(1024));
        while let Some(k) = map.next_key::<Spanned<String>>()? {
            let v = map.next_value::<Spanned<Built>>()?;
            members.push(Member {
                key_span: span_of(&k),
                key: k.value.into(),
                value: node(v),
            });
        }
        Ok(Built(Value::Object(members)))
    }
}

/// The top level of [`parse_items`]: the elements of a sequence go to `each` one by one.
struct Items<'f> {
    each: &'f mut dyn FnMut(Node<'static>),
    dups: &'f mut Vec<Duplicate>,
}

impl Items<'_> {
    fn one(&mut self, mut node: Node<'static>) {
        mark_all(&mut node, self.dups);
        (self.each)(node);
    }

    /// A document that is one scalar (no export object, but an item all the same).
    fn scalar<E>(mut self, b: Built) -> Result<(), E> {
        self.one(Node {
            span: Span::new(0, 0),
            value: b.0,
        });
        Ok(())
    }
}

impl<'de> de::DeserializeSeed<'de> for Items<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Items<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        while let Some(item) = seq.next_element::<Spanned<Built>>()? {
            self.one(node(item));
        }
        Ok(())
    }
    // A document that is one object: it starts where its first key does.
    fn visit_map<A: MapAccess<'de>>(mut self, map: A) -> Result<(), A::Error> {
        let Built(value) = BuiltVisitor.visit_map(map)?;
        let start = match &value {
            Value::Object(members) => members.first().map_or(0, |m| m.key_span.start()),
            _ => 0,
        };
        self.one(Node {
            span: Span::new(start, 0),
            value,
        });
        Ok(())
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.scalar(BuiltVisitor.visit_bool(v)?)
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.scalar(BuiltVisitor.visit_i64(v)?)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.scalar(BuiltVisitor.visit_u64(v)?)
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        self.scalar(BuiltVisitor.visit_f64(v)?)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.scalar(BuiltVisitor.visit_str(v)?)
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<(), E> {
        self.scalar(BuiltVisitor.visit_string(v)?)
    }
    // An empty document holds nothing.
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
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
        assert_eq!(&text[items[1].span.start()..items[1].span.end()], "12");
    }

    #[test]
    fn items_come_one_by_one_as_parse_gives_them() {
        let text = "# rows\n- a: 1\n  A: 2\n- b: [x, y]\n";
        let (whole, whole_dups) = parse(text).ok().expect("parses");
        let mut items = Vec::new();
        let dups = parse_items(text, &mut |n| items.push(n))
            .ok()
            .expect("parses");
        assert_eq!(
            Some(items.as_slice()),
            match &whole.value {
                Value::Array(all) => Some(all.as_slice()),
                _ => None,
            }
        );
        assert_eq!(dups, whole_dups);
        assert_eq!(dups.len(), 1, "a and A");
        // One object: one item, starting at its first key; a document of comments: none.
        let mut items = Vec::new();
        parse_items("# x\nName: v\n", &mut |n| items.push(n))
            .ok()
            .expect("parses");
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].span.start(), 4);
        assert_eq!(items[0].get("name").and_then(Node::as_str), Some("v"));
        let mut count = 0;
        parse_items("# only a comment\n", &mut |_| count += 1)
            .ok()
            .expect("parses");
        assert_eq!(count, 0);
        // An error after some items is still an error.
        assert!(parse_items("- a: 1\n- b: [\n", &mut |_| {}).is_err());
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
