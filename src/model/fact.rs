//! The view rules see: a tree of named facts, each with the place in the user's files it
//! came from, or an `Unknown` that carries the gap. No bit masks, no WMI quirks.

use crate::export::field::{Field, Gap};
use crate::source::Origin;

#[derive(Clone, Debug)]
pub struct Fact {
    pub value: V,
    pub origin: Option<Origin>,
    /// What few facts have, boxed: a large site's model has millions of facts.
    extra: Option<Box<Extra>>,
}

#[derive(Clone, Debug, Default)]
struct Extra {
    /// The raw export value behind a decoded one (`AdvertFlags 9306112 (0x008E0000)`).
    raw: Option<String>,
    /// Second places that matter for a finding on this fact (the client setting that won).
    also: Vec<(Origin, String)>,
    /// Places that explain the value but are not shown with every finding (the content status
    /// rows that were looked at): the why-chain lists them.
    context: Vec<(Origin, String)>,
}

#[derive(Clone, Debug)]
pub enum V {
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
    List(Vec<Fact>),
    Obj(Vec<(&'static str, Fact)>),
    Unknown(Box<Gap>),
}

impl Fact {
    pub fn new(value: V, origin: Option<Origin>) -> Self {
        Fact {
            value,
            origin,
            extra: None,
        }
    }
    pub fn unknown(gap: impl Into<Box<Gap>>) -> Self {
        let gap = gap.into();
        let origin = gap.at;
        Fact::new(V::Unknown(gap), origin)
    }
    pub fn str(s: impl Into<String>, origin: Option<Origin>) -> Self {
        Fact::new(V::Str(s.into()), origin)
    }
    pub fn bool(b: bool, origin: Option<Origin>) -> Self {
        Fact::new(V::Bool(b), origin)
    }
    pub fn list(items: Vec<Fact>, origin: Option<Origin>) -> Self {
        Fact::new(V::List(items), origin)
    }
    pub fn obj(members: Vec<(&'static str, Fact)>, origin: Option<Origin>) -> Self {
        Fact::new(V::Obj(members), origin)
    }
    /// A decoded field: `f` turns the raw value into the fact value, or says it is invalid.
    pub fn from_field<T>(field: &Field<T>, f: impl FnOnce(&T) -> V) -> Self {
        match field {
            Field::Known(v, o) => Fact::new(f(v), Some(*o)),
            Field::Missing(g) => Fact::unknown(g.clone()),
        }
    }
    pub fn with_raw(mut self, raw: impl Into<String>) -> Self {
        self.extra.get_or_insert_default().raw = Some(raw.into());
        self
    }
    pub fn with_also(mut self, also: Vec<(Origin, String)>) -> Self {
        self.extra.get_or_insert_default().also = also;
        self
    }
    pub fn with_context(mut self, context: Vec<(Origin, String)>) -> Self {
        self.extra.get_or_insert_default().context = context;
        self
    }

    /// The raw export value behind a decoded one (`AdvertFlags 9306112 (0x008E0000)`).
    pub fn raw(&self) -> Option<&str> {
        self.extra.as_ref().and_then(|e| e.raw.as_deref())
    }
    /// Second places that matter for a finding on this fact (the client setting that won).
    pub fn also(&self) -> &[(Origin, String)] {
        self.extra.as_ref().map_or(&[], |e| &e.also)
    }
    /// Places that explain the value, for the why-chain (the content status rows looked at).
    pub fn context(&self) -> &[(Origin, String)] {
        self.extra.as_ref().map_or(&[], |e| &e.context)
    }

    pub fn get(&self, key: &str) -> Option<&Fact> {
        match &self.value {
            V::Obj(m) => m.iter().find(|(k, _)| *k == key).map(|(_, f)| f),
            _ => None,
        }
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Fact> {
        match &mut self.value {
            V::Obj(m) => m.iter_mut().find(|(k, _)| *k == key).map(|(_, f)| f),
            _ => None,
        }
    }

    pub fn gap(&self) -> Option<&Gap> {
        match &self.value {
            V::Unknown(g) => Some(g),
            _ => None,
        }
    }

    /// Short text of the value for messages (`true`, `"ready"`, `3 items`).
    pub fn display(&self) -> String {
        match &self.value {
            V::Null => "null".into(),
            // The console's words for these options.
            V::Bool(true) => "Yes".into(),
            V::Bool(false) => "No".into(),
            V::Int(i) => i.to_string(),
            V::Str(s) => s.clone(),
            V::List(l) => format!("{} item(s)", l.len()),
            V::Obj(_) => "an object".into(),
            V::Unknown(_) => "unknown".into(),
        }
    }
}
