//! The diff for people and machines: `human` for a terminal or a CI log, `json` (format
//! version 1, described by `schemas/diff.schema.json`), and `markdown` for a pull-request
//! comment: one summary line, then tables of the new, fixed and changed findings with links to
//! their lines. Text from the exports is escaped in the markdown, so an odd object name cannot
//! break a table or inject markup.

use std::fmt::Write;

use serde_json::{json, Value};

use super::compare::{Diff, Entry, Item, Kind, Place};
use super::Side;
use crate::gate::FailOn;
use crate::report::label::Label;
use crate::report::markdown::esc;
use crate::rules::engine::Outcome;

pub const FORMAT_VERSION: u32 = 1;

/// Everything a renderer needs.
pub struct View<'a> {
    pub diff: &'a Diff,
    pub old: &'a Side,
    pub new: &'a Side,
    /// The command, for the summary line: `cmg-preflight diff --git main..HEAD exports`.
    pub command: String,
    pub fail_on: FailOn,
    pub strict: bool,
    pub links: Links,
}

/// Link bases for the old and the new side: a URL that `PATH#LLINE` is appended to, or a
/// template with `{path}` and `{line}`.
#[derive(Default)]
pub struct Links {
    pub old: Option<String>,
    pub new: Option<String>,
}

impl Links {
    fn url(&self, place: &Place, new: bool) -> Option<String> {
        let base = if new { &self.new } else { &self.old };
        let (base, path) = (base.as_deref()?, place.link_path.as_deref()?);
        let path = encode_path(path);
        Some(if base.contains("{path}") {
            base.replace("{path}", &path)
                .replace("{line}", &place.line.to_string())
        } else {
            format!("{}/{path}#L{}", base.trim_end_matches('/'), place.line)
        })
    }
}

/// Percent-encodes a path for a URL, keeping `/` and the unreserved characters of RFC 3986.
fn encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

impl View<'_> {
    /// `1 new failure, 1 fixed, 0 changed`.
    fn counts(&self) -> String {
        let d = self.diff;
        format!(
            "{} new failure{}, {} fixed, {} changed",
            d.added.len(),
            if d.added.len() == 1 { "" } else { "s" },
            d.fixed.len(),
            d.changed.len()
        )
    }

    /// What the gate decided, in words.
    fn verdict(&self) -> String {
        let gating = self.diff.items().filter(|i| i.gate).count();
        let threshold = match self.fail_on {
            FailOn::Never => return "--fail-on never: the diff never fails".into(),
            f => f.name(),
        };
        let flags = if self.strict {
            format!("--fail-on {threshold} --strict")
        } else {
            format!("--fail-on {threshold}")
        };
        let what = |n: usize| match (self.strict, n == 1) {
            (false, true) => "failure",
            (false, false) => "failures",
            (true, true) => "failure or unknown result",
            (true, false) => "failures or unknown results",
        };
        if gating == 0 {
            format!("no new {} at or above {threshold} ({flags})", what(1))
        } else {
            format!(
                "{gating} new {} at or above {threshold} ({flags})",
                what(gating)
            )
        }
    }

    /// Where an item points, with the side it is on (`true`: the new export).
    fn place<'e>(&self, item: &'e Item) -> Option<(&'e Place, bool)> {
        match (item.after(), item.before()) {
            (Some(a), _) if a.place.is_some() && item.kind != Kind::Fixed => {
                a.place.as_ref().map(|p| (p, true))
            }
            (_, Some(b)) if b.place.is_some() => b.place.as_ref().map(|p| (p, false)),
            (Some(a), _) => a.place.as_ref().map(|p| (p, true)),
            _ => None,
        }
    }
}

/// The outcome as every report names it (`fail`, `warning`, `n/a`, ...), or `absent`.
fn outcome_name(e: Option<&Entry>) -> &'static str {
    e.map_or("absent", |e| Label::of(&e.finding).text())
}

fn transition(item: &Item) -> String {
    format!(
        "{} → {}",
        outcome_name(item.before()),
        outcome_name(item.after())
    )
}

