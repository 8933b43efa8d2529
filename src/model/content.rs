//! Content the task sequence references (References[] plus BootImageID), and its state on
//! the content-enabled CMGs and cloud DPs, from the per-DP content status rows. Application
//! references use model names; the rows' SecureObjectID maps them to content (domain §2.4).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use super::fact::{Fact, V};
use super::flags;
use crate::export::family::Family;
use crate::export::field::{Field, Gap};
use crate::export::records::{AzureService, ContentStatus, TaskSequence};
use crate::export::Export;
use crate::source::{Origin, SourceMap};

/// Lower-case names a CMG or cloud DP may appear under in a NAL path.
pub fn cloud_hosts<'a>(services: impl Iterator<Item = &'a AzureService>) -> Vec<String> {
    let mut hosts = Vec::new();
    for s in services {
        for f in [&s.service_cname, &s.fqdn, &s.name] {
            if let Some(h) = f.known() {
                let h = h.trim().to_ascii_lowercase();
                if !h.is_empty() && !hosts.contains(&h) {
                    hosts.push(h);
                }
            }
        }
    }
    hosts
}

/// A NAL path names a server as `\\host\` or `\\host.domain\`; a host must stand between
/// separators, so `cmg` does not match `cmg-dp`. Hosts are as [`cloud_hosts`] gives them
/// (ASCII lower case, though both sides are compared without case); the path is not copied.
pub fn on_host(nal: &str, hosts: &[String]) -> bool {
    hosts.iter().any(|h| host_in(nal, h))
}

fn host_in(nal: &str, h: &str) -> bool {
    let (hay, needle) = (nal.as_bytes(), h.as_bytes());
    if needle.is_empty() {
        return false;
    }
    let boundary_before = |i: usize| {
        matches!(
            i.checked_sub(1).map(|j| hay[j]),
            Some(b'\\' | b'=' | b'/' | b'.')
        )
    };
    let boundary_after = |j: usize| matches!(hay.get(j), Some(b'\\' | b'.' | b'"' | b'/') | None);
    // Non-overlapping matches from the left, as `str::match_indices` finds them. A match of
    // valid UTF-8 in valid UTF-8 starts and ends on character boundaries, and the separators
    // are ASCII, so the bytes beside a match are the characters beside it.
    let mut i = 0;
    while i + needle.len() <= hay.len() {
        if hay[i].eq_ignore_ascii_case(&needle[0])
            && hay[i..i + needle.len()].eq_ignore_ascii_case(needle)
        {
            if boundary_before(i) && boundary_after(i + needle.len()) {
                return true;
            }
            i += needle.len();
        } else {
            i += 1;
        }
    }
    false
}

/// Whether a CMG is content-enabled, inferred from the export [INFER]: no property says so,
/// but a content-enabled CMG shows up as a content location (a distribution point row, or
/// content status rows for its host).
pub fn content_location(export: &Export, hosts: &[String], origin: Origin) -> Fact {
    let dp = export.distribution_points.iter().find(|d| {
        [&d.server, &d.nal_path].iter().any(|f| {
            f.known()
                .is_some_and(|v| on_host(&format!("\\\\{v}\\"), hosts) || on_host(v, hosts))
        })
    });
    if let Some(d) = dp {
        return Fact::bool(true, Some(d.origin)).with_raw("a distribution point row for the CMG");
    }
    let row = export.content_status.iter().find(|r| {
        r.nal_path(&export.sources)
            .is_some_and(|p| on_host(&p, hosts))
    });
    if let Some(r) = row {
        return Fact::bool(true, Some(r.origin)).with_raw("content status rows for the CMG");
    }
    if export.has(Family::DistributionPoint) || export.has(Family::ContentStatus) {
        Fact::bool(false, Some(origin))
            .with_raw("no distribution point or content status row names the CMG")
    } else {
        Fact::unknown(Gap::not_exported(
            Family::DistributionPoint,
            "telling whether the CMG serves content",
        ))
    }
}

