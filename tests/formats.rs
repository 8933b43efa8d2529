//! End-to-end tests of the output formats: every format on the shipped example, on the clean
//! export in `testdata/good/`, and on a partial export (no CMG file, no media plan: unknown
//! outcomes), compared to the expected files under `testdata/report/`. The binary runs with
//! relative paths from the repository root (the partial export from a temporary folder), so
//! the expected files hold no machine-specific paths.
//!
//! `BLESS=1 cargo test --test formats` rewrites the expected files; without it a missing or
//! different expected file fails.
//!
//! Also here: several formats in one run, `--output`, `auto`, the usage errors, the JSON
//! output against `schemas/results.schema.json`, and SARIF fingerprints that survive moved
//! lines.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const FORMATS: &[(&str, &str)] = &[
    ("human", "txt"),
    ("json", "json"),
    ("sarif", "sarif"),
    ("junit", "junit.xml"),
    ("github", "github.txt"),
    ("azure", "azure.txt"),
    ("markdown", "md"),
    ("html", "html"),
];

/// Time-based rules (media age, certificate validity, deployment window) are evaluated as of
/// this date, so the expected files do not age.
const NOW: &str = "2026-11-24";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The binary with a fixed environment: no CI variables, no colour, a fixed width.
fn bin(cwd: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cmg-preflight"));
    c.current_dir(cwd)
        .env("COLUMNS", "100")
        .env("TERM", "xterm")
        .env_remove("NO_COLOR")
        .env_remove("CI")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("TF_BUILD");
    c
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("run cmg-preflight")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("UTF-8 output")
}

/// A scenario: where to run, and the arguments before `--format`.
struct Scenario {
    name: &'static str,
    cwd: PathBuf,
    args: Vec<&'static str>,
    exit: i32,
    _tmp: Option<TempDir>,
}

struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A fresh folder per call (tests run in parallel threads of one process).
fn temp_dir(tag: &str) -> TempDir {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!(
        "cmg-preflight-formats-{}-{n}-{tag}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("mkdir");
    TempDir(dir)
}

fn copy_dir(from: &Path, to: &Path, skip: &[&str]) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir").flatten() {
        let name = entry.file_name();
        if skip.iter().any(|s| name == *s) {
            continue;
        }
        std::fs::copy(entry.path(), to.join(&name)).expect("copy");
    }
}

fn contoso() -> Scenario {
    Scenario {
        name: "contoso",
        cwd: root(),
        args: vec![
            "check",
            "examples/contoso",
            "--media",
            "examples/contoso/media.yaml",
            "--now",
            NOW,
        ],
        exit: 1,
        _tmp: None,
    }
}

fn good() -> Scenario {
    Scenario {
        name: "good",
        cwd: root(),
        args: vec!["check", "testdata/good", "--now", NOW],
        exit: 0,
        _tmp: None,
    }
}

/// testdata/good without cmg.json and without a media plan: the CMG and media rules are
/// unknown (exit 0: unknown is not a failure without --strict).
fn partial() -> Scenario {
    let tmp = temp_dir("partial");
    copy_dir(
        &root().join("testdata/good"),
        &tmp.0.join("partial"),
        &["cmg.json", "media.yaml"],
    );
    Scenario {
        name: "partial",
        cwd: tmp.0.clone(),
        args: vec!["check", "partial", "--now", NOW],
        exit: 0,
        _tmp: Some(tmp),
    }
}

/// The example with a configuration that waives DEP-02 (active), CNT-01 for PS100022 (expiring
/// within 14 days) and MP-01 (matching nothing): waived outcomes, SARIF suppressions, waiver findings.
fn waived() -> Scenario {
    let tmp = temp_dir("waived");
    let dir = tmp.0.join("waived");
    copy_dir(&root().join("examples/contoso"), &dir, &[]);
    let config = "waivers:
  - rule: DEP-02
    target: deployment:PS120045
    reason: Internet option is switched on by change CHG-1042 on 1 December
    owner: jane.doe@contoso.com
    expires: 2027-01-31
  - rule: CNT-01
    target: content:PS100022
    reason: Driver package not used by the remote models
    owner: sam.lee@contoso.com
    expires: 2026-12-01
  - rule: MP-01
    target: site:PS1
    reason: MP02 is being rebuilt
    owner: sam.lee@contoso.com
    expires: 2027-01-31
";
    std::fs::write(dir.join(".cmg-preflight.yaml"), config).expect("write config");
    Scenario {
        name: "waived",
        cwd: tmp.0.clone(),
        args: vec![
            "check",
            "waived",
            "--media",
            "waived/media.yaml",
            "--now",
            NOW,
        ],
        exit: 1,
        _tmp: Some(tmp),
    }
}

