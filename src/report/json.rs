//! Machine-readable result, format version 1: one entry per rule and target evaluated, each
//! with its location in the user's files (line and column are 1-based, columns in characters).
//! `schemas/results.schema.json` describes it; tests/formats.rs validates the output against it.

use serde::Serialize;
use serde_json::{json, Value};

use super::registry::Format;
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
    render: |r, _, out| write(r, out),
};

pub const FORMAT_VERSION: u32 = 1;

/// Bytes gathered before they are handed to the writer.
const CHUNK: usize = 1 << 16;

/// Writes the result a chunk at a time: a large site's result is hundreds of megabytes.
pub fn write(r: &Report, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let c = r.counts();
    // The document is written member by member, each result straight from the findings (no
    // `Value` tree of the whole report: a large site has hundreds of thousands of results).
    // The text is what `serde_json::to_string_pretty` gives for the whole document.
    let mut out = Writer {
        text: Vec::with_capacity(CHUNK * 2),
        scratch: Vec::new(),
        sink: w,
    };
    out.text.extend_from_slice(b"{\n");
    out.member("version", &json!(FORMAT_VERSION));
    out.member(
        "tool",
        &json!({ "name": "cmg-preflight", "version": env!("CARGO_PKG_VERSION") }),
    );
    out.member(
        "context",
        &r.header
            .iter()
            .map(|(k, v)| ((*k).to_string(), Value::String(v.clone())))
            .collect::<serde_json::Map<_, _>>(),
    );
    out.key("results");
    if r.findings.is_empty() {
        out.text.extend_from_slice(b"[]");
    } else {
        out.text.extend_from_slice(b"[\n");
        // Results are rendered on every core, a batch at a time, and written in order: all
        // deployments of a large site give hundreds of thousands.
        let pieces: Vec<(usize, &[Finding])> =
            r.findings.chunks(RESULTS_PER_PIECE).enumerate().collect();
        for batch in pieces.chunks(PIECES_PER_BATCH) {
            let texts = crate::parallel::map_in_order(batch.to_vec(), 1, |(k, findings)| {
                results_text(r, findings, k == 0)
            });
            for text in texts {
                out.text.extend_from_slice(&text);
                out.flush_full()?;
            }
        }
        out.text.extend_from_slice(b"\n  ]");
    }
    out.text.extend_from_slice(b",\n");
    out.member(
        "notes",
        &r.notes
            .iter()
            .map(|n| json!({ "message": n.message, "location": n.at.map(|o| location(r, o)) }))
            .collect::<Vec<_>>(),
    );
    out.key("summary");
    out.pretty(
        &json!({
            "checks": r.findings.len(),
            "pass": c.pass,
            "fail": c.failed(),
            "fail_by_severity": { "error": c.fail[2], "warning": c.fail[1], "note": c.fail[0] },
            "unknown": c.unknown,
            "not_applicable": c.not_applicable,
            "manual": c.manual,
            "waived": c.waived,
            "known": c.known,
        }),
        b"\n  ",
    );
    out.text.extend_from_slice(b"\n}\n");
    out.sink.write_all(&out.text)
}

/// Pretty JSON written piece by piece, at the indentation `to_string_pretty` gives a member of
/// the top-level object (two spaces) or an element of one of its arrays (four).
struct Writer<'w> {
    text: Vec<u8>,
    scratch: Vec<u8>,
    sink: &'w mut dyn std::io::Write,
}

const RESULTS_PER_PIECE: usize = 256;
const PIECES_PER_BATCH: usize = 16;

/// Results as they stand in the `results` array, each after `,\n` but the first of all.
fn results_text(r: &Report, findings: &[Finding], first: bool) -> Vec<u8> {
    let (mut text, mut scratch) = (Vec::new(), Vec::new());
    for (i, f) in findings.iter().enumerate() {
        if !(first && i == 0) {
            text.extend_from_slice(b",\n");
        }
        text.extend_from_slice(b"    ");
        pretty_into(&mut text, &mut scratch, &result(r, f), b"\n    ");
    }
    text
}

/// `value` pretty-printed onto `text`, every line after the first starting with `newline`'s
/// indent. Pretty JSON breaks lines only between tokens (a newline in a string is `\n`), so
/// this is the value as it is printed deeper in a document.
fn pretty_into(text: &mut Vec<u8>, scratch: &mut Vec<u8>, value: &impl Serialize, newline: &[u8]) {
    scratch.clear();
    let _ = serde_json::to_writer_pretty(&mut *scratch, value);
    for (i, line) in scratch.split(|&b| b == b'\n').enumerate() {
        if i > 0 {
            text.extend_from_slice(newline);
        }
        text.extend_from_slice(line);
    }
}