/// The message that describes an item: the failure for a fix, else the new result's.
fn message(item: &Item) -> &str {
    match (item.kind, item.before(), item.after()) {
        (Kind::Fixed, Some(b), _) => b.message(),
        _ => item.current().message(),
    }
}

/// A note for what the outcomes alone do not say.
fn note(item: &Item) -> Option<String> {
    if item.became_unknown() {
        let why = item
            .after()
            .and_then(|a| a.finding.detail.as_deref())
            .map(|d| format!(": {d}"))
            .unwrap_or_default();
        return Some(format!(
            "not fixed: this failure can no longer be checked{why}"
        ));
    }
    let waiver = item.current().finding.target.kind == "waiver";
    match (item.before(), item.after()) {
        (None, Some(_)) if waiver => Some("not reported for the old export".into()),
        (Some(_), None) if waiver => Some("no longer reported for the new export".into()),
        (None, Some(_)) => Some("a target the old export did not check".into()),
        (Some(_), None) => Some("its target is no longer checked".into()),
        (Some(_), Some(a)) if a.outcome() == Outcome::Unknown => {
            a.finding.detail.as_ref().map(|d| format!("unknown: {d}"))
        }
        _ => None,
    }
}

fn found(e: Option<&Entry>) -> Option<&str> {
    e.map(|e| e.finding.found.as_str())
        .filter(|f| !f.is_empty())
}

// ---------------------------------------------------------------------------------------------
// human

pub fn human(v: &View) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", v.command);
    let _ = writeln!(out, "  old: {}", side_line(v.old));
    let _ = writeln!(out, "  new: {}", side_line(v.new));
    let _ = writeln!(
        out,
        "\n{}, {} unchanged ({} checks before, {} after)",
        v.counts(),
        v.diff.unchanged,
        v.diff.checks_before,
        v.diff.checks_after
    );
    for (title, list) in [
        ("New failures", &v.diff.added),
        ("Fixed", &v.diff.fixed),
        ("Changed", &v.diff.changed),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{title} ({})", list.len());
        for item in list {
            human_item(v, item, &mut out);
        }
    }
    let code = if v.diff.fails_gate() { 1 } else { 0 };
    let _ = writeln!(out, "\ngate: {}: exit {code}", v.verdict());
    out
}

fn side_line(s: &Side) -> String {
    let paths = s.paths.join(", ");
    match &s.revision {
        Some((rev, commit)) => format!("{paths} at {rev} ({})", short(commit)),
        None => paths,
    }
}

fn human_item(v: &View, item: &Item, out: &mut String) {
    let e = item.current();
    let _ = writeln!(
        out,
        "  {} {}  {} {}  {}  {}{}",
        e.rule,
        e.name,
        e.finding.target.kind,
        e.finding.target.id,
        e.finding.severity.name(),
        transition(item),
        if item.gate { "  [fails the gate]" } else { "" }
    );
    let _ = writeln!(out, "      {}", one_line(message(item)));
    if let Some(n) = note(item) {
        let _ = writeln!(out, "      note: {}", one_line(&n));
    }
    match (found(item.before()), found(item.after())) {
        (Some(b), Some(a)) if a != b => {
            let _ = writeln!(
                out,
                "      found: {} (before: {})",
                one_line(a),
                one_line(b)
            );
        }
        (None, Some(a)) => {
            let _ = writeln!(out, "      found: {}", one_line(a));
        }
        (Some(b), None) => {
            let _ = writeln!(out, "      found before: {}", one_line(b));
        }
        _ => {}
    }
    if let Some((p, new)) = v.place(item) {
        let _ = writeln!(
            out,
            "      {} {}:{}:{}",
            if new { "at" } else { "was at" },
            p.file,
            p.line,
            p.column
        );
    }
}

