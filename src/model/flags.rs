//! ConfigMgr bit fields and codes decoded into named meanings (domain §2.1, §2.4, §1.2).
//! Bit semantics marked [COMM] in the domain file are community-derived; see the rule docs.

/// AdvertFlags 0x80000 APTSINTRANETONLY: set means "Allow task sequence to run for client on
/// the Internet" is unchecked [COMM: Decisions.SCCM].
const AP_TS_INTRANET_ONLY: i64 = 0x0008_0000;
const ENABLE_TS_FROM_CD_AND_PXE: i64 = 0x0004_0000;
const TARGET_TO_WINPE: i64 = 0x1000_0000;
const HIDDEN_IN_WINPE: i64 = 0x2000_0000;

const RUN_FROM_LOCAL_DP: i64 = 0x08;
const DOWNLOAD_FROM_LOCAL_DP: i64 = 0x10;
const DOWNLOAD_FROM_REMOTE_DP: i64 = 0x40;
const RUN_FROM_REMOTE_DP: i64 = 0x80;
const DOWNLOAD_ON_DEMAND_LOCAL: i64 = 0x100;

/// Site communication security: IISSSLState bit 1024 is Enhanced HTTP [COMM].
const IIS_EHTTP: i64 = 1024;

/// "Make available to the following" on a task sequence deployment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Availability {
    ClientsOnly,
    ClientsMediaPxe,
    MediaPxe,
    MediaPxeHidden,
}

impl Availability {
    pub fn from_advert_flags(flags: i64) -> Self {
        if flags & HIDDEN_IN_WINPE != 0 {
            Availability::MediaPxeHidden
        } else if flags & TARGET_TO_WINPE != 0 {
            Availability::MediaPxe
        } else if flags & ENABLE_TS_FROM_CD_AND_PXE != 0 {
            Availability::ClientsMediaPxe
        } else {
            Availability::ClientsOnly
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Availability::ClientsOnly => "clients_only",
            Availability::ClientsMediaPxe => "clients_media_pxe",
            Availability::MediaPxe => "media_pxe",
            Availability::MediaPxeHidden => "media_pxe_hidden",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            Availability::ClientsOnly => "Only Configuration Manager clients",
            Availability::ClientsMediaPxe => "Configuration Manager clients, media and PXE",
            Availability::MediaPxe => "Only media and PXE",
            Availability::MediaPxeHidden => "Only media and PXE (hidden)",
        }
    }
    pub fn includes_media(self) -> bool {
        self != Availability::ClientsOnly
    }
}

pub fn allows_internet(advert_flags: i64) -> bool {
    advert_flags & AP_TS_INTRANET_ONLY == 0
}

/// The deployment option on the Distribution Points page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ContentOption {
    DownloadWhenNeeded,
    DownloadAll,
    AccessDirectly,
    Unset,
}

impl ContentOption {
    pub fn from_remote_client_flags(flags: i64) -> Self {
        if flags & (RUN_FROM_LOCAL_DP | RUN_FROM_REMOTE_DP) != 0 {
            ContentOption::AccessDirectly
        } else if flags & (DOWNLOAD_FROM_LOCAL_DP | DOWNLOAD_FROM_REMOTE_DP) != 0 {
            ContentOption::DownloadAll
        } else if flags & DOWNLOAD_ON_DEMAND_LOCAL != 0 {
            ContentOption::DownloadWhenNeeded
        } else {
            ContentOption::Unset
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            ContentOption::DownloadWhenNeeded => "download_when_needed",
            ContentOption::DownloadAll => "download_all",
            ContentOption::AccessDirectly => "access_directly",
            ContentOption::Unset => "none",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            ContentOption::DownloadWhenNeeded => {
                "Download content locally when needed by the running task sequence"
            }
            ContentOption::DownloadAll => {
                "Download all content locally before starting task sequence"
            }
            ContentOption::AccessDirectly => "Access content directly from a distribution point",
            ContentOption::Unset => "no content option set",
        }
    }
}

/// Client communication of the site (Communication Security tab).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommMode {
    HttpsOnly,
    /// HTTPS or HTTP, with "Use Configuration Manager-generated certificates for HTTP site systems".
    Ehttp,
    /// HTTPS or HTTP, without Enhanced HTTP.
    Http,
}

impl CommMode {
    /// `None` for a value outside the known families (31/63, 192/224/448/480, each ± 1024).
    pub fn from_iis_ssl_state(v: i64) -> Option<Self> {
        let base = v & !IIS_EHTTP;
        let https_only = matches!(base, 31 | 63);
        let mixed = matches!(base, 192 | 224 | 448 | 480);
        match (https_only, mixed, v & IIS_EHTTP != 0) {
            (true, _, _) => Some(CommMode::HttpsOnly),
            (_, true, true) => Some(CommMode::Ehttp),
            (_, true, false) => Some(CommMode::Http),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            CommMode::HttpsOnly => "https",
            CommMode::Ehttp => "ehttp",
            CommMode::Http => "http",
        }
    }
}

