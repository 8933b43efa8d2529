//! The gate: everything between the engine's verdicts and the exit code, in one place.
//! Rule levels (`rules:` in the configuration, `-D`/`-W`/`-A`), waivers, the baseline and
//! `fail_on`/`strict` turn findings into their final level, waiver state and baseline state,
//! and decide the exit code.
//!
//! Precedence, one for every setting: the command line over the configuration file over the
//! default. Rule levels are applied in the order configuration `rules:`, then `-D`, `-W`, `-A`,
//! the later winning, so `-A X` switches X off whatever else says.

pub mod baseline;
pub mod waivers;

use std::collections::HashSet;

use clap::ValueEnum;

use crate::config::{Config, Level, Waiver};
use crate::rules::engine::{Finding, Outcome};
use crate::rules::format::{Rule, Severity};
use crate::source::InputError;

pub const EXIT_OK: u8 = 0;
pub const EXIT_FAIL: u8 = 1;
pub const EXIT_INPUT: u8 = 2;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Note,
    Never,
}

impl FailOn {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "error" => Some(FailOn::Error),
            "warning" => Some(FailOn::Warning),
            "note" => Some(FailOn::Note),
            "never" => Some(FailOn::Never),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            FailOn::Error => "error",
            FailOn::Warning => "warning",
            FailOn::Note => "note",
            FailOn::Never => "never",
        }
    }

    fn threshold(self) -> Option<Severity> {
        match self {
            FailOn::Error => Some(Severity::Error),
            FailOn::Warning => Some(Severity::Warning),
            FailOn::Note => Some(Severity::Note),
            FailOn::Never => None,
        }
    }
}

/// What the gate was told, built once from the command line and the configuration.
pub struct GateSettings {
    pub fail_on: FailOn,
    pub strict: bool,
    /// Later entries win (see the module comment).
    pub levels: Vec<(String, Level)>,
    pub waivers: Vec<Waiver>,
    pub baseline: Option<baseline::Known>,
    pub now_ms: i64,
}

/// The gate's part of the command line, so this module does not reach into `cli`.
pub struct GateArgs<'a> {
    pub fail_on: Option<FailOn>,
    pub strict: bool,
    pub deny: &'a [String],
    pub warn: &'a [String],
    pub allow: &'a [String],
}

impl GateSettings {
    pub fn new(
        args: &GateArgs,
        config: &Config,
        baseline: Option<baseline::Known>,
        now_ms: i64,
    ) -> Self {
        let mut levels = config.rules.clone();
        levels.extend(args.deny.iter().map(|id| (id.clone(), Level::Error)));
        levels.extend(args.warn.iter().map(|id| (id.clone(), Level::Warning)));
        levels.extend(args.allow.iter().map(|id| (id.clone(), Level::Off)));
        GateSettings {
            fail_on: args
                .fail_on
                .or_else(|| config.fail_on.as_deref().and_then(FailOn::parse))
                .unwrap_or(FailOn::Error),
            strict: args.strict || config.strict == Some(true),
            levels,
            waivers: config.waivers.clone(),
            baseline,
            now_ms,
        }
    }

    fn level(&self, id: &str) -> Option<&Level> {
        self.levels
            .iter()
            .rev()
            .find(|(i, _)| i == id)
            .map(|(_, l)| l)
    }

    /// Whether a rule is evaluated at all (`off` rules are not).
    pub fn enabled(&self, rule: &Rule) -> bool {
        self.level(&rule.id) != Some(&Level::Off)
    }

    /// A rule id in the levels or the waivers that names no rule is a mistake, not a no-op;
    /// and a run with every rule off checks nothing, which a gate must not call a pass.
    pub fn check(&self, rules: &[Rule], config: &Config) -> Result<(), Vec<InputError>> {
        let where_ = config
            .path
            .as_ref()
            .map_or("command line".to_string(), |p| {
                format!("{} or the command line", crate::source::display_path(p))
            });
        let unknown: Vec<&String> = self
            .levels
            .iter()
            .map(|(id, _)| id)
            .chain(self.waivers.iter().map(|w| &w.rule))
            .filter(|id| !rules.iter().any(|r| r.id == **id))
            .collect();
        let mut errors: Vec<InputError> = unknown
            .into_iter()
            .map(|id| InputError {
                path: where_.clone(),
                message: format!("no rule `{id}`; `cmg-preflight rules` lists them"),
                at: None,
                help: None,
            })
            .collect();
        if errors.is_empty() && !rules.iter().any(|r| self.enabled(r)) {
            errors.push(InputError {
                path: where_,
                message: "every rule is off (-A or the configuration's `rules:`): nothing would be checked, and an empty check is no pass".into(),
                at: None,
                help: Some("switch at least one rule back on".into()),
            });
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }
}

/// The gate's one entry: gives every finding its final level, waiver state and baseline state
/// (adding findings about the waivers themselves), and returns the exit code.
pub fn decide(rules: &mut Vec<Rule>, findings: &mut Vec<Finding>, s: &GateSettings) -> u8 {
    apply_levels(rules, findings, s);
    waivers::apply(findings, rules, &s.waivers, s.now_ms);
    if let Some(known) = &s.baseline {
        known.mark(rules, findings);
    }
    exit_code(findings, s)
}

/// `error`/`warning`/`note` sets a rule's severity; a warning that the rule itself lowered
/// (`warn_when`) stays below it. `off` rules were not evaluated; any finding of one is dropped.
fn apply_levels(rules: &mut [Rule], findings: &mut Vec<Finding>, s: &GateSettings) {
    let off: HashSet<usize> = (0..rules.len())
        .filter(|&i| !s.enabled(&rules[i]))
        .collect();
    findings.retain(|f| !off.contains(&f.rule));
    for (i, rule) in rules.iter_mut().enumerate() {
        let to = match s.level(&rule.id) {
            Some(Level::Error) => Severity::Error,
            Some(Level::Warning) => Severity::Warning,
            Some(Level::Note) => Severity::Note,
            Some(Level::Off) | None => continue,
        };
        for f in findings.iter_mut().filter(|f| f.rule == i) {
            f.severity = if f.lowered {
                Severity::Warning.min(to)
            } else {
                to
            };
        }
        rule.severity = to;
    }
}

fn exit_code(findings: &[Finding], s: &GateSettings) -> u8 {
    if findings.iter().any(|f| s.fails(f)) {
        EXIT_FAIL
    } else {
        EXIT_OK
    }
}

impl GateSettings {
    /// Whether one finding fails the gate: a failure at or above `fail_on` that is not in the
    /// baseline (with `strict`, an unknown one too). `decide` and `diff` both ask this.
    pub fn fails(&self, f: &Finding) -> bool {
        let Some(threshold) = self.fail_on.threshold() else {
            return false;
        };
        f.severity >= threshold
            && match f.outcome {
                Outcome::Fail => !f.in_baseline,
                Outcome::Unknown => self.strict,
                _ => false,
            }
    }
}
