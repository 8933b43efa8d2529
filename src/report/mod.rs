//! Renders a finished run for people (and, later, machines). Rules never format output;
//! everything here reads the findings, the rules and the source map.

pub mod diag;
pub mod human;
pub mod json;
pub mod style;

use crate::export::Note;
use crate::rules::engine::{Finding, Outcome};
use crate::rules::format::{Rule, Severity};
use crate::source::{Origin, SourceMap};

/// Everything a renderer needs about one run.
pub struct Report<'a> {
    pub rules: &'a [Rule],
    pub findings: &'a [Finding],
    pub sources: &'a SourceMap,
    pub notes: &'a [Note],
    /// Header lines: (label, value), e.g. ("site", "PS1 Contoso, ConfigMgr 2403 (build 9128)").
    pub header: Vec<(&'static str, String)>,
}

#[derive(Default, Debug, PartialEq)]
pub struct Counts {
    pub pass: usize,
    pub fail: [usize; 3],
    pub unknown: usize,
    pub not_applicable: usize,
    pub manual: usize,
}

impl Report<'_> {
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for f in self.findings {
            match f.outcome {
                Outcome::Pass => c.pass += 1,
                Outcome::Fail => c.fail[f.severity as usize] += 1,
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
        let (line, col) = f.line_col(o.span.start);
        (f.display.clone(), line, col)
    }
}

impl Counts {
    pub fn failed(&self) -> usize {
        self.fail.iter().sum()
    }
    pub fn failed_at_or_above(&self, threshold: Severity) -> usize {
        (threshold as usize..3).map(|i| self.fail[i]).sum()
    }
}
