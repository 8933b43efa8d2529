//! The one place that names a finding's outcome for people: every renderer (terminal,
//! markdown, HTML, annotations) takes its words from here, so "known", "warning" and "n/a"
//! mean the same thing in every format.

use crate::rules::engine::{Finding, Outcome};
use crate::rules::format::Severity;

/// What a finding shows as: a failure by its severity, or another outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Label {
    Fail(Severity),
    /// A failure already in the `--baseline` result: reported, but it does not fail the gate.
    Known,
    Unknown,
    NotApplicable,
    Manual,
    Pass,
    Waived,
}

impl Label {
    pub fn of(f: &Finding) -> Self {
        match f.outcome {
            Outcome::Fail if f.in_baseline => Label::Known,
            Outcome::Fail => Label::Fail(f.severity),
            Outcome::Unknown => Label::Unknown,
            Outcome::NotApplicable => Label::NotApplicable,
            Outcome::Manual => Label::Manual,
            Outcome::Pass => Label::Pass,
            Outcome::Waived => Label::Waived,
        }
    }

    /// Every label, in report order (worst first): filters and legends list them so.
    pub const ALL: [Label; 9] = [
        Label::Fail(Severity::Error),
        Label::Fail(Severity::Warning),
        Label::Fail(Severity::Note),
        Label::Known,
        Label::Unknown,
        Label::Waived,
        Label::Manual,
        Label::NotApplicable,
        Label::Pass,
    ];

    /// A stable lower-case key (`error`, `warning`, `note`, `known`, `unknown`,
    /// `not_applicable`, `manual`, `pass`, `waived`) for classes, filters and data files.
    pub fn key(self) -> &'static str {
        match self {
            Label::Fail(s) => s.name(),
            Label::Known => "known",
            Label::Unknown => "unknown",
            Label::NotApplicable => "not_applicable",
            Label::Manual => "manual",
            Label::Pass => "pass",
            Label::Waived => "waived",
        }
    }

    /// The outcome alone, failures of every severity as `fail`: `fail`, `known`, `unknown`,
    /// `not_applicable`, `manual`, `pass`, `waived` (filters by outcome).
    pub fn outcome(self) -> &'static str {
        match self {
            Label::Fail(_) => "fail",
            other => other.key(),
        }
    }

    /// The short word of a checklist column (at most 8 characters): failures in capitals.
    pub fn word(self) -> &'static str {
        match self {
            Label::Fail(Severity::Error) => "FAIL",
            Label::Fail(Severity::Warning) => "WARN",
            Label::Fail(Severity::Note) => "NOTE",
            Label::Known => "known",
            Label::Unknown => "unknown",
            Label::NotApplicable => "n/a",
            Label::Manual => "manual",
            Label::Pass => "pass",
            Label::Waived => "waived",
        }
    }

    /// A word for prose and tables: `fail`, `warning`, `note`, `known`, `unknown`, `n/a`, ...
    pub fn text(self) -> &'static str {
        match self {
            Label::Fail(Severity::Error) => "fail",
            Label::Fail(Severity::Warning) => "warning",
            Label::Fail(Severity::Note) => "note",
            other => other.word(),
        }
    }

    /// An emoji that reads at a glance in markdown and HTML.
    pub fn symbol(self) -> &'static str {
        match self {
            Label::Fail(Severity::Error) => "❌",
            Label::Fail(Severity::Warning) => "⚠️",
            Label::Fail(Severity::Note) => "ℹ️",
            Label::Known => "🔁",
            Label::Unknown => "❔",
            Label::NotApplicable => "➖",
            Label::Manual => "✋",
            Label::Pass => "✅",
            Label::Waived => "🔕",
        }
    }

    /// Whether this is a failure that counts against the gate.
    pub fn is_failure(self) -> bool {
        matches!(self, Label::Fail(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_words_are_distinct() {
        let keys: std::collections::HashSet<_> = Label::ALL.iter().map(|l| l.key()).collect();
        let words: std::collections::HashSet<_> = Label::ALL.iter().map(|l| l.word()).collect();
        assert_eq!(keys.len(), Label::ALL.len());
        assert_eq!(words.len(), Label::ALL.len());
        assert!(Label::ALL.iter().all(|l| l.word().len() <= 8));
    }
}
