//! The team's configuration file, `.cmg-preflight.yaml`: found by walking up from the export
//! folder, or named with `--config`. Validated against `schemas/config.schema.json`, every
//! error at its line. Values are `Option`s so that the command line can override each one.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use crate::export::field::parse_date;
use crate::schema::Schema;
use crate::source::node::{Node, Value};
use crate::source::{InputError, Origin, SourceMap};

pub const FILE_NAMES: [&str; 2] = [".cmg-preflight.yaml", ".cmg-preflight.yml"];
pub const SCHEMA: &str = include_str!("../schemas/config.schema.json");

fn schema() -> &'static Schema {
    static S: OnceLock<Schema> = OnceLock::new();
    S.get_or_init(|| {
        Schema::new(SCHEMA).unwrap_or_else(|e| panic!("embedded config schema is invalid: {e}"))
    })
}

#[derive(Clone, Debug, PartialEq)]
pub enum Level {
    Off,
    Error,
    Warning,
    Note,
}

#[derive(Clone, Debug)]
pub struct Waiver {
    pub rule: String,
    /// `(kind, id)`: the kind is optional (`deployment:PS120045` or `PS120045`).
    pub target: (Option<String>, String),
    pub reason: String,
    pub owner: String,
    /// Milliseconds since the epoch of the end of the expiry day (UTC).
    pub expires_ms: i64,
    pub expires: String,
    pub at: Origin,
    pub expires_at: Origin,
}

#[derive(Default, Debug)]
pub struct Config {
    pub path: Option<PathBuf>,
    pub scenario: Option<String>,
    pub deployments: Vec<String>,
    pub media: Option<PathBuf>,
    pub fail_on: Option<String>,
    pub strict: Option<bool>,
    pub rules: Vec<(String, Level)>,
    pub waivers: Vec<Waiver>,
}

/// The configuration that applies to an export at `start` (a folder, or a file's folder).
/// Inside a git repository (the nearest folder above holding `.git`), the nearest
/// `.cmg-preflight.yaml` from the export folder up to the repository root. Outside one, only the
/// export folder and the current folder: a file in a shared parent (`/tmp`, a home folder)
/// must never switch a gate off unseen.
pub fn discover(start: &Path) -> Option<PathBuf> {
    let start = start.canonicalize().ok()?;
    let dir = if start.is_dir() {
        start
    } else {
        start.parent()?.to_path_buf()
    };
    let repo = dir.ancestors().find(|d| d.join(".git").exists());
    let candidates: Vec<PathBuf> = match repo {
        Some(root) => dir
            .ancestors()
            .take_while(|d| d.starts_with(root))
            .map(Path::to_path_buf)
            .collect(),
        None => {
            let mut v = vec![dir.clone()];
            if let Ok(cwd) = std::env::current_dir().and_then(|c| c.canonicalize()) {
                if cwd != dir {
                    v.push(cwd);
                }
            }
            v
        }
    };
    candidates.iter().find_map(|d| {
        FILE_NAMES
            .iter()
            .map(|name| d.join(name))
            .find(|c| c.is_file())
            .map(relative_to_cwd)
    })
}

/// Reports name files as the user sees them: relative to the current folder when below it.
fn relative_to_cwd(path: PathBuf) -> PathBuf {
    let cwd = std::env::current_dir().and_then(|c| c.canonicalize());
    match cwd {
        Ok(cwd) => path
            .strip_prefix(&cwd)
            .map(Path::to_path_buf)
            .unwrap_or(path),
        Err(_) => path,
    }
}

