//! The condition language of rule files, and its three-valued evaluation over the model's
//! facts. A verdict always carries evidence: the field it looked at last, where that field
//! is in the user's files, what was expected and what was found.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use super::evidence::{self, Link};
use crate::export::field::Gap;
use crate::model::fact::{Fact, V};
use crate::source::Origin;

#[derive(Clone, Debug, PartialEq)]
pub enum Lit {
    Bool(bool),
    Int(i64),
    Str(String),
}

impl std::fmt::Display for Lit {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            Lit::Bool(b) => write!(f, "{b}"),
            Lit::Int(i) => write!(f, "{i}"),
            Lit::Str(s) => write!(f, "{s}"),
        }
    }
}

#[derive(Clone, Debug)]
pub enum Op {
    Equals(Lit),
    NotEquals(Lit),
    In(Vec<Lit>),
    NotIn(Vec<Lit>),
    AtLeast(i64),
    AtMost(i64),
    Exists(bool),
    /// Case-insensitive substring of a string value.
    Contains(String),
    /// Whether the export supplies the value at all: the one check that fails on missing data.
    Known(bool),
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Quantifier {
    Some,
    Every,
    None,
}

#[derive(Clone, Debug)]
pub enum Cond {
    All(Vec<Cond>),
    Any(Vec<Cond>),
    Not(Box<Cond>),
    Quant {
        q: Quantifier,
        over: String,
        var: String,
        filter: Option<Box<Cond>>,
        check: Option<Box<Cond>>,
        expected: Option<String>,
    },
    Leaf {
        path: String,
        op: Op,
        expected: Option<String>,
    },
    /// `all`/`any`/`not` with the rule author's own words for what is expected.
    Described {
        inner: Box<Cond>,
        expected: String,
    },
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Verdict {
    Pass,
    Fail,
    Unknown,
}

/// A why-chain entry as evaluation leaves it: references into the rule and the model, turned
/// into [`Link`]s only for the verdict that is reported (most tests are evaluated and dropped).
#[derive(Clone, Debug)]
pub enum Pending<'a> {
    /// A test on a path.
    Leaf {
        head: &'a Fact,
        head_name: &'a str,
        path: &'a str,
        op: &'a Op,
        expected: Option<&'a str>,
        held: bool,
    },
    /// A verdict on a whole list (every item passed, none matched, or the list is unknown).
    List {
        over: &'a str,
        list: &'a Fact,
        test: String,
        found: String,
        held: bool,
    },
}

impl Pending<'_> {
    pub fn resolve(&self) -> Vec<Link> {
        match self {
            Pending::Leaf {
                head,
                head_name,
                path,
                op,
                expected,
                held,
            } => {
                let test = expected.map_or_else(|| describe(path, op), str::to_string);
                evidence::along(head, head_name, path, test, *held)
            }
            Pending::List {
                over,
                list,
                test,
                found,
                held,
            } => vec![Link {
                role: (*over).to_string(),
                value: list
                    .gap()
                    .map_or_else(|| found.clone(), |g| format!("unknown: {}", g.explain())),
                origin: list.origin,
                test: Some((test.clone(), *held)),
            }],
        }
    }
}

#[derive(Clone, Debug, Default)]
pub struct Evidence<'a> {
    pub path: String,
    pub origin: Option<Origin>,
    pub expected: String,
    pub found: String,
    pub also: Vec<(Origin, String)>,
    pub gap: Option<Gap>,
    /// The why-chain (only when the environment explains).
    pub links: Vec<Pending<'a>>,
}

#[derive(Clone, Debug)]
pub struct Eval<'a> {
    pub verdict: Verdict,
    pub ev: Evidence<'a>,
}

impl<'a> Eval<'a> {
    fn new(verdict: Verdict, ev: Evidence<'a>) -> Self {
        Eval { verdict, ev }
    }
}

/// How many conditions one rule may evaluate for one target. Nested quantifiers multiply
/// (`every` inside `some` inside `every` ... over long lists), and a custom rule must not make
/// a run hang: past this the verdict is unknown and says why. The built-in rules need at most
/// a few thousand steps per target; this allows a custom rule one quantifier over a very
/// large list, or two nested over long ones, and stops it within a second or two.
pub const BUDGET: u64 = 2_000_000;

