//! Typed records, one struct per object family, holding only what the model needs.
//! Each property is a `Field`: the value with its origin, or the gap that explains its absence.

use super::family::Family;
use super::field::{Field, Gap, GapKind, Kept, Obj, StringPlaces};
use super::sequence;
use std::borrow::Cow;

use crate::source::node::{Node, Value};
use crate::source::{Origin, SourceMap};

/// An embedded `SMS_EmbeddedProperty` of a site control object (`Props[]`).
#[derive(Clone, Debug)]
pub struct Prop {
    pub name: String,
    pub value: Field<i64>,
    pub value1: Option<String>,
}

#[derive(Clone, Debug)]
pub struct Site {
    pub code: Field<String>,
    pub name: Field<String>,
    pub version: Field<String>,
    pub build: Field<i64>,
    pub site_type: Field<i64>,
    pub origin: Origin,
}

#[derive(Clone, Debug)]
pub struct SiteComponent {
    pub site_code: Field<String>,
    pub component: Field<String>,
    pub props: Field<Vec<Prop>>,
    pub origin: Origin,
}

#[derive(Clone, Debug)]
pub struct AzureService {
    pub id: Field<String>,
    pub name: Field<String>,
    pub service_cname: Field<String>,
    pub fqdn: Field<String>,
    pub service_type: Field<String>,
    pub state: Field<i64>,
    pub checks_crl: Field<bool>,
    pub origin: Origin,
}

/// `SMS_SCI_SysResUse`: a site system role (management point, connection point, DP).
#[derive(Clone, Debug)]
pub struct SysRole {
    pub role: Field<String>,
    pub server: Field<String>,
    pub site_code: Field<String>,
    pub ssl_state: Field<i64>,
    pub props: Field<Vec<Prop>>,
    pub origin: Origin,
}

#[derive(Clone, Debug)]
pub struct DpInfo {
    pub server: Field<String>,
    pub nal_path: Field<String>,
    pub resource_type: Field<String>,
    pub origin: Origin,
}

#[derive(Clone, Debug)]
pub struct ContentStatus {
    /// Ids and NAL path are kept in the text and read on demand ([`Kept`]): no allocation for
    /// each of a large site's hundreds of thousands of rows.
    pub package_id: Field<Kept>,
    pub secure_object_id: Field<Kept>,
    pub server_nal_path: Field<Kept>,
    pub state: Field<i64>,
    pub source_version: Field<i64>,
    pub package_type: Field<i64>,
    pub origin: Origin,
}

impl ContentStatus {
    /// The decoded ServerNALPath, `None` when it is missing.
    pub fn nal_path<'t>(&'t self, sources: &'t SourceMap) -> Option<Cow<'t, str>> {
        kept_text(&self.server_nal_path, sources)
    }

    /// The PackageID and the SecureObjectID, trimmed; each `None` when missing.
    pub fn ids<'t>(&'t self, sources: &'t SourceMap) -> [Option<Cow<'t, str>>; 2] {
        // Trimmed as `Obj::id` reads ids.
        [&self.package_id, &self.secure_object_id].map(|f| {
            kept_text(f, sources).map(|id| match id {
                Cow::Borrowed(s) => Cow::Borrowed(s.trim()),
                Cow::Owned(s) => Cow::Owned(s.trim().to_string()),
            })
        })
    }
}

/// A kept string decoded from the file it is in; `None` when missing. Its escapes were
/// checked on load, so decoding it again cannot fail on the same text.
fn kept_text<'t>(f: &'t Field<Kept>, sources: &'t SourceMap) -> Option<Cow<'t, str>> {
    match f {
        Field::Known(kept, at) => kept.get(*at, &sources.get(at.file).text).ok(),
        Field::Missing(_) => None,
    }
}

#[derive(Clone, Debug)]
pub struct ClientSetting {
    pub name: Field<String>,
    pub settings_id: Field<String>,
    pub priority: Field<i64>,
    pub kind: Field<i64>,
    /// `Known(None)`: this setting does not configure Cloud Services.
    pub cloud: Field<Option<CloudServices>>,
    pub origin: Origin,
}

#[derive(Clone, Debug)]
pub struct CloudServices {
    pub allow_cloud_dp: Field<bool>,
    pub allow_cmg: Field<bool>,
}

#[derive(Clone, Debug)]
pub struct ClientSettingDeployment {
    pub settings_id: Field<String>,
    pub collection_id: Field<String>,
    pub origin: Origin,
}

