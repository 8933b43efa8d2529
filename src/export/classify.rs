//! Which family an exported object belongs to: by the WMI class it names
//! (`SmsProviderObjectPath`, `__CLASS`, CIM wrappers), else by its property signature.
//! File names are never trusted for this; they only name the family of an empty file.

use super::family::Family;
use crate::source::node::{Node, Value};

#[derive(Debug, PartialEq)]
pub enum Kind {
    Family(Family, String),
    /// A media plan in the export folder.
    MediaPlan,
    /// A ConfigMgr object the linter does not read (another site role, a summary class).
    Other(String),
    Unknown,
}

pub fn classify(n: &Node) -> Kind {
    if !matches!(n.value, Value::Object(_)) {
        return Kind::Unknown;
    }
    match class_name(n) {
        Some(class) => by_class(n, class),
        None => by_signature(n),
    }
}

fn class_name(n: &Node) -> Option<String> {
    if let Some(path) = n.get("SmsProviderObjectPath").and_then(Node::as_str) {
        // `SMS_Site.SiteCode="PS1"`, sometimes prefixed with `\\server\root\sms\site_PS1:`.
        let head = path.split('.').next().unwrap_or(path);
        let class = head.rsplit(':').next().unwrap_or(head).trim();
        if !class.is_empty() {
            return Some(class.to_string());
        }
    }
    if let Some(c) = n.get("__CLASS").and_then(Node::as_str) {
        return Some(c.to_string());
    }
    if let Some(c) = n.get("CimClass") {
        if let Some(name) = c.get("CimClassName").and_then(Node::as_str) {
            return Some(name.to_string());
        }
        if let Some(s) = c.as_str() {
            return Some(s.rsplit(':').next().unwrap_or(s).to_string());
        }
    }
    n.get("CimSystemProperties")
        .and_then(|c| c.get("ClassName"))
        .and_then(Node::as_str)
        .map(str::to_string)
}

fn by_class(n: &Node, class: String) -> Kind {
    let family = match class.to_ascii_lowercase().as_str() {
        "sms_site" => Family::Site,
        "sms_sci_component" => Family::SiteComponent,
        "sms_azureservice" => Family::AzureService,
        "sms_sci_sysresuse" => return by_role(n, class),
        "sms_distributionpointinfo" => Family::DistributionPoint,
        "sms_packagestatusdistpointssummarizer" => Family::ContentStatus,
        "sms_clientsettings" | "sms_clientsettingsdefault" => Family::ClientSetting,
        "sms_clientsettingsassignment" => Family::ClientSettingDeployment,
        "sms_tasksequencepackage" => Family::TaskSequence,
        "sms_advertisement" => Family::Deployment,
        "sms_bootimagepackage" => Family::BootImage,
        "sms_certificate" => Family::Certificate,
        "sms_boundarygroup" => Family::BoundaryGroup,
        "sms_boundarygroupsitesystems" => Family::BoundaryGroupSiteSystem,
        c if c.starts_with("sms_tasksequence_") => Family::TaskSequenceStep,
        _ => return Kind::Other(class),
    };
    Kind::Family(family, class)
}

fn by_role(n: &Node, class: String) -> Kind {
    match n
        .get("RoleName")
        .and_then(Node::as_str)
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("sms management point") => Kind::Family(Family::ManagementPoint, class),
        Some("sms cloud proxy connector") => Kind::Family(Family::CmgConnectionPoint, class),
        _ => Kind::Other(class),
    }
}

