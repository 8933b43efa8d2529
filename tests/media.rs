//! `cmg-preflight media`: the New-CMBootableMedia script for the checked media plan. Every
//! cmdlet call in it is checked against the ConfigurationManager module reference, it carries
//! the plan's values, and it is refused while a media rule fails (unless --force).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::cmdlets::{check_all, reference, root};
use common::powershell::assert_parses;

fn media(export: &Path, plan: &Path, extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cmg-preflight"))
        .current_dir(root())
        .arg("media")
        .arg(export)
        .arg("--media")
        .arg(plan)
        .args(["--now", "2026-11-24", "--no-config"])
        .args(extra)
        .output()
        .expect("run cmg-preflight media")
}

/// A copy of the known-good export whose media plan has `from` replaced by `to`.
fn good_with_plan(tag: &str, from: &str, to: &str) -> PathBuf {
    let dir = common::copy_good(&format!("media-{tag}"), &[]);
    let plan = dir.join("media.yaml");
    let text = std::fs::read_to_string(&plan).expect("plan");
    assert!(text.contains(from), "the plan has no `{from}`");
    std::fs::write(&plan, text.replacen(from, to, 1)).expect("write plan");
    dir
}

/// Every cmdlet call is in the module reference, and the script parses with a real PowerShell
/// grammar (no ERROR or MISSING node, no reserved `<`).
fn assert_commands_valid(script: &str) {
    let problems = check_all(reference(), &[("media script".into(), script.into())]);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_parses("media script", script);
}

#[test]
fn the_example_gets_the_command_its_plan_describes() {
    let out = media(
        Path::new("examples/contoso"),
        Path::new("examples/contoso/media.yaml"),
        &[],
    );
    let script = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for want in [
        "#Requires -Modules ConfigurationManager",
        "[CmdletBinding(SupportsShouldProcess)]",
        "Set-Location 'PS1:'",
        "Get-CMBootImage -Id 'PS100005'",
        "Get-CMManagementPoint -SiteSystemServerName 'contosocmg.eastus.cloudapp.azure.com'",
        "-MediaMode SiteBased",
        "-MediaType Usb",
        "-MediaPassword $MediaPassword",
        "Read-Host -AsSecureString",
        "-CertificateStartTime ([datetime]'2026-11-01')",
        "-CertificateExpireTime ([datetime]'2027-11-01')",
    ] {
        assert!(
            script.contains(want),
            "the script lacks `{want}`:\n{script}"
        );
    }
    assert!(!script.contains("-AllowUnattended") && !script.contains("-AllowUnknownMachine"));
    assert_commands_valid(&script);
}

#[test]
fn a_failing_media_rule_refuses_unless_forced() {
    let dir = good_with_plan("dynamic", "media_mode: site_based", "media_mode: dynamic");
    let plan = dir.join("media.yaml");
    let refused = media(&dir, &plan, &[]);
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("MED-02"), "{stderr}");
    assert!(refused.stdout.is_empty());
    let forced = media(&dir, &plan, &["--force"]);
    let script = String::from_utf8_lossy(&forced.stdout);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(forced.status.code(), Some(0));
    assert!(
        script.contains("WARNING") && script.contains("MED-02"),
        "{script}"
    );
    assert!(script.contains("-MediaMode Dynamic"), "{script}");
    assert_commands_valid(&script);
}

#[test]
fn a_pki_certificate_is_asked_for_never_written() {
    let dir = good_with_plan(
        "pki",
        "  kind: self_signed",
        "  kind: pki\n  hash_algorithm: sha256\n  provider: Microsoft Enhanced RSA and AES Cryptographic Provider",
    );
    let text = std::fs::read_to_string(dir.join("media.yaml")).expect("plan");
    let text: String = text
        .lines()
        .filter(|l| !l.contains("valid_from") && !l.contains("valid_until"))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(dir.join("media.yaml"), text).expect("plan");
    let out = media(&dir, &dir.join("media.yaml"), &["--force"]);
    let script = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        script.contains("[Parameter(Mandatory)] [string] $CertificatePath"),
        "{script}"
    );
    assert!(
        script.contains("$CertificatePassword = Read-Host -AsSecureString"),
        "{script}"
    );
    assert!(
        script.contains("-CertificatePath $CertificatePath"),
        "{script}"
    );
    assert!(!script.contains("-CertificateStartTime"), "{script}");
    assert_commands_valid(&script);
}

#[test]
fn without_a_plan_there_is_no_command() {
    let out = Command::new(env!("CARGO_BIN_EXE_cmg-preflight"))
        .current_dir(root())
        .args([
            "media",
            "testdata/good",
            "--no-config",
            "--now",
            "2026-11-24",
        ])
        .output()
        .expect("run");
    // testdata/good holds a media plan among its files, which is used; an export without
    // one is refused.
    assert_eq!(out.status.code(), Some(0));
    let dir = common::copy_good("media-noplan", &["media.yaml"]);
    let out = Command::new(env!("CARGO_BIN_EXE_cmg-preflight"))
        .arg("media")
        .arg(&dir)
        .args(["--no-config", "--now", "2026-11-24"])
        .output()
        .expect("run");
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--media"));
}
