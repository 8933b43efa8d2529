//! Reads an export (files and folders of cmdlet output) into typed records per family.
//! Owns classification, merging of files, duplicate detection and the list of families
//! present; it does not interpret values (that is `model`).

pub mod classify;
pub mod family;
pub mod field;
pub mod records;
pub mod sequence;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use classify::Kind;
use family::Family;
use field::{Field, Obj};
use records::*;

use crate::source::node::Node;
use crate::source::{self, redact, FileId, InputError, Origin, SourceMap, Span, Syntax};

/// A remark about the input that is not a rule outcome: duplicates, unrecognised objects.
#[derive(Debug, Clone)]
pub struct Note {
    pub message: String,
    pub at: Option<Origin>,
    pub also: Option<(Origin, String)>,
}

#[derive(Default)]
pub struct Export {
    pub sources: SourceMap,
    /// Files that held each family (an empty `[]` file counts: the family was exported).
    pub present: BTreeMap<Family, Vec<FileId>>,
    pub sites: Vec<Site>,
    pub components: Vec<SiteComponent>,
    pub azure_services: Vec<AzureService>,
    pub cmg_connection_points: Vec<SysRole>,
    pub management_points: Vec<SysRole>,
    pub distribution_points: Vec<DpInfo>,
    pub content_status: Vec<ContentStatus>,
    pub client_settings: Vec<ClientSetting>,
    pub client_setting_deployments: Vec<ClientSettingDeployment>,
    pub task_sequences: Vec<TaskSequence>,
    pub step_rows: Vec<StepRow>,
    pub deployments: Vec<Deployment>,
    pub boot_images: Vec<BootImage>,
    pub certificates: Vec<Certificate>,
    pub boundary_groups: Vec<BoundaryGroup>,
    pub boundary_group_site_systems: Vec<BoundaryGroupSiteSystem>,
    /// Media plans found among the inputs (used when `--media` is not given).
    pub media_plans: Vec<PathBuf>,
    pub notes: Vec<Note>,
    /// Objects that are no ConfigMgr object this tool reads, in all files.
    pub unrecognised: usize,
    seen: HashMap<(Family, String), Origin>,
    unrecognised_here: usize,
    first_unrecognised: Option<Origin>,
}

impl Export {
    pub fn has(&self, family: Family) -> bool {
        self.present.contains_key(&family)
    }
}

/// Loads every input file. Files that cannot be read or parsed are all reported together.
/// `skip`: inputs that are not export data (the media plan, a custom rules folder); a
/// file at or below one of them is not read as export.
pub fn load(
    sources: SourceMap,
    files: &[PathBuf],
    skip: &[&Path],
    encoding: Option<&'static encoding_rs::Encoding>,
) -> Result<Export, Vec<InputError>> {
    let mut export = Export {
        sources,
        ..Export::default()
    };
    let mut errors = Vec::new();
    let skip: Vec<PathBuf> = skip
        .iter()
        .map(|s| s.canonicalize().unwrap_or_else(|_| s.to_path_buf()))
        .collect();
    for path in files {
        let here = path.canonicalize().unwrap_or_else(|_| path.clone());
        if skip.iter().any(|s| here.starts_with(s)) {
            continue;
        }
        if let Err(e) = load_file(&mut export, path, encoding) {
            errors.push(e);
        }
    }
    if errors.is_empty() {
        Ok(export)
    } else {
        Err(errors)
    }
}

fn load_file(
    export: &mut Export,
    path: &Path,
    encoding: Option<&'static encoding_rs::Encoding>,
) -> Result<(), InputError> {
    let mut loaded = source::read(path, encoding)?;
    let syntax = loaded.syntax;
    let file = FileId(export.sources.iter().count() as u32);
    let mut items_seen = 0usize;
    // Secret values are collected while parsing (one walk per element) and blanked after.
    let mut secret_spans: Vec<(usize, usize)> = Vec::new();
    let mut is_media_plan = false;
    let dups = {
        let text_ref = loaded.text.as_str();
        let mut each = |node: Node| {
            items_seen += 1;
            redact::collect(&node, &mut secret_spans);
            match classify::classify(&node) {
                Kind::MediaPlan => is_media_plan = true,
                kind => export.add(kind, &node, file, text_ref, syntax == Syntax::Json),
            }
        };
        source::parse_items(text_ref, syntax, path, &records::DEFERRED, &mut each)?
    };
    redact::blank(&secret_spans, &mut loaded.text);
    let unrecognised = std::mem::take(&mut export.unrecognised_here);
    if unrecognised > 0 {
        export.unrecognised += unrecognised;
        export.notes.push(Note {
            message: match unrecognised {
                1 => "this object is not a ConfigMgr object cmg-preflight reads; it is ignored".into(),
                n => format!("{n} objects in this file are not ConfigMgr objects cmg-preflight reads; they are ignored (the first is here)"),
            },
            at: export.first_unrecognised.take(),
            also: None,
        });
    }
    for d in dups {
        export.notes.push(Note {
            message: format!(
                "duplicate property `{}`: given more than once in this object; PowerShell's ConvertFrom-Json rejects such a file, so neither value is used (the checks that need it are unknown)",
                d.key
            ),
            at: Some(Origin { file, span: d.again }),
            also: Some((Origin { file, span: d.first }, "first given here".into())),
        });
    }
    if items_seen == 0 {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if let Some(f) = classify::family_from_file_name(&name) {
            export.present.entry(f).or_default().push(file);
        }
    }
    if is_media_plan {
        export.media_plans.push(path.to_path_buf());
    }
    export.sources.add(loaded.into_source(path));
    Ok(())
}

