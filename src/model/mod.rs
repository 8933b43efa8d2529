//! The site model: the export decoded into named facts that rules read. Owns the
//! ConfigMgr logic that is not a rule: which site is the primary, which CMG a content row
//! is on, which client setting wins for a collection, what a deployment's flags mean.

pub mod catalog;
pub mod clients;
pub mod content;
pub mod fact;
pub mod flags;
pub mod media;

use crate::export::family::Family;
use crate::export::field::{Field, Gap, GapKind};
use crate::export::records::{AzureService, Deployment, Prop, SysRole, TaskSequence};
use crate::export::Export;
use fact::{Fact, V};
use flags::{Availability, CommMode, ContentOption};

pub struct Model {
    /// The facts every rule can read (`site`, `cmgs`, `management_points`, `media`, ...).
    pub root: Fact,
    /// One fact per task sequence deployment, in export order.
    pub deployments: Vec<Fact>,
    /// Per task sequence id: the content objects it references.
    pub content: Vec<(String, Vec<Fact>)>,
}

pub fn build(export: &Export, media: Option<&media::MediaPlan>) -> Model {
    let cmgs: Vec<&AzureService> = services(export, "CloudProxyService");
    let cloud_dps: Vec<&AzureService> = services(export, "CloudDistributionPoint");
    let hosts = content::cloud_hosts(cmgs.iter().chain(cloud_dps.iter()).copied());
    let cmg_hosts = content::cloud_hosts(cmgs.iter().copied());
    let content_index = content::Index::new(export, &hosts);
    let cmgs_known = export.has(Family::AzureService);

    let deployments: Vec<Fact> = export
        .deployments
        .iter()
        .map(|d| deployment(export, d))
        .collect();
    let content: Vec<(String, Vec<Fact>)> = export
        .task_sequences
        .iter()
        .filter_map(|ts| Some((ts.package_id.known()?.clone(), content_index.referenced(ts))))
        .collect();
    let media_fact = media.map_or_else(media::no_plan, |m| {
        m.fact(cmgs_known.then_some(cmg_hosts.as_slice()))
    });
    let root = Fact::obj(
        vec![
            ("site", site(export)),
            (
                "cmgs",
                family_list(
                    export,
                    Family::AzureService,
                    cmgs.iter().map(|s| azure(s)).collect(),
                ),
            ),
            (
                "cloud_dps",
                family_list(
                    export,
                    Family::AzureService,
                    cloud_dps.iter().map(|s| azure(s)).collect(),
                ),
            ),
            (
                "cmg_connection_points",
                family_list(
                    export,
                    Family::CmgConnectionPoint,
                    export
                        .cmg_connection_points
                        .iter()
                        .map(connection_point)
                        .collect(),
                ),
            ),
            (
                "management_points",
                family_list(
                    export,
                    Family::ManagementPoint,
                    export
                        .management_points
                        .iter()
                        .map(management_point)
                        .collect(),
                ),
            ),
            (
                "deployments",
                family_list(export, Family::Deployment, deployments.clone()),
            ),
            ("media", media_fact),
        ],
        None,
    );
    Model {
        root,
        deployments,
        content,
    }
}

