//! Client settings effective for a deployment's collection (domain §2.3): among the custom
//! device settings deployed to that collection the lowest Priority number that configures
//! Cloud Services wins; Default Client Settings (priority 10000) come last. Offline we only
//! know the deployment's collection, so settings deployed elsewhere are listed as competing.

use super::fact::{Fact, V};
use crate::export::family::Family;
use crate::export::field::{Field, Gap, GapKind};
use crate::export::records::{ClientSetting, CloudServices};
use crate::export::Export;
use crate::source::Origin;

const DEFAULT_PRIORITY: i64 = 10_000;

fn is_default(s: &ClientSetting) -> bool {
    s.kind.known() == Some(&0) || s.priority.known() == Some(&DEFAULT_PRIORITY)
}

fn is_custom_device(s: &ClientSetting) -> bool {
    s.kind.known() == Some(&1)
}

fn name(s: &ClientSetting) -> String {
    s.name
        .known()
        .cloned()
        .unwrap_or_else(|| s.settings_id.known().cloned().unwrap_or_default())
}

/// The Cloud Services values of Default Client Settings: what a newly installed client gets
/// before it is in any collection (CS-04).
pub fn default_settings(export: &Export) -> Fact {
    if !export.has(Family::ClientSetting) {
        return Fact::unknown(Gap::not_exported(
            Family::ClientSetting,
            "Default Client Settings",
        ));
    }
    let Some(d) = export.client_settings.iter().find(|s| is_default(s)) else {
        return Fact::unknown(Gap::not_exported(
            Family::ClientSetting,
            "Default Client Settings",
        ));
    };
    match &d.cloud {
        Field::Known(Some(c), at) => Fact::obj(
            vec![
                (
                    "allow_cloud_dp",
                    Fact::from_field(&c.allow_cloud_dp, |b| V::Bool(*b)),
                ),
                ("allow_cmg", Fact::from_field(&c.allow_cmg, |b| V::Bool(*b))),
            ],
            Some(*at),
        ),
        Field::Known(None, at) => Fact::unknown(Gap {
            kind: GapKind::Absent,
            at: Some(*at),
            what: "Cloud Services of Default Client Settings".into(),
            family: Some(Family::ClientSetting),
        }),
        Field::Missing(g) => Fact::unknown(g.clone()),
    }
}

/// The built-in collections whose membership is known without the export: All Systems
/// (SMS00001) holds every device; All Desktop and Server Clients (SMSDM003) every device with
/// a client, which a device reimaged from a deployment to a normal collection is; a deployment to
/// an unknown-computer collection (SMS000US, SMS000UA, SMS000UB) reaches devices that are
/// only in All Systems. Membership of any other collection is not in the export.
fn implied_collections(target: &str) -> &'static [&'static str] {
    const UNKNOWN: [&str; 3] = ["SMS000US", "SMS000UA", "SMS000UB"];
    if UNKNOWN.iter().any(|u| u.eq_ignore_ascii_case(target)) {
        &["SMS00001"]
    } else {
        &["SMS00001", "SMSDM003"]
    }
}

fn builtin_name(id: &str) -> &'static str {
    match id.to_ascii_uppercase().as_str() {
        "SMS00001" => "All Systems",
        "SMSDM003" => "All Desktop and Server Clients",
        _ => "a built-in collection",
    }
}

