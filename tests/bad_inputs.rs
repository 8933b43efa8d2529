//! Bad and unusual input, one class per test. docs/bad-input.md is the table of every class
//! with the behaviour it gets; `table_and_tests_agree` keeps the two in step.
//!
//! Each test copies the known-good export (testdata/good/) into a temporary folder, damages
//! it in one way, runs the real binary under a watchdog and checks the exit code and the
//! output. Every run is also checked for what must never happen, whatever the input: a panic,
//! a hang (the watchdog kills the run after 60 s and fails the test), and an output line of
//! more than 4,000 characters. Messages are matched case-insensitively on a few keywords only,
//! so the wording stays free.

use std::ffi::{OsStr, OsString};
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A value that must never appear in any output.
const SENTINEL: &str = "Sentinel-Pa55-XYZ";
const NOW: &str = "2026-11-24";
const WATCHDOG: Duration = Duration::from_secs(60);
const MAX_LINE: usize = 4_000;
/// The edit of testdata/cases/dep-02-internet.yaml: "Allow task sequence to run for client on
/// the Internet" unchecked on the checked deployment PS120045.
const DEP02_GOOD: &str = "\"AdvertFlags\":  8781824";
const DEP02_FAIL: &str = "\"AdvertFlags\":  9306112";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

// ---------------------------------------------------------------------------------------------
// Temporary folders and file edits
// ---------------------------------------------------------------------------------------------

/// A temporary folder for one test, removed when the test ends.
struct Tmp {
    path: PathBuf,
}

impl Tmp {
    /// The name is neutral (no word a test looks for can come from the path).
    fn new() -> Tmp {
        static N: AtomicUsize = AtomicUsize::new(0);
        let path = std::env::temp_dir().join(format!(
            "cmgpf-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create the temporary folder");
        Tmp { path }
    }

    fn join(&self, rel: &str) -> PathBuf {
        self.path.join(rel)
    }

    /// A copy of the known-good export at `rel`.
    fn good(&self, rel: &str) -> PathBuf {
        let to = self.join(rel);
        copy_dir(&root().join("testdata/good"), &to);
        to
    }

    fn mkdir(&self, rel: &str) -> PathBuf {
        let p = self.join(rel);
        std::fs::create_dir_all(&p).expect("mkdir");
        p
    }
}

impl Drop for Tmp {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from)
        .expect("read the good export")
        .flatten()
    {
        std::fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
    }
}

/// A fixture file's text (testdata/good/site.json is UTF-16LE with a BOM, as Windows
/// PowerShell 5.1 writes it).
fn read(path: &Path) -> String {
    let b = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let units = |rest: &[u8], be: bool| -> Vec<u16> {
        rest.chunks(2)
            .map(|c| {
                let pair = [c[0], c.get(1).copied().unwrap_or(0)];
                if be {
                    u16::from_be_bytes(pair)
                } else {
                    u16::from_le_bytes(pair)
                }
            })
            .collect()
    };
    let text = match b.as_slice() {
        [0xEF, 0xBB, 0xBF, rest @ ..] => String::from_utf8(rest.to_vec()).ok(),
        [0xFF, 0xFE, rest @ ..] => String::from_utf16(&units(rest, false)).ok(),
        [0xFE, 0xFF, rest @ ..] => String::from_utf16(&units(rest, true)).ok(),
        _ => String::from_utf8(b.clone()).ok(),
    };
    text.unwrap_or_else(|| panic!("{}: not a text fixture", path.display()))
}

fn write(path: &Path, content: impl AsRef<[u8]>) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir for a fixture file");
    }
    std::fs::write(path, content).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

/// Replaces the first occurrence of `from` (which must occur) in a UTF-8 file.
fn edit(path: &Path, from: &str, to: &str) {
    let text = read(path);
    assert!(
        text.contains(from),
        "fixture: `{from}` not in {}",
        path.display()
    );
    write(path, text.replacen(from, to, 1));
}

/// The good export with DEP-02 failing on PS120045 (exit 1 unless something says otherwise).
fn dep02_failing(export: &Path) {
    edit(&export.join("deployments.json"), DEP02_GOOD, DEP02_FAIL);
}

fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("run mkfifo")
        .success();
    assert!(ok, "mkfifo {} failed", path.display());
}

fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let mut out = Vec::new();
    if bom {
        out.extend_from_slice(if big_endian {
            &[0xFE, 0xFF]
        } else {
            &[0xFF, 0xFE]
        });
    }
    for u in text.encode_utf16() {
        out.extend_from_slice(&if big_endian {
            u.to_be_bytes()
        } else {
            u.to_le_bytes()
        });
    }
    out
}

/// Windows-1252 for the few non-ASCII characters the fixtures hold.
fn windows_1252(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            c if c.is_ascii() => c as u8,
            'é' => 0xE9,
            '–' => 0x96,
            other => panic!("fixture: no Windows-1252 byte for {other:?}"),
        })
        .collect()
}

/// Re-encodes every `.json` file of an export.
fn reencode_json_files(export: &Path, encode: impl Fn(&str) -> Vec<u8>) {
    for entry in std::fs::read_dir(export).expect("export").flatten() {
        let p = entry.path();
        if p.extension().is_some_and(|e| e == "json") {
            let text = read(&p);
            write(&p, encode(&text));
        }
    }
}

/// The rule ids of the catalog, from the rule file names.
fn all_rule_ids() -> Vec<String> {
    let mut ids: Vec<String> = std::fs::read_dir(root().join("rules"))
        .expect("rules/")
        .flatten()
        .filter_map(|e| {
            e.path()
                .file_stem()
                .and_then(OsStr::to_str)
                .map(String::from)
        })
        .collect();
    ids.sort();
    ids
}

// ---------------------------------------------------------------------------------------------
// Running the binary
// ---------------------------------------------------------------------------------------------

/// One invocation of the real binary.
struct Cli {
    args: Vec<OsString>,
    cwd: Option<PathBuf>,
    stdout: Option<std::fs::File>,
}

fn cli<I, S>(args: I) -> Cli
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    Cli {
        args: args
            .into_iter()
            .map(|a| a.as_ref().to_os_string())
            .collect(),
        cwd: None,
        stdout: None,
    }
}

/// `check EXPORT --media EXPORT/media.yaml --now 2026-11-24 --no-config --color never`.
fn check(export: &Path) -> Cli {
    cli([
        OsStr::new("check"),
        export.as_os_str(),
        OsStr::new("--media"),
        export.join("media.yaml").as_os_str(),
    ])
    .args(["--now", NOW, "--no-config", "--color", "never"])
}

/// `check EXPORT --now 2026-11-24 --no-config --color never` (no media plan).
fn check_no_media(export: &Path) -> Cli {
    cli([OsStr::new("check"), export.as_os_str()]).args([
        "--now",
        NOW,
        "--no-config",
        "--color",
        "never",
    ])
}

impl Cli {
    fn arg(mut self, a: impl AsRef<OsStr>) -> Cli {
        self.args.push(a.as_ref().to_os_string());
        self
    }

