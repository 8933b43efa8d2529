//! JUnit XML as Azure DevOps `PublishTestResults@2` (format JUnit) reads it
//! (https://learn.microsoft.com/azure/devops/pipelines/tasks/reference/publish-test-results-v2):
//! one test case per rule and target, passes included so the Tests
//! tab shows the whole checklist.
//!
//! - One `testsuite` named `cmg-preflight`: Azure DevOps makes one test run of it, and the
//!   `classname` (the rule id, shown as "Test file") already groups the cases by rule; a suite
//!   per scope would only split the counts.
//! - `name` is `RULE KIND ID` (`DEP-02 deployment PS120045`), stable across runs, so Azure's
//!   test history follows a requirement on one object. No times or timestamps: the checks take
//!   no measurable time, and the file stays the same for the same export.
//! - fail: `<failure message=... type=SEVERITY>` with expected, found, location and the fix
//!   in the text (Azure's "stack trace"); unknown, not applicable and manual: `<skipped>`
//!   (Azure: "Not Executed") with the reason in the message. Waived findings will be
//!   skipped too, with the waiver's reason.

use std::fmt::Write;

use quick_junit::{NonSuccessKind, Property, Report as JUnit, TestCase, TestCaseStatus, TestSuite};

use super::registry::{write_text, Format};
use super::Report;
use crate::rules::engine::{Finding, Outcome};
use crate::source::Origin;

pub const FORMAT: Format = Format {
    name: "junit",
    help: "JUnit XML (Azure DevOps PublishTestResults@2): one test case per rule and target",
    about: "JUnit XML for Azure DevOps `PublishTestResults@2`: one test case per rule and target, `failure` for a fail, `skipped` for unknown, not applicable and manual, with the reason",
    extension: "junit.xml",
    file_name: "TEST-cmg-preflight.xml",
    evidence: false,
    render: |r, _, out| write_text(render(r), out),
};

pub fn render(r: &Report) -> String {
    let mut suite = TestSuite::new("cmg-preflight");
    for (k, v) in &r.header {
        suite.add_property(Property::new(*k, v));
    }
    suite.add_property(Property::new("summary", r.summary_line()));
    for f in r.findings {
        suite.add_test_case(case(r, f));
    }
    if !r.notes.is_empty() {
        let mut notes = String::new();
        for n in r.notes {
            let _ = write!(notes, "input: {}", n.message);
            if let Some(o) = n.at {
                let _ = write!(notes, " ({})", place(r, o));
            }
            notes.push('\n');
        }
        suite.set_system_err(notes);
    }
    let mut report = JUnit::new("cmg-preflight");
    report.add_test_suite(suite);
    report.to_string().unwrap_or_default()
}

fn case(r: &Report, f: &Finding) -> TestCase {
    let rule = &r.rules[f.rule];
    let name = format!("{} {} {}", rule.id, f.target.kind, f.target.id);
    let status = match f.outcome {
        Outcome::Pass => TestCaseStatus::success(),
        Outcome::Fail => {
            let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
            s.set_message(one_line(&f.message))
                .set_type(f.severity.name())
                .set_description(failure_text(r, f));
            s
        }
        Outcome::Unknown | Outcome::NotApplicable | Outcome::Manual | Outcome::Waived => {
            let (label, default) = match f.outcome {
                Outcome::Unknown => ("unknown", "the export does not show it"),
                Outcome::NotApplicable => ("not applicable", "does not apply"),
                Outcome::Waived => ("waived", "accepted by a waiver"),
                _ => ("manual", "check it by hand"),
            };
            let reason = f.detail.as_deref().unwrap_or(default);
            let mut s = TestCaseStatus::skipped();
            s.set_message(one_line(&format!("{label}: {reason}")))
                .set_type(f.outcome.name());
            if f.outcome == Outcome::Unknown {
                let mut text = format!("cannot check: {}\n{reason}", rule.title);
                if let Some(o) = f.location {
                    let _ = write!(text, "\nincomplete data at: {}", place(r, o));
                }
                s.set_description(text);
            }
            s
        }
    };
    let mut tc = TestCase::new(name, status);
    tc.set_classname(rule.id.as_str());
    tc
}

fn failure_text(r: &Report, f: &Finding) -> String {
    let rule = &r.rules[f.rule];
    let mut t = format!("{} {}: {}\n", rule.id, rule.name, f.message);
    if !f.expected.is_empty() {
        let _ = writeln!(t, "expected: {}", f.expected);
        let _ = writeln!(t, "found: {}", f.found);
    }
    if let Some(o) = f.location {
        let _ = writeln!(t, "location: {}", place(r, o));
    }
    for (o, m) in &f.also {
        let _ = writeln!(t, "see also: {} ({m})", place(r, *o));
    }
    let _ = writeln!(t, "fix: {}", f.console);
    if let Some(ps) = &f.powershell {
        let _ = writeln!(t, "PowerShell: {ps}");
    }
    let _ = write!(t, "rule: {}", super::sarif::help_uri(rule));
    t
}

fn place(r: &Report, o: Origin) -> String {
    let (file, line, col) = r.place(o);
    format!("{file}:{line}:{col}")
}

/// Attribute values are read as one line (XML turns newlines in attributes into spaces).
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
