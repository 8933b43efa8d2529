//! `check --why RULE[:TARGET]`: the why-chain of the chosen findings, in the style of
//! `explain`: each fact that decided the outcome with its value, its place, and the line it
//! is on (redacted like every snippet), the tests with whether they held, then the outcome.

use std::fmt::Write;

use super::label::Label;
use super::snippet;
use super::style::Style;
use super::Report;
use crate::rules::engine::Finding;

/// The findings `spec` names: `RULE` (id or name, any case) for all of its targets, or
/// `RULE:TARGET` for the one whose target id (or `kind id`) is TARGET.
pub fn select<'a>(r: &Report<'a>, spec: &str) -> Result<Vec<&'a Finding>, String> {
    let (rule_part, target) = match spec.split_once(':') {
        Some((rule, t)) => (rule.trim(), Some(t.trim())),
        None => (spec.trim(), None),
    };
    let Some(index) = r.rules.iter().position(|rule| {
        rule.id.eq_ignore_ascii_case(rule_part) || rule.name.eq_ignore_ascii_case(rule_part)
    }) else {
        return Err(format!(
            "--why {spec}: no rule {rule_part} in this run (see `cmg-preflight rules`; a rule turned off by -A or the configuration is not evaluated)"
        ));
    };
    let of_rule: Vec<&'a Finding> = r.findings.iter().filter(|f| f.rule == index).collect();
    let Some(target) = target else {
        return Ok(of_rule);
    };
    let chosen: Vec<&'a Finding> = of_rule
        .iter()
        .copied()
        .filter(|f| {
            f.target.id.eq_ignore_ascii_case(target)
                || format!("{} {}", f.target.kind, f.target.id).eq_ignore_ascii_case(target)
        })
        .collect();
    if chosen.is_empty() {
        let ids: Vec<String> = of_rule
            .iter()
            .map(|f| format!("{} {}", f.target.kind, f.target.id))
            .collect();
        return Err(format!(
            "--why {spec}: {} has no target {target} (its targets: {})",
            r.rules[index].id,
            if ids.is_empty() {
                "none".into()
            } else {
                ids.join(", ")
            }
        ));
    }
    Ok(chosen)
}

pub fn render(r: &Report, chosen: &[&Finding], style: &Style) -> String {
    let mut out = String::new();
    for (i, f) in chosen.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        one(r, f, style, &mut out);
    }
    let _ = writeln!(out, "\n{}", r.summary_line());
    out
}

fn one(r: &Report, f: &Finding, style: &Style, out: &mut String) {
    let rule = &r.rules[f.rule];
    let label = Label::of(f);
    let _ = writeln!(
        out,
        "{} {} · {} {} · {}",
        rule.id,
        rule.name,
        f.target.kind,
        f.target.id,
        label.text()
    );
    let message = if f.message.is_empty() {
        &rule.title
    } else {
        &f.message
    };
    let _ = writeln!(out, "  {message}");
    if let Some(d) = &f.detail {
        let _ = writeln!(out, "  {d}");
    }
    if f.evidence.is_empty() {
        let _ = writeln!(
            out,
            "\n  No fact decided this outcome (the rule has no condition, or it was decided before any was read)."
        );
        return;
    }
    let _ = writeln!(out, "\n  Why");
    let (held, failed, arrow, bar) = if style.unicode {
        ("✓", "✗", "↳", "│")
    } else {
        ("ok", "x", "->", "|")
    };
    let width = f
        .evidence
        .iter()
        .filter(|l| !l.is_context())
        .map(|l| l.role.chars().count())
        .max()
        .unwrap_or(0)
        .min(48);
    for l in &f.evidence {
        let mark = match &l.test {
            Some((_, true)) => held,
            Some((_, false)) => failed,
            None if l.is_context() => arrow,
            None => " ",
        };
        let place = l.origin.map(|o| {
            let (file, line, col) = r.place(o);
            format!("{file}:{line}:{col}")
        });
        let value = if l.value.is_empty() { "-" } else { &l.value };
        if l.is_context() {
            let _ = writeln!(out, "  {mark:>2} {value}");
        } else {
            let _ = writeln!(out, "  {mark:>2} {:<width$}  {value}", l.role);
        }
        if let Some((test, ok)) = &l.test {
            let _ = writeln!(
                out,
                "     {:<width$}  tested: {test} ({})",
                "",
                if *ok { "held" } else { "did not hold" }
            );
        }
        if let (Some(place), Some(o)) = (place, l.origin) {
            let line = snippet::excerpt(r.sources.get(o.file), o.span, 90);
            let _ = writeln!(out, "     {place}");
            if !line.is_empty() {
                let _ = writeln!(out, "     {bar} {line}");
            }
        }
    }
    if style.unicode {
        let _ = writeln!(out, "\n  Outcome: {} {}", label.symbol(), label.text());
    } else {
        let _ = writeln!(out, "\n  Outcome: {}", label.text());
    }
    if !f.expected.is_empty() {
        let _ = writeln!(out, "  expected: {}", f.expected);
        let _ = writeln!(out, "  found:    {}", f.found);
    }
}
