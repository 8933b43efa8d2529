//! Machine-readable result, format version 1: one entry per rule and target evaluated, each
//! with its location in the user's files (line and column are 1-based, columns in characters).
//! `schemas/results.schema.json` describes it; tests/formats.rs validates the output against it.

use serde_json::{json, Value};

use super::registry::{write_text, Format};
use super::Report;
use crate::rules::engine::Finding;
use crate::source::Origin;

pub const FORMAT: Format = Format {
    name: "json",
    help: "One result per rule and target (format version 1, schemas/results.schema.json)",
    about: "one result for every rule and target: `rule`, `name`, `title`, `severity`, `outcome`, `target`, `message`, `expected`, `found`, `location` (`file`, `line`, `column`), `related`, `detail`, `evidence` (the why-chain), `remediation`, plus `summary`, `context`, `notes` and the tool version. Format version 1, described by [schemas/results.schema.json](schemas/results.schema.json)",
    extension: "json",
    file_name: "results.json",
    evidence: true,
    render: |r, _, out| write_text(render(r), out),
};

pub const FORMAT_VERSION: u32 = 1;

pub fn render(r: &Report) -> String {
    let c = r.counts();
    let doc = json!({
        "version": FORMAT_VERSION,
        "tool": { "name": "cmg-preflight", "version": env!("CARGO_PKG_VERSION") },
        "context": r.header.iter().map(|(k, v)| ((*k).to_string(), Value::String(v.clone()))).collect::<serde_json::Map<_, _>>(),
        "results": r.findings.iter().map(|f| result(r, f)).collect::<Vec<_>>(),
        "notes": r.notes.iter().map(|n| json!({ "message": n.message, "location": n.at.map(|o| location(r, o)) })).collect::<Vec<_>>(),
        "summary": {
            "checks": r.findings.len(),
            "pass": c.pass,
            "fail": c.failed(),
            "fail_by_severity": { "error": c.fail[2], "warning": c.fail[1], "note": c.fail[0] },
            "unknown": c.unknown,
            "not_applicable": c.not_applicable,
            "manual": c.manual,
            "waived": c.waived,
            "known": c.known,
        }
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

fn location(r: &Report, o: Origin) -> Value {
    let (file, line, column) = r.place(o);
    json!({ "file": file, "line": line, "column": column })
}

/// The why-chain: `{role, value, file, line, column}` per fact, and `test`/`held` on the
/// tested ones.
fn evidence(r: &Report, f: &Finding) -> Value {
    f.evidence
        .iter()
        .map(|l| {
            let mut v = match l.origin {
                Some(o) => location(r, o),
                None => json!({}),
            };
            v["role"] = json!(l.role);
            v["value"] = json!(l.value);
            if let Some((test, held)) = &l.test {
                v["test"] = json!(test);
                v["held"] = json!(held);
            }
            v
        })
        .collect()
}

fn result(r: &Report, f: &Finding) -> Value {
    let rule = &r.rules[f.rule];
    let mut v = json!({
        "rule": rule.id,
        "name": rule.name,
        "title": rule.title,
        "severity": f.severity.name(),
        "confidence": rule.confidence,
        "outcome": f.outcome.name(),
        "target": { "kind": f.target.kind, "id": f.target.id },
        "message": if f.message.is_empty() { rule.title.clone() } else { f.message.clone() },
    });
    let obj = v.as_object_mut().expect("json! of an object literal");
    if !f.expected.is_empty() {
        obj.insert("expected".into(), json!(f.expected));
        obj.insert("found".into(), json!(f.found));
    }
    if let Some(o) = f.location {
        obj.insert("location".into(), location(r, o));
    }
    if !f.also.is_empty() {
        obj.insert(
            "related".into(),
            f.also
                .iter()
                .map(|(o, m)| {
                    let mut l = location(r, *o);
                    l["message"] = json!(m);
                    l
                })
                .collect(),
        );
    }
    if let Some(d) = &f.detail {
        obj.insert("detail".into(), json!(d));
    }
    if !f.evidence.is_empty() {
        obj.insert("evidence".into(), evidence(r, f));
    }
    if r.baseline && f.outcome == crate::rules::engine::Outcome::Fail {
        obj.insert(
            "baseline".into(),
            json!(if f.in_baseline { "unchanged" } else { "new" }),
        );
    }
    if matches!(
        f.outcome,
        crate::rules::engine::Outcome::Fail | crate::rules::engine::Outcome::Waived
    ) {
        obj.insert(
            "remediation".into(),
            json!({ "console": f.console, "powershell": f.powershell, "no_cmdlet": r.rules[f.rule].no_cmdlet }),
        );
    }
    v
}
