//! The command line: arguments, and the exit-code contract (0 clean, 1 a failure at or above
//! the threshold, 2 the input or the command line could not be used).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::gate::FailOn;
use crate::report::output::{parse_format_spec, FormatSpec};
use crate::report::style::ColorChoice;

pub const EXIT_CODES: &str = "Exit codes:
  0  nothing at or above the --fail-on threshold failed
  1  at least one requirement failed at or above the threshold
  2  the input or the command line could not be used (the message names the file and place)";

#[derive(Parser, Debug)]
#[command(name = "cmg-preflight", version, about = "Checks a Configuration Manager site export for everything that deploying an OS over a cloud management gateway (CMG) with boot media needs.", after_help = EXIT_CODES)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check an export (files or folders written by scripts/Export-CMPreflight.ps1).
    #[command(after_help = EXIT_CODES)]
    Check(Box<CheckArgs>),
    /// List the rule catalog (id, name, severity, scope, builds, scenarios, confidence).
    Rules(RulesArgs),
    /// Print one rule in full: what it checks, why, the symptom, the fix, the source, examples.
    Explain(ExplainArgs),
    /// Write a commented starting .cmg-preflight.yaml.
    Init(InitArgs),
    /// Write a PowerShell script that fixes every failed finding a cmdlet can fix.
    #[command(after_help = EXIT_CODES)]
    Fix(Box<FixArgs>),
    /// Print the New-CMBootableMedia command that creates the media the plan describes.
    #[command(after_help = EXIT_CODES)]
    Media(Box<MediaArgs>),
    /// Compare two exports (two folders, or two git revisions of one): findings added, fixed
    /// and changed; exit 1 when the new one adds a failure at or above --fail-on.
    #[command(after_help = crate::diff::AFTER_HELP)]
    Diff(Box<crate::diff::DiffArgs>),
}

