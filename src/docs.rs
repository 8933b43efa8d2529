//! The catalog for people: `rules` (one line per rule), `explain ID` (one rule in full, with
//! a failing and a passing example from the test cases), and `docs/rules.md`, generated here
//! so it can never drift from the rule files.

use std::fmt::Write;

use crate::model::catalog::FIELDS;
use crate::rules::condition::describe_tree;
use crate::rules::format::Rule;

mod cases {
    include!(concat!(env!("OUT_DIR"), "/embedded_cases.rs"));
}

fn builds(r: &Rule) -> String {
    match r.builds {
        (None, None) => "all".into(),
        (Some(a), None) => format!("{a}+"),
        (None, Some(b)) => format!("≤{b}"),
        (Some(a), Some(b)) if a == b => format!("{a}"),
        (Some(a), Some(b)) => format!("{a}–{b}"),
    }
}

/// `severity error`, `scope deployment`, ...: the rule's header, for `explain` and the docs.
fn facts(r: &Rule) -> [String; 5] {
    [
        format!("severity {}", r.severity.name()),
        format!("scope {}", r.scope.name()),
        format!("builds {}", builds(r)),
        format!("scenarios {}", r.scenarios.join(", ")),
        format!("confidence {}", r.confidence),
    ]
}

fn kind(r: &Rule) -> &'static str {
    if r.manual.is_some() {
        "manual"
    } else {
        "check"
    }
}

/// `cmg-preflight rules`: the catalog as a table.
pub fn list(rules: &[Rule]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<8} {:<42} {:<8} {:<10} {:<10} {:<28} {:<7} CONFIDENCE",
        "ID", "NAME", "SEVERITY", "SCOPE", "BUILDS", "SCENARIOS", "KIND"
    );
    for r in rules {
        let _ = writeln!(
            out,
            "{:<8} {:<42} {:<8} {:<10} {:<10} {:<28} {:<7} {}",
            r.id,
            r.name,
            r.severity.name(),
            r.scope.name(),
            builds(r),
            r.scenarios.join(","),
            kind(r),
            r.confidence
        );
    }
    let _ = writeln!(
        out,
        "\n{} rules. `cmg-preflight explain ID` prints one in full.",
        rules.len()
    );
    out
}

fn case_text(name: &str) -> Option<&'static str> {
    cases::CASES
        .iter()
        .find(|(path, _)| path.rsplit('/').next() == Some(&format!("{name}.yaml")))
        .map(|(_, t)| *t)
}

/// A case's `about` and its edits, as the example of a failing or passing export.
fn example(name: &str) -> String {
    let Some(text) = case_text(name) else {
        return format!("(case {name} is missing)\n");
    };
    let mut out = String::new();
    if let Some(about) = crate::source::yaml::parse(text)
        .ok()
        .and_then(|(n, _)| n.get("about").and_then(|a| a.as_str().map(str::to_string)))
    {
        let _ = writeln!(out, "{about}");
    }
    let mut in_edits = false;
    for line in text.lines() {
        if line.starts_with("edits:") || line.starts_with("args:") {
            in_edits = line.starts_with("edits:");
            let _ = writeln!(out, "  {line}");
        } else if in_edits && line.starts_with(' ') {
            let _ = writeln!(out, "  {line}");
        } else {
            in_edits = false;
        }
    }
    if !text.contains("edits:") {
        out.push_str("  (the known-good export in testdata/good, unchanged)\n");
    }
    out
}

