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

/// What loading a file saw, in order, for [`Export::merge`] to replay: a note, or a record
/// whose id must be unique across all files. Files are read in parallel but merged in order,
/// so the first copy of an id is the first in the order of the inputs, as if read one by one.
enum Step {
    Note(Note),
    Unique {
        family: Family,
        index: usize,
        at: Origin,
    },
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
    /// In a file's part: its notes and id checks in order, replayed by [`Export::merge`].
    steps: Vec<Step>,
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
    let todo: Vec<&PathBuf> = files
        .iter()
        .filter(|path| {
            let here = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
            !skip.iter().any(|s| here.starts_with(s))
        })
        .collect();
    // Each file is read, parsed and decoded on its own (the large ones on their own cores),
    // then merged in order: file ids are the order of the inputs, as when read one by one.
    let base = export.sources.iter().count();
    let parts = crate::parallel::map_by_cost(
        &todo,
        |path| std::fs::metadata(path).map_or(0, |m| m.len()),
        1 << 20,
        |i, path| load_file(path, FileId((base + i) as u32), encoding),
    );
    for part in parts {
        match part {
            // After an error, later files would take other ids: only errors are gathered.
            Ok((part, source)) if errors.is_empty() => export.merge(part, source),
            Ok(_) => {}
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() {
        Ok(export)
    } else {
        Err(errors)
    }
}

/// One file read into a part of the export, to be merged in order ([`Export::merge`]), and
/// its entry for the source map; `file` is the id it will have there.
fn load_file(
    path: &Path,
    file: FileId,
    encoding: Option<&'static encoding_rs::Encoding>,
) -> Result<(Export, source::SourceFile), InputError> {
    let mut loaded = source::read(path, encoding)?;
    let syntax = loaded.syntax;
    let mut export = Export::default();
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
        let at = export.first_unrecognised.take();
        export.note(Note {
            message: match unrecognised {
                1 => "this object is not a ConfigMgr object cmg-preflight reads; it is ignored".into(),
                n => format!("{n} objects in this file are not ConfigMgr objects cmg-preflight reads; they are ignored (the first is here)"),
            },
            at,
            also: None,
        });
    }
    for d in dups {
        export.note(Note {
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
    Ok((export, loaded.into_source(path)))
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
                self.unique_later(family, self.sites.len(), &o);
                self.sites.push(r);
            }
            Family::SiteComponent => self.components.push(site_component(&o)),
            Family::AzureService => {
                let r = azure_service(&o);
                self.unique_later(family, self.azure_services.len(), &o);
                self.azure_services.push(r);
            }
            Family::CmgConnectionPoint => self.cmg_connection_points.push(sys_role(&o)),
            Family::ManagementPoint => {
                let r = sys_role(&o);
                self.unique_later(family, self.management_points.len(), &o);
                self.management_points.push(r);
            }
            Family::DistributionPoint => self.distribution_points.push(dp_info(&o)),
            Family::ContentStatus => self.content_status.push(content_status(&o)),
            Family::ClientSetting => {
                let r = client_setting(&o);
                self.unique_later(family, self.client_settings.len(), &o);
                self.client_settings.push(r);
            }
            Family::ClientSettingDeployment => self
                .client_setting_deployments
                .push(client_setting_deployment(&o)),
            Family::TaskSequence => {
                let r = task_sequence(&o);
                if r.references_from_sequence {
                    self.note(Note {
                        message: format!(
                            "`References` of task sequence {} is cut or not loaded (ConvertTo-Json -Depth, or -Fast); the referenced content is taken from the referenceList of its Sequence XML instead",
                            r.package_id.known().map_or("?", String::as_str)
                        ),
                        at: r.references.origin(),
                        also: None,
                    });
                }
                self.unique_later(family, self.task_sequences.len(), &o);
                self.task_sequences.push(r);
            }
            Family::TaskSequenceStep => self.step_rows.push(step_row(&o, &class)),
            Family::Deployment => {
                let r = deployment(&o);
                self.unique_later(family, self.deployments.len(), &o);
                self.deployments.push(r);
            }
            Family::BootImage => {
                let r = boot_image(&o);
                self.unique_later(family, self.boot_images.len(), &o);
                self.boot_images.push(r);
            }
            Family::Certificate => self.certificates.push(certificate(&o)),
            Family::BoundaryGroup => self.boundary_groups.push(boundary_group(&o)),
            Family::BoundaryGroupSiteSystem => self
                .boundary_group_site_systems
                .push(boundary_group_site_system(&o)),
            Family::Manifest => {}
        }
    }

    fn note(&mut self, note: Note) {
        self.steps.push(Step::Note(note));
    }

    /// The record about to be pushed must have an id no earlier record of its family has:
    /// checked when the file is merged.
    fn unique_later(&mut self, family: Family, index: usize, o: &Obj) {
        let at = id_origin(o);
        self.steps.push(Step::Unique { family, index, at });
    }

    /// Appends a file's part: its notes in order, and its records, less those whose id an
    /// earlier record has (each reported and dropped, never merged).
    fn merge(&mut self, mut part: Export, source: source::SourceFile) {
        let mut dropped: Vec<(Family, usize)> = Vec::new();
        for step in std::mem::take(&mut part.steps) {
            match step {
                Step::Note(n) => self.notes.push(n),
                Step::Unique { family, index, at } => {
                    if !self.unique(family, part.id_of(family, index), at) {
                        dropped.push((family, index));
                    }
                }
            }
        }
        let Export {
            sources: _,
            present,
            sites,
            components,
            azure_services,
            cmg_connection_points,
            management_points,
            distribution_points,
            content_status,
            client_settings,
            client_setting_deployments,
            task_sequences,
            step_rows,
            deployments,
            boot_images,
            certificates,
            boundary_groups,
            boundary_group_site_systems,
            media_plans,
            notes,
            unrecognised,
            seen: _,
            steps: _,
            unrecognised_here: _,
            first_unrecognised: _,
        } = part;
        let gone = |family: Family| -> Vec<usize> {
            dropped
                .iter()
                .filter(|(f, _)| *f == family)
                .map(|(_, i)| *i)
                .collect()
        };
        append(&mut self.sites, sites, &gone(Family::Site));
        append(&mut self.components, components, &[]);
        append(
            &mut self.azure_services,
            azure_services,
            &gone(Family::AzureService),
        );
        append(&mut self.cmg_connection_points, cmg_connection_points, &[]);
        append(
            &mut self.management_points,
            management_points,
            &gone(Family::ManagementPoint),
        );
        append(&mut self.distribution_points, distribution_points, &[]);
        append(&mut self.content_status, content_status, &[]);
        append(
            &mut self.client_settings,
            client_settings,
            &gone(Family::ClientSetting),
        );
        append(
            &mut self.client_setting_deployments,
            client_setting_deployments,
            &[],
        );
        append(
            &mut self.task_sequences,
            task_sequences,
            &gone(Family::TaskSequence),
        );
        append(&mut self.step_rows, step_rows, &[]);
        append(
            &mut self.deployments,
            deployments,
            &gone(Family::Deployment),
        );
        append(&mut self.boot_images, boot_images, &gone(Family::BootImage));
        append(&mut self.certificates, certificates, &[]);
        append(&mut self.boundary_groups, boundary_groups, &[]);
        append(
            &mut self.boundary_group_site_systems,
            boundary_group_site_systems,
            &[],
        );
        append(&mut self.media_plans, media_plans, &[]);
        append(&mut self.notes, notes, &[]);
        for (family, files) in present {
            self.present.entry(family).or_default().extend(files);
        }
        self.unrecognised += unrecognised;
        self.sources.add(source);
    }

    /// The id a record of a family is unique by.
    fn id_of(&self, family: Family, i: usize) -> Option<&Field<String>> {
        match family {
            Family::Site => self.sites.get(i).map(|r| &r.code),
            Family::AzureService => self.azure_services.get(i).map(|r| &r.name),
            Family::ManagementPoint => self.management_points.get(i).map(|r| &r.server),
            Family::ClientSetting => self.client_settings.get(i).map(|r| &r.settings_id),
            Family::TaskSequence => self.task_sequences.get(i).map(|r| &r.package_id),
            Family::Deployment => self.deployments.get(i).map(|r| &r.id),
            Family::BootImage => self.boot_images.get(i).map(|r| &r.package_id),
            _ => None,
        }
    }

    /// Records the id; a second object with the same id is reported and dropped, never merged.
    fn unique(&mut self, family: Family, id: Option<&Field<String>>, here: Origin) -> bool {
        let Some(id) = id.and_then(Field::known) else {
            return true;
        };
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

/// `from` appended to `to`, less the items at the (ascending) indices `gone`. Moved, not
/// copied, when `to` is empty: most families come from one file.
fn append<T>(to: &mut Vec<T>, mut from: Vec<T>, gone: &[usize]) {
    if !gone.is_empty() {
        let mut gone = gone.iter().peekable();
        let mut i = 0;
        from.retain(|_| {
            let keep = gone.next_if_eq(&&i).is_none();
            i += 1;
            keep
        });
    }
    if to.is_empty() {
        *to = from;
    } else {
        to.append(&mut from);
    }
}

fn id_origin(o: &Obj) -> Origin {
    Origin {
        file: o.file,
        span: Span::new(o.node.span.start(), 1),
    }
}
