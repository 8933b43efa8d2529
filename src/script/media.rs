//! `cmg-preflight media`: the `New-CMBootableMedia` command, with the lines around it, that
//! creates exactly the media the plan describes and the report checked. Parameters are those of
//! Microsoft's New-CMBootableMedia reference (ConfigurationManager module); no CMG-specific
//! parameter is documented, so the CMG is passed as a management point, as the wizard's Boot
//! Image page takes it.

use std::fmt::Write;

use super::{connect, header, quote};
use crate::model::fact::{Fact, V};
use crate::rules::engine::Outcome;
use crate::rules::format::Scope;
use crate::run::Analysis;

/// Why no script is written.
pub enum Refusal {
    /// Media rules fail: (rule id, message) each. The gate's answer: exit 1.
    Failing(Vec<(String, String)>),
    /// The plan or the export lacks a value the command needs: exit 2.
    Missing(Vec<String>),
}

/// The media rules that fail (not waived, not in the baseline).
fn failing(a: &Analysis) -> Vec<(String, String)> {
    a.findings
        .iter()
        .filter(|f| f.outcome == Outcome::Fail && !f.in_baseline)
        .filter(|f| {
            let r = &a.rules[f.rule];
            r.scope == Scope::Media || r.id.starts_with("MED-")
        })
        .map(|f| (a.rules[f.rule].id.clone(), f.message.clone()))
        .collect()
}

