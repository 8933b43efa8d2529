//! The terminal report: a diagnostic with the source snippet for every failure and every
//! unknown, then a checklist of every rule and target, then one summary line.

use std::fmt::Write;

use super::diag::Diag;
use super::label::Label;
use super::registry::{write_text, Format};
use super::snippet;
use super::style::Style;
use super::Report;
use crate::rules::engine::{Finding, Outcome};
use crate::rules::format::Severity;
use crate::source::Origin;

pub const FORMAT: Format = Format {
    name: "human",
    help: "Diagnostics with source snippets, then a checklist",
    about: "diagnostics with the source snippet for every failure and unknown, the checklist, a summary line",
    extension: "txt",
    file_name: "report.txt",
    evidence: false,
    render: |r, style, out| write_text(render(r, style), out),
};

pub fn render(r: &Report, style: &Style) -> String {
    let mut out = String::new();
    header(r, &mut out);
    let handler = style.handler();
    let show = |d: &Diag, out: &mut String| {
        let _ = handler.render_report(out, d);
        out.push('\n');
    };
    for n in r.notes {
        let mut d = Diag::new(miette::Severity::Warning, n.message.clone());
        if let Some(at) = n.at {
            attach(r, &mut d, at, "here");
            if let Some((o, text)) = &n.also {
                add_place(r, &mut d, *o, text);
            }
        }
        show(&d, &mut out);
    }
    let mut failures: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| f.outcome == Outcome::Fail && !f.in_baseline)
        .collect();
    failures.sort_by_key(|f| std::cmp::Reverse(f.severity));
    for f in failures {
        show(&failure(r, f), &mut out);
    }
    for f in r.findings.iter().filter(|f| f.outcome == Outcome::Unknown) {
        show(&unknown(r, f), &mut out);
    }
    checklist(r, style, &mut out);
    out
}

fn header(r: &Report, out: &mut String) {
    let scenario = r
        .header
        .iter()
        .find(|(l, _)| *l == "scenario")
        .map(|(_, v)| v.as_str());
    let what = match scenario {
        Some("software-center") => "run a task sequence from Software Center over a CMG",
        _ => "deploy an OS over a CMG with boot media",
    };
    let _ = writeln!(out, "cmg-preflight {}: {what}", env!("CARGO_PKG_VERSION"));
    // The title says the scenario; every other header line follows.
    for (label, value) in r.header.iter().filter(|(l, _)| *l != "scenario") {
        let _ = writeln!(out, "  {label:<9} {value}");
    }
    out.push('\n');
}

fn severity(s: Severity) -> miette::Severity {
    match s {
        Severity::Error => miette::Severity::Error,
        Severity::Warning => miette::Severity::Warning,
        Severity::Note => miette::Severity::Advice,
    }
}

/// Puts the snippet of `at`'s file on the diagnostic with a primary label.
fn attach(r: &Report, d: &mut Diag, at: Origin, label: &str) {
    snippet::attach(d, r.sources.get(at.file), at.span, label);
    d.origin = Some(at.file);
}

/// A second place: a label when the snippet shows it, else a related note with its own snippet.
fn add_place(r: &Report, d: &mut Diag, at: Origin, text: &str) {
    if d.origin == Some(at.file) && snippet::label(d, at.span, text) {
        return;
    }
    {
        let mut rel = Diag::new(miette::Severity::Advice, text.to_string());
        attach(r, &mut rel, at, "here");
        d.related.push(rel);
    }
}

fn failure(r: &Report, f: &Finding) -> Diag {
    let rule = &r.rules[f.rule];
    let mut d = Diag::new(severity(f.severity), f.message.clone());
    d.code = Some(format!("{} {}", rule.id, rule.name));
    let mut help = format!("expected: {}", f.expected);
    let _ = write!(help, "\nfix: {}", f.console);
    if let Some(ps) = &f.powershell {
        let _ = write!(help, "\nPowerShell: {ps}");
    } else if let Some(why) = &rule.no_cmdlet {
        let _ = write!(help, "\nPowerShell: none ({why})");
    }
    if rule.confidence != "doc" {
        let _ = write!(
            help,
            "\nconfidence: [{}] (see `cmg-preflight explain {}`)",
            rule.confidence.to_uppercase(),
            rule.id
        );
    }
    d.help = Some(help);
    match f.location {
        Some(at) => {
            attach(r, &mut d, at, &format!("found: {}", f.found));
            for (o, text) in &f.also {
                add_place(r, &mut d, *o, text);
            }
        }
        None => d.message = format!("{} (found: {})", d.message, f.found),
    }
    d
}

fn unknown(r: &Report, f: &Finding) -> Diag {
    let rule = &r.rules[f.rule];
    let mut d = Diag::new(
        miette::Severity::Advice,
        format!(
            "cannot check {} for {} {}: {}",
            rule.id, f.target.kind, f.target.id, rule.title
        ),
    );
    d.code = Some(format!("{} unknown", rule.id));
    d.help = f.detail.clone();
    if let Some(at) = f.location {
        attach(r, &mut d, at, "incomplete data");
    }
    d
}

fn checklist(r: &Report, style: &Style, out: &mut String) {
    let _ = writeln!(out, "Checklist");
    let targets: Vec<String> = r
        .findings
        .iter()
        .map(|f| format!("{} {}", f.target.kind, f.target.id))
        .collect();
    let tw = targets
        .iter()
        .map(|t| t.chars().count())
        .max()
        .unwrap_or(6)
        .clamp(6, 34)
        .min((style.width * 2 / 5).max(12));
    let iw = r
        .findings
        .iter()
        .map(|f| r.rules[f.rule].id.len())
        .max()
        .unwrap_or(8)
        .max(8);
    let fixed = 2 + iw + 1 + 8 + 1 + tw + 1;
    let title_w = style.width.saturating_sub(fixed).max(12);
    let _ = writeln!(
        out,
        "  {:<iw$} {:<8} {:<tw$} REQUIREMENT",
        "RULE", "OUTCOME", "TARGET"
    );
    for (f, target) in r.findings.iter().zip(&targets) {
        let rule = &r.rules[f.rule];
        let mut text = rule.title.clone();
        if let (Outcome::NotApplicable | Outcome::Manual | Outcome::Waived, Some(d)) =
            (f.outcome, &f.detail)
        {
            let _ = write!(text, " ({d})");
        }
        let label = Label::of(f);
        let shown = if style.color {
            colour(label)
        } else {
            format!("{:<8}", label.word())
        };
        let _ = writeln!(
            out,
            "  {:<iw$} {shown} {:<tw$} {}",
            rule.id,
            truncate(target, tw, style),
            truncate(&text, title_w, style)
        );
    }
    let _ = writeln!(out, "\n{}", r.summary_line());
}

fn colour(label: Label) -> String {
    let code = match label {
        Label::Fail(Severity::Error) => "31;1",
        Label::Fail(Severity::Warning) => "33;1",
        Label::Pass => "32",
        Label::Unknown => "35",
        _ => "2",
    };
    format!("\x1b[{code}m{:<8}\x1b[0m", label.word())
}

fn truncate(s: &str, width: usize, style: &Style) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    let ellipsis = if style.unicode { "…" } else { "..." };
    let keep = width.saturating_sub(ellipsis.chars().count());
    format!("{}{ellipsis}", s.chars().take(keep).collect::<String>())
}
