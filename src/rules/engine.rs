//! Evaluates the catalog over the model: picks the targets of each rule's scope, decides
//! applicability (site build, `applies_when`), and turns verdicts into located findings.

use std::collections::HashSet;

use super::condition::{eval, Env, Evidence, Pending, Verdict};
use super::evidence::{self, Explain, Link};
use super::format::{Rule, Scope, Severity};
use super::template::{command, render};
use crate::model::fact::{Fact, V};
use crate::model::Model;
use crate::source::Origin;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    Fail,
    Unknown,
    Manual,
    NotApplicable,
    Pass,
    /// A failure accepted on purpose by a waiver (with reason, owner and expiry in `detail`).
    Waived,
}

impl Outcome {
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "fail",
            Outcome::Unknown => "unknown",
            Outcome::NotApplicable => "not_applicable",
            Outcome::Manual => "manual",
            Outcome::Waived => "waived",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    pub kind: &'static str,
    pub id: String,
}

#[derive(Clone, Debug)]
pub struct Finding {
    pub rule: usize,
    pub target: Target,
    pub outcome: Outcome,
    pub severity: Severity,
    pub message: String,
    pub expected: String,
    pub found: String,
    pub location: Option<Origin>,
    pub also: Vec<(Origin, String)>,
    /// Why it is unknown or not applicable, or the manual reminder.
    pub detail: Option<String>,
    pub console: String,
    pub powershell: Option<String>,
    /// A PowerShell expression that is `$true` once this is fixed (see `Rule::verify`).
    pub verify: Option<String>,
    /// With `--baseline`: the same failure (rule and target) was in the earlier result, so it
    /// is reported but does not fail the gate.
    pub in_baseline: bool,
    /// The rule's `warn_when` matched: reported at most as a warning, whatever its level.
    pub lowered: bool,
    /// The why-chain: the facts that decided the outcome (empty unless the run explains).
    pub evidence: Vec<Link>,
}

/// Which deployments are checked, and why those.
pub struct Targets {
    pub deployments: Vec<usize>,
    pub reason: String,
}

impl Targets {
    /// The checked deployments' ids, for headers: `PS120045, PS120046`, or `none`.
    pub fn ids(&self, model: &Model) -> String {
        let ids: Vec<String> = self
            .deployments
            .iter()
            .filter_map(|&i| model.deployments()[i].get("id").map(Fact::display))
            .collect();
        if ids.is_empty() {
            "none".into()
        } else {
            ids.join(", ")
        }
    }
}

/// `explicit` (from `--deployment`) wins, then the media plan's list (boot media only), then
/// every deployment the scenario can use: available to media for boot media, available to
/// clients for Software Center. With none of those, every deployment (so each one's
/// availability is reported where it is set).
pub fn select(
    model: &Model,
    explicit: &[String],
    from_plan: &[String],
    scenario: &str,
) -> Result<Targets, String> {
    let id_of = |f: &Fact| f.get("id").map(Fact::display).unwrap_or_default();
    let pick = |ids: &[String], source: &str| -> Result<Targets, String> {
        // Without the deployments family nothing can be named: the deployment and content
        // rules are unknown (on a stand-in target), not the command line wrong.
        let exported = model
            .root
            .get("deployments")
            .is_some_and(|d| d.gap().is_none());
        if !exported {
            return Ok(Targets {
                deployments: Vec::new(),
                reason: format!(
                    "{source} names {}, but the export has no deployments",
                    ids.join(", ")
                ),
            });
        }
        let mut out = Vec::new();
        for id in ids {
            match model
                .deployments()
                .iter()
                .position(|d| id_of(d).eq_ignore_ascii_case(id))
            {
                Some(i) => out.push(i),
                None => {
                    let known: Vec<String> = model.deployments().iter().map(id_of).collect();
                    return Err(format!(
                        "{source} names deployment {id}, which is not in the export (deployments in the export: {})",
                        if known.is_empty() { "none".into() } else { known.join(", ") }
                    ));
                }
            }
        }
        Ok(Targets {
            deployments: out,
            reason: format!("named by {source}"),
        })
    };
    if !explicit.is_empty() {
        return pick(explicit, "--deployment");
    }
    let software_center = scenario == "software-center";
    if !from_plan.is_empty() && !software_center {
        return pick(from_plan, "the media plan");
    }
    let usable = |d: &Fact| {
        let availability = d.get("availability").map(Fact::display).unwrap_or_default();
        if software_center {
            availability == "clients_only" || availability == "clients_media_pxe"
        } else {
            matches!(
                d.get("available_to_media").map(|f| &f.value),
                Some(V::Bool(true))
            )
        }
    };
    let what = if software_center {
        "available to clients"
    } else {
        "available to media"
    };
    let chosen: Vec<usize> = (0..model.deployments().len())
        .filter(|i| usable(&model.deployments()[*i]))
        .collect();
    if chosen.is_empty() {
        Ok(Targets {
            deployments: (0..model.deployments().len()).collect(),
            reason: format!("no deployment is {what}, so all are checked"),
        })
    } else {
        Ok(Targets {
            deployments: chosen,
            reason: format!("every deployment {what}"),
        })
    }
}

