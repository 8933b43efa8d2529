//! The fuzz targets' inputs, run in `cargo test` (CI runs no fuzzer). For each target of
//! `fuzz/fuzz_targets/`, through the same `cmg_preflight::fuzz_entry` function the fuzzer calls:
//! - `NAME::regressions`: every input a fuzzer once crashed on, kept minimized in
//!   `tests/fuzz-regressions/NAME/`. A panic fails the test (after the other inputs ran, so
//!   the failure lists every input that still panics); that is the point.
//! - `NAME::seeds`: every seed built from `testdata/` and `examples/` (the known-good export,
//!   the end-to-end cases' edits, the rule catalog), so the entry functions themselves run here.
//!
//! The seeds are also the fuzzers' starting corpus: `fuzz/seed.sh` runs the ignored
//! `write_corpus` test, which writes them to `$FUZZ_CORPUS/NAME/`.

use std::path::{Path, PathBuf};

use cmg_preflight::fuzz_entry::{self, CHECK_EXPORT_FILES};
use cmg_preflight::source::node::{Node, Value};

type Entry = fn(&[u8]);

const TARGETS: [(&str, Entry); 8] = [
    ("json_items", fuzz_entry::json_items),
    ("yaml", fuzz_entry::yaml),
    ("decode", fuzz_entry::decode),
    ("media_plan", fuzz_entry::media_plan),
    ("config", fuzz_entry::config),
    ("waivers", fuzz_entry::waivers),
    ("rule_file", fuzz_entry::rule_file),
    ("check_export", fuzz_entry::check_export),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn regressions_dir() -> PathBuf {
    root().join("tests/fuzz-regressions")
}

/// Runs every saved crash input of a target; prints how many (a target may have none yet).
fn run_regressions(target: &str, entry: Entry) {
    let dir = regressions_dir().join(target);
    let files = files(&dir, |_| true);
    if files.is_empty() {
        println!(
            "{target}: no regression inputs yet ({} is empty or absent)",
            dir.display()
        );
        return;
    }
    // Every input runs even after one panics, so the failure lists all that still crash.
    let mut panicked = Vec::new();
    for f in &files {
        println!("{target}: {}", f.display());
        let bytes = std::fs::read(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        if std::panic::catch_unwind(|| entry(&bytes)).is_err() {
            panicked.push(f.display().to_string());
        }
    }
    println!("{target}: {} regression inputs ran", files.len());
    assert!(
        panicked.is_empty(),
        "{target}: {} of {} regression inputs panic (messages above):\n{}",
        panicked.len(),
        files.len(),
        panicked.join("\n")
    );
}

fn run_seeds(target: &str, entry: Entry) {
    let seeds = seeds(target);
    assert!(!seeds.is_empty(), "{target}: no seeds were built");
    for (name, bytes) in &seeds {
        println!("{target}: seed {name}");
        entry(bytes);
    }
    println!("{target}: {} seeds ran", seeds.len());
}

macro_rules! target_tests {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[test]
            fn regressions() {
                super::run_regressions(stringify!($name), cmg_preflight::fuzz_entry::$name);
            }
            #[test]
            fn seeds() {
                super::run_seeds(stringify!($name), cmg_preflight::fuzz_entry::$name);
            }
        }
    )*};
}

target_tests!(
    json_items,
    yaml,
    decode,
    media_plan,
    config,
    waivers,
    rule_file,
    check_export
);

/// A regression input in a folder that names no target would never run: refuse it.
#[test]
fn regression_folders_name_targets() {
    let Ok(entries) = std::fs::read_dir(regressions_dir()) else {
        println!("no tests/fuzz-regressions/ folder yet");
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if e.path().is_dir() {
            assert!(
                TARGETS.iter().any(|(t, _)| *t == name),
                "tests/fuzz-regressions/{name}/ names no fuzz target (one of {:?})",
                TARGETS.map(|(t, _)| t)
            );
        }
    }
}

/// `fuzz/seed.sh`: writes every target's seeds to `$FUZZ_CORPUS/NAME/`.
#[test]
#[ignore = "writes the fuzz corpus; run by fuzz/seed.sh"]
fn write_corpus() {
    let out = PathBuf::from(std::env::var_os("FUZZ_CORPUS").expect("FUZZ_CORPUS is set"));
    for (target, _) in TARGETS {
        let dir = out.join(target);
        std::fs::create_dir_all(&dir).expect("create the corpus folder");
        let seeds = seeds(target);
        for (name, bytes) in &seeds {
            let file = format!("seed-{}", name.replace(['/', '\\'], "-"));
            std::fs::write(dir.join(file), bytes).expect("write a seed");
        }
        println!("{target}: {} seeds in {}", seeds.len(), dir.display());
    }
}

/// The files of a folder (not recursive, no dot files), sorted.
fn files(dir: &Path, keep: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    out.retain(|p| {
        p.is_file()
            && !p
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            && keep(p)
    });
    out.sort();
    out
}

