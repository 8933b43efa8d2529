//! JSON Schema validation of our own YAML inputs (media plans, rule files), with every error
//! placed at the key or value it is about. Messages never repeat the offending value, so a
//! secret typed into the wrong key is not echoed.

use std::collections::HashMap;

use jsonschema::error::ValidationErrorKind;
use serde_json::{Map, Value as Json};

use crate::source::node::{Node, Value};
use crate::source::Span;

pub struct SchemaError {
    pub span: Span,
    pub message: String,
}

pub struct Schema {
    validator: jsonschema::Validator,
}

impl Schema {
    /// Compiles an embedded schema. A broken embedded schema is a bug caught by the tests.
    pub fn new(text: &str) -> Result<Self, String> {
        let json: Json = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(&json)
            .map_err(|e| e.to_string())?;
        Ok(Schema { validator })
    }

    /// Every error, in document order.
    pub fn validate(&self, root: &Node) -> Vec<SchemaError> {
        let mut index = HashMap::new();
        let json = lower(root, String::new(), &mut index, None);
        let mut out: Vec<SchemaError> = Vec::new();
        for e in self.validator.iter_errors(&json) {
            let ptr = e.instance_path().as_str().to_string();
            let (value_span, key_span) = index.get(&ptr).copied().unwrap_or((root.span, None));
            match e.kind() {
                ValidationErrorKind::AdditionalProperties { unexpected }
                | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
                    for name in unexpected {
                        let child = format!("{ptr}/{}", escape(name));
                        let span = index
                            .get(&child)
                            .and_then(|(_, k)| *k)
                            .unwrap_or(value_span);
                        out.push(SchemaError {
                            span,
                            message: format!("unknown key `{name}`"),
                        });
                    }
                }
                kind => out.push(SchemaError {
                    span: key_span
                        .filter(|_| matches!(kind, ValidationErrorKind::Required { .. }))
                        .unwrap_or(value_span),
                    message: message(kind, &ptr),
                }),
            }
        }
        out.sort_by_key(|e| e.span.start());
        out
    }
}

fn message(kind: &ValidationErrorKind, ptr: &str) -> String {
    let at = if ptr.is_empty() {
        "the document".to_string()
    } else {
        format!("`{}`", ptr.trim_start_matches('/').replace('/', "."))
    };
    match kind {
        ValidationErrorKind::Required { property } => format!(
            "{at} is missing the required key `{}`",
            property.as_str().unwrap_or("?")
        ),
        ValidationErrorKind::Type { kind } => {
            format!("{at} has the wrong type: expected {}", type_name(kind))
        }
        ValidationErrorKind::Enum { options } => format!("{at} must be one of: {}", list(options)),
        ValidationErrorKind::Constant { expected_value } => {
            format!("{at} must be {expected_value}")
        }
        ValidationErrorKind::Pattern { pattern } => {
            format!("{at} does not match the pattern `{pattern}`")
        }
        ValidationErrorKind::MinItems { limit } => format!("{at} needs at least {limit} item(s)"),
        ValidationErrorKind::MinLength { limit } => {
            format!("{at} needs at least {limit} character(s)")
        }
        ValidationErrorKind::Minimum { limit } => format!("{at} must be at least {limit}"),
        ValidationErrorKind::Maximum { limit } => format!("{at} must be at most {limit}"),
        ValidationErrorKind::UniqueItems => format!("{at} has duplicate items"),
        ValidationErrorKind::OneOfNotValid { .. } | ValidationErrorKind::AnyOf { .. } => {
            format!("{at} matches none of the allowed forms")
        }
        ValidationErrorKind::Format { format } => format!("{at} is not a valid {format}"),
        other => format!("{at} is invalid ({})", other.keyword()),
    }
}

fn type_name(kind: &jsonschema::error::TypeKind) -> String {
    match kind {
        jsonschema::error::TypeKind::Single(t) => t.to_string(),
        jsonschema::error::TypeKind::Multiple(set) => set
            .iter()
            .map(|t| t.to_string())
            .collect::<Vec<_>>()
            .join(" or "),
    }
}

fn list(options: &Json) -> String {
    match options {
        Json::Array(items) => items
            .iter()
            .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// Our tree to serde_json, recording pointer → (value span, key span).
fn lower(
    n: &Node,
    ptr: String,
    index: &mut HashMap<String, (Span, Option<Span>)>,
    key: Option<Span>,
) -> Json {
    index.insert(ptr.clone(), (n.span, key));
    match &n.value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::from(*i),
        Value::Float(f) => serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number),
        Value::String(s) => Json::String(s.to_string()),
        // Not decoded: a schema checks that it is a string, never what it says.
        Value::Deferred(raw) => Json::String(raw.to_string()),
        Value::Array(items) => Json::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, c)| lower(c, format!("{ptr}/{i}"), index, None))
                .collect(),
        ),
        Value::Object(members) => {
            let mut map = Map::new();
            for m in members {
                let child = lower(
                    &m.value,
                    format!("{ptr}/{}", escape(&m.key)),
                    index,
                    Some(m.key_span),
                );
                map.insert(m.key.to_string(), child);
            }
            Json::Object(map)
        }
        // Callers refuse files with repeated properties before validating; the inner value
        // keeps this total.
        Value::Repeated(inner) => lower(inner, ptr, index, key),
    }
}