fn by_signature(n: &Node) -> Kind {
    let has = |keys: &[&str]| keys.iter().all(|k| n.has(k));
    let fam = |f: Family| Kind::Family(f, f.class().to_string());
    if n.has("media_mode") || n.has("management_points") || n.has("media_type") {
        return Kind::MediaPlan;
    }
    if n.get("Tool").and_then(Node::as_str) == Some("Export-CMPreflight") {
        return fam(Family::Manifest);
    }
    if n.has("RoleName") {
        return by_role(n, "SMS_SCI_SysResUse".into());
    }
    if has(&["AdvertisementID"]) && (n.has("AdvertFlags") || n.has("RemoteClientFlags")) {
        fam(Family::Deployment)
    } else if has(&["ServerNALPath", "PackageID", "State"]) {
        fam(Family::ContentStatus)
    } else if has(&["ServerNALPath", "GroupID"]) {
        fam(Family::BoundaryGroupSiteSystem)
    } else if has(&["GroupID", "Name"]) {
        fam(Family::BoundaryGroup)
    } else if has(&["SettingsID", "Priority"]) {
        fam(Family::ClientSetting)
    } else if has(&["ClientSettingsID", "CollectionID"]) {
        fam(Family::ClientSettingDeployment)
    } else if n.has("ServiceType") && (n.has("AzureServiceID") || n.has("ServiceCName")) {
        fam(Family::AzureService)
    } else if has(&["ComponentName", "Props"]) {
        fam(Family::SiteComponent)
    } else if has(&["NALPath", "ServerName", "ResourceType"]) {
        fam(Family::DistributionPoint)
    } else if n.has("PackageID")
        && (n.has("Sequence") || n.has("References") || n.has("BootImageID"))
    {
        fam(Family::TaskSequence)
    } else if has(&["PackageID", "Architecture", "ImageOSVersion"]) {
        fam(Family::BootImage)
    } else if n.has("SMSID") && (n.has("KeyType") || n.has("ValidUntil")) {
        fam(Family::Certificate)
    } else if n.has("SiteCode") && (n.has("BuildNumber") || n.has("Version")) {
        fam(Family::Site)
    } else {
        Kind::Unknown
    }
}

/// The family an export file name stands for (for empty files only).
pub fn family_from_file_name(name: &str) -> Option<Family> {
    let lower = name.to_ascii_lowercase();
    let stem = lower.rsplit_once('.').map_or(lower.as_str(), |(s, _)| s);
    Family::ALL
        .into_iter()
        .find(|f| f.file_hint().rsplit_once('.').map(|(s, _)| s) == Some(stem))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::json::parse;

    fn kind(json: &str) -> Kind {
        classify(&parse(json).expect("json"))
    }

    #[test]
    fn class_wins_over_signature() {
        assert_eq!(
            kind(
                r#"{"SmsProviderObjectPath": "SMS_Advertisement.AdvertisementID=\"PS120045\"", "Name": "x"}"#
            ),
            Kind::Family(Family::Deployment, "SMS_Advertisement".into())
        );
        assert_eq!(
            kind(r#"{"__CLASS": "SMS_PackageStatusDistPointsSummarizer"}"#),
            Kind::Family(
                Family::ContentStatus,
                "SMS_PackageStatusDistPointsSummarizer".into()
            )
        );
        assert_eq!(
            kind(r#"{"CimClass": "root/sms/site_PS1:SMS_Site", "SiteCode": "PS1"}"#),
            Kind::Family(Family::Site, "SMS_Site".into())
        );
    }

    #[test]
    fn roles_split_sys_res_use() {
        assert!(matches!(
            kind(r#"{"RoleName": "SMS Management Point"}"#),
            Kind::Family(Family::ManagementPoint, _)
        ));
        assert!(matches!(
            kind(r#"{"RoleName": "SMS Distribution Point"}"#),
            Kind::Other(_)
        ));
    }

    #[test]
    fn signatures_without_class() {
        assert!(matches!(
            kind(r#"{"AdvertisementID": "A", "AdvertFlags": 1}"#),
            Kind::Family(Family::Deployment, _)
        ));
        assert!(matches!(
            kind(r#"{"SettingsID": 1, "Priority": 1}"#),
            Kind::Family(Family::ClientSetting, _)
        ));
        assert_eq!(kind(r#"{"Colour": "blue"}"#), Kind::Unknown);
    }

    #[test]
    fn empty_file_names() {
        assert_eq!(
            family_from_file_name("cmg.json"),
            Some(Family::AzureService)
        );
        assert_eq!(
            family_from_file_name("Deployments.JSON"),
            Some(Family::Deployment)
        );
        assert_eq!(family_from_file_name("notes.json"), None);
    }
}