/// Evaluates every rule of the scenario on its targets. `explain`: which findings keep their
/// why-chain ([`Finding::evidence`]).
pub fn run(
    rules: &[Rule],
    model: &Model,
    targets: &Targets,
    scenario: &str,
    explain: Explain,
) -> Vec<Finding> {
    let base = Env::new(&model.root, Vec::new()).explaining(explain.collects());
    let mut out = Vec::new();
    for (index, rule) in rules.iter().enumerate() {
        // A rule of another scenario is not evaluated at all, so it does not crowd the checklist.
        if !rule.scenarios.iter().any(|s| s == scenario) {
            continue;
        }
        let expanded = expand(rule.scope, model, targets, &base);
        if expanded.is_empty() {
            // Every rule shows in the report: with nothing to check in its scope (a task
            // sequence that references no content), it says so.
            out.push(nothing_to_check(index, rule));
        }
        out.extend(crate::parallel::map_in_order(
            expanded,
            512,
            |(target, env)| with_fix(evaluate(index, rule, target, &env, explain), rule, &env),
        ));
    }
    out
}

fn nothing_to_check(index: usize, rule: &Rule) -> Finding {
    Finding {
        rule: index,
        target: Target {
            kind: rule.scope.name(),
            id: "(none)".into(),
        },
        outcome: Outcome::NotApplicable,
        severity: rule.severity,
        message: rule.title.clone(),
        expected: String::new(),
        found: String::new(),
        location: None,
        also: Vec::new(),
        detail: Some(format!(
            "nothing of scope {} to check: the task sequence references no content",
            rule.scope.name()
        )),
        console: rule.console.clone(),
        powershell: None,
        verify: None,
        in_baseline: false,
        lowered: false,
        evidence: Vec::new(),
    }
}

/// The targets of a scope, each with its environment.
pub(crate) fn expand<'a>(
    scope: Scope,
    model: &'a Model,
    targets: &Targets,
    base: &Env<'a>,
) -> Vec<(Target, Env<'a>)> {
    let env_with = |pairs: &[(&'static str, &'a Fact)]| {
        let mut vars = base.vars.clone();
        vars.extend_from_slice(pairs);
        Env::new(base.root, vars).explaining(base.explain)
    };
    let display = |f: &Fact, key: &str| f.get(key).map(Fact::display).unwrap_or_else(|| "?".into());
    // No deployment to check (none exported, or none at all): one stand-in target whose data
    // is unknown, so the deployment and content rules are reported, not silently skipped.
    if targets.deployments.is_empty() && matches!(scope, Scope::Deployment | Scope::Content) {
        let none = &model.no_deployment;
        let pairs: &[(&'static str, &'a Fact)] = &[("deployment", none), ("content", none)];
        return vec![(
            Target {
                kind: scope.name(),
                id: "(no deployment)".into(),
            },
            env_with(pairs),
        )];
    }
    match scope {
        Scope::Site => {
            let code = model
                .root
                .get("site")
                .and_then(|s| s.get("code"))
                .filter(|c| c.gap().is_none())
                .map_or("site".into(), Fact::display);
            vec![(
                Target {
                    kind: "site",
                    id: code,
                },
                env_with(&[]),
            )]
        }
        Scope::Media => vec![(
            Target {
                kind: "media",
                id: "boot media".into(),
            },
            env_with(&[]),
        )],
        Scope::Deployment => targets
            .deployments
            .iter()
            .map(|&i| {
                let d = &model.deployments()[i];
                (
                    Target {
                        kind: "deployment",
                        id: display(d, "id"),
                    },
                    env_with(&[("deployment", d)]),
                )
            })
            .collect(),
        Scope::Content => {
            let mut seen: HashSet<String> = HashSet::new();
            let mut out = Vec::new();
            for &i in &targets.deployments {
                let d = &model.deployments()[i];
                let Some(ts) = d.get("task_sequence") else {
                    continue;
                };
                let ts_id = ts.get("id").map(Fact::display).unwrap_or_default();
                if ts.gap().is_some() {
                    // The task sequence itself is missing: one unknown target stands for its content.
                    out.push((
                        Target {
                            kind: "content",
                            id: format!("content of {}", display(d, "id")),
                        },
                        env_with(&[("deployment", d), ("content", ts)]),
                    ));
                    continue;
                }
                if !seen.insert(ts_id.clone()) {
                    continue;
                }
                if let Some(items) = model.content.get(&ts_id) {
                    for c in items {
                        let id = if c.gap().is_some() {
                            format!("references of {ts_id}")
                        } else {
                            display(c, "id")
                        };
                        out.push((
                            Target {
                                kind: "content",
                                id,
                            },
                            env_with(&[("deployment", d), ("content", c)]),
                        ));
                    }
                }
            }
            out
        }
    }
}

