//! The ConfigurationManager module reference (reference/configmgr-cmdlets.json, built from
//! Microsoft's sccm-docs-powershell-ref repository by scripts/cmdlet-reference.py) and a checker
//! for the cmdlet calls in a PowerShell command: the cmdlet exists, every parameter is one of
//! it (or an alias, or a common parameter), and one parameter set holds all parameters used
//! together with its mandatory ones.

use std::collections::HashMap;
use std::path::PathBuf;

use serde::Deserialize;

#[derive(Deserialize)]
pub struct Reference {
    cmdlets: HashMap<String, Cmdlet>,
    common_parameters: Vec<String>,
    common_parameter_aliases: HashMap<String, String>,
}

#[derive(Deserialize)]
struct Cmdlet {
    sets: HashMap<String, Set>,
    #[serde(default)]
    aliases: HashMap<String, String>,
    #[serde(default)]
    supports_should_process: bool,
}

#[derive(Deserialize)]
struct Set {
    parameters: Vec<String>,
    mandatory: Vec<String>,
}

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The reference, read once per test binary.
pub fn reference() -> &'static Reference {
    static REFERENCE: std::sync::OnceLock<Reference> = std::sync::OnceLock::new();
    REFERENCE.get_or_init(|| {
        let text = std::fs::read_to_string(root().join("reference/configmgr-cmdlets.json"))
            .expect("reference/configmgr-cmdlets.json");
        serde_json::from_str(&text).expect("the reference is JSON")
    })
}

/// One cmdlet call in a command line: its name, its parameter names, and whether it takes
/// pipeline input.
#[derive(Debug)]
struct Call {
    cmdlet: String,
    params: Vec<String>,
    piped: bool,
}

/// The ConfigurationManager cmdlet calls in a command (`Verb-CMNoun`), at any nesting depth:
/// parameters inside quotes or a nested `( ... )` belong to that nested call, not this one.
fn calls(text: &str) -> Vec<Call> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if let Some(len) = cmdlet_at(text, i) {
            let cmdlet = text[i..i + len].to_string();
            let before = text[..i].trim_end();
            let piped = before.ends_with('|');
            out.push(Call {
                cmdlet,
                params: params(text, i + len),
                piped,
            });
            i += len;
        } else {
            i += 1;
        }
    }
    out
}

/// `Verb-CMNoun` starting at `i` (on a word boundary), its length.
fn cmdlet_at(text: &str, i: usize) -> Option<usize> {
    let b = text.as_bytes();
    if i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'-' || b[i - 1] == b'$') {
        return None;
    }
    let verb = b[i..]
        .iter()
        .take_while(|c| c.is_ascii_alphabetic())
        .count();
    if verb < 2 || !b[i].is_ascii_uppercase() || text.get(i + verb..i + verb + 3) != Some("-CM") {
        return None;
    }
    let noun = b[i + verb + 3..]
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    (noun > 0).then_some(verb + 3 + noun)
}

/// The `-Name` parameters of the call whose name ends at `from`, up to the end of the call
/// (`|`, `;`, a line break, or a bracket closing an enclosing group).
fn params(text: &str, from: usize) -> Vec<String> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut i = from;
    while i < b.len() {
        match b[i] {
            b'\'' | b'"' => {
                let q = b[i];
                i += 1;
                while i < b.len() && b[i] != q {
                    i += 1;
                }
            }
            b'(' | b'{' | b'[' => depth += 1,
            b')' | b'}' | b']' if depth == 0 => break,
            b')' | b'}' | b']' => depth -= 1,
            // A backtick before the line break continues the command on the next line.
            b'`' if b.get(i + 1) == Some(&b'\n') => i += 1,
            b'|' | b';' | b'\n' if depth == 0 => break,
            b'-' if depth == 0 && i > 0 && b[i - 1].is_ascii_whitespace() => {
                // `-Name` here; operators (`-not`, `-lt`) only stand inside `( )` or after `if`.
                let name: String = text[i + 1..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric())
                    .collect();
                if name.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) {
                    out.push(name);
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// What is wrong with a call, if anything.
fn problem(r: &Reference, call: &Call) -> Option<String> {
    let Some(c) = r.cmdlets.get(&call.cmdlet) else {
        return Some(format!("{} is not a cmdlet of the module", call.cmdlet));
    };
    let lower = |s: &str| s.to_ascii_lowercase();
    let mut own = Vec::new();
    for p in &call.params {
        let common = r
            .common_parameters
            .iter()
            .any(|x| x.eq_ignore_ascii_case(p))
            || r.common_parameter_aliases.contains_key(&lower(p));
        if common {
            let should = p.eq_ignore_ascii_case("WhatIf") || p.eq_ignore_ascii_case("Confirm");
            if should && !c.supports_should_process {
                return Some(format!("{} does not take -{p}", call.cmdlet));
            }
            continue;
        }
        let name = c
            .aliases
            .iter()
            .find(|(a, _)| a.eq_ignore_ascii_case(p))
            .map_or(p.clone(), |(_, to)| to.clone());
        let known = c
            .sets
            .values()
            .any(|s| s.parameters.iter().any(|x| x.eq_ignore_ascii_case(&name)));
        if !known {
            return Some(format!("{} has no parameter -{p}", call.cmdlet));
        }
        own.push(name);
    }
    let fits = c.sets.values().any(|s| {
        let has = |n: &str| s.parameters.iter().any(|x| x.eq_ignore_ascii_case(n));
        own.iter().all(|p| has(p))
            && s.mandatory.iter().all(|m| {
                own.iter().any(|p| p.eq_ignore_ascii_case(m))
                    || (call.piped && m.eq_ignore_ascii_case("InputObject"))
            })
    });
    (!fits).then(|| {
        format!(
            "{}: no parameter set takes -{} together (with its mandatory parameters)",
            call.cmdlet,
            own.join(" -")
        )
    })
}

pub fn check_all(r: &Reference, commands: &[(String, String)]) -> Vec<String> {
    let mut problems = Vec::new();
    for (place, command) in commands {
        for call in calls(command) {
            if let Some(p) = problem(r, &call) {
                problems.push(format!("{place}: {p}\n    {command}"));
            }
        }
    }
    problems
}