/// One line of text: a message never breaks the layout (or starts a CI command on a new line).
fn one_line(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

fn short(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}

// ---------------------------------------------------------------------------------------------
// json

pub fn json(v: &View) -> String {
    let side = |s: &Side, checks: usize| {
        json!({
            "paths": s.paths,
            "revision": s.revision.as_ref().map(|(r, _)| r),
            "commit": s.revision.as_ref().map(|(_, c)| c),
            "checks": checks,
        })
    };
    let list = |items: &[Item]| items.iter().map(|i| json_item(v, i)).collect::<Vec<_>>();
    let doc = json!({
        "version": FORMAT_VERSION,
        "tool": { "name": "cmg-preflight", "version": env!("CARGO_PKG_VERSION") },
        "old": side(v.old, v.diff.checks_before),
        "new": side(v.new, v.diff.checks_after),
        "gate": {
            "fail_on": v.fail_on.name(),
            "strict": v.strict,
            "fails": v.diff.fails_gate(),
        },
        "summary": {
            "added": v.diff.added.len(),
            "fixed": v.diff.fixed.len(),
            "changed": v.diff.changed.len(),
            "unchanged": v.diff.unchanged,
        },
        "added": list(&v.diff.added),
        "fixed": list(&v.diff.fixed),
        "changed": list(&v.diff.changed),
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

fn json_item(v: &View, item: &Item) -> Value {
    let e = item.current();
    let mut obj = serde_json::Map::new();
    obj.insert("rule".into(), json!(e.rule));
    obj.insert("name".into(), json!(e.name));
    obj.insert("title".into(), json!(e.title));
    obj.insert(
        "target".into(),
        json!({ "kind": e.finding.target.kind, "id": e.finding.target.id }),
    );
    obj.insert("severity".into(), json!(e.finding.severity.name()));
    obj.insert("gate".into(), json!(item.gate));
    if let Some(n) = note(item) {
        obj.insert("note".into(), json!(n));
    }
    obj.insert(
        "before".into(),
        item.before()
            .map_or(Value::Null, |b| json_side(v, b, false)),
    );
    obj.insert(
        "after".into(),
        item.after().map_or(Value::Null, |a| json_side(v, a, true)),
    );
    Value::Object(obj)
}

fn json_side(v: &View, e: &Entry, new: bool) -> Value {
    let f = &e.finding;
    let mut obj = serde_json::Map::new();
    obj.insert("outcome".into(), json!(f.outcome.name()));
    obj.insert("severity".into(), json!(f.severity.name()));
    obj.insert("message".into(), json!(e.message()));
    if !f.expected.is_empty() {
        obj.insert("expected".into(), json!(f.expected));
    }
    if !f.found.is_empty() {
        obj.insert("found".into(), json!(f.found));
    }
    if let Some(d) = &f.detail {
        obj.insert("detail".into(), json!(d));
    }
    obj.insert(
        "location".into(),
        e.place.as_ref().map_or(Value::Null, |p| {
            let mut l = json!({ "file": p.file, "line": p.line, "column": p.column });
            if let Some(url) = v.links.url(p, new) {
                l["url"] = json!(url);
            }
            l
        }),
    );
    Value::Object(obj)
}

// ---------------------------------------------------------------------------------------------
// markdown

/// A marker a workflow can find to update its earlier comment instead of adding one.
pub const MARKER: &str = "<!-- cmg-preflight diff -->";

pub fn markdown(v: &View) -> String {
    let mut out = String::new();
    let icon = if v.diff.fails_gate() { "❌" } else { "✅" };
    let _ = writeln!(out, "{MARKER}");
    let _ = writeln!(
        out,
        "**{icon} {}** (`{}`)\n",
        esc(&v.counts()),
        code(&v.command)
    );
    if v.diff.items().next().is_none() {
        let _ = writeln!(
            out,
            "No finding was added, fixed or changed: {} checks before, {} after.\n",
            v.diff.checks_before, v.diff.checks_after
        );
    }
    if !v.diff.added.is_empty() {
        let _ = writeln!(out, "### New failures\n");
        let _ = writeln!(out, "| Rule | Target | Severity | Message | Where |");
        let _ = writeln!(out, "|---|---|---|---|---|");
        for item in &v.diff.added {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} |",
                rule_cell(item),
                target_cell(item),
                severity_cell(item),
                esc(message(item)),
                where_cell(v, item)
            );
        }
        out.push('\n');
    }
    if !v.diff.fixed.is_empty() {
        let _ = writeln!(out, "### Fixed\n");
        let _ = writeln!(
            out,
            "| Rule | Target | Severity | Was | Now | Where it was |"
        );
        let _ = writeln!(out, "|---|---|---|---|---|---|");
        for item in &v.diff.fixed {
            let now = match (item.after(), found(item.after())) {
                (None, _) => "target no longer checked".to_string(),
                (Some(a), Some(f)) => format!("{}: {}", outcome_name(Some(a)), esc(f)),
                (Some(a), None) => outcome_name(Some(a)).to_string(),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                rule_cell(item),
                target_cell(item),
                severity_cell(item),
                esc(message(item)),
                now,
                where_cell(v, item)
            );
        }
        out.push('\n');
    }
    if !v.diff.changed.is_empty() {
        let _ = writeln!(out, "### Changed\n");
        let _ = writeln!(
            out,
            "| Rule | Target | Severity | Outcome | Found | Where |"
        );
        let _ = writeln!(out, "|---|---|---|---|---|---|");
        for item in &v.diff.changed {
            let mut outcome = esc(&transition(item));
            if let Some(n) = note(item) {
                let warn = if item.became_unknown() { "⚠️ " } else { "" };
                let _ = write!(outcome, " ({warn}{})", esc(&n));
            }
            let found_cell = match (found(item.before()), found(item.after())) {
                (Some(b), Some(a)) if a != b => format!("{} → {}", esc(b), esc(a)),
                (_, Some(a)) => esc(a),
                (Some(b), None) => format!("{} → none", esc(b)),
                (None, None) => String::new(),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                rule_cell(item),
                target_cell(item),
                severity_cell(item),
                outcome,
                found_cell,
                where_cell(v, item)
            );
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "<sub>{}. {} unchanged of {} checks. cmg-preflight {}</sub>",
        esc(&v.verdict()),
        v.diff.unchanged,
        v.diff.checks_after,
        env!("CARGO_PKG_VERSION")
    );
    out
}

fn rule_cell(item: &Item) -> String {
    esc(&item.current().rule)
}

fn target_cell(item: &Item) -> String {
    let t = &item.current().finding.target;
    format!("{} {}", t.kind, esc(&t.id))
}

fn severity_cell(item: &Item) -> String {
    let s = item.current().finding.severity.name();
    if item.gate {
        format!("❌ **{s}**")
    } else {
        s.to_string()
    }
}

/// `[file:line](url)`, or `` `file:line` `` without a link.
fn where_cell(v: &View, item: &Item) -> String {
    let Some((p, new)) = v.place(item) else {
        return String::new();
    };
    let text = format!("{}:{}", p.file, p.line);
    match v.links.url(p, new) {
        Some(url) => format!(
            "[{}]({})",
            esc(&text),
            url.replace(' ', "%20")
                .replace('(', "%28")
                .replace(')', "%29")
        ),
        // `|` would end the table cell even in a code span (GitHub Flavored Markdown, tables).
        None => format!("`{}`", code(&text).replace('|', "\\|")),
    }
}

/// Text inside a code span: backticks cannot be escaped there, so they become quotes.
fn code(s: &str) -> String {
    s.replace('`', "'").replace(['\r', '\n'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_from_a_base_or_a_template() {
        let place = Place {
            file: "x/a b.json".into(),
            line: 12,
            column: 3,
            link_path: Some("x/a b.json".into()),
        };
        let links = Links {
            old: Some("https://github.com/o/r/blob/abc/".into()),
            new: Some("https://dev.azure.com/o/p/_git/r?path=/{path}&line={line}".into()),
        };
        assert_eq!(
            links.url(&place, false).as_deref(),
            Some("https://github.com/o/r/blob/abc/x/a%20b.json#L12")
        );
        assert_eq!(
            links.url(&place, true).as_deref(),
            Some("https://dev.azure.com/o/p/_git/r?path=/x/a%20b.json&line=12")
        );
        let unlinked = Place {
            link_path: None,
            ..place
        };
        assert_eq!(links.url(&unlinked, true), None);
    }
}
