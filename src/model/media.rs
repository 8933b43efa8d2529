//! The boot media plan: an admin-written YAML (or JSON) file, since the site stores no boot
//! media settings (domain §2.6). Validated against `schemas/media-plan.schema.json`, with every
//! error at its line; then turned into the `media` facts.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use super::fact::{Fact, V};
use crate::export::field::{as_bool, Gap, GapKind};
use crate::schema::Schema;
use crate::source::node::{Node, Value};
use crate::source::{redact, FileId, InputError, Origin, SourceFile, SourceMap};

pub const SCHEMA: &str = include_str!("../../schemas/media-plan.schema.json");

fn schema() -> &'static Schema {
    static S: OnceLock<Schema> = OnceLock::new();
    S.get_or_init(|| {
        Schema::new(SCHEMA).unwrap_or_else(|e| panic!("embedded media plan schema is invalid: {e}"))
    })
}

pub struct MediaPlan {
    pub file: FileId,
    pub root: Node,
}

/// Reads and validates a plan, adding it to the source map. All schema errors come back at once.
pub fn load(path: &Path, sources: &mut SourceMap) -> Result<MediaPlan, Vec<InputError>> {
    let (mut text, syntax, encoding) = crate::export::read(path).map_err(|e| vec![e])?;
    let mut root = None;
    crate::export::parse_items(&text, syntax, path, &mut |n| root = root.take().or(Some(n)))
        .map_err(|e| vec![e])?;
    let Some(root) = root else {
        return Err(vec![InputError::whole_file(
            path,
            "the media plan is empty",
        )]);
    };
    let errors = schema().validate(&root);
    redact::redact(&root, &mut text);
    let shared: Arc<str> = Arc::from(text.as_str());
    if !errors.is_empty() {
        return Err(errors
            .into_iter()
            .map(|e| InputError {
                path: path.to_string_lossy().replace('\\', "/"),
                message: format!("media plan: {}", e.message),
                at: Some((shared.clone(), e.span)),
                help: Some("the media plan format is in README.md (\"The media plan\") and schemas/media-plan.schema.json".into()),
            })
            .collect());
    }
    let file = sources.add(SourceFile::new(path, text, syntax, encoding));
    Ok(MediaPlan { file, root })
}

pub fn no_plan() -> Fact {
    Fact::unknown(Gap {
        kind: GapKind::NotProvided("no media plan was given; pass `--media media.yaml` (see README, \"The media plan\") to settle it".into()),
        at: None,
        what: "The boot media".into(),
        family: None,
    })
}

impl MediaPlan {
    /// `cmg_hosts`: lower-case names under which the export's CMGs are known.
    /// `None` for `cmg_hosts` when the export has no CMG output: whether a name is a CMG is unknown.
    pub fn fact(&self, cmg_hosts: Option<&[String]>) -> Fact {
        let at = |n: &Node| {
            Some(Origin {
                file: self.file,
                span: n.span,
            })
        };
        let field = |key: &str, f: &dyn Fn(&Node) -> Option<V>| -> Fact {
            match self.root.get(key) {
                None => Fact::unknown(Gap {
                    kind: GapKind::NotProvided(format!("the media plan has no `{key}`")),
                    at: Some(Origin {
                        file: self.file,
                        span: crate::source::Span::new(self.root.span.start, 0),
                    }),
                    what: format!("media.{key}"),
                    family: None,
                }),
                Some(n) => f(n).map_or_else(|| Fact::new(V::Null, at(n)), |v| Fact::new(v, at(n))),
            }
        };
        let string = |n: &Node| n.as_str().map(|s| V::Str(s.to_string()));
        let boolean = |n: &Node| as_bool(n).map(V::Bool);
        let mps = field("management_points", &|n| match &n.value {
            Value::Array(items) => Some(V::List(
                items
                    .iter()
                    .map(|i| {
                        let name = i.as_str().unwrap_or_default();
                        let is_cmg = match cmg_hosts {
                            Some(hosts) => Fact::bool(host_matches(name, hosts), at(i)),
                            None => Fact::unknown(Gap::not_exported(
                                crate::export::family::Family::AzureService,
                                "whether a media management point is a CMG",
                            )),
                        };
                        Fact::obj(
                            vec![("name", Fact::str(name, at(i))), ("is_cmg", is_cmg)],
                            at(i),
                        )
                    })
                    .collect(),
            )),
            _ => None,
        });
        let certificate = field("certificate", &|n| {
            Some(V::Obj(vec![(
                "kind",
                n.get("kind").map_or(Fact::new(V::Null, at(n)), |k| {
                    Fact::new(string(k).unwrap_or(V::Null), at(k))
                }),
            )]))
        });
        Fact::obj(
            vec![
                ("media_type", field("media_type", &string)),
                ("mode", field("media_mode", &string)),
                ("password_protected", field("password_protected", &boolean)),
                ("unattended", field("unattended", &boolean)),
                (
                    "unknown_computer_support",
                    field("unknown_computer_support", &boolean),
                ),
                ("management_points", mps),
                ("certificate", certificate),
                ("boot_image", field("boot_image", &string)),
            ],
            at(&self.root),
        )
    }

    /// The deployment ids the plan names, if it names any.
    pub fn deployments(&self) -> Vec<String> {
        match self.root.get("deployments").map(|n| &n.value) {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// A plan names a server as the admin typed it; a CMG is known by its service names.
pub fn host_matches(name: &str, hosts: &[String]) -> bool {
    let n = name
        .trim()
        .trim_start_matches("https://")
        .trim_end_matches('/')
        .to_ascii_lowercase();
    hosts
        .iter()
        .any(|h| *h == n || n.split('.').next() == Some(h.as_str()) && !h.contains('.'))
}
