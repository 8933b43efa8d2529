//! SARIF 2.1.0 as GitHub code scanning accepts it ("SARIF support for code scanning",
//! https://docs.github.com/code-security/code-scanning/integrating-with-code-scanning/sarif-support-for-code-scanning): every catalog rule
//! as a reporting descriptor, one result per failure (`results: []` when clean), one location
//! per result with UTF-16 columns, and a `partialFingerprints` entry from the rule and the
//! target's identity, so an alert survives a re-export that moves lines.
//!
//! Unknown outcomes are not findings, so they are not results; each one is a
//! `toolExecutionNotifications` entry (level warning) on the invocation, next to the input
//! notes, where SARIF viewers list tool notifications. Pass, not applicable and manual
//! outcomes appear only in the run's summary counts.

use serde_json::{json, Map, Value};

use super::registry::{write_text, Format};
use super::Report;
use crate::rules::engine::{Finding, Outcome};
use crate::rules::format::{Rule, Severity};
use crate::source::{Origin, Span, Syntax};

pub const FORMAT: Format = Format {
    name: "sarif",
    help: "SARIF 2.1.0 for GitHub code scanning: one result per failure",
    about: "SARIF 2.1.0 for GitHub code scanning: every rule with its rationale and fix, one result per failure with its place (paths relative to the current directory, so run from the repository root), a fingerprint from the rule and the target (not the line), `results: []` when clean. Unknown outcomes are tool notifications, not alerts",
    extension: "sarif",
    file_name: "results.sarif",
    evidence: true,
    render: |r, _, out| write_text(render(r), out),
};

pub const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";
pub const INFORMATION_URI: &str = "https://github.com/cmg-preflight/cmg-preflight";
/// Followed by the lower-case rule id (`dep-02`), the anchor of the rule in docs/rules.md.
pub const HELP_URI_BASE: &str =
    "https://github.com/cmg-preflight/cmg-preflight/blob/main/docs/rules.md#";
/// Versioned, so a change of what the fingerprint hashes can ship as `cmgPreflight/v2`.
pub const FINGERPRINT_KEY: &str = "cmgPreflight/v1";
/// GitHub shows at most this much of a rule's full description.
const MAX_DESCRIPTION: usize = 1024;

pub fn render(r: &Report) -> String {
    // Waived findings are results with `suppressions` (kind external: the waiver lives in the
    // configuration, not in the export), so viewers show them as suppressed, not as open.
    let results: Vec<Value> = r
        .findings
        .iter()
        .filter(|f| matches!(f.outcome, Outcome::Fail | Outcome::Waived))
        .map(|f| {
            let mut v = result(r, f);
            if f.outcome == Outcome::Waived {
                v["suppressions"] = json!([{
                    "kind": "external",
                    "status": "accepted",
                    "justification": f.detail.clone().unwrap_or_default(),
                }]);
            }
            if r.baseline {
                v["baselineState"] = json!(if f.in_baseline { "unchanged" } else { "new" });
            }
            v
        })
        .collect();
    let mut invocation = json!({ "executionSuccessful": true });
    let notifications = notifications(r);
    if !notifications.is_empty() {
        invocation["toolExecutionNotifications"] = Value::Array(notifications);
    }
    let c = r.counts();
    let context: Map<String, Value> = r
        .header
        .iter()
        .map(|(k, v)| ((*k).to_string(), json!(v)))
        .collect();
    let doc = json!({
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "cmg-preflight",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": INFORMATION_URI,
                    "rules": r.rules.iter().map(rule).collect::<Vec<_>>(),
                }
            },
            "invocations": [invocation],
            "columnKind": "utf16CodeUnits",
            "results": results,
            "properties": {
                "context": context,
                "summary": {
                    "checks": r.findings.len(),
                    "pass": c.pass,
                    "fail": c.failed(),
                    "unknown": c.unknown,
                    "not_applicable": c.not_applicable,
                    "manual": c.manual,
                },
            },
        }],
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

pub fn help_uri(rule: &Rule) -> String {
    format!("{HELP_URI_BASE}{}", rule.id.to_lowercase())
}