#[derive(clap::Args, Debug)]
pub struct FixArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Write the script to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct MediaArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Print the command even while a media rule fails.
    #[arg(long)]
    pub force: bool,

    /// Write the script to this file instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct InitArgs {
    /// Where to write it [default: ./.cmg-preflight.yaml]; an existing file is not overwritten.
    #[arg(value_name = "FILE")]
    pub path: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct RulesArgs {
    /// Print docs/rules.md (Markdown) instead of the table.
    #[arg(long)]
    pub markdown: bool,
    /// Add custom rule files from this folder (same schema as rules/).
    #[arg(long = "rules", value_name = "DIR")]
    pub rules_dir: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct ExplainArgs {
    /// The rule id, e.g. DEP-02 (or its name, e.g. deployment-internet-not-allowed).
    #[arg(required_unless_present = "fields")]
    pub id: Option<String>,
    /// List the site model's fields that rules may use.
    #[arg(long)]
    pub fields: bool,
    /// Add custom rule files from this folder.
    #[arg(long = "rules", value_name = "DIR")]
    pub rules_dir: Option<PathBuf>,
}

#[derive(clap::Args, Clone, Debug)]
// What a run reads and how it decides: shared by `check` and `media`.
pub struct InputArgs {
    /// Export files or folders (.json, .yaml, .yml); folders are walked.
    #[arg(required = true, value_name = "EXPORT")]
    pub paths: Vec<PathBuf>,

    /// The boot media plan (YAML). Without it every media rule is unknown; a plan found among
    /// the export files is used when this is not given.
    #[arg(long, value_name = "FILE")]
    pub media: Option<PathBuf>,

    /// Add the admin's own rule files from this folder (same schema and condition language
    /// as rules/; a rule with a catalog id replaces the built-in one).
    #[arg(long = "rules", value_name = "DIR")]
    pub rules_dir: Option<PathBuf>,

    /// Check only this task sequence deployment (repeatable). Default: the media plan's
    /// deployments, else every deployment available to media.
    #[arg(long = "deployment", value_name = "ID")]
    pub deployments: Vec<String>,

    /// Fail (exit 1) when a rule at or above this severity fails [default: error, or the
    /// configuration's fail_on].
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,

    /// Also fail when a rule at or above the threshold cannot be checked (unknown).
    #[arg(long)]
    pub strict: bool,

    /// Report this rule at error severity (repeatable).
    #[arg(short = 'D', long = "deny", value_name = "ID")]
    pub deny: Vec<String>,

    /// Report this rule at warning severity (repeatable).
    #[arg(short = 'W', long = "warn", value_name = "ID")]
    pub warn: Vec<String>,

    /// Do not evaluate this rule (repeatable).
    #[arg(short = 'A', long = "allow", value_name = "ID")]
    pub allow: Vec<String>,

    /// The configuration file [default: the nearest .cmg-preflight.yaml at or above the export].
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    pub config: Option<PathBuf>,

    /// Ignore any .cmg-preflight.yaml.
    #[arg(long)]
    pub no_config: bool,

    /// An earlier JSON result (--format json): failures already in it are reported as known and
    /// do not fail the gate; only new ones do. Matched by rule and target, not by line.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Evaluate time-based rules (certificate expiry, media age, deployment window) as of this
    /// date (YYYY-MM-DD or ISO-8601) instead of now, for reproducible runs.
    #[arg(long, value_name = "DATE", value_parser = parse_now)]
    pub now: Option<i64>,

    /// Read files that have no byte-order mark in this encoding (an encoding_rs label such as
    /// utf-8, windows-1252, iso-8859-15, utf-16le) [default: UTF-8, else Windows-1252 with a
    /// note].
    #[arg(long, value_name = "NAME", value_parser = parse_encoding)]
    pub encoding: Option<&'static encoding_rs::Encoding>,

    /// The scenario to check [default: boot-media, or the configuration's scenario].
    #[arg(long, value_enum)]
    pub scenario: Option<Scenario>,

    /// Which findings keep their why-chain (set by the command for `--why` and the formats
    /// that show it; not an option).
    #[arg(skip)]
    pub explain: crate::rules::evidence::Explain,

    /// The process exits right after the command (set by `main`; not an option): the
    /// analysis is left to the OS instead of being freed object by object.
    #[arg(skip)]
    pub exit_after: bool,
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub input: InputArgs,

    #[arg(
        long,
        value_name = "FORMAT[=FILE]",
        value_parser = parse_format_spec,
        help = crate::report::registry::short_help(),
        long_help = crate::report::registry::long_help()
    )]
    pub format: Vec<FormatSpec>,

    /// Write the one format given without `=FILE` to this file instead of standard output
    /// (files are written atomically).
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Show why RULE (id or name) came out as it did for each target, or for one with
    /// RULE:TARGET (a target id such as a deployment or package id): the facts that decided it,
    /// each with its value and place, and the tests. Replaces the terminal report.
    #[arg(long, value_name = "RULE[:TARGET]")]
    pub why: Option<String>,

    /// Colour in the terminal report.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// ASCII instead of Unicode box drawing.
    #[arg(long)]
    pub ascii: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Scenario {
    /// Boot media over a CMG.
    BootMedia,
    /// A task sequence with a boot image started from Software Center over a CMG.
    SoftwareCenter,
}

impl Scenario {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "boot-media" => Some(Scenario::BootMedia),
            "software-center" => Some(Scenario::SoftwareCenter),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Scenario::BootMedia => "boot-media",
            Scenario::SoftwareCenter => "software-center",
        }
    }
}

fn parse_encoding(s: &str) -> Result<&'static encoding_rs::Encoding, String> {
    crate::source::decode::encoding_for_label(s).ok_or_else(|| {
        format!("`{s}` is not an encoding label (for example utf-8, windows-1252, iso-8859-15, utf-16le)")
    })
}

fn parse_now(s: &str) -> Result<i64, String> {
    crate::export::field::parse_date(s)
        .ok_or_else(|| format!("`{s}` is not a date (a real calendar date as YYYY-MM-DD or ISO-8601, nothing after it)"))
}
