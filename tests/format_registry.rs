//! A format is one file: this test defines a made-up format here, and only here, and uses it
//! through the same registry, `--format` parser, output plan and renderer call as the built-in
//! ones. It also checks that the README's table of formats is the registry's.

use std::path::{Path, PathBuf};

use cmg_preflight::report::label::Label;
use cmg_preflight::report::output::{self, parse_format_spec_in, Choice};
use cmg_preflight::report::registry::{Format, Formats};
use cmg_preflight::report::style::Style;
use cmg_preflight::report::Report;

mod common;

/// Tab-separated: rule, target, outcome label.
static TSV: Format = Format {
    name: "tsv",
    help: "Tab-separated rule, target and outcome",
    about: "one line per rule and target",
    extension: "tsv",
    file_name: "results.tsv",
    evidence: false,
    render: |r, _, out| {
        for f in r.findings {
            writeln!(
                out,
                "{}\t{} {}\t{}",
                r.rules[f.rule].id,
                f.target.kind,
                f.target.id,
                Label::of(f).key()
            )?;
        }
        Ok(())
    },
};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn a_made_up_format_works_through_the_registry() {
    let formats = Formats::builtin().with(&TSV);
    assert!(formats.names().contains("tsv"));
    assert!(formats.long_help().contains("Tab-separated"));
    assert!(formats.readme_table().contains("| `tsv` |"));

    let spec = parse_format_spec_in(&formats, "tsv=out.tsv").expect("tsv parses");
    assert_eq!(spec.format, Choice::Named(&TSV));
    assert_eq!(spec.file.as_deref(), Some(Path::new("out.tsv")));
    // The built-in set does not know it, and says which formats it does know.
    let err = parse_format_spec_in(&Formats::builtin(), "tsv").expect_err("unknown");
    assert!(
        err.contains("unknown format `tsv`") && err.contains("json"),
        "{err}"
    );

    let plan = output::plan(&[spec], None, false, &|_| None).expect("plan");
    assert_eq!(plan[0].format, &TSV);

    // Rendered from a real run on the example.
    let a = common::analyse_example(&[]);
    let report = Report::new(
        &a.rules,
        &a.findings,
        &a.export.sources,
        &a.export.notes,
        false,
        Vec::new(),
    );
    let mut text = Vec::new();
    output::render(plan[0].format, &report, &Style::plain(100), true, &mut text).expect("render");
    let text = String::from_utf8(text).expect("utf-8");
    assert_eq!(text.lines().count(), a.findings.len());
    assert!(
        text.lines()
            .any(|l| l.starts_with("DEP-02\tdeployment ") && l.ends_with("\terror")),
        "{text}"
    );
}

#[test]
fn the_readme_table_is_the_registry() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let table = Formats::builtin().readme_table();
    assert!(
        readme.contains(&table),
        "README.md's table of output formats differs from the registry (src/report/registry.rs); it should read:\n\n{table}"
    );
}