    fn args<I, S>(mut self, args: I) -> Cli
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.args
            .extend(args.into_iter().map(|a| a.as_ref().to_os_string()));
        self
    }

    /// `--format FORMAT=FILE`.
    fn format_to(self, format: &str, file: &Path) -> Cli {
        let mut spec = OsString::from(format!("{format}="));
        spec.push(file.as_os_str());
        self.arg("--format").arg(spec)
    }

    fn cwd(mut self, dir: &Path) -> Cli {
        self.cwd = Some(dir.to_path_buf());
        self
    }

    fn stdout_to(mut self, file: std::fs::File) -> Cli {
        self.stdout = Some(file);
        self
    }

    fn shown(&self) -> String {
        self.args
            .iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Runs under the watchdog and applies the general guards (no panic, no long line).
    fn run(self) -> Out {
        let shown = self.shown();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_cmg-preflight"));
        cmd.args(&self.args)
            .env("COLUMNS", "120")
            .env("NO_COLOR", "1")
            .env_remove("GITHUB_ACTIONS")
            .env_remove("TF_BUILD")
            .env_remove("CI")
            .stdin(Stdio::null())
            .stderr(Stdio::piped());
        match self.stdout {
            Some(f) => cmd.stdout(Stdio::from(f)),
            None => cmd.stdout(Stdio::piped()),
        };
        if let Some(dir) = &self.cwd {
            cmd.current_dir(dir);
        }
        let mut child = cmd.spawn().expect("start the binary");
        let drain = |pipe: Option<Box<dyn Read + Send>>| {
            std::thread::spawn(move || {
                let mut bytes = Vec::new();
                if let Some(mut p) = pipe {
                    let _ = p.read_to_end(&mut bytes);
                }
                bytes
            })
        };
        let stdout = drain(
            child
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        );
        let stderr = drain(
            child
                .stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        );
        let started = Instant::now();
        let status = loop {
            if let Some(s) = child.try_wait().expect("wait for the binary") {
                break s;
            }
            if started.elapsed() > WATCHDOG {
                let _ = child.kill();
                let _ = child.wait();
                panic!(
                    "hung: `cmg-preflight {shown}` did not finish within {} s (killed)",
                    WATCHDOG.as_secs()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let out = Out {
            shown,
            code: status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&stdout.join().expect("stdout reader")).into_owned(),
            stderr: String::from_utf8_lossy(&stderr.join().expect("stderr reader")).into_owned(),
        };
        out.guard();
        out
    }

    /// Runs with `--format json=FILE` added and returns the JSON results (`None` when no file
    /// was written).
    fn run_json(self, tmp: &Tmp) -> (Out, Option<Value>) {
        static N: AtomicUsize = AtomicUsize::new(0);
        let file = tmp.join(&format!(
            "results-{}.json",
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let out = self.format_to("json", &file).run();
        let doc = std::fs::read(&file).ok().map(|b| {
            serde_json::from_slice(&b)
                .unwrap_or_else(|e| panic!("{}: not JSON ({e})\n{}", file.display(), out.context()))
        });
        (out, doc)
    }
}

/// What a run printed, and how it ended.
struct Out {
    shown: String,
    code: i32,
    stdout: String,
    stderr: String,
}

fn contains_ci(haystack: &str, needle: &str) -> bool {
    haystack.to_lowercase().contains(&needle.to_lowercase())
}

/// At most `n` characters, for failure messages.
fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let head: String = s.chars().take(n).collect();
        format!("{head}… [{} characters in all]", s.chars().count())
    }
}

/// `file` followed by `:LINE:COL` or `:LINE` somewhere in `text`.
fn has_place(text: &str, file: &str) -> bool {
    text.match_indices(file).any(|(i, _)| {
        let rest = &text[i + file.len()..];
        rest.strip_prefix(':')
            .is_some_and(|r| r.chars().next().is_some_and(|c| c.is_ascii_digit()))
    })
}

impl Out {
    fn context(&self) -> String {
        format!(
            "`cmg-preflight {}` exited {}\n--- stderr ---\n{}\n--- stdout ---\n{}",
            clip(&self.shown, 300),
            self.code,
            clip(&self.stderr, 2_000),
            clip(&self.stdout, 2_000)
        )
    }

    fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// What must hold for every input.
    fn guard(&self) {
        assert!(
            !self.stderr.contains("panicked"),
            "panicked\n{}",
            self.context()
        );
        for (name, text) in [("stdout", &self.stdout), ("stderr", &self.stderr)] {
            if let Some(long) = text.lines().find(|l| l.chars().count() > MAX_LINE) {
                panic!(
                    "a {name} line has {} characters (over {MAX_LINE}): {}\n{}",
                    long.chars().count(),
                    clip(long, 200),
                    self.context()
                );
            }
        }
    }

    fn code(&self, want: i32) -> &Out {
        assert_eq!(
            self.code,
            want,
            "exit code {}, expected {want}\n{}",
            self.code,
            self.context()
        );
        self
    }

    fn code_in(&self, want: &[i32]) -> &Out {
        assert!(
            want.contains(&self.code),
            "exit code {}, expected one of {want:?}\n{}",
            self.code,
            self.context()
        );
        self
    }

    fn stderr_has(&self, words: &[&str]) -> &Out {
        for w in words {
            assert!(
                contains_ci(&self.stderr, w),
                "stderr lacks `{w}`\n{}",
                self.context()
            );
        }
        self
    }

    fn stdout_has(&self, words: &[&str]) -> &Out {
        for w in words {
            assert!(
                contains_ci(&self.stdout, w),
                "stdout lacks `{w}`\n{}",
                self.context()
            );
        }
        self
    }

    fn output_has(&self, words: &[&str]) -> &Out {
        for w in words {
            assert!(
                contains_ci(&self.all(), w),
                "neither stdout nor stderr has `{w}`\n{}",
                self.context()
            );
        }
        self
    }

    /// Case-sensitive: a secret must not appear in any form.
    fn nowhere(&self, secret: &str) -> &Out {
        assert!(
            !self.stdout.contains(secret) && !self.stderr.contains(secret),
            "`{secret}` was printed\n{}",
            self.context()
        );
        self
    }

    fn stderr_names_place(&self, file: &str) -> &Out {
        assert!(
            has_place(&self.stderr, file),
            "stderr does not name `{file}:LINE[:COL]`\n{}",
            self.context()
        );
        self
    }
}

// ---------------------------------------------------------------------------------------------
// JSON results
// ---------------------------------------------------------------------------------------------

fn results(doc: &Value) -> Vec<Value> {
    doc["results"].as_array().cloned().unwrap_or_default()
}

/// The outcomes of `rule` (on `target` when given), as `target:outcome` for messages.
fn outcomes(doc: &Value, rule: &str, target: Option<&str>) -> Vec<String> {
    results(doc)
        .iter()
        .filter(|r| r["rule"] == rule)
        .filter(|r| target.is_none_or(|t| r["target"]["id"] == t))
        .map(|r| {
            format!(
                "{}:{}",
                r["target"]["id"].as_str().unwrap_or("?"),
                r["outcome"].as_str().unwrap_or("?")
            )
        })
        .collect()
}

/// `rule` on `target` has exactly `outcome`.
fn assert_outcome(doc: &Value, rule: &str, target: &str, outcome: &str, out: &Out) {
    let got = outcomes(doc, rule, Some(target));
    assert_eq!(
        got,
        vec![format!("{target}:{outcome}")],
        "{rule} on {target}: expected {outcome}\n{}",
        out.context()
    );
}

fn doc_or_panic(doc: Option<Value>, out: &Out) -> Value {
    doc.unwrap_or_else(|| panic!("no JSON results were written\n{}", out.context()))
}

// ---------------------------------------------------------------------------------------------
// A. Input that is refused or tolerated today
// ---------------------------------------------------------------------------------------------

#[test]
fn class_malformed_json() {
    let t = Tmp::new();
    let export = t.good("export");
    // A missing comma between two properties of the first deployment.
    edit(
        &export.join("deployments.json"),
        "\"OfferType\":  2,",
        "\"OfferType\":  2",
    );
    check(&export)
        .run()
        .code(2)
        .stderr_has(&["invalid JSON"])
        .stderr_names_place("deployments.json");
}

#[test]
fn class_truncated_json() {
    let t = Tmp::new();
    let export = t.good("export");
    let p = export.join("deployments.json");
    let text = read(&p);
    write(&p, &text[..text.len() / 2]);
    check(&export)
        .run()
        .code(2)
        .stderr_has(&["truncated"])
        .stderr_names_place("deployments.json");
}

#[test]
fn class_nesting_200_deep() {
    let t = Tmp::new();
    let export = t.good("export");
    write(
        &export.join("deep.json"),
        format!("{}1{}", "[".repeat(200), "]".repeat(200)),
    );
    check(&export).run().code(2).stderr_has(&["deep.json"]);
}

#[test]
fn class_yaml_alias_bomb_in_media_plan() {
    let t = Tmp::new();
    let export = t.good("export");
    // Billion laughs under a known key: nine levels of nine aliases each.
    let mut bomb =
        String::from("management_points:\n  - &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (prev, name) in ["a", "b", "c", "d", "e", "f", "g", "h"]
        .iter()
        .zip(["b", "c", "d", "e", "f", "g", "h", "i"])
    {
        let refs = vec![format!("*{prev}"); 9].join(", ");
        bomb.push_str(&format!("  - &{name} [{refs}]\n"));
    }
    let plan = export.join("media.yaml");
    let text = read(&plan).replace(
        "management_points:            # as chosen on the Boot Image page\n  - contosocmg.eastus.cloudapp.azure.com\n",
        &bomb,
    );
    assert!(text.contains("&i"), "fixture: the bomb was not placed");
    write(&plan, text);
    check(&export).run().code(2).stderr_has(&["media.yaml"]);
}

#[test]
fn class_utf8_bom_export() {
    let t = Tmp::new();
    let export = t.good("export");
    reencode_json_files(&export, |s| {
        [&[0xEF, 0xBB, 0xBF][..], s.as_bytes()].concat()
    });
    check(&export).run().code(0);
}

#[test]
fn class_utf16le_bom_export() {
    let t = Tmp::new();
    let export = t.good("export");
    reencode_json_files(&export, |s| utf16(s, false, true));
    check(&export).run().code(0);
}

#[test]
fn class_utf16be_bom_export() {
    let t = Tmp::new();
    let export = t.good("export");
    reencode_json_files(&export, |s| utf16(s, true, true));
    check(&export).run().code(0);
}

#[test]
fn class_utf16_without_bom() {
    let t = Tmp::new();
    let export = t.good("export");
    let p = export.join("deployments.json");
    let text = read(&p);
    write(&p, utf16(&text, false, false));
    check(&export)
        .run()
        .code(2)
        .stderr_has(&["deployments.json", "UTF-16"]);
}

#[test]
fn class_export_path_missing() {
    let t = Tmp::new();
    let missing = t.join("no-such-export");
    check_no_media(&missing)
        .run()
        .code(2)
        .stderr_has(&["no-such-export"]);
}

#[test]
fn class_empty_deployments_file() {
    let t = Tmp::new();
    let export = t.good("export");
    write(&export.join("deployments.json"), "");
    edit(&export.join("media.yaml"), "deployments: [PS120045]", "");
    // The family counts as exported but empty: DEP-01 fails at the file, nothing to check
    // for the deployment rules is unknown, never a pass.
    let (out, doc) = check(&export).run_json(&t);
    out.code(1);
    let doc = doc_or_panic(doc, &out);
    assert_eq!(
        outcomes(&doc, "DEP-01", None),
        vec!["PS1:fail".to_string()],
        "{}",
        out.context()
    );
    assert!(
        !contains_ci(&doc["context"]["export"].to_string(), "deployments.json"),
        "the empty file must count as exported: {}",
        doc["context"]
    );
    for rule in ["DEP-02", "DEP-03", "DEP-07"] {
        let got = outcomes(&doc, rule, None);
        assert!(
            !got.is_empty() && got.iter().all(|o| o.ends_with(":unknown")),
            "{rule}: {got:?}\n{}",
            out.context()
        );
    }
}

#[test]
fn class_top_level_scalar() {
    let t = Tmp::new();
    let export = t.good("export");
    write(&export.join("scalar.json"), "42\n");
    let (out, doc) = check(&export).run_json(&t);
    out.code_in(&[0, 1]);
    let doc = doc_or_panic(doc, &out);
    let notes = doc["notes"].to_string();
    assert!(
        contains_ci(&notes, "scalar.json"),
        "no note points at scalar.json: {notes}\n{}",
        out.context()
    );
}

#[test]
fn class_lazy_null_sequence() {
    let t = Tmp::new();
    let export = t.good("export");
    let p = export.join("task-sequences.json");
    let text = read(&p);
    let start = text.find("\"Sequence\":  \"").expect("a Sequence property");
    // The closing quote of the JSON string (escaped quotes skipped).
    let bytes = text.as_bytes();
    let mut i = start + "\"Sequence\":  \"".len();
    while bytes[i] != b'"' {
        i += if bytes[i] == b'\\' { 2 } else { 1 };
    }
    let replaced = format!("{}\"Sequence\":  null{}", &text[..start], &text[i + 1..]);
    write(&p, replaced);
    let (out, doc) = check(&export).run_json(&t);
    out.code_in(&[0, 1]);
    let doc = doc_or_panic(doc, &out);
    let ts_unknown: Vec<String> = results(&doc)
        .iter()
        .filter(|r| {
            r["rule"].as_str().is_some_and(|s| s.starts_with("TS-")) && r["outcome"] == "unknown"
        })
        .map(|r| r["rule"].to_string())
        .collect();
    assert!(
        !ts_unknown.is_empty(),
        "no TS rule is unknown with Sequence null\n{}",
        out.context()
    );
    assert!(
        !results(&doc)
            .iter()
            .any(|r| r["rule"].as_str().is_some_and(|s| s.starts_with("TS-"))
                && r["outcome"] == "pass"
                && ts_unknown.contains(&r["rule"].to_string())),
        "a TS rule both passes and is unknown"
    );
}

#[test]
fn class_depth_truncated_references() {
    let t = Tmp::new();
    let export = t.good("export");
    let p = export.join("task-sequences.json");
    let text = read(&p);
    let start = text.find("\"References\":  [").expect("References");
    let end = start + text[start..].find("],").expect("end of References") + 2;
    let cut = format!(
        "{}\"References\":  \"System.Object[]\",{}",
        &text[..start],
        &text[end..]
    );
    // With the Sequence XML there, its referenceList stands in, and a note says so.
    write(&p, cut.clone());
    let (out, doc) = check(&export).run_json(&t);
    out.code_in(&[0]);
    let doc = doc_or_panic(doc, &out);
    let notes = doc["notes"].to_string();
    assert!(
        notes.contains("referenceList"),
        "no note on the source: {notes}"
    );
    // Without it (cut as well), the content rules are unknown.
    let seq = cut.find("\"Sequence\":  \"").expect("Sequence");
    let seq_end = seq + cut[seq..].find("\\u003c/sequence\\u003e\"").expect("end") + 22;
    write(
        &p,
        format!(
            "{}\"Sequence\":  \"System.Object[]\"{}",
            &cut[..seq],
            &cut[seq_end..]
        ),
    );
    let (out, doc) = check(&export).run_json(&t);
    out.code_in(&[0, 1]);
    let doc = doc_or_panic(doc, &out);
    for rule in ["CNT-01", "CNT-02", "CNT-03"] {
        let got = outcomes(&doc, rule, None);
        assert!(
            got.iter().any(|o| o.ends_with(":unknown")),
            "{rule} is not unknown with References truncated: {got:?}\n{}",
            out.context()
        );
    }
}

#[test]
fn class_unknown_cli_flag() {
    let t = Tmp::new();
    let export = t.good("export");
    check(&export)
        .arg("--frobnicate")
        .run()
        .code(2)
        .stderr_has(&["--frobnicate"]);
}

#[test]
fn class_unknown_format() {
    let t = Tmp::new();
    let export = t.good("export");
    check(&export)
        .args(["--format", "yaml"])
        .run()
        .code(2)
        .stderr_has(&["unknown format", "yaml"]);
}

#[test]
fn class_two_formats_to_stdout() {
    let t = Tmp::new();
    let export = t.good("export");
    check(&export)
        .args(["--format", "human", "--format", "json"])
        .run()
        .code(2)
        .stderr_has(&["standard output"]);
}

#[test]
fn class_unknown_rule_in_allow() {
    let t = Tmp::new();
    let export = t.good("export");
    check(&export)
        .args(["-A", "NOPE-99"])
        .run()
        .code(2)
        .stderr_has(&["NOPE-99"]);
}

#[test]
fn class_media_plan_unknown_key() {
    let t = Tmp::new();
    let export = t.good("export");
    edit(
        &export.join("media.yaml"),
        "unattended: false",
        "colour: blue\nunattended: false",
    );
    check(&export)
        .run()
        .code(2)
        .stderr_has(&["colour", "media.yaml:5"]);
}

#[test]
fn class_media_plan_password_key() {
    let t = Tmp::new();
    let export = t.good("export");
    edit(
        &export.join("media.yaml"),
        "unattended: false",
        &format!("password: {SENTINEL}\nunattended: false"),
    );
    check(&export)
        .run()
        .code(2)
        .stderr_has(&["password", "media.yaml:5"])
        .nowhere(SENTINEL);
}

#[test]
fn class_broken_custom_rule() {
    let t = Tmp::new();
    let export = t.good("export");
    let rules = t.mkdir("rules");
    write(
        &rules.join("LOCAL-01.yaml"),
        "id: LOCAL-01\nname: Not Kebab\nseverity: sometimes\ncondition:\n  path: deployment.nope\n  equals: 1\n",
    );
    check(&export)
        .arg("--rules")
        .arg(&rules)
        .run()
        .code(2)
        .stderr_has(&["LOCAL-01.yaml"]);
}

#[test]
fn class_deployment_not_in_export() {
    let t = Tmp::new();
    let export = t.good("export");
    check(&export)
        .args(["--deployment", "NOPE"])
        .run()
        .code(2)
        .stderr_has(&["NOPE"]);
}

#[test]
fn class_json_nan() {
    let t = Tmp::new();
    let export = t.good("export");
    edit(
        &export.join("deployments.json"),
        DEP02_GOOD,
        "\"AdvertFlags\":  NaN",
    );
    check(&export)
        .run()
        .code(2)
        .stderr_names_place("deployments.json");
}

#[test]
fn class_json_raw_control_character() {
    let t = Tmp::new();
    let export = t.good("export");
    edit(
        &export.join("deployments.json"),
        "Remote reimage: USB",
        "Remote\u{1}reimage: USB",
    );
    check(&export)
        .run()
        .code(2)
        .stderr_names_place("deployments.json");
}

#[test]
fn class_json_invalid_escape() {
    let t = Tmp::new();
    let export = t.good("export");
    edit(
        &export.join("deployments.json"),
        "Remote reimage: USB",
        "Remote \\x41 reimage: USB",
    );
    check(&export)
        .run()
        .code(2)
        .stderr_names_place("deployments.json");
}

#[test]
fn class_json_lone_surrogate() {
    let t = Tmp::new();
    let export = t.good("export");
    edit(
        &export.join("deployments.json"),
        "Remote reimage: USB",
        "Remote \\ud800 reimage: USB",
    );
    check(&export).run().code_in(&[0, 2]);
}

#[test]
fn class_json_number_overflow() {
    let t = Tmp::new();
    let export = t.good("export");
    edit(
        &export.join("deployments.json"),
        "\"Priority\":  2,",
        "\"Priority\":  1e999,",
    );
    check(&export).run().code_in(&[0, 1, 2]);
}

#[test]
fn class_ten_megabyte_string() {
    let t = Tmp::new();
    let export = t.good("export");
    let big = "x".repeat(10 * 1024 * 1024);
    edit(
        &export.join("deployments.json"),
        "\"Comment\":  \"Remote reimage: USB boot media over the CMG\"",
        &format!("\"Comment\":  \"{big}\""),
    );
    check(&export).run().code(0);
}

#[test]
fn class_yaml_export_tab_indentation() {
    let t = Tmp::new();
    let export = t.good("export");
    write(
        &export.join("extra.yaml"),
        "- AdvertisementID: PS120099\n\tPackageID: PS100123\n",
    );
    check(&export)
        .run()
        .code(2)
        .stderr_names_place("extra.yaml");
}

#[test]
fn class_binary_garbage() {
    let t = Tmp::new();
    let export = t.good("export");
    // A PNG signature (not UTF-8, no BOM), then fixed pseudo-random bytes.
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..4096 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        bytes.push((x >> 24) as u8);
    }
    write(&export.join("x.json"), bytes);
    check(&export).run().code(2).stderr_has(&["x.json"]);
}

#[test]
fn class_directory_named_like_a_file() {
    let t = Tmp::new();
    let export = t.good("export");
    std::fs::create_dir(export.join("x.json")).expect("mkdir x.json");
    // A folder is walked like any folder: an empty one adds nothing.
    check(&export).run().code(0);
}

#[test]
fn class_symlink_loop_in_export() {
    let t = Tmp::new();
    let export = t.good("export");
    std::os::unix::fs::symlink(&export, export.join("loop")).expect("symlink");
    std::os::unix::fs::symlink("self.json", export.join("self.json")).expect("symlink");
    std::os::unix::fs::symlink("b.json", export.join("a.json")).expect("symlink");
    std::os::unix::fs::symlink("a.json", export.join("b.json")).expect("symlink");
    // Links are not followed: the run ends and reads what the good export holds.
    check(&export).run().code(0);
}

#[test]
fn class_hidden_file_ignored() {
    let t = Tmp::new();
    let export = t.good("export");
    write(&export.join(".secret.json"), "{ not json at all");
    std::fs::create_dir(export.join(".cache")).expect("mkdir");
    write(&export.join(".cache/x.json"), "{ not json either");
    check(&export).run().code(0);
}

#[test]
fn class_uppercase_extension_read() {
    let t = Tmp::new();
    let export = t.good("export");
    dep02_failing(&export);
    std::fs::rename(
        export.join("deployments.json"),
        export.join("DEPLOYMENTS.JSON"),
    )
    .expect("rename");
    // DEP-02 failing proves the file was read.
    check(&export).run().code(1).stdout_has(&["DEP-02"]);
}

// ---------------------------------------------------------------------------------------------
// B. New behaviour
// ---------------------------------------------------------------------------------------------

/// Rewrites a JSON file as one line, with a 70,000-character `Comment` in its first object.
fn compress_with_long_line(path: &Path) {
    let mut v: Value = serde_json::from_str(&read(path)).expect("fixture JSON");
    let first = v
        .as_array_mut()
        .and_then(|a| a.first_mut())
        .and_then(Value::as_object_mut)
        .expect("an array of objects");
    first.insert("Comment".into(), Value::String("x".repeat(70_000)));
    let line = serde_json::to_string(&v).expect("serialize");
    assert!(!line.contains('\n') && line.len() > 70_000);
    write(path, line);
}

#[test]
fn class_long_line_compressed_export() {
    let t = Tmp::new();
    let export = t.good("export");
    dep02_failing(&export);
    compress_with_long_line(&export.join("deployments.json"));
    compress_with_long_line(&export.join("content-status.json"));
    let (out, doc) = check(&export).args(["--format", "human"]).run_json(&t);
    out.code(1).stdout_has(&["DEP-02"]);
    let doc = doc_or_panic(doc, &out);
    assert_outcome(&doc, "DEP-02", "PS120045", "fail", &out);
}

#[test]
fn class_multibyte_now() {
    let t = Tmp::new();
    let export = t.good("export");
    cli([OsStr::new("check"), export.as_os_str()])
        .args(["--no-config", "--now", "2026-11-2é"])
        .run()
        .code(2)
        .stderr_has(&["not a date"]);
}

#[test]
fn class_multibyte_date_in_export() {
    let t = Tmp::new();
    let export = t.good("export");
    edit(
        &export.join("deployments.json"),
        "\"PresentTime\":  \"\\/Date(1795165200000)\\/\"",
        "\"PresentTime\":  \"2026-é1-01T00:00:00\"",
    );
    let (out, doc) = check(&export).run_json(&t);
    out.code_in(&[0, 1]);
    assert_outcome(
        &doc_or_panic(doc, &out),
        "DEP-07",
        "PS120045",
        "unknown",
        &out,
    );
}

#[test]
fn class_multibyte_date_in_media_plan() {
    let t = Tmp::new();
    let export = t.good("export");
    edit(
        &export.join("media.yaml"),
        "created: 2026-11-20",
        "created: \"2026-11-2é\"",
    );
    let (out, doc) = check(&export).run_json(&t);
    out.code_in(&[0, 1, 2]);
    if out.code == 2 {
        out.stderr_has(&["media.yaml"]);
    } else {
        let doc = doc_or_panic(doc, &out);
        let got = outcomes(&doc, "MED-09", None);
        assert!(
            !got.is_empty() && got.iter().all(|o| o.ends_with(":unknown")),
            "MED-09: {got:?}\n{}",
            out.context()
        );
    }
}

#[test]
fn class_fifo_as_media() {
    let t = Tmp::new();
    let export = t.good("export");
    let fifo = t.join("media.fifo");
    mkfifo(&fifo);
    check_no_media(&export)
        .arg("--media")
        .arg(&fifo)
        .run()
        .code(2)
        .stderr_has(&["not a regular file", "media.fifo"]);
}

#[test]
fn class_fifo_as_config() {
    let t = Tmp::new();
    let export = t.good("export");
    let fifo = t.join("config.fifo");
    mkfifo(&fifo);
    cli([OsStr::new("check"), export.as_os_str()])
        .arg("--media")
        .arg(export.join("media.yaml"))
        .args(["--now", NOW, "--color", "never", "--config"])
        .arg(&fifo)
        .run()
        .code(2)
        .stderr_has(&["not a regular file", "config.fifo"]);
}

#[test]
fn class_fifo_as_baseline() {
    let t = Tmp::new();
    let export = t.good("export");
    let fifo = t.join("baseline.fifo");
    mkfifo(&fifo);
    check(&export)
        .arg("--baseline")
        .arg(&fifo)
        .run()
        .code(2)
        .stderr_has(&["not a regular file", "baseline.fifo"]);
}

#[test]
fn class_fifo_as_export() {
    let t = Tmp::new();
    let fifo = t.join("export.fifo");
    mkfifo(&fifo);
    check_no_media(&fifo)
        .run()
        .code(2)
        .stderr_has(&["not a regular file", "export.fifo"]);
}

#[test]
fn class_dev_null_as_export() {
    check_no_media(Path::new("/dev/null"))
        .run()
        .code(2)
        .stderr_has(&["/dev/null"]);
}

#[test]
fn class_many_unrecognised_objects() {
    let t = Tmp::new();
    let export = t.good("export");
    let objects = vec!["    {\"Foo\": 1}"; 20_000].join(",\n");
    write(&export.join("junk.json"), format!("[\n{objects}\n]\n"));
    let sarif = t.join("out.sarif");
    let out = check(&export)
        .args(["--format", "human"])
        .format_to("sarif", &sarif)
        .run();
    out.code(0);
    let lines = out.stdout.lines().count();
    assert!(
        lines < 400,
        "the human report has {lines} lines (notes of one kind must be grouped)\n{}",
        out.context()
    );
    let size = std::fs::metadata(&sarif).map(|m| m.len()).unwrap_or(0);
    assert!(
        size > 0 && size < 300 * 1024,
        "the SARIF file has {size} bytes (expected under 300 KB)"
    );
}

#[test]
fn class_nested_quantifiers_budget() {
    let t = Tmp::new();
    let export = t.good("export");
    let rules = t.mkdir("rules");
    // Eight `every` over the task sequence's steps, each over the same list: the innermost
    // check is true, so nothing short-circuits (steps^8 evaluations).
    let names = ["sa", "sb", "sc", "sd", "se", "sf", "sg", "sh"];
    let pad = |depth: usize| " ".repeat(2 + 4 * depth);
    let mut condition = format!(
        "{p}path: {last}.name\n{p}exists: true\n",
        p = pad(names.len()),
        last = names[names.len() - 1]
    );
    for (depth, name) in names.iter().enumerate().rev() {
        condition = format!(
            "{p}every:\n{p}  in: deployment.task_sequence.steps\n{p}  as: {name}\n{p}  check:\n{condition}",
            p = pad(depth)
        );
    }
    let rule = format!(
        "id: LOCAL-90\nname: nested-quantifiers\ntitle: Nested quantifiers over the steps\nseverity: error\nconfidence: infer\nscenarios: [boot-media]\nscope: deployment\ncondition:\n{condition}message: \"Deployment {{deployment.id}}: {{found}}\"\nrationale: An evaluation budget test.\nremediation:\n  console: none\nsource: tests/bad_inputs.rs\n"
    );
    write(&rules.join("LOCAL-90.yaml"), &rule);
    let (out, doc) = check(&export).arg("--rules").arg(&rules).run_json(&t);
    out.code_in(&[0, 1]);
    let doc = doc_or_panic(doc, &out);
    assert_outcome(&doc, "LOCAL-90", "PS120045", "unknown", &out);
    let detail = results(&doc)
        .iter()
        .find(|r| r["rule"] == "LOCAL-90")
        .map(|r| r["detail"].to_string())
        .unwrap_or_default();
    assert!(
        contains_ci(&detail, "budget"),
        "LOCAL-90 detail lacks `budget`: {detail}"
    );
}

#[test]
fn class_empty_export_folder() {
    let t = Tmp::new();
    let export = t.mkdir("export");
    check_no_media(&export)
        .run()
        .code(2)
        .stderr_has(&["no ConfigMgr object"]);
}

#[test]
fn class_wrong_folder_only_unknown_files() {
    let t = Tmp::new();
    let export = t.mkdir("export");
    write(&export.join("README.md"), "# Not an export\n");
    write(&export.join("hello.json"), "{\"hello\": 1}\n");
    check_no_media(&export)
        .run()
        .code(2)
        .stderr_has(&["no ConfigMgr object"]);
}

#[test]
fn class_every_rule_off() {
    let t = Tmp::new();
    let export = t.good("export");
    let ids = all_rule_ids();
    assert!(ids.len() >= 50, "the catalog: {ids:?}");
    let mut c = check(&export);
    for id in &ids {
        c = c.args(["-A", id]);
    }
    c.run().code(2).stderr_has(&["every rule is off"]);
}

/// No folder above `dir` is a git repository (the discovery tests need that).
fn assert_outside_git(dir: &Path) {
    for d in dir.ancestors() {
        assert!(
            !d.join(".git").exists(),
            "{} is inside a git repository ({}); the test needs a temporary folder outside one",
            dir.display(),
            d.display()
        );
    }
}

#[test]
fn class_parent_config_outside_repo_ignored() {
    let t = Tmp::new();
    assert_outside_git(&t.path);
    write(&t.join(".cmg-preflight.yaml"), "fail_on: never\n");
    let export = t.good("sub/export");
    dep02_failing(&export);
    cli([
        "check",
        "export",
        "--media",
        "export/media.yaml",
        "--now",
        NOW,
    ])
    .args(["--color", "never"])
    .cwd(&t.join("sub"))
    .run()
    .code(1);
}

#[test]
fn class_config_at_repo_root_used_and_named() {
    let t = Tmp::new();
    assert_outside_git(&t.path);
    t.mkdir(".git");
    write(&t.join(".cmg-preflight.yaml"), "fail_on: never\n");
    let export = t.good("exports/site");
    dep02_failing(&export);
    let outs = Tmp::new();
    let (json, sarif, md) = (outs.join("r.json"), outs.join("r.sarif"), outs.join("r.md"));
    let out = cli([
        "check",
        "exports/site",
        "--media",
        "exports/site/media.yaml",
        "--now",
        NOW,
    ])
    .args(["--color", "never", "--format", "human"])
    .format_to("json", &json)
    .format_to("sarif", &sarif)
    .format_to("markdown", &md)
    .cwd(&t.path)
    .run();
    out.code(0);
    assert!(
        out.stdout
            .lines()
            .any(|l| contains_ci(l, "config") && l.contains(".cmg-preflight.yaml")),
        "no header line names the configuration\n{}",
        out.context()
    );
    let doc: Value = serde_json::from_str(&read(&json)).expect("JSON results");
    assert!(
        doc["context"].to_string().contains(".cmg-preflight.yaml"),
        "the JSON context does not name the configuration: {}",
        doc["context"]
    );
    assert!(
        read(&sarif).contains(".cmg-preflight.yaml"),
        "the SARIF file does not name the configuration"
    );
    assert!(
        read(&md).contains(".cmg-preflight.yaml"),
        "the markdown summary does not name the configuration"
    );
}

#[test]
fn class_config_in_export_folder_outside_repo_used() {
    let t = Tmp::new();
    assert_outside_git(&t.path);
    let export = t.good("export");
    dep02_failing(&export);
    write(&export.join(".cmg-preflight.yaml"), "fail_on: never\n");
    cli([
        "check",
        "export",
        "--media",
        "export/media.yaml",
        "--now",
        NOW,
    ])
    .args(["--color", "never"])
    .cwd(&t.path)
    .run()
    .code(0);
}

/// The lines of the human report that belong to the first diagnostic mentioning `word`: up
/// to the next diagnostic (an `input` note or a rule) or the checklist.
fn diagnostic_block<'a>(stdout: &'a str, word: &str) -> Vec<&'a str> {
    let lines: Vec<&str> = stdout.lines().collect();
    let Some(start) = lines.iter().position(|l| contains_ci(l, word)) else {
        return Vec::new();
    };
    let is_rule_title = |l: &str| {
        l.split_whitespace().next().is_some_and(|t| {
            t.split_once('-').is_some_and(|(a, n)| {
                !a.is_empty()
                    && a.chars().all(|c| c.is_ascii_uppercase())
                    && n.len() == 2
                    && n.chars().all(|c| c.is_ascii_digit())
            })
        }) && !l.starts_with(' ')
    };
    lines[start..]
        .iter()
        .enumerate()
        .take_while(|(i, l)| *i == 0 || !(**l == "Checklist" || **l == "input" || is_rule_title(l)))
        .map(|(_, l)| *l)
        .collect()
}