/// The fix (console path, PowerShell, verify expression) with the target's values filled in,
/// for a failure: only failures show a fix (later waived or in the baseline, they still do),
/// and a large site has hundreds of thousands of passes.
fn with_fix(mut f: Finding, rule: &Rule, env: &Env) -> Finding {
    if f.outcome == Outcome::Fail {
        f.console = render(&rule.console, env, &Evidence::default());
        f.powershell = rule.powershell.as_ref().and_then(|c| command(c, env));
        f.verify = rule.verify.as_ref().and_then(|c| command(c, env));
    }
    f
}

fn evaluate(index: usize, rule: &Rule, target: Target, env: &Env, explain: Explain) -> Finding {
    let mut f = Finding {
        rule: index,
        target,
        outcome: Outcome::Pass,
        severity: rule.severity,
        message: String::new(),
        expected: String::new(),
        found: String::new(),
        location: None,
        also: Vec::new(),
        detail: None,
        console: String::new(),
        in_baseline: false,
        lowered: false,
        evidence: Vec::new(),
        powershell: None,
        verify: None,
    };
    if let Some(reason) = outside_builds(rule, env) {
        return not_applicable(f, reason);
    }
    if let Some(cond) = &rule.applies_when {
        let e = eval(cond, env);
        match e.verdict {
            Verdict::Fail => {
                let reason = format!("does not apply: {} is {}", e.ev.path, e.ev.found);
                if explain.keeps(Outcome::NotApplicable) {
                    f.evidence = chain(env, &e.ev.links);
                }
                return not_applicable(f, reason);
            }
            Verdict::Unknown => return unknown(f, rule, env, e.ev, explain),
            Verdict::Pass => {}
        }
    }
    if let Some(text) = &rule.manual {
        f.outcome = Outcome::Manual;
        f.message = render(&rule.message, env, &Evidence::default());
        f.detail = Some(render(text, env, &Evidence::default()));
        return f;
    }
    let Some(cond) = &rule.condition else {
        return f;
    };
    let e = eval(cond, env);
    match e.verdict {
        Verdict::Unknown => unknown(f, rule, env, e.ev, explain),
        Verdict::Fail => {
            f.outcome = Outcome::Fail;
            f.message = render(&rule.message, env, &e.ev);
            fill(&mut f, e.ev, env, explain);
            f
        }
        Verdict::Pass => {
            if let Some(w) = &rule.warn_when {
                let we = eval(w, env);
                if we.verdict == Verdict::Pass {
                    f.outcome = Outcome::Fail;
                    f.severity = Severity::Warning.min(rule.severity);
                    f.lowered = true;
                    f.message = render(
                        rule.warn_message.as_deref().unwrap_or(&rule.message),
                        env,
                        &we.ev,
                    );
                    fill(&mut f, we.ev, env, explain);
                    return f;
                }
            }
            f.message = render(&rule.title, env, &e.ev);
            fill(&mut f, e.ev, env, explain);
            f
        }
    }
}

fn fill(f: &mut Finding, ev: Evidence, env: &Env, explain: Explain) {
    let links = ev.links;
    f.expected = ev.expected;
    f.found = ev.found;
    f.location = ev.origin;
    f.also = ev.also;
    if explain.keeps(f.outcome) {
        f.evidence = chain(env, &links);
    }
}

/// The target first (the deployment, then the content), then the verdict's own links.
fn chain(env: &Env, links: &[Pending]) -> Vec<Link> {
    let mut all = Vec::new();
    for name in ["deployment", "content"] {
        if let Some(f) = env.var(name) {
            evidence::target(name, f, &mut all);
        }
    }
    for p in links {
        all.extend(p.resolve());
    }
    evidence::tidy(all)
}

fn not_applicable(mut f: Finding, reason: String) -> Finding {
    f.outcome = Outcome::NotApplicable;
    f.detail = Some(reason);
    f
}

fn unknown(mut f: Finding, rule: &Rule, env: &Env, ev: Evidence, explain: Explain) -> Finding {
    f.outcome = Outcome::Unknown;
    f.message = render(&rule.title, env, &ev);
    f.detail = Some(match &ev.gap {
        Some(g) => g.explain(),
        None => ev.found.clone(),
    });
    fill(&mut f, ev, env, explain);
    f
}

fn outside_builds(rule: &Rule, env: &Env) -> Option<String> {
    let (min, max) = rule.builds;
    if min.is_none() && max.is_none() {
        return None;
    }
    let build = match env.lookup("site.build").ok().map(|f| &f.value) {
        Some(V::Int(b)) => *b,
        // An unknown build cannot rule a check out; the rule runs and says what it finds.
        _ => return None,
    };
    let below = min.is_some_and(|m| build < m);
    let above = max.is_some_and(|m| build > m);
    (below || above).then(|| {
        let range = match (min, max) {
            (Some(a), Some(b)) if a == b => format!("build {a}"),
            (Some(a), Some(b)) => format!("builds {a}–{b}"),
            (Some(a), None) => format!("builds {a} and later"),
            (None, Some(b)) => format!("builds up to {b}"),
            (None, None) => String::new(),
        };
        format!("applies to {range}; the site is build {build}")
    })
}
