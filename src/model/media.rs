//! The boot media plan: an admin-written YAML (or JSON) file, since the site stores no boot
//! media settings (domain §2.6). Validated against `schemas/media-plan.schema.json`, with every
//! error at its line; then turned into the `media` facts.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use super::fact::{Fact, V};
use crate::export::family::Family;
use crate::export::field::{as_bool, parse_date, Gap, GapKind};
use crate::schema::Schema;
use crate::source::node::{Node, Value};
use crate::source::{redact, FileId, InputError, Origin, SourceMap};

pub const SCHEMA: &str = include_str!("../../schemas/media-plan.schema.json");

fn schema() -> &'static Schema {
    static S: OnceLock<Schema> = OnceLock::new();
    S.get_or_init(|| {
        Schema::new(SCHEMA).unwrap_or_else(|e| panic!("embedded media plan schema is invalid: {e}"))
    })
}

pub struct MediaPlan {
    pub file: FileId,
    pub root: Node<'static>,
}

/// Reads and validates a plan, adding it to the source map. All schema errors come back at once.
pub fn load(
    path: &Path,
    sources: &mut SourceMap,
    encoding: Option<&'static encoding_rs::Encoding>,
) -> Result<MediaPlan, Vec<InputError>> {
    let mut loaded = crate::source::read(path, encoding).map_err(|e| vec![e])?;
    let Some(root) = crate::source::parse_document(&loaded.text, loaded.syntax, path)? else {
        return Err(vec![InputError::whole_file(
            path,
            "the media plan is empty",
        )]);
    };
    let errors = schema().validate(&root);
    redact::redact(&root, &mut loaded.text);
    let shared: Arc<String> = Arc::new(loaded.text.clone());
    if !errors.is_empty() {
        return Err(errors
            .into_iter()
            .map(|e| InputError {
                path: crate::source::display_path(path),
                message: format!("media plan: {}", e.message),
                at: Some((shared.clone(), e.span)),
                help: Some("the media plan format is in README.md (\"The media plan\") and schemas/media-plan.schema.json".into()),
            })
            .collect());
    }
    let file = sources.add(loaded.into_source(path));
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
    /// `cmg_hosts` is `None` when the export has no CMG output: whether a name is a CMG is unknown.
    pub fn fact(&self, cmg_hosts: Option<&[String]>, now_ms: i64) -> Fact {
        let at = |n: &Node| {
            Some(Origin {
                file: self.file,
                span: n.span,
            })
        };
        let absent = |key: &str| {
            Fact::unknown(Gap {
                kind: GapKind::NotProvided(format!("the media plan has no `{key}`")),
                at: Some(Origin {
                    file: self.file,
                    span: crate::source::Span::new(self.root.span.start(), 0),
                }),
                what: format!("media.{key}"),
                family: None,
            })
        };
        let get = |node: &Node, key: &str, f: &dyn Fn(&Node) -> Option<V>| match node.get(key) {
            None => absent(key),
            Some(n) => Fact::new(f(n).unwrap_or(V::Null), at(n)),
        };
        let string = |n: &Node| n.as_str().map(|s| V::Str(s.to_string()));
        let boolean = |n: &Node| as_bool(n).map(V::Bool);
        let names: Vec<&Node> = match self.root.get("management_points").map(|n| &n.value) {
            Some(Value::Array(items)) => items.iter().collect(),
            _ => Vec::new(),
        };
        let is_cmg = |n: &Node| match cmg_hosts {
            Some(hosts) => Fact::bool(host_matches(n.as_str().unwrap_or_default(), hosts), at(n)),
            None => Fact::unknown(Gap::not_exported(
                Family::AzureService,
                "telling whether a media management point is a CMG",
            )),
        };
        let mps = match self.root.get("management_points") {
            None => absent("management_points"),
            Some(list) => Fact::list(
                names
                    .iter()
                    .map(|n| {
                        Fact::obj(
                            vec![
                                ("name", Fact::new(string(n).unwrap_or(V::Null), at(n))),
                                ("is_cmg", is_cmg(n)),
                            ],
                            at(n),
                        )
                    })
                    .collect(),
                at(list),
            ),
        };
        // The cloud-content variant: the media names an intranet management point (CNT-06).
        let intranet = match (cmg_hosts, self.root.get("management_points")) {
            (_, None) => absent("management_points"),
            (None, Some(_)) => is_cmg(&self.root),
            (Some(hosts), Some(list)) => {
                let other = names
                    .iter()
                    .find(|n| !host_matches(n.as_str().unwrap_or_default(), hosts));
                Fact::bool(other.is_some(), other.map_or(at(list), |n| at(n)))
            }
        };
        let certificate = match self.root.get("certificate") {
            None => absent("certificate"),
            Some(c) => {
                let expired = match c.get("valid_until") {
                    None => absent("certificate.valid_until"),
                    Some(v) => match v.as_str().and_then(parse_date) {
                        Some(ms) => Fact::bool(ms <= now_ms, at(v))
                            .with_raw(format!("valid until {}", v.as_str().unwrap_or_default())),
                        None => Fact::new(V::Null, at(v)),
                    },
                };
                Fact::obj(
                    vec![
                        ("kind", get(c, "kind", &string)),
                        ("hash_algorithm", get(c, "hash_algorithm", &string)),
                        ("provider", get(c, "provider", &string)),
                        ("expired", expired),
                    ],
                    at(c),
                )
            }
        };
        let age = match self.root.get("created") {
            None => absent("created"),
            Some(n) => match n.as_str().and_then(parse_date) {
                Some(ms) => Fact::new(V::Int((now_ms - ms).div_euclid(86_400_000)), at(n))
                    .with_raw(format!("created {}", n.as_str().unwrap_or_default())),
                None => Fact::new(V::Null, at(n)),
            },
        };
        Fact::obj(
            vec![
                ("media_type", get(&self.root, "media_type", &string)),
                (
                    "type_parameter",
                    match self.root.get("media_type").and_then(Node::as_str) {
                        // New-CMBootableMedia -MediaType takes Usb or CdDvd.
                        Some("usb") => Fact::str("Usb", at(&self.root)),
                        Some("iso") => Fact::str("CdDvd", at(&self.root)),
                        _ => absent("media_type"),
                    },
                ),
                ("mode", get(&self.root, "media_mode", &string)),
                (
                    "password_protected",
                    get(&self.root, "password_protected", &boolean),
                ),
                ("unattended", get(&self.root, "unattended", &boolean)),
                (
                    "unknown_computer_support",
                    get(&self.root, "unknown_computer_support", &boolean),
                ),
                ("management_points", mps),
                ("uses_intranet_mp", intranet),
                ("certificate", certificate),
                ("boot_image", get(&self.root, "boot_image", &string)),
                ("age_days", age),
            ],
            at(&self.root),
        )
    }

    /// The deployment ids the plan names, if it names any.
    pub fn deployments(&self) -> Vec<String> {
        Node::strings(self.root.get("deployments"))
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
