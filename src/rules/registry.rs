//! The rule catalog: the rules embedded from `rules/` at build time, validated on load.

use std::sync::Arc;

use super::format::{self, Rule};
use crate::source::{yaml, InputError};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));
}

/// Parses rule files given as (name, text); all errors of all files come back together.
pub fn parse_all(files: &[(&str, &str)]) -> Result<Vec<Rule>, Vec<InputError>> {
    let mut rules = Vec::new();
    let mut errors = Vec::new();
    for (name, text) in files {
        let shared: Arc<str> = Arc::from(*text);
        let at = |span, message: String| {
            InputError {
            path: (*name).to_string(),
            message,
            at: Some((shared.clone(), span)),
            help: Some("the rule format is schemas/rule.schema.json; fields are listed by `cmg-preflight explain --fields`".into()),
        }
        };
        match yaml::parse(text) {
            Err(e) => errors.push(at(
                crate::source::Span::new(e.offset.unwrap_or(0), 1),
                format!("invalid YAML: {}", e.message),
            )),
            Ok(root) => match format::parse(&root, name) {
                Ok(rule) => rules.push(rule),
                Err(es) => errors.extend(
                    es.into_iter()
                        .map(|e| at(e.span, format!("rule: {}", e.message))),
                ),
            },
        }
    }
    let mut ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
    ids.sort_unstable();
    if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
        errors.push(InputError {
            path: "rules".into(),
            message: format!("rule id {} is defined twice", w[0]),
            at: None,
            help: None,
        });
    }
    if errors.is_empty() {
        rules.sort_by_key(|r| catalog_order(&r.id));
        Ok(rules)
    } else {
        Err(errors)
    }
}

/// The shipped catalog.
pub fn builtin() -> Result<Vec<Rule>, Vec<InputError>> {
    parse_all(embedded::EMBEDDED)
}

pub fn embedded_files() -> &'static [(&'static str, &'static str)] {
    embedded::EMBEDDED
}

/// Catalog groups in the order of domain §1.2 (A site … H task sequence), then number.
fn catalog_order(id: &str) -> (usize, String) {
    const GROUPS: [&str; 8] = ["SITE", "CMG", "MP", "CNT", "CS", "DEP", "MED", "TS"];
    let prefix = id.split('-').next().unwrap_or(id);
    (
        GROUPS
            .iter()
            .position(|g| *g == prefix)
            .unwrap_or(GROUPS.len()),
        id.to_string(),
    )
}