fn rule(rule: &Rule) -> Value {
    let uri = help_uri(rule);
    let rationale = unwrap(&rule.rationale);
    let mut text = rationale.clone();
    let mut md = rationale.clone();
    if let Some(s) = &rule.symptom {
        text.push_str(&format!("\n\nSymptom: {s}"));
        md.push_str(&format!("\n\n**Symptom:** {s}"));
    }
    text.push_str(&format!("\n\nFix in the console: {}", rule.console));
    md.push_str(&format!("\n\n**Fix in the console:** {}", rule.console));
    if let Some(ps) = &rule.powershell {
        text.push_str(&format!("\nFix in PowerShell: {ps}"));
        md.push_str(&format!(
            "\n\n**Fix in PowerShell:**\n\n```powershell\n{ps}\n```"
        ));
    }
    if rule.console.contains('{')
        || rule
            .powershell
            .as_ref()
            .is_some_and(|p| p.templates().any(|t| t.contains('{')))
    {
        let note = "Values in {braces} are filled in for each result (see its message).";
        text.push_str(&format!("\n\n{note}"));
        md.push_str(&format!("\n\n{note}"));
    }
    let confidence = confidence_text(&rule.confidence);
    text.push_str(&format!(
        "\n\nConfidence: {confidence}\nSource: {}\nDocumentation: {uri}",
        rule.source
    ));
    md.push_str(&format!(
        "\n\n**Confidence:** {confidence}  \n**Source:** {}\n\n[{} in the rule catalog]({uri})",
        rule.source, rule.id
    ));
    json!({
        "id": rule.id,
        "name": rule.name,
        "shortDescription": { "text": rule.title },
        "fullDescription": { "text": clip(&rationale, MAX_DESCRIPTION) },
        "helpUri": uri,
        "help": { "text": text, "markdown": md },
        "defaultConfiguration": { "level": level(rule.severity) },
        "properties": {
            "tags": ["configmgr", "cmg", rule.scope.name(), format!("confidence:{}", rule.confidence)],
            "confidence": rule.confidence,
            "scope": rule.scope.name(),
        },
    })
}

fn confidence_text(tag: &str) -> String {
    match tag {
        "doc" => "doc (current Microsoft documentation)".into(),
        "comm" => "comm (community-known; the documentation does not state it)".into(),
        other => other.to_string(),
    }
}

fn result(r: &Report, f: &Finding) -> Value {
    let rule = &r.rules[f.rule];
    let mut text = sentence(&f.message);
    if !f.expected.is_empty() {
        text.push(' ');
        text.push_str(&sentence(&format!("Expected: {}", f.expected)));
    }
    if !f.found.is_empty() && !f.message.contains(&f.found) {
        text.push(' ');
        text.push_str(&sentence(&format!("Found: {}", f.found)));
    }
    text.push(' ');
    text.push_str(&sentence(&format!("Fix: {}", f.console)));
    if let Some(ps) = &f.powershell {
        text.push_str(&format!(" PowerShell: {ps}"));
    }
    let mut related = Vec::new();
    for (i, (o, m)) in f.also.iter().enumerate() {
        let id = i + 1;
        text.push_str(&format!(" See [{}]({id}).", link_text(m)));
        related.push(json!({
            "id": id,
            "physicalLocation": physical(r, *o),
            "message": { "text": m },
        }));
    }
    // The why-chain's places follow, each once (SARIF viewers list related locations).
    let mut placed: Vec<Origin> = f.also.iter().map(|(o, _)| *o).collect();
    placed.extend(f.location);
    for l in &f.evidence {
        let Some(o) = l.origin else { continue };
        if placed.contains(&o) {
            continue;
        }
        placed.push(o);
        let text = match &l.test {
            Some((test, held)) => format!(
                "{} = {} (tested: {test}; {})",
                l.role,
                l.value,
                if *held { "held" } else { "did not hold" }
            ),
            None if l.is_context() => l.value.clone(),
            None if l.value.is_empty() => l.role.clone(),
            None => format!("{} = {}", l.role, l.value),
        };
        related.push(json!({
            "id": related.len() + 1,
            "physicalLocation": physical(r, o),
            "message": { "text": text },
        }));
    }
    let mut v = json!({
        "ruleId": rule.id,
        "ruleIndex": f.rule,
        "level": level(f.severity),
        "message": { "text": text },
    });
    if let Some(o) = f.location.or_else(|| fallback_origin(r, f)) {
        v["locations"] = json!([{ "physicalLocation": physical(r, o) }]);
    }
    if !related.is_empty() {
        v["relatedLocations"] = Value::Array(related);
    }
    v["partialFingerprints"] =
        json!({ FINGERPRINT_KEY: fingerprint(&rule.id, f.target.kind, &f.target.id) });
    let mut props = json!({ "target": { "kind": f.target.kind, "id": f.target.id } });
    if !f.expected.is_empty() {
        props["expected"] = json!(f.expected);
        props["found"] = json!(f.found);
    }
    props["remediation"] = json!({ "console": f.console, "powershell": f.powershell });
    v["properties"] = props;
    v
}

