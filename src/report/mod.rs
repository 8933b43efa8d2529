//! Renders a finished run for people and machines. Rules never format output; everything
//! here reads the findings, the rules and the source map. Each format is one file with a
//! `FORMAT` entry listed in `registry`; `output` decides which formats go where
//! (`--format FORMAT[=FILE]`, `auto`), and `label` names outcomes for all of them.

pub mod annotations;
pub mod azure;
pub mod diag;
pub mod file;
pub mod github;
pub mod header;
pub mod html;
pub mod human;
pub mod json;
pub mod junit;
pub mod label;
pub mod markdown;
pub mod output;
pub mod registry;
pub mod sarif;
pub mod snippet;
pub mod style;
pub mod why;

use crate::export::Note;
use crate::rules::engine::{Finding, Outcome};
use crate::rules::format::{Rule, Severity};
use crate::source::{Origin, SourceFile, SourceMap};

/// Everything a renderer needs about one run.
pub struct Report<'a> {
    pub rules: &'a [Rule],
    pub findings: &'a [Finding],
    pub sources: &'a SourceMap,
    pub notes: &'a [Note],
    /// A `--baseline` was given: results say whether they are new.
    pub baseline: bool,
    /// Header lines: (label, value), e.g. ("site", "PS1 Contoso, ConfigMgr 2403 (build 9128)").
    pub header: Vec<(&'static str, String)>,
    /// Each source file's path for CI tools ([`repo_path`]), worked out once per file.
    paths: Vec<(String, bool)>,
}

impl<'a> Report<'a> {
    pub fn new(
        rules: &'a [Rule],
        findings: &'a [Finding],
        sources: &'a SourceMap,
        notes: &'a [Note],
        baseline: bool,
        header: Vec<(&'static str, String)>,
    ) -> Self {
        Report {
            rules,
            findings,
            sources,
            notes,
            baseline,
            header,
            paths: sources.iter().map(|(_, f)| repo_path(f)).collect(),
        }
    }

    /// The path of a file for CI tools, and whether it is relative (see [`repo_path`]).
    pub fn ci_path(&self, file: crate::source::FileId) -> &(String, bool) {
        &self.paths[file.0 as usize]
    }
}

#[derive(Default, Debug, PartialEq)]
pub struct Counts {
    pub pass: usize,
    pub fail: [usize; 3],
    pub unknown: usize,
    pub not_applicable: usize,
    pub manual: usize,
    pub waived: usize,
    /// Failures that were already in the `--baseline` result (not in `fail`).
    pub known: usize,
}

impl Report<'_> {
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for f in self.findings {
            match f.outcome {
                Outcome::Pass => c.pass += 1,
                Outcome::Fail if f.in_baseline => c.known += 1,
                Outcome::Fail => c.fail[f.severity as usize] += 1,
                Outcome::Waived => c.waived += 1,
                Outcome::Unknown => c.unknown += 1,
                Outcome::NotApplicable => c.not_applicable += 1,
                Outcome::Manual => c.manual += 1,
            }
        }
        c
    }

    /// `file:line:col` of an origin.
    pub fn place(&self, o: Origin) -> (String, usize, usize) {
        let f = self.sources.get(o.file);
        let (line, col) = f.line_col(o.span.start());
        (f.display.clone(), line, col)
    }
}

impl Report<'_> {
    /// The closing line every text format ends with (CI scripts grep it):
    /// `27 checks: 4 failed (4 error, 0 warning, 0 note), 0 unknown, 22 passed, ...`.
    pub fn summary_line(&self) -> String {
        let c = self.counts();
        let mut line = format!(
            "{} checks: {} failed ({} error, {} warning, {} note), {} unknown, {} passed, {} not applicable, {} manual",
            self.findings.len(),
            c.failed(),
            c.fail[Severity::Error as usize],
            c.fail[Severity::Warning as usize],
            c.fail[Severity::Note as usize],
            c.unknown,
            c.pass,
            c.not_applicable,
            c.manual
        );
        if c.waived > 0 {
            line.push_str(&format!(", {} waived", c.waived));
        }
        if c.known > 0 {
            line.push_str(&format!(", {} failed before (baseline)", c.known));
        }
        line
    }
}

/// A file's path for CI tools: relative to the current directory (run from the repository root,
/// that is what code scanning and annotations resolve against), with forward slashes. A file
/// outside the current directory keeps its absolute path; `true` says it is relative.
pub fn repo_path(file: &SourceFile) -> (String, bool) {
    use std::path::{Component, Path};
    let p = file.path.as_path();
    let rel = if p.is_absolute() {
        std::env::current_dir().ok().and_then(|cwd| {
            p.strip_prefix(&cwd)
                .map(Path::to_path_buf)
                .ok()
                .or_else(|| {
                    let (c, pc) = (cwd.canonicalize().ok()?, p.canonicalize().ok()?);
                    pc.strip_prefix(c).map(Path::to_path_buf).ok()
                })
        })
    } else {
        Some(p.to_path_buf())
    };
    let Some(rel) = rel else {
        return (file.display.clone(), false);
    };
    let parts: Vec<String> = rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            Component::ParentDir => Some("..".into()),
            _ => None,
        })
        .collect();
    (parts.join("/"), true)
}

impl Counts {
    pub fn failed(&self) -> usize {
        self.fail.iter().sum()
    }
    pub fn failed_at_or_above(&self, threshold: Severity) -> usize {
        (threshold as usize..3).map(|i| self.fail[i]).sum()
    }
}
