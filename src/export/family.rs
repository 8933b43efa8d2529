//! The object families of an export: which WMI class each is, which cmdlet produces it and
//! which file the export script writes it to, so an "unknown" can say how to get the data.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Family {
    Site,
    SiteComponent,
    AzureService,
    CmgConnectionPoint,
    ManagementPoint,
    DistributionPoint,
    ContentStatus,
    ClientSetting,
    ClientSettingDeployment,
    TaskSequence,
    TaskSequenceStep,
    Deployment,
    BootImage,
    Certificate,
    BoundaryGroup,
    BoundaryGroupSiteSystem,
    Manifest,
}

impl Family {
    pub const ALL: [Family; 17] = [
        Family::Site,
        Family::SiteComponent,
        Family::AzureService,
        Family::CmgConnectionPoint,
        Family::ManagementPoint,
        Family::DistributionPoint,
        Family::ContentStatus,
        Family::ClientSetting,
        Family::ClientSettingDeployment,
        Family::TaskSequence,
        Family::TaskSequenceStep,
        Family::Deployment,
        Family::BootImage,
        Family::Certificate,
        Family::BoundaryGroup,
        Family::BoundaryGroupSiteSystem,
        Family::Manifest,
    ];

    /// The cmdlet (or query) that produces this family.
    pub fn cmdlet(self) -> &'static str {
        match self {
            Family::Site => "Get-CMSite",
            Family::SiteComponent => {
                "Get-CMSiteComponent -ComponentName SMS_SITE_COMPONENT_MANAGER"
            }
            Family::AzureService => "Get-CMCloudManagementGateway",
            Family::CmgConnectionPoint => "Get-CMCloudManagementGatewayConnectionPoint -AllSite",
            Family::ManagementPoint => "Get-CMManagementPoint -AllSite",
            Family::DistributionPoint => "Get-CMDistributionPointInfo",
            Family::ContentStatus => {
                "Get-CimInstance -ClassName SMS_PackageStatusDistPointsSummarizer"
            }
            Family::ClientSetting => "Get-CMClientSetting (with -Setting Cloud for each)",
            Family::ClientSettingDeployment => "Get-CMClientSettingDeployment",
            Family::TaskSequence => "Get-CMTaskSequence (without -Fast)",
            Family::TaskSequenceStep => "Get-CMTaskSequenceStep",
            Family::Deployment => "Get-CMTaskSequenceDeployment",
            Family::BootImage => "Get-CMBootImage",
            Family::Certificate => "Get-CMCertificate -CertificateType BootMedia",
            Family::BoundaryGroup => "Get-CMBoundaryGroup",
            Family::BoundaryGroupSiteSystem => "Get-CMBoundaryGroupSiteSystem",
            Family::Manifest => "Export-CMPreflight.ps1",
        }
    }

    /// The file the export script writes; also a classification hint for empty files.
    pub fn file_hint(self) -> &'static str {
        match self {
            Family::Site => "site.json",
            Family::SiteComponent => "site-component-manager.json",
            Family::AzureService => "cmg.json",
            Family::CmgConnectionPoint => "cmg-connection-points.json",
            Family::ManagementPoint => "management-points.json",
            Family::DistributionPoint => "distribution-points.json",
            Family::ContentStatus => "content-status.json",
            Family::ClientSetting => "client-settings.json",
            Family::ClientSettingDeployment => "client-setting-deployments.json",
            Family::TaskSequence => "task-sequences.json",
            Family::TaskSequenceStep => "task-sequence-steps.json",
            Family::Deployment => "deployments.json",
            Family::BootImage => "boot-images.json",
            Family::Certificate => "certificates.json",
            Family::BoundaryGroup => "boundary-groups.json",
            Family::BoundaryGroupSiteSystem => "boundary-group-site-systems.json",
            Family::Manifest => "manifest.json",
        }
    }

    pub fn class(self) -> &'static str {
        match self {
            Family::Site => "SMS_Site",
            Family::SiteComponent => "SMS_SCI_Component",
            Family::AzureService => "SMS_AzureService",
            Family::CmgConnectionPoint | Family::ManagementPoint => "SMS_SCI_SysResUse",
            Family::DistributionPoint => "SMS_DistributionPointInfo",
            Family::ContentStatus => "SMS_PackageStatusDistPointsSummarizer",
            Family::ClientSetting => "SMS_ClientSettings",
            Family::ClientSettingDeployment => "SMS_ClientSettingsAssignment",
            Family::TaskSequence => "SMS_TaskSequencePackage",
            Family::TaskSequenceStep => "SMS_TaskSequence_Step",
            Family::Deployment => "SMS_Advertisement",
            Family::BootImage => "SMS_BootImagePackage",
            Family::Certificate => "SMS_Certificate",
            Family::BoundaryGroup => "SMS_BoundaryGroup",
            Family::BoundaryGroupSiteSystem => "SMS_BoundaryGroupSiteSystems",
            Family::Manifest => "manifest",
        }
    }

    /// "the Get-CMSite output (site.json)": how reports name where data comes from.
    pub fn supplier(self) -> String {
        format!("`{}` output ({})", self.cmdlet(), self.file_hint())
    }
}