fn with_ext(dir: &str, exts: &[&str]) -> Vec<(String, Vec<u8>)> {
    files(&root().join(dir), |p| {
        p.extension()
            .is_some_and(|e| exts.iter().any(|x| e.eq_ignore_ascii_case(x)))
    })
    .into_iter()
    .map(|p| {
        let name = format!(
            "{}-{}",
            dir.replace('/', "-"),
            p.file_name().unwrap_or_default().to_string_lossy()
        );
        let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
        (name, bytes)
    })
    .collect()
}

/// One file that an end-to-end case (`testdata/cases/*.yaml`) writes or edits.
struct CaseFile {
    case: String,
    file: String,
    bytes: Vec<u8>,
}

/// The files the cases write whole, and the known-good export files after each case's edits
/// (`replace` once, at an `occurrence` or `all`; edits with `through` are left to
/// tests/cases.rs), encoded as the case says. Every case edit is a small, meaningful change to
/// a valid input: good seeds.
fn case_files() -> Vec<CaseFile> {
    let mut out = Vec::new();
    for path in files(&root().join("testdata/cases"), |p| {
        p.extension().is_some_and(|e| e == "yaml")
    }) {
        let case = path
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let Ok((doc, _)) = cmg_preflight::source::yaml::parse(&text) else {
            panic!("{}: not YAML", path.display());
        };
        let edits = match doc.get("edits").map(|n| &n.value) {
            Some(Value::Array(items)) => items.as_slice(),
            _ => &[],
        };
        let s = |e: &Node, k: &str| e.get(k).and_then(Node::as_str).map(str::to_string);
        // (file, text, encoding) after this case's edits so far, in edit order.
        let mut edited: Vec<(String, String, Option<String>)> = Vec::new();
        for e in edits {
            let Some(file) = s(e, "file") else { continue };
            let slot = edited.iter().position(|(f, _, _)| *f == file);
            let base = match slot {
                Some(i) => Some(edited[i].1.clone()),
                None => CHECK_EXPORT_FILES
                    .iter()
                    .find(|(n, _)| *n == file)
                    .map(|(_, b)| String::from_utf8_lossy(b).into_owned()),
            };
            let text = if let Some(w) = s(e, "write") {
                w
            } else if let (Some(from), Some(base)) = (s(e, "replace"), &base) {
                if e.has("through") {
                    continue;
                }
                let with = s(e, "with").unwrap_or_default();
                let all = matches!(e.get("all").map(|n| &n.value), Some(Value::Bool(true)));
                let nth = match e.get("occurrence").map(|n| &n.value) {
                    Some(Value::Int(n)) => usize::try_from(*n).unwrap_or(1),
                    _ => 1,
                };
                match base.match_indices(&from).nth(nth.saturating_sub(1)) {
                    _ if all => base.replace(&from, &with),
                    Some((i, _)) => {
                        let mut t = base.clone();
                        t.replace_range(i..i + from.len(), &with);
                        t
                    }
                    None => continue,
                }
            } else if let (Some(_), Some(base)) = (s(e, "encode"), base) {
                base
            } else {
                continue;
            };
            let encoding = s(e, "encode").or_else(|| slot.and_then(|i| edited[i].2.clone()));
            match slot {
                Some(i) => edited[i] = (file, text, encoding),
                None => edited.push((file, text, encoding)),
            }
        }
        for (file, text, encoding) in edited {
            out.push(CaseFile {
                case: case.clone(),
                file,
                bytes: encode(&text, encoding.as_deref()),
            });
        }
    }
    out
}

