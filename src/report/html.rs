//! The HTML report (`--format html=report.html`): one self-contained file to open in a browser,
//! mail or print. Nothing is loaded from anywhere: the style and the small script are inline,
//! fonts are the system's, and a Content-Security-Policy (`default-src 'none'`, the script
//! allowed only by its hash) stops the browser from fetching anything even if some text got
//! through. Every text from the export, the rules and the command line is escaped, and every
//! snippet comes from `snippet::lines` (windowed and redacted like every other format).
//!
//! Without JavaScript it is a complete document: header, counts, and every finding, failures
//! first and open, the others as `<details>` to expand. With JavaScript, filters (outcome,
//! severity, rule group) hide rows with the `hidden` attribute; their state is also read from
//! and written to the URL fragment (`report.html#outcome=fail,unknown&group=DEP`), so a
//! filtered view can be linked and is applied on load. Copy buttons put a PowerShell command on
//! the clipboard. In print (A4), the filters and buttons go, and every finding is shown
//! (whatever the filter) and expanded: the printout is the whole report.

use std::fmt::Write;

use super::label::Label;
use super::registry::{write_text, Format};
use super::snippet;
use super::Report;
use crate::rules::engine::{Finding, Outcome};
use crate::rules::format::{Rule, Severity};
use crate::source::Origin;

pub const FORMAT: Format = Format {
    name: "html",
    help: "A self-contained HTML page: counts, filterable findings with snippets, why-chains and fixes",
    about: "a self-contained HTML page (nothing loaded from the network): header, counts, filterable findings (outcome, severity, group) with snippets, why-chain and fix (copy buttons), print style for A4",
    extension: "html",
    file_name: "report.html",
    evidence: true,
    render: |r, _, out| write_text(render(r), out),
};

/// The report's sections in order, each holding one filter outcome.
const SECTIONS: [(&str, &str); 7] = [
    ("fail", "Failed"),
    ("known", "Failed before (in the baseline)"),
    ("unknown", "Could not be checked"),
    ("manual", "To check by hand"),
    ("waived", "Waived"),
    ("pass", "Passed"),
    ("not_applicable", "Not applicable"),
];

pub fn render(r: &Report) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let c = r.counts();
    let failed = c.failed();
    let verdict = if failed == 0 && c.unknown > 0 {
        format!("No requirement failed; {} could not be checked", c.unknown)
    } else if failed == 0 {
        "No requirement failed".to_string()
    } else {
        format!(
            "{failed} requirement{} failed",
            if failed == 1 { "" } else { "s" }
        )
    };
    let title = match r.header.iter().find(|(l, _)| *l == "site") {
        Some((_, site)) => format!("cmg-preflight: {verdict} · {site}"),
        None => format!("cmg-preflight: {verdict}"),
    };
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
         style-src 'unsafe-inline'; script-src '{SCRIPT_HASH}'; img-src data:; \
         base-uri 'none'; form-action 'none'\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <meta name=\"generator\" content=\"cmg-preflight {}\">\n\
         <title>{}</title>\n\
         <link rel=\"icon\" href=\"data:,\">\n<style>{STYLE}</style>\n</head>\n",
        env!("CARGO_PKG_VERSION"),
        esc(&title)
    );
    let state = if c.fail[Severity::Error as usize] > 0 {
        "fail"
    } else if failed > 0 {
        "warn"
    } else if c.unknown > 0 {
        "unknown"
    } else {
        "pass"
    };
    let _ = write!(out, "<body>\n<div class=\"page\">\n");
    header(r, &verdict, state, &mut out);
    filters(r, &mut out);
    out.push_str("<main id=\"findings\">\n");
    for (key, title) in SECTIONS {
        let mut rows: Vec<(usize, &Finding)> = r
            .findings
            .iter()
            .enumerate()
            .filter(|(_, f)| outcome_key(f) == key)
            .collect();
        if rows.is_empty() {
            continue;
        }
        if key == "fail" {
            rows.sort_by_key(|(_, f)| std::cmp::Reverse(f.severity));
        }
        let _ = write!(
            out,
            "<section class=\"outcome\" data-section=\"{key}\">\n<h2>{title} <span class=\"n\">{}</span></h2>\n",
            rows.len()
        );
        for (i, f) in rows {
            finding(r, i, f, &mut out);
        }
        out.push_str("</section>\n");
    }
    out.push_str("</main>\n");
    notes(r, &mut out);
    let _ = write!(
        out,
        "<footer>\n<p class=\"summary\">{}</p>\n<p>Written by cmg-preflight {}. This file is \
         self-contained: it loads nothing from the network. Snippets are cut from the export \
         with every secret blanked.</p>\n</footer>\n</div>\n<script>{SCRIPT}</script>\n</body>\n</html>\n",
        esc(&r.summary_line()),
        env!("CARGO_PKG_VERSION")
    );
    out
}

