//! One `check` run, end to end: collect files, load the export and the media plan, build the
//! model, pick targets, evaluate the catalog, render, and decide the exit code.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::cli::{CheckArgs, InputArgs, Scenario};
use crate::config::{self, Config};
use crate::export::family::Family;
use crate::export::Export;
use crate::gate::{self, GateArgs, GateSettings};
use crate::model::{self, media};
use crate::report::header::Header;
use crate::report::output::Destination;
use crate::report::{self, style::Style, Report};
use crate::rules::evidence::Explain;
use crate::rules::format::Rule;
use crate::rules::{engine, registry};
use crate::source::{walk, InputError};

pub use crate::gate::{EXIT_FAIL, EXIT_INPUT, EXIT_OK};

pub fn check(args: &CheckArgs, style: &Style, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    match check_inner(args, style, out) {
        Ok(code) => code,
        Err(errors) => render_errors(errors, style, err),
    }
}

/// Everything a run found, before it is rendered: for `check` and `media`.
pub struct Analysis {
    pub config: Config,
    pub catalog: Catalog,
    pub rules: Vec<Rule>,
    pub findings: Vec<engine::Finding>,
    pub model: model::Model,
    pub export: Export,
    pub plan: Option<media::MediaPlan>,
    pub plan_path: Option<PathBuf>,
    pub targets: engine::Targets,
    pub files: Vec<PathBuf>,
    pub exit: u8,
}

/// The stages of a run up to the gate's decision, in order.
pub fn analyse(args: &InputArgs) -> Result<Analysis, Vec<InputError>> {
    // The configuration first: it can name the media plan, and waivers point into it.
    let mut sources = crate::source::SourceMap::default();
    let config = load_config(args, &mut sources)?;
    let catalog = load_rules(args.rules_dir.as_deref(), args.encoding)?;
    let baseline = match &args.baseline {
        Some(b) => Some(gate::baseline::load(b, args.encoding)?),
        None => None,
    };
    let mut ctx = model::Context::now(scenario(args, &config));
    if let Some(now) = args.now {
        ctx.now_ms = now;
    }
    let gate = GateSettings::new(&gate_args(args), &config, baseline, ctx.now_ms);
    gate.check(&catalog.rules, &config)?;
    let media_path = args.media.clone().or_else(|| config.media.clone());
    let files = walk::collect(&args.paths)?;
    let mut export = load_export(args, &config, media_path.as_deref(), sources, &files)?;
    let (plan_path, plan) = load_plan(media_path, &mut export, args.encoding)?;
    let mut model = model::build(&export, plan.as_ref(), &ctx);
    let targets = engine::select(
        &model,
        if args.deployments.is_empty() {
            &config.deployments
        } else {
            &args.deployments
        },
        &plan
            .as_ref()
            .map(media::MediaPlan::deployments)
            .unwrap_or_default(),
        ctx.scenario,
    )
    .map_err(|m| vec![InputError::usage(m)])?;
    model.complete(&export, &targets.deployments);
    let mut rules: Vec<Rule> = catalog
        .rules
        .iter()
        .filter(|r| gate.enabled(r))
        .cloned()
        .collect();
    let mut findings = engine::run(&rules, &model, &targets, ctx.scenario, args.explain);
    let exit = gate::decide(&mut rules, &mut findings, &gate);
    Ok(Analysis {
        config,
        catalog,
        rules,
        findings,
        model,
        export,
        plan,
        plan_path,
        targets,
        files,
        exit,
    })
}

