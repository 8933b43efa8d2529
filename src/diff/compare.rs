//! Matching two runs and classifying what changed. Results are matched as the baseline matches
//! them (`gate::baseline`): by rule id, target kind and lower-cased target id, never by line,
//! so a re-export that moves lines changes nothing. A target on one side only is *absent* on
//! the other.
//!
//! - **added**: a failure now that was no failure before (absent, pass, unknown, waived, ...).
//! - **fixed**: a failure before that now passes, does not apply, or whose target is gone.
//! - **changed**: the same rule and target with another outcome, for example a failure that is
//!   now unknown (flagged: it is not fixed, it can no longer be checked), waived, or a pass that
//!   is now unknown; or a failure on both sides with another found value or severity. A target
//!   on one side only is listed when its outcome there is unknown or waived. A pass with another
//!   found value (a new date, other flags that still pass) is no change.
//! - **unchanged**: every other result.

use std::collections::HashMap;

use crate::gate::GateSettings;
use crate::rules::engine::{Finding, Outcome};
use crate::run::Analysis;

/// One result of one run, with what the reports need of its rule and its place.
#[derive(Clone, Debug)]
pub struct Entry {
    pub rule: String,
    pub name: String,
    pub title: String,
    pub finding: Finding,
    pub place: Option<Place>,
}

/// Where a result points: the file as reports show it, 1-based line and column (in
/// characters), and the file's path relative to the repository root when known (for links).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub link_path: Option<String>,
}

impl Entry {
    /// Every result of a run, in its order (the catalog's).
    pub fn all(a: &Analysis) -> Vec<Entry> {
        a.findings
            .iter()
            .map(|f| {
                let rule = &a.rules[f.rule];
                let place = f.location.map(|o| {
                    let file = a.export.sources.get(o.file);
                    let (line, column) = file.line_col(o.span.start());
                    let (path, relative) = crate::report::repo_path(file);
                    Place {
                        file: file.display.clone(),
                        line,
                        column,
                        link_path: (relative && !path.split('/').any(|c| c == ".."))
                            .then_some(path),
                    }
                });
                Entry {
                    rule: rule.id.clone(),
                    name: rule.name.clone(),
                    title: rule.title.clone(),
                    finding: f.clone(),
                    place,
                }
            })
            .collect()
    }

    fn key(&self) -> (String, &'static str, String) {
        (
            self.rule.clone(),
            self.finding.target.kind,
            self.finding.target.id.to_lowercase(),
        )
    }

    pub fn outcome(&self) -> Outcome {
        self.finding.outcome
    }

