//! `cmg-preflight fix`: the script that fixes every failed finding a cmdlet can fix. On the
//! example it covers the four findings in dependency order, uses the parameter set for each
//! object's type, checks before and reads back where a cmdlet can read the value, and every
//! cmdlet call in it is in the ConfigurationManager module reference.

mod common;

use std::path::Path;
use std::process::Command;

use common::cmdlets::{check_all, reference, root};
use common::powershell::assert_parses;

fn fix(export: &Path, extra: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_cmg-preflight"))
        .current_dir(root())
        .arg("fix")
        .arg(export)
        .args(["--now", "2026-11-24", "--no-config"])
        .args(extra)
        .output()
        .expect("run cmg-preflight fix");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_example_script_fixes_its_four_findings() {
    let (code, script, stderr) = fix(
        Path::new("examples/contoso"),
        &["--media", "examples/contoso/media.yaml"],
    );
    assert_eq!(code, 0, "{stderr}");
    for want in [
        "#Requires -Modules ConfigurationManager",
        "[CmdletBinding(SupportsShouldProcess)]",
        "Set-Location 'PS1:'",
        "4 failed finding(s): 4 fixed by the blocks below",
        "Set-CMClientSettingCloudService -Name 'Remote reimage devices' -AllowCloudManagementGateway $true",
        "Set-CMTaskSequenceDeployment -TaskSequenceDeploymentId 'PS120045' -InternetOption $true",
        // PS100022 is a driver package (PackageType 3): the driver package parameter set.
        "Start-CMContentDistribution -DriverPackageId 'PS100022' -DistributionPointName 'contosocmg.eastus.cloudapp.azure.com'",
        "Invoke-CMContentRedistribution -InputObject (Get-CMApplication -ModelName",
        "already right, skipped",
    ] {
        assert!(script.contains(want), "the script lacks `{want}`:\n{script}");
    }
    // Dependency order: client settings, then the deployment, then content.
    let at = |s: &str| script.find(s).unwrap_or_else(|| panic!("no {s}"));
    assert!(at("---- 1/4 CS-02") < at("---- 2/4 DEP-02"));
    assert!(at("---- 2/4 DEP-02") < at("---- 3/4 CNT-01"));
    assert!(at("---- 3/4 CNT-01") < at("---- 4/4 CNT-02"));
    assert_eq!(script.matches("$PSCmdlet.ShouldProcess(").count(), 4);
    let problems = check_all(reference(), &[("fix script".into(), script.clone())]);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // A real PowerShell grammar: no ERROR or MISSING node, no reserved `<`.
    assert_parses("fix script for examples/contoso", &script);
}

#[test]
fn findings_no_cmdlet_fixes_are_listed_with_their_console_path() {
    let dir = common::copy_good("fix", &[]);
    // A dynamic media plan fails MED-02: media is created, not fixed, so it is listed.
    let plan = dir.join("media.yaml");
    let text = std::fs::read_to_string(&plan).expect("plan");
    std::fs::write(
        &plan,
        text.replace("media_mode: site_based", "media_mode: dynamic"),
    )
    .expect("plan");
    let (code, script, stderr) = fix(&dir, &["--media", &plan.to_string_lossy()]);
    let out = dir.join("fix.ps1");
    let (written_code, said, _) = fix(
        &dir,
        &[
            "--media",
            &plan.to_string_lossy(),
            "--output",
            &out.to_string_lossy(),
        ],
    );
    let written = std::fs::read_to_string(&out).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(code, 0, "{stderr}");
    assert!(script.contains("Not fixed by this script"), "{script}");
    assert!(script.contains("# MED-02 media boot media:"), "{script}");
    assert!(script.contains("cmg-preflight media"), "{script}");
    assert!(script.contains("#   console: "), "{script}");
    assert_eq!(written_code, 0);
    assert!(said.starts_with("wrote "), "{said}");
    assert_eq!(
        written, script,
        "--output writes what standard output shows"
    );
}
