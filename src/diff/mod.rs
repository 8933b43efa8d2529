//! `cmg-preflight diff OLD NEW` and `diff --git REV1..REV2 PATH`: checks two exports the way
//! `check` does (`run::analyse`, with one configuration, one `--now` and the same options for
//! both), matches their results by rule and target (`compare`), and reports what was added,
//! fixed and changed (`render`). Exit 1 when the new export fails the gate on something the
//! old one did not, so it can gate a pull request on its own; 2 when an input, a revision or
//! the command line cannot be used.

pub mod compare;
pub mod git;
pub mod render;

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::cli::InputArgs;
use crate::gate::{GateSettings, EXIT_FAIL, EXIT_OK};
use crate::run::{analyse, Analysis};
use crate::source::{display_path, InputError};

pub const AFTER_HELP: &str =
    "Both exports are checked with the same options (--media, --config, --deployment, --now, ...)
and the configuration that applies to NEW (with --git, the working tree's). Results are matched
by rule and target, as --baseline matches them, never by line.

Exit codes:
  0  NEW adds no failure at or above the --fail-on threshold
  1  NEW fails at or above the threshold where OLD did not (a new failure)
  2  an export, a revision or the command line could not be used (the message names it)";

#[derive(clap::Args, Debug)]
#[command(
    override_usage = "cmg-preflight diff [OPTIONS] OLD NEW\n       cmg-preflight diff [OPTIONS] --git REV1..REV2 PATH...",
    mut_arg("paths", |a| a
        .value_name("OLD NEW | PATH")
        .help("The old and the new export (files or folders); with --git, the folder (or files) in the repository"))
)]
pub struct DiffArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Compare PATH at two revisions of the git repository of the current folder, read with
    /// git (no checkout). REV1...REV2 compares from their merge base; an empty side is HEAD.
    #[arg(long, value_name = "REV1..REV2")]
    pub git: Option<String>,

    /// Output format: human, json or markdown (repeatable). `FORMAT=FILE` writes that format
    /// to FILE; at most one format goes to standard output [default: human].
    #[arg(long, value_name = "FORMAT[=FILE]", value_parser = parse_format)]
    pub format: Vec<FormatTarget>,

    /// Write the one format given without `=FILE` to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Links in the markdown and JSON: URL/PATH#LLINE, or a template with {path} and {line}
    /// [default: GITHUB_SERVER_URL/GITHUB_REPOSITORY/blob/REV in GitHub Actions, REV the
    /// --git revision or GITHUB_SHA; else no links].
    #[arg(long, value_name = "URL")]
    pub link_base: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Markdown,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatTarget {
    pub format: Format,
    pub file: Option<PathBuf>,
}

fn parse_format(s: &str) -> Result<FormatTarget, String> {
    let (name, file) = match s.split_once('=') {
        Some((n, "")) => return Err(format!("`--format {n}=` names no file")),
        Some((n, f)) => (n, Some(PathBuf::from(f))),
        None => (s, None),
    };
    let format = match name {
        "human" => Format::Human,
        "json" => Format::Json,
        "markdown" => Format::Markdown,
        _ => {
            return Err(format!(
                "`{name}` is no diff format: human, json or markdown"
            ))
        }
    };
    Ok(FormatTarget { format, file })
}

/// One side of the comparison, as reports name it.
pub struct Side {
    /// The export paths as given (with --git, their full names in the repository).
    pub paths: Vec<String>,
    /// With --git: the revision as given and the commit it names.
    pub revision: Option<(String, String)>,
}

pub fn run(args: &DiffArgs, out: &mut dyn Write, err: &mut dyn Write) -> u8 {
    match run_inner(args, out) {
        Ok(code) => code,
        Err(errors) => crate::run::render_errors(
            errors,
            &crate::report::style::Style::detect(crate::report::style::ColorChoice::Auto, false),
            err,
        ),
    }
}