/// An id compared and hashed without ASCII case, borrowed from its record or the export's
/// text: no lower-cased copy per content status row (a large site has hundreds of thousands).
#[derive(Clone, Debug)]
pub struct Key<'a>(pub Cow<'a, str>);

impl PartialEq for Key<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.0.eq_ignore_ascii_case(&other.0)
    }
}

impl Eq for Key<'_> {}

impl std::hash::Hash for Key<'_> {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        // Lower-cased a chunk at a time on the stack: one hasher call per chunk, not per byte.
        let mut buf = [0u8; 32];
        for chunk in self.0.as_bytes().chunks(buf.len()) {
            let buf = &mut buf[..chunk.len()];
            buf.copy_from_slice(chunk);
            buf.make_ascii_lowercase();
            h.write(buf);
        }
        h.write_u8(0xFF);
    }
}

/// The ids a task sequence's content is looked up by: its references and its boot image.
pub fn content_keys<'a>(ts: &'a TaskSequence, out: &mut HashSet<Key<'a>>) {
    if let Field::Known(refs, _) = &ts.references {
        out.extend(
            refs.iter()
                .filter_map(|r| r.package.known())
                .map(|p| Key(Cow::Borrowed(p))),
        );
    }
    if let Some(id) = ts.boot_image_id.known() {
        out.insert(Key(Cow::Borrowed(id)));
    }
}

pub struct Index<'a> {
    /// Rows by PackageID and SecureObjectID, each with whether it is on a CMG or cloud DP
    /// (decided once per row, not once per reference to it).
    rows: HashMap<Key<'a>, Vec<(&'a ContentStatus, bool)>>,
    /// The CMG hosts, for the why-chain of content that is not on one.
    hosts: String,
    /// The export's files, which the rows' NAL paths are decoded from.
    sources: &'a SourceMap,
    present: bool,
    cmgs_known: bool,
}

