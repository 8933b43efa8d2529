//! `--baseline previous.json`: failures that an earlier JSON result already had are marked
//! known, so a gate fails only on new ones. Matched by rule and target, never by line, so a
//! re-export that moves lines does not make old findings look new.

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use crate::rules::engine::{Finding, Outcome};
use crate::rules::format::Rule;
use crate::source::node::{Node, Value};
use crate::source::{json, InputError, Span};

/// The failures of the earlier result: (rule, target kind, lower-case target id).
pub struct Known(HashSet<(String, String, String)>);

/// Reads an earlier `--format json` result.
pub fn load(
    path: &Path,
    encoding: Option<&'static encoding_rs::Encoding>,
) -> Result<Known, Vec<InputError>> {
    let text = crate::source::read(path, encoding)
        .map_err(|e| vec![e])?
        .text;
    let root = json::parse(&text).map_err(|e| {
        vec![InputError {
            path: crate::source::display_path(path),
            message: format!("the baseline is not JSON: {}", e.message),
            at: Some((Arc::new(text.clone()), Span::new(e.offset, 1))),
            help: Some("give a result written with --format json".into()),
        }]
    })?;
    let Some(Value::Array(results)) = root.get("results").map(|n| &n.value) else {
        return Err(vec![InputError::whole_file(
            path,
            "the baseline has no `results` array: give a result written with --format json",
        )]);
    };
    Ok(Known(
        results
            .iter()
            .filter(|r| {
                matches!(
                    r.get("outcome").and_then(Node::as_str),
                    Some("fail" | "waived")
                )
            })
            .filter_map(|r| {
                let t = r.get("target")?;
                Some((
                    r.get("rule")?.as_str()?.to_string(),
                    t.get("kind")?.as_str()?.to_string(),
                    t.get("id")?.as_str()?.to_ascii_lowercase(),
                ))
            })
            .collect(),
    ))
}

impl Known {
    pub fn mark(&self, rules: &[Rule], findings: &mut [Finding]) {
        for f in findings.iter_mut().filter(|f| f.outcome == Outcome::Fail) {
            let key = (
                rules[f.rule].id.clone(),
                f.target.kind.to_string(),
                f.target.id.to_ascii_lowercase(),
            );
            f.in_baseline = self.0.contains(&key);
        }
    }
}
