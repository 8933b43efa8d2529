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
use crate::export::records::AzureService;
use crate::export::Export;
use fact::{Fact, V};

pub struct Model {
    /// The facts every rule can read (`site`, `cmgs`, `management_points`, `media`, ...).
    pub root: Fact,
    /// One fact per task sequence deployment, in export order.
    pub deployments: Vec<Fact>,
    /// Per task sequence id: the content objects it references.
    pub content: Vec<(String, Vec<Fact>)>,
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

pub fn build(export: &Export, media: Option<&media::MediaPlan>, ctx: &Context) -> Model {
    let cmgs: Vec<&AzureService> = services(export, "CloudProxyService");
    let cloud_dps: Vec<&AzureService> = services(export, "CloudDistributionPoint");
    let hosts = content::cloud_hosts(cmgs.iter().chain(cloud_dps.iter()).copied());
    let cmg_hosts = content::cloud_hosts(cmgs.iter().copied());
    let content_index = content::Index::new(export, &hosts);
    let cmgs_known = export.has(Family::AzureService);

    let deployments: Vec<Fact> = export
        .deployments
        .iter()
        .map(|d| deployment::deployment(export, d, ctx))
        .collect();
    let content: Vec<(String, Vec<Fact>)> = export
        .task_sequences
        .iter()
        .filter_map(|ts| Some((ts.package_id.known()?.clone(), content_index.referenced(ts))))
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
            ("deployments", list(Family::Deployment, deployments.clone())),
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
        deployments,
        content,
        no_deployment,
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
