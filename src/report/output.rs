//! Which formats go where: `--format FORMAT[=FILE]` (repeatable), `--output FILE`, and what
//! `auto` stands for. Decided before the export is read, so a usage error costs nothing.

use std::path::{Path, PathBuf};

use clap::ValueEnum;

use super::style::Style;
use super::Report;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Diagnostics with source snippets, then a checklist.
    Human,
    /// One result per rule and target (format version 1, schemas/results.schema.json).
    Json,
    /// SARIF 2.1.0 for GitHub code scanning: one result per failure.
    Sarif,
    /// JUnit XML (Azure DevOps PublishTestResults@2): one test case per rule and target.
    Junit,
    /// GitHub Actions workflow commands (::error file=...::), then a summary line.
    Github,
    /// Azure Pipelines logging commands (##vso[task.logissue ...]), then a summary line.
    Azure,
    /// A Markdown summary for a pull-request comment or $GITHUB_STEP_SUMMARY.
    Markdown,
    /// github or azure on a non-terminal inside that CI, else human.
    Auto,
}

/// One `--format` occurrence: a format and, with `FORMAT=FILE`, its file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatSpec {
    pub format: Format,
    pub file: Option<PathBuf>,
}

/// `--format FORMAT[=FILE]`.
pub fn parse_format_spec(s: &str) -> Result<FormatSpec, String> {
    let (name, file) = match s.split_once('=') {
        Some((n, "")) => return Err(format!("`{n}=` needs a file name")),
        Some((n, f)) => (n, Some(PathBuf::from(f))),
        None => (s, None),
    };
    let format = Format::from_str(name, false).map_err(|_| {
        let names: Vec<String> = Format::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_string()))
            .collect();
        format!(
            "unknown format `{name}` (one of: {}; optionally FORMAT=FILE)",
            names.join(", ")
        )
    })?;
    Ok(FormatSpec { format, file })
}

/// One rendered format and where it goes (`None`: standard output).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Destination {
    /// Never `Auto`: resolved when the plan is made.
    pub format: Format,
    pub file: Option<PathBuf>,
}

/// The destinations of a run. With no `--format`, `auto`. `--output FILE` gives its file to
/// the one format named without `=FILE`. At most one format goes to standard output, and no
/// two to the same file. `stdout_tty` and `env` are passed in so tests can pin them.
pub fn plan(
    specs: &[FormatSpec],
    output: Option<&Path>,
    stdout_tty: bool,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<Destination>, String> {
    let auto = [FormatSpec {
        format: Format::Auto,
        file: None,
    }];
    let specs = if specs.is_empty() { &auto[..] } else { specs };
    let bare: Vec<&FormatSpec> = specs.iter().filter(|s| s.file.is_none()).collect();
    if let Some(out) = output {
        if bare.len() != 1 {
            return Err(format!(
                "--output {} applies to exactly one --format given without `=FILE`; {} given",
                out.display(),
                bare.len()
            ));
        }
    } else if bare.len() > 1 {
        let names: Vec<&str> = bare.iter().map(|s| name(s.format)).collect();
        return Err(format!(
            "{} formats would go to standard output ({}); only one can: give the others a file with FORMAT=FILE, for example --format {}",
            names.len(),
            names.join(", "),
            example(bare[1].format)
        ));
    }
    let mut out: Vec<Destination> = Vec::new();
    for s in specs {
        let file = s.file.clone().or_else(|| output.map(Path::to_path_buf));
        if let Some(f) = &file {
            if out.iter().any(|d| d.file.as_deref() == Some(f.as_path())) {
                return Err(format!(
                    "two formats would be written to {}; give each its own file",
                    f.display()
                ));
            }
        }
        let format = match s.format {
            // A file is read later, by a person: annotations only make sense in the CI log.
            Format::Auto if file.is_some() => Format::Human,
            Format::Auto => resolve_auto(stdout_tty, env),
            f => f,
        };
        out.push(Destination { format, file });
    }
    Ok(out)
}

/// `auto` on standard output: human on a terminal or outside CI; inside CI, `github` under
/// GitHub Actions (`GITHUB_ACTIONS=true`), `azure` under Azure Pipelines (`TF_BUILD=True`),
/// else human.
pub fn resolve_auto(stdout_tty: bool, env: &dyn Fn(&str) -> Option<String>) -> Format {
    let is = |k: &str, v: &str| env(k).is_some_and(|x| x.eq_ignore_ascii_case(v));
    let github = is("GITHUB_ACTIONS", "true");
    let azure = is("TF_BUILD", "true");
    let ci = github
        || azure
        || env("CI").is_some_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"));
    if stdout_tty || !ci {
        Format::Human
    } else if github {
        Format::Github
    } else if azure {
        Format::Azure
    } else {
        Format::Human
    }
}

/// The process environment, for [`plan`] and [`resolve_auto`].
pub fn process_env(key: &str) -> Option<String> {
    std::env::var(key).ok()
}

/// Renders one format. A human report written to a file has no colour.
/// [`render`] onto a writer; the JSON format is written as it is rendered, not held whole.
pub fn render_to(
    format: Format,
    report: &Report,
    style: &Style,
    to_file: bool,
    w: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        Format::Json => super::json::write(report, w),
        _ => w.write_all(render(format, report, style, to_file).as_bytes()),
    }
}

