//! Rule files: YAML validated against `schemas/rule.schema.json`, then decoded into `Rule`.
//! Paths are checked against the model's field catalog, so a typo in a rule is an error at
//! its line, not a silent "unknown" at run time.

use std::sync::OnceLock;

use super::condition::{Cond, Lit, Op, Quantifier};
use crate::model::catalog;
use crate::schema::Schema;
use crate::source::node::{Node, Value};
use crate::source::Span;

pub const SCHEMA: &str = include_str!("../../schemas/rule.schema.json");

fn schema() -> &'static Schema {
    static S: OnceLock<Schema> = OnceLock::new();
    S.get_or_init(|| {
        Schema::new(SCHEMA).unwrap_or_else(|e| panic!("embedded rule schema is invalid: {e}"))
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "error" => Some(Severity::Error),
            "warning" => Some(Severity::Warning),
            "note" => Some(Severity::Note),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    Site,
    Deployment,
    Content,
    Media,
}

impl Scope {
    pub fn name(self) -> &'static str {
        match self {
            Scope::Site => "site",
            Scope::Deployment => "deployment",
            Scope::Content => "content",
            Scope::Media => "media",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Rule {
    pub id: String,
    pub name: String,
    pub title: String,
    pub severity: Severity,
    pub confidence: String,
    pub builds: (Option<i64>, Option<i64>),
    pub scenarios: Vec<String>,
    pub scope: Scope,
    pub applies_when: Option<Cond>,
    pub condition: Option<Cond>,
    pub warn_when: Option<Cond>,
    pub warn_message: Option<String>,
    pub manual: Option<String>,
    pub message: String,
    pub rationale: String,
    pub symptom: Option<String>,
    pub failure_modes: Vec<String>,
    pub fixtures_fail: Vec<String>,
    pub fixtures_pass: Vec<String>,
    pub console: String,
    pub powershell: Option<Command>,
    /// Why no cmdlet can fix this (the console path is the fix).
    pub no_cmdlet: Option<String>,
    /// A PowerShell expression that is `$true` once the finding is fixed: the fix script
    /// checks it before a change (skipping what is already right) and reads it back after.
    pub verify: Option<Command>,
    pub source: String,
    /// Where the rule came from (`rules/DEP-02.yaml`), for errors and `explain`.
    pub file: String,
}

/// A PowerShell remediation: one template, or one per value of a fact, because a cmdlet's
/// parameter set depends on the object (`Start-CMContentDistribution -DriverPackageId` for a
/// driver package, `-PackageId` for a package).
#[derive(Clone, Debug)]
pub struct Command {
    /// The fact whose value picks the template; `None` for a single template.
    pub by: Option<String>,
    /// (value, template); for a single template one entry with an empty value.
    pub cases: Vec<(String, String)>,
    /// For values no case names.
    pub otherwise: Option<String>,
}

impl Command {
    /// The template for a fact value (`None` for a single template).
    pub fn pick(&self, value: Option<&str>) -> Option<&str> {
        match (&self.by, value) {
            (None, _) => self.cases.first().map(|(_, t)| t.as_str()),
            (Some(_), Some(v)) => self
                .cases
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(v))
                .map(|(_, t)| t.as_str())
                .or(self.otherwise.as_deref()),
            (Some(_), None) => self.otherwise.as_deref(),
        }
    }

    /// Every template, for checks and documentation.
    pub fn templates(&self) -> impl Iterator<Item = &str> {
        self.cases
            .iter()
            .map(|(_, t)| t.as_str())
            .chain(self.otherwise.as_deref())
    }
}

/// A single template as written; variants one per line, `# {by} = value` before each.
impl std::fmt::Display for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        let Some(by) = &self.by else {
            return f.write_str(self.templates().next().unwrap_or_default());
        };
        let mut first = true;
        for (value, t) in &self.cases {
            if !first {
                writeln!(f)?;
            }
            first = false;
            write!(f, "# {by} = {value}\n{t}")?;
        }
        if let Some(t) = &self.otherwise {
            write!(f, "\n# any other {by}\n{t}")?;
        }
        Ok(())
    }
}

fn command(n: &Node) -> Command {
    match (n.as_str(), n.get("by").and_then(Node::as_str)) {
        (Some(t), _) => Command {
            by: None,
            cases: vec![(String::new(), t.to_string())],
            otherwise: None,
        },
        (None, by) => Command {
            by: by.map(str::to_string),
            cases: n
                .get("cases")
                .map(Node::members)
                .unwrap_or_default()
                .iter()
                .filter_map(|m| Some((m.key.to_string(), m.value.as_str()?.to_string())))
                .collect(),
            otherwise: n
                .get("otherwise")
                .and_then(Node::as_str)
                .map(str::to_string),
        },
    }
}