fn run_inner(args: &DiffArgs, out: &mut dyn Write) -> Result<u8, Vec<InputError>> {
    let destinations = destinations(args)?;
    let mut input = args.input.clone();
    // One instant for both runs, so a date rule cannot flip between them.
    input.now = Some(input.now.unwrap_or_else(now_ms));
    let (old, new, sides, label) = match &args.git {
        None => folders(&input)?,
        Some(range) => revisions(&input, range)?,
    };
    let gate = GateSettings::new(&crate::run::gate_args(&input), &new.config, None, 0);
    let diff = compare::compare(compare::Entry::all(&old), compare::Entry::all(&new), &gate);
    let view = render::View {
        diff: &diff,
        old: &sides.0,
        new: &sides.1,
        command: label,
        fail_on: gate.fail_on,
        strict: gate.strict,
        links: links(args, &sides),
    };
    let inputs: Vec<PathBuf> = [&old, &new]
        .iter()
        .flat_map(|a| a.export.sources.iter().map(|(_, f)| f.path.clone()))
        .chain(input.media.clone())
        .chain(input.config.clone())
        .chain(input.baseline.clone())
        .filter_map(|p| p.canonicalize().ok())
        .collect();
    write(&destinations, &view, &inputs, out)?;
    Ok(if diff.fails_gate() {
        EXIT_FAIL
    } else {
        EXIT_OK
    })
}

type Prepared = (Analysis, Analysis, (Side, Side), String);

/// `diff OLD NEW`: two folders (or files).
fn folders(input: &InputArgs) -> Result<Prepared, Vec<InputError>> {
    let [old_path, new_path] = input.paths.as_slice() else {
        return Err(vec![InputError::usage(format!(
            "diff takes two exports, OLD and NEW ({} given); or --git REV1..REV2 PATH",
            input.paths.len()
        ))]);
    };
    let base = with_config(input, new_path);
    let side = |p: &PathBuf| {
        let mut a = base.clone();
        a.paths = vec![p.clone()];
        a
    };
    let (old, new) = both(
        analyse(&side(old_path)).map_err(|e| tag(e, "old", &display_path(old_path))),
        analyse(&side(new_path)).map_err(|e| tag(e, "new", &display_path(new_path))),
    )?;
    let name = |p: &PathBuf| Side {
        paths: vec![display_path(p)],
        revision: None,
    };
    let label = format!(
        "cmg-preflight diff {} {}",
        display_path(old_path),
        display_path(new_path)
    );
    Ok((old, new, (name(old_path), name(new_path)), label))
}

/// `diff --git REV1..REV2 PATH...`: the paths at two revisions, read with git.
fn revisions(input: &InputArgs, range: &str) -> Result<Prepared, Vec<InputError>> {
    let range = git::Range::parse(range).map_err(|m| vec![InputError::usage(m)])?;
    if input.paths.is_empty() {
        return Err(vec![InputError::usage(
            "diff --git REV1..REV2 needs the export's PATH in the repository",
        )]);
    }
    let repo = git::Repo::here().map_err(|e| vec![e])?;
    let new_commit = repo.commit(&range.new).map_err(|e| vec![e])?;
    let old_commit = repo.commit(&range.old).map_err(|e| vec![e])?;
    let old_commit = if range.merge_base {
        repo.merge_base(&old_commit, &new_commit)
            .map_err(|e| vec![e])?
    } else {
        old_commit
    };
    let names = input
        .paths
        .iter()
        .map(|p| repo.full_name(p))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| vec![e])?;
    let old_snap = repo
        .snapshot(&range.old, &old_commit, &names)
        .map_err(|e| vec![e])?;
    let new_snap = repo
        .snapshot(&range.new, &new_commit, &names)
        .map_err(|e| vec![e])?;
    // The configuration is the working tree's: a temporary folder has none around it.
    let base = with_config(input, &input.paths[0]);
    let side = |snap: &git::Snapshot, which: &str| {
        let mut a = base.clone();
        a.paths = snap.paths.clone();
        analyse(&a)
            .map(|mut an| {
                snap.rename(&mut an.export.sources);
                an
            })
            .map_err(|e| {
                let e = e.into_iter().map(|e| snap.rename_error(e)).collect();
                tag(e, which, &format!("at {}", snap.rev))
            })
    };
    let (old, new) = both(side(&old_snap, "old"), side(&new_snap, "new"))?;
    let name = |rev: &str, commit: &str| Side {
        paths: names
            .iter()
            .map(|n| if n.is_empty() { ".".into() } else { n.clone() })
            .collect(),
        revision: Some((rev.to_string(), commit.to_string())),
    };
    let label = format!(
        "cmg-preflight diff --git {} {}",
        range.label(),
        input
            .paths
            .iter()
            .map(|p| display_path(p))
            .collect::<Vec<_>>()
            .join(" ")
    );
    Ok((
        old,
        new,
        (name(&range.old, &old_commit), name(&range.new, &new_commit)),
        label,
    ))
}