/// Compares with `testdata/report/NAME`, or writes it with BLESS=1.
fn expect_file(name: &str, got: &str) -> Result<(), String> {
    let path = root().join("testdata/report").join(name);
    if std::env::var_os("BLESS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(&path, got).expect("write expected file");
        return Ok(());
    }
    let want = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "{name}: cannot read the expected file ({e}); run `BLESS=1 cargo test --test formats` to create it"
        )
    })?;
    if want == got {
        return Ok(());
    }
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    let at = w
        .iter()
        .zip(&g)
        .position(|(a, b)| a != b)
        .unwrap_or(w.len().min(g.len()));
    Err(format!(
        "{name} differs from the output at line {} (expected {} lines, got {}):\n  expected: {}\n  got:      {}\n(if the change is intended: BLESS=1 cargo test --test formats)",
        at + 1,
        w.len(),
        g.len(),
        w.get(at).unwrap_or(&"<end of file>"),
        g.get(at).unwrap_or(&"<end of output>")
    ))
}

fn check_scenario(s: &Scenario) -> Vec<String> {
    let mut problems = Vec::new();
    for (format, ext) in FORMATS {
        let o = run(bin(&s.cwd)
            .args(&s.args)
            .args(["--format", format, "--color", "never"]));
        let code = o.status.code().unwrap_or(-1);
        if code != s.exit {
            problems.push(format!(
                "{} --format {format}: exit {code}, expected {}; stderr: {}",
                s.name,
                s.exit,
                String::from_utf8_lossy(&o.stderr)
            ));
            continue;
        }
        if let Err(e) = expect_file(&format!("{}.{ext}", s.name), &stdout(&o)) {
            problems.push(e);
        }
    }
    problems
}

#[test]
fn every_format_matches_its_expected_file() {
    let mut problems = Vec::new();
    for s in [contoso(), good(), partial(), waived()] {
        problems.extend(check_scenario(&s));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

#[test]
fn several_formats_in_one_run() {
    let tmp = temp_dir("multi");
    let s = contoso();
    let file = |n: &str| tmp.0.join(n).to_string_lossy().into_owned();
    let o = run(bin(&s.cwd).args(&s.args).args([
        "--color",
        "never",
        "--format",
        "human",
        "--format",
        &format!("sarif={}", file("results.sarif")),
        "--format",
        &format!("junit={}", file("TEST-cmg-preflight.xml")),
        "--format",
        &format!("json={}", file("results.json")),
        "--format",
        &format!("markdown={}", file("summary.md")),
    ]));
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let mut problems = Vec::new();
    let mut check = |name: &str, got: String| {
        if let Err(e) = expect_file(name, &got) {
            problems.push(e);
        }
    };
    check("contoso.txt", stdout(&o));
    let read = |n: &str| std::fs::read_to_string(tmp.0.join(n)).expect("written file");
    check("contoso.sarif", read("results.sarif"));
    check("contoso.junit.xml", read("TEST-cmg-preflight.xml"));
    check("contoso.json", read("results.json"));
    check("contoso.md", read("summary.md"));
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
    // Atomic writes leave no temporary files behind.
    let mut names: Vec<String> = std::fs::read_dir(&tmp.0)
        .expect("read dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "TEST-cmg-preflight.xml",
            "results.json",
            "results.sarif",
            "summary.md"
        ]
    );
}

#[test]
fn output_applies_to_the_one_bare_format() {
    let tmp = temp_dir("output");
    let s = contoso();
    let target = tmp.0.join("out.sarif");
    let o = run(bin(&s.cwd).args(&s.args).args([
        "--format",
        "sarif",
        "--output",
        target.to_str().expect("utf-8 path"),
    ]));
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty(), "nothing on stdout with --output");
    let got = std::fs::read_to_string(&target).expect("written");
    if let Err(e) = expect_file("contoso.sarif", &got) {
        panic!("{e}");
    }
}

#[test]
fn usage_errors_exit_2() {
    let s = contoso();
    let cases: &[(&[&str], &str)] = &[
        (
            &["--format", "human", "--format", "json"],
            "standard output",
        ),
        (&["--format", "yaml"], "unknown format `yaml`"),
        (&["--format", "sarif="], "needs a file name"),
        (
            &[
                "--format", "human", "--format", "json", "--output", "x.json",
            ],
            "exactly one",
        ),
        (
            &["--format", "json=a.out", "--format", "sarif=a.out"],
            "two formats",
        ),
    ];
    for (args, message) in cases {
        let o = run(bin(&s.cwd).args(&s.args).args(*args));
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(message),
            "{args:?}: stderr lacks `{message}`: {err}"
        );
        assert!(o.stdout.is_empty(), "{args:?}: no report on a usage error");
    }
    assert!(!root().join("a.out").exists() && !root().join("x.json").exists());
}

