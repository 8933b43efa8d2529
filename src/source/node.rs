//! The span-carrying value tree that both the JSON and YAML readers produce.
//! Only one top-level array element is alive at a time (see `json::parse_items`).

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
pub struct Node {
    pub span: Span,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    Array(Vec<Node>),
    Object(Vec<Member>),
    /// The value of a property whose name occurs more than once in its object. PowerShell's
    /// ConvertFrom-Json rejects such a file, so no value of it may decide anything; the
    /// original value is kept for redaction and messages.
    Repeated(Box<Node>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

impl Node {
    /// Property lookup. PowerShell property names are case-insensitive, so this is too.
    pub fn get(&self, key: &str) -> Option<&Node> {
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
    pub fn members(&self) -> &[Member] {
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
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Object(_) => "an object",
            Value::Repeated(_) => "a property given more than once",
        }
    }
}

/// Finds property names given twice (ASCII case-insensitively) and wraps every value of
/// such a name in `Value::Repeated`. Small objects compare pairwise; large ones hash.
pub fn mark_duplicates(members: &mut [Member], dups: &mut Vec<Duplicate>) {
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
            key: members[j].key.clone(),
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