impl Export {
    fn add(&mut self, kind: Kind, node: &Node, file: FileId, text: &str, json: bool) {
        let (family, class) = match kind {
            Kind::Family(f, c) => (f, c),
            Kind::Other(_) => return,
            Kind::Unknown => {
                // One note per file (see `load_file`), however many such objects it holds.
                if self.unrecognised_here == 0 {
                    self.first_unrecognised = Some(Origin {
                        file,
                        span: Span::new(node.span.start(), 1),
                    });
                }
                self.unrecognised_here += 1;
                return;
            }
            Kind::MediaPlan => return,
        };
        let files = self.present.entry(family).or_default();
        if files.last() != Some(&file) {
            files.push(file);
        }
        let o = Obj {
            node,
            file,
            family,
            class: &class,
            text,
            json,
        };
        match family {
            Family::Site => {
                let r = site(&o);
                if self.unique(family, &r.code, &o) {
                    self.sites.push(r);
                }
            }
            Family::SiteComponent => self.components.push(site_component(&o)),
            Family::AzureService => {
                let r = azure_service(&o);
                if self.unique(family, &r.name, &o) {
                    self.azure_services.push(r);
                }
            }
            Family::CmgConnectionPoint => self.cmg_connection_points.push(sys_role(&o)),
            Family::ManagementPoint => {
                let r = sys_role(&o);
                if self.unique(family, &r.server, &o) {
                    self.management_points.push(r);
                }
            }
            Family::DistributionPoint => self.distribution_points.push(dp_info(&o)),
            Family::ContentStatus => self.content_status.push(content_status(&o)),
            Family::ClientSetting => {
                let r = client_setting(&o);
                if self.unique(family, &r.settings_id, &o) {
                    self.client_settings.push(r);
                }
            }
            Family::ClientSettingDeployment => self
                .client_setting_deployments
                .push(client_setting_deployment(&o)),
            Family::TaskSequence => {
                let r = task_sequence(&o);
                if r.references_from_sequence {
                    self.notes.push(Note {
                        message: format!(
                            "`References` of task sequence {} is cut or not loaded (ConvertTo-Json -Depth, or -Fast); the referenced content is taken from the referenceList of its Sequence XML instead",
                            r.package_id.known().map_or("?", String::as_str)
                        ),
                        at: r.references.origin(),
                        also: None,
                    });
                }
                if self.unique(family, &r.package_id, &o) {
                    self.task_sequences.push(r);
                }
            }
            Family::TaskSequenceStep => self.step_rows.push(step_row(&o, &class)),
            Family::Deployment => {
                let r = deployment(&o);
                if self.unique(family, &r.id, &o) {
                    self.deployments.push(r);
                }
            }
            Family::BootImage => {
                let r = boot_image(&o);
                if self.unique(family, &r.package_id, &o) {
                    self.boot_images.push(r);
                }
            }
            Family::Certificate => self.certificates.push(certificate(&o)),
            Family::BoundaryGroup => self.boundary_groups.push(boundary_group(&o)),
            Family::BoundaryGroupSiteSystem => self
                .boundary_group_site_systems
                .push(boundary_group_site_system(&o)),
            Family::Manifest => {}
        }
    }

    /// Records the id; a second object with the same id is reported and dropped, never merged.
    fn unique(&mut self, family: Family, id: &Field<String>, o: &Obj) -> bool {
        let Some(id) = id.known() else { return true };
        let here = id_origin(o);
        match self.seen.get(&(family, id.to_ascii_lowercase())) {
            Some(first) => {
                self.notes.push(Note {
                    message: format!(
                        "duplicate {} `{id}`: this copy is ignored; the first one is used",
                        family.class()
                    ),
                    at: Some(here),
                    also: Some((*first, "first defined here".into())),
                });
                false
            }
            None => {
                self.seen.insert((family, id.to_ascii_lowercase()), here);
                true
            }
        }
    }
}

fn id_origin(o: &Obj) -> Origin {
    Origin {
        file: o.file,
        span: Span::new(o.node.span.start(), 1),
    }
}
