//! The command line: arguments, and the exit-code contract (0 clean, 1 a failure at or above
//! the threshold, 2 the input or the command line could not be used).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

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
    Check(CheckArgs),
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Export files or folders (.json, .yaml, .yml); folders are walked.
    #[arg(required = true, value_name = "EXPORT")]
    pub paths: Vec<PathBuf>,

    /// The boot media plan (YAML). Without it every media rule is unknown; a plan found among
    /// the export files is used when this is not given.
    #[arg(long, value_name = "FILE")]
    pub media: Option<PathBuf>,

    /// Check only this task sequence deployment (repeatable). Default: the media plan's
    /// deployments, else every deployment available to media.
    #[arg(long = "deployment", value_name = "ID")]
    pub deployments: Vec<String>,

    /// Fail (exit 1) when a rule at or above this severity fails.
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,

    /// Also fail when a rule at or above the threshold cannot be checked (unknown).
    #[arg(long)]
    pub strict: bool,

    /// The scenario to check.
    #[arg(long, value_enum, default_value_t = Scenario::BootMedia)]
    pub scenario: Scenario,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Write the report to this file instead of standard output (written atomically).
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Colour in the terminal report.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// ASCII instead of Unicode box drawing.
    #[arg(long)]
    pub ascii: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Diagnostics with source snippets, then a checklist.
    Human,
    /// One result per rule and target (format version 1).
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Note,
    Never,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Scenario {
    /// Boot media over a CMG.
    BootMedia,
    /// A task sequence with a boot image started from Software Center over a CMG.
    SoftwareCenter,
}

impl Scenario {
    pub fn name(self) -> &'static str {
        match self {
            Scenario::BootMedia => "boot-media",
            Scenario::SoftwareCenter => "software-center",
        }
    }
}