/// Variables in scope: `site`, `cmgs`, ... from the model root, plus targets and quantifier variables.
pub struct Env<'a> {
    pub root: &'a Fact,
    /// Later bindings shadow earlier ones. A list, not a map: a target has two or three, and
    /// one is made for every item a quantifier visits.
    pub vars: Vec<(&'a str, &'a Fact)>,
    /// Steps left for this rule and target, shared by the quantifiers' inner environments
    /// (atomic only so that targets can be checked on other threads; one target stays on one).
    budget: Arc<AtomicU64>,
    /// Collect the why-chain of each verdict ([`Evidence::links`]).
    pub explain: bool,
}

impl<'a> Env<'a> {
    /// A fresh environment with a full [`BUDGET`].
    pub fn new(root: &'a Fact, vars: Vec<(&'a str, &'a Fact)>) -> Self {
        Env {
            root,
            vars,
            budget: Arc::new(AtomicU64::new(BUDGET)),
            explain: false,
        }
    }

    /// The same environment, collecting the why-chain when `on`.
    pub fn explaining(mut self, on: bool) -> Self {
        self.explain = on;
        self
    }

    /// The fact a path starts from, and the name it starts with: a variable, else a member
    /// of the model root.
    fn head<'p>(&self, path: &'p str) -> Option<(&'a Fact, &'p str)> {
        let head = path.split('.').next().unwrap_or_default();
        let f = self.var(head).or_else(|| self.root.get(head))?;
        Some((f, head))
    }

    /// The fact bound to a variable name.
    pub fn var(&self, name: &str) -> Option<&'a Fact> {
        self.vars
            .iter()
            .rev()
            .find(|(k, _)| *k == name)
            .map(|(_, f)| *f)
    }

    /// The why-chain of a test on `path`, when explaining.
    fn pending(
        &self,
        path: &'a str,
        op: &'a Op,
        expected: Option<&'a str>,
        held: bool,
    ) -> Vec<Pending<'a>> {
        if !self.explain {
            return Vec::new();
        }
        self.head(path)
            .map(|(head, head_name)| {
                vec![Pending::Leaf {
                    head,
                    head_name,
                    path,
                    op,
                    expected,
                    held,
                }]
            })
            .unwrap_or_default()
    }

    /// The why-chain of a verdict on a whole list, when explaining.
    fn pending_list(
        &self,
        over: &'a str,
        list: &'a Fact,
        test: &str,
        found: &str,
        held: bool,
    ) -> Vec<Pending<'a>> {
        if !self.explain {
            return Vec::new();
        }
        vec![Pending::List {
            over,
            list,
            test: test.to_string(),
            found: found.to_string(),
            held,
        }]
    }

    /// Takes one step; `false` once the budget is spent.
    fn step(&self) -> bool {
        let left = self.budget.load(Ordering::Relaxed);
        self.budget.store(left.saturating_sub(1), Ordering::Relaxed);
        left > 0
    }

    pub fn lookup(&self, path: &str) -> Result<&'a Fact, String> {
        let head = path.split('.').next().unwrap_or_default();
        let (mut cur, _) = self
            .head(path)
            .ok_or_else(|| format!("unknown field `{head}`"))?;
        for p in path.split('.').skip(1) {
            if matches!(cur.value, V::Unknown(_) | V::Null) {
                return Ok(cur);
            }
            cur = cur
                .get(p)
                .ok_or_else(|| format!("unknown field `{p}` in `{path}`"))?;
        }
        Ok(cur)
    }

    fn with(&self, var: &'a str, f: &'a Fact) -> Env<'a> {
        let mut vars = Vec::with_capacity(self.vars.len() + 1);
        vars.extend_from_slice(&self.vars);
        vars.push((var, f));
        Env {
            root: self.root,
            vars,
            budget: Arc::clone(&self.budget),
            explain: self.explain,
        }
    }
}

fn over_budget<'a>(path: &str) -> Eval<'a> {
    rule_error(
        path,
        format!("the condition needed more than {BUDGET} evaluation steps for this target (nested quantifiers over long lists?), so the evaluation budget stopped it"),
    )
}

