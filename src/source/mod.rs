//! Owns the user's files: reading and decoding them to text, parsing JSON and YAML into
//! span-carrying trees, and turning byte spans into file/line/column for reports.
//! It knows nothing of ConfigMgr; `export` gives the trees meaning.

pub mod decode;
pub mod json;
pub mod lines;
pub mod node;
pub mod redact;
pub mod walk;
pub mod yaml;

use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Byte range in a decoded source text. 32-bit: a large export holds millions of spans (one
/// per value and key, one per record field), and [`read`] refuses a text of 4 GiB or more.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Span {
    start: u32,
    len: u32,
}

/// The largest decoded text a [`Span`] can point into.
pub const MAX_TEXT: usize = u32::MAX as usize;

impl Span {
    /// Offsets past [`MAX_TEXT`] cannot occur in a text [`read`] accepted; they are clamped.
    pub fn new(start: usize, len: usize) -> Self {
        let start = u32::try_from(start).unwrap_or(u32::MAX);
        let len = u32::try_from(len).unwrap_or(u32::MAX).min(u32::MAX - start);
        Span { start, len }
    }
    pub fn start(&self) -> usize {
        self.start as usize
    }
    pub fn len(&self) -> usize {
        self.len as usize
    }
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
    pub fn end(&self) -> usize {
        self.start() + self.len()
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
    /// The encoding was assumed (no BOM, not UTF-8): where the first non-UTF-8 byte was.
    pub encoding_assumed_at: Option<usize>,
    /// Offsets where lines start, found on first use: most files of a large export never
    /// hold a finding, so most never need it.
    lines: std::sync::OnceLock<lines::LineIndex>,
    checkpoints: std::sync::OnceLock<Vec<Checkpoint>>,
}

impl SourceFile {
    pub fn new(path: &Path, text: String, syntax: Syntax, encoding: &'static str) -> Self {
        Self::from_shared(display_path(path), path, Arc::new(text), syntax, encoding)
    }

    /// A file whose text is already shared (the text of an input error, for its snippet).
    pub fn from_shared(
        display: String,
        path: &Path,
        text: Arc<String>,
        syntax: Syntax,
        encoding: &'static str,
    ) -> Self {
        SourceFile {
            display,
            path: path.to_path_buf(),
            text,
            syntax,
            encoding,
            encoding_assumed_at: None,
            lines: std::sync::OnceLock::new(),
            checkpoints: std::sync::OnceLock::new(),
        }
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        self.line_col_in(offset, Unit::Char)
    }

    /// 1-based line and column in UTF-16 code units (SARIF's default `columnKind`).
    pub fn line_col_utf16(&self, offset: usize) -> (usize, usize) {
        self.line_col_in(offset, Unit::Utf16)
    }

    fn line_col_in(&self, offset: usize, unit: Unit) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let (line, start) = self.lines().locate(self.text.as_bytes(), offset);
        (line + 1, self.column(start, offset, unit) + 1)
    }

    /// The 0-based line holding a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        self.lines().locate(self.text.as_bytes(), offset).0
    }

    pub fn line_count(&self) -> usize {
        self.lines().count()
    }

    fn lines(&self) -> &lines::LineIndex {
        self.lines
            .get_or_init(|| lines::LineIndex::new(self.text.as_bytes()))
    }

    /// The byte range of a 0-based line, without its line break.
    pub fn line_bounds(&self, line: usize) -> (usize, usize) {
        let (index, text) = (self.lines(), self.text.as_bytes());
        let start = index.start(text, line);
        let end = if line + 1 < index.count() {
            index.start(text, line + 1) - 1
        } else {
            text.len()
        };
        let end = if end > start && self.text.as_bytes()[end - 1] == b'\r' {
            end - 1
        } else {
            end
        };
        (start, end.max(start))
    }

    /// 0-based character column of `offset` in the line starting at `line_start`. On a long line
    /// (a `ConvertTo-Json -Compress` export is one line) counting starts from the nearest
    /// checkpoint, so a column costs at most one checkpoint interval, not the whole line.
    fn column(&self, line_start: usize, offset: usize, unit: Unit) -> usize {
        let count = |a: usize, b: usize| self.text.get(a..b).map_or(b - a, |s| unit.count(s));
        if offset - line_start <= CHECKPOINT {
            return count(line_start, offset);
        }
        let cps = self.checkpoints.get_or_init(|| checkpoints(&self.text));
        let i = cps.partition_point(|c| c.byte <= offset);
        match i.checked_sub(1).map(|i| &cps[i]) {
            Some(c) if c.byte >= line_start => unit.pick(c) + count(c.byte, offset),
            _ => count(line_start, offset),
        }
    }
}

