//! The site model: the export decoded into named facts that rules read. Owns the
//! ConfigMgr logic that is not a rule: which site is the primary, which CMG a content row
//! is on, which client setting wins for a collection, what a deployment's flags mean.

pub mod catalog;
pub mod clients;
pub mod content;
pub mod deployment;
pub mod fact;
pub mod flags;
pub mod media;
pub mod site;

use crate::export::family::Family;
use crate::export::field::{Field, Gap};
use std::collections::HashMap;

use crate::export::records::{AzureService, Step, TaskSequence};
use crate::export::Export;
use fact::{Fact, V};

pub struct Model {
    /// The facts every rule can read (`site`, `cmgs`, `management_points`, `media`, ...).
    /// Its `deployments` list holds one fact per task sequence deployment, in export order
    /// (see [`Model::deployments`]).
    pub root: Fact,
    /// Per task sequence id: the content objects it references, for the task sequences of the
    /// deployments checked (see [`Model::complete`]).
    pub content: HashMap<String, Vec<Fact>>,
    /// Stands in for the deployment when there is none to check, so deployment and content
    /// rules say "unknown" instead of silently having no target.
    pub no_deployment: Fact,
}

/// What the model is built for: the scenario checked and the moment "now" (fixed in tests).
pub struct Context {
    pub scenario: &'static str,
    pub now_ms: i64,
}

impl Context {
    pub fn now(scenario: &'static str) -> Self {
        let now_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as i64);
        Context { scenario, now_ms }
    }
}

/// Lookups by task sequence id, built once per model (not a scan of the export per deployment).
pub(crate) struct ById<'a> {
    /// The first task sequence with each id (later ones are duplicates, dropped on load).
    pub task_sequences: HashMap<&'a str, &'a TaskSequence>,
    /// Get-CMTaskSequenceStep rows per task sequence id, in export order.
    pub step_rows: HashMap<&'a str, Vec<&'a Step>>,
}

impl<'a> ById<'a> {
    fn new(export: &'a Export) -> Self {
        let mut task_sequences = HashMap::new();
        for t in &export.task_sequences {
            if let Some(id) = t.package_id.known() {
                task_sequences.entry(id.as_str()).or_insert(t);
            }
        }
        let mut step_rows: HashMap<&str, Vec<&Step>> = HashMap::new();
        for r in &export.step_rows {
            if let Some(id) = r.task_sequence_id.known() {
                step_rows.entry(id.as_str()).or_default().push(&r.step);
            }
        }
        ById {
            task_sequences,
            step_rows,
        }
    }
}

pub fn build(export: &Export, media: Option<&media::MediaPlan>, ctx: &Context) -> Model {
    let cmgs: Vec<&AzureService> = services(export, "CloudProxyService");
    let cloud_dps: Vec<&AzureService> = services(export, "CloudDistributionPoint");
    let cmg_hosts = content::cloud_hosts(cmgs.iter().copied());
    let cmgs_known = export.has(Family::AzureService);
    let by_id = ById::new(export);

    let deployments: Vec<Fact> = export
        .deployments
        .iter()
        .map(|d| deployment::deployment(export, d, ctx, &by_id))
        .collect();
    let media_fact = media.map_or_else(media::no_plan, |m| {
        m.fact(cmgs_known.then_some(cmg_hosts.as_slice()), ctx.now_ms)
    });
    let list = |family: Family, items: Vec<Fact>| family_list(export, family, items);
    let azure = |s: &&AzureService| site::azure(export, s);
    let cmg_list = list(Family::AzureService, cmgs.iter().map(azure).collect());
    let root = Fact::obj(
        vec![
            ("scenario", Fact::str(ctx.scenario, None)),
            ("site", site::site(export)),
            ("cmgs", cmg_list.clone()),
            ("content_cmg", content_cmg(&cmg_list)),
            (
                "cloud_dps",
                list(Family::AzureService, cloud_dps.iter().map(azure).collect()),
            ),
            (
                "cmg_connection_points",
                list(
                    Family::CmgConnectionPoint,
                    export
                        .cmg_connection_points
                        .iter()
                        .map(site::connection_point)
                        .collect(),
                ),
            ),
            (
                "management_points",
                list(
                    Family::ManagementPoint,
                    export
                        .management_points
                        .iter()
                        .map(site::management_point)
                        .collect(),
                ),
            ),
            (
                "boundary_groups",
                list(
                    Family::BoundaryGroup,
                    site::boundary_groups(export, &cmg_hosts),
                ),
            ),
            ("default_client_settings", clients::default_settings(export)),
            ("deployments", list(Family::Deployment, deployments)),
            ("media", media_fact),
        ],
        None,
    );
    let no_deployment = if export.has(Family::Deployment) {
        Fact::unknown(Gap {
            kind: crate::export::field::GapKind::NotProvided(
                "the export has no task sequence deployment to check (see DEP-01)".into(),
            ),
            at: None,
            what: "The deployment".into(),
            family: Some(Family::Deployment),
        })
    } else {
        Fact::unknown(Gap::not_exported(
            Family::Deployment,
            "the task sequence deployments",
        ))
    };
    Model {
        root,
        content: HashMap::new(),
        no_deployment,
    }
}