pub fn eval<'a>(c: &'a Cond, env: &Env<'a>) -> Eval<'a> {
    if !env.step() {
        return over_budget("");
    }
    match c {
        Cond::Leaf { path, op, expected } => leaf(path, op, expected.as_deref(), env),
        Cond::All(items) => {
            let mut unknown = None;
            let mut last = Evidence::default();
            // Every test passed: each is part of why.
            let mut links = Vec::new();
            for i in items {
                let e = eval(i, env);
                match e.verdict {
                    Verdict::Fail => return e,
                    Verdict::Unknown => unknown = unknown.or(Some(e)),
                    Verdict::Pass => {
                        last = e.ev;
                        links.append(&mut last.links);
                    }
                }
            }
            last.links = links;
            unknown.unwrap_or(Eval::new(Verdict::Pass, last))
        }
        Cond::Any(items) => {
            let (mut unknown, mut fail) = (None, None);
            // Every alternative failed: each is part of why.
            let mut links = Vec::new();
            for i in items {
                let mut e = eval(i, env);
                match e.verdict {
                    Verdict::Pass => return e,
                    Verdict::Unknown => unknown = unknown.or(Some(e)),
                    Verdict::Fail => {
                        links.append(&mut e.ev.links);
                        fail = fail.or(Some(e));
                    }
                }
            }
            unknown.unwrap_or_else(|| {
                let mut e = fail.unwrap_or(Eval::new(Verdict::Fail, Evidence::default()));
                e.ev.links = links;
                e
            })
        }
        Cond::Not(inner) => {
            let mut e = eval(inner, env);
            e.verdict = match e.verdict {
                Verdict::Pass => Verdict::Fail,
                Verdict::Fail => Verdict::Pass,
                Verdict::Unknown => Verdict::Unknown,
            };
            e.ev.expected = format!("not ({})", e.ev.expected);
            e
        }
        Cond::Described { inner, expected } => {
            let mut e = eval(inner, env);
            e.ev.expected = expected.clone();
            e
        }
        Cond::Quant {
            q,
            over,
            var,
            filter,
            check,
            expected,
        } => quant(
            *q,
            over,
            var,
            filter.as_deref(),
            check.as_deref(),
            expected.as_deref(),
            env,
        ),
    }
}

fn found_text(f: &Fact) -> String {
    let shown = match &f.value {
        V::Null => "not set".to_string(),
        _ => f.display(),
    };
    match f.raw() {
        Some(raw) => format!("{shown} ({raw})"),
        None => shown,
    }
}

fn unknown_ev<'a>(path: &str, fact: &Fact, expected: String, links: Vec<Pending<'a>>) -> Eval<'a> {
    Eval::new(
        Verdict::Unknown,
        Evidence {
            path: path.into(),
            origin: fact.origin,
            expected,
            found: "unknown".into(),
            also: fact.also().to_vec(),
            gap: fact.gap().cloned(),
            links,
        },
    )
}

fn rule_error<'a>(path: &str, why: String) -> Eval<'a> {
    Eval::new(
        Verdict::Unknown,
        Evidence {
            path: path.into(),
            found: format!("rule error: {why}"),
            ..Evidence::default()
        },
    )
}

fn leaf<'a>(path: &'a str, op: &'a Op, expected: Option<&'a str>, env: &Env<'a>) -> Eval<'a> {
    let expected_text = expected.map_or_else(|| describe(path, op), str::to_string);
    let fact = match env.lookup(path) {
        Ok(f) => f,
        Err(why) => return rule_error(path, why),
    };
    if let Op::Known(want) = op {
        // A whole family missing from the export says nothing about the value: unknown.
        // `known` fails only on a value its exported object leaves out.
        if fact
            .gap()
            .is_some_and(|g| g.kind == crate::export::field::GapKind::NotExported)
        {
            return unknown_ev(
                path,
                fact,
                expected_text,
                env.pending(path, op, expected, false),
            );
        }
        let known = fact.gap().is_none();
        let found = fact.gap().map_or_else(
            || found_text(fact),
            |g| format!("not in the export: {}", g.explain()),
        );
        let held = known == *want;
        let ev = Evidence {
            path: path.into(),
            origin: fact.origin,
            links: env.pending(path, op, expected, held),
            expected: expected_text,
            found,
            also: fact.also().to_vec(),
            gap: None,
        };
        return Eval::new(if held { Verdict::Pass } else { Verdict::Fail }, ev);
    }
    if fact.gap().is_some() {
        return unknown_ev(
            path,
            fact,
            expected_text,
            env.pending(path, op, expected, false),
        );
    }
    let ok = match op {
        Op::Exists(want) => !matches!(fact.value, V::Null) == *want,
        Op::Equals(l) => matches_lit(fact, l),
        // A value that is not set differs from every literal.
        Op::NotEquals(l) => !matches_lit(fact, l),
        Op::In(ls) => ls.iter().any(|l| matches_lit(fact, l)),
        Op::NotIn(ls) => !ls.iter().any(|l| matches_lit(fact, l)),
        Op::AtLeast(n) => matches!(fact.value, V::Int(i) if i >= *n),
        Op::AtMost(n) => matches!(fact.value, V::Int(i) if i <= *n),
        Op::Contains(t) => {
            matches!(&fact.value, V::Str(s) if s.to_ascii_lowercase().contains(&t.to_ascii_lowercase()))
        }
        // Answered before the gap check above.
        Op::Known(_) => false,
    };
    let ev = Evidence {
        path: path.into(),
        origin: fact.origin,
        links: env.pending(path, op, expected, ok),
        expected: expected_text,
        found: found_text(fact),
        also: fact.also().to_vec(),
        gap: None,
    };
    Eval::new(if ok { Verdict::Pass } else { Verdict::Fail }, ev)
}

