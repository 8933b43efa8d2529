//! End-to-end tests of `cmg-preflight diff`: two folders, two git revisions of one folder, and
//! the errors (a bad revision, a path not in a revision, the wrong number of exports). The
//! binary runs from the repository root with relative paths, so outputs hold no machine paths
//! where it matters; the JSON output is validated against `schemas/diff.schema.json`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// Time-based rules are evaluated as of this date, so the outcomes do not age.
const NOW: &str = "2026-11-24";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The binary with a fixed environment: no CI variables, no GitHub link variables.
fn bin(cwd: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cmg-preflight"));
    c.current_dir(cwd)
        .env("COLUMNS", "100")
        .env("NO_COLOR", "1")
        .env_remove("CI")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_SERVER_URL")
        .env_remove("GITHUB_REPOSITORY")
        .env_remove("GITHUB_SHA")
        .env_remove("TF_BUILD");
    c
}

fn diff(cwd: &Path, args: &[&str]) -> Output {
    bin(cwd)
        .arg("diff")
        .args(args)
        .args(["--now", NOW])
        .output()
        .expect("run cmg-preflight")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("UTF-8 output")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
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
        "cmg-preflight-diff-test-{}-{n}-{tag}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    TempDir(dir)
}

/// A copy of examples/contoso in `dir`.
fn copy_example(dir: &Path) {
    std::fs::create_dir_all(dir).expect("folder");
    for f in std::fs::read_dir(root().join("examples/contoso"))
        .expect("examples/contoso")
        .flatten()
    {
        std::fs::copy(f.path(), dir.join(f.file_name())).expect("copy");
    }
}

/// Replaces `from` (exactly once) in a UTF-8 export file.
fn edit(file: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(file).expect("read");
    assert_eq!(
        text.matches(from).count(),
        1,
        "{from} in {}",
        file.display()
    );
    std::fs::write(file, text.replace(from, to)).expect("write");
}

/// The done-means edits: DEP-02 fixed (AdvertFlags without 0x80000, "Allow task sequence to
/// run for client on the Internet") and the CMG stopped (State 6).
fn fix_dep02_stop_cmg(dir: &Path) {
    edit(
        &dir.join("deployments.json"),
        "\"AdvertFlags\":  9306112,",
        "\"AdvertFlags\":  8781824,",
    );
    edit(&dir.join("cmg.json"), "\"State\":  0,", "\"State\":  6,");
}

fn json_of(o: &Output) -> Value {
    serde_json::from_str(&stdout(o)).expect("diff JSON")
}

