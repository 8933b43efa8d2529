//! End-to-end cases: each `testdata/cases/*.yaml` is a few edits against the known-good export
//! in `testdata/good/`, run through the real binary. A case lists every result that differs from
//! the known-good run (rule, outcome, target, file:line), so it proves that exactly its rules
//! change outcome. Then every rule's declared fixtures are checked: it fails on its failing
//! cases and passes on its passing ones.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    #[allow(dead_code)]
    about: String,
    #[serde(default)]
    args: Vec<String>,
    #[serde(default)]
    edits: Vec<Edit>,
    expect: Expect,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Edit {
    file: String,
    /// Replace this text (which must occur exactly once, or `occurrence` picks one)...
    replace: Option<String>,
    /// ...or the text from `replace` up to and including the next `through`.
    through: Option<String>,
    with: Option<String>,
    occurrence: Option<usize>,
    /// Replace every occurrence.
    all: Option<bool>,
    /// Write the whole file.
    write: Option<String>,
    remove: Option<bool>,
    /// Re-encode: utf-8, utf-8-bom, utf-16le, utf-16be, utf-32le (all with a BOM except utf-8), or
    /// windows-1252 (no BOM: what Windows PowerShell 5.1's Set-Content writes).
    encode: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    exit: i32,
    #[serde(default)]
    results: Vec<String>,
    #[serde(default)]
    notes: usize,
    #[serde(default)]
    stderr: Vec<String>,
    #[serde(default)]
    stderr_not: Vec<String>,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read_text(path: &Path) -> (String, &'static str) {
    let b = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    if b.starts_with(&[0xFF, 0xFE]) {
        let units: Vec<u16> = b[2..]
            .chunks(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        (String::from_utf16(&units).expect("utf-16le"), "utf-16le")
    } else if b.starts_with(&[0xEF, 0xBB, 0xBF]) {
        (
            String::from_utf8(b[3..].to_vec()).expect("utf-8"),
            "utf-8-bom",
        )
    } else {
        (String::from_utf8(b).expect("utf-8"), "utf-8")
    }
}

fn write_text(path: &Path, text: &str, encoding: &str) {
    let bytes: Vec<u8> = match encoding {
        "utf-8" => text.as_bytes().to_vec(),
        "utf-8-bom" => [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(),
        "utf-16le" => [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect(),
        "utf-16be" => [0xFE, 0xFF]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
            .collect(),
        "utf-32le" => [0xFF, 0xFE, 0, 0]
            .into_iter()
            .chain(text.chars().flat_map(|c| (c as u32).to_le_bytes()))
            .collect(),
        "windows-1252" => {
            let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(text);
            assert!(!unmappable, "the fixture text has no Windows-1252 form");
            bytes.into_owned()
        }
        other => panic!("unknown encoding {other}"),
    };
    std::fs::write(path, bytes).expect("write fixture");
}

fn apply(dir: &Path, e: &Edit, case: &str) {
    let path = dir.join(&e.file);
    if e.remove == Some(true) {
        std::fs::remove_file(&path)
            .unwrap_or_else(|err| panic!("{case}: remove {}: {err}", e.file));
        return;
    }
    if let Some(w) = &e.write {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir for a fixture file");
        }
        write_text(&path, w, e.encode.as_deref().unwrap_or("utf-8"));
        return;
    }
    let (mut text, encoding) = read_text(&path);
    let crlf = text.contains("\r\n");
    if let Some(from) = &e.replace {
        let fix = |s: &str| {
            if crlf {
                s.replace("\r\n", "\n").replace('\n', "\r\n")
            } else {
                s.to_string()
            }
        };
        let (from, with) = (fix(from), fix(e.with.as_deref().unwrap_or("")));
        if e.all == Some(true) {
            assert!(text.contains(&from), "{case}: `{from}` not in {}", e.file);
            text = text.replace(&from, &with);
            write_text(&path, &text, e.encode.as_deref().unwrap_or(encoding));
            return;
        }
        let hits: Vec<usize> = text.match_indices(&from).map(|(i, _)| i).collect();
        let start = match (e.occurrence, hits.len()) {
            (Some(n), _) => *hits.get(n - 1).unwrap_or_else(|| {
                panic!(
                    "{case}: `{from}` occurs {} times in {}, not {n}",
                    hits.len(),
                    e.file
                )
            }),
            (None, 1) => hits[0],
            (None, n) => panic!(
                "{case}: `{from}` occurs {n} times in {} (give `occurrence`)",
                e.file
            ),
        };
        let end = match &e.through {
            Some(t) => {
                let t = fix(t);
                start
                    + text[start..]
                        .find(&t)
                        .unwrap_or_else(|| panic!("{case}: `{t}` not found after `{from}`"))
                    + t.len()
            }
            None => start + from.len(),
        };
        text.replace_range(start..end, &with);
    }
    write_text(&path, &text, e.encode.as_deref().unwrap_or(encoding));
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read good export").flatten() {
        std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
    }
}

/// One result as a case lists it: `DEP-02 fail/error deployment:PS120045 @ deployments.json:12`.
fn line(r: &serde_json::Value) -> String {
    let outcome = match r["outcome"].as_str() {
        Some("fail") => format!("fail/{}", r["severity"].as_str().unwrap_or("?")),
        Some(o) => o.to_string(),
        None => "?".into(),
    };
    let place = match r.get("location") {
        Some(l) => {
            let file = l["file"].as_str().unwrap_or("?");
            let base = file.rsplit('/').next().unwrap_or(file);
            format!("{base}:{}", l["line"])
        }
        None => "-".into(),
    };
    format!(
        "{} {outcome} {}:{} @ {place}",
        r["rule"].as_str().unwrap_or("?"),
        r["target"]["kind"].as_str().unwrap_or("?"),
        r["target"]["id"].as_str().unwrap_or("?")
    )
}

struct Run {
    name: String,
    /// Every result as a line (passes included).
    lines: Vec<String>,
    expected: Vec<String>,
}

/// The key of a result line: rule and target, without outcome and place.
fn key(line: &str) -> String {
    let mut parts = line.split(' ');
    let rule = parts.next().unwrap_or_default();
    let _outcome = parts.next();
    let target: Vec<&str> = parts.take_while(|p| *p != "@").collect();
    format!("{rule} {}", target.join(" "))
}

fn outcome(line: &str) -> &str {
    line.split(' ').nth(1).unwrap_or_default()
}

/// What a case must list: results that are not passes and not as on the good export, and
/// passes of rules that did not pass on the good export.
fn changes(lines: &[String], baseline: &[String]) -> Vec<String> {
    let mut out: Vec<String> = lines
        .iter()
        .filter(|l| {
            if outcome(l) == "pass" {
                baseline
                    .iter()
                    .any(|b| key(b) == key(l) && outcome(b) != "pass")
            } else {
                !baseline.contains(l)
            }
        })
        .cloned()
        .collect();
    out.sort();
    out
}

fn run_case(path: &Path) -> Result<Run, String> {
    let name = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("case")
        .to_string();
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let case: Case =
        serde_saphyr::from_str(&text).map_err(|e| format!("{name}: bad case file: {e}"))?;
    let dir =
        std::env::temp_dir().join(format!("cmg-preflight-case-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy_dir(&root().join("testdata/good"), &dir);
    for e in &case.edits {
        apply(&dir, e, &name);
    }
    let out = Command::new(env!("CARGO_BIN_EXE_cmg-preflight"))
        .arg("check")
        .arg(&dir)
        .args([
            "--format",
            "json",
            "--color",
            "never",
            "--now",
            "2026-11-24T12:00:00Z",
        ])
        .args(&case.args)
        .env("COLUMNS", "1000")
        .current_dir(&dir)
        .output()
        .map_err(|e| e.to_string())?;
    let _ = std::fs::remove_dir_all(&dir);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let code = out.status.code().unwrap_or(-1);
    let mut problems = Vec::new();
    if code != case.expect.exit {
        problems.push(format!("exit code {code}, expected {}", case.expect.exit));
    }
    for s in &case.expect.stderr {
        if !stderr.contains(s.as_str()) {
            problems.push(format!("stderr lacks `{s}`"));
        }
    }
    for s in &case.expect.stderr_not {
        if stderr.contains(s.as_str()) {
            problems.push(format!("stderr contains `{s}`"));
        }
    }
    let mut lines = Vec::new();
    if code != 2 {
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout)
            .map_err(|e| format!("{name}: output is not JSON ({e}); stderr: {stderr}"))?;
        lines = doc["results"]
            .as_array()
            .cloned()
            .unwrap_or_default()
            .iter()
            .map(line)
            .collect();
        // Every fix command printed is one the ConfigurationManager module takes.
        let commands: Vec<(String, String)> = doc["results"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| {
                let ps = r["remediation"]["powershell"].as_str()?;
                Some((
                    format!("{} {}", r["rule"], r["target"]["id"]),
                    ps.to_string(),
                ))
            })
            .collect();
        problems.extend(common::cmdlets::check_all(
            common::cmdlets::reference(),
            &commands,
        ));
        // ... and is valid PowerShell (a real grammar; no reserved `<placeholder>`).
        for (place, ps) in &commands {
            let mut errors = common::powershell::syntax_errors(ps);
            errors.extend(common::powershell::reserved_less_than(ps));
            if !errors.is_empty() {
                problems.push(format!(
                    "{place}: not valid PowerShell: {errors:?}\n    {ps}"
                ));
            }
        }
        let notes = doc["notes"].as_array().map_or(0, Vec::len);
        if notes != case.expect.notes {
            problems.push(format!(
                "{notes} input notes, expected {}: {}",
                case.expect.notes, doc["notes"]
            ));
        }
    }
    if problems.is_empty() {
        Ok(Run {
            name,
            lines,
            expected: case.expect.results,
        })
    } else {
        Err(format!(
            "case {name}:\n  {}\n  stderr: {stderr}",
            problems.join("\n  ")
        ))
    }
}

#[test]
fn cases() {
    let dir = root().join("testdata/cases");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("testdata/cases")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    assert!(
        paths.len() >= 20,
        "expected the case files under testdata/cases"
    );
    let mut failures = Vec::new();
    let mut runs = Vec::new();
    for p in &paths {
        match run_case(p) {
            Ok(r) => runs.push(r),
            Err(e) => failures.push(e),
        }
    }
    let good = runs
        .iter()
        .find(|r| r.name == "good")
        .map(|r| r.lines.clone())
        .expect("a case named good");
    let bad: Vec<&String> = good
        .iter()
        .filter(|l| outcome(l) == "unknown" || outcome(l).starts_with("fail"))
        .collect();
    assert!(
        bad.is_empty(),
        "the known-good export must have no failure and no unknown: {bad:?}"
    );
    for r in &runs {
        let got = changes(&r.lines, &good);
        let mut want = r.expected.clone();
        want.sort();
        if got != want {
            failures.push(format!(
                "case {}: results differ from the known-good run\n  expected:\n    {}\n  got:\n    {}",
                r.name,
                want.join("\n    "),
                got.join("\n    ")
            ));
        }
    }
    failures.extend(check_fixtures(&runs));
    assert!(
        failures.is_empty(),
        "{} problems in {} cases:\n\n{}",
        failures.len(),
        paths.len(),
        failures.join("\n\n")
    );
    println!("{} cases passed", paths.len());
}

/// Every rule that checks something names at least one failing and one passing case, and
/// those cases really make it fail and pass.
fn check_fixtures(runs: &[Run]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("rules"))
        .expect("rules/")
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    for f in files {
        let text = std::fs::read_to_string(&f).expect("rule file");
        let rule: serde_json::Value = serde_saphyr::from_str(&text).expect("rule yaml");
        let id = rule["id"].as_str().unwrap_or_default().to_string();
        if rule.get("manual").is_some() {
            continue;
        }
        for kind in ["fail", "pass"] {
            let names: Vec<String> = rule["fixtures"][kind]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            if names.is_empty() {
                problems.push(format!("{id}: no {kind}ing fixture"));
            }
            for n in names {
                match runs.iter().find(|r| r.name == n) {
                    None => problems.push(format!(
                        "{id}: {kind}ing fixture `{n}` is not a case that ran"
                    )),
                    Some(r) => {
                        let prefix = format!("{id} ");
                        if !r
                            .lines
                            .iter()
                            .any(|l| l.starts_with(&prefix) && outcome(l).starts_with(kind))
                        {
                            problems.push(format!("{id}: does not {kind} in case `{n}`"));
                        }
                    }
                }
            }
        }
    }
    problems
}
