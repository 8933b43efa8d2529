//! Every PowerShell command cmg-preflight can print is checked against the ConfigurationManager
//! module reference (reference/configmgr-cmdlets.json, built from Microsoft's
//! sccm-docs-powershell-ref repository by scripts/cmdlet-reference.py): the cmdlet exists, every
//! parameter is one of it (or an alias, or a common parameter), and one parameter set holds all
//! parameters used together with its mandatory ones. That covers every template variant of every
//! rule, and the commands the real binary prints for the example and the known-good export.

mod common;

use std::process::Command;

use common::cmdlets::{check_all, reference, root};
use common::powershell::{reserved_less_than, syntax_errors};

/// Every template of every rule: (rule id and variant, template).
fn rule_templates() -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(root().join("rules"))
        .expect("rules/")
        .flatten()
    {
        let text = std::fs::read_to_string(entry.path()).expect("rule file");
        let doc: serde_json::Value = serde_saphyr::from_str(&text).expect("rule YAML");
        let id = doc["id"].as_str().unwrap_or("?").to_string();
        for key in ["powershell", "verify"] {
            let id = format!("{id} {key}");
            match &doc["remediation"][key] {
                serde_json::Value::String(t) => out.push((id, t.clone())),
                serde_json::Value::Object(m) => {
                    let cases = m.get("cases").and_then(|c| c.as_object());
                    for (value, t) in cases.into_iter().flatten() {
                        out.push((format!("{id} ({value})"), t.as_str().unwrap_or("").into()));
                    }
                    if let Some(t) = m.get("otherwise").and_then(|t| t.as_str()) {
                        out.push((format!("{id} (otherwise)"), t.into()));
                    }
                }
                _ => {}
            }
        }
    }
    out.sort();
    out
}

#[test]
fn the_checker_catches_what_it_must() {
    let r = reference();
    let bad = [
        "Set-CMTaskSequenceDeployment -DeploymentId PS120045 -InternetOption $true",
        "Set-CMTaskSequenceDeployment -TaskSequenceDeploymentId PS120045 -Availability ClientsMediaAndPxe",
        "Start-CMContentDistribution -PackageId PS1 -DriverPackageId PS2 -DistributionPointName 'x'",
        "Set-CMCloudManagementGatewayState -Name x",
        "Get-CMPackage -Id PS1 -WhatIf",
        "Update-CMDistributionPoint -ApplicationName 'App'",
    ];
    for b in bad {
        let found = check_all(r, &[("control".into(), b.into())]);
        assert!(!found.is_empty(), "the checker passes a wrong command: {b}");
    }
    let good = [
        "Set-CMTaskSequenceDeployment -TaskSequenceDeploymentId PS120045 -InternetOption $true",
        "Start-CMContentDistribution -DriverPackageId PS100022 -DistributionPointName 'cmg.contoso.com'",
        "Get-CMApplication -ModelName 'x' | Update-CMDistributionPoint",
        "Invoke-CMContentRedistribution -InputObject (Get-CMDriverPackage -Id 'PS1' -Fast) -DistributionPointName 'cmg'",
    ];
    for g in good {
        let found = check_all(r, &[("control".into(), g.into())]);
        assert!(
            found.is_empty(),
            "the checker fails a right command: {found:?}"
        );
    }
}

#[test]
fn every_rule_command_is_in_the_module_reference() {
    let r = reference();
    let templates = rule_templates();
    assert!(
        templates.len() >= 20,
        "only {} templates found",
        templates.len()
    );
    let mut problems = check_all(r, &templates);
    // Valid PowerShell as written: `{placeholder}` parses (as a script block) and is replaced
    // by a quoted value; a `<placeholder>` would be the reserved `<` operator.
    for (place, t) in &templates {
        let mut errors = syntax_errors(t);
        errors.extend(reserved_less_than(t));
        if !errors.is_empty() {
            problems.push(format!(
                "{place}: not valid PowerShell: {errors:?}\n    {t}"
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {} rule commands do not match the ConfigurationManager module reference:\n{}",
        problems.len(),
        templates.len(),
        problems.join("\n")
    );
}

/// The commands the binary prints for the example (four failures) and the known-good export.
#[test]
fn every_printed_command_is_in_the_module_reference() {
    let r = reference();
    let mut commands = Vec::new();
    for (export, media) in [
        ("examples/contoso", "examples/contoso/media.yaml"),
        ("testdata/good", "testdata/good/media.yaml"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_cmg-preflight"))
            .current_dir(root())
            .args(["check", export, "--media", media, "--now", "2026-11-24"])
            .args(["--no-config", "--format", "json"])
            .output()
            .expect("run cmg-preflight");
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON result");
        for res in doc["results"].as_array().into_iter().flatten() {
            if let Some(ps) = res["remediation"]["powershell"].as_str() {
                let place = format!("{export}: {} {}", res["rule"], res["target"]["id"]);
                commands.push((place, ps.to_string()));
            }
        }
    }
    // The example's four failures; tests/cases.rs checks what every case prints.
    assert!(
        commands.len() >= 4,
        "only {} commands printed",
        commands.len()
    );
    let problems = check_all(r, &commands);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
