//! Owns the user's files: reading and decoding them to text, parsing JSON and YAML into
//! span-carrying trees, and turning byte spans into file/line/column for reports.
//! It knows nothing of ConfigMgr; `export` gives the trees meaning.

pub mod decode;
pub mod json;
pub mod node;
pub mod redact;
pub mod walk;
pub mod yaml;

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Byte range in a decoded source text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Span {
    pub start: usize,
    pub len: usize,
}

impl Span {
    pub fn new(start: usize, len: usize) -> Self {
        Span { start, len }
    }
    pub fn end(&self) -> usize {
        self.start + self.len
    }
}

/// Index of a file in the [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// Where a value came from: a file and a byte span in its decoded text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Origin {
    pub file: FileId,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    Json,
    Yaml,
}

/// One loaded file: its path as the user named it, the decoded (and secret-redacted) text,
/// and the line-start index used to turn offsets into lines and columns.
pub struct SourceFile {
    pub path: PathBuf,
    pub display: String,
    /// Shared with the diagnostics that quote it; an `Arc<String>` takes the decoded text
    /// without copying it (a large content-status export is hundreds of megabytes).
    pub text: Arc<String>,
    pub syntax: Syntax,
    pub encoding: &'static str,
    line_starts: Vec<usize>,
}

impl SourceFile {
    pub fn new(path: &Path, text: String, syntax: Syntax, encoding: &'static str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        SourceFile {
            display: display_path(path),
            path: path.to_path_buf(),
            text: Arc::new(text),
            syntax,
            encoding,
            line_starts,
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        let col = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        (line + 1, col + 1)
    }
}

/// Paths are shown with forward slashes so reports read the same on every platform.
fn display_path(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

#[derive(Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        FileId((self.files.len() - 1) as u32)
    }
    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }
    pub fn get_mut(&mut self, id: FileId) -> &mut SourceFile {
        &mut self.files[id.0 as usize]
    }
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }
}

/// A file that could not be read or parsed: always names the file, and the place when known.
#[derive(Debug)]
pub struct InputError {
    pub path: String,
    pub message: String,
    /// Decoded text and the offending span, when the error has a place in the file.
    pub at: Option<(Arc<String>, Span)>,
    pub help: Option<String>,
}

impl InputError {
    pub fn whole_file(path: &Path, message: impl Into<String>) -> Self {
        InputError {
            path: display_path(path),
            message: message.into(),
            at: None,
            help: None,
        }
    }
    /// A command-line mistake: no file, no place.
    pub fn usage(message: impl Into<String>) -> Self {
        InputError {
            path: "command line".into(),
            message: message.into(),
            at: None,
            help: None,
        }
    }
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}