/// `block` shows line `n` of `file`: as `file:n:col` in a snippet header, or as a gutter line.
fn shows_line(block: &[&str], file: &str, n: usize) -> bool {
    block.iter().any(|l| {
        l.contains(&format!("{file}:{n}:"))
            || l.trim_start()
                .strip_prefix(&n.to_string())
                .is_some_and(|r| r.trim_start().starts_with(['│', '|']))
    })
}

#[test]
fn class_duplicate_json_key() {
    let t = Tmp::new();
    let export = t.good("export");
    // Line 12 keeps the passing value; line 19, out of reach of line 12's snippet context,
    // repeats the key with the failing one.
    let p = export.join("deployments.json");
    edit(
        &p,
        "\"PresentTimeIsGMT\":  false,",
        &format!("\"PresentTimeIsGMT\":  false,\n        {DEP02_FAIL},"),
    );
    assert_eq!(
        read(&p).lines().nth(18).map(str::trim),
        Some(format!("{DEP02_FAIL},").as_str()),
        "fixture: the second AdvertFlags is not on line 19"
    );
    let (out, doc) = check(&export).args(["--format", "human"]).run_json(&t);
    out.code_in(&[0, 1]).stdout_has(&["duplicate"]);
    let block = diagnostic_block(&out.stdout, "duplicate");
    for line in [12, 19] {
        assert!(
            shows_line(&block, "deployments.json", line),
            "the duplicate-key diagnostic does not show deployments.json line {line}:\n{}\n{}",
            block.join("\n"),
            out.context()
        );
    }
    let doc = doc_or_panic(doc, &out);
    assert_outcome(&doc, "DEP-02", "PS120045", "unknown", &out);
    assert_outcome(&doc, "DEP-03", "PS120045", "unknown", &out);
}