impl Model {
    /// One fact per task sequence deployment, in export order (none when the export has no
    /// deployments file).
    pub fn deployments(&self) -> &[Fact] {
        match self.root.get("deployments").map(|d| &d.value) {
            Some(V::List(items)) => items,
            _ => &[],
        }
    }

    /// What only the deployments checked need (indices into [`Model::deployments`]): the steps
    /// of their task sequences, decoded from the Sequence XML now, and the content those
    /// reference. On a large site that is a few task sequences of thousands.
    pub fn complete(&mut self, export: &Export, deployments: &[usize]) {
        let by_id = ById::new(export);
        // Each task sequence once, however many of the deployments deploy it.
        let mut order: Vec<&TaskSequence> = Vec::new();
        let mut slot_of: HashMap<&str, usize> = HashMap::new();
        let mut assign: Vec<(usize, usize)> = Vec::new();
        for &i in deployments {
            let ts = self
                .deployments()
                .get(i)
                .and_then(|d| d.get("task_sequence"))
                .and_then(|t| t.get("id"))
                .and_then(|f| match &f.value {
                    V::Str(s) => by_id.task_sequences.get(s.as_str()).copied(),
                    _ => None,
                });
            let Some((ts, id)) = ts.and_then(|t| Some((t, t.package_id.known()?))) else {
                continue;
            };
            let slot = *slot_of.entry(id.as_str()).or_insert_with(|| {
                order.push(ts);
                order.len() - 1
            });
            assign.push((i, slot));
        }
        let steps: Vec<Fact> = crate::parallel::map_in_order(order.clone(), 16, |ts| {
            deployment::steps(export, ts, &by_id)
        });
        if let Some(V::List(items)) = self.root.get_mut("deployments").map(|d| &mut d.value) {
            for (i, slot) in assign {
                let target = items
                    .get_mut(i)
                    .and_then(|d| d.get_mut("task_sequence"))
                    .and_then(|t| t.get_mut("steps"));
                if let (Some(target), Some(s)) = (target, steps.get(slot)) {
                    *target = s.clone();
                }
            }
        }
        self.add_content(export, &order);
    }

    /// The referenced content of these task sequences, for the content rules.
    fn add_content(&mut self, export: &Export, task_sequences: &[&TaskSequence]) {
        let wanted: Vec<(&String, &TaskSequence)> = task_sequences
            .iter()
            .filter_map(|ts| Some((ts.package_id.known()?, *ts)))
            .filter(|(id, _)| !self.content.contains_key(id.as_str()))
            .collect();
        if wanted.is_empty() {
            return;
        }
        let cmgs = services(export, "CloudProxyService");
        let cloud_dps = services(export, "CloudDistributionPoint");
        let hosts = content::cloud_hosts(cmgs.iter().chain(cloud_dps.iter()).copied());
        // Only the rows of the content these task sequences reference are indexed, unless
        // that is most of the export anyway (all deployments checked).
        let mut keys = std::collections::HashSet::new();
        let few = wanted.len() * 2 < export.task_sequences.len();
        if few {
            for (_, ts) in &wanted {
                content::content_keys(ts, &mut keys);
            }
        }
        let index = content::Index::new(export, &hosts, few.then_some(&keys));
        let found = crate::parallel::map_in_order(wanted, 16, |(id, ts)| {
            (id.clone(), index.referenced(ts))
        });
        self.content.extend(found);
    }
}

/// The CMG that content goes to: the first content-enabled one, else the first one.
fn content_cmg(cmgs: &Fact) -> Fact {
    let V::List(items) = &cmgs.value else {
        return cmgs.clone();
    };
    let enabled = |c: &&Fact| {
        matches!(
            c.get("content_enabled").map(|f| &f.value),
            Some(V::Bool(true))
        )
    };
    match items.iter().find(enabled).or(items.first()) {
        Some(c) => c.clone(),
        None => Fact::unknown(Gap {
            kind: crate::export::field::GapKind::NotProvided(
                "the export has no cloud management gateway (see CMG-01)".into(),
            ),
            at: None,
            what: "The CMG for content".into(),
            family: Some(Family::AzureService),
        }),
    }
}

/// A list fact for a family: unknown when no file of the family was exported, since
/// "no CMG in the export" and "the export has no CMG file" are different answers.
fn family_list(export: &Export, family: Family, items: Vec<Fact>) -> Fact {
    match export.present.get(&family).and_then(|f| f.first()) {
        None => Fact::unknown(Gap::not_exported(
            family,
            format!("the {} objects", family.class()),
        )),
        Some(file) => {
            let origin = crate::source::Origin {
                file: *file,
                span: crate::source::Span::new(0, 0),
            };
            Fact::list(items, Some(origin))
        }
    }
}

fn services<'a>(export: &'a Export, kind: &str) -> Vec<&'a AzureService> {
    export
        .azure_services
        .iter()
        .filter(|s| {
            s.service_type
                .known()
                .is_some_and(|t| t.eq_ignore_ascii_case(kind))
        })
        .collect()
}

pub(crate) fn text(field: &Field<String>) -> Fact {
    Fact::from_field(field, |s| V::Str(s.clone()))
}

/// A string property where empty means "not set" (DependentProgram, AlternateContentProviders).
pub(crate) fn optional_text(field: &Field<String>) -> Fact {
    Fact::from_field(field, |s| {
        if s.trim().is_empty() {
            V::Null
        } else {
            V::Str(s.clone())
        }
    })
}