fn header(r: &Report, verdict: &str, state: &str, out: &mut String) {
    let scenario = r
        .header
        .iter()
        .find(|(l, _)| *l == "scenario")
        .map(|(_, v)| v.as_str());
    let what = match scenario {
        Some("software-center") => "run a task sequence from Software Center over a CMG",
        _ => "deploy an OS over a CMG with boot media",
    };
    let _ = write!(
        out,
        "<header class=\"top v-{state}\">\n<p class=\"tool\">cmg-preflight {} · {what}</p>\n<h1>{}</h1>\n<dl class=\"meta\">\n",
        env!("CARGO_PKG_VERSION"),
        esc(verdict)
    );
    for (label, value) in r.header.iter().filter(|(l, _)| *l != "scenario") {
        let _ = writeln!(
            out,
            "<div><dt>{}</dt><dd>{}</dd></div>",
            esc(label),
            esc(value)
        );
    }
    out.push_str("</dl>\n");
    let c = r.counts();
    let badge = |out: &mut String, key: &str, n: usize, text: &str, extra: &str| {
        let _ = write!(
            out,
            "<li><a class=\"badge o-{key}{}\" href=\"#outcome={key}\"><b>{n}</b> {text}{extra}</a></li>",
            if n == 0 { " zero" } else { "" }
        );
    };
    let _ = write!(
        out,
        "<ul class=\"counts\" aria-label=\"counts\">\n<li><a class=\"badge total\" href=\"#\"><b>{}</b> checks</a></li>",
        r.findings.len()
    );
    let breakdown = format!(
        " <small>{} error · {} warning · {} note</small>",
        c.fail[Severity::Error as usize],
        c.fail[Severity::Warning as usize],
        c.fail[Severity::Note as usize]
    );
    badge(out, "fail", c.failed(), "failed", &breakdown);
    if c.known > 0 {
        badge(out, "known", c.known, "failed before", "");
    }
    badge(out, "unknown", c.unknown, "unknown", "");
    badge(out, "manual", c.manual, "manual", "");
    if c.waived > 0 {
        badge(out, "waived", c.waived, "waived", "");
    }
    badge(out, "pass", c.pass, "passed", "");
    badge(
        out,
        "not_applicable",
        c.not_applicable,
        "not applicable",
        "",
    );
    if !r.notes.is_empty() {
        let _ = write!(
            out,
            "<li><a class=\"badge o-notes\" href=\"#notes\"><b>{}</b> input note{}</a></li>",
            r.notes.len(),
            if r.notes.len() == 1 { "" } else { "s" }
        );
    }
    out.push_str("\n</ul>\n</header>\n");
}

/// The filter form: hidden until the script shows it (without JavaScript nothing is filtered).
fn filters(r: &Report, out: &mut String) {
    out.push_str(
        "<form id=\"filters\" class=\"filters\" hidden>\n<fieldset><legend>Outcome</legend>",
    );
    for (key, _) in SECTIONS {
        let n = r.findings.iter().filter(|f| outcome_key(f) == key).count();
        if key == "known" && n == 0 {
            continue;
        }
        let _ = write!(
            out,
            "<label><input type=\"checkbox\" name=\"outcome\" value=\"{key}\" checked> {} <span class=\"n\">{n}</span></label>",
            short_label(key)
        );
    }
    out.push_str("</fieldset>\n<fieldset><legend>Severity</legend>");
    for s in [Severity::Error, Severity::Warning, Severity::Note] {
        let n = r.findings.iter().filter(|f| f.severity == s).count();
        let _ = write!(
            out,
            "<label><input type=\"checkbox\" name=\"severity\" value=\"{0}\" checked> {0} <span class=\"n\">{n}</span></label>",
            s.name()
        );
    }
    out.push_str("</fieldset>\n<fieldset><legend>Group</legend><select name=\"group\" aria-label=\"rule group\"><option value=\"\">all groups</option>");
    let mut groups: Vec<&str> = Vec::new();
    for f in r.findings {
        let g = group(&r.rules[f.rule]);
        if !groups.contains(&g) {
            groups.push(g);
        }
    }
    for g in groups {
        let n = r
            .findings
            .iter()
            .filter(|f| group(&r.rules[f.rule]) == g)
            .count();
        let _ = write!(
            out,
            "<option value=\"{0}\">{0} · {1} ({n})</option>",
            esc(g),
            group_name(g)
        );
    }
    out.push_str(
        "</select></fieldset>\n<div class=\"actions\"><button type=\"reset\">Show all</button> \
         <output id=\"shown\"></output></div>\n</form>\n",
    );
}

