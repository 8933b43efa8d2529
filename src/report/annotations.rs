//! What the two CI annotation formats (`github`, `azure`) share: the annotation text, the
//! grouping of unknown outcomes, and each system's escaping. Both write one annotation per
//! failure at its file, line and column, then the same closing summary line as the human
//! report.
//!
//! - GitHub: `::error` / `::warning` / `::notice` by the failure's severity. Unknown outcomes
//!   are `::notice` lines ("cannot check ..."), so a gap in the export shows on the pull
//!   request without looking like a failure; those with the same reason and place share one
//!   notice (a missing family makes many rules unknown). Input notes are `::warning`. GitHub shows at most
//!   10 annotations of each kind per step: the SARIF upload and the markdown summary carry
//!   the complete list.
//! - Azure: `task.logissue` knows only `error` and `warning`. Failures at note severity are
//!   logged as warnings with a `note:` prefix rather than dropped (they are failed
//!   requirements, and the summary would otherwise count what the log does not show).
//!   Unknown outcomes are plain log lines, so that warnings stay "a requirement failed".
//!
//! Columns are in characters, as in the JSON report; paths are relative to the current
//! directory (the repository root in CI) with forward slashes.

use std::fmt::Write;

use super::Report;
use crate::rules::engine::{Finding, Outcome};
use crate::source::Origin;

/// The annotation text: the message, then expected/found and the fix on their own lines.
pub(super) fn details(f: &Finding) -> String {
    let mut t = f.message.clone();
    if !f.expected.is_empty() {
        let _ = write!(t, "\nexpected: {}", f.expected);
        if !f.message.contains(&f.found) {
            let _ = write!(t, "\nfound: {}", f.found);
        }
    }
    let _ = write!(t, "\nfix: {}", f.console);
    if let Some(ps) = &f.powershell {
        let _ = write!(t, "\nPowerShell: {ps}");
    }
    t
}

/// Unknown outcomes with the same reason at the same place, as one line: a missing family
/// makes many rules unknown, and GitHub shows only 10 notices per step.
pub(super) struct UnknownGroup<'a> {
    pub at: Option<Origin>,
    pub reason: String,
    pub findings: Vec<&'a Finding>,
}

impl UnknownGroup<'_> {
    pub fn text(&self, r: &Report) -> String {
        let checks = match self.findings.as_slice() {
            [f] => {
                let rule = &r.rules[f.rule];
                format!(
                    "{} for {} {} ({})",
                    rule.id, f.target.kind, f.target.id, rule.title
                )
            }
            many => many
                .iter()
                .map(|f| format!("{} ({} {})", r.rules[f.rule].id, f.target.kind, f.target.id))
                .collect::<Vec<_>>()
                .join(", "),
        };
        format!("cannot check {checks}: {}", self.reason)
    }
}

pub(super) fn unknown_groups<'a>(r: &'a Report) -> Vec<UnknownGroup<'a>> {
    let mut groups: Vec<UnknownGroup> = Vec::new();
    for f in r.findings.iter().filter(|f| f.outcome == Outcome::Unknown) {
        let reason = f
            .detail
            .clone()
            .unwrap_or_else(|| "the export does not show it".into());
        match groups
            .iter_mut()
            .find(|g| g.at == f.location && g.reason == reason)
        {
            Some(g) => g.findings.push(f),
            None => groups.push(UnknownGroup {
                at: f.location,
                reason,
                findings: vec![f],
            }),
        }
    }
    groups
}

/// Workflow-command data: `%`, CR and LF.
pub fn gh_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Workflow-command property values: as data, plus `:` and `,`.
pub fn gh_prop(s: &str) -> String {
    gh_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Logging-command data (azure-pipelines-task-lib's escapeData).
pub fn az_data(s: &str) -> String {
    s.replace('%', "%AZP25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Logging-command property values: as data, plus `]` and `;`.
pub fn az_prop(s: &str) -> String {
    az_data(s).replace(']', "%5D").replace(';', "%3B")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_escaping() {
        assert_eq!(gh_data("100% done\r\nnext"), "100%25 done%0D%0Anext");
        assert_eq!(gh_prop("DEP-02: a, b"), "DEP-02%3A a%2C b");
    }

    #[test]
    fn azure_escaping() {
        assert_eq!(az_data("50%\nx"), "50%AZP25%0Ax");
        assert_eq!(az_prop("a;b]c"), "a%3Bb%5Dc");
    }
}
