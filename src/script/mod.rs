//! PowerShell that cmg-preflight writes for the admin to run: the `fix` and `media` scripts.
//! Every value from the export goes into a single-quoted string ([`quote`]); secrets are
//! never written, only asked for with `Read-Host -AsSecureString` when the script runs.

pub mod fix;
pub mod media;

/// A value as a PowerShell single-quoted string literal: a quote inside is doubled, including
/// the typographic quotes PowerShell also accepts (about_Quoting_Rules,
/// https://learn.microsoft.com/powershell/module/microsoft.powershell.core/about/about_quoting_rules).
/// Control characters are dropped: a value never ends a line.
pub fn quote(v: &str) -> String {
    format!("'{}'", escape(v))
}

/// The inside of a single-quoted string (see [`quote`]).
pub fn escape(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    for c in v.chars().filter(|c| !c.is_control()) {
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}') {
            out.push(c);
        }
        out.push(c);
    }
    out
}

/// The export's site code, which names the site's PowerShell drive.
pub fn site_code(a: &crate::run::Analysis) -> Option<String> {
    a.model
        .root
        .get("site")
        .and_then(|s| s.get("code"))
        .filter(|c| c.gap().is_none())
        .map(crate::model::fact::Fact::display)
}

/// The lines every script starts with: the module it requires and what it does.
pub fn header(about: &[String]) -> String {
    let mut s = String::from("#Requires -Modules ConfigurationManager\n");
    for line in about {
        s.push_str("# ");
        s.push_str(line);
        s.push('\n');
    }
    s
}

/// Loads the module from the console's installation (`SMS_ADMIN_UI_PATH`) and goes to the
/// site's drive, as Microsoft's "Get started with Configuration Manager cmdlets" describes.
pub fn connect(site_code: &str) -> String {
    format!(
        "if (-not (Get-Module ConfigurationManager)) {{\n    Import-Module (Join-Path (Split-Path $env:SMS_ADMIN_UI_PATH -Parent) 'ConfigurationManager.psd1')\n}}\nSet-Location {}\n",
        quote(&format!("{site_code}:"))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_are_doubled_and_lines_never_end() {
        assert_eq!(quote("O'Brien’s"), "'O''Brien’’s'");
        assert_eq!(quote("a\nb"), "'ab'");
    }
}