/// A finding without its own place still needs one for code scanning (a result without a
/// location is rejected): its second place, else where the target's id first appears among
/// the inputs (the media plan for the media), else the first input file.
fn fallback_origin(r: &Report, f: &Finding) -> Option<Origin> {
    if let Some((o, _)) = f.also.first() {
        return Some(*o);
    }
    let at_start = |file| Origin {
        file,
        span: Span::new(0, 0),
    };
    if f.target.kind == "media" {
        let plan = r.header.iter().find(|(k, _)| *k == "media").map(|(_, v)| v);
        if let Some((id, _)) = r
            .sources
            .iter()
            .find(|(_, s)| s.syntax == Syntax::Yaml && Some(&s.display) == plan)
        {
            return Some(at_start(id));
        }
    }
    for (id, s) in r.sources.iter() {
        if let Some(at) = find_token(&s.text, &f.target.id) {
            return Some(Origin {
                file: id,
                span: Span::new(at, f.target.id.len()),
            });
        }
    }
    r.sources.iter().next().map(|(id, _)| at_start(id))
}

/// The first occurrence of `word` not inside a longer identifier.
fn find_token(text: &str, word: &str) -> Option<usize> {
    if word.is_empty() {
        return None;
    }
    let ident = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    text.match_indices(word).map(|(i, _)| i).find(|&i| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(ident) && !after.is_some_and(ident)
    })
}

fn physical(r: &Report, o: Origin) -> Value {
    let file = r.sources.get(o.file);
    let (path, relative) = r.ci_path(o.file).clone();
    let artifact = if relative {
        json!({ "uri": encode_uri_path(&path), "uriBaseId": "%SRCROOT%" })
    } else {
        let abs = if path.starts_with('/') {
            path
        } else {
            format!("/{path}")
        };
        json!({ "uri": format!("file://{}", encode_uri_path(&abs)) })
    };
    let (start_line, start_col) = file.line_col_utf16(o.span.start());
    let mut region = json!({ "startLine": start_line, "startColumn": start_col });
    if !o.span.is_empty() {
        let (end_line, end_col) = file.line_col_utf16(o.span.end());
        region["endLine"] = json!(end_line);
        region["endColumn"] = json!(end_col);
    }
    json!({ "artifactLocation": artifact, "region": region })
}

