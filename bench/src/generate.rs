//! A deterministic generator of large ConfigMgr site exports, in the raw shapes that
//! `scripts/Export-CMPreflight.ps1` writes: the same file names, the same projected properties
//! (in the script's `Select-Object` order), arrays for every family and one object in
//! `manifest.json`.
//!
//! Standard library only, so that the main crate's tests can include this file with
//! `#[path = "../bench/src/generate.rs"] mod generate;`. The same `Params` (including the seed)
//! always give the same bytes: the random numbers come from SplitMix64
//! (<https://prng.di.unimi.it/splitmix64.c>), one stream per object, so changing the number of
//! one kind of object does not reshuffle the others.
//!
//! The text follows what the writers produce:
//! * Windows PowerShell 5.1 `ConvertTo-Json` (JavaScriptSerializer, then PowerShell's own
//!   indentation): `"Name":  value` with two spaces, nested values indented from the column of
//!   their opening bracket, `<`, `>`, `&` and `'` written as `\u003c`, `\u003e`, `\u0026`,
//!   `\u0027`, dates as `"\/Date(ms)\/"`, CRLF line ends
//!   (<https://learn.microsoft.com/powershell/module/microsoft.powershell.utility/convertto-json?view=powershell-5.1>).
//! * PowerShell 7 `ConvertTo-Json` (Newtonsoft.Json, indented by two spaces): `"Name": value`,
//!   only `"`, `\` and control characters escaped, dates as ISO 8601 with the offset
//!   (<https://learn.microsoft.com/powershell/module/microsoft.powershell.utility/convertto-json>).
//! * `-Compress`: the whole array on one line, no spaces.
//! * YAML as powershell-yaml's `ConvertTo-Yaml` (YamlDotNet) writes it: block style, sequences
//!   not indented under their key, `[]` for an empty list, strings quoted only when a plain
//!   scalar would read as something else (<https://github.com/cloudbase/powershell-yaml>).
//!   Long double-quoted strings are written on one line (YamlDotNet folds them at 80 columns;
//!   a YAML reader reads both the same).
//! * Encoding: UTF-8 without a byte-order mark (what the script writes), or UTF-16LE with a BOM
//!   (what `>` writes in Windows PowerShell 5.1).
//!
//! Content: one site `PS1` (ConfigMgr 2403, Enhanced HTTP), one running content-enabled CMG, its
//! connection point, two management points, `distribution_points` on-premises distribution points
//! plus the CMG's content location, `task_sequences` task sequences with `refs_per_ts` references
//! each (the boot image, an OS image, the client package and a random pick of the `packages`
//! pool: packages, driver packages and applications), the Sequence XML of each (its
//! referenceList and one step per reference), `deployments` task sequence deployments available
//! to media (one per task sequence by default), the content status of everything referenced
//! (`status_rows_min..=status_rows_max` distribution points per object plus the CMG's row),
//! client settings, the boot image, the boot media certificate and boundary groups.
//! `fault_permille` seeds real findings, evenly spaced from a seeded start: that share of the
//! deployments does not allow the internet (DEP-02), that share of the pool content is missing
//! on the CMG (CNT-01), and half that share failed there (CNT-02). With 0 every rule that the
//! data can decide passes.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

/// Which PowerShell wrote the JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// Windows PowerShell 5.1.
    Ps51,
    /// PowerShell 7.
    Ps7,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    /// UTF-16LE with a byte-order mark.
    Utf16Le,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Yaml,
}

#[derive(Clone, Debug)]
pub struct Params {
    pub task_sequences: usize,
    pub refs_per_ts: usize,
    /// The pool the task sequences pick their content from (besides the boot image, the OS
    /// images and the client package, which every task sequence has).
    pub packages: usize,
    /// On-premises distribution points; the CMG's content location comes on top.
    pub distribution_points: usize,
    /// Distribution point rows per referenced object in content-status (the CMG's row comes on
    /// top).
    pub status_rows_min: usize,
    pub status_rows_max: usize,
    pub deployments: usize,
    pub fault_permille: u32,
    pub seed: u64,
    pub flavor: Flavor,
    pub encoding: Encoding,
    pub format: Format,
    pub compress: bool,
}

impl Params {
    /// The defaults for `n` task sequences: 20 references each, 3n packages, 300 distribution
    /// points, 3 to 8 distribution point rows per object, one deployment per task sequence, 1%
    /// faults, PowerShell 7 JSON in UTF-8.
    pub fn new(n: usize) -> Params {
        Params {
            task_sequences: n,
            refs_per_ts: 20,
            packages: 3 * n,
            distribution_points: 300,
            status_rows_min: 3,
            status_rows_max: 8,
            deployments: n,
            fault_permille: 10,
            seed: 42,
            flavor: Flavor::Ps7,
            encoding: Encoding::Utf8,
            format: Format::Json,
            compress: false,
        }
    }

    fn check(&self) -> Result<(), String> {
        if self.task_sequences == 0 || self.deployments == 0 {
            return Err("need at least one task sequence and one deployment".into());
        }
        if self.task_sequences > MAX_IDS || self.deployments > MAX_IDS || self.packages > MAX_IDS {
            return Err(format!(
                "at most {MAX_IDS} task sequences, deployments and packages (5-digit package ids)"
            ));
        }
        if self.refs_per_ts < FIXED_REFS || self.refs_per_ts - FIXED_REFS > self.packages {
            return Err(format!(
                "references per task sequence must be at least {FIXED_REFS} (boot image, OS image, \
                 client package) and at most {FIXED_REFS} + packages"
            ));
        }
        if self.distribution_points == 0 || self.status_rows_min > self.status_rows_max {
            return Err("need a distribution point and status rows min <= max".into());
        }
        if self.fault_permille > 1000 {
            return Err("fault_permille is at most 1000".into());
        }
        Ok(())
    }

    pub fn extension(&self) -> &'static str {
        match self.format {
            Format::Json => "json",
            Format::Yaml => "yaml",
        }
    }

    /// The id of deployment `i` (0-based).
    pub fn deployment_id(&self, i: usize) -> String {
        id(DEPLOYMENT_BASE + i)
    }
}

/// What was written.
#[derive(Debug, Default)]
pub struct Summary {
    /// File name, objects, bytes.
    pub files: Vec<(String, usize, u64)>,
    pub bytes: u64,
}