/// The script, or why there is none. `force` writes it while media rules fail, saying so.
pub fn script(a: &Analysis, force: bool) -> Result<String, Refusal> {
    let failing = failing(a);
    if !failing.is_empty() && !force {
        return Err(Refusal::Failing(failing));
    }
    let media = a.model.root.get("media");
    let mut missing = Vec::new();
    let mut text = |path: &str| -> String {
        match lookup(media, path) {
            Some(Fact {
                value: V::Str(s), ..
            }) => s.clone(),
            _ => {
                missing.push(format!("the media plan's {path}"));
                String::new()
            }
        }
    };
    let mode = text("mode");
    let media_type = text("type_parameter");
    let boot_image = text("boot_image");
    let kind = text("certificate.kind");
    let flag = |path: &str| matches!(lookup(media, path).map(|f| &f.value), Some(V::Bool(true)));
    let mps: Vec<String> = match lookup(media, "management_points").map(|f| &f.value) {
        Some(V::List(items)) => items
            .iter()
            .filter_map(|m| m.get("name").map(Fact::display))
            .collect(),
        _ => Vec::new(),
    };
    if mps.is_empty() {
        missing.push("the media plan's management_points".into());
    }
    let site = super::site_code(a);
    let Some(site) = site else {
        missing.push("the site code (site.json, Get-CMSite)".into());
        return Err(Refusal::Missing(missing));
    };
    let plan_date = |key: &str| {
        a.plan
            .as_ref()
            .and_then(|p| p.root.get("certificate"))
            .and_then(|c| c.get(key))
            .and_then(|n| n.as_str())
            .map(str::to_string)
    };
    let (valid_from, valid_until) = (plan_date("valid_from"), plan_date("valid_until"));
    if kind == "self_signed" && (valid_from.is_none() || valid_until.is_none()) {
        missing.push("the media plan's certificate valid_from and valid_until".into());
    }
    if !missing.is_empty() {
        return Err(Refusal::Missing(missing));
    }

    let plan_name = a
        .plan_path
        .as_deref()
        .map_or_else(|| "the media plan".into(), crate::source::display_path);
    let mut about = vec![
        format!(
            "Creates the boot media that {plan_name} describes, as cmg-preflight {} checked it",
            env!("CARGO_PKG_VERSION")
        ),
        format!("(site {site}, deployment {}).", a.targets.ids(&a.model)),
        "Run it in Windows PowerShell 5.1 or PowerShell 7 where the Configuration Manager console is installed;".into(),
        "-WhatIf shows what it would do. No secret is in this file: passwords are asked for when it runs.".into(),
    ];
    if !failing.is_empty() {
        about.push("WARNING: written with --force while these media rules fail:".into());
        about.extend(failing.iter().map(|(id, m)| format!("  {id}: {m}")));
    }
    let (mode_param, mode_words) = if mode == "dynamic" {
        ("Dynamic", "dynamic")
    } else {
        ("SiteBased", "site-based")
    };
    let path_help = if media_type == "Usb" {
        "The USB drive to write, for example E:\\ (it is formatted)."
    } else {
        "The ISO file to write, for example C:\\Media\\Remote.iso."
    };

    let mut s = header(&about);
    let _ = writeln!(s, "[CmdletBinding(SupportsShouldProcess)]\nparam(");
    let _ = writeln!(s, "    # {path_help}");
    let _ = write!(s, "    [Parameter(Mandatory)] [string] $MediaPath");
    if kind == "pki" {
        let _ = write!(
            s,
            ",\n    # The PKI client authentication certificate (.pfx) for the media.\n    [Parameter(Mandatory)] [string] $CertificatePath"
        );
    }
    let _ = writeln!(s, "\n)\n$ErrorActionPreference = 'Stop'");
    s.push_str(&connect(&site));
    let _ = writeln!(s);
    let _ = writeln!(s, "$BootImage = Get-CMBootImage -Id {}", quote(&boot_image));
    let _ = writeln!(
        s,
        "# The distribution points the boot image is taken from while the media is created."
    );
    let _ = writeln!(
        s,
        "$DistributionPoint = Get-CMDistributionPoint -SiteCode {}",
        quote(&site)
    );
    let _ = writeln!(
        s,
        "# The management points of the Boot Image page. No parameter for a CMG is documented: if the\n# CMG is not returned here, add it on the wizard's Boot Image page instead.\n$ManagementPoint = @("
    );
    for mp in &mps {
        let _ = writeln!(
            s,
            "    Get-CMManagementPoint -SiteSystemServerName {}",
            quote(mp)
        );
    }
    let _ = writeln!(s, ")");
    let _ = writeln!(
        s,
        "if (-not $BootImage) {{ throw 'Boot image {} was not found.' }}\nif (-not $DistributionPoint) {{ throw 'No distribution point of site {} was found.' }}\nif ($ManagementPoint.Count -lt {}) {{ throw 'Not every management point of the media plan was found.' }}",
        super::escape(&boot_image),
        super::escape(&site),
        mps.len()
    );
    if flag("password_protected") {
        let _ = writeln!(
            s,
            "$MediaPassword = Read-Host -AsSecureString -Prompt 'Media password'"
        );
    }
    if kind == "pki" {
        let _ = writeln!(
            s,
            "$CertificatePassword = Read-Host -AsSecureString -Prompt 'Password of the .pfx file'"
        );
    }
    let _ = writeln!(
        s,
        "\nif ($PSCmdlet.ShouldProcess($MediaPath, 'Create {mode_words} boot media')) {{"
    );
    let mut args = vec![
        format!("-MediaMode {mode_param}"),
        format!("-MediaType {media_type}"),
        "-Path $MediaPath".to_string(),
        "-BootImage $BootImage".into(),
        "-DistributionPoint $DistributionPoint".into(),
        "-ManagementPoint $ManagementPoint".into(),
    ];
    if flag("password_protected") {
        args.push("-MediaPassword $MediaPassword".into());
    }
    match (kind.as_str(), &valid_from, &valid_until) {
        ("pki", _, _) => {
            args.push("-CertificatePath $CertificatePath".into());
            args.push("-CertificatePassword $CertificatePassword".into());
        }
        (_, Some(from), Some(until)) => {
            args.push(format!("-CertificateStartTime ([datetime]{})", quote(from)));
            args.push(format!(
                "-CertificateExpireTime ([datetime]{})",
                quote(until)
            ));
        }
        _ => {}
    }
    if flag("unattended") {
        args.push("-AllowUnattended".into());
    }
    if flag("unknown_computer_support") {
        args.push("-AllowUnknownMachine".into());
    }
    let _ = writeln!(s, "    New-CMBootableMedia `");
    let last = args.len() - 1;
    for (i, a) in args.iter().enumerate() {
        let _ = writeln!(s, "        {a}{}", if i < last { " `" } else { "" });
    }
    let _ = writeln!(s, "}}");
    Ok(s)
}

/// A path below the media fact (`certificate.kind`).
fn lookup<'a>(media: Option<&'a Fact>, path: &str) -> Option<&'a Fact> {
    let mut cur = media?;
    for p in path.split('.') {
        cur = cur.get(p)?;
    }
    (cur.gap().is_none()).then_some(cur)
}