/// `check`: analyse, then render every requested format.
fn check_inner(
    args: &CheckArgs,
    style: &Style,
    out: &mut dyn Write,
) -> Result<u8, Vec<InputError>> {
    let destinations = plan_outputs(args)?;
    if args.why.is_some() {
        if let Some(d) = destinations
            .iter()
            .find(|d| d.file.is_none() && d.format.name != "human")
        {
            return Err(vec![InputError::usage(format!(
                "--why prints to standard output, where --format {} would go too: give that format a file with FORMAT=FILE",
                d.format.name
            ))]);
        }
    }
    // `--why` shows passes too; the formats with evidence keep it for what needs attention.
    let explain = if args.why.is_some() {
        Explain::All
    } else if destinations.iter().any(|d| d.format.evidence) {
        Explain::Failures
    } else {
        Explain::Off
    };
    let a = if explain == Explain::Off {
        analyse(&args.input)?
    } else {
        let mut input = args.input.clone();
        input.explain = explain;
        analyse(&input)?
    };
    let header = Header {
        args: &args.input,
        config: &a.config,
        catalog: &a.catalog,
        files: a.files.len(),
        plan: a.plan_path.as_deref(),
        targets: &a.targets,
    }
    .lines(&a.model, &a.export);
    let inputs = input_paths(&a.export, &a.files, &args.input, &a.catalog);
    let report = Report::new(
        &a.rules,
        &a.findings,
        &a.export.sources,
        &a.export.notes,
        args.input.baseline.is_some(),
        header,
    );
    match &args.why {
        Some(spec) => {
            let chosen =
                report::why::select(&report, spec).map_err(|m| vec![InputError::usage(m)])?;
            let files: Vec<Destination> = destinations
                .into_iter()
                .filter(|d| d.file.is_some())
                .collect();
            write_outputs(&files, &report, style, out, &inputs)?;
            let text = report::why::render(&report, &chosen, style);
            out.write_all(text.as_bytes())
                .and_then(|()| out.flush())
                .map_err(|e| {
                    vec![InputError::usage(format!(
                        "cannot write to standard output: {e}"
                    ))]
                })?;
        }
        None => write_outputs(&destinations, &report, style, out, &inputs)?,
    }
    let exit = a.exit;
    if args.input.exit_after {
        // The process ends next, and the OS takes its memory back at once; freeing a large
        // export's records one by one first took about a tenth of the run (docs/perf.md).
        std::mem::forget(report);
        std::mem::forget(a);
    }
    Ok(exit)
}

fn plan_outputs(args: &CheckArgs) -> Result<Vec<Destination>, Vec<InputError>> {
    report::output::plan(
        &args.format,
        args.output.as_deref(),
        std::io::IsTerminal::is_terminal(&std::io::stdout()),
        &report::output::process_env,
    )
    .map_err(|m| vec![InputError::usage(m)])
}

/// `--scenario`, else the configuration's, else boot media.
fn scenario(args: &InputArgs, config: &Config) -> &'static str {
    match (
        args.scenario,
        config.scenario.as_deref().and_then(Scenario::parse),
    ) {
        (Some(s), _) | (None, Some(s)) => s,
        (None, None) => Scenario::BootMedia,
    }
    .name()
}

pub fn gate_args(args: &InputArgs) -> GateArgs<'_> {
    GateArgs {
        fail_on: args.fail_on,
        strict: args.strict,
        deny: &args.deny,
        warn: &args.warn,
        allow: &args.allow,
    }
}

