//! `{placeholders}` in messages and remediation: model paths (`{deployment.id}`), the
//! evidence (`{found}`, `{expected}`), and lists (`{deployments|id,availability}` renders
//! `PS120045 (clients_media_pxe), ...`).

use super::condition::{Env, Evidence};
use super::format::Command;
use crate::model::fact::V;

pub fn render(template: &str, env: &Env, ev: &Evidence) -> String {
    fill(template, &mut |p| Some(value(p, env, ev))).unwrap_or_default()
}

/// A PowerShell remediation for this environment: the template its `by` fact picks, with
/// every value quoted for a PowerShell single-quoted string. `None` when no template applies
/// or a value it needs is not in the export (a command with a guessed value is worse than
/// none; the console path still says what to do).
pub fn command(c: &Command, env: &Env) -> Option<String> {
    let by =
        c.by.as_deref()
            .and_then(|p| env.lookup(p).ok())
            .filter(|f| f.gap().is_none() && !matches!(f.value, V::Null))
            .map(|f| f.display());
    let template = c.pick(by.as_deref())?;
    fill(template, &mut |p| {
        let path = p.split('|').next().unwrap_or(p);
        let fact = env.lookup(path).ok()?;
        if fact.gap().is_some() || matches!(fact.value, V::Null) {
            return None;
        }
        Some(crate::script::escape(&value(p, env, &Evidence::default())))
    })
}

/// Replaces each `{placeholder}` with `value(placeholder)`; `None` when a value is `None`.
/// Braces that are no placeholder (PowerShell script blocks, JSON) stay as written.
fn fill(template: &str, value: &mut dyn FnMut(&str) -> Option<String>) -> Option<String> {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) if is_placeholder(&after[..close]) => {
                out.push_str(&value(&after[..close])?);
                rest = &after[close + 1..];
            }
            _ => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    Some(out)
}

fn is_placeholder(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.' || c == '|' || c == ',')
}

/// Every placeholder in a template resolves in this environment (used by the registry test).
pub fn unresolved(template: &str, env: &Env) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else { break };
        let p = &after[..close];
        if is_placeholder(p) && p != "found" && p != "expected" {
            let path = p.split('|').next().unwrap_or(p);
            if env.lookup(path).is_err() {
                out.push(p.to_string());
            }
        }
        rest = &after[close + 1..];
    }
    out
}

fn value(p: &str, env: &Env, ev: &Evidence) -> String {
    match p {
        "found" => return ev.found.clone(),
        "expected" => return ev.expected.clone(),
        _ => {}
    }
    let (path, fields) = p.split_once('|').map_or((p, None), |(a, b)| (a, Some(b)));
    let Ok(fact) = env.lookup(path) else {
        return format!("{{{p}}}");
    };
    match (&fact.value, fields) {
        (V::List(items), Some(fields)) => {
            let names: Vec<&str> = fields.split(',').collect();
            let shown: Vec<String> = items
                .iter()
                .map(|item| {
                    let parts: Vec<String> = names
                        .iter()
                        .map(|n| item.get(n).map_or("?".into(), |f| f.display()))
                        .collect();
                    match parts.split_first() {
                        Some((first, rest)) if !rest.is_empty() => {
                            format!("{first} ({})", rest.join(", "))
                        }
                        Some((first, _)) => first.clone(),
                        None => String::new(),
                    }
                })
                .collect();
            if shown.is_empty() {
                "none".into()
            } else {
                shown.join(", ")
            }
        }
        (V::Unknown(_), _) => "(unknown)".into(),
        _ => fact.display(),
    }
}