fn finding(r: &Report, i: usize, f: &Finding, out: &mut String) {
    let rule = &r.rules[f.rule];
    let key = outcome_key(f);
    let open = matches!(key, "fail" | "known" | "unknown");
    let text = if f.message.is_empty() {
        &rule.title
    } else {
        &f.message
    };
    let _ = write!(
        out,
        "<details class=\"finding o-{key}\" id=\"f{i}\" data-outcome=\"{key}\" data-severity=\"{}\" data-group=\"{}\" data-rule=\"{}\"{}>\n\
         <summary><span class=\"badge o-{key}\">{}</span><span class=\"rule\">{}</span>\
         <span class=\"what\"><span class=\"msg\">{}</span><span class=\"target\">{} {}</span></span></summary>\n<div class=\"body\">\n",
        f.severity.name(),
        esc(group(rule)),
        esc(&rule.id),
        if open { " open" } else { "" },
        label(f),
        esc(&rule.id),
        prose(text),
        esc(f.target.kind),
        esc(&f.target.id)
    );
    // A pass's message is the requirement itself.
    if *text != rule.title {
        let _ = writeln!(
            out,
            "<p class=\"req\"><span class=\"k\">Requirement</span> {}</p>",
            prose(&rule.title)
        );
    }
    let _ = write!(
        out,
        "<p class=\"facts\"><span>{} <code>{}</code></span><span>severity {}</span><span>group {} · {}</span>",
        esc(&rule.id),
        esc(&rule.name),
        f.severity.name(),
        esc(group(rule)),
        group_name(group(rule))
    );
    if rule.confidence != "doc" {
        let _ = write!(
            out,
            "<span>confidence {} (see <code>cmg-preflight explain {}</code>)</span>",
            esc(&rule.confidence.to_uppercase()),
            esc(&rule.id)
        );
    }
    out.push_str("</p>\n");
    if let Some(d) = &f.detail {
        let what = match f.outcome {
            Outcome::Unknown => "Why it could not be checked",
            Outcome::NotApplicable => "Why it does not apply",
            Outcome::Manual => "What to check",
            Outcome::Waived => "Waiver",
            _ => "Detail",
        };
        let _ = writeln!(
            out,
            "<p class=\"detail\"><span class=\"k\">{what}</span> {}</p>",
            prose(d)
        );
    }
    if !f.expected.is_empty() || !f.found.is_empty() {
        let _ = writeln!(
            out,
            "<dl class=\"ef\"><div><dt>Expected</dt><dd>{}</dd></div><div><dt>Found</dt><dd>{}</dd></div></dl>",
            prose(&f.expected),
            prose(&f.found)
        );
    }
    let steps = why(r, f);
    if !steps.is_empty() {
        out.push_str("<section class=\"why\"><h3>Why</h3>\n<ol>\n");
        for s in &steps {
            step(r, s, out);
        }
        out.push_str("</ol></section>\n");
    }
    if matches!(key, "fail" | "known" | "waived") {
        fix(rule, f, i, out);
    }
    out.push_str("</div>\n</details>\n");
}

/// One step of the evidence behind a finding: what the place is, where it is, and the value
/// read there (empty when the role says it all).
struct Step {
    role: String,
    at: Origin,
    place: String,
    value: String,
}

/// The evidence of a finding, in order: its why-chain (the target, the objects on the tested
/// path, the places that explain the value, each test and whether it held) when the run
/// collected one, else the place the deciding value was read and the other places it names.
fn why(r: &Report, f: &Finding) -> Vec<Step> {
    let place = |o: Origin| {
        let (file, line, col) = r.place(o);
        format!("{file}:{line}:{col}")
    };
    if !f.evidence.is_empty() {
        return f
            .evidence
            .iter()
            .filter_map(|l| {
                let at = l.origin?;
                let (role, value) = match &l.test {
                    _ if l.is_context() => (l.value.clone(), String::new()),
                    Some((test, held)) => (
                        l.role.clone(),
                        format!(
                            "{} (tested: {test}; {})",
                            l.value,
                            if *held { "held" } else { "did not hold" }
                        ),
                    ),
                    None => (l.role.clone(), l.value.clone()),
                };
                Some(Step {
                    role,
                    at,
                    place: place(at),
                    value,
                })
            })
            .collect();
    }
    let mut steps = Vec::new();
    if let Some(at) = f.location {
        let role = match f.outcome {
            Outcome::Unknown => "incomplete data",
            _ => "found",
        };
        steps.push(Step {
            role: role.into(),
            at,
            place: place(at),
            value: f.found.clone(),
        });
    }
    for (at, text) in &f.also {
        steps.push(Step {
            role: text.clone(),
            at: *at,
            place: place(*at),
            value: String::new(),
        });
    }
    steps
}