/// What a column counts.
#[derive(Clone, Copy)]
enum Unit {
    Char,
    Utf16,
}

impl Unit {
    fn count(self, s: &str) -> usize {
        match self {
            Unit::Char => s.chars().count(),
            Unit::Utf16 => s.encode_utf16().count(),
        }
    }
    fn pick(self, c: &Checkpoint) -> usize {
        match self {
            Unit::Char => c.chars,
            Unit::Utf16 => c.utf16,
        }
    }
}

/// A place on a long line whose column is known in both units.
struct Checkpoint {
    byte: usize,
    chars: usize,
    utf16: usize,
}

/// Bytes between column checkpoints on long lines.
const CHECKPOINT: usize = 1 << 16;

/// A checkpoint about every [`CHECKPOINT`] bytes, on char boundaries.
fn checkpoints(text: &str) -> Vec<Checkpoint> {
    let mut out = Vec::new();
    let (mut at, mut chars, mut utf16) = (0, 0, 0);
    while at < text.len() {
        let mut next = (at + CHECKPOINT).min(text.len());
        while !text.is_char_boundary(next) {
            next += 1;
        }
        let piece = &text[at..next];
        (chars, utf16) = match piece.rfind('\n') {
            Some(nl) => (
                Unit::Char.count(&piece[nl + 1..]),
                Unit::Utf16.count(&piece[nl + 1..]),
            ),
            None => (
                chars + Unit::Char.count(piece),
                utf16 + Unit::Utf16.count(piece),
            ),
        };
        out.push(Checkpoint {
            byte: next,
            chars,
            utf16,
        });
        at = next;
    }
    out
}

/// Paths are shown with forward slashes so reports read the same on every platform. A file
/// name may hold any character but `/`: control characters (a newline that would start a CI
/// logging command on a line of its own) are shown escaped, so no name ever breaks a line.
pub fn display_path(path: &Path) -> String {
    let s = path.to_string_lossy().replace('\\', "/");
    let s = s.strip_prefix("./").map(str::to_string).unwrap_or(s);
    if !s.chars().any(char::is_control) {
        return s;
    }
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
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

/// A file read from disk and decoded.
pub struct Loaded {
    pub text: String,
    pub syntax: Syntax,
    pub encoding: &'static str,
    pub assumed_at: Option<usize>,
}

impl Loaded {
    /// The source-map entry for this text (after any redaction).
    pub fn into_source(self, path: &Path) -> SourceFile {
        let mut f = SourceFile::new(path, self.text, self.syntax, self.encoding);
        f.encoding_assumed_at = self.assumed_at;
        f
    }
}

/// Reads and decodes one input file. Only regular files are read: a FIFO would block for ever
/// and a device is no export, so both are refused before they are opened. `.yaml`/`.yml` is
/// YAML, anything else JSON. `forced`: `--encoding`, for files without a byte-order mark.
pub fn read(
    path: &Path,
    forced: Option<&'static encoding_rs::Encoding>,
) -> Result<Loaded, InputError> {
    let meta = std::fs::metadata(path)
        .map_err(|e| InputError::whole_file(path, format!("cannot read: {e}")))?;
    if !meta.is_file() {
        return Err(InputError::whole_file(path, not_regular(&meta)));
    }
    let bytes = std::fs::read(path)
        .map_err(|e| InputError::whole_file(path, format!("cannot read: {e}")))?;
    let decoded = decode::decode(bytes, forced).map_err(|e| InputError::whole_file(path, e))?;
    if decoded.text.len() >= MAX_TEXT {
        return Err(InputError::whole_file(
            path,
            format!(
                "too large: {} bytes once decoded; cmg-preflight reads files under 4 GiB (split the export, e.g. the content status by package)",
                decoded.text.len()
            ),
        ));
    }
    let is_yaml = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yaml") || e.eq_ignore_ascii_case("yml"));
    Ok(Loaded {
        text: decoded.text,
        syntax: if is_yaml { Syntax::Yaml } else { Syntax::Json },
        encoding: decoded.encoding,
        assumed_at: decoded.assumed_at,
    })
}

/// Why a path that exists is not a file we read.
pub fn not_regular(meta: &std::fs::Metadata) -> String {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    let what = if t.is_dir() {
        "a folder"
    } else if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "something else"
    };
    format!("not a regular file but {what}; give a file")
}

