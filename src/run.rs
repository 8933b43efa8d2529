//! One `check` run, end to end: collect files, load the export and the media plan, build the
//! model, pick targets, evaluate the catalog, render, and decide the exit code.

use std::io::Write;
use std::path::PathBuf;

use crate::cli::{CheckArgs, FailOn, Scenario};
use crate::config::{self, Config, Level};
use crate::export::family::Family;
use crate::model::{self, fact::Fact, media};
use crate::report::{self, diag::Diag, style::Style, Report};
use crate::rules::{engine, format::Severity, registry};
use crate::source::{walk, InputError};
use crate::{baseline, waivers};

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
    let destinations = report::output::plan(
        &args.format,
        args.output.as_deref(),
        std::io::IsTerminal::is_terminal(&std::io::stdout()),
        &report::output::process_env,
    )
    .map_err(|m| vec![InputError::usage(m)])?;
    // The configuration first: it can name the media plan, and waivers point into it.
    let mut sources = crate::source::SourceMap::default();
    let config = load_config(args, &mut sources)?;
    let scenario = match (
        args.scenario,
        config.scenario.as_deref().and_then(Scenario::parse),
    ) {
        (Some(s), _) | (None, Some(s)) => s,
        (None, None) => Scenario::BootMedia,
    }
    .name();
    let fail_on = args
        .fail_on
        .or_else(|| config.fail_on.as_deref().and_then(FailOn::parse))
        .unwrap_or(FailOn::Error);
    let strict = args.strict || config.strict == Some(true);
    let media_path = args.media.clone().or_else(|| config.media.clone());
    let deployments = if args.deployments.is_empty() {
        config.deployments.clone()
    } else {
        args.deployments.clone()
    };

    let mut rules = load_rules(args.rules_dir.as_deref())?;
    let mut levels = config.rules.clone();
    levels.extend(args.deny.iter().map(|id| (id.clone(), Level::Error)));
    levels.extend(args.warn.iter().map(|id| (id.clone(), Level::Warning)));
    levels.extend(args.allow.iter().map(|id| (id.clone(), Level::Off)));
    check_rule_ids(&rules, &levels, &config)?;
    waivers::override_levels(&mut rules, &levels);

    let files = walk::collect(&args.paths)?;
    let mut skip: Vec<&std::path::Path> = media_path
        .iter()
        .chain(args.rules_dir.iter())
        .chain(args.baseline.iter())
        .map(PathBuf::as_path)
        .collect();
    if let Some(c) = &config.path {
        skip.push(c.as_path());
    }
    let mut export = crate::export::load(sources, &files, &skip)?;
    let plan_path: Option<PathBuf> = match (&media_path, export.media_plans.as_slice()) {
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
    let mut ctx = model::Context::now(scenario);
    if let Some(now) = args.now {
        ctx.now_ms = now;
    }
    let model = model::build(&export, plan.as_ref(), &ctx);
    let plan_deployments = plan
        .as_ref()
        .map(media::MediaPlan::deployments)
        .unwrap_or_default();
    let targets = engine::select(&model, &deployments, &plan_deployments, scenario)
        .map_err(|m| vec![InputError::usage(m)])?;
    let mut findings = engine::run(&rules, &model, &targets, scenario);
    waivers::apply(&mut findings, &mut rules, &config.waivers, ctx.now_ms);
    if let Some(b) = &args.baseline {
        baseline::mark(b, &rules, &mut findings)?;
    }

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
        baseline: args.baseline.is_some(),
        header,
    };
    let mut write_errors = Vec::new();
    for d in &destinations {
        let text = report::output::render(d.format, &report, style, d.file.is_some());
        match &d.file {
            None => {
                let _ = out.write_all(text.as_bytes());
            }
            Some(path) => {
                if let Err(e) = write_atomically(path, &text) {
                    write_errors.push(InputError::whole_file(
                        path,
                        format!("cannot write the report: {e}"),
                    ));
                }
            }
        }
    }
    if !write_errors.is_empty() {
        return Err(write_errors);
    }
    Ok(exit_code(&report, fail_on, strict))
}

/// The configuration: `--config`, else the nearest `.cmg-preflight.yaml` above the first export
/// path, unless `--no-config`.
fn load_config(
    args: &CheckArgs,
    sources: &mut crate::source::SourceMap,
) -> Result<Config, Vec<InputError>> {
    if args.no_config {
        return Ok(Config::default());
    }
    let path = match &args.config {
        Some(p) => Some(p.clone()),
        None => args.paths.first().and_then(|p| config::discover(p)),
    };
    match path {
        Some(p) => config::load(&p, sources),
        None => Ok(Config::default()),
    }
}