pub struct RuleError {
    pub span: Span,
    pub message: String,
}

/// Validates and decodes one rule file; every error comes back, each at its place.
pub fn parse(root: &Node, file: &str) -> Result<Rule, Vec<RuleError>> {
    parse_with(root, file, true)
}

/// [`parse`], optionally without the schema check: the built-in rules are embedded at build
/// time and checked against the schema by the tests, so a run does not pay for it again.
pub fn parse_with(root: &Node, file: &str, check_schema: bool) -> Result<Rule, Vec<RuleError>> {
    let errors: Vec<RuleError> = if check_schema {
        schema()
            .validate(root)
            .into_iter()
            .map(|e| RuleError {
                span: e.span,
                message: e.message,
            })
            .collect()
    } else {
        Vec::new()
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    let s = |k: &str| {
        root.get(k)
            .and_then(Node::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let opt = |k: &str| root.get(k).and_then(Node::as_str).map(str::to_string);
    let mut errors = Vec::new();
    let scope = match s("scope").as_str() {
        "site" => Scope::Site,
        "deployment" => Scope::Deployment,
        "content" => Scope::Content,
        _ => Scope::Media,
    };
    let mut vars = scope_vars(scope);
    let mut cond =
        |k: &str, errors: &mut Vec<RuleError>| root.get(k).map(|n| condition(n, &mut vars, errors));
    let applies_when = cond("applies_when", &mut errors);
    let condition = cond("condition", &mut errors);
    let warn_when = cond("warn_when", &mut errors);
    let id = s("id");
    let stem = file
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(file)
        .trim_end_matches(".yaml")
        .trim_end_matches(".yml");
    if stem != id {
        let span = root.get("id").map_or(root.span, |n| n.span);
        errors.push(RuleError {
            span,
            message: format!("rule id `{id}` does not match its file name `{stem}`"),
        });
    }
    let builds = root
        .get("builds")
        .map_or((None, None), |b| (int(b.get("min")), int(b.get("max"))));
    let remediation = root.get("remediation");
    if let Some(by) = remediation
        .and_then(|r| r.get("powershell"))
        .and_then(|p| p.get("by"))
    {
        check_path(
            by.as_str().unwrap_or_default(),
            by.span,
            &scope_vars(scope),
            &mut errors,
        );
    }
    let rule = Rule {
        name: s("name"),
        title: s("title"),
        severity: Severity::parse(&s("severity")).unwrap_or(Severity::Error),
        confidence: s("confidence"),
        builds,
        scenarios: Node::strings(root.get("scenarios")),
        scope,
        applies_when,
        condition,
        warn_when,
        warn_message: opt("warn_message"),
        manual: opt("manual"),
        message: s("message"),
        rationale: s("rationale"),
        symptom: opt("symptom"),
        failure_modes: Node::strings(root.get("failure_modes")),
        fixtures_fail: Node::strings(root.get("fixtures").and_then(|f| f.get("fail"))),
        fixtures_pass: Node::strings(root.get("fixtures").and_then(|f| f.get("pass"))),
        console: remediation
            .and_then(|r| r.get("console"))
            .and_then(Node::as_str)
            .unwrap_or_default()
            .to_string(),
        powershell: remediation.and_then(|r| r.get("powershell")).map(command),
        verify: remediation.and_then(|r| r.get("verify")).map(command),
        no_cmdlet: remediation
            .and_then(|r| r.get("no_cmdlet"))
            .and_then(Node::as_str)
            .map(str::to_string),
        source: s("source"),
        file: file.to_string(),
        id,
    };
    if errors.is_empty() {
        Ok(rule)
    } else {
        Err(errors)
    }
}

fn int(n: Option<&Node>) -> Option<i64> {
    match n.map(|n| &n.value) {
        Some(Value::Int(i)) => Some(*i),
        _ => None,
    }
}

/// Variables bound by a scope, mapped to their catalog prefix.
fn scope_vars(scope: Scope) -> Vec<(String, String)> {
    let mut v = vec![];
    if matches!(scope, Scope::Deployment | Scope::Content) {
        v.push(("deployment".to_string(), "deployment".to_string()));
    }
    if scope == Scope::Content {
        v.push(("content".to_string(), "content".to_string()));
    }
    v
}

/// The catalog path a rule path stands for (`step.join` → `deployment.task_sequence.steps[].join`).
fn catalog_path(path: &str, vars: &[(String, String)]) -> String {
    let (head, rest) = path.split_once('.').map_or((path, ""), |(h, r)| (h, r));
    let base = vars
        .iter()
        .rev()
        .find(|(v, _)| v == head)
        .map_or(head.to_string(), |(_, p)| p.clone());
    if rest.is_empty() {
        base
    } else {
        format!("{base}.{rest}")
    }
}

fn lit(n: &Node) -> Lit {
    match &n.value {
        Value::Bool(b) => Lit::Bool(*b),
        Value::Int(i) => Lit::Int(*i),
        Value::String(s) => Lit::Str(s.to_string()),
        _ => Lit::Str(String::new()),
    }
}

fn condition(n: &Node, vars: &mut Vec<(String, String)>, errors: &mut Vec<RuleError>) -> Cond {
    let expected = n.get("expected").and_then(Node::as_str).map(str::to_string);
    let list = |k: &str, vars: &mut Vec<(String, String)>, errors: &mut Vec<RuleError>| match n
        .get(k)
        .map(|x| &x.value)
    {
        Some(Value::Array(items)) => items.iter().map(|i| condition(i, vars, errors)).collect(),
        _ => Vec::new(),
    };
    let composite = if n.has("all") {
        Some(Cond::All(list("all", vars, errors)))
    } else if n.has("any") {
        Some(Cond::Any(list("any", vars, errors)))
    } else {
        n.get("not")
            .map(|inner| Cond::Not(Box::new(condition(inner, vars, errors))))
    };
    if let Some(c) = composite {
        return match expected {
            Some(expected) => Cond::Described {
                inner: Box::new(c),
                expected,
            },
            None => c,
        };
    }
    for (key, q) in [
        ("some", Quantifier::Some),
        ("every", Quantifier::Every),
        ("none", Quantifier::None),
    ] {
        if let Some(body) = n.get(key) {
            let over = body
                .get("in")
                .and_then(Node::as_str)
                .unwrap_or_default()
                .to_string();
            let var = body
                .get("as")
                .and_then(Node::as_str)
                .unwrap_or_default()
                .to_string();
            check_path(
                &over,
                body.get("in").map_or(n.span, |x| x.span),
                vars,
                errors,
            );
            vars.push((var.clone(), format!("{}[]", catalog_path(&over, vars))));
            let filter = body
                .get("where")
                .map(|w| Box::new(condition(w, vars, errors)));
            let check = body
                .get("check")
                .map(|c| Box::new(condition(c, vars, errors)));
            vars.pop();
            let expected = body
                .get("expected")
                .and_then(Node::as_str)
                .map(str::to_string);
            return Cond::Quant {
                q,
                over,
                var,
                filter,
                check,
                expected,
            };
        }
    }
    let path_node = n.get("path");
    let path = path_node
        .and_then(Node::as_str)
        .unwrap_or_default()
        .to_string();
    check_path(&path, path_node.map_or(n.span, |p| p.span), vars, errors);
    let lits = |k: &str| match n.get(k).map(|x| &x.value) {
        Some(Value::Array(items)) => items.iter().map(lit).collect(),
        _ => Vec::new(),
    };
    let op = if let Some(v) = n.get("equals") {
        Op::Equals(lit(v))
    } else if let Some(v) = n.get("not_equals") {
        Op::NotEquals(lit(v))
    } else if n.has("in") {
        Op::In(lits("in"))
    } else if n.has("not_in") {
        Op::NotIn(lits("not_in"))
    } else if let Some(v) = int(n.get("at_least")) {
        Op::AtLeast(v)
    } else if let Some(v) = int(n.get("at_most")) {
        Op::AtMost(v)
    } else if let Some(t) = n.get("contains").and_then(Node::as_str) {
        Op::Contains(t.to_string())
    } else if let Some(Value::Bool(b)) = n.get("known").map(|x| &x.value) {
        Op::Known(*b)
    } else {
        Op::Exists(!matches!(
            n.get("exists").map(|x| &x.value),
            Some(Value::Bool(false))
        ))
    };
    Cond::Leaf { path, op, expected }
}

fn check_path(path: &str, span: Span, vars: &[(String, String)], errors: &mut Vec<RuleError>) {
    let full = catalog_path(path, vars);
    if !catalog::is_known(&full) {
        errors.push(RuleError {
            span,
            message: format!(
                "`{path}` is not a field of the model (see `cmg-preflight explain --fields`)"
            ),
        });
    }
}
