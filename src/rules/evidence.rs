//! The why-chain of a finding: the facts that decided it, each with its value and its place in
//! the user's files, in the order a reader follows them (the target, the objects the tested
//! path walks through, the places that explain a value, then the test itself). Built while the
//! condition is evaluated, from the facts' own origins: nothing is evaluated twice.
//!
//! Collected only when an output needs it (`--why`, JSON, SARIF, HTML), since a large site has
//! hundreds of thousands of results.

use super::engine::Outcome;
use crate::model::fact::{Fact, V};
use crate::source::Origin;

/// Which findings keep their why-chain. A large site has hundreds of thousands of passes, so
/// the formats that show chains keep them for what needs attention, and `--why` for all.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Explain {
    #[default]
    Off,
    /// Failures (also lowered to warnings, and later waived) and unknowns.
    Failures,
    /// Every finding, passes and not-applicable ones included.
    All,
}

impl Explain {
    /// Whether evaluation records what a chain needs.
    pub fn collects(self) -> bool {
        self != Explain::Off
    }

    /// Whether a finding with this outcome keeps its chain.
    pub fn keeps(self, outcome: Outcome) -> bool {
        match self {
            Explain::Off => false,
            Explain::All => true,
            Explain::Failures => {
                matches!(outcome, Outcome::Fail | Outcome::Unknown | Outcome::Waived)
            }
        }
    }
}

/// One fact in the chain.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    /// What the fact is: its path in the model (`deployment.client_settings.allow_cmg`), or
    /// the description of a related place.
    pub role: String,
    /// The value as the report shows it.
    pub value: String,
    pub origin: Option<Origin>,
    /// On the tested fact: the test (`deployment.allows_internet = true`) and whether it held.
    pub test: Option<(String, bool)>,
}

/// Ends the role of a place that explains a value rather than holds one (`PATH: context`);
/// its text is the link's value.
const CONTEXT: &str = ": context";

impl Link {
    /// Whether this is a place that explains the value of another link (see [`CONTEXT`]).
    pub fn is_context(&self) -> bool {
        self.role.ends_with(CONTEXT)
    }
}

/// Members that say which object a fact is: shown for every object the chain passes through.
const IDENTITY: &[&str] = &["id", "name", "collection_id", "source"];

/// How many links a chain keeps: a quantifier over a long list must not make every result
/// carry the list.
pub const MAX_LINKS: usize = 40;

/// The links of a path lookup: every object the path passes through (with its identity
/// members), then the fact at its end with the test, then the places that explain that value.
pub fn along(head: &Fact, head_name: &str, path: &str, test: String, held: bool) -> Vec<Link> {
    let mut out = Vec::new();
    let mut cur = head;
    let mut prefix = head_name.to_string();
    let mut parts = path.split('.').skip(1).peekable();
    loop {
        let last = parts.peek().is_none() || matches!(cur.value, V::Unknown(_) | V::Null);
        if last {
            out.push(Link {
                role: path.to_string(),
                value: value_text(cur),
                origin: cur.origin,
                test: Some((test, held)),
            });
            for (o, text) in cur.also().iter().chain(cur.context()) {
                out.push(Link {
                    role: format!("{path}{CONTEXT}"),
                    value: text.clone(),
                    origin: Some(*o),
                    test: None,
                });
            }
            return out;
        }
        object(cur, &prefix, &mut out);
        let Some(p) = parts.next() else {
            return out;
        };
        let Some(next) = cur.get(p) else {
            return out;
        };
        prefix.push('.');
        prefix.push_str(p);
        cur = next;
    }
}

/// An object the chain passes through: its identity members (`deployment.id`,
/// `deployment.collection_id`), or the object itself when it has none.
pub fn object(f: &Fact, prefix: &str, out: &mut Vec<Link>) {
    let V::Obj(members) = &f.value else {
        return;
    };
    let mut any = false;
    for (k, m) in members {
        if !IDENTITY.contains(k) || m.origin.is_none() {
            continue;
        }
        if matches!(m.value, V::Unknown(_) | V::List(_) | V::Obj(_)) {
            continue;
        }
        any = true;
        out.push(Link {
            role: format!("{prefix}.{k}"),
            value: value_text(m),
            origin: m.origin,
            test: None,
        });
    }
    if !any && f.origin.is_some() {
        out.push(Link {
            role: prefix.to_string(),
            value: String::new(),
            origin: f.origin,
            test: None,
        });
    }
}

/// A target variable (`deployment`, `content`): its identity, and for a deployment the task
/// sequence it deploys.
pub fn target(name: &str, f: &Fact, out: &mut Vec<Link>) {
    if f.gap().is_some() {
        return;
    }
    object(f, name, out);
    if let Some(ts) = f.get("task_sequence").filter(|t| t.gap().is_none()) {
        object(ts, &format!("{name}.task_sequence"), out);
    }
}

fn value_text(f: &Fact) -> String {
    let shown = match &f.value {
        V::Null => "not set".to_string(),
        V::Unknown(g) => format!("unknown: {}", g.explain()),
        _ => f.display(),
    };
    match f.raw() {
        Some(raw) => format!("{shown} ({raw})"),
        None => shown,
    }
}

/// Drops repeated links (the same role at the same place) and keeps at most [`MAX_LINKS`].
pub fn tidy(links: Vec<Link>) -> Vec<Link> {
    let mut out: Vec<Link> = Vec::with_capacity(links.len().min(MAX_LINKS));
    for l in links {
        if out.len() == MAX_LINKS {
            break;
        }
        let dup = out
            .iter()
            .any(|o| o.role == l.role && o.origin == l.origin && o.value == l.value);
        if !dup {
            out.push(l);
        }
    }
    out
}