const SITE: &str = "PS1";
const SITE_SERVER: &str = "CM01.contoso.com";
const CMG_NAME: &str = "contosocmg";
const CMG_HOST: &str = "contosocmg.eastus.cloudapp.azure.com";
const BOOT_IMAGE: usize = 0x0_0001;
const CLIENT_PACKAGE: usize = 0x0_0002;
const OS_IMAGE_BASE: usize = 0x0_0004;
const OS_IMAGES: usize = 4;
const POOL_BASE: usize = 0x0_0010;
const TS_BASE: usize = 0x4_0000;
const DEPLOYMENT_BASE: usize = 0x8_0000;
const COLLECTION_BASE: usize = 0xC_0000;
const MAX_IDS: usize = 0x3_FFF0;
const FIXED_REFS: usize = 3;
const APP_SCOPE: &str = "ScopeId_0D7D8B60-F2F9-484A-B9F3-4A8B68D14D59";
/// 2026-11-01T00:00:00Z, the certificate's start.
const NOV_1: i64 = 1_793_491_200_000;
const DAY_MS: i64 = 86_400_000;

/// Writes the export files into `dir` (created if missing).
pub fn write_export(p: &Params, dir: &Path) -> io::Result<Summary> {
    p.check()
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    std::fs::create_dir_all(dir)?;
    let mut w = Writer::new(p, dir);
    let pool = Pool::new(p);
    let n_ts = p.task_sequences;

    w.family("site", "Get-CMSite", std::iter::once(site()))?;
    w.family(
        "site-component-manager",
        "Get-CMSiteComponent -ComponentName SMS_SITE_COMPONENT_MANAGER",
        std::iter::once(site_component()),
    )?;
    w.family(
        "cmg",
        "Get-CMCloudManagementGateway",
        std::iter::once(cmg()),
    )?;
    w.family(
        "cmg-connection-points",
        "Get-CMCloudManagementGatewayConnectionPoint -AllSite",
        std::iter::once(role(SITE_SERVER, "SMS Cloud Proxy Connector", Vec::new())),
    )?;
    w.family(
        "management-points",
        "Get-CMManagementPoint -AllSite",
        [("MP01.contoso.com", 1), ("MP02.contoso.com", 0)]
            .into_iter()
            .map(|(host, cmg)| {
                let props = vec![
                    prop("AllowProxyTraffic", cmg),
                    prop("MPInternetFacing", cmg),
                    prop("MPIntranetFacing", 1),
                    prop("UseSiteDatabase", 0),
                ];
                role(host, "SMS Management Point", props)
            }),
    )?;
    w.family(
        "distribution-points",
        "Get-CMDistributionPointInfo",
        (0..p.distribution_points)
            .map(|i| distribution_point(&dp_host(i), false))
            .chain(std::iter::once(distribution_point(CMG_HOST, true))),
    )?;
    w.family(
        "task-sequences",
        "Get-CMTaskSequence",
        (0..n_ts).map(|i| task_sequence(p, &pool, i)),
    )?;
    w.family(
        "deployments",
        "Get-CMTaskSequenceDeployment",
        (0..p.deployments).map(|i| deployment(p, i)),
    )?;
    let referenced = pool.referenced(p);
    w.family(
        "content-status",
        "Get-CimInstance SMS_PackageStatusDistPointsSummarizer",
        referenced
            .into_iter()
            .flat_map(|c| content_status(p, &pool, c)),
    )?;
    w.family(
        "client-settings",
        "Get-CMClientSetting",
        client_settings().into_iter(),
    )?;
    w.family(
        "client-setting-deployments",
        "Get-CMClientSettingDeployment",
        client_setting_deployments().into_iter(),
    )?;
    w.family(
        "boot-images",
        "Get-CMBootImage",
        std::iter::once(boot_image()),
    )?;
    w.family(
        "certificates",
        "Get-CMCertificate -CertificateType BootMedia -Fast",
        std::iter::once(certificate()),
    )?;
    let groups = (p.distribution_points / 10).max(1);
    w.family(
        "boundary-groups",
        "Get-CMBoundaryGroup",
        (0..=groups).map(boundary_group),
    )?;
    w.family(
        "boundary-group-site-systems",
        "Get-CMBoundaryGroupSiteSystem",
        (0..p.distribution_points)
            .map(|i| boundary_group_site_system(1 + i % groups, &dp_host(i)))
            .chain(std::iter::once(boundary_group_site_system(0, CMG_HOST))),
    )?;
    w.manifest()?;
    Ok(w.summary)
}

/// The boot media plan for the generated site: the CMG as management point, the generated boot
/// image and certificate. `deployments` names the deployments it is for; `None` leaves the key
/// out, so that every deployment available to media is checked.
pub fn media_plan(deployments: Option<&[String]>) -> String {
    let mut s = String::from(
        "# Boot media plan for the generated site (bench/src/generate.rs).\n\
         media_type: usb\n\
         media_mode: site_based\n\
         password_protected: true\n\
         unattended: false\n\
         unknown_computer_support: false\n\
         management_points:\n",
    );
    let _ = writeln!(s, "  - {CMG_HOST}");
    s.push_str(
        "certificate:\n  kind: self_signed\n  valid_from: 2026-11-01\n  valid_until: 2027-11-01\n",
    );
    let _ = writeln!(s, "boot_image: {}", id(BOOT_IMAGE));
    if let Some(ids) = deployments {
        let _ = writeln!(s, "deployments: [{}]", ids.join(", "));
    }
    s.push_str("created: 2026-11-20\n");
    s
}

// ---------------------------------------------------------------------------------------------
// Random numbers