/// Reads the export files (not the media plan, rules, baseline or configuration among them),
/// notes the files whose encoding was assumed, and refuses an export with no ConfigMgr object:
/// a gate pointed at the wrong folder must not pass with everything unknown.
fn load_export(
    args: &InputArgs,
    config: &Config,
    media_path: Option<&Path>,
    sources: crate::source::SourceMap,
    files: &[PathBuf],
) -> Result<Export, Vec<InputError>> {
    let mut skip: Vec<&Path> = media_path
        .into_iter()
        .chain(args.rules_dir.as_deref())
        .chain(args.baseline.as_deref())
        .collect();
    if let Some(c) = &config.path {
        skip.push(c.as_path());
    }
    let mut export = crate::export::load(sources, files, &skip, args.encoding)?;
    if export.present.is_empty() {
        let shown: Vec<String> = args
            .paths
            .iter()
            .map(|p| crate::source::display_path(p))
            .collect();
        let unrecognised = export.unrecognised;
        return Err(vec![InputError {
            path: shown.join(", "),
            message: format!(
                "no ConfigMgr object in the export: {} file(s) with .json, .yaml or .yml read, {unrecognised} object(s) not recognised",
                files.len()
            ),
            at: None,
            help: Some(format!(
                "cmg-preflight looks for the output of the ConfigMgr cmdlets ({}), as scripts/Export-CMPreflight.ps1 writes it; is this the export folder?",
                Family::ALL
                    .iter()
                    .filter(|f| !matches!(f, Family::Manifest | Family::TaskSequenceStep))
                    .map(|f| f.file_hint())
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
        }]);
    }
    let assumed: Vec<(crate::source::FileId, usize)> = export
        .sources
        .iter()
        .filter_map(|(id, f)| f.encoding_assumed_at.map(|at| (id, at)))
        .collect();
    for (file, at) in assumed {
        export.notes.push(crate::export::Note {
            message: "this file is not UTF-8 and has no byte-order mark, so it was read as Windows-1252 (what Windows PowerShell 5.1's Set-Content and Out-File -Encoding Default write on Western-European Windows); if that is wrong, pass --encoding NAME or re-export as UTF-8".into(),
            at: Some(crate::source::Origin {
                file,
                span: crate::source::Span::new(at, 1),
            }),
            also: None,
        });
    }
    Ok(export)
}

/// `--media`, the configuration's `media:`, or the one plan among the export files.
fn load_plan(
    media_path: Option<PathBuf>,
    export: &mut Export,
    encoding: Option<&'static encoding_rs::Encoding>,
) -> Result<(Option<PathBuf>, Option<media::MediaPlan>), Vec<InputError>> {
    let plan_path: Option<PathBuf> = match (media_path, export.media_plans.as_slice()) {
        (Some(p), _) => Some(p),
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
        Some(p) => Some(media::load(p, &mut export.sources, encoding)?),
        None => None,
    };
    Ok((plan_path, plan))
}

/// Every file the run read, canonical, so that no report overwrites one of them.
fn input_paths(
    export: &Export,
    files: &[PathBuf],
    args: &InputArgs,
    catalog: &Catalog,
) -> Vec<PathBuf> {
    export
        .sources
        .iter()
        .map(|(_, f)| f.path.as_path())
        .chain(files.iter().map(PathBuf::as_path))
        .chain(args.baseline.as_deref())
        .chain(catalog.files.iter().map(PathBuf::as_path))
        .filter_map(|p| p.canonicalize().ok())
        .collect()
}

/// Checks every report file first (so a refused one writes nothing), then renders and writes.
fn write_outputs(
    destinations: &[Destination],
    report: &Report,
    style: &Style,
    out: &mut dyn Write,
    inputs: &[PathBuf],
) -> Result<(), Vec<InputError>> {
    report::file::deliver(
        destinations,
        |d| d.file.as_deref(),
        "report",
        inputs,
        out,
        |d, to_file, w| report::output::render(d.format, report, style, to_file, w),
    )
}

/// The configuration: `--config`, else the one that applies to the first export path (see
/// `config::discover`), unless `--no-config`.
fn load_config(
    args: &InputArgs,
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
        Some(p) => config::load(&p, sources, args.encoding),
        None => Ok(Config::default()),
    }
}

/// `cmg-preflight media`: the New-CMBootableMedia script for the checked plan. Exit 1 (with
/// the failing rules) while a media rule fails, unless `--force`.
pub fn media(args: &crate::cli::MediaArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let style = default_style();
    let a = match analyse(&args.input) {
        Ok(a) => a,
        Err(e) => return render_errors(e, &style, err),
    };
    if a.plan.is_none() {
        return render_errors(
            vec![InputError::usage(
                "`media` needs a media plan: pass --media media.yaml (see README, \"The media plan\")",
            )],
            &style,
            err,
        );
    }
    match crate::script::media::script(&a, args.force) {
        Ok(text) => deliver(&text, args.output.as_deref(), &a, &args.input, out, err),
        Err(crate::script::media::Refusal::Failing(rules)) => {
            let _ = writeln!(
                err,
                "error: the media plan fails {} media rule(s); fix them (see `cmg-preflight check`) or pass --force:",
                rules.len()
            );
            for (id, message) in rules {
                let _ = writeln!(err, "  {id}: {message}");
            }
            EXIT_FAIL
        }
        Err(crate::script::media::Refusal::Missing(what)) => render_errors(
            what.into_iter()
                .map(|w| InputError::usage(format!("the media command needs {w}")))
                .collect(),
            &style,
            err,
        ),
    }
}

/// `cmg-preflight fix`: the script that fixes every failed finding a cmdlet can fix. Exit 0
/// when written (the script itself is the answer), 2 when the input cannot be used.
pub fn fix(args: &crate::cli::FixArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    let a = match analyse(&args.input) {
        Ok(a) => a,
        Err(e) => return render_errors(e, &default_style(), err),
    };
    let name: Vec<String> = args
        .input
        .paths
        .iter()
        .map(|p| crate::source::display_path(p))
        .collect();
    let text = crate::script::fix::script(&a, &name.join(", "));
    deliver(&text, args.output.as_deref(), &a, &args.input, out, err)
}

/// A script to standard output, or to `--output FILE` (written as reports are: atomically,
/// never over an input or a non-regular file).
fn deliver(
    text: &str,
    output: Option<&Path>,
    a: &Analysis,
    input: &InputArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    let Some(path) = output else {
        return emit(text, out, err);
    };
    let inputs = input_paths(&a.export, &a.files, input, &a.catalog);
    let written = report::file::check_target(path, &inputs)
        .map_err(std::io::Error::other)
        .and_then(|()| report::file::write(path, text));
    match written {
        Ok(()) => emit(
            &format!("wrote {}\n", crate::source::display_path(path)),
            out,
            err,
        ),
        Err(e) => render_errors(
            vec![InputError::whole_file(
                path,
                format!("cannot write the script: {e}"),
            )],
            &default_style(),
            err,
        ),
    }
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
    let written = report::file::check_target(&path, &[])
        .map_err(std::io::Error::other)
        .and_then(|()| report::file::write(&path, config::STARTER));
    match written {
        Ok(()) => emit(&format!("wrote {}\n", path.display()), out, err),
        Err(e) => {
            let _ = writeln!(err, "error: cannot write {}: {e}", path.display());
            EXIT_INPUT
        }
    }
}

/// The rules of a run: the built-in catalog plus the rule files of `--rules DIR`.
pub struct Catalog {
    pub rules: Vec<Rule>,
    /// The custom rule files read.
    pub files: Vec<PathBuf>,
    /// Built-in rules that a custom rule with the same id replaced: (id, the custom file).
    pub replaced: Vec<(String, String)>,
}

/// The built-in catalog plus the rule files of `dir`; a custom rule with a built-in id replaces
/// it, and the report header says so.
pub fn load_rules(
    dir: Option<&Path>,
    encoding: Option<&'static encoding_rs::Encoding>,
) -> Result<Catalog, Vec<InputError>> {
    let mut catalog = Catalog {
        rules: registry::builtin()?,
        files: Vec::new(),
        replaced: Vec::new(),
    };
    let Some(dir) = dir else {
        return Ok(catalog);
    };
    catalog.files = walk::collect(&[dir.to_path_buf()])?
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "yaml" || e == "yml"))
        .collect();
    let mut texts = Vec::new();
    for f in &catalog.files {
        let loaded = crate::source::read(f, encoding).map_err(|e| vec![e])?;
        texts.push((crate::source::display_path(f), loaded.text));
    }
    let custom = registry::parse_all(
        &texts
            .iter()
            .map(|(n, t)| (n.as_str(), t.as_str()))
            .collect::<Vec<_>>(),
    )?;
    for c in custom {
        match catalog.rules.iter_mut().find(|r| r.id == c.id) {
            Some(slot) => {
                catalog.replaced.push((c.id.clone(), c.file.clone()));
                *slot = c;
            }
            None => catalog.rules.push(c),
        }
    }
    Ok(catalog)
}