impl<'a> Index<'a> {
    /// The rows of the content with these ids (all rows when `None`).
    pub fn new(export: &'a Export, hosts: &[String], wanted: Option<&HashSet<Key<'a>>>) -> Self {
        let mut rows: HashMap<Key<'a>, Vec<(&ContentStatus, bool)>> = HashMap::new();
        for r in &export.content_status {
            let mut keys: [Option<Key<'a>>; 2] = r.ids(&export.sources).map(|k| k.map(Key));
            if keys[0] == keys[1] {
                keys[1] = None;
            }
            if let Some(wanted) = wanted {
                keys = keys.map(|k| k.filter(|k| wanted.contains(k)));
            }
            if keys == [None, None] {
                continue;
            }
            let cloud = r
                .nal_path(&export.sources)
                .is_some_and(|p| on_host(&p, hosts));
            for k in keys.into_iter().flatten() {
                rows.entry(k).or_default().push((r, cloud));
            }
        }
        Index {
            rows,
            hosts: hosts.join(", "),
            sources: &export.sources,
            present: export.has(Family::ContentStatus),
            cmgs_known: export.has(Family::AzureService),
        }
    }

    pub fn referenced(&self, ts: &'a TaskSequence) -> Vec<Fact> {
        let mut out = Vec::new();
        let mut seen: Vec<String> = Vec::new();
        match &ts.references {
            Field::Missing(g) => out.push(Fact::unknown(g.clone())),
            Field::Known(refs, _) => {
                for r in refs {
                    match &r.package {
                        Field::Known(id, o) => {
                            let kind = if r.kind.known() == Some(&1) {
                                "application"
                            } else {
                                "package"
                            };
                            seen.push(id.to_ascii_lowercase());
                            let listed_in = if ts.references_from_sequence {
                                "sequence_xml"
                            } else {
                                "references"
                            };
                            out.push(self.item(id, kind, *o, listed_in));
                        }
                        Field::Missing(g) => out.push(Fact::unknown(g.clone())),
                    }
                }
            }
        }
        match &ts.boot_image_id {
            Field::Known(id, o) if !id.is_empty() => {
                if !seen.contains(&id.to_ascii_lowercase()) {
                    out.push(self.item(id, "boot_image", *o, "boot_image_id"));
                }
            }
            Field::Known(..) => {}
            // A task sequence without a boot image has BootImageID "" once loaded; absent or null means not loaded.
            Field::Missing(g) => out.push(Fact::unknown(g.clone())),
        }
        out
    }

    fn item(&self, id: &'a str, kind: &str, at: Origin, listed_in: &str) -> Fact {
        let found = self
            .rows
            .get(&Key(Cow::Borrowed(id)))
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let rows: Vec<&ContentStatus> = found.iter().map(|(r, _)| *r).collect();
        let rows = rows.as_slice();
        let package_id = rows
            .iter()
            .find_map(|r| {
                let [package_id, _] = r.ids(self.sources);
                package_id.map(Cow::into_owned)
            })
            .unwrap_or_else(|| id.to_string());
        let cloud: Vec<&&ContentStatus> = found
            .iter()
            .filter(|(_, cloud)| *cloud)
            .map(|(r, _)| r)
            .collect();
        let missing = match (self.present, self.cmgs_known) {
            (false, _) => Some(Gap::not_exported(
                Family::ContentStatus,
                "the content distribution status",
            )),
            (_, false) => Some(Gap::not_exported(
                Family::AzureService,
                "telling which content locations are CMGs",
            )),
            _ => None,
        };
        let current = current_version(rows, &cloud);
        let (on_cmg, state) = if let Some(gap) = missing {
            (Fact::unknown(gap.clone()), Fact::unknown(gap))
        } else if cloud.is_empty() {
            let raw = if rows.is_empty() {
                "no content status row for it on any distribution point".to_string()
            } else {
                format!("content status rows for {} distribution point(s), none of them a CMG or cloud DP", rows.len())
            };
            // The why-chain shows the rows that were looked at and found not on a CMG.
            let hosts = &self.hosts;
            let context = rows
                .iter()
                .take(5)
                .map(|r| {
                    (
                        r.server_nal_path.origin().unwrap_or(r.origin),
                        format!(
                            "content status row for {}: not a CMG or cloud DP (CMG hosts: {hosts})",
                            server(r, self.sources)
                        ),
                    )
                })
                .collect();
            (
                Fact::bool(false, Some(at))
                    .with_raw(raw)
                    .with_context(context),
                Fact::new(V::Null, Some(at)),
            )
        } else {
            let best = cloud
                .iter()
                .min_by_key(|r| r.state.known().map_or(99, |s| rank(*s)))
                .copied();
            let state = match best.map(|r| &r.state) {
                Some(Field::Known(s, o)) => Fact::str(
                    flags::content_state_name(*s).unwrap_or("unknown_state"),
                    Some(*o),
                )
                .with_raw(format!("State {s}")),
                Some(Field::Missing(g)) => Fact::unknown(g.clone()),
                None => Fact::new(V::Null, Some(at)),
            };
            let context = best
                .map(|r| {
                    let at = r.server_nal_path.origin().unwrap_or(r.origin);
                    vec![(
                        at,
                        format!("content status row for the CMG {}", server(r, self.sources)),
                    )]
                })
                .unwrap_or_default();
            (
                Fact::bool(true, best.map(|r| r.origin)).with_context(context),
                state,
            )
        };
        Fact::obj(
            vec![
                ("id", Fact::str(id, Some(at))),
                ("package_id", Fact::str(package_id, Some(at))),
                ("kind", Fact::str(kind, Some(at))),
                ("object_type", object_type(rows, kind, at)),
                ("listed_in", Fact::str(listed_in, Some(at))),
                ("on_cmg", on_cmg),
                ("cmg_state", state),
                ("cmg_current", current),
            ],
            Some(at),
        )
    }
}

/// The server a content status row is for: the host of its NAL path
/// (`["Display=\\\\dp1.contoso.com\\"]MSWNET:...` gives `dp1.contoso.com`), else the path.
fn server(r: &ContentStatus, sources: &SourceMap) -> String {
    let Some(nal) = r.nal_path(sources) else {
        return "an unnamed server".into();
    };
    nal.rsplit("\\\\")
        .find_map(|tail| {
            tail.split('\\')
                .next()
                .filter(|h| !h.is_empty() && !h.contains('"'))
        })
        .map_or_else(|| nal.to_string(), str::to_string)
}

/// What sort of object the content is, which decides the parameter set of the content cmdlets
/// (`Start-CMContentDistribution -DriverPackageId` for a driver package). From the content
/// status rows' PackageType (SMS_PackageStatusDistPointsSummarizer), else from how the task
/// sequence references it; unknown when neither says.
fn object_type(rows: &[&ContentStatus], kind: &str, at: Origin) -> Fact {
    if let Some((t, o)) = rows.iter().find_map(|r| match &r.package_type {
        Field::Known(t, o) => Some((*t, *o)),
        Field::Missing(_) => None,
    }) {
        let name = match t {
            0 => "package",
            3 => "driver_package",
            4 => "task_sequence",
            5 => "software_update_package",
            8 => "application",
            257 => "os_image",
            258 => "boot_image",
            259 => "os_upgrade_package",
            _ => "other",
        };
        return Fact::str(name, Some(o)).with_raw(format!("PackageType {t}"));
    }
    match kind {
        "application" | "boot_image" => Fact::str(kind, Some(at)),
        _ => Fact::unknown(Gap::not_exported(
            Family::ContentStatus,
            "the package type (PackageType of its content status rows)",
        )),
    }
}

/// Whether the CMG has the newest content version that any distribution point reports [INFER]:
/// the package's own SourceVersion is not in the export, so the newest DP copy stands in.
fn current_version(rows: &[&ContentStatus], cloud: &[&&ContentStatus]) -> Fact {
    let newest = rows
        .iter()
        .filter_map(|r| r.source_version.known().copied())
        .max();
    let on_cmg = cloud
        .iter()
        .filter_map(|r| match &r.source_version {
            Field::Known(v, o) => Some((*v, *o)),
            Field::Missing(_) => None,
        })
        .max_by_key(|(v, _)| *v);
    match (newest, on_cmg) {
        (Some(n), Some((v, o))) => Fact::bool(v >= n, Some(o)).with_raw(format!(
            "SourceVersion {v} on the CMG, {n} on the newest distribution point"
        )),
        _ => Fact::new(V::Null, None),
    }
}

/// Installed is best, then transient states, then failures.
fn rank(state: i64) -> u8 {
    match state {
        0 => 0,
        7 | 8 => 1,
        1 | 2 => 2,
        _ => 3,
    }
}

#[cfg(test)]
mod tests {
    use super::on_host;

    #[test]
    fn nal_paths_match_cmg_hosts_only() {
        let hosts = vec![
            "contosocmg.eastus.cloudapp.azure.com".to_string(),
            "contosocmg".to_string(),
        ];
        let cmg = r#"["Display=\\contosocmg.eastus.cloudapp.azure.com\"]MSWNET:["SMS_SITE=PS1"]\\contosocmg.eastus.cloudapp.azure.com\"#;
        let dp = r#"["Display=\\DP01.contoso.com\"]MSWNET:["SMS_SITE=PS1"]\\DP01.contoso.com\"#;
        let other = r#"["Display=\\contosocmg-dp.contoso.com\"]MSWNET:["SMS_SITE=PS1"]\\contosocmg-dp.contoso.com\"#;
        assert!(on_host(cmg, &hosts));
        assert!(!on_host(dp, &hosts));
        assert!(!on_host(other, &hosts));
    }
}