fn step(r: &Report, s: &Step, out: &mut String) {
    let _ = write!(
        out,
        "<li><p class=\"step\"><span class=\"role\">{}</span> <code class=\"place\">{}</code>",
        prose(&s.role),
        esc(&s.place)
    );
    if !s.value.is_empty() {
        let _ = write!(out, " <span class=\"value\">{}</span>", prose(&s.value));
    }
    out.push_str("</p>\n");
    code_window(r, s.at, out);
    out.push_str("</li>\n");
}

/// The redacted lines around a place, numbered as in the file, the place marked.
fn code_window(r: &Report, at: Origin, out: &mut String) {
    let mut lines = snippet::lines(r.sources.get(at.file), at.span);
    dedent(&mut lines);
    let hit = r.sources.get(at.file).line_col(at.span.start()).0;
    out.push_str("<div class=\"snippet\"><table><tbody>\n");
    for l in lines {
        let _ = write!(
            out,
            "<tr{}><th scope=\"row\">{}</th><td><code>",
            if l.number == hit {
                " class=\"hit\""
            } else {
                ""
            },
            l.number
        );
        match l
            .mark
            .and_then(|(a, b)| Some((l.text.get(..a)?, l.text.get(a..b)?, l.text.get(b..)?)))
        {
            Some((before, marked, after)) => {
                let _ = write!(
                    out,
                    "{}<mark>{}</mark>{}",
                    esc(before),
                    esc(marked),
                    esc(after)
                );
            }
            None => out.push_str(&esc(&l.text)),
        }
        out.push_str("</code></td></tr>\n");
    }
    out.push_str("</tbody></table></div>\n");
}

/// Removes the indentation the lines share (an export nested ten levels deep starts every
/// line with forty spaces); the line numbers and the place above stay the file's. A line cut
/// at its start (`…`) keeps its text.
fn dedent(lines: &mut [snippet::Line]) {
    let indent = |t: &str| t.len() - t.trim_start_matches(' ').len();
    let whole = |l: &snippet::Line| !l.text.starts_with('…') && !l.text.trim().is_empty();
    let Some(common) = lines
        .iter()
        .filter(|l| whole(l))
        .map(|l| indent(&l.text))
        .min()
    else {
        return;
    };
    for l in lines.iter_mut().filter(|l| !l.text.starts_with('…')) {
        let n = common.min(indent(&l.text));
        l.text.drain(..n);
        l.mark = l
            .mark
            .map(|(a, b)| (a.saturating_sub(n), b.saturating_sub(n)));
    }
}

fn fix(rule: &Rule, f: &Finding, i: usize, out: &mut String) {
    out.push_str("<section class=\"fix\"><h3>Fix</h3>\n<p class=\"console\"><span class=\"k\">Console</span> ");
    for (n, part) in f.console.split(" > ").enumerate() {
        if n > 0 {
            out.push_str("<span class=\"sep\"> &gt; </span>");
        }
        let _ = write!(out, "<span class=\"crumb\">{}</span>", esc(part));
    }
    out.push_str("</p>\n");
    match (&f.powershell, &rule.no_cmdlet) {
        (Some(ps), _) => {
            let _ = writeln!(
                out,
                "<div class=\"ps\"><div class=\"ps-head\"><span class=\"k\">PowerShell</span>\
                 <button type=\"button\" class=\"copy\" data-copy=\"ps{i}\" hidden>Copy</button></div>\
                 <pre><code id=\"ps{i}\">{}</code></pre></div>",
                esc(ps)
            );
        }
        (None, Some(why)) => {
            let _ = writeln!(
                out,
                "<p class=\"console\"><span class=\"k\">PowerShell</span> none ({})</p>",
                prose(why)
            );
        }
        (None, None) => {}
    }
    out.push_str("</section>\n");
}

fn notes(r: &Report, out: &mut String) {
    if r.notes.is_empty() {
        return;
    }
    let _ = write!(
        out,
        "<section class=\"notes\" id=\"notes\">\n<h2>Input notes <span class=\"n\">{}</span></h2>\n",
        r.notes.len()
    );
    for n in r.notes {
        let _ = writeln!(
            out,
            "<div class=\"note\"><p class=\"msg\">{}</p>",
            prose(&n.message)
        );
        if let Some(at) = n.at {
            out.push_str("<ol>\n");
            let (file, line, col) = r.place(at);
            let here = format!("{file}:{line}:{col}");
            step(
                r,
                &Step {
                    role: "here".into(),
                    at,
                    place: here,
                    value: String::new(),
                },
                out,
            );
            if let Some((o, text)) = &n.also {
                let (file, line, col) = r.place(*o);
                step(
                    r,
                    &Step {
                        role: text.clone(),
                        at: *o,
                        place: format!("{file}:{line}:{col}"),
                        value: String::new(),
                    },
                    out,
                );
            }
            out.push_str("</ol>\n");
        }
        out.push_str("</div>\n");
    }
    out.push_str("</section>\n");
}