#[derive(Clone, Debug)]
pub struct TaskSequence {
    pub package_id: Field<String>,
    pub name: Field<String>,
    pub boot_image_id: Field<String>,
    pub references: Field<Vec<Reference>>,
    /// The references came from the Sequence XML's referenceList because `References` was
    /// cut by ConvertTo-Json's depth (or not loaded).
    pub references_from_sequence: bool,
    pub dependent_program: Field<String>,
    pub alternate_content_providers: Field<String>,
    /// The Sequence XML, whose steps are decoded on demand ([`steps`]): a large site has
    /// thousands of task sequences and a run checks few.
    pub sequence: Field<Kept>,
    pub origin: Origin,
}

/// Properties whose JSON strings are checked but not decoded on load ([`Kept`]): the Sequence
/// XML and the content status rows' ServerNALPath, read on demand, and their SourceNALPath,
/// which nothing reads.
pub const DEFERRED: [&str; 3] = ["Sequence", "ServerNALPath", "SourceNALPath"];

#[derive(Clone, Debug)]
pub struct Reference {
    pub package: Field<String>,
    /// 0 package, 1 application.
    pub kind: Field<i64>,
    pub origin: Origin,
}

#[derive(Clone, Debug)]
pub struct Step {
    pub class: String,
    pub name: String,
    pub enabled: bool,
    /// The variables the model reads (join type, client install properties), in order.
    pub vars: Vec<StepVar>,
    pub origin: Origin,
}

#[derive(Clone, Debug)]
pub struct StepVar {
    pub property: String,
    pub value: String,
    pub origin: Origin,
}

/// A `Get-CMTaskSequenceStep` row; the export script adds the task sequence id.
#[derive(Clone, Debug)]
pub struct StepRow {
    pub task_sequence_id: Field<String>,
    pub step: Step,
}

#[derive(Clone, Debug)]
pub struct Deployment {
    pub id: Field<String>,
    pub name: Field<String>,
    pub package_id: Field<String>,
    pub collection_id: Field<String>,
    pub offer_type: Field<i64>,
    pub advert_flags: Field<i64>,
    pub remote_client_flags: Field<i64>,
    pub present_time: Field<i64>,
    pub present_time_enabled: Field<bool>,
    pub expiration_time: Field<i64>,
    pub expiration_time_enabled: Field<bool>,
    /// `false`: the time is the site server's local time, whose zone the export does not hold.
    pub present_time_is_gmt: Field<bool>,
    pub expiration_time_is_gmt: Field<bool>,
    pub origin: Origin,
}

#[derive(Clone, Debug)]
pub struct BootImage {
    pub package_id: Field<String>,
    pub architecture: Field<i64>,
    pub origin: Origin,
}

#[derive(Clone, Debug)]
pub struct Certificate {
    pub cert_type: Field<i64>,
    pub key_type: Field<i64>,
    pub valid_until: Field<i64>,
    pub is_blocked: Field<bool>,
    pub origin: Origin,
}

#[derive(Clone, Debug)]
pub struct BoundaryGroup {
    pub group_id: Field<String>,
    pub name: Field<String>,
    pub flags: Field<i64>,
    pub origin: Origin,
}

#[derive(Clone, Debug)]
pub struct BoundaryGroupSiteSystem {
    pub group_id: Field<String>,
    /// Decoded on demand ([`Kept`]), like the content status rows' ServerNALPath.
    pub server_nal_path: Field<Kept>,
    pub origin: Origin,
}

impl BoundaryGroupSiteSystem {
    /// The decoded ServerNALPath, `None` when it is missing.
    pub fn nal_path<'t>(&'t self, sources: &'t SourceMap) -> Option<Cow<'t, str>> {
        kept_text(&self.server_nal_path, sources)
    }
}

pub fn site(o: &Obj) -> Site {
    Site {
        code: o.id("SiteCode"),
        name: o.string("SiteName"),
        version: o.string("Version"),
        build: o.int("BuildNumber"),
        site_type: o.int("Type"),
        origin: o.origin(),
    }
}

pub fn site_component(o: &Obj) -> SiteComponent {
    SiteComponent {
        site_code: o.id("SiteCode"),
        component: o.string("ComponentName"),
        props: props(o),
        origin: o.origin(),
    }
}

