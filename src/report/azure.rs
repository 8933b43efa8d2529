//! Azure Pipelines logging commands
//! (https://learn.microsoft.com/azure/devops/pipelines/scripts/logging-commands): one
//! `##vso[task.logissue]` per failure at its file, line and column (notes as warnings), unknown
//! outcomes as plain lines, then the summary line. The shared rules are in `annotations`.

use std::fmt::Write;

use super::annotations::{az_data, az_prop, details, unknown_groups};
use super::registry::{write_text, Format};
use super::Report;
use crate::rules::engine::Outcome;
use crate::rules::format::Severity;
use crate::source::Origin;

pub const FORMAT: Format = Format {
    name: "azure",
    help: "Azure Pipelines logging commands (##vso[task.logissue ...]), then a summary line",
    about: "Azure Pipelines `##vso[task.logissue ...]` for failures (notes as warnings), then the summary line",
    extension: "azure.txt",
    file_name: "annotations.txt",
    evidence: false,
    render: |r, _, out| write_text(render(r), out),
};

pub fn render(r: &Report) -> String {
    let mut out = String::new();
    for n in r.notes {
        let mut props = format!("type=warning{}", az_place(r, n.at));
        props.push_str(";code=input");
        let _ = writeln!(out, "##vso[task.logissue {props}]{}", az_data(&n.message));
    }
    for f in r.findings {
        let rule = &r.rules[f.rule];
        match f.outcome {
            Outcome::Fail if !f.in_baseline => {
                let (kind, prefix) = match f.severity {
                    Severity::Error => ("error", ""),
                    Severity::Warning => ("warning", ""),
                    Severity::Note => ("warning", "note: "),
                };
                let _ = writeln!(
                    out,
                    "##vso[task.logissue type={kind}{};code={}]{prefix}{}",
                    az_place(r, f.location),
                    az_prop(&rule.id),
                    az_data(&details(f))
                );
            }
            // Waived and baseline failures are accepted or known: no annotation.
            _ => {}
        }
    }
    for g in unknown_groups(r) {
        let mut line = format!("unknown: {}", g.text(r));
        if let Some(o) = g.at {
            let (file, l, c) = r.place(o);
            let _ = write!(line, " ({file}:{l}:{c})");
        }
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out, "{}", r.summary_line());
    out
}

fn az_place(r: &Report, at: Option<Origin>) -> String {
    let Some(o) = at else {
        return String::new();
    };
    let path = &r.ci_path(o.file).0;
    let (_, line, col) = r.place(o);
    format!(
        ";sourcepath={};linenumber={line};columnnumber={col}",
        az_prop(path)
    )
}