/// SplitMix64 (<https://prng.di.unimi.it/splitmix64.c>).
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// An independent stream for object `index` of kind `stream`.
    fn stream(seed: u64, stream: u64, index: u64) -> Rng {
        let mut r = Rng(seed ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03));
        let mix = r.next_u64();
        Rng(mix ^ index.wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n` > 0), by Lemire's multiply-shift.
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
}

/// Whether object `index` has a fault of kind `stream`: exactly `permille` in 1,000 of any run
/// of consecutive objects (evenly spaced, from a seeded phase), so that the number of findings
/// grows in proportion to the export, also in small ones.
fn fault(seed: u64, stream: u64, index: usize, permille: u32) -> bool {
    let phase = Rng::stream(seed, stream, u64::MAX).below(1000);
    let step = |i: usize| (i * permille as usize + phase) / 1000;
    step(index + 1) > step(index)
}

const S_TS: u64 = 1;
const S_DEP: u64 = 2;
const S_PKG: u64 = 3;
const S_STATUS: u64 = 4;

// ---------------------------------------------------------------------------------------------
// The content pool

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Package,
    Driver,
    Application,
    OsImage,
    BootImage,
}

impl Kind {
    /// `SMS_PackageStatusDistPointsSummarizer.PackageType` and `SecuredTypeID`.
    fn types(self) -> (i64, i64) {
        match self {
            Kind::Package => (0, 2),
            Kind::Driver => (3, 23),
            Kind::Application => (8, 31),
            Kind::OsImage => (257, 18),
            Kind::BootImage => (258, 19),
        }
    }
}

/// A content object: index 0 is the boot image, 1 the client package, 2.. the OS images, then
/// the pool.
struct Pool {
    kinds: Vec<Kind>,
}

impl Pool {
    fn new(p: &Params) -> Pool {
        let mut kinds = vec![Kind::BootImage, Kind::Package];
        kinds.extend(std::iter::repeat_n(Kind::OsImage, OS_IMAGES));
        for j in 0..p.packages {
            let mut r = Rng::stream(p.seed, S_PKG, j as u64);
            kinds.push(match r.below(20) {
                0..=11 => Kind::Package,
                12..=15 => Kind::Driver,
                _ => Kind::Application,
            });
        }
        Pool { kinds }
    }

    fn content_id(&self, c: usize) -> String {
        match c {
            0 => id(BOOT_IMAGE),
            1 => id(CLIENT_PACKAGE),
            c if c < 2 + OS_IMAGES => id(OS_IMAGE_BASE + c - 2),
            c => id(POOL_BASE + c - 2 - OS_IMAGES),
        }
    }

    /// What a task sequence reference names: the package id, or an application's model name.
    fn reference_name(&self, seed: u64, c: usize) -> String {
        if self.kinds[c] == Kind::Application {
            let mut r = Rng::stream(seed, S_PKG + 100, c as u64);
            let (a, b) = (r.next_u64(), r.next_u64());
            format!(
                "{APP_SCOPE}/Application_{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
                a >> 32,
                (a >> 16) & 0xFFFF,
                a & 0xFFFF,
                b >> 48,
                b & 0xFFFF_FFFF_FFFF
            )
        } else {
            self.content_id(c)
        }
    }

    /// The content objects task sequence `i` references, in order.
    fn references(&self, p: &Params, i: usize) -> Vec<usize> {
        let mut r = Rng::stream(p.seed, S_TS, i as u64);
        let mut refs = vec![0, 2 + r.below(OS_IMAGES), 1];
        let extra = p.refs_per_ts - FIXED_REFS;
        let start = refs.len();
        while refs.len() < start + extra {
            let c = 2 + OS_IMAGES + r.below(p.packages);
            if !refs[start..].contains(&c) {
                refs.push(c);
            }
        }
        refs
    }

    /// Every content object some task sequence references, each once, in first-seen order
    /// (the export script's order).
    fn referenced(&self, p: &Params) -> Vec<usize> {
        let mut seen = vec![false; self.kinds.len()];
        let mut out = Vec::new();
        for i in 0..p.task_sequences {
            for c in self.references(p, i) {
                if !seen[c] {
                    seen[c] = true;
                    out.push(c);
                }
            }
        }
        out
    }
}

// ---------------------------------------------------------------------------------------------
// Objects

/// A value as `ConvertTo-Json` sees it.
#[derive(Clone, Debug)]
enum V {
    Null,
    Bool(bool),
    Int(i64),
    Str(String),
    /// A .NET DateTime, in Unix milliseconds (UTC).
    Date(i64),
    Arr(Vec<V>),
    Obj(Vec<(&'static str, V)>),
}

fn s(x: impl Into<String>) -> V {
    V::Str(x.into())
}

fn id(n: usize) -> String {
    format!("{SITE}{n:05X}")
}

fn dp_host(i: usize) -> String {
    format!("DP{:04}.contoso.com", i + 1)
}

/// A network abstraction layer path, as ConfigMgr stores server names.
fn nal(host: &str) -> String {
    format!(r#"["Display=\\{host}\"]MSWNET:["SMS_SITE={SITE}"]\\{host}\"#)
}

/// A string value inside a WMI object path.
fn wmi_quote(x: &str) -> String {
    x.replace('\\', "\\\\").replace('"', "\\\"")
}

fn prop(name: &str, value: i64) -> V {
    V::Obj(vec![
        ("PropertyName", s(name)),
        ("Value", V::Int(value)),
        ("Value1", s("")),
        ("Value2", s("")),
    ])
}

fn site() -> V {
    V::Obj(vec![
        (
            "SmsProviderObjectPath",
            s(format!("SMS_Site.SiteCode=\"{SITE}\"")),
        ),
        ("SiteCode", s(SITE)),
        ("SiteName", s("Contoso Primary")),
        ("Type", V::Int(2)),
        ("Version", s("5.00.9128.1000")),
        ("BuildNumber", V::Int(9128)),
        ("ServerName", s(SITE_SERVER)),
        ("ReportingSiteCode", s("")),
        ("Status", V::Int(1)),
    ])
}

fn site_component() -> V {
    let item = format!("SMS_SITE_COMPONENT_MANAGER|{}", SITE_SERVER.to_uppercase());
    V::Obj(vec![
        (
            "SmsProviderObjectPath",
            s(format!(
                "SMS_SCI_Component.FileType=2,ItemName=\"{item}\",ItemType=\"Component\",SiteCode=\"{SITE}\""
            )),
        ),
        ("ComponentName", s("SMS_SITE_COMPONENT_MANAGER")),
        ("SiteCode", s(SITE)),
        ("ItemName", s(item)),
        (
            "Props",
            V::Arr(vec![
                prop("IISSSLState", 1216),
                prop("Enforce Enhanced Hash Algorithm", 1),
                prop("Enforce Message Signing", 0),
            ]),
        ),
        ("PropLists", V::Arr(Vec::new())),
    ])
}

fn cmg() -> V {
    V::Obj(vec![
        (
            "SmsProviderObjectPath",
            s("SMS_AzureService.AzureServiceID=16777217"),
        ),
        ("AzureServiceID", V::Int(16_777_217)),
        ("Name", s(CMG_NAME)),
        ("ServiceCName", s(CMG_HOST)),
        ("Fqdn", s(format!("{CMG_NAME}.cloudapp.net"))),
        ("ServiceType", s("CloudProxyService")),
        ("SiteCode", s(SITE)),
        ("Region", s("EastUS")),
        ("NumberOfInstances", V::Int(2)),
        ("State", V::Int(0)),
        ("StatusDetails", V::Int(1)),
        ("DeploymentSlot", s("Production")),
        (
            "ServiceThumbprint",
            s("3C2E8A41F07B95D6C1E2A4B7D9F03E5A6B8C1D24"),
        ),
        ("ClientCertRevocationEnabled", V::Bool(false)),
    ])
}

/// A site system role (`SMS_SCI_SysResUse`).
fn role(host: &str, role_name: &str, props: Vec<V>) -> V {
    let nal_path = nal(host);
    let item = format!("{nal_path},{role_name}");
    V::Obj(vec![
        (
            "SmsProviderObjectPath",
            s(format!(
                "SMS_SCI_SysResUse.FileType=2,ItemName=\"{}\",ItemType=\"System Resource Usage\",SiteCode=\"{SITE}\"",
                wmi_quote(&item)
            )),
        ),
        ("RoleName", s(role_name)),
        ("NetworkOSPath", s(format!("\\\\{host}"))),
        ("NALPath", s(nal_path)),
        ("SiteCode", s(SITE)),
        ("SslState", V::Int(0)),
        ("Props", V::Arr(props)),
    ])
}

fn distribution_point(host: &str, cloud: bool) -> V {
    let nal_path = nal(host);
    let resource = if cloud {
        "Windows Azure"
    } else {
        "Windows NT Server"
    };
    V::Obj(vec![
        (
            "SmsProviderObjectPath",
            s(format!(
                "SMS_DistributionPointInfo.NALPath=\"{}\",ResourceType=\"{resource}\",SiteCode=\"{SITE}\"",
                wmi_quote(&nal_path)
            )),
        ),
        ("NALPath", s(nal_path)),
        ("ServerName", s(host)),
        ("Name", s(host)),
        ("SiteCode", s(SITE)),
        ("ResourceType", s(resource)),
        ("InternetFacing", V::Bool(cloud)),
        ("IsPXE", V::Bool(false)),
        ("IsActive", V::Bool(true)),
        ("Communication", V::Int(i64::from(cloud))),
    ])
}

fn ts_name(i: usize) -> String {
    format!("Win11 24H2 – CMG media wave {}", i + 1)
}

fn task_sequence(p: &Params, pool: &Pool, i: usize) -> V {
    let ts = id(TS_BASE + i);
    let refs = pool.references(p, i);
    let references: Vec<V> = refs
        .iter()
        .map(|&c| {
            let kind = pool.kinds[c];
            V::Obj(vec![
                ("Package", s(pool.reference_name(p.seed, c))),
                (
                    "Program",
                    s(if kind == Kind::Package && c != 1 {
                        "Install"
                    } else {
                        ""
                    }),
                ),
                ("Type", V::Int(i64::from(kind == Kind::Application))),
            ])
        })
        .collect();
    V::Obj(vec![
        (
            "SmsProviderObjectPath",
            s(format!("SMS_TaskSequencePackage.PackageID=\"{ts}\"")),
        ),
        ("PackageID", s(ts.clone())),
        ("Name", s(ts_name(i))),
        ("PackageType", V::Int(4)),
        ("Type", V::Int(2)),
        ("BootImageID", s(id(BOOT_IMAGE))),
        ("References", V::Arr(references)),
        ("ReferencesCount", V::Int(refs.len() as i64)),
        ("DependentProgram", s("")),
        ("Sequence", s(sequence(p, pool, &refs))),
        ("AlternateContentProviders", s("")),
        ("TaskSequenceFlags", V::Int(0)),
        ("SourceDate", V::Date(NOV_1 + (i as i64 % 1440) * 60_000)),
    ])
}

/// The task sequence XML, as `Get-CMTaskSequence` returns it in `Sequence` (with CRLF line
/// ends, and the values of password variables blanked as the export script does).
fn sequence(p: &Params, pool: &Pool, refs: &[usize]) -> String {
    let mut x = String::with_capacity(1024 + refs.len() * 700);
    x.push_str("<sequence version=\"3.10\">\r\n  <referenceList>\r\n");
    for &c in refs {
        let name = pool.reference_name(p.seed, c);
        if pool.kinds[c] == Kind::Package && c != 1 {
            let _ = write!(
                x,
                "    <reference package=\"{name}\" program=\"Install\" />\r\n"
            );
        } else {
            let _ = write!(x, "    <reference package=\"{name}\" />\r\n");
        }
    }
    x.push_str("  </referenceList>\r\n");
    x.push_str("  <group name=\"Install Operating System\" description=\"\">\r\n");
    step(
        &mut x,
        "SMS_TaskSequence_RebootAction",
        "Restart in Windows PE",
        "WinPEandFullOS",
        "smsboot.exe /target:WinPE",
        &[
            ("SMSRebootMessage", "Message", None),
            ("SMSRebootTimeout", "MessageTimeout", Some("60")),
            ("SMSRebootTarget", "Target", Some("WinPE")),
        ],
    );
    step(
        &mut x,
        "SMS_TaskSequence_PartitionDiskAction",
        "Partition Disk 0 - UEFI",
        "WinPE",
        "OSDDiskPart.exe",
        &[
            ("OSDDiskIndex", "DiskIndex", Some("0")),
            ("OSDPartitionStyle", "PartitionStyle", Some("GPT")),
            ("OSDPartitions", "Partitions", Some("4")),
        ],
    );
    let mut ids = Vec::new();
    for &c in refs {
        ids.push((pool.kinds[c], pool.reference_name(p.seed, c)));
    }
    for (kind, name) in &ids {
        if *kind == Kind::OsImage {
            step(
                &mut x,
                "SMS_TaskSequence_ApplyOperatingSystemAction",
                "Apply Operating System",
                "WinPE",
                &format!("OSDApplyOS.exe /image:{name},1 /target:%OSDisk% /runfromnet:False"),
                &[
                    ("OSDImagePackageId", "ImagePackageID", Some(name)),
                    ("OSDImageIndex", "ImageIndex", Some("1")),
                    (
                        "OSDTargetSystemDrive",
                        "DestinationLogicalDrive",
                        Some("%OSDisk%"),
                    ),
                ],
            );
        }
    }
    // The export script blanks password variables: `<variable ...></variable>`.
    x.push_str(
        "    <step type=\"SMS_TaskSequence_ApplyWindowsSettingsAction\" name=\"Apply Windows Settings\" description=\"\" runIn=\"WinPE\" successCodeList=\"0 3010\" retryCount=\"0\" runFromNet=\"false\">\r\n\
        \x20     <action>OSDWinSettings.exe</action>\r\n\
        \x20     <defaultVarList>\r\n\
        \x20       <variable name=\"OSDRegisteredOrgName\" property=\"RegisteredOrganization\">Contoso Ltd.</variable>\r\n\
        \x20       <variable name=\"OSDProductKey\" property=\"ProductKey\" />\r\n\
        \x20       <variable name=\"OSDRandomAdminPassword\" property=\"RandomAdminPassword\"></variable>\r\n\
        \x20       <variable name=\"OSDTimeZone\" property=\"TimeZone\">Eastern Standard Time</variable>\r\n\
        \x20     </defaultVarList>\r\n\
        \x20   </step>\r\n",
    );
    step(
        &mut x,
        "SMS_TaskSequence_ApplyNetworkSettingsAction",
        "Apply Network Settings",
        "WinPE",
        "OSDNetSettings.exe",
        &[
            ("OSDNetworkJoinType", "NetworkJoinType", Some("1")),
            ("OSDWorkgroupName", "WorkgroupName", Some("WORKGROUP")),
            ("OSDDomainName", "DomainName", None),
        ],
    );
    for (kind, name) in &ids {
        if *kind == Kind::Driver {
            step(
                &mut x,
                "SMS_TaskSequence_ApplyDriverPackageAction",
                &format!("Apply Driver Package {name}"),
                "WinPE",
                &format!("osddriverclient.exe /install:{name} /unsigned:False"),
                &[
                    ("OSDApplyDriverPackageID", "DriverPackageID", Some(name)),
                    ("OSDAllowUnsignedDriver", "UnsignedDriver", Some("false")),
                ],
            );
        }
    }
    let client = pool.content_id(1);
    let props =
        format!("CCMHOSTNAME={CMG_HOST}/CCM_Proxy_MutualAuth/72057594037927941 SMSSITECODE={SITE}");
    step(
        &mut x,
        "SMS_TaskSequence_SetupWindowsAndSMSAction",
        "Setup Windows and ConfigMgr",
        "WinPE",
        "OSDSetupWindows.exe",
        &[
            ("OSDSetupClientPackageID", "ClientPackageID", Some(&client)),
            (
                "SMSClientInstallProperties",
                "ClientInstallProperties",
                Some(&props),
            ),
        ],
    );
    x.push_str("  </group>\r\n  <group name=\"Install Applications\" description=\"\">\r\n");
    for (n, (kind, name)) in ids.iter().enumerate() {
        match kind {
            Kind::Application => step(
                &mut x,
                "SMS_TaskSequence_InstallApplicationAction",
                &format!("Install application {n}"),
                "FullOS",
                "smsappinstall.exe",
                &[
                    ("NumApps", "NumApps", Some("1")),
                    ("OSDApp0Name", "AppInfo0Name", Some(name)),
                    (
                        "ContinueOnInstallError",
                        "ContinueOnInstallError",
                        Some("false"),
                    ),
                ],
            ),
            Kind::Package if *name != client => step(
                &mut x,
                "SMS_TaskSequence_InstallSoftwareAction",
                &format!("Install package {name} &amp; settings"),
                "FullOS",
                &format!("smsswd.exe /pkg:{name} /install /basevar: /continueOnError:"),
                &[
                    ("PackageID", "PackageID", Some(name)),
                    ("ProgramName", "ProgramName", Some("Install")),
                ],
            ),
            _ => {}
        }
    }
    x.push_str("  </group>\r\n</sequence>");
    x
}

fn step(
    x: &mut String,
    kind: &str,
    name: &str,
    run_in: &str,
    action: &str,
    vars: &[(&str, &str, Option<&str>)],
) {
    let _ = write!(
        x,
        "    <step type=\"{kind}\" name=\"{name}\" description=\"\" runIn=\"{run_in}\" successCodeList=\"0 3010\" retryCount=\"0\" runFromNet=\"false\">\r\n      <action>{action}</action>\r\n      <defaultVarList>\r\n"
    );
    for (var, property, value) in vars {
        match value {
            Some(v) => {
                let _ = write!(
                    x,
                    "        <variable name=\"{var}\" property=\"{property}\">{v}</variable>\r\n"
                );
            }
            None => {
                let _ = write!(
                    x,
                    "        <variable name=\"{var}\" property=\"{property}\" />\r\n"
                );
            }
        }
    }
    x.push_str("      </defaultVarList>\r\n    </step>\r\n");
}

/// AdvertFlags of a deployment available to "Configuration Manager clients, media and PXE"
/// that allows the internet; the fault sets APTSINTRANETONLY (0x80000), see the
/// SMS_Advertisement class (<https://learn.microsoft.com/intune/configmgr/develop/reference/core/servers/configure/sms_advertisement-server-wmi-class>).
const ADVERT_FLAGS: i64 = 0x0086_0000;
const TS_INTRANET_ONLY: i64 = 0x0008_0000;

fn deployment(p: &Params, i: usize) -> V {
    let mut r = Rng::stream(p.seed, S_DEP, i as u64);
    let dep = p.deployment_id(i);
    let ts = i % p.task_sequences;
    let flags = if fault(p.seed, S_DEP, i, p.fault_permille) {
        ADVERT_FLAGS | TS_INTRANET_ONLY
    } else {
        ADVERT_FLAGS
    };
    // Available since a day in 2026-11-01..11-16, never expiring.
    let present = NOV_1 + r.below(16) as i64 * DAY_MS + 9 * 3_600_000;
    V::Obj(vec![
        (
            "SmsProviderObjectPath",
            s(format!("SMS_Advertisement.AdvertisementID=\"{dep}\"")),
        ),
        ("AdvertisementID", s(dep)),
        ("AdvertisementName", s(ts_name(ts))),
        ("PackageID", s(id(TS_BASE + ts))),
        ("CollectionID", s(id(COLLECTION_BASE + i))),
        ("ProgramName", s("*")),
        ("OfferType", V::Int(2)),
        ("AdvertFlags", V::Int(flags)),
        ("RemoteClientFlags", V::Int(35_584)),
        ("DeviceFlags", V::Int(0)),
        ("PresentTime", V::Date(present)),
        ("PresentTimeEnabled", V::Bool(true)),
        ("PresentTimeIsGMT", V::Bool(false)),
        ("ExpirationTime", V::Date(present + 365 * DAY_MS)),
        ("ExpirationTimeEnabled", V::Bool(false)),
        ("ExpirationTimeIsGMT", V::Bool(false)),
        ("AssignedScheduleEnabled", V::Bool(false)),
        ("Comment", s("Remote reimage: USB boot media over the CMG")),
    ])
}

/// The content status rows of content object `c`: some distribution points, then the CMG.
fn content_status(p: &Params, pool: &Pool, c: usize) -> Vec<V> {
    let mut r = Rng::stream(p.seed, S_STATUS, c as u64);
    let kind = pool.kinds[c];
    let (package_type, secured_type) = kind.types();
    let content = pool.content_id(c);
    let secure = pool.reference_name(p.seed, c);
    let version = 1 + r.below(12) as i64;
    let span = p.status_rows_max - p.status_rows_min + 1;
    let rows = (p.status_rows_min + r.below(span)).min(p.distribution_points);
    // The fixed content every task sequence uses is never a fault.
    let (missing, failed) = if c < 2 + OS_IMAGES {
        (false, false)
    } else {
        (
            fault(p.seed, S_STATUS, c, p.fault_permille),
            fault(p.seed, S_STATUS + 100, c, p.fault_permille / 2),
        )
    };
    let first = r.below(p.distribution_points);
    let mut hosts: Vec<String> = (0..rows)
        .map(|k| dp_host((first + k * 7) % p.distribution_points))
        .collect();
    if !missing {
        hosts.push(CMG_HOST.to_string());
    }
    let source = nal(SITE_SERVER);
    hosts
        .into_iter()
        .enumerate()
        .map(|(k, host)| {
            let state = if failed && host == CMG_HOST { 3 } else { 0 };
            V::Obj(vec![
                ("PackageID", s(content.clone())),
                ("PackageType", V::Int(package_type)),
                ("SecureObjectID", s(secure.clone())),
                ("SecuredTypeID", V::Int(secured_type)),
                ("ServerNALPath", s(nal(&host))),
                ("SiteCode", s(SITE)),
                ("SourceNALPath", s(source.clone())),
                ("SourceVersion", V::Int(version)),
                ("State", V::Int(state)),
                ("SummaryDate", s("20261120093000.000000+000")),
                (
                    "LastCopied",
                    s(format!("2026111817{:02}{:02}.000000+000", k % 60, c % 60)),
                ),
                ("__CLASS", s("SMS_PackageStatusDistPointsSummarizer")),
            ])
        })
        .collect()
}

fn client_settings() -> Vec<V> {
    let setting = |path: &str,
                   id: i64,
                   name: &str,
                   priority: i64,
                   kind: i64,
                   description: &str,
                   unique: &str,
                   cloud: V| {
        V::Obj(vec![
            (
                "SmsProviderObjectPath",
                s(format!("{path}.SettingsID={id}")),
            ),
            ("Name", s(name)),
            ("SettingsID", V::Int(id)),
            ("Priority", V::Int(priority)),
            ("Type", V::Int(kind)),
            ("Enabled", V::Bool(true)),
            ("Description", s(description)),
            ("UniqueID", s(unique)),
            ("Cloud", cloud),
            ("CloudQueryError", V::Null),
        ])
    };
    let cloud = |dp: V, cmg: V, aad: V| {
        V::Obj(vec![
            ("AllowCloudDP", dp),
            ("AllowCMG", cmg),
            ("AutoAADJoin", aad),
        ])
    };
    vec![
        setting(
            "SMS_ClientSettingsDefault",
            16_777_216,
            "Default Client Setting",
            10_000,
            0,
            "Default client agent settings",
            "{6C1A0F4E-1B2D-4E8F-9A3C-5D7E2F104B6A}",
            cloud(V::Bool(true), V::Bool(true), V::Bool(false)),
        ),
        setting(
            "SMS_ClientSettings",
            16_777_220,
            "Remote reimage devices",
            1,
            1,
            "Settings for laptops in the remote reimage programme",
            "{A3E51C27-7F0B-4C9D-8E62-0B4D93F7A215}",
            cloud(V::Int(1), V::Int(1), V::Int(0)),
        ),
        setting(
            "SMS_ClientSettings",
            16_777_221,
            "Workstation power",
            2,
            1,
            "Power plan for desktops and laptops",
            "{D9F2B846-3A5E-4F17-B0C8-6E1A72D5C3F9}",
            V::Null,
        ),
    ]
}

fn client_setting_deployments() -> Vec<V> {
    let assignment = |id: i64, setting: V, collection: &str, name: &str| {
        V::Obj(vec![
            (
                "SmsProviderObjectPath",
                s(format!("SMS_ClientSettingsAssignment.AssignmentID={id}")),
            ),
            ("AssignmentID", V::Int(id)),
            ("ClientSettingsID", setting),
            ("CollectionID", s(collection)),
            ("CollectionName", s(name)),
        ])
    };
    vec![
        // ConfigMgr returns this id as a string on some sites; the linter reads both.
        assignment(16_777_223, s("16777220"), "SMS00001", "All Systems"),
        assignment(16_777_224, V::Int(16_777_221), "SMS00001", "All Systems"),
    ]
}

fn boot_image() -> V {
    let boot = id(BOOT_IMAGE);
    V::Obj(vec![
        (
            "SmsProviderObjectPath",
            s(format!("SMS_BootImagePackage.PackageID=\"{boot}\"")),
        ),
        ("PackageID", s(boot)),
        ("Name", s("Boot image (x64)")),
        ("Architecture", V::Int(9)),
        ("ImageOSVersion", s("10.0.26100.1")),
        ("SourceVersion", V::Int(7)),
        ("EnableLabShell", V::Bool(false)),
    ])
}

fn certificate() -> V {
    let smsid = "{8E1A5C3B-2D74-4F09-B6A1-93C0E7D2F518}";
    V::Obj(vec![
        (
            "SmsProviderObjectPath",
            s(format!("SMS_Certificate.SMSID=\"{smsid}\"")),
        ),
        ("SMSID", s(smsid)),
        ("Type", V::Int(1)),
        ("KeyType", V::Int(1)),
        ("IsBlocked", V::Bool(false)),
        ("IsApproved", V::Int(1)),
        ("ValidFrom", V::Date(NOV_1)),
        ("ValidUntil", V::Date(1_825_027_200_000)),
        ("IssuedTo", s("ConfigMgr Boot Media Certificate")),
        ("ServerName", s("")),
    ])
}

/// Group 0 is "Remote workers" (prefers cloud sources, holds the CMG); the others hold the
/// distribution points.
fn boundary_group(g: usize) -> V {
    let group = 16_777_217 + g as i64;
    let (name, flags) = if g == 0 {
        ("Remote workers".to_string(), 8)
    } else {
        (format!("Branch {g:03}"), 0)
    };
    V::Obj(vec![
        (
            "SmsProviderObjectPath",
            s(format!("SMS_BoundaryGroup.GroupID={group}")),
        ),
        ("GroupID", V::Int(group)),
        ("Name", s(name)),
        ("Flags", V::Int(flags)),
        ("DefaultSiteCode", s(SITE)),
    ])
}

fn boundary_group_site_system(g: usize, host: &str) -> V {
    let group = 16_777_217 + g as i64;
    let nal_path = nal(host);
    V::Obj(vec![
        (
            "SmsProviderObjectPath",
            s(format!(
                "SMS_BoundaryGroupSiteSystems.GroupID={group},ServerNALPath=\"{}\",SiteCode=\"{SITE}\"",
                wmi_quote(&nal_path)
            )),
        ),
        ("GroupID", V::Int(group)),
        ("ServerNALPath", s(nal_path)),
        ("SiteCode", s(SITE)),
        ("Flags", V::Int(0)),
    ])
}

// ---------------------------------------------------------------------------------------------
// Writing

struct Writer<'a> {
    p: &'a Params,
    dir: &'a Path,
    summary: Summary,
    manifest_files: Vec<V>,
}

impl<'a> Writer<'a> {
    fn new(p: &'a Params, dir: &'a Path) -> Writer<'a> {
        Writer {
            p,
            dir,
            summary: Summary::default(),
            manifest_files: Vec::new(),
        }
    }

    /// Writes one family as an array, object by object.
    fn family(
        &mut self,
        stem: &str,
        cmdlet: &str,
        items: impl Iterator<Item = V>,
    ) -> io::Result<()> {
        let name = format!("{stem}.{}", self.p.extension());
        let mut out = Out::create(&self.dir.join(&name), self.p.encoding)?;
        let mut count = 0;
        let mut text = String::new();
        for item in items {
            text.clear();
            match self.p.format {
                Format::Yaml => yaml_seq_item(&mut text, &item, 0),
                Format::Json => {
                    text.push_str(match (count, self.p.compress, self.p.flavor) {
                        (0, true, _) => "[",
                        (_, true, _) => ",",
                        (0, false, Flavor::Ps51) => "[\r\n    ",
                        (_, false, Flavor::Ps51) => ",\r\n    ",
                        (0, false, Flavor::Ps7) => "[\r\n  ",
                        (_, false, Flavor::Ps7) => ",\r\n  ",
                    });
                    json(&mut text, &item, self.p, 1, 4);
                }
            }
            out.write(&text)?;
            count += 1;
        }
        match (count, self.p.format, self.p.compress) {
            // The export script writes the literal `[]` for an empty family.
            (0, _, _) => out.write("[]")?,
            (_, Format::Yaml, _) => {}
            (_, Format::Json, true) => out.write("]")?,
            (_, Format::Json, false) => out.write("\r\n]")?,
        }
        let bytes = out.finish()?;
        self.summary.files.push((name.clone(), count, bytes));
        self.summary.bytes += bytes;
        self.manifest_files.push(V::Obj(vec![
            ("Name", s(name)),
            ("Cmdlet", s(cmdlet)),
            ("Count", V::Int(count as i64)),
        ]));
        Ok(())
    }

    fn manifest(&mut self) -> io::Result<()> {
        let p = self.p;
        let ids = (0..p.task_sequences).map(|i| s(id(TS_BASE + i))).collect();
        let manifest = V::Obj(vec![
            ("Tool", s("Export-CMPreflight")),
            ("ScriptVersion", s("1.0.0")),
            ("ExportedAt", s("2026-11-23T14:02:11Z")),
            ("SiteCode", s(SITE)),
            (
                "PSVersion",
                s(match p.flavor {
                    Flavor::Ps51 => "5.1.19041.5247",
                    Flavor::Ps7 => "7.4.6",
                }),
            ),
            ("Depth", V::Int(10)),
            ("TaskSequenceIds", V::Arr(ids)),
            ("Files", V::Arr(std::mem::take(&mut self.manifest_files))),
        ]);
        let name = format!("manifest.{}", p.extension());
        let mut text = String::new();
        match p.format {
            Format::Yaml => yaml_map(&mut text, &manifest, 0, false),
            Format::Json => json(&mut text, &manifest, p, 0, 0),
        }
        let mut out = Out::create(&self.dir.join(&name), p.encoding)?;
        out.write(&text)?;
        let bytes = out.finish()?;
        self.summary.files.push((name, 1, bytes));
        self.summary.bytes += bytes;
        Ok(())
    }
}

/// A file in the chosen encoding.
struct Out {
    w: BufWriter<File>,
    encoding: Encoding,
    bytes: u64,
    buf: Vec<u8>,
}

impl Out {
    fn create(path: &Path, encoding: Encoding) -> io::Result<Out> {
        let mut out = Out {
            w: BufWriter::with_capacity(1 << 20, File::create(path)?),
            encoding,
            bytes: 0,
            buf: Vec::new(),
        };
        if encoding == Encoding::Utf16Le {
            out.w.write_all(&[0xFF, 0xFE])?;
            out.bytes += 2;
        }
        Ok(out)
    }

    fn write(&mut self, text: &str) -> io::Result<()> {
        match self.encoding {
            Encoding::Utf8 => {
                self.w.write_all(text.as_bytes())?;
                self.bytes += text.len() as u64;
            }
            Encoding::Utf16Le => {
                self.buf.clear();
                for unit in text.encode_utf16() {
                    self.buf.extend_from_slice(&unit.to_le_bytes());
                }
                self.w.write_all(&self.buf)?;
                self.bytes += self.buf.len() as u64;
            }
        }
        Ok(())
    }

    fn finish(mut self) -> io::Result<u64> {
        self.w.flush()?;
        Ok(self.bytes)
    }
}

// ---------------------------------------------------------------------------------------------
// JSON

/// Writes `v` at nesting `depth` (PowerShell 7's indentation) whose first character is at
/// column `col` (Windows PowerShell 5.1's indentation).
fn json(out: &mut String, v: &V, p: &Params, depth: usize, col: usize) {
    match v {
        V::Null => out.push_str("null"),
        V::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        V::Int(i) => {
            let _ = write!(out, "{i}");
        }
        V::Str(x) => json_str(out, x, p.flavor),
        V::Date(ms) => match p.flavor {
            Flavor::Ps51 => {
                let _ = write!(out, "\"\\/Date({ms})\\/\"");
            }
            Flavor::Ps7 => {
                out.push('"');
                iso_local(out, *ms, false);
                out.push('"');
            }
        },
        V::Arr(items) => {
            if p.compress {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    json(out, item, p, depth + 1, 0);
                }
                out.push(']');
                return;
            }
            match p.flavor {
                Flavor::Ps51 => {
                    out.push_str("[\r\n");
                    if items.is_empty() {
                        // Windows PowerShell 5.1 leaves an empty line in an empty array.
                        out.push_str("\r\n");
                    }
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            out.push_str(",\r\n");
                        }
                        pad(out, col + 4);
                        json(out, item, p, depth + 1, col + 4);
                    }
                    if !items.is_empty() {
                        out.push_str("\r\n");
                    }
                    pad(out, col);
                    out.push(']');
                }
                Flavor::Ps7 => {
                    if items.is_empty() {
                        out.push_str("[]");
                        return;
                    }
                    out.push_str("[\r\n");
                    for (i, item) in items.iter().enumerate() {
                        if i > 0 {
                            out.push_str(",\r\n");
                        }
                        pad(out, 2 * (depth + 1));
                        json(out, item, p, depth + 1, 0);
                    }
                    out.push_str("\r\n");
                    pad(out, 2 * depth);
                    out.push(']');
                }
            }
        }
        V::Obj(members) => {
            if p.compress {
                out.push('{');
                for (i, (k, item)) in members.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    json_str(out, k, p.flavor);
                    out.push(':');
                    json(out, item, p, depth + 1, 0);
                }
                out.push('}');
                return;
            }
            if members.is_empty() {
                out.push_str("{}");
                return;
            }
            out.push_str("{\r\n");
            for (i, (k, item)) in members.iter().enumerate() {
                if i > 0 {
                    out.push_str(",\r\n");
                }
                match p.flavor {
                    Flavor::Ps51 => {
                        pad(out, col + 4);
                        json_str(out, k, p.flavor);
                        out.push_str(":  ");
                        // `"key":  ` is the key's length plus 5 characters.
                        json(out, item, p, depth + 1, col + 4 + k.chars().count() + 5);
                    }
                    Flavor::Ps7 => {
                        pad(out, 2 * (depth + 1));
                        json_str(out, k, p.flavor);
                        out.push_str(": ");
                        json(out, item, p, depth + 1, 0);
                    }
                }
            }
            out.push_str("\r\n");
            match p.flavor {
                Flavor::Ps51 => pad(out, col),
                Flavor::Ps7 => pad(out, 2 * depth),
            }
            out.push('}');
        }
    }
}

fn pad(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

fn json_str(out: &mut String, x: &str, flavor: Flavor) {
    out.push('"');
    for ch in x.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            // JavaScriptSerializer's HTML-safe escapes.
            '<' | '>' | '&' | '\'' if flavor == Flavor::Ps51 => {
                let _ = write!(out, "\\u{:04x}", ch as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A DateTime of kind Local on a server one hour east of UTC, as ISO 8601 with its offset
/// (`2026-11-01T10:00:00+01:00`); `fraction` adds the seven digits of .NET's "o" format.
fn iso_local(out: &mut String, ms: i64, fraction: bool) {
    let local = ms + 3_600_000;
    let days = local.div_euclid(DAY_MS);
    let secs = local.rem_euclid(DAY_MS) / 1000;
    let (y, m, d) = civil(days);
    let _ = write!(
        out,
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    );
    if fraction {
        out.push_str(".0000000");
    }
    out.push_str("+01:00");
}

/// Days since 1970-01-01 to the proleptic Gregorian date, after H. Hinnant's `civil_from_days`
/// (<https://howardhinnant.github.io/date_algorithms.html#civil_from_days>).
fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

// ---------------------------------------------------------------------------------------------
// YAML

/// One item of a block sequence at `indent`: `- ` and the value.
fn yaml_seq_item(out: &mut String, v: &V, indent: usize) {
    pad(out, indent);
    out.push_str("- ");
    match v {
        V::Obj(m) if !m.is_empty() => yaml_map(out, v, indent + 2, true),
        V::Arr(items) if !items.is_empty() => {
            for (i, item) in items.iter().enumerate() {
                if i == 0 {
                    // `- - a`: the nested sequence starts on this line.
                    let mut nested = String::new();
                    yaml_seq_item(&mut nested, item, indent + 2);
                    out.push_str(nested.trim_start());
                } else {
                    yaml_seq_item(out, item, indent + 2);
                }
            }
        }
        scalar => {
            yaml_scalar(out, scalar);
            out.push_str("\r\n");
        }
    }
}

/// A block mapping at `indent`; with `inline_first` the first key continues the current line.
fn yaml_map(out: &mut String, v: &V, indent: usize, inline_first: bool) {
    let V::Obj(members) = v else {
        yaml_scalar(out, v);
        out.push_str("\r\n");
        return;
    };
    for (i, (k, item)) in members.iter().enumerate() {
        if i > 0 || !inline_first {
            pad(out, indent);
        }
        yaml_plain_or_quoted(out, k);
        match item {
            V::Obj(m) if !m.is_empty() => {
                out.push_str(":\r\n");
                yaml_map(out, item, indent + 2, false);
            }
            V::Arr(items) if !items.is_empty() => {
                out.push_str(":\r\n");
                // YamlDotNet does not indent a sequence under its key.
                for x in items {
                    yaml_seq_item(out, x, indent);
                }
            }
            _ => {
                out.push_str(": ");
                yaml_scalar(out, item);
                out.push_str("\r\n");
            }
        }
    }
}

fn yaml_scalar(out: &mut String, v: &V) {
    match v {
        V::Null => out.push_str("null"),
        V::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        V::Int(i) => {
            let _ = write!(out, "{i}");
        }
        V::Str(x) => yaml_plain_or_quoted(out, x),
        // powershell-yaml writes a DateTime in .NET's round-trip ("o") format.
        V::Date(ms) => iso_local(out, *ms, true),
        V::Arr(_) => out.push_str("[]"),
        V::Obj(_) => out.push_str("{}"),
    }
}

fn yaml_plain_or_quoted(out: &mut String, x: &str) {
    if yaml_plain_ok(x) {
        out.push_str(x);
    } else if !x.chars().any(char::is_control) {
        out.push('\'');
        out.push_str(&x.replace('\'', "''"));
        out.push('\'');
    } else {
        out.push('"');
        for ch in x.chars() {
            match ch {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                c if c.is_control() => {
                    let _ = write!(out, "\\u{:04x}", c as u32);
                }
                c => out.push(c),
            }
        }
        out.push('"');
    }
}

/// Whether `x` reads back as the same string when written plain in block context (YAML 1.2,
/// and not a YAML 1.1 boolean or number either).
fn yaml_plain_ok(x: &str) -> bool {
    let Some(first) = x.chars().next() else {
        return false;
    };
    if "-?:,[]{}#&*!|>'\"%@`".contains(first)
        || first.is_ascii_digit()
        || first == '+'
        || first == '.'
        || first.is_whitespace()
        || x.ends_with(char::is_whitespace)
        || x.ends_with(':')
        || x.contains(": ")
        || x.contains(" #")
        || x.chars().any(|c| c.is_control() || c == '\u{feff}')
    {
        return false;
    }
    !matches!(
        x.to_ascii_lowercase().as_str(),
        "null" | "~" | "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n"
    )
}