/// A list fact for a family: unknown when no file of the family was exported, since
/// "no CMG in the export" and "the export has no CMG file" are different answers.
fn family_list(export: &Export, family: Family, items: Vec<Fact>) -> Fact {
    match export.present.get(&family).and_then(|f| f.first()) {
        None => Fact::unknown(Gap::not_exported(family, family.class())),
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

fn text(field: &Field<String>) -> Fact {
    Fact::from_field(field, |s| V::Str(s.clone()))
}

fn site(export: &Export) -> Fact {
    let Some(site) = export
        .sites
        .iter()
        .find(|s| s.site_type.known() == Some(&2))
        .or_else(|| export.sites.first())
    else {
        // Without Get-CMSite the site's other facts (communication security) still stand.
        let gap = || Fact::unknown(Gap::not_exported(Family::Site, "the site version"));
        return Fact::obj(
            vec![
                ("code", gap()),
                ("name", gap()),
                ("version", gap()),
                ("build", gap()),
                ("release", gap()),
                ("communication", communication(export, None)),
            ],
            None,
        );
    };
    let release = match &site.build {
        Field::Known(b, o) => match flags::release_for_build(*b) {
            Some(r) => Fact::str(r, Some(*o)),
            None => Fact::new(V::Null, Some(*o)),
        },
        Field::Missing(g) => Fact::unknown(g.clone()),
    };
    Fact::obj(
        vec![
            ("code", text(&site.code)),
            ("name", text(&site.name)),
            ("version", text(&site.version)),
            ("build", Fact::from_field(&site.build, |b| V::Int(*b))),
            ("release", release),
            ("communication", communication(export, site.code.known())),
        ],
        Some(site.origin),
    )
}

fn communication(export: &Export, code: Option<&String>) -> Fact {
    if !export.has(Family::SiteComponent) {
        return Fact::unknown(Gap::not_exported(
            Family::SiteComponent,
            "the site's communication security",
        ));
    }
    let component = export.components.iter().find(|c| {
        c.component
            .known()
            .is_some_and(|n| n.eq_ignore_ascii_case("SMS_SITE_COMPONENT_MANAGER"))
            && code.is_none_or(|code| {
                c.site_code
                    .known()
                    .is_none_or(|s| s.eq_ignore_ascii_case(code))
            })
    });
    let Some(component) = component else {
        return Fact::unknown(Gap::not_exported(
            Family::SiteComponent,
            "SMS_SITE_COMPONENT_MANAGER of the site",
        ));
    };
    let value = match prop(&component.props, "IISSSLState", "SMS_SCI_Component") {
        Ok(v) => v,
        Err(g) => return Fact::unknown(g),
    };
    match value {
        Field::Known(v, o) => match CommMode::from_iis_ssl_state(v) {
            Some(mode) => Fact::str(mode.name(), Some(o)).with_raw(format!("IISSSLState {v}")),
            None => Fact::unknown(Gap {
                kind: GapKind::Invalid(format!("IISSSLState {v} is not a known combination (31/63 HTTPS only; 192/224/448/480 HTTPS or HTTP; +1024 Enhanced HTTP)")),
                at: Some(o),
                what: "SMS_SCI_Component.Props[IISSSLState]".into(),
                family: Some(Family::SiteComponent),
            }),
        },
        Field::Missing(g) => Fact::unknown(g),
    }
}

/// A named embedded property; a missing name is an absent-property gap on `Props`.
fn prop(props: &Field<Vec<Prop>>, name: &str, class: &str) -> Result<Field<i64>, Gap> {
    match props {
        Field::Missing(g) => Err(g.clone()),
        Field::Known(list, at) => match list.iter().find(|p| p.name.eq_ignore_ascii_case(name)) {
            Some(p) => Ok(p.value.clone()),
            None => Err(Gap {
                kind: GapKind::Absent,
                at: Some(*at),
                what: format!("{class}.Props[{name}]"),
                family: None,
            }),
        },
    }
}

fn azure(s: &AzureService) -> Fact {
    let host = match (&s.service_cname, &s.fqdn) {
        (Field::Known(..), _) => text(&s.service_cname),
        (_, Field::Known(..)) => text(&s.fqdn),
        _ => text(&s.service_cname),
    };
    let state = match &s.state {
        Field::Known(v, o) => match flags::cmg_state_name(*v) {
            Some(n) => Fact::str(n, Some(*o)).with_raw(format!("State {v}")),
            None => Fact::str(format!("unknown state {v}"), Some(*o)),
        },
        Field::Missing(g) => Fact::unknown(g.clone()),
    };
    Fact::obj(
        vec![("name", text(&s.name)), ("host", host), ("state", state)],
        Some(s.origin),
    )
}

fn connection_point(r: &SysRole) -> Fact {
    Fact::obj(vec![("server", text(&r.server))], Some(r.origin))
}

fn management_point(r: &SysRole) -> Fact {
    let flag = |name: &str| match prop(&r.props, name, "SMS_SCI_SysResUse") {
        Ok(f) => f,
        Err(mut g) => {
            g.family = Some(Family::ManagementPoint);
            Field::Missing(g)
        }
    };
    let traffic = flag("AllowProxyTraffic");
    let (inet, intra) = (flag("MPInternetFacing"), flag("MPIntranetFacing"));
    let connection = match (&inet, &intra) {
        (Field::Known(i, o), Field::Known(n, _)) => {
            let name = match (*i != 0, *n != 0) {
                (true, true) => "intranet_and_internet",
                (true, false) => "internet",
                _ => "intranet",
            };
            Fact::str(name, Some(*o))
                .with_raw(format!("MPInternetFacing {i}, MPIntranetFacing {n}"))
        }
        (Field::Missing(g), _) | (_, Field::Missing(g)) => Fact::unknown(g.clone()),
    };
    Fact::obj(
        vec![
            ("server", text(&r.server)),
            (
                "https",
                Fact::from_field(&r.ssl_state, |s| V::Bool(*s == 1)).with_raw("SslState"),
            ),
            (
                "allows_cmg_traffic",
                Fact::from_field(&traffic, |v| V::Bool(*v == 1)),
            ),
            ("connection", connection),
        ],
        Some(r.origin),
    )
}

fn deployment(export: &Export, d: &Deployment) -> Fact {
    let flags_fact = |f: &dyn Fn(i64) -> V| match &d.advert_flags {
        Field::Known(v, o) => {
            Fact::new(f(*v), Some(*o)).with_raw(format!("AdvertFlags {v} (0x{v:08X})"))
        }
        Field::Missing(g) => Fact::unknown(g.clone()),
    };
    let availability = flags_fact(&|v| V::Str(Availability::from_advert_flags(v).name().into()));
    let to_media = flags_fact(&|v| V::Bool(Availability::from_advert_flags(v).includes_media()));
    let internet = flags_fact(&|v| V::Bool(flags::allows_internet(v)));
    let content_option = match &d.remote_client_flags {
        Field::Known(v, o) => {
            Fact::str(ContentOption::from_remote_client_flags(*v).name(), Some(*o))
                .with_raw(format!("RemoteClientFlags {v} (0x{v:08X})"))
        }
        Field::Missing(g) => Fact::unknown(g.clone()),
    };
    let purpose = match &d.offer_type {
        Field::Known(v, o) => Fact::new(
            flags::purpose_name(*v).map_or(V::Null, |p| V::Str(p.into())),
            Some(*o),
        )
        .with_raw(format!("OfferType {v}")),
        Field::Missing(g) => Fact::unknown(g.clone()),
    };
    let ts = d.package_id.known().and_then(|id| {
        export
            .task_sequences
            .iter()
            .find(|t| t.package_id.known() == Some(id))
    });
    let task_sequence = match (ts, export.has(Family::TaskSequence)) {
        (Some(ts), _) => task_sequence(export, ts),
        (None, false) => Fact::unknown(Gap::not_exported(Family::TaskSequence, "the deployed task sequence")),
        (None, true) => Fact::unknown(Gap {
            kind: GapKind::NotProvided(format!(
                "task sequence {} is not in the export; export it with Export-CMPreflight.ps1 -TaskSequenceId {0}",
                d.package_id.known().map_or("?", |s| s.as_str())
            )),
            at: d.package_id.origin(),
            what: "The deployed task sequence".into(),
            family: Some(Family::TaskSequence),
        }),
    };
    Fact::obj(
        vec![
            ("id", text(&d.id)),
            ("name", text(&d.name)),
            ("collection_id", text(&d.collection_id)),
            ("purpose", purpose),
            ("availability", availability),
            ("available_to_media", to_media),
            ("allows_internet", internet),
            ("content_option", content_option),
            (
                "client_settings",
                clients::effective(export, &d.collection_id),
            ),
            ("task_sequence", task_sequence),
        ],
        Some(d.origin),
    )
}

fn task_sequence(export: &Export, ts: &TaskSequence) -> Fact {
    let id = ts.package_id.known().cloned().unwrap_or_default();
    let rows: Vec<_> = export
        .step_rows
        .iter()
        .filter(|r| r.task_sequence_id.known() == Some(&id))
        .map(|r| &r.step)
        .collect();
    // The Sequence XML is the complete list; Get-CMTaskSequenceStep output stands in when it is missing.
    let steps = match (&ts.steps, rows.is_empty()) {
        (Field::Known(steps, o), _) => Fact::list(steps.iter().map(step).collect(), Some(*o)),
        (Field::Missing(_), false) => Fact::list(rows.into_iter().map(step).collect(), None),
        (Field::Missing(g), true) => Fact::unknown(g.clone()),
    };
    Fact::obj(
        vec![
            ("id", text(&ts.package_id)),
            ("name", text(&ts.name)),
            ("steps", steps),
        ],
        Some(ts.origin),
    )
}

fn step(s: &crate::export::records::Step) -> Fact {
    let join = s.vars.iter().find(|v| {
        v.property.eq_ignore_ascii_case("NetworkJoinType")
            || v.property.eq_ignore_ascii_case("OSDNetworkJoinType")
    });
    let join = match join {
        Some(v) => match v.value.trim() {
            "1" => Fact::str("workgroup", Some(v.origin)),
            "0" => Fact::str("domain", Some(v.origin)),
            other => Fact::str(other, Some(v.origin)),
        }
        .with_raw(format!("NetworkJoinType {}", v.value.trim())),
        None => Fact::new(V::Null, Some(s.origin)),
    };
    Fact::obj(
        vec![
            ("type", Fact::str(&s.class, Some(s.origin))),
            ("name", Fact::str(&s.name, Some(s.origin))),
            ("enabled", Fact::bool(s.enabled, Some(s.origin))),
            ("join", join),
        ],
        Some(s.origin),
    )
}
