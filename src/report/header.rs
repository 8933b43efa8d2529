//! The header every report starts with: what was checked, with what. The same lines are the
//! human header, the JSON `context`, the SARIF run properties and the markdown summary, so a
//! reader of any of them sees which configuration and which rules decided the gate.

use std::path::Path;

use crate::cli::InputArgs;
use crate::config::Config;
use crate::export::family::Family;
use crate::export::Export;
use crate::model::fact::{Fact, V};
use crate::model::Model;
use crate::rules::engine::Targets;
use crate::run::Catalog;
use crate::source::display_path;

pub struct Header<'a> {
    pub args: &'a InputArgs,
    pub config: &'a Config,
    pub catalog: &'a Catalog,
    /// How many export files were read.
    pub files: usize,
    pub plan: Option<&'a Path>,
    pub targets: &'a Targets,
}

impl Header<'_> {
    pub fn lines(&self, model: &Model, export: &Export) -> Vec<(&'static str, String)> {
        let mut lines = vec![
            (
                "scenario",
                model
                    .root
                    .get("scenario")
                    .map_or_else(|| "boot-media".into(), Fact::display),
            ),
            ("site", site_line(&model.root)),
            ("export", self.export_line(export)),
            (
                "media",
                self.plan.map_or(
                    "no media plan (--media): media rules are unknown".into(),
                    display_path,
                ),
            ),
            ("config", self.config_line()),
        ];
        if let Some(rules) = self.rules_line() {
            lines.push(("rules", rules));
        }
        lines.push((
            "checking",
            format!(
                "deployment {} ({})",
                self.targets.ids(model),
                self.targets.reason
            ),
        ));
        lines
    }

    fn export_line(&self, export: &Export) -> String {
        let shown: Vec<String> = self.args.paths.iter().map(|p| display_path(p)).collect();
        let missing: Vec<&str> = Family::ALL
            .iter()
            .filter(|f| {
                !matches!(f, Family::Manifest | Family::TaskSequenceStep) && !export.has(**f)
            })
            .map(|f| f.file_hint())
            .collect();
        let mut line = format!("{} ({} files)", shown.join(", "), self.files);
        if !missing.is_empty() {
            line.push_str(&format!("; not in the export: {}", missing.join(", ")));
        }
        line
    }

    /// Which configuration decided the gate, or why none did.
    fn config_line(&self) -> String {
        match (&self.config.path, self.args.no_config) {
            (_, true) => "none (--no-config)".into(),
            (Some(p), _) if self.args.config.is_some() => format!("{} (--config)", display_path(p)),
            (Some(p), _) => display_path(p),
            (None, _) => "none found".into(),
        }
    }

    /// Custom rules, and which built-in rules they replace.
    fn rules_line(&self) -> Option<String> {
        let dir = self.args.rules_dir.as_deref()?;
        let mut line = format!(
            "the built-in catalog and the custom rules of {}",
            display_path(dir)
        );
        for (id, file) in &self.catalog.replaced {
            line.push_str(&format!("; {file} replaces the built-in {id}"));
        }
        Some(line)
    }
}

fn site_line(root: &Fact) -> String {
    let Some(site) = root.get("site").filter(|s| s.gap().is_none()) else {
        return "unknown (the export has no Get-CMSite output)".into();
    };
    let get = |k: &str| {
        site.get(k)
            .filter(|f| f.gap().is_none() && !matches!(f.value, V::Null))
            .map(Fact::display)
    };
    let release = get("release").map_or_else(
        || "an unrecognised release".to_string(),
        |r| format!("ConfigMgr {r}"),
    );
    format!(
        "{} {}, {release} (build {})",
        get("code").unwrap_or_default(),
        get("name").unwrap_or_default(),
        get("build").unwrap_or_else(|| "?".into())
    )
}
