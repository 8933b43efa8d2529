//! The span-carrying value tree that both the JSON and YAML readers produce.
//! Only one top-level array element is alive at a time (see `json::parse_items`). The JSON
//! reader borrows keys and strings from the text where it can: a large export has millions.

use std::borrow::Cow;

use super::Span;

/// A property name that occurs twice in one object (compared without case, as PowerShell's
/// `ConvertFrom-Json` does, which rejects such a file). Both values are kept, wrapped in
/// `Value::Repeated`, so that neither decides anything.
#[derive(Debug, Clone, PartialEq)]
pub struct Duplicate {
    pub key: String,
    /// The key of the first occurrence and of the later one.
    pub first: Span,
    pub again: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node<'a> {
    pub span: Span,
    pub value: Value<'a>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(Cow<'a, str>),
    /// A JSON string left encoded, its escapes checked: the text between its quotes. Only a
    /// value the reader was asked to defer is kept so (`json::Defer`), one read on demand
    /// (a task sequence's Sequence XML): decoding it on load cost a large site more than
    /// anything else it read. [`Node::as_str`] does not see it.
    Deferred(&'a str),
    Array(Vec<Node<'a>>),
    Object(Vec<Member<'a>>),
    /// The value of a property whose name occurs more than once in its object. PowerShell's
    /// ConvertFrom-Json rejects such a file, so no value of it may decide anything; the
    /// original value is kept for redaction and messages.
    Repeated(Box<Node<'a>>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Member<'a> {
    pub key: Cow<'a, str>,
    pub key_span: Span,
    pub value: Node<'a>,
}

impl Node<'_> {
    /// The same tree, owning its strings (for a document kept after its text: a media plan).
    pub fn into_owned(self) -> Node<'static> {
        let value = match self.value {
            Value::Null => Value::Null,
            Value::Bool(b) => Value::Bool(b),
            Value::Int(i) => Value::Int(i),
            Value::Float(f) => Value::Float(f),
            Value::String(s) => Value::String(Cow::Owned(s.into_owned())),
            // Deferred values are export data, never in a kept document: keep the raw text.
            Value::Deferred(raw) => Value::String(Cow::Owned(raw.to_string())),
            Value::Array(items) => Value::Array(items.into_iter().map(Node::into_owned).collect()),
            Value::Object(members) => Value::Object(
                members
                    .into_iter()
                    .map(|m| Member {
                        key: Cow::Owned(m.key.into_owned()),
                        key_span: m.key_span,
                        value: m.value.into_owned(),
                    })
                    .collect(),
            ),
            Value::Repeated(inner) => Value::Repeated(Box::new(inner.into_owned())),
        };
        Node {
            span: self.span,
            value,
        }
    }
}

impl<'a> Node<'a> {
    /// Property lookup. PowerShell property names are case-insensitive, so this is too.
    pub fn get(&self, key: &str) -> Option<&Node<'a>> {
        match &self.value {
            Value::Object(members) => members
                .iter()
                .find(|m| m.key == key)
                .or_else(|| members.iter().find(|m| m.key.eq_ignore_ascii_case(key)))
                .map(|m| &m.value),
            _ => None,
        }
    }
    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }
    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }
    pub fn members(&self) -> &[Member<'a>] {
        match &self.value {
            Value::Object(m) => m,
            _ => &[],
        }
    }
    /// The strings of an array (a list of ids in a YAML file); anything else gives none.
    pub fn strings(node: Option<&Node>) -> Vec<String> {
        match node.map(|n| &n.value) {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        }
    }

    pub fn kind_name(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) | Value::Float(_) => "a number",
            Value::String(_) | Value::Deferred(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
            Value::Repeated(_) => "a property given more than once",
        }
    }
}

/// Finds property names given twice (ASCII case-insensitively) and wraps every value of
/// such a name in `Value::Repeated`. Small objects compare pairwise; large ones hash.
pub fn mark_duplicates(members: &mut [Member<'_>], dups: &mut Vec<Duplicate>) {
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    if members.len() <= 32 {
        for j in 1..members.len() {
            if let Some(i) = (0..j).find(|&i| members[i].key.eq_ignore_ascii_case(&members[j].key))
            {
                pairs.push((i, j));
            }
        }
    } else {
        let mut first: std::collections::HashMap<String, usize> = Default::default();
        for (j, m) in members.iter().enumerate() {
            match first.entry(m.key.to_ascii_lowercase()) {
                std::collections::hash_map::Entry::Occupied(e) => pairs.push((*e.get(), j)),
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(j);
                }
            }
        }
    }
    for (i, j) in pairs {
        dups.push(Duplicate {
            key: members[j].key.to_string(),
            first: members[i].key_span,
            again: members[j].key_span,
        });
        for k in [i, j] {
            let v = &mut members[k].value;
            if !matches!(v.value, Value::Repeated(_)) {
                let inner = std::mem::replace(&mut v.value, Value::Null);
                v.value = Value::Repeated(Box::new(Node {
                    span: v.span,
                    value: inner,
                }));
            }
        }
    }
}
