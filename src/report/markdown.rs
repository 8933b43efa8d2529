//! A Markdown summary for a pull-request comment or `$GITHUB_STEP_SUMMARY`: a heading, the
//! counts, the checklist as a table, then every failure with its place, expected and found,
//! and the fix (console path, and PowerShell in a code block); then what could not be checked.
//! Text from the export is escaped, so an odd object name cannot break the table or inject
//! markup.

use std::fmt::Write;

use super::label::Label;
use super::registry::{write_text, Format};
use super::Report;
use crate::rules::engine::{Finding, Outcome};
use crate::rules::format::Severity;
use crate::source::Origin;

pub const FORMAT: Format = Format {
    name: "markdown",
    help: "A Markdown summary for a pull-request comment or $GITHUB_STEP_SUMMARY",
    about: "a summary for a pull-request comment or `$GITHUB_STEP_SUMMARY`: the counts, the checklist as a table, each failure with its place, expected and found, and the fix",
    extension: "md",
    file_name: "summary.md",
    evidence: false,
    render: |r, _, out| write_text(render(r), out),
};

pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let c = r.counts();
    let failed = c.failed();
    let heading = if failed == 0 {
        "✅ cmg-preflight: no requirement failed".to_string()
    } else {
        format!(
            "❌ cmg-preflight: {failed} requirement{} failed",
            if failed == 1 { "" } else { "s" }
        )
    };
    let _ = writeln!(out, "## {heading}\n");
    let _ = writeln!(out, "**{}**\n", esc(&r.summary_line()));
    for (label, value) in &r.header {
        let _ = writeln!(out, "- {label}: {}", esc(value));
    }
    out.push('\n');

    let _ = writeln!(out, "### Checklist\n");
    let _ = writeln!(out, "| Rule | Outcome | Target | Requirement |");
    let _ = writeln!(out, "|---|---|---|---|");
    for f in r.findings {
        let rule = &r.rules[f.rule];
        let mut requirement = rule.title.clone();
        if let (Outcome::NotApplicable | Outcome::Manual | Outcome::Waived, Some(d)) =
            (f.outcome, &f.detail)
        {
            let _ = write!(requirement, " ({d})");
        }
        let _ = writeln!(
            out,
            "| {} | {} | {} {} | {} |",
            esc(&rule.id),
            outcome(f),
            f.target.kind,
            esc(&f.target.id),
            esc(&requirement)
        );
    }

    let mut failures: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| f.outcome == Outcome::Fail && !f.in_baseline)
        .collect();
    failures.sort_by_key(|f| std::cmp::Reverse(f.severity));
    if !failures.is_empty() {
        let _ = writeln!(out, "\n### Failures");
        for f in failures {
            failure(r, f, &mut out);
        }
    }

    let unknown: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|f| f.outcome == Outcome::Unknown)
        .collect();
    if !unknown.is_empty() {
        let _ = writeln!(out, "\n### Could not be checked\n");
        for f in unknown {
            let rule = &r.rules[f.rule];
            let _ = write!(
                out,
                "- **{}** {} {} ({})",
                esc(&rule.id),
                f.target.kind,
                esc(&f.target.id),
                esc(&rule.title)
            );
            if let Some(d) = &f.detail {
                let _ = write!(out, ": {}", esc(d));
            }
            if let Some(o) = f.location {
                let _ = write!(out, " (`{}`)", code(&place(r, o)));
            }
            out.push('\n');
        }
    }

    if !r.notes.is_empty() {
        let _ = writeln!(out, "\n### Input notes\n");
        for n in r.notes {
            let _ = write!(out, "- {}", esc(&n.message));
            if let Some(o) = n.at {
                let _ = write!(out, " (`{}`)", code(&place(r, o)));
            }
            out.push('\n');
        }
    }
    let _ = writeln!(
        out,
        "\n<sub>cmg-preflight {}</sub>",
        env!("CARGO_PKG_VERSION")
    );
    out
}

fn failure(r: &Report, f: &Finding, out: &mut String) {
    let rule = &r.rules[f.rule];
    let icon = if f.severity == Severity::Error {
        "❌"
    } else {
        "⚠️"
    };
    let _ = writeln!(
        out,
        "\n#### {icon} {} {}: {} {}\n",
        esc(&rule.id),
        esc(&rule.name),
        f.target.kind,
        esc(&f.target.id)
    );
    let _ = writeln!(out, "{}\n", esc(&f.message));
    let _ = writeln!(out, "- severity: {}", f.severity.name());
    if let Some(o) = f.location {
        let _ = writeln!(out, "- where: `{}`", code(&place(r, o)));
    }
    for (o, m) in &f.also {
        let _ = writeln!(out, "- also: `{}`: {}", code(&place(r, *o)), esc(m));
    }
    if !f.expected.is_empty() {
        let _ = writeln!(out, "- expected: {}", esc(&f.expected));
        let _ = writeln!(out, "- found: {}", esc(&f.found));
    }
    let _ = writeln!(out, "- fix in the console: {}", esc(&f.console));
    if rule.confidence != "doc" {
        let _ = writeln!(
            out,
            "- confidence: {} (see `cmg-preflight explain {}`)",
            esc(&rule.confidence),
            code(&rule.id)
        );
    }
    if let Some(ps) = &f.powershell {
        let _ = writeln!(out, "\n```powershell\n{}\n```", ps.replace("```", "` ` `"));
    }
}

/// `❌ **fail**`: the symbol, and the word in bold for failures.
fn outcome(f: &Finding) -> String {
    let l = Label::of(f);
    if l.is_failure() {
        format!("{} **{}**", l.symbol(), l.text())
    } else {
        format!("{} {}", l.symbol(), l.text())
    }
}

/// `file:line` (the column is in the JSON and SARIF reports).
fn place(r: &Report, o: Origin) -> String {
    let (file, line, _) = r.place(o);
    format!("{file}:{line}")
}

/// Escapes text for a Markdown paragraph or table cell: characters that start markup, `|`,
/// `<`, and line breaks.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' => {
                out.push('\\');
                out.push(c);
            }
            // No tag can open, so `>` (console paths: `Software Library > ...`) stays.
            '<' => out.push_str("&lt;"),
            '\r' => {}
            '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Text inside a code span: backticks cannot be escaped there, so they become quotes.
fn code(s: &str) -> String {
    s.replace('`', "'").replace(['\r', '\n'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_table_breaks() {
        assert_eq!(esc("a|b"), "a\\|b");
        assert_eq!(esc("<script>"), "&lt;script>");
        assert_eq!(esc("*x* _y_\nz"), "\\*x\\* \\_y\\_ z");
    }
}
