//! A family missing from the export makes the rules that read it unknown, never pass or fail:
//! the known-good export is run once with each family file removed in turn, and every result
//! that differs from the full run must be `unknown` (or `not_applicable` when the rule's
//! scope is gone with the family, which the run then says). Before this test, CS-05 failed
//! when the client settings were not exported, and naming a deployment in the media plan
//! was a command-line error when the deployments were not exported.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// rule and target -> outcome, from a `--format json` run.
fn results(dir: &Path) -> BTreeMap<String, String> {
    let out = Command::new(env!("CARGO_BIN_EXE_cmg-preflight"))
        .args(["check", &dir.to_string_lossy(), "--media"])
        .arg(dir.join("media.yaml"))
        .args(["--now", "2026-11-24", "--no-config", "--format", "json"])
        .output()
        .expect("run cmg-preflight");
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{}: not JSON ({e}): {}",
            dir.display(),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    doc["results"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            (
                format!(
                    "{} {}:{}",
                    r["rule"].as_str().unwrap_or("?"),
                    r["target"]["kind"].as_str().unwrap_or("?"),
                    r["target"]["id"].as_str().unwrap_or("?")
                ),
                r["outcome"].as_str().unwrap_or("?").to_string(),
            )
        })
        .collect()
}

#[test]
fn a_missing_family_never_decides_a_rule() {
    let good = root().join("testdata/good");
    let full = results(&good);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&good)
        .expect("testdata/good")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .filter(|p| p.file_name().is_some_and(|n| n != "manifest.json"))
        .collect();
    files.sort();
    assert!(files.len() >= 15, "only {} family files", files.len());
    let dir = std::env::temp_dir().join(format!("cmg-preflight-families-{}", std::process::id()));
    let mut problems = Vec::new();
    for removed in &files {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        for f in std::fs::read_dir(&good).expect("good").flatten() {
            if f.path() != *removed {
                std::fs::copy(f.path(), dir.join(f.file_name())).expect("copy");
            }
        }
        let name = removed
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let now = results(&dir);
        for (key, outcome) in &now {
            // A stand-in target (the site without its code, "(no deployment)") is compared
            // with the same rule's targets of the same kind in the full run.
            let rule_kind = key.split(':').next().unwrap_or(key);
            let before: Vec<&str> = match full.get(key) {
                Some(o) => vec![o.as_str()],
                None => full
                    .iter()
                    .filter(|(k, _)| k.split(':').next() == Some(rule_kind))
                    .map(|(_, o)| o.as_str())
                    .collect(),
            };
            // A rule that did not apply to the site's build runs when the build is unknown
            // (an unknown build rules nothing out); what it finds then rests on other data.
            let allowed = before.contains(&outcome.as_str())
                || before == ["not_applicable"]
                || outcome == "unknown"
                || outcome == "not_applicable";
            if !allowed {
                problems.push(format!(
                    "without {name}: {key} is {outcome} (was {before:?})"
                ));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
