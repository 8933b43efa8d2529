//! GitHub Actions workflow commands
//! (https://docs.github.com/actions/reference/workflow-commands-for-github-actions): one
//! `::error` / `::warning` / `::notice` per failure by its severity, at its file, line and
//! column; unknown outcomes grouped as notices; then the summary line. The shared rules
//! (grouping, escaping) are in `annotations`.

use std::fmt::Write;

use super::annotations::{details, gh_data, gh_prop, unknown_groups};
use super::registry::{write_text, Format};
use super::Report;
use crate::rules::engine::Outcome;
use crate::rules::format::Severity;
use crate::source::Origin;

pub const FORMAT: Format = Format {
    name: "github",
    help: "GitHub Actions workflow commands (::error file=...::), then a summary line",
    about: "GitHub Actions annotations (`::error file=...,line=...,col=...,title=DEP-02 ...::...`) for failures, a notice per group of unknowns, then the summary line",
    extension: "github.txt",
    file_name: "annotations.txt",
    evidence: false,
    render: |r, _, out| write_text(render(r), out),
};

pub fn render(r: &Report) -> String {
    let mut out = String::new();
    for n in r.notes {
        command(&mut out, r, "warning", n.at, "input", &n.message);
    }
    for f in r.findings {
        let rule = &r.rules[f.rule];
        match f.outcome {
            Outcome::Fail if !f.in_baseline => {
                let kind = match f.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                    Severity::Note => "notice",
                };
                let title = format!("{} {}", rule.id, rule.name);
                command(&mut out, r, kind, f.location, &title, &details(f));
            }
            // Waived and baseline failures are accepted or known: no annotation.
            _ => {}
        }
    }
    for g in unknown_groups(r) {
        let title = match g.findings.as_slice() {
            [one] => format!("{} unknown", r.rules[one.rule].id),
            many => format!("{} checks unknown", many.len()),
        };
        command(&mut out, r, "notice", g.at, &title, &g.text(r));
    }
    let _ = writeln!(out, "{}", r.summary_line());
    out
}

/// One workflow command: `::KIND file=..,line=..,col=..,title=..::MESSAGE` (no place when
/// there is none).
fn command(out: &mut String, r: &Report, kind: &str, at: Option<Origin>, title: &str, msg: &str) {
    let mut props = Vec::new();
    if let Some(o) = at {
        let path = &r.ci_path(o.file).0;
        let (_, line, col) = r.place(o);
        props.push(format!("file={}", gh_prop(path)));
        props.push(format!("line={line}"));
        props.push(format!("col={col}"));
    }
    props.push(format!("title={}", gh_prop(title)));
    let _ = writeln!(out, "::{kind} {}::{}", props.join(","), gh_data(msg));
}
