//! `cmg-preflight fix`: one PowerShell script (Windows PowerShell 5.1 and PowerShell 7) that
//! fixes every failed finding a cmdlet can fix. One block per finding, in dependency order
//! (site and CMG roles, then client settings, then the deployment and its task sequence, then
//! content); each block checks the current value first where the rule says how (`verify`),
//! skips what is already right, changes under `ShouldProcess` (so `-WhatIf` and `-Confirm`
//! work) and reads the value back. Findings no cmdlet fixes, and the media (see `media`), are
//! listed at the end with their console paths. No secret is written: a value the export does
//! not hold is asked for when the block runs.

use std::fmt::Write;

use super::{connect, escape, header};
use crate::rules::engine::{Finding, Outcome};
use crate::run::Analysis;

/// The order blocks run in: what later changes depend on comes first.
fn stage(rule_id: &str) -> u8 {
    match rule_id.split('-').next().unwrap_or_default() {
        "SITE" | "CMG" | "MP" => 0,
        "CS" => 1,
        "DEP" | "TS" => 2,
        "CNT" => 3,
        _ => 4,
    }
}

const STAGES: [&str; 5] = [
    "Site, CMG and management point",
    "Client settings",
    "Deployment and task sequence",
    "Content distribution",
    "Other",
];

/// Variables PowerShell defines itself, or that a template assigns.
const KNOWN_VARIABLES: [&str; 6] = ["true", "false", "null", "_", "app", "PSCmdlet"];

/// The failed findings, fixable ones and the rest, in dependency order.
pub fn script(a: &Analysis, export_name: &str) -> String {
    let mut failed: Vec<&Finding> = a
        .findings
        .iter()
        .filter(|f| f.outcome == Outcome::Fail && !f.in_baseline)
        .collect();
    failed.sort_by_key(|f| (stage(&a.rules[f.rule].id), a.rules[f.rule].id.clone()));
    let site = super::site_code(a);
    let (fixable, manual): (Vec<&Finding>, Vec<&Finding>) = failed
        .iter()
        .partition(|f| f.powershell.is_some() && !a.rules[f.rule].id.starts_with("MED-"));

    let mut about = vec![
        format!(
            "Fixes what cmg-preflight {} found in the export {export_name}{}.",
            env!("CARGO_PKG_VERSION"),
            site.as_deref()
                .map_or(String::new(), |s| format!(" of site {s}"))
        ),
        format!(
            "{} failed finding(s): {} fixed by the blocks below, {} listed at the end for the console.",
            failed.len(),
            fixable.len(),
            manual.len()
        ),
        "Run it in Windows PowerShell 5.1 or PowerShell 7 where the Configuration Manager console is installed.".into(),
        "-WhatIf shows every change without making it; -Confirm asks before each one. Rerunning it is".into(),
        "harmless: a block whose value is already right is skipped. Then export and check again.".into(),
    ];
    if site.is_none() {
        about.push("The export has no site (site.json): set the site drive (Set-Location XYZ:) before running it.".into());
    }
    let mut s = header(&about);
    let _ = writeln!(
        s,
        "[CmdletBinding(SupportsShouldProcess)]\nparam()\n$ErrorActionPreference = 'Stop'"
    );
    if let Some(site) = &site {
        s.push_str(&connect(site));
    }
    let mut current_stage = None;
    for (n, f) in fixable.iter().enumerate() {
        let rule = &a.rules[f.rule];
        let st = stage(&rule.id);
        if current_stage != Some(st) {
            current_stage = Some(st);
            let _ = writeln!(s, "\n# ==== {} ====", STAGES[st as usize]);
        }
        block(&mut s, a, f, n + 1, fixable.len());
    }
    if !manual.is_empty() {
        let _ = writeln!(
            s,
            "\n# ==== Not fixed by this script: do these in the console ===="
        );
        for f in &manual {
            let rule = &a.rules[f.rule];
            let _ = writeln!(
                s,
                "#\n# {} {} {}: {}",
                rule.id,
                f.target.kind,
                f.target.id,
                one_line(&f.message)
            );
            let why = if rule.id.starts_with("MED-")
                || rule.scope == crate::rules::format::Scope::Media
            {
                "the media is created, not changed: fix the media plan, then `cmg-preflight media` prints the New-CMBootableMedia script".to_string()
            } else {
                rule.no_cmdlet
                    .clone()
                    .unwrap_or_else(|| "the command needs a value the export does not hold".into())
            };
            let _ = writeln!(s, "#   why not here: {}", one_line(&why));
            let _ = writeln!(s, "#   console: {}", one_line(&f.console));
        }
    }
    let _ = writeln!(
        s,
        "\nWrite-Host 'Done. Export the site again and run cmg-preflight check to confirm.'"
    );
    s
}