/// Renders input errors on standard error; the exit code for them.
pub fn render_errors(errors: Vec<InputError>, style: &Style, err: &mut dyn Write) -> u8 {
    let handler = style.handler();
    for e in errors {
        let mut s = String::new();
        let _ = handler.render_report(&mut s, &report::snippet::input_diag(e));
        let _ = writeln!(err, "{s}");
    }
    EXIT_INPUT
}

/// Writes a command's text to standard output; a failed write (a full disk, a closed pipe)
/// is an error, never a silent success.
fn emit(text: &str, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => EXIT_OK,
        Err(e) => {
            let _ = writeln!(err, "error: cannot write to standard output: {e}");
            EXIT_INPUT
        }
    }
}

/// `cmg-preflight rules`.
pub fn rules(args: &crate::cli::RulesArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    match load_rules(args.rules_dir.as_deref(), None) {
        Ok(catalog) => {
            let text = if args.markdown {
                crate::docs::markdown(&catalog.rules)
            } else {
                crate::docs::list(&catalog.rules)
            };
            emit(&text, out, err)
        }
        Err(e) => render_errors(e, &default_style(), err),
    }
}

/// `cmg-preflight explain ID`.
pub fn explain(args: &crate::cli::ExplainArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    if args.fields {
        return emit(&crate::docs::fields(), out, err);
    }
    let rules = match load_rules(args.rules_dir.as_deref(), None) {
        Ok(c) => c.rules,
        Err(e) => return render_errors(e, &default_style(), err),
    };
    let wanted = args.id.as_deref().unwrap_or_default();
    match rules
        .iter()
        .find(|r| r.id.eq_ignore_ascii_case(wanted) || r.name == wanted)
    {
        Some(r) => emit(&crate::docs::explain(r), out, err),
        None => {
            let _ = writeln!(
                err,
                "error: no rule `{wanted}`; `cmg-preflight rules` lists them"
            );
            EXIT_INPUT
        }
    }
}

fn default_style() -> Style {
    Style::detect(crate::report::style::ColorChoice::Auto, false)
}