    /// The message, or the rule's title when the rule has none for this outcome.
    pub fn message(&self) -> &str {
        if self.finding.message.is_empty() {
            &self.title
        } else {
            &self.finding.message
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Added,
    Fixed,
    Changed,
}

/// The runs that have a rule and target: both, or one of them.
#[derive(Debug)]
pub enum Sides {
    Both(Box<(Entry, Entry)>),
    Before(Box<Entry>),
    After(Box<Entry>),
}

/// One rule and target that differs between the runs.
#[derive(Debug)]
pub struct Item {
    pub kind: Kind,
    pub sides: Sides,
    /// It fails the gate now and did not before: the reason for exit 1.
    pub gate: bool,
}

impl Item {
    pub fn before(&self) -> Option<&Entry> {
        match &self.sides {
            Sides::Both(both) => Some(&both.0),
            Sides::Before(b) => Some(b),
            Sides::After(_) => None,
        }
    }

    pub fn after(&self) -> Option<&Entry> {
        match &self.sides {
            Sides::Both(both) => Some(&both.1),
            Sides::After(a) => Some(a),
            Sides::Before(_) => None,
        }
    }

    /// The side that describes it: the new one, or the old one when it is gone.
    pub fn current(&self) -> &Entry {
        match &self.sides {
            Sides::Both(both) => &both.1,
            Sides::After(e) | Sides::Before(e) => e,
        }
    }

    /// A failure that can no longer be checked: it is not fixed, and says so.
    pub fn became_unknown(&self) -> bool {
        self.before().map(Entry::outcome) == Some(Outcome::Fail)
            && self.after().map(Entry::outcome) == Some(Outcome::Unknown)
    }
}

pub struct Diff {
    pub added: Vec<Item>,
    pub fixed: Vec<Item>,
    pub changed: Vec<Item>,
    pub unchanged: usize,
    pub checks_before: usize,
    pub checks_after: usize,
}

impl Diff {
    /// Whether anything fails the gate that did not before.
    pub fn fails_gate(&self) -> bool {
        self.items().any(|i| i.gate)
    }

    pub fn items(&self) -> impl Iterator<Item = &Item> {
        self.added.iter().chain(&self.fixed).chain(&self.changed)
    }
}

/// Matches the results of two runs and classifies each rule and target; `gate` (the new run's
/// settings) says which of them fail it now and did not before.
pub fn compare(before: Vec<Entry>, after: Vec<Entry>, gate: &GateSettings) -> Diff {
    let mut diff = Diff {
        added: Vec::new(),
        fixed: Vec::new(),
        changed: Vec::new(),
        unchanged: 0,
        checks_before: before.len(),
        checks_after: after.len(),
    };
    // A key can repeat within a run (the gate's own waiver findings): pair them in order.
    let mut old: HashMap<(String, &'static str, String), std::collections::VecDeque<Entry>> =
        HashMap::new();
    let mut order = Vec::new();
    for e in before {
        let k = e.key();
        if !old.contains_key(&k) {
            order.push(k.clone());
        }
        old.entry(k).or_default().push_back(e);
    }
    let mut pairs: Vec<Sides> = Vec::new();
    for e in after {
        pairs.push(match old.get_mut(&e.key()).and_then(|q| q.pop_front()) {
            Some(was) => Sides::Both(Box::new((was, e))),
            None => Sides::After(Box::new(e)),
        });
    }
    for k in order {
        if let Some(q) = old.remove(&k) {
            pairs.extend(q.into_iter().map(|e| Sides::Before(Box::new(e))));
        }
    }
    for sides in pairs {
        let mut item = Item {
            kind: Kind::Changed,
            sides,
            gate: false,
        };
        let Some(kind) = classify(item.before(), item.after()) else {
            diff.unchanged += 1;
            continue;
        };
        let fails = |e: Option<&Entry>| e.is_some_and(|e| gate.fails(&e.finding));
        item.kind = kind;
        item.gate = fails(item.after()) && !fails(item.before());
        match kind {
            Kind::Added => diff.added.push(item),
            Kind::Fixed => diff.fixed.push(item),
            Kind::Changed => diff.changed.push(item),
        }
    }
    for list in [&mut diff.added, &mut diff.fixed, &mut diff.changed] {
        list.sort_by_key(|i| std::cmp::Reverse(i.current().finding.severity));
    }
    diff
}

fn classify(before: Option<&Entry>, after: Option<&Entry>) -> Option<Kind> {
    use Outcome::*;
    let (b, a) = (
        before.map(|e| e.finding.outcome),
        after.map(|e| e.finding.outcome),
    );
    match (b, a) {
        (Some(Fail), Some(Fail)) => {
            let (b, a) = (&before?.finding, &after?.finding);
            (b.found != a.found || b.severity != a.severity).then_some(Kind::Changed)
        }
        (_, Some(Fail)) => Some(Kind::Added),
        (Some(Fail), None | Some(Pass | NotApplicable)) => Some(Kind::Fixed),
        (Some(Waived), Some(Waived)) => {
            let (b, a) = (&before?.finding, &after?.finding);
            (b.found != a.found || b.severity != a.severity).then_some(Kind::Changed)
        }
        (Some(b), Some(a)) => (b != a).then_some(Kind::Changed),
        // A target on one side only: listed when it is unknown or waived there.
        (Some(x), None) | (None, Some(x)) => matches!(x, Unknown | Waived).then_some(Kind::Changed),
        (None, None) => None,
    }
}