fn props(o: &Obj) -> Field<Vec<Prop>> {
    match o.objects("Props") {
        Field::Missing(g) => Field::Missing(g),
        Field::Known(items, at) => Field::Known(
            items
                .iter()
                .map(|n| {
                    let p = o.child(n, "SMS_EmbeddedProperty");
                    let name = p
                        .string("PropertyName")
                        .known()
                        .cloned()
                        .unwrap_or_default();
                    let mut value = p.int("Value");
                    if let Field::Missing(g) = &mut value {
                        g.what = format!("{}.Props[{name}].Value", o.class);
                    }
                    Prop {
                        value,
                        value1: p.string("Value1").known().cloned(),
                        name,
                    }
                })
                .collect(),
            at,
        ),
    }
}

pub fn azure_service(o: &Obj) -> AzureService {
    AzureService {
        id: o.id("AzureServiceID"),
        name: o.string("Name"),
        service_cname: o.string("ServiceCName"),
        fqdn: o.string("Fqdn"),
        service_type: o.string("ServiceType"),
        state: o.int("State"),
        checks_crl: o.bool("ClientCertRevocationEnabled"),
        origin: o.origin(),
    }
}

pub fn sys_role(o: &Obj) -> SysRole {
    let server = o.string("NetworkOSPath").map(|p| {
        p.trim_start_matches('\\')
            .trim_end_matches('\\')
            .to_string()
    });
    SysRole {
        role: o.string("RoleName"),
        server,
        site_code: o.id("SiteCode"),
        ssl_state: o.int("SslState"),
        props: props(o),
        origin: o.origin(),
    }
}

pub fn dp_info(o: &Obj) -> DpInfo {
    DpInfo {
        server: o.string("ServerName"),
        nal_path: o.string("NALPath"),
        resource_type: o.string("ResourceType"),
        origin: o.origin(),
    }
}

pub fn content_status(o: &Obj) -> ContentStatus {
    ContentStatus {
        package_id: o.kept("PackageID"),
        secure_object_id: o.kept("SecureObjectID"),
        server_nal_path: o.kept("ServerNALPath"),
        state: o.int("State"),
        source_version: o.int("SourceVersion"),
        package_type: o.int("PackageType"),
        origin: o.origin(),
    }
}

pub fn client_setting(o: &Obj) -> ClientSetting {
    ClientSetting {
        name: o.string("Name"),
        settings_id: o.id("SettingsID"),
        priority: o.int("Priority"),
        kind: o.int("Type"),
        cloud: cloud_services(o),
        origin: o.origin(),
    }
}

/// The Cloud Services group: the export script's `Cloud` dictionary, else the lazy
/// `AgentConfigurations` (AgentID 22 is SMS_CloudAgentConfig, community-known).
fn cloud_services(o: &Obj) -> Field<Option<CloudServices>> {
    // Export-CMPreflight.ps1 records why it could not read the Cloud Services group.
    if let Some(err) = o.node.get("CloudQueryError").filter(|n| !n.is_null()) {
        let why = err
            .as_str()
            .unwrap_or("the export script could not read it")
            .to_string();
        return Field::Missing(Box::new(Gap {
            kind: GapKind::Invalid(why),
            at: Some(o.origin_of(err)),
            what: format!("{}.Cloud", o.class),
            family: Some(o.family),
        }));
    }
    if let Some(cloud) = o.node.get("Cloud") {
        let at = o.origin_of(cloud);
        return match &cloud.value {
            crate::source::node::Value::Null => Field::Known(None, at),
            crate::source::node::Value::Object(m) if m.is_empty() => Field::Known(None, at),
            crate::source::node::Value::Object(_) => {
                let c = o.child(cloud, "Cloud");
                Field::Known(
                    Some(CloudServices {
                        allow_cloud_dp: c.bool("AllowCloudDP"),
                        allow_cmg: c.bool("AllowCMG"),
                    }),
                    at,
                )
            }
            _ => Field::Missing(Box::new(Gap {
                kind: GapKind::Truncated,
                at: Some(at),
                what: format!("{}.Cloud", o.class),
                family: Some(o.family),
            })),
        };
    }
    let agents = match o.objects("AgentConfigurations") {
        Field::Missing(g) => return Field::Missing(g),
        Field::Known(a, at) => (a, at),
    };
    let cloud = agents
        .0
        .iter()
        .find(|n| n.get("AgentID").and_then(super::field::as_int) == Some(22));
    match cloud {
        None => Field::Known(None, agents.1),
        Some(n) => {
            let c = o.child(n, "SMS_CloudAgentConfig");
            Field::Known(
                Some(CloudServices {
                    allow_cloud_dp: c.bool("AllowCloudDP"),
                    allow_cmg: c.bool("AllowCMG"),
                }),
                c.origin(),
            )
        }
    }
}