#[test]
fn auto_follows_the_ci() {
    let s = contoso();
    let cases: &[(&[(&str, &str)], &str)] = &[
        (
            &[("CI", "true"), ("GITHUB_ACTIONS", "true")],
            "contoso.github.txt",
        ),
        (&[("TF_BUILD", "True")], "contoso.azure.txt"),
        (&[("CI", "true")], "contoso.txt"),
        (&[], "contoso.txt"),
    ];
    for (env, expected) in cases {
        for explicit in [false, true] {
            let mut cmd = bin(&s.cwd);
            cmd.args(&s.args).args(["--color", "never"]);
            if explicit {
                cmd.args(["--format", "auto"]);
            }
            for (k, v) in *env {
                cmd.env(k, v);
            }
            let o = run(&mut cmd);
            assert_eq!(o.status.code(), Some(1));
            if let Err(e) = expect_file(expected, &stdout(&o)) {
                panic!("auto with {env:?}: {e}");
            }
        }
    }
}

fn results_schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("schemas/results.schema.json"))
        .expect("schemas/results.schema.json");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(&schema)
        .expect("schema compiles")
}

fn json_output(s: &Scenario) -> serde_json::Value {
    let o = run(bin(&s.cwd).args(&s.args).args(["--format", "json"]));
    assert_eq!(o.status.code(), Some(s.exit), "{}", s.name);
    serde_json::from_slice(&o.stdout).expect("JSON output")
}

#[test]
fn json_output_validates_against_the_schema() {
    let schema = results_schema();
    for s in [contoso(), good(), partial(), waived()] {
        let doc = json_output(&s);
        let errors: Vec<String> = schema
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {}", s.name, errors.join("\n"));
    }
    // The schema is strict: an unknown outcome, a missing remediation on a failure, or an
    // extra key is rejected.
    let doc = json_output(&contoso());
    let fail = doc["results"]
        .as_array()
        .and_then(|r| r.iter().position(|x| x["outcome"] == "fail"))
        .expect("a failure");
    for edit in [
        |d: &mut serde_json::Value, i: usize| d["results"][i]["outcome"] = "broken".into(),
        |d: &mut serde_json::Value, i: usize| {
            d["results"][i]
                .as_object_mut()
                .map(|o| o.remove("remediation"));
        },
        |d: &mut serde_json::Value, i: usize| d["results"][i]["extra"] = 1.into(),
    ] {
        let mut bad = doc.clone();
        edit(&mut bad, fail);
        assert!(
            !schema.is_valid(&bad),
            "the schema accepted {}",
            bad["results"][fail]
        );
    }
}

