//! Entry points for fuzzing: one function per target in `fuzz/fuzz_targets/`, each feeding
//! arbitrary bytes through the real code. The same functions run in `cargo test`
//! (`tests/fuzz_regressions.rs`) on the saved crash inputs and on seeds from `testdata/`, so how
//! an input reaches the code is written once. None of them panics on its own: a panic is a bug
//! in the code it drives. Not part of the tool's interface.
//!
//! The fuzzers are libFuzzer through cargo-fuzz (<https://rust-fuzz.github.io/book/cargo-fuzz.html>);
//! `fuzz/README.md` says how to run them.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock};

use clap::Parser;

use crate::cli::{Args, Command};
use crate::export::field::{as_bool, as_int, parse_date};
use crate::report::style::Style;
use crate::source::node::{Node, Value};
use crate::source::{decode, json, yaml, SourceMap};

macro_rules! good {
    ($($name:literal),* $(,)?) => {
        [$(($name, include_bytes!(concat!("../testdata/good/", $name)) as &[u8])),*]
    };
}

/// The files of `testdata/good`, the known-good export that `check_export` damages one file of.
/// The first input byte picks the file (modulo the count); the rest of the input replaces it.
pub const CHECK_EXPORT_FILES: [(&str, &[u8]); 17] = good![
    "boot-images.json",
    "boundary-group-site-systems.json",
    "boundary-groups.json",
    "certificates.json",
    "client-setting-deployments.json",
    "client-settings.json",
    "cmg-connection-points.json",
    "cmg.json",
    "content-status.json",
    "deployments.json",
    "distribution-points.json",
    "management-points.json",
    "manifest.json",
    "media.yaml",
    "site-component-manager.json",
    "site.json",
    "task-sequences.json",
];

/// The date `check_export` runs as of, so a run does not depend on the day.
const NOW: &str = "2026-11-24";

/// `source::json`: the streaming and whole-document readers, and the escape walker that maps
/// decoded string offsets back into the raw text.
pub fn json_items(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut nodes = Vec::new();
    if json::parse_items(&text, &[], |n| nodes.push(n)).is_ok() {
        let _ = json::parse(&text);
    }
    // As `export::field::Obj::inside_string` calls it: on the raw text between a string's quotes.
    for n in &nodes {
        walk(n, &mut |n| {
            if let Value::String(s) = &n.value {
                if let Some(raw) = text.get(n.span.start() + 1..n.span.end().saturating_sub(1)) {
                    for offset in [0, s.len() / 2, s.len(), s.len() + 1] {
                        let _ = json::raw_offset(raw, offset);
                    }
                }
            }
        });
    }
    // And on the whole text, at offsets the input chooses.
    let first = data.first().copied().unwrap_or(0) as usize;
    for offset in [first, text.len() / 2, text.len(), usize::MAX] {
        let _ = json::raw_offset(&text, offset);
    }
}

/// `source::yaml`: the YAML reader with its span tree.
pub fn yaml(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = yaml::parse(&text);
}

/// `source::decode` (BOMs, UTF-16, invalid UTF-8), then the lenient field decoders on what the
/// text holds: dates on every line, and integers, booleans and dates on every JSON value.
pub fn decode(data: &[u8]) {
    let Ok(decoded) = decode::decode(data.to_vec(), None) else {
        return;
    };
    for line in decoded.text.lines() {
        let _ = parse_date(line);
    }
    let _ = json::parse_items(&decoded.text, &crate::export::records::DEFERRED, |n| {
        walk(&n, &mut |n| {
            let _ = as_int(n);
            let _ = as_bool(n);
            if let Some(s) = n.as_str() {
                let _ = parse_date(s);
            }
        });
    });
}

/// `model::media`: a media plan file, read, validated against its schema, then turned into facts.
pub fn media_plan(data: &[u8]) {
    with_file("media.yaml", data, |path| {
        let mut sources = SourceMap::default();
        if let Ok(plan) = crate::model::media::load(path, &mut sources, None) {
            let _ = plan.fact(None, 0);
            let hosts = ["contosocmg".to_string()];
            let _ = plan.fact(Some(&hosts), now_ms());
            let _ = plan.deployments();
        }
    });
}

/// `config::load`: a whole `.cmg-preflight.yaml`.
pub fn config(data: &[u8]) {
    with_file(crate::config::FILE_NAMES[0], data, |path| {
        let _ = crate::config::load(path, &mut SourceMap::default(), None);
    });
}

/// Waivers: the input is the body of a configuration's `waivers:` list, so mutations stay
/// inside waiver entries (rules, targets, `expires` dates). A configuration that loads has its
/// waivers applied against the built-in catalog (with no findings, each waiver is reported as
/// matching nothing, which renders its target and dates).
pub fn waivers(data: &[u8]) {
    let mut file = b"waivers:\n".to_vec();
    file.extend_from_slice(data);
    with_file(crate::config::FILE_NAMES[0], &file, |path| {
        let Ok(config) = crate::config::load(path, &mut SourceMap::default(), None) else {
            return;
        };
        let mut rules = builtin_rules().to_vec();
        let mut findings = Vec::new();
        crate::gate::waivers::apply(&mut findings, &mut rules, &config.waivers, now_ms());
    });
}