fn matches_lit(f: &Fact, l: &Lit) -> bool {
    match (&f.value, l) {
        (V::Bool(a), Lit::Bool(b)) => a == b,
        (V::Int(a), Lit::Int(b)) => a == b,
        (V::Str(a), Lit::Str(b)) => a.eq_ignore_ascii_case(b),
        (V::Int(a), Lit::Str(b)) => a.to_string() == *b,
        _ => false,
    }
}

fn describe(path: &str, op: &Op) -> String {
    let list = |ls: &[Lit]| ls.iter().map(Lit::to_string).collect::<Vec<_>>().join(", ");
    match op {
        Op::Equals(l) => format!("{path} = {l}"),
        Op::NotEquals(l) => format!("{path} ≠ {l}"),
        Op::In(ls) => format!("{path} one of {}", list(ls)),
        Op::NotIn(ls) => format!("{path} none of {}", list(ls)),
        Op::AtLeast(n) => format!("{path} ≥ {n}"),
        Op::AtMost(n) => format!("{path} ≤ {n}"),
        Op::Exists(true) => format!("{path} is set"),
        Op::Exists(false) => format!("{path} is not set"),
        Op::Contains(t) => format!("{path} contains {t}"),
        Op::Known(true) => format!("{path} is in the export"),
        Op::Known(false) => format!("{path} is not in the export"),
    }
}

fn quant<'a>(
    q: Quantifier,
    over: &'a str,
    var: &'a str,
    filter: Option<&'a Cond>,
    check: Option<&'a Cond>,
    expected: Option<&str>,
    env: &Env<'a>,
) -> Eval<'a> {
    let list_fact = match env.lookup(over) {
        Ok(f) => f,
        Err(why) => return rule_error(over, why),
    };
    let default_expected = match q {
        Quantifier::Some => format!("at least one matching item in {over}"),
        Quantifier::Every => format!("every one of {over} to pass the check"),
        Quantifier::None => format!("no matching item in {over}"),
    };
    let expected_text = expected.map_or(default_expected, str::to_string);
    let items = match &list_fact.value {
        V::List(items) => items,
        V::Unknown(_) => {
            let links = env.pending_list(over, list_fact, &expected_text, "unknown", false);
            return unknown_ev(over, list_fact, expected_text, links);
        }
        _ => return rule_error(over, format!("`{over}` is not a list")),
    };
    let mut unknown: Option<Eval<'a>> = None;
    let mut first_fail: Option<Eval<'a>> = None;
    let mut candidates = 0;
    for item in items {
        if env.budget.load(Ordering::Relaxed) == 0 {
            return over_budget(over);
        }
        let inner = env.with(var, item);
        // Why this item is a candidate: the filter's tests.
        let mut why_item = Vec::new();
        if let Some(f) = filter {
            let e = eval(f, &inner);
            match e.verdict {
                Verdict::Fail => continue,
                Verdict::Unknown => {
                    unknown = unknown.or(Some(e));
                    continue;
                }
                Verdict::Pass => why_item = e.ev.links,
            }
        }
        candidates += 1;
        let e = match check {
            Some(c) => {
                let mut e = eval(c, &inner);
                if !why_item.is_empty() {
                    why_item.append(&mut e.ev.links);
                    e.ev.links = why_item;
                }
                e
            }
            None => Eval::new(
                Verdict::Pass,
                Evidence {
                    path: over.into(),
                    origin: item.origin,
                    found: found_text(item),
                    links: why_item,
                    ..Evidence::default()
                },
            ),
        };
        match (q, e.verdict) {
            (Quantifier::Some, Verdict::Pass) => return e,
            (Quantifier::Every, Verdict::Fail) => return with_expected(e, &expected_text),
            (Quantifier::None, Verdict::Pass) => {
                let mut e = with_expected(e, &expected_text);
                e.verdict = Verdict::Fail;
                return e;
            }
            (_, Verdict::Unknown) => unknown = unknown.or(Some(e)),
            (Quantifier::Some, Verdict::Fail) => first_fail = first_fail.or(Some(e)),
            _ => {}
        }
    }
    if let Some(u) = unknown {
        return with_expected(u, &expected_text);
    }
    match q {
        Quantifier::Some => match first_fail {
            Some(f) => with_expected(f, &expected_text),
            None => {
                let found = if items.is_empty() {
                    "none in the export".to_string()
                } else {
                    format!("none of {} item(s) match", items.len())
                };
                Eval::new(
                    Verdict::Fail,
                    Evidence {
                        path: over.into(),
                        origin: list_fact.origin,
                        links: env.pending_list(over, list_fact, &expected_text, &found, false),
                        expected: expected_text,
                        found,
                        ..Evidence::default()
                    },
                )
            }
        },
        _ => {
            let found = format!("{candidates} item(s) checked");
            Eval::new(
                Verdict::Pass,
                Evidence {
                    path: over.into(),
                    origin: list_fact.origin,
                    links: env.pending_list(over, list_fact, &expected_text, &found, true),
                    expected: expected_text,
                    found,
                    ..Evidence::default()
                },
            )
        }
    }
}

