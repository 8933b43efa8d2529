//! The rule catalog: the rules embedded from `rules/` at build time, validated on load.

use std::sync::Arc;

use super::format::{self, Rule};
use crate::source::{json, yaml, InputError, Syntax};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded_rules.rs"));
    include!(concat!(env!("OUT_DIR"), "/embedded_rules_json.rs"));
}

/// Parses rule files given as (name, YAML text); all errors of all files come back together.
pub fn parse_all(files: &[(&str, &str)]) -> Result<Vec<Rule>, Vec<InputError>> {
    let files = files.iter().map(|&(n, t)| (n, t, Syntax::Yaml)).collect();
    parse_files(files, true)
}

/// Rule files given as (name, text, syntax), parsed on every core (the catalog is read on
/// every run) and kept in their order, with or without the schema check (see
/// [`format::parse_with`]).
fn parse_files(
    files: Vec<(&str, &str, Syntax)>,
    check_schema: bool,
) -> Result<Vec<Rule>, Vec<InputError>> {
    let parsed = crate::parallel::map_in_order(files, 8, |(n, t, syntax)| {
        parse_one(n, t, syntax, check_schema)
    });
    let mut rules = Vec::new();
    let mut errors = Vec::new();
    for p in parsed {
        match p {
            Ok(rule) => rules.push(rule),
            Err(es) => errors.extend(es),
        }
    }
    let mut ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
    ids.sort_unstable();
    if let Some(w) = ids.windows(2).find(|w| w[0] == w[1]) {
        errors.push(InputError {
            path: "rules".into(),
            message: format!("rule id {} is defined twice", w[0]),
            at: None,
            help: None,
        });
    }
    if errors.is_empty() {
        rules.sort_by_key(|r| catalog_order(&r.id));
        Ok(rules)
    } else {
        Err(errors)
    }
}

/// One rule file, YAML as written or the JSON the build made of it.
fn parse_one(
    name: &str,
    text: &str,
    syntax: Syntax,
    check_schema: bool,
) -> Result<Rule, Vec<InputError>> {
    let shared: Arc<String> = Arc::new(text.to_string());
    let at = |span, message: String| {
        InputError {
        path: name.to_string(),
        message,
        at: Some((shared.clone(), span)),
        help: Some("the rule format is schemas/rule.schema.json; fields are listed by `cmg-preflight explain --fields`".into()),
    }
    };
    let root = match syntax {
        Syntax::Yaml => yaml::parse(text),
        Syntax::Json => json::parse(text)
            .map(|n| (n.into_owned(), Vec::new()))
            .map_err(|e| yaml::YamlError {
                offset: Some(e.offset),
                message: e.message,
            }),
    };
    match root {
        Err(e) => Err(vec![at(
            crate::source::Span::new(e.offset.unwrap_or(0), 1),
            format!("invalid YAML: {}", e.message),
        )]),
        Ok((_, dups)) if !dups.is_empty() => Err(dups
            .into_iter()
            .map(|d| {
                at(
                    d.again,
                    format!("`{}` is given more than once in one mapping", d.key),
                )
            })
            .collect()),
        Ok((root, _)) => format::parse_with(&root, name, check_schema).map_err(|es| {
            es.into_iter()
                .map(|e| at(e.span, format!("rule: {}", e.message)))
                .collect()
        }),
    }
}

/// The shipped catalog, read from the JSON the build made of its YAML (a file the build could
/// not convert is read as YAML, which reports its error). Its files were checked against the
/// rule schema when they were built in (the test `the_embedded_rules_pass_the_schema`), so they
/// are not checked again here.
pub fn builtin() -> Result<Vec<Rule>, Vec<InputError>> {
    let files: Vec<(&str, &str, Syntax)> = embedded::EMBEDDED
        .iter()
        .zip(embedded::EMBEDDED_JSON)
        .map(|(&(name, yaml), json)| match json {
            Some(json) => (name, *json, Syntax::Json),
            None => (name, yaml, Syntax::Yaml),
        })
        .collect();
    parse_files(files, false)
}