pub fn client_setting_deployment(o: &Obj) -> ClientSettingDeployment {
    ClientSettingDeployment {
        settings_id: o.id("ClientSettingsID"),
        collection_id: o.id("CollectionID"),
        origin: o.origin(),
    }
}

pub fn task_sequence(o: &Obj) -> TaskSequence {
    let references = match o.objects("References") {
        Field::Missing(g) => Field::Missing(g),
        Field::Known(items, at) => Field::Known(
            items
                .iter()
                .map(|n| {
                    let r = o.child(n, "SMS_TaskSequence_Reference");
                    Reference {
                        package: r.id("Package"),
                        kind: r.int("Type"),
                        origin: r.origin(),
                    }
                })
                .collect(),
            at,
        ),
    };
    let sequence = sequence_xml(o);
    // `References` cut to a string by -Depth, or not loaded: the Sequence XML lists the same
    // packages, so the content rules can still be settled. Only then is the XML read now.
    let cut = matches!(
        &references,
        Field::Missing(g) if matches!(g.kind, GapKind::Truncated | GapKind::NotLoaded | GapKind::Absent)
    );
    let listed = match (&sequence, o.node("Sequence")) {
        (Field::Known(kept, at), Ok(node)) if cut => kept.get(*at, o.text).ok().and_then(|xml| {
            let mut places = o.string_places(node);
            decode(&xml, &mut places, *at)
                .ok()
                .map(|(_, refs)| (refs, *at))
        }),
        _ => None,
    };
    let from_sequence = listed.is_some();
    let references = match listed {
        Some((refs, at)) => Field::Known(refs, at),
        None => references,
    };
    TaskSequence {
        package_id: o.id("PackageID"),
        name: o.string("Name"),
        boot_image_id: o.id("BootImageID"),
        references,
        references_from_sequence: from_sequence,
        dependent_program: o.string("DependentProgram"),
        alternate_content_providers: o.string("AlternateContentProviders"),
        sequence,
        origin: o.origin(),
    }
}

/// The Sequence property as a place to decode later: a string, or the gap.
fn sequence_xml(o: &Obj) -> Field<Kept> {
    let node: &Node = match o.node("Sequence") {
        Err(g) => return Field::Missing(g),
        Ok(n) => n,
    };
    match o.kept_node(node) {
        Some(kept) if !matches!(node.value, Value::Int(_)) => Field::Known(kept, o.origin_of(node)),
        _ => Field::Missing(sequence_gap(
            GapKind::Invalid(format!(
                "expected the task sequence XML as a string, found {}",
                node.kind_name()
            )),
            o.origin_of(node),
        )),
    }
}

fn sequence_gap(kind: GapKind, at: Origin) -> Box<Gap> {
    Box::new(Gap {
        kind,
        at: Some(at),
        what: format!("{}.Sequence", Family::TaskSequence.class()),
        family: Some(Family::TaskSequence),
    })
}

/// The steps of a task sequence's Sequence XML, decoded now from the file it is in.
pub fn steps(ts: &TaskSequence, sources: &SourceMap) -> Field<Vec<Step>> {
    let (kept, at) = match &ts.sequence {
        Field::Missing(g) => return Field::Missing(g.clone()),
        Field::Known(kept, at) => (kept, *at),
    };
    let text = sources.get(at.file).text.as_str();
    let xml = match kept.get(at, text) {
        Ok(xml) => xml,
        Err(e) => return Field::Missing(sequence_gap(GapKind::Invalid(e), at)),
    };
    let json = matches!(kept, Kept::Json);
    let verbatim = !matches!(kept, Kept::Decoded(_));
    let mut places = StringPlaces::new(at, text, json, verbatim);
    match decode(&xml, &mut places, at) {
        Ok((steps, _)) => Field::Known(steps, at),
        Err(g) => Field::Missing(g),
    }
}

