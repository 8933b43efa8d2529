//! Deployment facts: what a task sequence deployment's flags mean, its availability window,
//! the effective client settings of its collection, and the deployed task sequence with its
//! steps and boot image.

use super::fact::{Fact, V};
use super::flags::{self, Availability, ContentOption};
use super::{clients, optional_text, text, ById, Context};
use crate::export::family::Family;
use crate::export::field::{Field, Gap, GapKind};
use crate::export::records::{self, Deployment, Step, TaskSequence, INSTALL_VARS, JOIN_VARS};
use crate::export::Export;

pub(crate) fn deployment(export: &Export, d: &Deployment, ctx: &Context, by_id: &ById) -> Fact {
    let flags_fact = |f: &dyn Fn(i64) -> V| match &d.advert_flags {
        Field::Known(v, o) => {
            Fact::new(f(*v), Some(*o)).with_raw(format!("AdvertFlags {v} = 0x{v:08X}"))
        }
        Field::Missing(g) => Fact::unknown(g.clone()),
    };
    // The console's wording first, then the raw flags it was decoded from.
    let availability = match &d.advert_flags {
        Field::Known(v, o) => {
            let a = Availability::from_advert_flags(*v);
            Fact::str(a.name(), Some(*o))
                .with_raw(format!("\"{}\": AdvertFlags {v} = 0x{v:08X}", a.label()))
        }
        Field::Missing(g) => Fact::unknown(g.clone()),
    };
    let to_media = flags_fact(&|v| V::Bool(Availability::from_advert_flags(v).includes_media()));
    let internet = flags_fact(&|v| V::Bool(flags::allows_internet(v)));
    let content_option = match &d.remote_client_flags {
        Field::Known(v, o) => {
            let c = ContentOption::from_remote_client_flags(*v);
            Fact::str(c.name(), Some(*o)).with_raw(format!(
                "\"{}\": RemoteClientFlags {v} = 0x{v:08X}",
                c.label()
            ))
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
    let ts = d
        .package_id
        .known()
        .and_then(|id| by_id.task_sequences.get(id.as_str()).copied());
    let task_sequence = match (ts, export.has(Family::TaskSequence)) {
        (Some(ts), _) => task_sequence(export, ts),
        (None, false) => Fact::unknown(Gap::not_exported(Family::TaskSequence, "the deployed task sequence")),
        (None, true) => Fact::unknown(Gap {
            kind: GapKind::NotProvided(format!(
                "task sequence {0} is not in the export; export it with Export-CMPreflight.ps1 -TaskSequenceId {0}",
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
            ("window", window(d, ctx.now_ms)),
            (
                "client_settings",
                clients::effective(export, &d.collection_id),
            ),
            ("task_sequence", task_sequence),
        ],
        Some(d.origin),
    )
}

/// Time zones run from UTC-12 to UTC+14: a local time is this far from UTC at most.
const BEHIND_MS: i64 = 12 * 3_600_000;
const AHEAD_MS: i64 = 14 * 3_600_000;

/// Whether a time has passed by `now`. A time with `IsGMT` false is the site server's local
/// time, and the export does not hold its zone: its UTC lies within UTC-12..UTC+14 of the value
/// read as UTC, so near `now` the answer is unknown (`None`), never a guess.
fn passed(t: i64, is_gmt: &Field<bool>, now: i64) -> Option<bool> {
    match is_gmt {
        Field::Known(false, _) => {
            if t + BEHIND_MS <= now {
                Some(true)
            } else if t - AHEAD_MS > now {
                Some(false)
            } else {
                None
            }
        }
        _ => Some(t <= now),
    }
}

/// A window time that cannot be settled because its zone is not in the export.
fn zone_unknown(what: &str, t: i64, at: crate::source::Origin) -> Fact {
    Fact::unknown(Gap {
        kind: GapKind::NotProvided(format!(
            "it is {} in the site server's local time ({what}IsGMT is false), within the 26 hours of time zones around now, and the export does not hold the server's time zone",
            iso(t).trim_end_matches(" UTC")
        )),
        at: Some(at),
        what: format!("SMS_Advertisement.{what}"),
        family: Some(Family::Deployment),
    })
}

/// Whether the deployment is offered now: `open`, `not_yet` (PresentTime in the future) or
/// `expired` (ExpirationTime passed). Times are UTC when `…IsGMT` is true (and for the
/// \/Date(ms)\/ form); local times are compared with the zone's uncertainty (see [`passed`]).
/// A time or flag that is needed but missing or invalid makes the window unknown, never open.
fn window(d: &Deployment, now: i64) -> Fact {
    let expires = match &d.expiration_time_enabled {
        Field::Known(false, _) => None,
        Field::Known(true, _) => match &d.expiration_time {
            Field::Known(t, o) => Some((*t, *o)),
            Field::Missing(g) => return Fact::unknown(g.clone()),
        },
        Field::Missing(g) => return Fact::unknown(g.clone()),
    };
    if let Some((t, o)) = expires {
        match passed(t, &d.expiration_time_is_gmt, now) {
            Some(true) => {
                return Fact::str("expired", Some(o)).with_raw(format!(
                    "ExpirationTime {}",
                    shown(t, &d.expiration_time_is_gmt)
                ))
            }
            Some(false) => {}
            None => return zone_unknown("ExpirationTime", t, o),
        }
    }
    // PresentTimeEnabled is true unless the export says otherwise.
    let present_enabled = match &d.present_time_enabled {
        Field::Known(b, _) => *b,
        Field::Missing(g) if g.kind == GapKind::Absent => true,
        Field::Missing(g) => return Fact::unknown(g.clone()),
    };
    if present_enabled {
        return match &d.present_time {
            Field::Known(t, o) => match passed(*t, &d.present_time_is_gmt, now) {
                Some(true) => Fact::str("open", Some(*o)),
                Some(false) => Fact::str("not_yet", Some(*o))
                    .with_raw(format!("PresentTime {}", shown(*t, &d.present_time_is_gmt))),
                None => zone_unknown("PresentTime", *t, *o),
            },
            Field::Missing(g) => Fact::unknown(g.clone()),
        };
    }
    Fact::str("open", Some(d.origin))
}

/// A window time as the export means it: UTC, or the site server's local time.
fn shown(t: i64, is_gmt: &Field<bool>) -> String {
    match is_gmt {
        Field::Known(false, _) => format!(
            "{} (site server local time)",
            iso(t).trim_end_matches(" UTC")
        ),
        _ => iso(t),
    }
}

/// `2026-11-20 09:30 UTC` from milliseconds since the epoch.
pub fn iso(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        rem / 3600,
        rem % 3600 / 60
    )
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

/// The deployed task sequence. Its `steps` stay unknown here: they are decoded only for the
/// deployments checked ([`steps`], through `Model::complete`).
fn task_sequence(export: &Export, ts: &TaskSequence) -> Fact {
    let steps = Fact::unknown(Gap {
        kind: GapKind::NotProvided("the steps are read for the deployments checked only".into()),
        at: ts.sequence.origin(),
        what: "The task sequence's steps".into(),
        family: Some(Family::TaskSequence),
    });
    Fact::obj(
        vec![
            ("id", text(&ts.package_id)),
            ("name", text(&ts.name)),
            ("steps", steps),
            ("dependent_program", optional_text(&ts.dependent_program)),
            (
                "alternate_content_providers",
                optional_text(&ts.alternate_content_providers),
            ),
            ("boot_image", boot_image(export, &ts.boot_image_id)),
        ],
        Some(ts.origin),
    )
}

/// The steps of a task sequence: from its Sequence XML, decoded now; the Get-CMTaskSequenceStep
/// output stands in when the XML is missing.
pub(crate) fn steps(export: &Export, ts: &TaskSequence, by_id: &ById) -> Fact {
    let id = ts.package_id.known().map_or("", String::as_str);
    let rows: &[&Step] = by_id.step_rows.get(id).map_or(&[], Vec::as_slice);
    match (records::steps(ts, &export.sources), rows.is_empty()) {
        (Field::Known(steps, o), _) => Fact::list(steps.iter().map(step).collect(), Some(o)),
        (Field::Missing(_), false) => Fact::list(rows.iter().map(|s| step(s)).collect(), None),
        (Field::Missing(g), true) => Fact::unknown(g),
    }
}

fn boot_image(export: &Export, id: &Field<String>) -> Fact {
    let id_fact = optional_text(id);
    let Some(wanted) = id.known().filter(|s| !s.is_empty()) else {
        return Fact::obj(
            vec![("id", id_fact.clone()), ("architecture", id_fact)],
            id.origin(),
        );
    };
    let architecture = match export
        .boot_images
        .iter()
        .find(|b| b.package_id.known() == Some(wanted))
    {
        Some(b) => match &b.architecture {
            Field::Known(a, o) => {
                let name = match a {
                    9 => V::Str("x64".into()),
                    0 => V::Str("x86".into()),
                    5 => V::Str("arm64".into()),
                    _ => V::Null,
                };
                Fact::new(name, Some(*o)).with_raw(format!("Architecture {a}"))
            }
            Field::Missing(g) => Fact::unknown(g.clone()),
        },
        None if !export.has(Family::BootImage) => Fact::unknown(Gap::not_exported(
            Family::BootImage,
            "the boot image's architecture",
        )),
        None => Fact::unknown(Gap {
            kind: GapKind::NotProvided(format!(
                "boot image {wanted} is not in the Get-CMBootImage output"
            )),
            at: id.origin(),
            what: "The boot image".into(),
            family: Some(Family::BootImage),
        }),
    };
    Fact::obj(
        vec![("id", id_fact), ("architecture", architecture)],
        id.origin(),
    )
}

fn step(s: &Step) -> Fact {
    let var = |names: &[&str]| {
        s.vars
            .iter()
            .find(|v| names.iter().any(|n| v.property.eq_ignore_ascii_case(n)))
    };
    // Apply Network Settings: NetworkJoinType; Join Domain or Workgroup: JoinType (0 domain, 1 workgroup).
    let join = match var(&JOIN_VARS) {
        Some(v) => match v.value.trim() {
            "1" => Fact::str("workgroup", Some(v.origin)),
            "0" => Fact::str("domain", Some(v.origin)),
            other => Fact::str(other, Some(v.origin)),
        }
        .with_raw(format!("{} {}", v.property, v.value.trim())),
        None => Fact::new(V::Null, Some(s.origin)),
    };
    let install = match var(&INSTALL_VARS) {
        Some(v) => Fact::str(v.value.clone(), Some(v.origin)),
        None => Fact::new(V::Null, Some(s.origin)),
    };
    Fact::obj(
        vec![
            ("type", Fact::str(&s.class, Some(s.origin))),
            ("name", Fact::str(&s.name, Some(s.origin))),
            ("enabled", Fact::bool(s.enabled, Some(s.origin))),
            ("join", join),
            ("install_properties", install),
        ],
        Some(s.origin),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn iso_dates() {
        assert_eq!(super::iso(1_605_605_400_000), "2020-11-17 09:30 UTC");
        assert_eq!(super::iso(0), "1970-01-01 00:00 UTC");
    }
}
