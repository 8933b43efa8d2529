//! One `check` run, end to end: collect files, load the export and the media plan, build the
//! model, pick targets, evaluate the catalog, render, and decide the exit code.

use std::io::Write;
use std::path::PathBuf;

use crate::cli::{CheckArgs, FailOn, Format};
use crate::export::family::Family;
use crate::model::{self, fact::Fact, media};
use crate::report::{self, diag::Diag, style::Style, Report};
use crate::rules::{engine, format::Severity, registry};
use crate::source::{walk, InputError};

pub const EXIT_OK: u8 = 0;
pub const EXIT_FAIL: u8 = 1;
pub const EXIT_INPUT: u8 = 2;

pub fn check(args: &CheckArgs, style: &Style, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    match check_inner(args, style, out) {
        Ok(code) => code,
        Err(errors) => {
            let handler = style.handler();
            for e in errors {
                let mut s = String::new();
                let _ = handler.render_report(&mut s, &input_diag(e));
                let _ = writeln!(err, "{s}");
            }
            EXIT_INPUT
        }
    }
}

fn check_inner(
    args: &CheckArgs,
    style: &Style,
    out: &mut dyn Write,
) -> Result<u8, Vec<InputError>> {
    let rules = registry::builtin()?;
    let files = walk::collect(&args.paths)?;
    let mut export = crate::export::load(&files, args.media.as_deref())?;
    let plan_path: Option<PathBuf> = match (&args.media, export.media_plans.as_slice()) {
        (Some(p), _) => Some(p.clone()),
        (None, [one]) => Some(one.clone()),
        (None, []) => None,
        (None, many) => {
            return Err(vec![InputError::whole_file(
                &many[0],
                format!(
                    "{} media plans are among the inputs; choose one with --media",
                    many.len()
                ),
            )]);
        }
    };
    let plan = match &plan_path {
        Some(p) => Some(media::load(p, &mut export.sources)?),
        None => None,
    };
    let model = model::build(&export, plan.as_ref());
    let plan_deployments = plan
        .as_ref()
        .map(media::MediaPlan::deployments)
        .unwrap_or_default();
    let targets = engine::select(&model, &args.deployments, &plan_deployments).map_err(|m| {
        vec![InputError {
            path: "command line".into(),
            message: m,
            at: None,
            help: None,
        }]
    })?;
    let findings = engine::run(&rules, &model, &targets, args.scenario.name());

    let mut header = vec![
        ("site", site_line(&model.root)),
        ("export", export_line(&args.paths, files.len(), &export)),
    ];
    header.push((
        "media",
        plan_path.as_ref().map_or(
            "no media plan (--media): media rules are unknown".into(),
            |p| p.to_string_lossy().replace('\\', "/"),
        ),
    ));
    let ids: Vec<String> = targets
        .deployments
        .iter()
        .map(|&i| {
            model.deployments[i]
                .get("id")
                .map(Fact::display)
                .unwrap_or_default()
        })
        .collect();
    header.push((
        "checking",
        format!(
            "deployment {} ({})",
            if ids.is_empty() {
                "none".into()
            } else {
                ids.join(", ")
            },
            targets.reason
        ),
    ));

    let report = Report {
        rules: &rules,
        findings: &findings,
        sources: &export.sources,
        notes: &export.notes,
        header,
    };
    let text = match args.format {
        Format::Human => report::human::render(&report, style),
        Format::Json => report::json::render(&report),
    };
    match &args.output {
        None => {
            let _ = out.write_all(text.as_bytes());
        }
        Some(path) => write_atomically(path, &text).map_err(|e| {
            vec![InputError::whole_file(
                path,
                format!("cannot write the report: {e}"),
            )]
        })?,
    }
    Ok(exit_code(&report, args.fail_on, args.strict))
}

/// Writes beside the target and renames, so a crash never leaves half a report.
fn write_atomically(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    let tmp = path.with_extension(format!(
        "{}.tmp",
        path.extension().and_then(|e| e.to_str()).unwrap_or("out")
    ));
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, path)
}

fn exit_code(report: &Report, fail_on: FailOn, strict: bool) -> u8 {
    let threshold = match fail_on {
        FailOn::Error => Severity::Error,
        FailOn::Warning => Severity::Warning,
        FailOn::Note => Severity::Note,
        FailOn::Never => return EXIT_OK,
    };
    let failed = report.counts().failed_at_or_above(threshold) > 0;
    let unknown = strict
        && report
            .findings
            .iter()
            .any(|f| f.outcome == engine::Outcome::Unknown && f.severity >= threshold);
    if failed || unknown {
        EXIT_FAIL
    } else {
        EXIT_OK
    }
}

fn site_line(root: &Fact) -> String {
    let Some(site) = root.get("site").filter(|s| s.gap().is_none()) else {
        return "unknown (the export has no Get-CMSite output)".into();
    };
    let get = |k: &str| {
        site.get(k)
            .filter(|f| f.gap().is_none() && !matches!(f.value, crate::model::fact::V::Null))
            .map(Fact::display)
    };
    let release = get("release").map_or_else(
        || "an unrecognised release".to_string(),
        |r| format!("ConfigMgr {r}"),
    );
    format!(
        "{} {}, {release} (build {})",
        get("code").unwrap_or_default(),
        get("name").unwrap_or_default(),
        get("build").unwrap_or_else(|| "?".into())
    )
}

fn export_line(paths: &[PathBuf], files: usize, export: &crate::export::Export) -> String {
    let shown: Vec<String> = paths
        .iter()
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .collect();
    let missing: Vec<&str> = Family::ALL
        .iter()
        .filter(|f| !matches!(f, Family::Manifest | Family::TaskSequenceStep) && !export.has(**f))
        .map(|f| f.file_hint())
        .collect();
    let mut line = format!("{} ({files} files)", shown.join(", "));
    if !missing.is_empty() {
        line.push_str(&format!("; not in the export: {}", missing.join(", ")));
    }
    line
}

fn input_diag(e: InputError) -> Diag {
    let mut d = Diag::new(
        miette::Severity::Error,
        format!("{}: {}", e.path, e.message),
    );
    d.code = Some("input".into());
    d.help = e.help;
    if let Some((text, span)) = e.at {
        d.source = Some(miette::NamedSource::new(e.path, text));
        d.labels.push(miette::LabeledSpan::new_primary_with_span(
            Some("here".into()),
            (span.start, span.len.max(1)),
        ));
    }
    d
}