/// `RULE kind id` of each item of a list.
fn keys(doc: &Value, list: &str) -> Vec<String> {
    doc[list]
        .as_array()
        .expect(list)
        .iter()
        .map(|i| {
            format!(
                "{} {} {}",
                i["rule"].as_str().unwrap_or_default(),
                i["target"]["kind"].as_str().unwrap_or_default(),
                i["target"]["id"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

fn schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("schemas/diff.schema.json"))
        .expect("schemas/diff.schema.json");
    let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(&schema)
        .expect("schema compiles")
}

fn assert_valid(doc: &Value) {
    let errors: Vec<String> = schema()
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{doc:#}");
}

/// A new export, relative to the repository root, made by `change` from the example.
fn new_export(tag: &str, change: fn(&Path)) -> (TempDir, String) {
    let t = temp_dir(tag);
    let dir = t.0.join("new");
    copy_example(&dir);
    change(&dir);
    let shown = dir.to_string_lossy().into_owned();
    (t, shown)
}

#[test]
fn done_means_one_fixed_one_new_failure_exit_1() {
    let (_t, new) = new_export("done", fix_dep02_stop_cmg);
    let human = diff(&root(), &["examples/contoso", &new]);
    let text = stdout(&human);
    assert_eq!(human.status.code(), Some(1), "{text}{}", stderr(&human));
    assert!(text.contains("1 new failure, 1 fixed, 0 changed"), "{text}");
    assert!(
        text.contains("CMG-02 cmg-not-running  site PS1  error  pass → fail  [fails the gate]"),
        "{text}"
    );
    assert!(
        text.contains("was at examples/contoso/deployments.json:12:25"),
        "{text}"
    );
    assert!(
        text.contains("gate: 1 new failure at or above error (--fail-on error): exit 1"),
        "{text}"
    );

    let out = diff(&root(), &["examples/contoso", &new, "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let doc = json_of(&out);
    assert_valid(&doc);
    assert_eq!(keys(&doc, "added"), ["CMG-02 site PS1"]);
    assert_eq!(keys(&doc, "fixed"), ["DEP-02 deployment PS120045"]);
    assert!(keys(&doc, "changed").is_empty());
    let added = &doc["added"][0];
    assert_eq!(added["gate"], true);
    assert_eq!(added["before"]["outcome"], "pass");
    assert_eq!(added["after"]["outcome"], "fail");
    assert_eq!(added["after"]["found"], "stopped (State 6)");
    assert_eq!(added["after"]["location"]["line"], 13);
    assert_eq!(added["after"]["location"]["column"], 19);
    let fixed = &doc["fixed"][0];
    assert_eq!(
        fixed["before"]["location"]["file"],
        "examples/contoso/deployments.json"
    );
    assert_eq!(fixed["before"]["location"]["line"], 12);
    assert_eq!(fixed["after"]["outcome"], "pass");
    assert_eq!(doc["gate"]["fails"], true);
    // Lines that moved or flags of other rules that still pass are no change.
    assert_eq!(doc["summary"]["unchanged"], 68);

    let never = diff(&root(), &["examples/contoso", &new, "--fail-on", "never"]);
    assert_eq!(never.status.code(), Some(0), "{}", stderr(&never));
    assert!(stdout(&never).contains("1 new failure, 1 fixed"));
}

#[test]
fn markdown_is_a_pull_request_comment_with_links() {
    let (_t, new) = new_export("md", fix_dep02_stop_cmg);
    let plain = diff(&root(), &["examples/contoso", &new, "--format", "markdown"]);
    let text = stdout(&plain);
    assert_eq!(plain.status.code(), Some(1));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "<!-- cmg-preflight diff -->");
    assert!(
        lines[1].starts_with(
            "**❌ 1 new failure, 1 fixed, 0 changed** (`cmg-preflight diff examples/contoso "
        ),
        "{text}"
    );
    assert!(text.contains("### New failures\n\n| Rule | Target | Severity | Message | Where |"));
    assert!(text
        .contains("| CMG-02 | site PS1 | ❌ **error** | No CMG is running: stopped (State 6) | `"));
    assert!(text.contains("| DEP-02 | deployment PS120045 | error | Deployment PS120045 does not allow the task sequence to run for clients on the internet: No (AdvertFlags 9306112 = 0x008E0000) | pass: Yes (AdvertFlags 8781824 = 0x00860000) | `examples/contoso/deployments.json:12` |"), "{text}");
    assert!(!text.contains("### Changed"));

    // In GitHub Actions, links to the lines at GITHUB_SHA.
    let linked = bin(&root())
        .args(["diff", "examples/contoso", "examples/contoso", "--now", NOW])
        .args(["--format", "markdown"])
        .output()
        .expect("run");
    assert!(stdout(&linked).contains("No finding was added, fixed or changed"));
    let (_t2, new_rel) = relative_copy("md-link");
    let linked = bin(&root())
        .args(["diff", "examples/contoso", &new_rel, "--now", NOW])
        .args(["--format", "markdown"])
        .env("GITHUB_SERVER_URL", "https://github.com")
        .env("GITHUB_REPOSITORY", "contoso/cm-exports")
        .env("GITHUB_SHA", "0123456789abcdef0123456789abcdef01234567")
        .output()
        .expect("run");
    let text = stdout(&linked);
    assert!(
        text.contains("[examples/contoso/deployments.json:12](https://github.com/contoso/cm-exports/blob/0123456789abcdef0123456789abcdef01234567/examples/contoso/deployments.json#L12)"),
        "{text}"
    );
    assert!(
        text.contains(&format!("[{}/cmg.json:13](https://github.com/contoso/cm-exports/blob/0123456789abcdef0123456789abcdef01234567/{}/cmg.json#L13)", md_esc(&new_rel), new_rel)),
        "{text}"
    );

    // --link-base wins, as a prefix or a template.
    let based = diff(
        &root(),
        &[
            "examples/contoso",
            &new_rel,
            "--format",
            "markdown",
            "--link-base",
            "https://dev.azure.com/contoso/cm/_git/exports?path=/{path}&line={line}",
        ],
    );
    assert!(
        stdout(&based).contains("(https://dev.azure.com/contoso/cm/_git/exports?path=/examples/contoso/deployments.json&line=12)"),
        "{}",
        stdout(&based)
    );
}

/// The markdown escaping of a path (`_` and the like), as the table shows it.
fn md_esc(s: &str) -> String {
    s.replace('_', "\\_")
}

/// A changed copy of the example in a folder below the repository root (for links, which need
/// a path relative to the repository), removed when dropped.
fn relative_copy(tag: &str) -> (TempDir, String) {
    let rel = format!("target/diff-test-{}-{tag}", std::process::id());
    let dir = root().join(&rel);
    let _ = std::fs::remove_dir_all(&dir);
    copy_example(&dir);
    fix_dep02_stop_cmg(&dir);
    (TempDir(dir), rel)
}

#[test]
fn identical_exports_add_nothing() {
    let out = diff(
        &root(),
        &["examples/contoso", "examples/contoso", "--format", "json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let doc = json_of(&out);
    assert_valid(&doc);
    for list in ["added", "fixed", "changed"] {
        assert!(keys(&doc, list).is_empty(), "{list}");
    }
    assert_eq!(doc["summary"]["unchanged"], doc["new"]["checks"]);
    let human = diff(&root(), &["examples/contoso", "examples/contoso"]);
    assert_eq!(human.status.code(), Some(0));
    assert!(stdout(&human).contains("0 new failures, 0 fixed, 0 changed"));
}

/// A failure that became unknown is changed, not fixed, and says so; passes that became
/// unknown fail the gate only with --strict.
#[test]
fn a_failure_that_became_unknown_is_not_fixed() {
    let (_t, new) = new_export("unknown", |d| {
        edit(
            &d.join("deployments.json"),
            "\"AdvertFlags\":  9306112,",
            "\"AdvertFlags\":  99999999999999999999999,",
        )
    });
    let out = diff(&root(), &["examples/contoso", &new, "--format", "json"]);
    let doc = json_of(&out);
    assert_valid(&doc);
    assert_eq!(out.status.code(), Some(0), "{doc:#}");
    assert!(keys(&doc, "fixed").is_empty(), "{doc:#}");
    assert!(keys(&doc, "added").is_empty(), "{doc:#}");
    let changed = doc["changed"].as_array().expect("changed");
    let dep02 = changed
        .iter()
        .find(|i| i["rule"] == "DEP-02")
        .expect("DEP-02 changed");
    assert_eq!(dep02["before"]["outcome"], "fail");
    assert_eq!(dep02["after"]["outcome"], "unknown");
    assert!(dep02["note"]
        .as_str()
        .unwrap_or_default()
        .starts_with("not fixed: this failure can no longer be checked"));
    assert_eq!(dep02["gate"], false);
    assert!(changed.iter().any(|i| i["rule"] == "DEP-01"
        && i["before"]["outcome"] == "pass"
        && i["after"]["outcome"] == "unknown"));

    let md = diff(&root(), &["examples/contoso", &new, "--format", "markdown"]);
    let text = stdout(&md);
    assert!(text.starts_with("<!-- cmg-preflight diff -->\n**✅ 0 new failures, 0 fixed,"));
    assert!(
        text.contains("| DEP-02 | deployment PS120045 | error | fail → unknown (⚠️ not fixed: this failure can no longer be checked"),
        "{text}"
    );

    let strict = diff(&root(), &["examples/contoso", &new, "--strict"]);
    assert_eq!(strict.status.code(), Some(1), "{}", stdout(&strict));
    assert!(stdout(&strict).contains("new failures or unknown results at or above error"));
}

/// The gate is check's: a waiver in the configuration turns the new failure into a waived
/// result, which fails nothing.
#[test]
fn waivers_and_levels_of_the_configuration_apply() {
    let (t, new) = new_export("waiver", fix_dep02_stop_cmg);
    let config = t.0.join("waivers.yaml");
    std::fs::write(
        &config,
        "waivers:\n  - rule: CMG-02\n    target: site:PS1\n    reason: stopped for the maintenance window\n    owner: jane.doe@contoso.com\n    expires: 2027-01-31\n",
    )
    .expect("config");
    let config = config.to_string_lossy().into_owned();
    let out = diff(
        &root(),
        &[
            "examples/contoso",
            &new,
            "--config",
            &config,
            "--format",
            "json",
        ],
    );
    let doc = json_of(&out);
    assert_valid(&doc);
    assert_eq!(out.status.code(), Some(0), "{doc:#}");
    assert!(keys(&doc, "added").is_empty());
    assert!(doc["changed"]
        .as_array()
        .expect("changed")
        .iter()
        .any(|i| i["rule"] == "CMG-02" && i["after"]["outcome"] == "waived"));

    // -W lowers CMG-02 to a warning: still new, but below the default threshold.
    let out = diff(&root(), &["examples/contoso", &new, "-W", "CMG-02"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let out = diff(
        &root(),
        &[
            "examples/contoso",
            &new,
            "-W",
            "CMG-02",
            "--fail-on",
            "warning",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
}

#[test]
fn formats_to_files_and_usage_errors() {
    let (t, new) = new_export("files", fix_dep02_stop_cmg);
    let md = t.0.join("comment.md");
    let js = t.0.join("diff.json");
    let out = diff(
        &root(),
        &[
            "examples/contoso",
            &new,
            "--format",
            &format!("markdown={}", md.display()),
            "--format",
            &format!("json={}", js.display()),
            "--format",
            "human",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(stdout(&out).contains("New failures (1)"));
    assert!(std::fs::read_to_string(&md)
        .expect("markdown written")
        .contains("### Fixed"));
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(&js).expect("json written")).expect("JSON");
    assert_valid(&doc);

    for (args, message) in [
        (
            vec!["examples/contoso"],
            "diff takes two exports, OLD and NEW (1 given)",
        ),
        (
            vec![
                "examples/contoso",
                "examples/contoso",
                "--format",
                "json",
                "--format",
                "human",
            ],
            "more than one --format goes to standard output",
        ),
        (
            vec!["examples/contoso", "examples/contoso", "--format", "sarif"],
            "`sarif` is no diff format",
        ),
        (vec!["examples/contoso", "no-such-folder"], "no-such-folder"),
        (vec!["--git", "HEAD", "examples/contoso"], "is not a range"),
    ] {
        let out = diff(&root(), &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
    }
}

// ---------------------------------------------------------------------------------------------
// --git

/// Whether git runs here; in CI (CI set) a missing git is a failure, elsewhere the test is
/// skipped with a message.
fn have_git() -> bool {
    let ok = Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        assert!(
            std::env::var_os("CI").is_none(),
            "git is not available, and CI is set: the --git tests must run"
        );
        eprintln!("git is not available: skipping the diff --git test");
    }
    ok
}

fn git(repo: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(repo)
        .args([
            "-c",
            "user.name=cmg-preflight tests",
            "-c",
            "user.email=tests@example.invalid",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("git");
    assert!(out.status.success(), "git {args:?}: {}", stderr(&out));
}

/// A repository with the example at `exports/contoso` in one commit, and the done-means edits
/// in a second; the working tree is left at the first state, so only git can show the second.
fn two_commits(tag: &str) -> TempDir {
    let t = temp_dir(tag);
    let repo = &t.0;
    git(repo, &["init", "-q"]);
    copy_example(&repo.join("exports/contoso"));
    std::fs::write(repo.join("exports/contoso/.hidden.json"), "not read").expect("hidden");
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "the example"]);
    fix_dep02_stop_cmg(&repo.join("exports/contoso"));
    git(
        repo,
        &["commit", "-q", "-a", "-m", "DEP-02 fixed, the CMG stopped"],
    );
    git(repo, &["checkout", "-q", "HEAD~1", "--", "."]);
    t
}

#[test]
fn git_revisions_of_one_folder() {
    if !have_git() {
        return;
    }
    let t = two_commits("git");
    let repo = &t.0;
    let out = diff(
        repo,
        &[
            "--git",
            "HEAD~1..HEAD",
            "exports/contoso",
            "--format",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let doc = json_of(&out);
    assert_valid(&doc);
    assert_eq!(keys(&doc, "added"), ["CMG-02 site PS1"]);
    assert_eq!(keys(&doc, "fixed"), ["DEP-02 deployment PS120045"]);
    assert!(keys(&doc, "changed").is_empty());
    // The files show with their path in the repository, never a temporary folder.
    assert_eq!(
        doc["added"][0]["after"]["location"]["file"],
        "exports/contoso/cmg.json"
    );
    assert_eq!(
        doc["fixed"][0]["before"]["location"]["file"],
        "exports/contoso/deployments.json"
    );
    assert_eq!(doc["old"]["revision"], "HEAD~1");
    assert_eq!(doc["new"]["paths"][0], "exports/contoso");
    let new_commit = doc["new"]["commit"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let old_commit = doc["old"]["commit"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(new_commit.len(), 40);

    // From a subfolder, with the merge-base form, links to each side's commit.
    let out = bin(&repo.join("exports"))
        .args(["diff", "--git", "HEAD~1...", "contoso", "--now", NOW])
        .args(["--format", "markdown"])
        .env("GITHUB_SERVER_URL", "https://github.com")
        .env("GITHUB_REPOSITORY", "contoso/cm-exports")
        .env("GITHUB_SHA", "ffffffffffffffffffffffffffffffffffffffff")
        .output()
        .expect("run");
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    assert!(
        text.contains("(`cmg-preflight diff --git HEAD~1...HEAD contoso`)"),
        "{text}"
    );
    assert!(
        text.contains(&format!("[exports/contoso/cmg.json:13](https://github.com/contoso/cm-exports/blob/{new_commit}/exports/contoso/cmg.json#L13)")),
        "{text}"
    );
    assert!(
        text.contains(&format!("[exports/contoso/deployments.json:12](https://github.com/contoso/cm-exports/blob/{old_commit}/exports/contoso/deployments.json#L12)")),
        "{text}"
    );

    // The same revision twice: nothing added.
    let same = diff(repo, &["--git", "HEAD..HEAD", "exports/contoso"]);
    assert_eq!(same.status.code(), Some(0), "{}", stderr(&same));
}

#[test]
fn git_errors_exit_2_with_a_message() {
    if !have_git() {
        return;
    }
    let t = two_commits("git-errors");
    let repo = &t.0;
    for (args, message) in [
        (
            vec!["--git", "no-such-branch..HEAD", "exports/contoso"],
            "`no-such-branch` is not a commit in this repository",
        ),
        (
            vec!["--git", "HEAD~1..-x", "exports/contoso"],
            "`-x` is not a commit",
        ),
        (
            vec!["--git", "HEAD~1..HEAD", "exports/other"],
            "`exports/other` is not in HEAD~1",
        ),
        (
            vec!["--git", "HEAD~1..HEAD", "../outside"],
            "the path is outside the repository",
        ),
    ] {
        let out = diff(repo, &args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(message), "{args:?}: {}", stderr(&out));
    }

    // A revision where the folder holds no ConfigMgr object: the error names REV:path.
    std::fs::create_dir_all(repo.join("exports/empty")).expect("folder");
    std::fs::write(repo.join("exports/empty/x.json"), "{\"a\": 1}").expect("file");
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "not an export"]);
    let out = diff(repo, &["--git", "HEAD..HEAD", "exports/empty"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("HEAD:exports/empty"),
        "{}",
        stderr(&out)
    );
    assert!(
        !stderr(&out).contains("cmg-preflight-diff-"),
        "{}",
        stderr(&out)
    );

    // Outside any repository.
    let outside = temp_dir("no-repo");
    let out = diff(&outside.0, &["--git", "HEAD~1..HEAD", "."]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no git working tree"),
        "{}",
        stderr(&out)
    );
}