/// One finding's block.
fn block(s: &mut String, a: &Analysis, f: &Finding, n: usize, total: usize) {
    let rule = &a.rules[f.rule];
    let target = format!("{} {}", f.target.kind, f.target.id);
    let label = escape(&format!("{} {target}", rule.id));
    let ps = f.powershell.as_deref().unwrap_or_default();
    let verify = f.verify.as_deref();
    let _ = writeln!(
        s,
        "\n# ---- {n}/{total} {} {target}: {}",
        rule.id,
        one_line(&rule.title)
    );
    let _ = writeln!(s, "# found:    {}", one_line(&f.found));
    let _ = writeln!(s, "# will set: {}", one_line(&f.expected));
    let prompts = prompts(ps);
    let action = escape(&one_line(&format!("{}: {}", rule.id, rule.title)));
    match &verify {
        Some(check) => {
            let _ = writeln!(
                s,
                "if ({check}) {{\n    Write-Host '{label}: already right, skipped'\n}} elseif ($PSCmdlet.ShouldProcess('{}', '{action}')) {{",
                escape(&target)
            );
        }
        None => {
            let _ = writeln!(
                s,
                "# No cmdlet reads this value back: check it in the console afterwards.\nif ($PSCmdlet.ShouldProcess('{}', '{action}')) {{",
                escape(&target)
            );
        }
    }
    for p in &prompts {
        let _ = writeln!(
            s,
            "    ${p} = Read-Host -Prompt '{}'",
            escape(&prompt_text(p))
        );
    }
    let _ = writeln!(s, "    {ps}");
    match &verify {
        Some(check) => {
            let _ = writeln!(
                s,
                "    if ({check}) {{ Write-Host '{label}: fixed' }} else {{ Write-Warning '{label}: changed, but reading it back does not show the fix yet' }}"
            );
        }
        None => {
            let _ = writeln!(s, "    Write-Host '{label}: changed'");
        }
    }
    let _ = writeln!(s, "}}");
}

/// Variables a command uses but does not set (`$DeploymentId`): the values the export does
/// not hold, asked for when the block runs.
fn prompts(ps: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let b = ps.as_bytes();
    for (i, _) in ps.match_indices('$') {
        let name: String = ps[i + 1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        let assigned = ps[i + 1 + name.len()..].trim_start().starts_with('=')
            && !ps[i + 1 + name.len()..].trim_start().starts_with("==");
        let inside_quotes = b[..i].iter().filter(|&&c| c == b'\'').count() % 2 == 1;
        if name.is_empty()
            || assigned
            || inside_quotes
            || KNOWN_VARIABLES
                .iter()
                .any(|k| k.eq_ignore_ascii_case(&name))
            || out.contains(&name)
        {
            continue;
        }
        out.push(name);
    }
    out
}

/// `DeploymentId` -> `Deployment id`.
fn prompt_text(var: &str) -> String {
    let mut out = String::new();
    for (i, c) in var.chars().enumerate() {
        if i > 0 && c.is_ascii_uppercase() {
            out.push(' ');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// A text on one comment line.
fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_the_export_lacks_are_asked_for() {
        let ps = "New-CMCloudManagementGateway -ServiceName $ServiceName -ServiceCertPassword (Read-Host -AsSecureString 'x') -EnableCloudDPFunction $true";
        assert_eq!(prompts(ps), vec!["ServiceName".to_string()]);
        let app = "$app = Get-CMApplication -ModelName 'a$b'; Get-CMDeploymentType -InputObject $app | ForEach-Object { $_.X }";
        assert!(prompts(app).is_empty());
        assert_eq!(
            prompt_text("PxeDistributionPoint"),
            "Pxe distribution point"
        );
    }
}
