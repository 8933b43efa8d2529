//! `{placeholders}` in messages and remediation: model paths (`{deployment.id}`), the
//! evidence (`{found}`, `{expected}`), and lists (`{deployments|id,availability}` renders
//! `PS120045 (clients_media_pxe), ...`).

use super::condition::{Env, Evidence};
use crate::model::fact::V;

pub fn render(template: &str, env: &Env, ev: &Evidence) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) if is_placeholder(&after[..close]) => {
                out.push_str(&value(&after[..close], env, ev));
                rest = &after[close + 1..];
            }
            _ => {
                // Not a placeholder (PowerShell braces, JSON): keep it as written.
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
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
