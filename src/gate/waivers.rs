//! Waivers: a waived failure becomes `waived` (reported everywhere, not failing the gate); an
//! expired waiver stops waiving and becomes a finding itself; one that expires within 14 days,
//! or matches no failure, is reported too. Those findings point at the waiver in the
//! configuration, under three fixed rules of the gate (WAIVER-EXPIRED, WAIVER-EXPIRING,
//! WAIVER-UNUSED) that are added to the run's rules when one of them has a finding.

use crate::config::Waiver;
use crate::rules::engine::{Finding, Outcome, Target};
use crate::rules::format::{Rule, Scope, Severity};

const EXPIRING_SOON_MS: i64 = 14 * 86_400_000;

/// The gate's own rules, about waivers rather than the site.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Expired,
    Expiring,
    Unused,
}

impl Kind {
    fn rule(self) -> Rule {
        let (id, name, title, severity) = match self {
            Kind::Expired => (
                "WAIVER-EXPIRED",
                "waiver-expired",
                "A waiver has expired",
                Severity::Error,
            ),
            Kind::Expiring => (
                "WAIVER-EXPIRING",
                "waiver-expiring",
                "A waiver expires within 14 days",
                Severity::Warning,
            ),
            Kind::Unused => (
                "WAIVER-UNUSED",
                "waiver-matches-nothing",
                "A waiver matches no failure",
                Severity::Warning,
            ),
        };
        Rule {
            id: id.into(),
            name: name.into(),
            title: title.into(),
            severity,
            confidence: "doc".into(),
            builds: (None, None),
            scenarios: vec!["boot-media".into(), "software-center".into()],
            scope: Scope::Site,
            applies_when: None,
            condition: None,
            warn_when: None,
            warn_message: None,
            manual: None,
            message: title.into(),
            rationale: "Waivers accept a known gap on purpose, with an owner and an expiry date, so it is not hidden forever.".into(),
            symptom: None,
            failure_modes: Vec::new(),
            fixtures_fail: Vec::new(),
            fixtures_pass: Vec::new(),
            console: CONSOLE.into(),
            powershell: None,
            no_cmdlet: Some("a waiver is edited in the configuration file".into()),
            verify: None,
            source: "cmg-preflight configuration".into(),
            file: "(built in)".into(),
        }
    }
}

const CONSOLE: &str = "Fix the finding, or renew or remove the waiver in the configuration file";

fn matches(w: &Waiver, f: &Finding, rules: &[Rule]) -> bool {
    rules[f.rule].id == w.rule
        && f.target.id.eq_ignore_ascii_case(&w.target.1)
        && w.target.0.as_deref().is_none_or(|k| k == f.target.kind)
}

pub fn apply(findings: &mut Vec<Finding>, rules: &mut Vec<Rule>, waivers: &[Waiver], now_ms: i64) {
    let mut extra: Vec<(Kind, Finding)> = Vec::new();
    for w in waivers {
        let hits: Vec<usize> = (0..findings.len())
            .filter(|&i| matches(w, &findings[i], rules))
            .collect();
        let failing: Vec<usize> = hits
            .iter()
            .copied()
            .filter(|&i| findings[i].outcome == Outcome::Fail)
            .collect();
        let label = format!("{} {}", w.rule, target_text(w));
        if failing.is_empty() {
            let why = if hits.is_empty() {
                "matches no check of this run"
            } else {
                "matches no failure (the check passes now)"
            };
            extra.push(meta(
                Kind::Unused,
                Severity::Warning,
                format!("The waiver for {label} {why}: remove it"),
                w,
                false,
            ));
            continue;
        }
        let severity = failing
            .iter()
            .map(|&i| findings[i].severity)
            .max()
            .unwrap_or(Severity::Warning);
        if w.expires_ms < now_ms {
            for &i in &failing {
                findings[i].detail = Some(format!(
                    "a waiver expired on {} (owner {}): {}",
                    w.expires, w.owner, w.reason
                ));
            }
            extra.push(meta(
                Kind::Expired,
                severity,
                format!(
                    "The waiver for {label} expired on {} (owner {}); the failure counts again",
                    w.expires, w.owner
                ),
                w,
                true,
            ));
            continue;
        }
        for &i in &failing {
            findings[i].outcome = Outcome::Waived;
            findings[i].detail = Some(format!(
                "waived until {} by {}: {}",
                w.expires, w.owner, w.reason
            ));
        }
        if w.expires_ms - now_ms <= EXPIRING_SOON_MS {
            extra.push(meta(
                Kind::Expiring,
                Severity::Warning,
                format!(
                    "The waiver for {label} expires on {} (owner {})",
                    w.expires, w.owner
                ),
                w,
                true,
            ));
        }
    }
    for (kind, mut finding) in extra {
        let rule = kind.rule();
        finding.rule = match rules.iter().position(|r| r.id == rule.id) {
            Some(i) => i,
            None => {
                rules.push(rule);
                rules.len() - 1
            }
        };
        findings.push(finding);
    }
}

/// The target as the configuration writes it (`deployment:PS120045`).
fn written_target(w: &Waiver) -> String {
    match &w.target.0 {
        Some(k) => format!("{k}:{}", w.target.1),
        None => w.target.1.clone(),
    }
}

fn target_text(w: &Waiver) -> String {
    match &w.target.0 {
        Some(k) => format!("{k} {}", w.target.1),
        None => w.target.1.clone(),
    }
}

fn meta(
    kind: Kind,
    severity: Severity,
    message: String,
    w: &Waiver,
    at_expiry: bool,
) -> (Kind, Finding) {
    let finding = Finding {
        rule: 0,
        target: Target {
            kind: "waiver",
            id: format!("{} {}", w.rule, written_target(w)),
        },
        outcome: Outcome::Fail,
        severity,
        message,
        expected: format!(
            "a waiver that matches a failure and has not expired (expires {})",
            w.expires
        ),
        found: format!("owner {}: {}", w.owner, w.reason),
        location: Some(if at_expiry { w.expires_at } else { w.at }),
        also: Vec::new(),
        detail: None,
        console: CONSOLE.into(),
        powershell: None,
        verify: None,
        in_baseline: false,
        lowered: false,
        evidence: Vec::new(),
    };
    (kind, finding)
}
