//! Every fact path a rule may use, with its type and meaning. Rule files are checked against
//! this list when they load, and `explain` prints it: the model's contract with rule authors.

pub struct FieldDoc {
    pub path: &'static str,
    pub kind: &'static str,
    pub about: &'static str,
}

macro_rules! fields {
    ($( $path:literal : $kind:literal => $about:literal ),* $(,)?) => {
        pub const FIELDS: &[FieldDoc] = &[ $( FieldDoc { path: $path, kind: $kind, about: $about } ),* ];
    };
}

fields! {
    "site": "object" => "the primary site of the export (Get-CMSite)",
    "site.code": "string" => "site code",
    "site.name": "string" => "site name",
    "site.version": "string" => "full version, e.g. 5.00.9128.1000",
    "site.build": "int" => "build number, e.g. 9128",
    "site.release": "string" => "current-branch release for the build, e.g. 2403",
    "site.communication": "https|ehttp|http" => "client communication: HTTPS only, HTTP with Enhanced HTTP, or plain HTTP",
    "cmgs": "list" => "cloud management gateways (SMS_AzureService, ServiceType CloudProxyService)",
    "cmgs[].name": "string" => "CMG name",
    "cmgs[].host": "string" => "service name clients use (ServiceCName, else Fqdn)",
    "cmgs[].state": "ready|provisioning|error|maintenance|starting|stopping|stopped|deleting" => "CMG state",
    "cloud_dps": "list" => "cloud distribution points (ServiceType CloudDistributionPoint)",
    "cloud_dps[].name": "string" => "cloud DP name",
    "cloud_dps[].host": "string" => "cloud DP service name",
    "cloud_dps[].state": "string" => "cloud DP state",
    "cmg_connection_points": "list" => "CMG connection point roles",
    "cmg_connection_points[].server": "string" => "server of the role",
    "management_points": "list" => "management points of the site",
    "management_points[].server": "string" => "server name",
    "management_points[].https": "bool" => "client connections are HTTPS (SslState 1)",
    "management_points[].allows_cmg_traffic": "bool" => "\"Allow Configuration Manager cloud management gateway traffic\"",
    "management_points[].connection": "intranet|internet|intranet_and_internet" => "client connection type",
    "deployments": "list" => "every task sequence deployment in the export",
    "deployment": "object" => "the deployment being checked (deployment and content scopes)",
    "deployment.id": "string" => "deployment (advertisement) id",
    "deployment.name": "string" => "deployment name",
    "deployment.collection_id": "string" => "target collection",
    "deployment.purpose": "available|required" => "deployment purpose (OfferType)",
    "deployment.availability": "clients_only|clients_media_pxe|media_pxe|media_pxe_hidden" => "\"Make available to the following\"",
    "deployment.available_to_media": "bool" => "availability includes boot media",
    "deployment.allows_internet": "bool" => "\"Allow task sequence to run for client on the Internet\"",
    "deployment.content_option": "download_when_needed|download_all|access_directly|none" => "deployment option for content",
    "deployment.client_settings": "object" => "client settings effective for the target collection (custom by priority, Default last)",
    "deployment.client_settings.source": "string" => "name of the client setting the Cloud Services values come from",
    "deployment.client_settings.allow_cloud_dp": "bool" => "\"Allow access to cloud distribution point\"",
    "deployment.client_settings.allow_cmg": "bool" => "\"Enable clients to use a cloud management gateway\"",
    "deployment.client_settings.competing": "list" => "custom device settings deployed to other collections at a better priority that configure Cloud Services",
    "deployment.client_settings.competing[].name": "string" => "client setting name",
    "deployment.client_settings.competing[].priority": "int" => "its priority",
    "deployment.client_settings.competing[].collection_id": "string" => "collection it is deployed to",
    "deployment.client_settings.competing[].allow_cloud_dp": "bool" => "its \"Allow access to cloud distribution point\"",
    "deployment.client_settings.competing[].allow_cmg": "bool" => "its \"Enable clients to use a cloud management gateway\"",
    "deployment.task_sequence": "object" => "the deployed task sequence",
    "deployment.task_sequence.id": "string" => "package id",
    "deployment.task_sequence.name": "string" => "name",
    "deployment.task_sequence.steps": "list" => "steps from the Sequence XML (or Get-CMTaskSequenceStep)",
    "deployment.task_sequence.steps[].type": "string" => "step class, e.g. SMS_TaskSequence_ApplyNetworkSettingsAction",
    "deployment.task_sequence.steps[].name": "string" => "step name",
    "deployment.task_sequence.steps[].enabled": "bool" => "step and its groups are enabled",
    "deployment.task_sequence.steps[].join": "workgroup|domain" => "network join of Apply Network Settings (NetworkJoinType)",
    "content": "object" => "the referenced content object being checked (content scope)",
    "content.id": "string" => "package id, or application model name",
    "content.package_id": "string" => "content package id",
    "content.kind": "package|application|boot_image" => "what the task sequence references",
    "content.on_cmg": "bool" => "a content status row exists for a content-enabled CMG or cloud DP",
    "content.cmg_state": "installed|install_pending|install_retrying|install_failed|removal_pending|removal_retrying|removal_failed|content_updating|content_monitoring" => "best state on a CMG",
    "media": "object" => "the boot media plan (--media)",
    "media.media_type": "usb|iso" => "media type",
    "media.mode": "site_based|dynamic" => "Media Management option",
    "media.password_protected": "bool" => "\"Protect media with a password\"",
    "media.unattended": "bool" => "\"Allow unattended operating system deployment\"",
    "media.unknown_computer_support": "bool" => "\"Enable unknown computer support\"",
    "media.management_points": "list" => "management points chosen on the Boot Image page",
    "media.management_points[].name": "string" => "server name as written in the plan",
    "media.management_points[].is_cmg": "bool" => "the name is a CMG of the export",
    "media.certificate": "object" => "media certificate",
    "media.certificate.kind": "self_signed|pki" => "certificate kind",
    "media.boot_image": "string" => "boot image package id",
}

/// Whether `path` (with list elements bound to a variable, e.g. `step.join`) is a known field.
pub fn is_known(path: &str) -> bool {
    // Elements of `deployments` are the same facts as the `deployment` a rule targets.
    let path = path
        .strip_prefix("deployments[]")
        .map_or_else(|| path.to_string(), |rest| format!("deployment{rest}"));
    FIELDS.iter().any(|f| f.path == path)
}