/// As tests/cases.rs writes a fixture.
fn encode(text: &str, encoding: Option<&str>) -> Vec<u8> {
    match encoding {
        Some("utf-16le") => [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect(),
        Some("utf-16be") => [0xFE, 0xFF]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
            .collect(),
        Some("utf-8-bom") => [0xEF, 0xBB, 0xBF].into_iter().chain(text.bytes()).collect(),
        Some("latin-1") => text.chars().map(|c| c as u32 as u8).collect(),
        _ => text.as_bytes().to_vec(),
    }
}

/// Hand-written waiver list bodies (after `waivers:\n`): the forms the schema allows, dates in
/// each form `parse_date` reads, and kinds with and without a target kind.
const WAIVER_SNIPPETS: &[(&str, &str)] = &[
    ("empty", "[]\n"),
    (
        "kind-target",
        "- rule: DEP-02\n  target: deployment:PS120045\n  reason: change on 1 December\n  owner: jane.doe@contoso.com\n  expires: 2026-11-01\n",
    ),
    (
        "bare-target",
        "- rule: CNT-01\n  target: PS100022\n  reason: not used remotely\n  owner: ops\n  expires: 2027-01-31T09:30:00Z\n",
    ),
    (
        "dmtf-date",
        "- rule: CMG-07\n  target: site:PS1\n  reason: CRL published in January\n  owner: pki\n  expires: \"20270131093000.000000+***\"\n",
    ),
    (
        "json-date",
        "- {rule: MED-06, target: \"media:boot media\", reason: r, owner: o, expires: \"/Date(1795000000000)/\"}\n",
    ),
    (
        "two-waivers",
        "- rule: DEP-02\n  target: deployment:PS120045\n  reason: a\n  owner: b\n  expires: 2026-11-30\n- rule: DEP-02\n  target: content:PS100022\n  reason: c\n  owner: d\n  expires: 2026-12-01 10:00:00\n",
    ),
];

/// Strips everything up to and including a `waivers:` line: the list body.
fn waiver_body(config: &str) -> Option<&str> {
    let start = config.find("waivers:")?;
    let rest = &config[start + "waivers:".len()..];
    Some(rest.strip_prefix('\n').unwrap_or(rest))
}

/// Every seed of a target, named, without duplicates.
fn seeds(target: &str) -> Vec<(String, Vec<u8>)> {
    let json = || {
        let mut v = with_ext("testdata/good", &["json"]);
        v.extend(with_ext("examples/contoso", &["json"]));
        v.extend(with_ext("testdata/report", &["json", "sarif"]));
        v
    };
    let cases = case_files();
    let case_seed = |c: &CaseFile| (format!("case-{}-{}", c.case, c.file), c.bytes.clone());
    let is = |c: &CaseFile, suffix: &str| c.file.ends_with(suffix);
    let mut seeds: Vec<(String, Vec<u8>)> = match target {
        "json_items" => {
            let mut v = json();
            v.extend(cases.iter().filter(|c| is(c, ".json")).map(case_seed));
            v
        }
        "decode" => {
            let mut v = json();
            v.extend(cases.iter().filter(|c| is(c, ".json")).map(case_seed));
            // Each BOM on one known-good file, whatever the cases cover.
            let (name, site) = CHECK_EXPORT_FILES[15];
            let site = String::from_utf8_lossy(site);
            for enc in ["utf-16le", "utf-16be", "utf-8-bom"] {
                v.push((format!("{enc}-{name}"), encode(&site, Some(enc))));
            }
            v
        }
        "yaml" => {
            let mut v = with_ext("rules", &["yaml"]);
            v.extend(with_ext("testdata/cases", &["yaml"]));
            v.extend(with_ext("testdata/good", &["yaml"]));
            v.extend(with_ext("examples/contoso", &["yaml"]));
            v.extend(cases.iter().filter(|c| is(c, ".yaml")).map(case_seed));
            v
        }
        "media_plan" => {
            let mut v = with_ext("testdata/good", &["yaml"]);
            v.extend(with_ext("examples/contoso", &["yaml"]));
            v.extend(
                cases
                    .iter()
                    .filter(|c| c.file == "media.yaml")
                    .map(case_seed),
            );
            v
        }
        "config" => {
            let mut v = vec![(
                "starter.yaml".to_string(),
                cmg_preflight::config::STARTER.as_bytes().to_vec(),
            )];
            v.extend(
                cases
                    .iter()
                    .filter(|c| c.file == ".cmg-preflight.yaml")
                    .map(case_seed),
            );
            v
        }
        "waivers" => {
            let mut v: Vec<(String, Vec<u8>)> = WAIVER_SNIPPETS
                .iter()
                .map(|(n, s)| (format!("{n}.yaml"), s.as_bytes().to_vec()))
                .collect();
            for c in cases.iter().filter(|c| c.file == ".cmg-preflight.yaml") {
                let text = String::from_utf8_lossy(&c.bytes);
                if let Some(body) = waiver_body(&text) {
                    v.push((format!("case-{}.yaml", c.case), body.as_bytes().to_vec()));
                }
            }
            v
        }
        "rule_file" => {
            let mut v = with_ext("rules", &["yaml"]);
            v.extend(
                cases
                    .iter()
                    .filter(|c| c.file.contains("rules/") && is(c, ".yaml"))
                    .map(case_seed),
            );
            v
        }
        "check_export" => {
            let pick = |file: &str| CHECK_EXPORT_FILES.iter().position(|(n, _)| *n == file);
            let with_pick = |i: usize, bytes: &[u8]| {
                let mut b = vec![i as u8];
                b.extend_from_slice(bytes);
                b
            };
            let mut v: Vec<(String, Vec<u8>)> = CHECK_EXPORT_FILES
                .iter()
                .enumerate()
                .map(|(i, (n, b))| (format!("good-{n}"), with_pick(i, b)))
                .collect();
            for (name, bytes) in with_ext("examples/contoso", &["json", "yaml"]) {
                let file = name.trim_start_matches("examples-contoso-");
                if let Some(i) = pick(file) {
                    v.push((name.clone(), with_pick(i, &bytes)));
                }
            }
            for c in &cases {
                if let Some(i) = pick(&c.file) {
                    let (name, bytes) = case_seed(c);
                    v.push((name, with_pick(i, &bytes)));
                }
            }
            v
        }
        other => panic!("no fuzz target {other}"),
    };
    // Same bytes from two sources: keep the first.
    let mut seen = std::collections::HashSet::new();
    seeds.retain(|(_, b)| seen.insert(b.clone()));
    seeds
}