pub fn render(format: Format, report: &Report, style: &Style, to_file: bool) -> String {
    match format {
        Format::Human | Format::Auto => {
            let style = if to_file {
                Style {
                    color: false,
                    ..*style
                }
            } else {
                *style
            };
            super::human::render(report, &style)
        }
        Format::Json => super::json::render(report),
        Format::Sarif => super::sarif::render(report),
        Format::Junit => super::junit::render(report),
        Format::Github => super::annotations::github(report),
        Format::Azure => super::annotations::azure(report),
        Format::Markdown => super::markdown::render(report),
    }
}

/// `FORMAT=FILE` with a conventional file name, for messages.
fn example(f: Format) -> String {
    let file = match f {
        Format::Json => "results.json",
        Format::Sarif => "results.sarif",
        Format::Junit => "TEST-cmg-preflight.xml",
        Format::Markdown => "summary.md",
        Format::Github | Format::Azure => "annotations.txt",
        Format::Human | Format::Auto => "report.txt",
    };
    format!("{}={file}", name(f))
}

fn name(f: Format) -> &'static str {
    match f {
        Format::Human => "human",
        Format::Json => "json",
        Format::Sarif => "sarif",
        Format::Junit => "junit",
        Format::Github => "github",
        Format::Azure => "azure",
        Format::Markdown => "markdown",
        Format::Auto => "auto",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(format: Format, file: Option<&str>) -> FormatSpec {
        FormatSpec {
            format,
            file: file.map(PathBuf::from),
        }
    }

    fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| (*v).to_string())
        }
    }

    #[test]
    fn auto_picks_from_the_ci_and_the_terminal() {
        let gh = env_of(&[("CI", "true"), ("GITHUB_ACTIONS", "true")]);
        let az = env_of(&[("TF_BUILD", "True")]);
        let other_ci = env_of(&[("CI", "true")]);
        let none = env_of(&[]);
        let off = env_of(&[("CI", "false")]);
        assert_eq!(resolve_auto(false, &gh), Format::Github);
        assert_eq!(resolve_auto(true, &gh), Format::Human);
        assert_eq!(resolve_auto(false, &az), Format::Azure);
        assert_eq!(resolve_auto(true, &az), Format::Human);
        assert_eq!(resolve_auto(false, &other_ci), Format::Human);
        assert_eq!(resolve_auto(false, &none), Format::Human);
        assert_eq!(resolve_auto(false, &off), Format::Human);
    }

    #[test]
    fn default_is_auto_on_stdout() {
        let gh = env_of(&[("GITHUB_ACTIONS", "true")]);
        let d = plan(&[], None, false, &gh).expect("plan");
        assert_eq!(
            d,
            vec![Destination {
                format: Format::Github,
                file: None
            }]
        );
        // --output with no --format: auto to a file is the human report.
        let d = plan(&[], Some(Path::new("r.txt")), false, &gh).expect("plan");
        assert_eq!(d[0].format, Format::Human);
        assert_eq!(d[0].file.as_deref(), Some(Path::new("r.txt")));
    }

    #[test]
    fn formats_with_files_and_one_on_stdout() {
        let none = env_of(&[]);
        let d = plan(
            &[
                spec(Format::Human, None),
                spec(Format::Sarif, Some("r.sarif")),
                spec(Format::Junit, Some("TEST-r.xml")),
            ],
            None,
            true,
            &none,
        )
        .expect("plan");
        assert_eq!(d.len(), 3);
        assert_eq!(d[0].file, None);
        assert_eq!(d[1].file.as_deref(), Some(Path::new("r.sarif")));
        // --output goes to the one bare format.
        let d = plan(
            &[
                spec(Format::Json, None),
                spec(Format::Sarif, Some("r.sarif")),
            ],
            Some(Path::new("r.json")),
            true,
            &none,
        )
        .expect("plan");
        assert_eq!(d[0].file.as_deref(), Some(Path::new("r.json")));
    }

    #[test]
    fn usage_errors() {
        let none = env_of(&[]);
        let two_on_stdout = plan(
            &[spec(Format::Human, None), spec(Format::Json, None)],
            None,
            true,
            &none,
        );
        assert!(two_on_stdout
            .expect_err("two on stdout")
            .contains("standard output"));
        let output_ambiguous = plan(
            &[spec(Format::Human, None), spec(Format::Json, None)],
            Some(Path::new("x")),
            true,
            &none,
        );
        assert!(output_ambiguous
            .expect_err("ambiguous")
            .contains("exactly one"));
        let output_unused = plan(
            &[spec(Format::Json, Some("a.json"))],
            Some(Path::new("x")),
            true,
            &none,
        );
        assert!(output_unused.is_err());
        let same_file = plan(
            &[
                spec(Format::Json, Some("a")),
                spec(Format::Sarif, Some("a")),
            ],
            None,
            true,
            &none,
        );
        assert!(same_file.expect_err("same file").contains("two formats"));
    }
}