#[test]
fn class_huge_integer() {
    let t = Tmp::new();
    let export = t.good("export");
    edit(
        &export.join("deployments.json"),
        DEP02_GOOD,
        "\"AdvertFlags\":  99999999999999999999999",
    );
    let (out, doc) = check(&export).run_json(&t);
    out.code_in(&[0, 1]);
    let doc = doc_or_panic(doc, &out);
    assert_outcome(&doc, "DEP-02", "PS120045", "unknown", &out);
    assert_outcome(&doc, "DEP-03", "PS120045", "unknown", &out);
}

#[test]
fn class_invalid_calendar_now() {
    let t = Tmp::new();
    let export = t.good("export");
    let mut wrong = Vec::new();
    for now in ["2027-02-30", "2026-12-01 junk", "2026-12-01T00:00:00+99:00"] {
        let out = cli([OsStr::new("check"), export.as_os_str()])
            .args(["--no-config", "--color", "never", "--now", now])
            .run();
        if out.code != 2 || !contains_ci(&out.stderr, "not a date") {
            wrong.push(format!(
                "--now {now:?}: exit {}, stderr: {}",
                out.code,
                clip(out.stderr.trim(), 200)
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "accepted as dates:\n  {}",
        wrong.join("\n  ")
    );
}

#[test]
fn class_invalid_calendar_waiver_expiry() {
    let t = Tmp::new();
    let export = t.good("export");
    dep02_failing(&export);
    let config = t.join("waivers.yaml");
    write(
        &config,
        "waivers:\n  - rule: DEP-02\n    target: PS120045\n    reason: test\n    owner: jane.doe@contoso.com\n    expires: 2027-02-30\n",
    );
    cli([OsStr::new("check"), export.as_os_str()])
        .arg("--media")
        .arg(export.join("media.yaml"))
        .args(["--now", NOW, "--color", "never", "--config"])
        .arg(&config)
        .run()
        .code(2)
        .stderr_has(&["waivers.yaml"]);
}

#[test]
fn class_invalid_calendar_date_in_export() {
    let t = Tmp::new();
    let export = t.good("export");
    edit(
        &export.join("deployments.json"),
        "\"PresentTime\":  \"\\/Date(1795165200000)\\/\"",
        "\"PresentTime\":  \"2027-02-30T00:00:00\"",
    );
    let (out, doc) = check(&export).run_json(&t);
    out.code_in(&[0, 1]);
    assert_outcome(
        &doc_or_panic(doc, &out),
        "DEP-07",
        "PS120045",
        "unknown",
        &out,
    );
}

#[test]
fn class_custom_rule_replaces_builtin_is_said() {
    let t = Tmp::new();
    let export = t.good("export");
    let rules = t.mkdir("rules");
    std::fs::copy(root().join("rules/DEP-02.yaml"), rules.join("DEP-02.yaml")).expect("copy");
    let (out, doc) = check(&export)
        .arg("--rules")
        .arg(&rules)
        .args(["--format", "human"])
        .run_json(&t);
    out.code(0);
    assert!(
        out.stdout
            .lines()
            .any(|l| l.contains("DEP-02") && contains_ci(l, "replaces")),
        "no header line says that DEP-02 replaces the built-in rule\n{}",
        out.context()
    );
    let context = doc_or_panic(doc, &out)["context"].to_string();
    assert!(
        context.contains("DEP-02") && contains_ci(&context, "replaces"),
        "the JSON context does not say it: {context}"
    );
}

#[test]
fn class_stdout_write_error() {
    let t = Tmp::new();
    let export = t.good("export");
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("open /dev/full");
    check(&export)
        .args(["--format", "human"])
        .stdout_to(full)
        .run()
        .code(2)
        .stderr_has(&["cannot write"]);
}

/// deployments.json in Windows-1252 (Set-Content on Windows PowerShell 5.1) with an é.
fn windows_1252_deployments(export: &Path) {
    let p = export.join("deployments.json");
    let text = read(&p).replacen("Win11 23H2 – CMG media", "Déploiement CMG", 1);
    write(&p, windows_1252(&text));
}

#[test]
fn class_windows_1252_export() {
    let t = Tmp::new();
    let export = t.good("export");
    windows_1252_deployments(&export);
    check(&export)
        .run()
        .code(0)
        .output_has(&["Windows-1252", "deployments.json"]);
}

#[test]
fn class_encoding_utf8_forced_refuses_1252() {
    let t = Tmp::new();
    let export = t.good("export");
    windows_1252_deployments(&export);
    check(&export)
        .args(["--encoding", "utf-8"])
        .run()
        .code(2)
        .stderr_has(&["deployments.json"]);
}

#[test]
fn class_encoding_windows_1252_forced() {
    let t = Tmp::new();
    let export = t.good("export");
    windows_1252_deployments(&export);
    check(&export)
        .args(["--encoding", "windows-1252"])
        .run()
        .code(0);
}

#[test]
fn class_utf32_named() {
    let t = Tmp::new();
    let export = t.good("export");
    let p = export.join("deployments.json");
    let text = read(&p);
    let mut bytes = vec![0xFF, 0xFE, 0x00, 0x00];
    for c in text.chars() {
        bytes.extend_from_slice(&(c as u32).to_le_bytes());
    }
    write(&p, bytes.clone());
    // Read as UTF-32 (not mistaken for UTF-16LE, whose BOM it starts with): as the good export.
    check(&export).run().code(0);
    // Damaged UTF-32 is refused, and the error names the encoding.
    bytes.push(0);
    write(&p, bytes);
    check(&export)
        .run()
        .code(2)
        .stderr_has(&["deployments.json", "UTF-32LE"]);
}

/// Runs `base` once per output format (human, json, github, azure to standard output; SARIF
/// to a file) and checks the exit code and that the sentinel appears nowhere.
fn sentinel_absent_in_every_format(t: &Tmp, make: &dyn Fn() -> Cli, code: i32) {
    for format in ["human", "json", "github", "azure"] {
        let out = make().args(["--format", format]).run();
        out.code(code).nowhere(SENTINEL).nowhere("entinel-Pa55");
    }
    let sarif = t.join("secret.sarif");
    let out = make().format_to("sarif", &sarif).run();
    out.code(code).nowhere(SENTINEL).nowhere("entinel-Pa55");
    if let Ok(text) = std::fs::read_to_string(&sarif) {
        assert!(
            !text.contains("entinel-Pa55"),
            "the SARIF file holds the sentinel"
        );
    }
}

#[test]
fn class_secret_near_parse_error() {
    let t = Tmp::new();
    let export = t.good("export");
    edit(
        &export.join("client-settings.json"),
        "\"Priority\":  10000,",
        &format!("\"Password\":  \"{SENTINEL}\",\n        \"Priority\":  10000 oops,"),
    );
    sentinel_absent_in_every_format(&t, &|| check(&export), 2);
}

#[test]
fn class_yaml_secret_sequence() {
    let t = Tmp::new();
    let export = t.good("export");
    edit(
        &export.join("media.yaml"),
        "unattended: false",
        &format!("password: [{SENTINEL}, other]\nunattended: false"),
    );
    sentinel_absent_in_every_format(&t, &|| check(&export), 2);
}

#[test]
fn class_config_secret_redacted() {
    let t = Tmp::new();
    let export = t.good("export");
    let config = t.join("config.yaml");
    write(&config, format!("fail_on: error\npassword: {SENTINEL}\n"));
    let make = || {
        cli([OsStr::new("check"), export.as_os_str()])
            .arg("--media")
            .arg(export.join("media.yaml"))
            .args(["--now", NOW, "--color", "never", "--config"])
            .arg(&config)
    };
    make().run().code(2).stderr_has(&["config.yaml"]);
    sentinel_absent_in_every_format(&t, &make, 2);
}

#[test]
fn class_sequence_xml_join_password() {
    let t = Tmp::new();
    let export = t.good("export");
    // A step variable with the domain join password inside the Sequence XML, then an invalid
    // escape right after it on the same line: the parse error points next to the secret.
    edit(
        &export.join("task-sequences.json"),
        "\\u003c/referenceList\\u003e\\r\\n",
        &format!(
            "\\u003c/referenceList\\u003e\\r\\n  \\u003cvariable name=\\\"OSDJoinPassword\\\"\\u003e{SENTINEL}\\u003c/variable\\u003e\\q\\r\\n"
        ),
    );
    sentinel_absent_in_every_format(&t, &|| check(&export), 2);
}

/// An export with two files whose names carry a newline and a CI command, each holding an
/// object cmg-preflight does not read (so a note points at the file).
fn hostile_names(t: &Tmp) -> PathBuf {
    let export = t.good("export");
    for name in [
        "x\n##vso[task.setvariable variable=pwned]y.json",
        "z\n::add-mask::q.json",
        "w\n::set-output name=pwned::v.json",
    ] {
        write(&export.join(name), "[{\"Foo\": 1}]\n");
    }
    export
}

#[test]
fn class_hostile_file_name_azure() {
    let t = Tmp::new();
    let export = hostile_names(&t);
    let out = check(&export).args(["--format", "azure"]).run();
    out.code_in(&[0, 1]);
    for line in out.stdout.lines() {
        assert!(
            !line.starts_with("##vso[") || line.starts_with("##vso[task.logissue"),
            "a file name became a logging command: {line}\n{}",
            out.context()
        );
    }
}

#[test]
fn class_hostile_file_name_github() {
    let t = Tmp::new();
    let export = hostile_names(&t);
    let out = check(&export).args(["--format", "github"]).run();
    out.code_in(&[0, 1]);
    for line in out.stdout.lines() {
        assert!(
            !line.starts_with("::")
                || ["::error", "::warning", "::notice"]
                    .iter()
                    .any(|k| line.starts_with(k)),
            "a file name became a workflow command: {line}\n{}",
            out.context()
        );
    }
}

#[test]
fn class_hostile_file_name_human() {
    let t = Tmp::new();
    let export = hostile_names(&t);
    let out = check(&export).args(["--format", "human"]).run();
    out.code_in(&[0, 1]);
    for line in out.stdout.lines() {
        assert!(
            !line.starts_with("##vso[") && !line.starts_with("::"),
            "a file name starts a line as a CI command: {line}\n{}",
            out.context()
        );
    }
}

/// A character device to write a report to. /dev/null itself is not used: before the fix,
/// the report would be renamed over it (as root, for the whole machine). A node with the same
/// device number in the temporary folder shows the same thing without that risk.
fn char_device(t: &Tmp) -> PathBuf {
    let path = t.join("null");
    let made = Command::new("mknod")
        .arg(&path)
        .args(["c", "1", "3"])
        .status()
        .is_ok_and(|s| s.success());
    if made {
        return path;
    }
    // Without the right to make device nodes, the process cannot write into /dev either.
    let probe = t.join("probe");
    write(&probe, "");
    let uid = std::fs::metadata(&probe).expect("probe").uid();
    assert_ne!(
        uid, 0,
        "mknod failed while running as root: not writing a report to /dev/null"
    );
    PathBuf::from("/dev/null")
}

#[test]
fn class_output_dev_null_refused() {
    let t = Tmp::new();
    let export = t.good("export");
    let device = char_device(&t);
    let out = check(&export).format_to("json", &device).run();
    let still = std::fs::metadata(&device)
        .map(|m| m.file_type().is_char_device())
        .unwrap_or(false);
    assert!(
        still,
        "{} is no longer a character device\n{}",
        device.display(),
        out.context()
    );
    out.code(2).stderr_has(&["not a regular file"]);
}

#[test]
fn class_output_symlink_refused() {
    let t = Tmp::new();
    let export = t.good("export");
    let target = t.join("target.json");
    write(&target, "ORIGINAL");
    let link = t.join("link.json");
    std::os::unix::fs::symlink(&target, &link).expect("symlink");
    let out = check(&export).format_to("json", &link).run();
    let is_link = std::fs::symlink_metadata(&link)
        .map(|m| m.file_type().is_symlink())
        .unwrap_or(false);
    assert!(
        is_link && std::fs::read_link(&link).ok().as_deref() == Some(target.as_path()),
        "the link was replaced\n{}",
        out.context()
    );
    assert_eq!(read(&target), "ORIGINAL", "the link's target was changed");
    out.code(2);
}

#[test]
fn class_output_is_input_refused() {
    let t = Tmp::new();
    let export = t.good("export");
    let input = export.join("deployments.json");
    let before = std::fs::read(&input).expect("read");
    for target in [input.clone(), export.join("../export/deployments.json")] {
        let out = check(&export).format_to("json", &target).run();
        assert!(
            std::fs::read(&input).expect("read") == before,
            "the input was overwritten through {}\n{}",
            target.display(),
            out.context()
        );
        out.code(2);
        // Every refused input carries the diagnostic code `input`: the message itself must
        // say that the target is an input.
        let message: Vec<&str> = out.stderr.lines().filter(|l| l.trim() != "input").collect();
        assert!(
            contains_ci(&message.join("\n"), "input"),
            "the refusal does not say the file is an input\n{}",
            out.context()
        );
    }
}

#[test]
fn class_output_keeps_permissions() {
    let t = Tmp::new();
    let export = t.good("export");
    let file = t.join("report.json");
    write(&file, "old");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let out = check(&export).format_to("json", &file).run();
    out.code(0);
    let doc: Value = serde_json::from_str(&read(&file)).expect("the new report is JSON");
    assert!(doc["results"].is_array(), "not the results");
    let mode = std::fs::metadata(&file).expect("stat").permissions().mode() & 0o777;
    assert_eq!(mode, 0o600, "mode {mode:o} after the write, was 600");
}

#[test]
fn class_output_no_temp_left() {
    let t = Tmp::new();
    let export = t.good("export");
    let dir = t.mkdir("out");
    check(&export)
        .format_to("json", &dir.join("report.json"))
        .run()
        .code(0);
    // A failed write (the target is a folder) leaves nothing behind either.
    std::fs::create_dir(dir.join("sub")).expect("mkdir");
    check(&export)
        .format_to("json", &dir.join("sub"))
        .run()
        .code(2);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("read out/")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["report.json", "sub"],
        "files left in the output folder"
    );
}

// ---------------------------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------------------------

/// The `class_*` test functions of this file, each checked to be a `#[test]`.
fn tests_in_this_file() -> Vec<String> {
    let source = include_str!("bad_inputs.rs");
    let marker = concat!("fn ", "class_");
    let lines: Vec<&str> = source.lines().collect();
    let mut names = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(rest) = line.strip_prefix(marker) else {
            continue;
        };
        let name = format!("class_{}", rest.split('(').next().unwrap_or_default());
        assert_eq!(
            i.checked_sub(1).map(|p| lines[p].trim()),
            Some("#[test]"),
            "{name} is not marked #[test]"
        );
        names.push(name);
    }
    names
}

/// The `test` column of docs/bad-input.md.
fn table_rows() -> Vec<String> {
    let table = include_str!("../docs/bad-input.md");
    let mut rows = Vec::new();
    let mut header_seen = false;
    for line in table.lines().map(str::trim) {
        if !line.starts_with('|') {
            continue;
        }
        let cells: Vec<&str> = line.trim_matches('|').split('|').map(str::trim).collect();
        if !header_seen {
            assert_eq!(
                cells,
                ["class", "input", "behaviour", "test"],
                "the table's columns"
            );
            header_seen = true;
            continue;
        }
        if cells
            .iter()
            .all(|c| c.chars().all(|ch| ch == '-' || ch == ':'))
        {
            continue;
        }
        assert_eq!(cells.len(), 4, "a row with {} cells: {line}", cells.len());
        rows.push(cells[3].trim_matches('`').to_string());
    }
    rows
}

#[test]
fn table_and_tests_agree() {
    let tests = tests_in_this_file();
    let rows = table_rows();
    assert!(tests.len() >= 45, "{} classes", tests.len());
    let mut problems = Vec::new();
    for t in &tests {
        match rows.iter().filter(|r| *r == t).count() {
            1 => {}
            n => problems.push(format!("{t}: {n} rows in docs/bad-input.md")),
        }
    }
    for r in &rows {
        if !tests.contains(r) {
            problems.push(format!(
                "docs/bad-input.md names `{r}`, which is no class_ test"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