#[test]
fn sarif_results_and_fingerprints() {
    let sarif = |s: &Scenario| -> serde_json::Value {
        let o = run(bin(&s.cwd).args(&s.args).args(["--format", "sarif"]));
        serde_json::from_slice(&o.stdout).expect("SARIF is JSON")
    };
    let doc = sarif(&contoso());
    assert_eq!(doc["version"], "2.1.0");
    let run0 = &doc["runs"][0];
    let rules = run0["tool"]["driver"]["rules"].as_array().expect("rules");
    let results = run0["results"].as_array().expect("results");
    let json = json_output(&contoso());
    let fails = json["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|r| r["outcome"] == "fail")
        .count();
    assert_eq!(results.len(), fails, "one SARIF result per failure");
    for r in results {
        let i = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[i]["id"], r["ruleId"]);
        let locs = r["locations"].as_array().expect("locations");
        assert_eq!(locs.len(), 1);
        let p = &locs[0]["physicalLocation"];
        assert_eq!(p["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        let uri = p["artifactLocation"]["uri"].as_str().expect("uri");
        assert!(uri.starts_with("examples/contoso/"), "{uri}");
        assert!(p["region"]["startLine"].as_u64().is_some_and(|l| l >= 1));
        assert!(p["region"]["startColumn"].as_u64().is_some_and(|c| c >= 1));
        assert!(r["partialFingerprints"]["cmgPreflight/v1"].is_string());
    }
    for rule in rules {
        for key in ["shortDescription", "fullDescription", "help"] {
            assert!(
                rule[key]["text"].as_str().is_some_and(|t| !t.is_empty()),
                "{} lacks {key}",
                rule["id"]
            );
        }
        assert!(rule["help"]["markdown"].is_string());
    }
    // Clean: an empty results array, not a missing one.
    let clean = sarif(&good());
    assert_eq!(clean["runs"][0]["results"], serde_json::json!([]));

    // Moving every line down keeps each fingerprint and changes each start line (files that
    // are not UTF-8, like the example's UTF-16 one, stay as they are).
    let tmp = temp_dir("moved");
    let dir = tmp.0.join("examples/contoso");
    copy_dir(&root().join("examples/contoso"), &dir, &[]);
    let mut moved_files = Vec::new();
    for entry in std::fs::read_dir(&dir).expect("dir").flatten() {
        let p = entry.path();
        if p.extension().is_none_or(|e| e != "json") {
            continue;
        }
        if let Ok(text) = std::fs::read_to_string(&p) {
            let (bom, body) = match text.strip_prefix('\u{feff}') {
                Some(rest) => ("\u{feff}", rest),
                None => ("", text.as_str()),
            };
            std::fs::write(&p, format!("{bom}\n\n{body}")).expect("write");
            moved_files.push(format!(
                "examples/contoso/{}",
                entry.file_name().to_string_lossy()
            ));
        }
    }
    let mut moved = contoso();
    moved.cwd = tmp.0.clone();
    let moved = sarif(&moved);
    let key = |r: &serde_json::Value| {
        let p = &r["locations"][0]["physicalLocation"];
        (
            r["partialFingerprints"]["cmgPreflight/v1"].clone(),
            p["artifactLocation"]["uri"]
                .as_str()
                .unwrap_or("")
                .to_string(),
            p["region"]["startLine"].as_u64().unwrap_or(0),
        )
    };
    let before: Vec<_> = results.iter().map(key).collect();
    let after: Vec<_> = moved["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(key)
        .collect();
    assert_eq!(before.len(), after.len());
    assert!(!moved_files.is_empty());
    for ((fa, uri, la), (fb, _, lb)) in before.iter().zip(&after) {
        assert_eq!(fa, fb, "fingerprint changed when lines moved");
        let shift = if moved_files.contains(uri) { 2 } else { 0 };
        assert_eq!(*lb, la + shift, "{uri}: line {la} became {lb}");
    }
}

#[test]
fn junit_has_one_case_per_result() {
    for s in [contoso(), partial(), waived()] {
        let o = run(bin(&s.cwd).args(&s.args).args(["--format", "junit"]));
        let xml = stdout(&o);
        let json = json_output(&s);
        let results = json["results"].as_array().expect("results");
        let count = |outcome: &str| results.iter().filter(|r| r["outcome"] == outcome).count();
        assert_eq!(
            xml.matches("<testcase ").count(),
            results.len(),
            "{}",
            s.name
        );
        assert_eq!(
            xml.matches("<failure ").count(),
            count("fail"),
            "{}",
            s.name
        );
        assert_eq!(
            xml.matches("<skipped ").count(),
            count("unknown") + count("not_applicable") + count("manual") + count("waived"),
            "{}",
            s.name
        );
    }
}

/// The SARIF output against the official SARIF 2.1.0 schema, when `SARIF_SCHEMA` names a copy
/// of it (`.ci/run` passes the one that ships with Microsoft's SARIF multitool; the multitool's
/// own `validate` checks GitHub's rules but not every enum of the schema).
#[test]
fn sarif_matches_the_official_schema() {
    let Some(path) = std::env::var_os("SARIF_SCHEMA") else {
        eprintln!("SARIF_SCHEMA is not set: not checking against the SARIF 2.1.0 schema");
        return;
    };
    let text = std::fs::read_to_string(&path).expect("read SARIF_SCHEMA");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("schema is JSON");
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(&schema)
        .expect("SARIF schema compiles");
    for s in [contoso(), good(), partial(), waived()] {
        let o = run(bin(&s.cwd).args(&s.args).args(["--format", "sarif"]));
        let doc: serde_json::Value = serde_json::from_slice(&o.stdout).expect("SARIF is JSON");
        let errors: Vec<String> = validator
            .iter_errors(&doc)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(errors.is_empty(), "{}: {}", s.name, errors.join("\n"));
    }
    // Not vacuous: a wrong level is caught.
    let mut bad: serde_json::Value = serde_json::from_slice(
        &run(bin(&root())
            .args(&contoso().args)
            .args(["--format", "sarif"]))
        .stdout,
    )
    .expect("SARIF");
    bad["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&bad));
}
