//! Site-level facts: the primary site and its version, communication security, CMGs and
//! cloud DPs, CMG connection points, management points and boundary groups.

use super::fact::{Fact, V};
use super::flags::{self, CommMode};
use super::{content, text};
use crate::export::family::Family;
use crate::export::field::{Field, Gap, GapKind};
use crate::export::records::{AzureService, Prop, SysRole};
use crate::export::Export;

pub fn site(export: &Export) -> Fact {
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
                ("technical_preview", gap()),
                ("communication", communication(export, None)),
            ],
            None,
        );
    };
    let (release, preview) = match &site.build {
        Field::Known(b, o) => (
            flags::release_for_build(*b)
                .map_or(Fact::new(V::Null, Some(*o)), |r| Fact::str(r, Some(*o))),
            Fact::bool(flags::is_preview_build(*b), Some(*o)),
        ),
        Field::Missing(g) => (Fact::unknown(g.clone()), Fact::unknown(g.clone())),
    };
    Fact::obj(
        vec![
            ("code", text(&site.code)),
            ("name", text(&site.name)),
            ("version", text(&site.version)),
            ("build", Fact::from_field(&site.build, |b| V::Int(*b))),
            ("release", release),
            ("technical_preview", preview),
            ("communication", communication(export, site.code.known())),
        ],
        Some(site.origin),
    )
}
pub fn communication(export: &Export, code: Option<&String>) -> Fact {
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
            "the site component manager of the site",
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
pub(crate) fn prop(
    props: &Field<Vec<Prop>>,
    name: &str,
    class: &str,
) -> Result<Field<i64>, Box<Gap>> {
    match props {
        Field::Missing(g) => Err(g.clone()),
        Field::Known(list, at) => match list.iter().find(|p| p.name.eq_ignore_ascii_case(name)) {
            Some(p) => Ok(p.value.clone()),
            None => Err(Box::new(Gap {
                kind: GapKind::Absent,
                at: Some(*at),
                what: format!("{class}.Props[{name}]"),
                family: None,
            })),
        },
    }
}

pub fn azure(export: &Export, s: &AzureService) -> Fact {
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
    // No property says classic or VMSS [UNDOC]: a VMSS CMG's service name is
    // <name>.<region>.cloudapp.azure.com, a classic one's <name>.cloudapp.net [INFER].
    let model = match &s.service_cname {
        Field::Known(c, o) => {
            let c = c.to_ascii_lowercase();
            let m = if c.ends_with(".cloudapp.azure.com") {
                V::Str("vmss".into())
            } else if c.ends_with(".cloudapp.net") {
                V::Str("classic".into())
            } else {
                V::Null
            };
            Fact::new(m, Some(*o)).with_raw(format!("ServiceCName {c}"))
        }
        Field::Missing(g) => Fact::unknown(g.clone()),
    };
    let crl = match &s.checks_crl {
        Field::Missing(g) if g.kind == GapKind::Absent => Fact::new(V::Null, Some(s.origin)),
        f => Fact::from_field(f, |b| V::Bool(*b)),
    };
    let hosts = content::cloud_hosts(std::iter::once(s));
    Fact::obj(
        vec![
            ("name", text(&s.name)),
            ("host", host),
            ("state", state),
            ("deployment_model", model),
            (
                "content_enabled",
                content::content_location(export, &hosts, s.origin),
            ),
            ("checks_crl", crl),
        ],
        Some(s.origin),
    )
}

pub fn connection_point(r: &SysRole) -> Fact {
    Fact::obj(vec![("server", text(&r.server))], Some(r.origin))
}

pub fn management_point(r: &SysRole) -> Fact {
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

/// SMS_BoundaryGroup.Flags bit 8: "Prefer cloud based sources over on-premises sources".
const PREFER_CLOUD: i64 = 8;

pub fn boundary_groups(export: &Export, cmg_hosts: &[String]) -> Vec<Fact> {
    let systems_known = export.has(Family::BoundaryGroupSiteSystem);
    export
        .boundary_groups
        .iter()
        .map(|g| {
            let id = g.group_id.known();
            let has_cmg = if systems_known {
                let hit = export.boundary_group_site_systems.iter().find(|s| {
                    s.group_id.known() == id
                        && s.nal_path(&export.sources)
                            .is_some_and(|p| content::on_host(&p, cmg_hosts))
                });
                Fact::bool(hit.is_some(), Some(hit.map_or(g.origin, |h| h.origin)))
            } else {
                Fact::unknown(Gap::not_exported(
                    Family::BoundaryGroupSiteSystem,
                    "the boundary group's site systems",
                ))
            };
            Fact::obj(
                vec![
                    ("name", text(&g.name)),
                    (
                        "prefer_cloud",
                        Fact::from_field(&g.flags, |f| V::Bool(f & PREFER_CLOUD != 0))
                            .with_raw("Flags"),
                    ),
                    ("has_cmg", has_cmg),
                ],
                Some(g.origin),
            )
        })
        .collect()
}