/// Reads and validates a configuration file into the source map (so waivers can be pointed at).
pub fn load(
    path: &Path,
    sources: &mut SourceMap,
    encoding: Option<&'static encoding_rs::Encoding>,
) -> Result<Config, Vec<InputError>> {
    let mut loaded = crate::source::read(path, encoding).map_err(|e| vec![e])?;
    let display = crate::source::display_path(path);
    let Some(root) = crate::source::parse_document(&loaded.text, loaded.syntax, path)? else {
        return Ok(Config {
            path: Some(path.to_path_buf()),
            ..Config::default()
        });
    };
    // A secret has no place in the configuration, but if one is there it is never shown.
    crate::source::redact::redact(&root, &mut loaded.text);
    let shared: Arc<String> = Arc::new(loaded.text.clone());
    let at = |span, message: String| {
        InputError {
        path: display.clone(),
        message: format!("configuration: {message}"),
        at: Some((shared.clone(), span)),
        help: Some("the configuration format is schemas/config.schema.json; `cmg-preflight init` writes a commented starting file".into()),
    }
    };
    let mut errors: Vec<InputError> = schema()
        .validate(&root)
        .into_iter()
        .map(|e| at(e.span, e.message))
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    let file = sources.add(loaded.into_source(path));
    let origin = |n: &Node| Origin { file, span: n.span };
    let s = |n: &Node, k: &str| n.get(k).and_then(Node::as_str).map(str::to_string);
    let base = path.parent().unwrap_or(Path::new("."));
    let mut config = Config {
        path: Some(path.to_path_buf()),
        scenario: s(&root, "scenario"),
        deployments: Node::strings(root.get("deployments")),
        media: s(&root, "media").map(|m| base.join(m)),
        fail_on: s(&root, "fail_on"),
        strict: match root.get("strict").map(|n| &n.value) {
            Some(Value::Bool(b)) => Some(*b),
            _ => None,
        },
        ..Config::default()
    };
    for m in root.get("rules").map(Node::members).unwrap_or_default() {
        let level = match m.value.as_str() {
            Some("off") => Level::Off,
            Some("warning") => Level::Warning,
            Some("note") => Level::Note,
            _ => Level::Error,
        };
        config.rules.push((m.key.to_string(), level));
    }
    if let Some(Value::Array(items)) = root.get("waivers").map(|n| &n.value) {
        for w in items {
            let Some(expires_node) = w.get("expires") else {
                continue;
            };
            let expires = expires_node.as_str().unwrap_or_default().to_string();
            let Some(day) = parse_date(&expires) else {
                errors.push(at(expires_node.span, format!("`{expires}` is not a date")));
                continue;
            };
            let target = s(w, "target").unwrap_or_default();
            let target = match target.split_once(':') {
                Some((k, id)) if matches!(k, "site" | "deployment" | "content" | "media") => {
                    (Some(k.to_string()), id.to_string())
                }
                _ => (None, target),
            };
            config.waivers.push(Waiver {
                rule: s(w, "rule").unwrap_or_default(),
                target,
                reason: s(w, "reason").unwrap_or_default(),
                owner: s(w, "owner").unwrap_or_default(),
                // A waiver holds through its expiry day.
                expires_ms: day + 86_400_000 - 1,
                expires,
                at: origin(w),
                expires_at: origin(expires_node),
            });
        }
    }
    if errors.is_empty() {
        Ok(config)
    } else {
        Err(errors)
    }
}

/// `cmg-preflight init`: a commented starting file.
pub const STARTER: &str = r#"# cmg-preflight configuration: committed beside the exports; command-line flags override it.
# Format: schemas/config.schema.json. Every rule: `cmg-preflight rules`.

# Scenario: boot-media (boot media over a CMG) or software-center.
scenario: boot-media

# Deployments to check; default: the media plan's, else every deployment available to media.
# deployments: [PS120045]

# The media plan, relative to this file.
# media: media.yaml

# Fail the gate (exit 1) at or above: error, warning, note, or never.
fail_on: error

# Also fail when a rule at or above the threshold cannot be checked (unknown).
strict: false

# Per rule: off, or the severity to report it at, for example
#   rules: { CMG-07: off, TS-03: error }
rules: {}

# Accepted gaps, each with a reason, an owner and an expiry date. A waived finding is reported as
# waived and does not fail the gate; an expired waiver stops waiving and is itself a finding.
# For example:
#   waivers:
#     - rule: CNT-01
#       target: content:PS100022
#       reason: Driver package not used by the remote models; removed in the January rebuild
#       owner: jane.doe@contoso.com
#       expires: 2027-01-31
waivers: []
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_starter_file_is_a_valid_configuration() {
        let dir = std::env::temp_dir().join(format!("cmg-preflight-init-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join(FILE_NAMES[0]);
        std::fs::write(&path, STARTER).expect("write starter");
        let loaded = load(&path, &mut SourceMap::default(), None);
        let _ = std::fs::remove_dir_all(&dir);
        let config = loaded.unwrap_or_else(|e| {
            panic!(
                "{}",
                e.iter()
                    .map(|e| e.message.clone())
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        });
        assert_eq!(config.scenario.as_deref(), Some("boot-media"));
        assert_eq!(config.fail_on.as_deref(), Some("error"));
        assert!(config.waivers.is_empty() && config.rules.is_empty());
    }

    #[test]
    fn discovery_walks_up_to_the_repository_root_only() {
        let base =
            std::env::temp_dir().join(format!("cmg-preflight-discover-{}", std::process::id()));
        let root = base.join("repo");
        let deep = root.join("exports/site-a");
        std::fs::create_dir_all(&deep).expect("temp dirs");
        std::fs::create_dir_all(root.join(".git")).expect(".git");
        // Above the repository: never read.
        std::fs::write(base.join(FILE_NAMES[0]), "fail_on: never\n").expect("write");
        let outside = discover(&deep);
        std::fs::write(root.join(FILE_NAMES[0]), "fail_on: note\n").expect("write");
        let inside = discover(&deep);
        let _ = std::fs::remove_dir_all(&base);
        assert_eq!(outside, None);
        let inside = inside.expect("found at the repository root");
        assert!(
            inside.ends_with(format!("repo/{}", FILE_NAMES[0])),
            "{inside:?}"
        );
    }
}