/// `cmg-preflight explain ID`.
pub fn explain(r: &Rule) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{} {}: {}", r.id, r.name, r.title);
    let _ = writeln!(out, "{} · {}\n", facts(r).join(" · "), r.file);
    let section = |out: &mut String, title: &str, body: &str| {
        let _ = writeln!(out, "{title}\n{}\n", indent(body.trim_end()));
    };
    match &r.manual {
        Some(m) => section(&mut out, "What to check (no export shows it)", m),
        None => {
            let mut what = format!("{}\n", r.title);
            if let Some(c) = &r.applies_when {
                let _ = write!(what, "applies when:\n{}", describe_tree(c, false));
            }
            if let Some(c) = &r.condition {
                let _ = write!(what, "passes when:\n{}", describe_tree(c, false));
            }
            if let Some(c) = &r.warn_when {
                let _ = write!(what, "a warning instead when:\n{}", describe_tree(c, true));
            }
            let _ = write!(what, "finding: {}", r.message);
            section(&mut out, "What it checks", &what);
        }
    }
    section(&mut out, "Why", &r.rationale);
    if let Some(s) = &r.symptom {
        section(&mut out, "Symptom when it is missed", s);
    }
    if !r.failure_modes.is_empty() {
        section(
            &mut out,
            "Failure modes (domain research §5)",
            &r.failure_modes.join(", "),
        );
    }
    let mut fix = format!("console: {}", r.console);
    if let Some(ps) = &r.powershell {
        let _ = write!(fix, "\nPowerShell: {ps}");
    }
    if let Some(why) = &r.no_cmdlet {
        let _ = write!(fix, "\nPowerShell: none ({why})");
    }
    section(&mut out, "How to fix", &fix);
    section(&mut out, "Source", &r.source);
    for (title, names) in [
        ("Failing example", &r.fixtures_fail),
        ("Passing example", &r.fixtures_pass),
    ] {
        if let Some(first) = names.first() {
            section(
                &mut out,
                &format!("{title} (testdata/cases/{first}.yaml)"),
                &example(first),
            );
        }
    }
    out
}

fn indent(s: &str) -> String {
    s.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("  {l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `cmg-preflight explain --fields`: the facts rules may read.
pub fn fields() -> String {
    let mut out =
        String::from("Fields of the site model that rule conditions and placeholders may use:\n\n");
    for f in FIELDS {
        let _ = writeln!(out, "  {:<55} {:<24} {}", f.path, f.kind, f.about);
    }
    out
}

/// `docs/rules.md`.
pub fn markdown(rules: &[Rule]) -> String {
    let mut out = String::from("# cmg-preflight rules\n\n<!-- Generated by `cmg-preflight rules --markdown`; do not edit. A test fails when it is stale. -->\n\n");
    out.push_str("| id | name | severity | scope | builds | scenarios | confidence |\n|---|---|---|---|---|---|---|\n");
    for r in rules {
        let _ = writeln!(
            out,
            "| [{}](#{}) | {} | {} | {} | {} | {} | {} |",
            r.id,
            r.id.to_ascii_lowercase(),
            r.name,
            if r.manual.is_some() {
                "reminder".to_string()
            } else {
                r.severity.name().to_string()
            },
            r.scope.name(),
            builds(r),
            r.scenarios.join(", "),
            r.confidence
        );
    }
    for r in rules {
        let _ = writeln!(out, "\n## {}\n\n**{}** (`{}`)\n", r.id, r.title, r.name);
        let _ = writeln!(out, "{}.\n", facts(r).join(", "));
        if let Some(m) = &r.manual {
            let _ = writeln!(out, "Reminder (no export shows it): {m}\n");
        }
        let _ = writeln!(out, "{}\n", r.rationale.trim());
        for (label, cond, raw) in [
            ("Applies when", &r.applies_when, false),
            ("Passes when", &r.condition, false),
            ("A warning instead when", &r.warn_when, true),
        ] {
            if let Some(c) = cond {
                let _ = writeln!(out, "{label}:\n\n```text\n{}```\n", describe_tree(c, raw));
            }
        }
        if let Some(s) = &r.symptom {
            let _ = writeln!(out, "Symptom: {}\n", s.trim());
        }
        if !r.failure_modes.is_empty() {
            let _ = writeln!(out, "Failure modes: {}\n", r.failure_modes.join(", "));
        }
        let _ = writeln!(out, "Fix: {}\n", r.console);
        if let Some(ps) = &r.powershell {
            let _ = writeln!(out, "```powershell\n{ps}\n```\n");
        }
        if let Some(why) = &r.no_cmdlet {
            let _ = writeln!(out, "PowerShell: none ({why}).\n");
        }
        let _ = writeln!(out, "Source: {}", r.source);
        if let (Some(f), Some(p)) = (r.fixtures_fail.first(), r.fixtures_pass.first()) {
            let _ = writeln!(out, "\nExamples: fails on [{f}](../testdata/cases/{f}.yaml), passes on [{p}](../testdata/cases/{p}.yaml).");
        }
    }
    out
}