/// The filter outcome of a finding: its outcome, or `known` for a failure already in the
/// `--baseline` result.
fn outcome_key(f: &Finding) -> &'static str {
    Label::of(f).outcome()
}

/// The badge text of a finding.
fn label(f: &Finding) -> &'static str {
    Label::of(f).text()
}

/// The filter checkbox text of an outcome key.
fn short_label(key: &str) -> &'static str {
    match key {
        "fail" => "failed",
        "known" => "failed before",
        "unknown" => "unknown",
        "manual" => "manual",
        "waived" => "waived",
        "pass" => "passed",
        _ => "not applicable",
    }
}

/// A rule's group: its id up to the first `-` (`DEP-02` is in `DEP`).
fn group(rule: &Rule) -> &str {
    rule.id.split('-').next().unwrap_or(&rule.id)
}

fn group_name(g: &str) -> &'static str {
    match g {
        "SITE" => "Site",
        "CMG" => "Cloud management gateway",
        "MP" => "Management points",
        "CNT" => "Content",
        "CS" => "Client settings",
        "DEP" => "Deployment",
        "MED" => "Boot media",
        "TS" => "Task sequence",
        "WAIVER" => "Waivers",
        _ => "Custom rules",
    }
}

/// Escapes prose for element content, with `backticked` parts as code (an odd backtick is
/// kept as it is).
fn prose(s: &str) -> String {
    let parts: Vec<&str> = s.split('`').collect();
    if parts.len().is_multiple_of(2) {
        return esc(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for (i, p) in parts.iter().enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{}</code>", esc(p));
        } else {
            out.push_str(&esc(p));
        }
    }
    out
}

/// Escapes text for HTML element content and double- or single-quoted attribute values. Control
/// characters other than tab and line breaks, which HTML does not allow, become U+FFFD.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// The `script-src` source of [`SCRIPT`] for the Content-Security-Policy: `'sha256-'` and the
/// base64 of the SHA-256 of the script text (see MDN, "CSP: script-src", hashes). After an
/// edit of the script: `printf '%s' "$script" | openssl dgst -sha256 -binary | base64`;
/// tests/html_report.rs checks the two agree and that the script runs.
const SCRIPT_HASH: &str = "sha256-l8KHCNWixFwSDdxJBk10qHyWtDzsmwDLpSuzTyTAhaw=";

