//! The output formats, each defined in its own file as a [`Format`] entry and listed once in
//! [`BUILTIN`]. `--format`, `--help`, the README's table and the tests' format matrix all read
//! this list, so a new format is one file plus one line here.

use std::io;

use super::style::Style;
use super::Report;

/// One output format.
pub struct Format {
    /// What `--format` takes.
    pub name: &'static str,
    /// One line for `--help`.
    pub help: &'static str,
    /// What it writes, for the README's table (Markdown).
    pub about: &'static str,
    /// How its files end (`sarif`, `junit.xml`), for example names and expected test files.
    pub extension: &'static str,
    /// A conventional file name, for messages that suggest `FORMAT=FILE`.
    pub file_name: &'static str,
    /// Shows each finding's why-chain, so the run must collect it.
    pub evidence: bool,
    /// Writes the report. The style's colour is already off when the target is a file.
    pub render: fn(&Report, &Style, &mut dyn io::Write) -> io::Result<()>,
}

impl PartialEq for Format {
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
    }
}

impl Eq for Format {}

impl std::fmt::Debug for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "Format({})", self.name)
    }
}

/// Every built-in format, in the order `--help` and the README list them.
pub const BUILTIN: &[&Format] = &[
    &super::human::FORMAT,
    &super::json::FORMAT,
    &super::sarif::FORMAT,
    &super::junit::FORMAT,
    &super::github::FORMAT,
    &super::azure::FORMAT,
    &super::markdown::FORMAT,
    &super::html::FORMAT,
];

/// `auto` is not a renderer: it picks `human`, `github` or `azure` when the run starts.
pub const AUTO: &str = "auto";
const AUTO_ABOUT: &str = "the default: `github` when stdout is not a terminal and `GITHUB_ACTIONS=true`, `azure` when stdout is not a terminal and `TF_BUILD=True`, else `human`";

/// A set of formats: the built-in ones, plus any a test registers.
#[derive(Clone, Debug)]
pub struct Formats(Vec<&'static Format>);

impl Formats {
    pub fn builtin() -> Self {
        Formats(BUILTIN.to_vec())
    }

    /// This set plus `f` (a test's made-up format).
    pub fn with(mut self, f: &'static Format) -> Self {
        self.0.push(f);
        self
    }

    pub fn all(&self) -> &[&'static Format] {
        &self.0
    }

    pub fn find(&self, name: &str) -> Option<&'static Format> {
        self.0.iter().copied().find(|f| f.name == name)
    }

    /// `human, json, ..., auto`.
    pub fn names(&self) -> String {
        let mut names: Vec<&str> = self.0.iter().map(|f| f.name).collect();
        names.push(AUTO);
        names.join(", ")
    }

    /// The long help of `--format`: one line per format.
    pub fn long_help(&self) -> String {
        let mut s = String::from(
            "Output format (repeatable). `FORMAT=FILE` writes that format to FILE; at most one format goes to standard output.\n",
        );
        for f in &self.0 {
            s.push_str(&format!("\n  {:<9} {}", f.name, f.help));
        }
        s.push_str(&format!(
            "\n  {AUTO:<9} the default: github or azure annotations when standard output is not a terminal inside GitHub Actions or Azure Pipelines, else human"
        ));
        s
    }

    /// The README's table of formats.
    pub fn readme_table(&self) -> String {
        let mut s = String::from("| `--format` | what it writes |\n|---|---|\n");
        for f in &self.0 {
            s.push_str(&format!("| `{}` | {} |\n", f.name, f.about));
        }
        s.push_str(&format!("| `{AUTO}` | {AUTO_ABOUT} |\n"));
        s
    }
}

/// The short help of `--format`.
pub fn short_help() -> String {
    format!(
        "Output format: {} (repeatable; FORMAT=FILE writes to FILE)",
        Formats::builtin().names()
    )
}

/// The long help of `--format` for the built-in formats.
pub fn long_help() -> String {
    Formats::builtin().long_help()
}

/// A renderer that builds its text in memory, as a [`Format::render`].
pub fn write_text(text: String, out: &mut dyn io::Write) -> io::Result<()> {
    out.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_extensions_are_unique() {
        let f = Formats::builtin();
        let mut names: Vec<&str> = f.all().iter().map(|f| f.name).collect();
        let mut exts: Vec<&str> = f.all().iter().map(|f| f.extension).collect();
        names.sort_unstable();
        names.dedup();
        exts.sort_unstable();
        exts.dedup();
        assert_eq!(names.len(), BUILTIN.len());
        assert_eq!(exts.len(), BUILTIN.len());
        assert!(f.find(AUTO).is_none());
    }
}