/// The quantifier's own wording is what a reader needs; the inner leaf keeps its place.
fn with_expected<'a>(mut e: Eval<'a>, expected: &str) -> Eval<'a> {
    e.ev.expected = if e.ev.expected.is_empty() {
        expected.to_string()
    } else {
        format!("{expected} ({})", e.ev.expected)
    };
    e
}

/// The condition in words, one line per test, for `explain` and the rule docs.
/// `raw`: show the tests themselves, not the rule author's wording of what is expected
/// (for `warn_when`, whose wording describes the expectation, not the trigger).
pub fn describe_tree(c: &Cond, raw: bool) -> String {
    let mut out = String::new();
    describe_into(c, 0, raw, &mut out);
    out
}

fn describe_into(c: &Cond, depth: usize, raw: bool, out: &mut String) {
    let pad = "  ".repeat(depth);
    match c {
        Cond::Leaf { path, op, expected } => match expected.as_ref().filter(|_| !raw) {
            Some(words) => out.push_str(&format!("{pad}- {words}  [{}]\n", describe(path, op))),
            None => out.push_str(&format!("{pad}- {}\n", describe(path, op))),
        },
        Cond::All(items) | Cond::Any(items) => {
            out.push_str(&format!(
                "{pad}- {} of:\n",
                if matches!(c, Cond::All(_)) {
                    "all"
                } else {
                    "any"
                }
            ));
            items
                .iter()
                .for_each(|i| describe_into(i, depth + 1, raw, out));
        }
        Cond::Not(inner) => {
            out.push_str(&format!("{pad}- not:\n"));
            describe_into(inner, depth + 1, raw, out);
        }
        Cond::Described { inner, expected } if !raw => {
            out.push_str(&format!("{pad}- {expected}:\n"));
            describe_into(inner, depth + 1, raw, out);
        }
        Cond::Described { inner, .. } => describe_into(inner, depth, raw, out),
        Cond::Quant {
            q,
            over,
            var,
            filter,
            check,
            ..
        } => {
            let word = match q {
                Quantifier::Some => "at least one",
                Quantifier::Every => "every",
                Quantifier::None => "no",
            };
            out.push_str(&format!("{pad}- {word} {var} in {over}"));
            if filter.is_some() {
                out.push_str(" where");
            }
            out.push_str(":\n");
            if let Some(f) = filter {
                describe_into(f, depth + 2, raw, out);
            }
            if let Some(c) = check {
                out.push_str(&format!("{pad}  then:\n"));
                describe_into(c, depth + 2, raw, out);
            }
        }
    }
}