/// The options for both runs with one configuration: `--config`, else the one that applies to
/// NEW (see `config::discover`), else none; never one found around the other side.
fn with_config(input: &InputArgs, new_path: &Path) -> InputArgs {
    let mut a = input.clone();
    if !a.no_config && a.config.is_none() {
        a.config = crate::config::discover(new_path);
        a.no_config = a.config.is_none();
    }
    a
}

/// Both runs, or the errors of both.
fn both(
    old: Result<Analysis, Vec<InputError>>,
    new: Result<Analysis, Vec<InputError>>,
) -> Result<(Analysis, Analysis), Vec<InputError>> {
    match (old, new) {
        (Ok(o), Ok(n)) => Ok((o, n)),
        (Err(mut a), Err(b)) => {
            a.extend(b);
            Err(a)
        }
        (Err(e), _) | (_, Err(e)) => Err(e),
    }
}

/// A command-line error of one side says which side (`command line, new export at HEAD`).
fn tag(errors: Vec<InputError>, which: &str, name: &str) -> Vec<InputError> {
    errors
        .into_iter()
        .map(|mut e| {
            if e.path == "command line" {
                e.path = format!("command line, {which} export {name}");
            }
            e
        })
        .collect()
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Where links point: `--link-base`, else GitHub's blob URLs in GitHub Actions (documented
/// variables GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_SHA:
/// https://docs.github.com/en/actions/reference/variables-reference), else none.
fn links(args: &DiffArgs, sides: &(Side, Side)) -> render::Links {
    if let Some(base) = &args.link_base {
        return render::Links {
            old: Some(base.clone()),
            new: Some(base.clone()),
        };
    }
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    let (Some(server), Some(repo)) = (var("GITHUB_SERVER_URL"), var("GITHUB_REPOSITORY")) else {
        return render::Links::default();
    };
    let sha = var("GITHUB_SHA");
    let base = |side: &Side| {
        side.revision
            .as_ref()
            .map(|(_, commit)| commit.clone())
            .or_else(|| sha.clone())
            .map(|rev| format!("{}/{repo}/blob/{rev}", server.trim_end_matches('/')))
    };
    render::Links {
        old: base(&sides.0),
        new: base(&sides.1),
    }
}

/// `--format` and `--output` as destinations; at most one goes to standard output.
fn destinations(args: &DiffArgs) -> Result<Vec<FormatTarget>, Vec<InputError>> {
    let mut list = if args.format.is_empty() {
        vec![FormatTarget {
            format: Format::Human,
            file: None,
        }]
    } else {
        args.format.clone()
    };
    let to_stdout = list.iter().filter(|d| d.file.is_none()).count();
    if to_stdout > 1 {
        return Err(vec![InputError::usage(
            "more than one --format goes to standard output; give the others a file (--format json=diff.json)",
        )]);
    }
    if let Some(path) = &args.output {
        match list.iter_mut().find(|d| d.file.is_none()) {
            Some(d) => d.file = Some(path.clone()),
            None => {
                return Err(vec![InputError::usage(
                    "--output has no format to take: every --format names its own file",
                )])
            }
        }
    }
    Ok(list)
}

/// Checks every target first (so a refused one writes nothing), then renders and writes.
fn write(
    destinations: &[FormatTarget],
    view: &render::View,
    inputs: &[PathBuf],
    out: &mut dyn Write,
) -> Result<(), Vec<InputError>> {
    crate::report::file::deliver(
        destinations,
        |d| d.file.as_deref(),
        "diff",
        inputs,
        out,
        |d, _, w| {
            let text = match d.format {
                Format::Human => render::human(view),
                Format::Json => render::json(view),
                Format::Markdown => render::markdown(view),
            };
            w.write_all(text.as_bytes())
        },
    )
}