/// Percent-encodes a path for a URI reference: everything but unreserved characters and `/`.
fn encode_uri_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Stable identity of a failure: rule id, target kind and target id (never a line), as 16
/// hex digits of FNV-1a 64.
pub fn fingerprint(rule_id: &str, kind: &str, id: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [rule_id, kind, id] {
        for b in part.bytes().chain(std::iter::once(0x1f)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

fn notifications(r: &Report) -> Vec<Value> {
    let mut out = Vec::new();
    for n in r.notes {
        let mut v = json!({
            "descriptor": { "id": "input" },
            "level": "warning",
            "message": { "text": sentence(&n.message) },
        });
        if let Some(o) = n.at {
            v["locations"] = json!([{ "physicalLocation": physical(r, o) }]);
        }
        out.push(v);
    }
    for f in r.findings.iter().filter(|f| f.outcome == Outcome::Unknown) {
        let rule = &r.rules[f.rule];
        let text = sentence(&format!(
            "Cannot check {} ({}) for {} {}: {}",
            rule.id,
            rule.title,
            f.target.kind,
            f.target.id,
            f.detail.as_deref().unwrap_or("the export does not show it")
        ));
        let mut v = json!({
            "descriptor": { "id": "unknown" },
            "associatedRule": { "id": rule.id, "index": f.rule },
            "level": "warning",
            "message": { "text": text },
        });
        if let Some(o) = f.location {
            v["locations"] = json!([{ "physicalLocation": physical(r, o) }]);
        }
        v["properties"] = json!({ "target": { "kind": f.target.kind, "id": f.target.id } });
        out.push(v);
    }
    out
}

/// Ends a message with a full stop (SARIF messages are sentences).
fn sentence(s: &str) -> String {
    let t = s.trim_end();
    if t.ends_with(['.', '!', '?']) {
        t.to_string()
    } else {
        format!("{t}.")
    }
}

/// Text inside a SARIF embedded link: brackets escaped.
fn link_text(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('[', "\\[")
        .replace(']', "\\]")
}

/// Joins the hard-wrapped lines of a YAML block into paragraphs.
fn unwrap(s: &str) -> String {
    s.trim()
        .split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut t: String = s.chars().take(max - 1).collect();
    t.push('…');
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_utf16_units() {
        let text = "{\n  \"a\": \"é🦀\", \"b\": 1\n}";
        let b = text.find("\"b\"").expect("b");
        let f = crate::source::SourceFile::new(
            std::path::Path::new("t.json"),
            text.into(),
            crate::source::Syntax::Json,
            "UTF-8",
        );
        // `  "a": "é🦀", ` is 13 characters but 14 UTF-16 units (the crab is a surrogate pair).
        assert_eq!(f.line_col_utf16(b), (2, 15));
        assert_eq!(f.line_col(b), (2, 14));
        assert_eq!(f.line_col_utf16(0), (1, 1));
        assert_eq!(f.line_col_utf16(text.len()), (3, 2));
    }

    #[test]
    fn columns_on_a_long_line_match_a_count_from_its_start() {
        // One compressed line of 300,000 bytes with multi-byte characters: the checkpoints give
        // the same columns as counting from the line start.
        let text: String = "[\n".to_string() + &"{\"é🦀\":1},".repeat(25_000) + "\n]";
        let f = crate::source::SourceFile::new(
            std::path::Path::new("t.json"),
            text.clone(),
            crate::source::Syntax::Json,
            "UTF-8",
        );
        for offset in [2, 70_001, 150_000, 299_990] {
            let mut o = offset;
            while !text.is_char_boundary(o) {
                o -= 1;
            }
            let before = &text[2..o];
            assert_eq!(f.line_col(o), (2, before.chars().count() + 1));
            assert_eq!(f.line_col_utf16(o), (2, before.encode_utf16().count() + 1));
        }
    }

    #[test]
    fn fingerprints_depend_on_identity_only() {
        let a = fingerprint("DEP-02", "deployment", "PS120045");
        assert_eq!(a.len(), 16);
        assert_eq!(a, fingerprint("DEP-02", "deployment", "PS120045"));
        assert_ne!(a, fingerprint("DEP-02", "deployment", "PS120046"));
        assert_ne!(a, fingerprint("DEP-03", "deployment", "PS120045"));
        // The separator keeps ("AB", "C") and ("A", "BC") apart.
        assert_ne!(fingerprint("AB", "C", ""), fingerprint("A", "BC", ""));
    }

    #[test]
    fn uris_are_percent_encoded() {
        assert_eq!(
            encode_uri_path("exports/site one/ä.json"),
            "exports/site%20one/%C3%A4.json"
        );
    }

    #[test]
    fn tokens_match_whole_ids() {
        assert_eq!(find_token("PS1200450 PS120045", "PS120045"), Some(10));
        assert_eq!(find_token("\"PS120045\"", "PS120045"), Some(1));
        assert_eq!(find_token("XPS120045", "PS120045"), None);
    }

    #[test]
    fn sentences_and_paragraphs() {
        assert_eq!(sentence("found: No (x)"), "found: No (x).");
        assert_eq!(sentence("done."), "done.");
        assert_eq!(unwrap("a\nb\n\nc\n"), "a b\n\nc");
        assert_eq!(clip("abcdef", 4), "abc…");
    }
}