/// `rules::registry::parse_all`: one rule file.
pub fn rule_file(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let _ = crate::rules::registry::parse_all(&[("fuzz.yaml", &text)]);
}

/// The whole `check` run, in-process, on `testdata/good` with one file replaced: the first byte
/// picks the file ([`CHECK_EXPORT_FILES`]), the rest is its new content. Renders JSON and the
/// human report (the human renderer quotes source lines, where long or odd lines end up).
pub fn check_export(data: &[u8]) {
    let Some((&pick, content)) = data.split_first() else {
        return;
    };
    let victim = pick as usize % CHECK_EXPORT_FILES.len();
    let mut export = ExportDir::lock();
    export.replace(victim, content);
    let dir = export.dir.to_string_lossy().into_owned();
    let media = export.dir.join("media.yaml").to_string_lossy().into_owned();
    // What a user piping the report to a file gets: no colour, Unicode, 100 columns
    // (`Style::detect` without a terminal or COLUMNS), fixed here so a run is reproducible.
    let style = Style {
        color: false,
        unicode: true,
        width: 100,
    };
    for format in ["json", "human"] {
        let args = Args::try_parse_from([
            "cmg-preflight",
            "check",
            &dir,
            "--media",
            &media,
            "--now",
            NOW,
            "--no-config",
            "--format",
            format,
        ]);
        let Ok(Args {
            command: Command::Check(check),
        }) = args
        else {
            panic!("fuzz_entry: the fixed check arguments do not parse");
        };
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let _ = crate::run::check(&check, &style, &mut out, &mut err);
    }
}

/// Every node of a tree, depth first.
fn walk(n: &Node, f: &mut dyn FnMut(&Node)) {
    f(n);
    match &n.value {
        Value::Array(items) => items.iter().for_each(|i| walk(i, f)),
        Value::Object(members) => members.iter().for_each(|m| walk(&m.value, f)),
        _ => {}
    }
}

fn now_ms() -> i64 {
    parse_date(NOW).unwrap_or_default()
}

fn builtin_rules() -> &'static [crate::rules::format::Rule] {
    static RULES: OnceLock<Vec<crate::rules::format::Rule>> = OnceLock::new();
    RULES.get_or_init(|| {
        crate::rules::registry::builtin()
            .unwrap_or_else(|_| panic!("fuzz_entry: the built-in rule catalog does not load"))
    })
}

/// This process's scratch folder; fuzzing runs millions of inputs, so files are rewritten in
/// place rather than created anew.
fn scratch() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("cmg-preflight-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("fuzz_entry: create the scratch folder");
        dir
    })
}

/// A lock taken even when a previous holder panicked (a panic is what fuzzing looks for; the
/// regression test runs on after one, on other threads).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Writes `bytes` to `name` in a folder of its own and calls `f` with the path. One call at a
/// time: the test harness runs tests on several threads.
fn with_file(name: &str, bytes: &[u8], f: impl FnOnce(&Path)) {
    static FILES: Mutex<()> = Mutex::new(());
    let _held = lock(&FILES);
    let dir = scratch().join("file");
    std::fs::create_dir_all(&dir).expect("fuzz_entry: create the scratch folder");
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("fuzz_entry: write the input file");
    f(&path);
}

/// The copy of `testdata/good` that `check_export` runs on, and the file it last replaced.
struct ExportDir {
    dir: PathBuf,
    dirty: Option<usize>,
}

impl ExportDir {
    /// The folder, written on first use, and the lock on it (one check at a time).
    fn lock() -> MutexGuard<'static, ExportDir> {
        static EXPORT: OnceLock<Mutex<ExportDir>> = OnceLock::new();
        lock(EXPORT.get_or_init(|| {
            let dir = scratch().join("export");
            std::fs::create_dir_all(&dir).expect("fuzz_entry: create the export folder");
            for (name, bytes) in CHECK_EXPORT_FILES {
                std::fs::write(dir.join(name), bytes).expect("fuzz_entry: write the export");
            }
            Mutex::new(ExportDir { dir, dirty: None })
        }))
    }

    /// Puts back the file replaced last time (even if that run panicked), then replaces one.
    fn replace(&mut self, index: usize, content: &[u8]) {
        if let Some(i) = self.dirty.take() {
            let (name, bytes) = CHECK_EXPORT_FILES[i];
            std::fs::write(self.dir.join(name), bytes).expect("fuzz_entry: restore the export");
        }
        let (name, _) = CHECK_EXPORT_FILES[index];
        self.dirty = Some(index);
        std::fs::write(self.dir.join(name), content).expect("fuzz_entry: write the input file");
    }
}