pub fn effective(export: &Export, collection: &Field<String>) -> Fact {
    if !export.has(Family::ClientSetting) {
        return Fact::unknown(Gap::not_exported(
            Family::ClientSetting,
            "the client settings",
        ));
    }
    let collection = match collection {
        Field::Known(c, _) => c,
        Field::Missing(g) => return Fact::unknown(g.clone()),
    };
    let customs: Vec<&ClientSetting> = export
        .client_settings
        .iter()
        .filter(|s| is_custom_device(s))
        .collect();
    if !customs.is_empty() && !export.has(Family::ClientSettingDeployment) {
        return Fact::unknown(Gap::not_exported(
            Family::ClientSettingDeployment,
            "telling which custom client settings apply to the collection",
        ));
    }
    let deployed_to = |s: &ClientSetting| -> Vec<(&String, Origin)> {
        let Some(id) = s.settings_id.known() else {
            return Vec::new();
        };
        export
            .client_setting_deployments
            .iter()
            .filter(|d| d.settings_id.known() == Some(id))
            .filter_map(|d| match &d.collection_id {
                Field::Known(c, o) => Some((c, *o)),
                Field::Missing(_) => None,
            })
            .collect()
    };
    // Settings deployed to the target collection, or to a built-in collection that every
    // device of it is in, apply to its devices.
    let implied = implied_collections(collection);
    let applies = |c: &str| {
        c.eq_ignore_ascii_case(collection) || implied.iter().any(|i| c.eq_ignore_ascii_case(i))
    };
    let mut candidates: Vec<(&ClientSetting, Origin, String)> = customs
        .iter()
        .filter_map(|s| {
            deployed_to(s)
                .into_iter()
                .find(|(c, _)| applies(c))
                .map(|(c, o)| (*s, o, c.clone()))
        })
        .collect();
    if let Some((s, _, _)) = candidates
        .iter()
        .find(|(s, _, _)| s.priority.known().is_none())
    {
        if let Field::Missing(g) = &s.priority {
            return Fact::unknown(g.clone());
        }
    }
    candidates.sort_by_key(|(s, _, _)| s.priority.known().copied().unwrap_or(DEFAULT_PRIORITY));

    // The winning setting, its Cloud Services, and where it is deployed (none for Default).
    type Winner<'e> = (
        &'e ClientSetting,
        &'e CloudServices,
        Option<(Origin, String)>,
    );
    let mut winner: Option<Winner> = None;
    for (s, assignment, to) in &candidates {
        match &s.cloud {
            Field::Known(Some(cloud), _) => {
                winner = Some((s, cloud, Some((*assignment, to.clone()))));
                break;
            }
            Field::Known(None, _) => continue,
            Field::Missing(g) => return Fact::unknown(g.clone()),
        }
    }
    let (winner, cloud, assignment) = match winner {
        Some(w) => w,
        None => match export.client_settings.iter().find(|s| is_default(s)) {
            None => {
                return Fact::unknown(Gap::not_exported(
                    Family::ClientSetting,
                    "Default Client Settings",
                ))
            }
            Some(d) => match &d.cloud {
                Field::Known(Some(cloud), _) => (d, cloud, None),
                Field::Known(None, at) => {
                    return Fact::unknown(Gap {
                        kind: GapKind::Absent,
                        at: Some(*at),
                        what: "Cloud Services of Default Client Settings".into(),
                        family: Some(Family::ClientSetting),
                    })
                }
                Field::Missing(g) => return Fact::unknown(g.clone()),
            },
        },
    };
    let winner_priority = winner.priority.known().copied().unwrap_or(DEFAULT_PRIORITY);
    let winner_at = winner.name.origin().unwrap_or(winner.origin);
    let mut also = vec![(winner_at, format!("client setting `{}` (priority {winner_priority}) decides Cloud Services for collection {collection}", name(winner)))];
    if let Some((a, to)) = &assignment {
        let via = if to.eq_ignore_ascii_case(collection) {
            String::new()
        } else {
            format!(
                " ({}, which every device of collection {collection} is in)",
                builtin_name(to)
            )
        };
        also.push((
            *a,
            format!(
                "`{}` is deployed to collection {to}{via} here",
                name(winner)
            ),
        ));
    }
    let value = |f: &Field<bool>| Fact::from_field(f, |b| V::Bool(*b)).with_also(also.clone());
    let competing: Vec<Fact> = customs
        .iter()
        .filter(|s| s.priority.known().is_some_and(|p| *p < winner_priority))
        .filter_map(|s| match &s.cloud {
            Field::Known(Some(c), _) => {
                let other = deployed_to(s).into_iter().find(|(c, _)| !applies(c))?;
                Some(Fact::obj(
                    vec![
                        ("name", Fact::str(name(s), Some(s.origin))),
                        ("priority", Fact::from_field(&s.priority, |p| V::Int(*p))),
                        ("collection_id", Fact::str(other.0.clone(), Some(other.1))),
                        (
                            "allow_cloud_dp",
                            Fact::from_field(&c.allow_cloud_dp, |b| V::Bool(*b)),
                        ),
                        ("allow_cmg", Fact::from_field(&c.allow_cmg, |b| V::Bool(*b))),
                    ],
                    Some(s.origin),
                ))
            }
            _ => None,
        })
        .collect();
    // The first competing setting that turns an option off: the one a fix changes.
    let off = |f: Option<&Fact>| matches!(f.map(|f| &f.value), Some(V::Bool(false)));
    let competing_off = competing
        .iter()
        .find(|c| off(c.get("allow_cmg")) || off(c.get("allow_cloud_dp")))
        .and_then(|c| c.get("name").cloned())
        .unwrap_or_else(|| Fact::new(V::Null, Some(winner.origin)));
    Fact::obj(
        vec![
            ("source", Fact::str(name(winner), Some(winner.origin))),
            ("allow_cloud_dp", value(&cloud.allow_cloud_dp)),
            ("allow_cmg", value(&cloud.allow_cmg)),
            ("competing", Fact::list(competing, Some(winner.origin))),
            ("competing_off", competing_off),
        ],
        Some(winner.origin),
    )
}