/// A rule id in the configuration or in -D/-W/-A that names no rule is a mistake, not a no-op.
fn check_rule_ids(
    rules: &[crate::rules::format::Rule],
    levels: &[(String, Level)],
    config: &Config,
) -> Result<(), Vec<InputError>> {
    let unknown: Vec<&String> = levels
        .iter()
        .map(|(id, _)| id)
        .chain(config.waivers.iter().map(|w| &w.rule))
        .filter(|id| !rules.iter().any(|r| r.id == **id))
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    let where_ = config
        .path
        .as_ref()
        .map_or("command line".to_string(), |p| {
            format!("{} or the command line", p.display())
        });
    Err(unknown
        .into_iter()
        .map(|id| InputError {
            path: where_.clone(),
            message: format!("no rule `{id}`; `cmg-preflight rules` lists them"),
            at: None,
            help: None,
        })
        .collect())
}

/// `cmg-preflight init`.
pub fn init(args: &crate::cli::InitArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let path = args
        .path
        .clone()
        .unwrap_or_else(|| PathBuf::from(config::FILE_NAMES[0]));
    if path.exists() {
        let _ = writeln!(
            err,
            "error: {} exists already; not overwritten",
            path.display()
        );
        return EXIT_INPUT;
    }
    match write_atomically(&path, config::STARTER) {
        Ok(()) => {
            let _ = writeln!(out, "wrote {}", path.display());
            EXIT_OK
        }
        Err(e) => {
            let _ = writeln!(err, "error: cannot write {}: {e}", path.display());
            EXIT_INPUT
        }
    }
}

/// Writes a temporary file beside the target and renames it, so a crash never leaves half a
/// report (a rename within one directory is atomic).
fn write_atomically(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::other("not a file name"))?;
    let tmp = path.with_file_name(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = std::fs::write(&tmp, text).and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// The built-in catalog plus the rule files of `dir`; a custom rule with a built-in id replaces it.
pub fn load_rules(
    dir: Option<&std::path::Path>,
) -> Result<Vec<crate::rules::format::Rule>, Vec<InputError>> {
    let Some(dir) = dir else {
        return registry::builtin();
    };
    let files = walk::collect(&[dir.to_path_buf()])?;
    let mut texts = Vec::new();
    for f in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "yaml" || e == "yml"))
    {
        let (text, _, _) = crate::export::read(f).map_err(|e| vec![e])?;
        texts.push((f.to_string_lossy().replace('\\', "/"), text));
    }
    let custom = registry::parse_all(
        &texts
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect::<Vec<_>>(),
    )?;
    let mut rules = registry::builtin()?;
    for c in custom {
        match rules.iter_mut().find(|r| r.id == c.id) {
            Some(slot) => *slot = c,
            None => rules.push(c),
        }
    }
    Ok(rules)
}

fn render_errors(errors: Vec<InputError>, err: &mut dyn Write) -> u8 {
    let handler = Style::detect(crate::report::style::ColorChoice::Auto, false).handler();
    for e in errors {
        let mut s = String::new();
        let _ = handler.render_report(&mut s, &input_diag(e));
        let _ = writeln!(err, "{s}");
    }
    EXIT_INPUT
}

/// `cmg-preflight rules`.
pub fn rules(args: &crate::cli::RulesArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    match load_rules(args.rules_dir.as_deref()) {
        Ok(rules) => {
            let text = if args.markdown {
                crate::docs::markdown(&rules)
            } else {
                crate::docs::list(&rules)
            };
            let _ = out.write_all(text.as_bytes());
            EXIT_OK
        }
        Err(e) => render_errors(e, err),
    }
}

/// `cmg-preflight explain ID`.
pub fn explain(args: &crate::cli::ExplainArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    if args.fields {
        let _ = out.write_all(crate::docs::fields().as_bytes());
        return EXIT_OK;
    }
    let rules = match load_rules(args.rules_dir.as_deref()) {
        Ok(r) => r,
        Err(e) => return render_errors(e, err),
    };
    let wanted = args.id.as_deref().unwrap_or_default();
    match rules
        .iter()
        .find(|r| r.id.eq_ignore_ascii_case(wanted) || r.name == wanted)
    {
        Some(r) => {
            let _ = out.write_all(crate::docs::explain(r).as_bytes());
            EXIT_OK
        }
        None => {
            let _ = writeln!(
                err,
                "error: no rule `{wanted}`; `cmg-preflight rules` lists them"
            );
            EXIT_INPUT
        }
    }
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