/// Parses a document, handing out the elements of a top-level array one by one. Returns the
/// property names that occur twice in an object (both values are `Value::Repeated`).
/// `defer`: property names whose JSON string values stay encoded (see `json::parse_items`).
pub fn parse_items<'a>(
    text: &'a str,
    syntax: Syntax,
    path: &Path,
    defer: &[&str],
    each: &mut dyn FnMut(node::Node<'a>),
) -> Result<Vec<node::Duplicate>, InputError> {
    let at_error = |offset: usize, message: String| InputError {
        path: display_path(path),
        message,
        at: Some((
            Arc::new(text.to_string()),
            Span::new(offset.min(text.len()), 1),
        )),
        help: None,
    };
    match syntax {
        Syntax::Json => json::parse_items(text, defer, each).map_err(|e| {
            at_error(e.offset, format!("invalid JSON: {}", e.message)).with_help("export with `ConvertTo-Json -Depth 10` and write the file completely (Export-CMPreflight.ps1 does both)")
        }),
        Syntax::Yaml => yaml::parse_items(text, &mut |n| each(n))
            .map_err(|e| at_error(e.offset.unwrap_or(0), format!("invalid YAML: {}", e.message))),
    }
}

/// Parses a small file the user writes (configuration, media plan) into its one document.
/// A property given twice is an error there: the user can fix it, and no value may win.
pub fn parse_document(
    text: &str,
    syntax: Syntax,
    path: &Path,
) -> Result<Option<node::Node<'static>>, Vec<InputError>> {
    let mut root = None;
    let dups = parse_items(text, syntax, path, &[], &mut |n| {
        root = root.take().or(Some(n))
    })
    .map_err(|e| vec![e])?;
    if dups.is_empty() {
        return Ok(root.map(node::Node::into_owned));
    }
    let shared = Arc::new(text.to_string());
    Err(dups
        .into_iter()
        .map(|d| InputError {
            path: display_path(path),
            message: {
                let (line, col) = line_col_of(text, d.first.start());
                format!(
                    "`{}` is given more than once in one object (first at line {line}, column {col}); keep one",
                    d.key
                )
            },
            at: Some((shared.clone(), d.again)),
            help: None,
        })
        .collect())
}

/// 1-based line and column (in characters) of `offset` in a text without a line index.
pub fn line_col_of(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset.min(text.len())).unwrap_or("");
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (
        before.matches('\n').count() + 1,
        before[line_start..].chars().count() + 1,
    )
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
        // Display form: control characters in a name are escaped, never printed.
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

#[cfg(test)]
mod tests {
    use super::Span;

    /// Spans are 32-bit: offsets a read text can hold round-trip, larger ones are clamped and
    /// never wrap to a small offset.
    #[test]
    fn spans_hold_offsets_under_4_gib() {
        let s = Span::new(4_000_000_000, 7);
        assert_eq!(
            (s.start(), s.len(), s.end()),
            (4_000_000_000, 7, 4_000_000_007)
        );
        let s = Span::new(5_000_000_000, 7);
        assert_eq!((s.start(), s.end()), (u32::MAX as usize, u32::MAX as usize));
        assert!(Span::new(3, 0).is_empty());
    }
}
