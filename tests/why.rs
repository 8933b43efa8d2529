//! `check --why RULE[:TARGET]` and the JSON `evidence`: the chain of facts that decided a
//! finding, each at its place in the example export, down to the content status row.

use std::path::PathBuf;
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn check(extra: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cmg-preflight"))
        .current_dir(root())
        .args([
            "check",
            "examples/contoso",
            "--media",
            "examples/contoso/media.yaml",
            "--now",
            "2026-11-24",
            "--no-config",
            "--color",
            "never",
        ])
        .args(extra)
        .output()
        .expect("run cmg-preflight")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Each line in order (not necessarily adjacent).
fn in_order(text: &str, lines: &[&str]) {
    let mut rest = text;
    for l in lines {
        match rest.find(l) {
            Some(i) => rest = &rest[i + l.len()..],
            None => panic!("`{l}` missing (or out of order) in:\n{text}"),
        }
    }
}

#[test]
fn why_cs02_names_the_collection_the_winning_setting_and_its_deployment() {
    let o = check(&["--why", "CS-02"]);
    assert_eq!(o.status.code(), Some(1), "the gate's exit code is kept");
    let out = stdout(&o);
    in_order(
        &out,
        &[
            "CS-02 cmg-use-disabled · deployment PS120045 · fail",
            "deployment.collection_id",
            "PS100045",
            "examples/contoso/deployments.json:9:26",
            "deployment.task_sequence.id",
            "PS100123",
            "deployment.client_settings.source",
            "Remote reimage devices",
            "✗ deployment.client_settings.allow_cmg",
            "tested: \"Enable clients to use a cloud management gateway\" = Yes (did not hold)",
            "examples/contoso/client-settings.json:38:36",
            "│ \"AllowCMG\":  0,",
            "client setting `Remote reimage devices` (priority 1) decides Cloud Services for collection PS100045",
            "`Remote reimage devices` is deployed to collection PS100045 here",
            "examples/contoso/client-setting-deployments.json:6:26",
            "Outcome: ❌ fail",
        ],
    );
    // Only the chosen rule, and the summary line closes it.
    assert!(!out.contains("DEP-02"), "{out}");
    assert!(out.trim_end().ends_with("manual"), "{out}");
}

#[test]
fn why_cnt01_goes_down_to_the_content_status_row() {
    let o = check(&["--why", "cnt-01:PS100022", "--ascii"]);
    let out = stdout(&o);
    in_order(
        &out,
        &[
            "CNT-01 content-not-on-cmg · content PS100022 · fail",
            "deployment.id",
            "PS120045",
            "deployment.task_sequence.id",
            "content.id",
            "PS100022",
            "examples/contoso/task-sequences.json:38:44",
            "x content.on_cmg",
            "did not hold",
            "-> content status row for DP01.contoso.com: not a CMG or cloud DP",
            "examples/contoso/content-status.json:50:27",
            "Outcome: fail",
        ],
    );
    assert_eq!(out.matches("CNT-01 content-not-on-cmg").count(), 1, "{out}");
    // A pass explains itself too: the row on the CMG.
    let pass = stdout(&check(&["--why", "CNT-01:PS100005"]));
    in_order(
        &pass,
        &[
            "· pass",
            "✓ content.on_cmg",
            "content status row for the CMG contosocmg.eastus.cloudapp.azure.com",
            "examples/contoso/content-status.json:",
        ],
    );
}

#[test]
fn json_evidence_carries_the_chain_with_places() {
    let o = check(&["--format", "json"]);
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let results = doc["results"].as_array().expect("results");
    let cs02 = results
        .iter()
        .find(|r| r["rule"] == "CS-02")
        .expect("CS-02 result");
    let ev = cs02["evidence"].as_array().expect("evidence");
    let role = |name: &str| {
        ev.iter()
            .find(|l| l["role"] == name)
            .unwrap_or_else(|| panic!("no {name} in {ev:?}"))
    };
    let coll = role("deployment.collection_id");
    assert_eq!(coll["value"], "PS100045");
    assert_eq!(coll["file"], "examples/contoso/deployments.json");
    assert_eq!(
        (coll["line"].as_u64(), coll["column"].as_u64()),
        (Some(9), Some(26))
    );
    let tested = role("deployment.client_settings.allow_cmg");
    assert_eq!(tested["held"], false);
    assert_eq!(
        (tested["line"].as_u64(), tested["column"].as_u64()),
        (Some(38), Some(36))
    );
    // A plain JSON run keeps the chains of what needs attention; passes have none.
    let pass_has = |doc: &serde_json::Value| {
        doc["results"]
            .as_array()
            .expect("results")
            .iter()
            .find(|r| r["rule"] == "CNT-01" && r["outcome"] == "pass")
            .and_then(|r| r["evidence"].as_array().cloned())
    };
    assert_eq!(pass_has(&doc), None);
    // With --why, every result keeps its chain, passes included, in the JSON file too.
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("r.json");
    let o = check(&[
        "--why",
        "CNT-01",
        "--format",
        &format!("json={}", file.display()),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let doc: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&file).expect("r.json")).expect("json");
    let ev = pass_has(&doc).expect("a pass with evidence under --why");
    assert!(ev.iter().any(|l| l["value"]
        .as_str()
        .is_some_and(|v| v.starts_with("content status row for the CMG"))
        && l["file"] == "examples/contoso/content-status.json"));
}

#[test]
fn sarif_related_locations_follow_the_chain() {
    let o = check(&["--format", "sarif"]);
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).expect("sarif");
    let results = doc["runs"][0]["results"].as_array().expect("results");
    let cnt = results
        .iter()
        .find(|r| r["ruleId"] == "CNT-01")
        .expect("CNT-01 result");
    let texts: Vec<&str> = cnt["relatedLocations"]
        .as_array()
        .expect("related")
        .iter()
        .filter_map(|l| l["message"]["text"].as_str())
        .collect();
    assert!(
        texts
            .iter()
            .any(|t| t.starts_with("content status row for DP01.contoso.com")),
        "{texts:?}"
    );
}

#[test]
fn why_usage_errors_exit_2() {
    for (args, says) in [
        (&["--why", "NOPE-1"][..], "no rule NOPE-1"),
        (&["--why", "CS-02:PS999999"][..], "has no target PS999999"),
        (&["--why", "CS-02", "--format", "json"][..], "would go too"),
    ] {
        let o = check(args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
    }
}

#[test]
fn the_readme_shows_the_current_why_output() {
    let out = stdout(&check(&["--why", "CS-02"]));
    let shown = out.split("\n\n70 checks").next().unwrap_or_default();
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    assert!(
        readme.contains(&format!("```text\n{shown}\n```")),
        "README.md's `--why CS-02` example differs from the output; it should read:\n{shown}"
    );
}