/// Catalog groups in the order of domain §1.2 (A site … H task sequence), then number.
fn catalog_order(id: &str) -> (usize, String) {
    const GROUPS: [&str; 8] = ["SITE", "CMG", "MP", "CNT", "CS", "DEP", "MED", "TS"];
    let prefix = id.split('-').next().unwrap_or(id);
    (
        GROUPS
            .iter()
            .position(|g| *g == prefix)
            .unwrap_or(GROUPS.len()),
        id.to_string(),
    )
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_embedded_rules_pass_the_schema() {
        let checked = super::parse_all(super::embedded::EMBEDDED)
            .unwrap_or_else(|e| panic!("{} rule file error(s)", e.len()));
        let unchecked = builtin().unwrap_or_else(|e| panic!("{} rule file error(s)", e.len()));
        assert_eq!(checked.len(), super::embedded::EMBEDDED.len());
        assert_eq!(
            checked.iter().map(|r| &r.id).collect::<Vec<_>>(),
            unchecked.iter().map(|r| &r.id).collect::<Vec<_>>()
        );
    }

    /// The shipped catalog is read from the JSON the build made of each rule's YAML: every
    /// rule must have converted, and read as the same rule, field for field.
    #[test]
    fn the_embedded_json_reads_as_the_yaml() {
        use super::{embedded, parse_one, Syntax};
        assert_eq!(embedded::EMBEDDED.len(), embedded::EMBEDDED_JSON.len());
        for ((name, yaml), json) in embedded::EMBEDDED.iter().zip(embedded::EMBEDDED_JSON) {
            let Some(json) = json else {
                panic!("{name}: the build could not convert it to JSON")
            };
            let from_yaml = parse_one(name, yaml, Syntax::Yaml, true);
            let from_json = parse_one(name, json, Syntax::Json, true);
            match (from_yaml, from_json) {
                (Ok(y), Ok(j)) => assert_eq!(format!("{y:?}"), format!("{j:?}"), "{name}"),
                (y, j) => panic!("{name}: YAML ok {}, JSON ok {}", y.is_ok(), j.is_ok()),
            }
        }
    }
    use std::path::PathBuf;

    use super::builtin;
    use crate::model::{self, media};
    use crate::rules::condition::Env;
    use crate::rules::engine;
    use crate::rules::template::unresolved;

    /// Every requirement id of the catalog in the domain research (§1.2, groups A to H).
    const CATALOG: &[&str] = &[
        "SITE-01", "SITE-02", "SITE-03", "SITE-04", "SITE-05", "CMG-01", "CMG-02", "CMG-03",
        "CMG-04", "CMG-05", "CMG-06", "CMG-07", "CMG-08", "MP-01", "MP-02", "MP-03", "MP-04",
        "MP-05", "CNT-01", "CNT-02", "CNT-03", "CNT-04", "CNT-05", "CNT-06", "CS-01", "CS-02",
        "CS-03", "CS-04", "CS-05", "CS-06", "DEP-01", "DEP-02", "DEP-03", "DEP-04", "DEP-05",
        "DEP-06", "DEP-07", "DEP-08", "MED-01", "MED-02", "MED-03", "MED-04", "MED-05", "MED-06",
        "MED-07", "MED-08", "TS-01", "TS-02", "TS-03", "TS-04", "TS-05", "TS-06", "TS-07", "TS-08",
    ];

    /// Failure modes of §5 marked detectable (Y or P).
    const DETECTABLE: &[&str] = &[
        "F-01", "F-02", "F-03", "F-04", "F-05", "F-06", "F-07", "F-08", "F-09", "F-10", "F-11",
        "F-12", "F-13", "F-14", "F-15", "F-16", "F-17", "F-18", "F-19", "F-22", "F-23", "F-24",
        "F-25", "F-26", "F-27", "F-28", "F-29", "F-31",
    ];

    #[test]
    fn the_catalog_is_complete_and_documented() {
        let rules = builtin().unwrap_or_else(|e| {
            panic!(
                "{}",
                e.iter()
                    .map(|e| format!("{}: {}", e.path, e.message))
                    .collect::<Vec<_>>()
                    .join("\n")
            )
        });
        for id in CATALOG {
            assert!(
                rules.iter().any(|r| r.id == *id),
                "catalog id {id} has no rule"
            );
        }
        for r in &rules {
            assert!(
                !r.title.is_empty() && !r.rationale.trim().is_empty(),
                "{}: title and rationale",
                r.id
            );
            assert!(
                !r.console.is_empty() && !r.source.is_empty(),
                "{}: remediation and source",
                r.id
            );
            assert!(
                !r.confidence.is_empty() && !r.scenarios.is_empty(),
                "{}: confidence and scenarios",
                r.id
            );
            // A rule built on community knowledge or inference is no harsher than the catalog suggests;
            // those rules name their confidence, and the report shows it.
            assert!(
                r.file.ends_with(&format!("{}.yaml", r.id)),
                "{}: file {}",
                r.id,
                r.file
            );
        }
        let names: Vec<&str> = rules.iter().map(|r| r.name.as_str()).collect();
        let mut unique = names.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "rule names are unique");
    }

    #[test]
    fn every_detectable_failure_mode_maps_to_a_rule() {
        let rules = builtin().unwrap_or_default();
        for f in DETECTABLE {
            assert!(
                rules.iter().any(|r| r.failure_modes.iter().any(|m| m == f)),
                "failure mode {f} is caught by no rule"
            );
        }
    }

    /// Every placeholder of every rule resolves on the known-good export, for every target.
    #[test]
    fn placeholders_resolve() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("testdata/good");
        let files = crate::source::walk::collect(std::slice::from_ref(&root)).unwrap_or_default();
        let plan_path = root.join("media.yaml");
        let mut export =
            crate::export::load(Default::default(), &files, &[plan_path.as_path()], None)
                .unwrap_or_default();
        let plan = media::load(&plan_path, &mut export.sources, None).ok();
        let rules = builtin().unwrap_or_default();
        for scenario in ["boot-media", "software-center"] {
            let mut model = model::build(
                &export,
                plan.as_ref(),
                &model::Context {
                    scenario,
                    now_ms: 1_795_000_000_000,
                },
            );
            let targets =
                engine::select(&model, &[], &[], scenario).unwrap_or_else(|e| panic!("{e}"));
            model.complete(&export, &targets.deployments);
            let base = Env::new(&model.root, Vec::new());
            for r in rules
                .iter()
                .filter(|r| r.scenarios.iter().any(|s| s == scenario))
            {
                let texts: Vec<&str> = [
                    Some(&r.message),
                    r.warn_message.as_ref(),
                    Some(&r.console),
                    r.manual.as_ref(),
                ]
                .into_iter()
                .flatten()
                .map(String::as_str)
                .chain(r.powershell.iter().flat_map(|c| c.templates()))
                .collect();
                for (target, env) in engine::expand(r.scope, &model, &targets, &base) {
                    for t in &texts {
                        let missing = unresolved(t, &env);
                        assert!(
                            missing.is_empty(),
                            "{} for {} {}: unresolved {missing:?} in {t}",
                            r.id,
                            target.kind,
                            target.id
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn docs_rules_md_is_generated_from_the_rule_files() {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md");
        let want = crate::docs::markdown(&builtin().unwrap_or_default());
        if std::env::var_os("BLESS").is_some() {
            std::fs::write(&path, &want).expect("write docs/rules.md");
        }
        let have = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(have == want, "docs/rules.md is stale: run `cargo run -- rules --markdown > docs/rules.md` (or BLESS=1 cargo test)");
    }
}