/// The steps and the referenceList of a Sequence XML, placed in the file it is in.
fn decode(
    xml: &str,
    places: &mut StringPlaces,
    at: Origin,
) -> Result<(Vec<Step>, Vec<Reference>), Box<Gap>> {
    let (steps, refs) = sequence::parse_keeping(xml, &is_model_var)
        .map_err(|why| sequence_gap(GapKind::Invalid(why), at))?;
    // Document order: the referenceList comes before the steps (one pass of `places`).
    let refs: Vec<Reference> = refs
        .into_iter()
        .map(|r| {
            let at = places.origin(r.at);
            Reference {
                kind: Field::Known(i64::from(r.package.contains("/Application_")), at),
                package: Field::Known(r.package, at),
                origin: at,
            }
        })
        .collect();
    let steps = steps
        .into_iter()
        .map(|s| Step {
            origin: places.origin(s.at),
            vars: s
                .vars
                .into_iter()
                .map(|v| StepVar {
                    origin: places.origin(v.at),
                    property: v.property,
                    value: v.value,
                })
                .collect(),
            class: s.class,
            name: s.name,
            enabled: s.enabled,
        })
        .collect();
    Ok((steps, refs))
}

/// Step variables (by `property`) that say how the step joins the device: Apply Network
/// Settings' NetworkJoinType, Join Domain or Workgroup's JoinType (0 domain, 1 workgroup).
pub const JOIN_VARS: [&str; 4] = [
    "NetworkJoinType",
    "OSDNetworkJoinType",
    "JoinType",
    "OSDJoinType",
];

/// Step variables that hold the client's installation properties (Setup Windows and ConfigMgr).
pub const INSTALL_VARS: [&str; 3] = [
    "ClientInstallProperties",
    "SMSClientInstallProperties",
    "InstallationProperties",
];

/// Whether the model reads a step variable: the others are not kept (a large site has
/// millions of them).
fn is_model_var(property: &str) -> bool {
    JOIN_VARS
        .iter()
        .chain(INSTALL_VARS.iter())
        .any(|n| property.eq_ignore_ascii_case(n))
}

/// A `Get-CMTaskSequenceStep` object: its properties are the step's variables (those the
/// model reads, see [`is_model_var`]).
pub fn step_row(o: &Obj, class: &str) -> StepRow {
    let vars = o
        .node
        .members()
        .iter()
        .filter(|m| !m.value.is_null() && is_model_var(&m.key))
        .filter_map(|m| {
            let value = match &m.value.value {
                crate::source::node::Value::String(s) => s.to_string(),
                crate::source::node::Value::Int(i) => i.to_string(),
                crate::source::node::Value::Bool(b) => b.to_string(),
                _ => return None,
            };
            Some(StepVar {
                property: m.key.to_string(),
                value,
                origin: o.origin_of(&m.value),
            })
        })
        .collect();
    let enabled = o.bool("Enabled").known().copied().unwrap_or(true);
    StepRow {
        task_sequence_id: o.id("TaskSequenceId"),
        step: Step {
            class: class.to_string(),
            name: o.string("Name").known().cloned().unwrap_or_default(),
            enabled,
            vars,
            origin: o.origin(),
        },
    }
}

pub fn deployment(o: &Obj) -> Deployment {
    Deployment {
        id: o.id("AdvertisementID"),
        name: o.string("AdvertisementName"),
        package_id: o.id("PackageID"),
        collection_id: o.id("CollectionID"),
        offer_type: o.int("OfferType"),
        advert_flags: o.int("AdvertFlags"),
        remote_client_flags: o.int("RemoteClientFlags"),
        present_time: o.date("PresentTime"),
        present_time_enabled: o.bool("PresentTimeEnabled"),
        expiration_time: o.date("ExpirationTime"),
        expiration_time_enabled: o.bool("ExpirationTimeEnabled"),
        present_time_is_gmt: o.bool("PresentTimeIsGMT"),
        expiration_time_is_gmt: o.bool("ExpirationTimeIsGMT"),
        origin: o.origin(),
    }
}

pub fn boot_image(o: &Obj) -> BootImage {
    BootImage {
        package_id: o.id("PackageID"),
        architecture: o.int("Architecture"),
        origin: o.origin(),
    }
}

pub fn certificate(o: &Obj) -> Certificate {
    Certificate {
        cert_type: o.int("Type"),
        key_type: o.int("KeyType"),
        valid_until: o.date("ValidUntil"),
        is_blocked: o.bool("IsBlocked"),
        origin: o.origin(),
    }
}

pub fn boundary_group(o: &Obj) -> BoundaryGroup {
    BoundaryGroup {
        group_id: o.id("GroupID"),
        name: o.string("Name"),
        flags: o.int("Flags"),
        origin: o.origin(),
    }
}

pub fn boundary_group_site_system(o: &Obj) -> BoundaryGroupSiteSystem {
    BoundaryGroupSiteSystem {
        group_id: o.id("GroupID"),
        server_nal_path: o.kept("ServerNALPath"),
        origin: o.origin(),
    }
}
