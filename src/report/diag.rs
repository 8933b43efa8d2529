//! A miette diagnostic built at run time: code, severity, message, a snippet of one file
//! with labels, help, and related diagnostics for places in other files.

use std::fmt;

use miette::{Diagnostic, LabeledSpan, SourceCode};

use super::snippet::Snippet;

#[derive(Debug)]
pub struct Diag {
    pub code: Option<String>,
    pub severity: miette::Severity,
    pub message: String,
    pub help: Option<String>,
    pub source: Option<Snippet>,
    /// The file the snippet is cut from, so a second place in it can be a label.
    pub origin: Option<crate::source::FileId>,
    pub labels: Vec<LabeledSpan>,
    pub related: Vec<Diag>,
}

impl Diag {
    pub fn new(severity: miette::Severity, message: impl Into<String>) -> Self {
        Diag {
            code: None,
            severity,
            message: message.into(),
            help: None,
            source: None,
            origin: None,
            labels: Vec::new(),
            related: Vec::new(),
        }
    }
}

impl fmt::Display for Diag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Diag {}

impl Diagnostic for Diag {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code
            .as_ref()
            .map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() || self.source.is_none() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(self.related.iter().map(|d| d as &dyn Diagnostic)))
        }
    }
}