const STYLE: &str = r#"
:root{color-scheme:light dark;--bg:#f4f6f8;--fg:#1f2328;--muted:#59636e;--card:#fff;--line:#d5dbe1;--soft:#eef1f4;--code:#f6f8fa;--mark:#ffd970;--hit:#fff6cc;--accent:#0b5cad;
--fail:#b42318;--fail-bg:#fdeceb;--warn:#8a5300;--warn-bg:#fff1d1;--pass:#17753a;--pass-bg:#e3f4e8;--unknown:#6f3cc2;--unknown-bg:#f0e8fc;--manual:#0b5cad;--manual-bg:#e5effb;--na:#59636e;--na-bg:#eceff2}
@media (prefers-color-scheme:dark){:root{--bg:#0e1116;--fg:#e6edf3;--muted:#9aa4ae;--card:#161b22;--line:#30363d;--soft:#1f252d;--code:#0d1117;--mark:#7a5d00;--hit:#2a2713;--accent:#6cb0ff;
--fail:#ff8f85;--fail-bg:#3d1614;--warn:#f0b44c;--warn-bg:#3a2a0b;--pass:#5fd38a;--pass-bg:#10301d;--unknown:#c3a2ff;--unknown-bg:#2a1d47;--manual:#8cc1ff;--manual-bg:#132a46;--na:#9aa4ae;--na-bg:#222830}}
*{box-sizing:border-box}
[hidden]{display:none!important}
html{background:var(--bg);font-size:15px}
body{margin:0;color:var(--fg);font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
code,pre,.snippet{font-family:ui-monospace,"Cascadia Mono","Segoe UI Mono",Consolas,"DejaVu Sans Mono","Liberation Mono",monospace}
code{font-size:.9em}pre,.snippet{font-size:.867rem}pre code,.snippet code{font-size:inherit}
summary code,.step code:not(.place),.detail code,.req code,.notes .msg code{background:var(--soft);border-radius:4px;padding:0 4px}
.page{max-width:1180px;margin:0 auto;padding:24px}
header.top{background:var(--card);border:1px solid var(--line);border-top:6px solid var(--pass);border-radius:10px;padding:18px 24px 20px}
header.v-fail{border-top-color:var(--fail)}header.v-warn{border-top-color:var(--warn)}header.v-unknown{border-top-color:var(--unknown)}
.tool{margin:0;color:var(--muted);font-size:.867rem;letter-spacing:.02em}
h1{margin:2px 0 12px;font-size:1.733rem;line-height:1.25}
header.v-fail h1{color:var(--fail)}header.v-warn h1{color:var(--warn)}header.v-pass h1{color:var(--pass)}header.v-unknown h1{color:var(--unknown)}
.meta{display:grid;grid-template-columns:max-content 1fr;gap:3px 16px;margin:0 0 16px;font-size:.933rem}
.meta div{display:contents}.meta dt{color:var(--muted);text-transform:capitalize}.meta dd{margin:0;overflow-wrap:anywhere}
.counts{list-style:none;display:flex;flex-wrap:wrap;gap:8px;margin:0;padding:0}
.badge{display:inline-block;border-radius:999px;padding:2px 10px;font-size:.867rem;font-weight:600;text-decoration:none;color:var(--na);background:var(--na-bg);white-space:nowrap}
.counts .badge{padding:5px 14px;font-size:.933rem;border:1px solid transparent}
.counts .badge b{font-size:1.067rem}.counts .badge small{font-weight:400;opacity:.85;margin-left:4px}
.counts a.badge:hover{border-color:currentColor}
.badge.zero{opacity:.6}
.badge.total{background:var(--soft);color:var(--fg)}
.o-fail.badge{color:var(--fail);background:var(--fail-bg)}.o-known.badge{color:var(--warn);background:var(--warn-bg)}
.o-unknown.badge{color:var(--unknown);background:var(--unknown-bg)}.o-manual.badge{color:var(--manual);background:var(--manual-bg)}
.o-pass.badge{color:var(--pass);background:var(--pass-bg)}.o-notes.badge{color:var(--warn);background:var(--warn-bg)}
.filters{display:flex;flex-wrap:wrap;align-items:center;gap:8px 20px;margin:16px 0 0;padding:10px 16px;background:var(--card);border:1px solid var(--line);border-radius:10px;font-size:.933rem}
.filters fieldset{border:0;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:4px 12px;align-items:center}
.filters legend{float:left;font-weight:600;margin-right:4px}
.filters label{white-space:nowrap;cursor:pointer}.filters .n{color:var(--muted);font-size:.8rem}
.filters select,.filters button{font:inherit;padding:2px 8px;border:1px solid var(--line);border-radius:6px;background:var(--card);color:var(--fg)}
.filters .actions{margin-left:auto;display:flex;gap:12px;align-items:center;color:var(--muted)}
h2{font-size:1.2rem;margin:28px 0 10px}h2 .n{font-size:.933rem;color:var(--muted);font-weight:400;margin-left:4px}
h3{font-size:.867rem;text-transform:uppercase;letter-spacing:.05em;color:var(--muted);margin:16px 0 6px}
.finding{background:var(--card);border:1px solid var(--line);border-left:4px solid var(--na);border-radius:8px;margin:0 0 6px}
.finding.o-fail{border-left-color:var(--fail)}.finding.o-known{border-left-color:var(--warn)}.finding.o-unknown{border-left-color:var(--unknown)}
.finding.o-manual{border-left-color:var(--manual)}.finding.o-pass{border-left-color:var(--pass)}
.finding[data-severity=warning].o-fail{border-left-color:var(--warn)}
summary{display:flex;gap:12px;align-items:baseline;padding:8px 14px;cursor:pointer;list-style:none}
.finding:not([open]) summary{padding:6px 14px}
summary::-webkit-details-marker{display:none}
summary::before{content:"\25B8";color:var(--muted);width:10px;flex:none}
details[open]>summary::before{content:"\25BE"}
summary .badge{flex:none;width:78px;text-align:center}
summary .rule{flex:none;min-width:64px;white-space:nowrap;font-weight:700;font-family:ui-monospace,"Cascadia Mono",Consolas,"DejaVu Sans Mono",monospace;font-size:.867rem}
summary .what{flex:1;min-width:0;display:flex;flex-direction:column}
summary .target{color:var(--muted);font-size:.867rem;overflow-wrap:anywhere}
summary .msg{overflow-wrap:anywhere}
.finding.o-fail summary .msg,.finding.o-unknown summary .msg{font-weight:600}
.body{padding:2px 18px 14px 40px;border-top:1px solid var(--soft)}
.k{font-weight:600;margin-right:6px}
.req{margin:10px 0 2px}
.facts{margin:0 0 8px;color:var(--muted);font-size:.867rem;display:flex;flex-wrap:wrap;gap:2px 16px}
.detail{margin:8px 0;padding:8px 12px;background:var(--soft);border-radius:6px}
.ef{display:grid;grid-template-columns:max-content 1fr;gap:4px 14px;margin:10px 0}
.ef div{display:contents}.ef dt{font-weight:600}.ef dd{margin:0;overflow-wrap:anywhere}
.o-fail .ef div+div dd{color:var(--fail);font-weight:600}.o-fail[data-severity=warning] .ef div+div dd{color:var(--warn)}
.why ol,.notes ol{list-style:none;margin:0;padding:0}
.why li,.notes li{margin:0 0 10px}
.step{margin:0 0 4px;font-size:.933rem;overflow-wrap:anywhere}
.role{font-weight:600}.place{color:var(--accent)}.value{color:var(--muted)}
.snippet{border:1px solid var(--line);border-radius:6px;background:var(--code);overflow-x:auto}
.snippet table{border-collapse:collapse;min-width:100%}
.snippet th{font-weight:400;color:var(--muted);text-align:right;padding:1px 10px;border-right:1px solid var(--line);user-select:none;vertical-align:top;width:1%}
.snippet td{padding:1px 12px;white-space:pre;line-height:1.45}
.snippet tr.hit{background:var(--hit)}
mark{background:var(--mark);color:inherit;border-radius:2px;padding:0 1px}
.console{margin:4px 0 8px;overflow-wrap:anywhere}.crumb{white-space:normal}.sep{color:var(--muted)}
.ps{border:1px solid var(--line);border-radius:6px;background:var(--code);margin:6px 0 0}
.ps-head{display:flex;justify-content:space-between;align-items:center;padding:4px 8px 4px 12px;border-bottom:1px solid var(--line);font-size:.867rem}
.ps pre{margin:0;padding:10px 12px;white-space:pre-wrap;overflow-wrap:anywhere}
.copy{font:inherit;font-size:.8rem;padding:2px 10px;border:1px solid var(--line);border-radius:6px;background:var(--card);color:var(--fg);cursor:pointer}
.copy:hover{border-color:var(--accent)}
.notes .note{background:var(--card);border:1px solid var(--line);border-left:4px solid var(--warn);border-radius:8px;padding:8px 14px;margin:0 0 8px}
.notes .msg{margin:0 0 6px}
footer{margin:28px 0 0;color:var(--muted);font-size:.867rem;border-top:1px solid var(--line);padding-top:10px}
footer .summary{font-weight:600;color:var(--fg)}
.copybuf{position:fixed;top:0;left:-9999px}
@media (max-width:760px){summary{flex-wrap:wrap}.body{padding-left:18px}}
@page{size:A4;margin:15mm}
@media print{
:root{color-scheme:light;--bg:#fff;--fg:#000;--muted:#444;--card:#fff;--line:#bbb;--soft:#eee;--code:#fff;--hit:#f1f1f1;--mark:#ffe58a}
html{font-size:9pt}html,body{background:#fff;line-height:1.35}.page{max-width:none;padding:0}
.filters,.copy{display:none!important}
header.top{border-radius:0;padding:0 0 6pt;border:0;border-bottom:1pt solid var(--line)}
h2{margin:12pt 0 6pt}h3{margin:6pt 0 3pt}
.counts .badge{padding:1pt 8pt}
.finding,.finding[hidden],section.outcome[hidden]{display:block!important}
details::details-content{content-visibility:visible;display:block}
summary::before,details[open]>summary::before{content:none}
.finding{border-radius:0;margin:0 0 4pt}
summary,.finding:not([open]) summary{padding:3pt 6pt;break-inside:avoid;break-after:avoid}
.body{padding:0 8pt 4pt 12pt}
.req,.facts,.ef,.detail{margin:3pt 0}
.why li{margin:0 0 4pt}
h2,h3,.step{break-after:avoid}
.snippet,.ps,.ef,.detail,.console{break-inside:avoid}
.snippet{overflow:visible}.snippet td{white-space:pre-wrap;overflow-wrap:anywhere;padding:0 6pt}.snippet th{padding:0 6pt}
tr{break-inside:avoid}
.ps pre{padding:4pt 6pt}
a{color:inherit;text-decoration:none}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
"#;

const SCRIPT: &str = r#"
(function () {
  'use strict';
  var form = document.getElementById('filters');
  var rows = Array.prototype.slice.call(document.querySelectorAll('details.finding'));
  var sections = Array.prototype.slice.call(document.querySelectorAll('section.outcome'));
  var shown = document.getElementById('shown');
  var names = ['outcome', 'severity'];
  function boxes(name) {
    return Array.prototype.slice.call(form.querySelectorAll('input[name="' + name + '"]'));
  }
  function apply() {
    var want = {};
    names.forEach(function (n) {
      want[n] = boxes(n).filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
    });
    var group = form.elements.group.value;
    var count = 0;
    rows.forEach(function (row) {
      var on = want.outcome.indexOf(row.dataset.outcome) >= 0 &&
        want.severity.indexOf(row.dataset.severity) >= 0 &&
        (!group || row.dataset.group === group);
      row.hidden = !on;
      if (on) { count += 1; }
    });
    sections.forEach(function (s) { s.hidden = !s.querySelector('details.finding:not([hidden])'); });
    shown.textContent = count + ' of ' + rows.length + ' shown';
  }
  function fromHash() {
    var params = {};
    location.hash.replace(/^#/, '').split('&').forEach(function (pair) {
      var i = pair.indexOf('=');
      if (i > 0) {
        try {
          params[decodeURIComponent(pair.slice(0, i))] = decodeURIComponent(pair.slice(i + 1)).split(',');
        } catch (e) { /* a malformed fragment filters nothing */ }
      }
    });
    names.forEach(function (n) {
      boxes(n).forEach(function (b) { b.checked = !params[n] || params[n].indexOf(b.value) >= 0; });
    });
    var group = form.elements.group;
    var g = params.group ? params.group[0] : '';
    group.value = Array.prototype.some.call(group.options, function (o) { return o.value === g; }) ? g : '';
    apply();
  }
  function toHash() {
    var parts = [];
    names.forEach(function (n) {
      var all = boxes(n);
      var on = all.filter(function (b) { return b.checked; });
      if (on.length !== all.length) {
        parts.push(n + '=' + on.map(function (b) { return encodeURIComponent(b.value); }).join(','));
      }
    });
    if (form.elements.group.value) { parts.push('group=' + encodeURIComponent(form.elements.group.value)); }
    try {
      history.replaceState(null, '', parts.length ? '#' + parts.join('&') : location.pathname + location.search);
    } catch (e) { /* some browsers refuse history changes on file: pages */ }
  }
  form.hidden = false;
  form.addEventListener('change', function () { apply(); toHash(); });
  form.addEventListener('submit', function (e) { e.preventDefault(); });
  form.addEventListener('reset', function () { setTimeout(function () { apply(); toHash(); }, 0); });
  window.addEventListener('hashchange', fromHash);
  fromHash();

  function copied(button, ok) {
    button.textContent = ok ? 'Copied' : 'Press Ctrl+C';
    setTimeout(function () { button.textContent = 'Copy'; }, 1600);
  }
  function fallback(button, code) {
    var area = document.createElement('textarea');
    area.className = 'copybuf';
    area.value = code.textContent;
    area.setAttribute('readonly', '');
    document.body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    document.body.removeChild(area);
    if (!ok) { window.getSelection().selectAllChildren(code); }
    copied(button, ok);
  }
  Array.prototype.forEach.call(document.querySelectorAll('button.copy'), function (button) {
    var code = document.getElementById(button.dataset.copy);
    if (!code) { return; }
    button.hidden = false;
    button.addEventListener('click', function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(code.textContent).then(
          function () { copied(button, true); },
          function () { fallback(button, code); });
      } else {
        fallback(button, code);
      }
    });
  });

  var closed = [];
  window.addEventListener('beforeprint', function () {
    Array.prototype.forEach.call(document.querySelectorAll('details:not([open])'), function (d) {
      closed.push(d);
      d.open = true;
    });
  });
  window.addEventListener('afterprint', function () {
    closed.forEach(function (d) { d.open = false; });
    closed = [];
  });
}());
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_text_and_attributes() {
        assert_eq!(
            esc("<script>alert(\"x\" & 'y')</script>"),
            "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;"
        );
        assert_eq!(esc("a\u{0}b\u{1b}c\td"), "a\u{FFFD}b\u{FFFD}c\td");
    }

    #[test]
    fn backticks_are_code_spans() {
        assert_eq!(prose("a `<b>` c"), "a <code>&lt;b&gt;</code> c");
        assert_eq!(prose("odd ` tick"), "odd ` tick");
    }

    #[test]
    fn the_script_and_style_close_nowhere_early() {
        assert!(!SCRIPT.contains("</"));
        assert!(!STYLE.contains("</"));
    }
}