impl Writer<'_> {
    /// Hands the gathered text to the writer once there is a chunk of it.
    fn flush_full(&mut self) -> std::io::Result<()> {
        if self.text.len() >= CHUNK {
            self.sink.write_all(&self.text)?;
            self.text.clear();
        }
        Ok(())
    }

    /// `  "key": ` at the top level.
    fn key(&mut self, key: &str) {
        self.text.extend_from_slice(b"  ");
        let _ = serde_json::to_writer(&mut self.text, key);
        self.text.extend_from_slice(b": ");
    }

    /// A top-level member that is not the last one.
    fn member(&mut self, key: &str, value: &impl Serialize) {
        self.key(key);
        self.pretty(value, b"\n  ");
        self.text.extend_from_slice(b",\n");
    }

    /// `value` pretty-printed at a depth of the document ([`pretty_into`]).
    fn pretty(&mut self, value: &impl Serialize, newline: &[u8]) {
        pretty_into(&mut self.text, &mut self.scratch, value, newline);
    }
}

fn location(r: &Report, o: Origin) -> Value {
    let (file, line, column) = r.place(o);
    json!({ "file": file, "line": line, "column": column })
}

/// One result, in the order of its members in the format.
#[derive(Serialize)]
struct ResultOut<'a> {
    rule: &'a str,
    name: &'a str,
    title: &'a str,
    severity: &'static str,
    confidence: &'a str,
    outcome: &'static str,
    target: TargetOut<'a>,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    expected: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    found: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<Place<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<Place<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    detail: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    evidence: Vec<EvidenceOut<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    baseline: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    remediation: Option<RemediationOut<'a>>,
}

#[derive(Serialize)]
struct TargetOut<'a> {
    kind: &'a str,
    id: &'a str,
}

/// A location, and for a related place its message.
#[derive(Serialize)]
struct Place<'a> {
    file: String,
    line: usize,
    column: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<&'a str>,
}

/// One fact of the why-chain: where it is (when it has a place), what it is and its value,
/// and on a tested fact the test and whether it held.
#[derive(Serialize)]
struct EvidenceOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<usize>,
    role: &'a str,
    value: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    test: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    held: Option<bool>,
}

fn evidence<'a>(r: &Report, f: &'a Finding) -> Vec<EvidenceOut<'a>> {
    f.evidence
        .iter()
        .map(|l| {
            let (file, line, column) = match l.origin.map(|o| r.place(o)) {
                Some((file, line, column)) => (Some(file), Some(line), Some(column)),
                None => (None, None, None),
            };
            EvidenceOut {
                file,
                line,
                column,
                role: &l.role,
                value: &l.value,
                test: l.test.as_ref().map(|(t, _)| t.as_str()),
                held: l.test.as_ref().map(|(_, h)| *h),
            }
        })
        .collect()
}

#[derive(Serialize)]
struct RemediationOut<'a> {
    console: &'a str,
    powershell: Option<&'a str>,
    no_cmdlet: Option<&'a str>,
}

fn place<'a>(r: &Report, o: Origin, message: Option<&'a str>) -> Place<'a> {
    let (file, line, column) = r.place(o);
    Place {
        file,
        line,
        column,
        message,
    }
}

fn result<'a>(r: &'a Report, f: &'a Finding) -> ResultOut<'a> {
    let rule = &r.rules[f.rule];
    let has_expected = !f.expected.is_empty();
    ResultOut {
        rule: &rule.id,
        name: &rule.name,
        title: &rule.title,
        severity: f.severity.name(),
        confidence: &rule.confidence,
        outcome: f.outcome.name(),
        target: TargetOut {
            kind: f.target.kind,
            id: &f.target.id,
        },
        message: if f.message.is_empty() {
            &rule.title
        } else {
            &f.message
        },
        expected: has_expected.then_some(f.expected.as_str()),
        found: has_expected.then_some(f.found.as_str()),
        location: f.location.map(|o| place(r, o, None)),
        related: f
            .also
            .iter()
            .map(|(o, m)| place(r, *o, Some(m.as_str())))
            .collect(),
        detail: f.detail.as_deref(),
        evidence: evidence(r, f),
        baseline: (r.baseline && f.outcome == crate::rules::engine::Outcome::Fail)
            .then_some(if f.in_baseline { "unchanged" } else { "new" }),
        remediation: matches!(
            f.outcome,
            crate::rules::engine::Outcome::Fail | crate::rules::engine::Outcome::Waived
        )
        .then(|| RemediationOut {
            console: &f.console,
            powershell: f.powershell.as_deref(),
            no_cmdlet: rule.no_cmdlet.as_deref(),
        }),
    }
}