/// SMS_AzureService.State [COMM: no table in the SDK].
pub fn cmg_state_name(state: i64) -> Option<&'static str> {
    Some(match state {
        0 => "ready",
        1 => "provisioning",
        2 => "error",
        3 => "maintenance",
        4 => "starting",
        5 => "stopping",
        6 => "stopped",
        99 => "deleting",
        _ => return None,
    })
}

/// SMS_PackageStatusDistPointsSummarizer.State (SDK).
pub fn content_state_name(state: i64) -> Option<&'static str> {
    Some(match state {
        0 => "installed",
        1 => "install_pending",
        2 => "install_retrying",
        3 => "install_failed",
        4 => "removal_pending",
        5 => "removal_retrying",
        6 => "removal_failed",
        7 => "content_updating",
        8 => "content_monitoring",
        _ => return None,
    })
}

/// SMS_Advertisement.OfferType.
pub fn purpose_name(offer_type: i64) -> Option<&'static str> {
    match offer_type {
        0 => Some("required"),
        2 => Some("available"),
        _ => None,
    }
}

/// ConfigMgr current-branch version name for a site build (domain §1.1).
pub fn release_for_build(build: i64) -> Option<&'static str> {
    const RELEASES: [(i64, &str); 17] = [
        (8968, "2002"),
        (9012, "2006"),
        (9040, "2010"),
        (9049, "2103"),
        (9058, "2107"),
        (9068, "2111"),
        (9078, "2203"),
        (9088, "2207"),
        (9096, "2211"),
        (9106, "2303"),
        (9122, "2309"),
        (9128, "2403"),
        (9132, "2409"),
        (9135, "2503"),
        (8913, "1910"),
        (8853, "1906"),
        (8790, "1902"),
    ];
    RELEASES.iter().find(|(b, _)| *b == build).map(|(_, r)| *r)
}

/// A build that is no current-branch release but lies among them: a Technical Preview
/// (TP builds are numbered between the releases) [INFER]. Builds newer than the newest known
/// release are taken as releases this tool does not know yet.
pub fn is_preview_build(build: i64) -> bool {
    const NEWEST_KNOWN: i64 = 9135;
    (8790..NEWEST_KNOWN).contains(&build) && release_for_build(build).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advert_flags_of_the_domain_sketches() {
        // 8781824 = 0x00860000: SHOW_PROGRESS | ENABLE_TS_FROM_CD_AND_PXE | DONOT_FALLBACK.
        assert!(allows_internet(8_781_824));
        assert_eq!(
            Availability::from_advert_flags(8_781_824),
            Availability::ClientsMediaPxe
        );
        // 9306112 = 0x008E0000: the same plus APTSINTRANETONLY.
        assert!(!allows_internet(9_306_112));
        assert!(Availability::from_advert_flags(9_306_112).includes_media());
        assert_eq!(
            Availability::from_advert_flags(0x0080_0000),
            Availability::ClientsOnly
        );
        assert_eq!(
            Availability::from_advert_flags(0x1004_0000),
            Availability::MediaPxe
        );
        assert_eq!(
            Availability::from_advert_flags(0x3000_0000),
            Availability::MediaPxeHidden
        );
    }

    #[test]
    fn remote_client_flags_of_the_domain_sketches() {
        assert_eq!(
            ContentOption::from_remote_client_flags(35_584),
            ContentOption::DownloadWhenNeeded
        );
        assert_eq!(
            ContentOption::from_remote_client_flags(34_896),
            ContentOption::DownloadAll
        );
        assert_eq!(
            ContentOption::from_remote_client_flags(0x108),
            ContentOption::AccessDirectly
        );
        assert_eq!(
            ContentOption::from_remote_client_flags(48),
            ContentOption::DownloadAll
        );
    }

    #[test]
    fn iis_ssl_state_families() {
        assert_eq!(CommMode::from_iis_ssl_state(63), Some(CommMode::HttpsOnly));
        assert_eq!(CommMode::from_iis_ssl_state(31), Some(CommMode::HttpsOnly));
        assert_eq!(CommMode::from_iis_ssl_state(1216), Some(CommMode::Ehttp));
        assert_eq!(CommMode::from_iis_ssl_state(1504), Some(CommMode::Ehttp));
        assert_eq!(CommMode::from_iis_ssl_state(224), Some(CommMode::Http));
        assert_eq!(CommMode::from_iis_ssl_state(7), None);
    }

    #[test]
    fn builds_to_releases() {
        assert_eq!(release_for_build(9040), Some("2010"));
        assert_eq!(release_for_build(9128), Some("2403"));
        assert_eq!(release_for_build(9999), None);
        assert!(is_preview_build(9044));
        assert!(!is_preview_build(9040));
        assert!(!is_preview_build(9140));
    }
}
