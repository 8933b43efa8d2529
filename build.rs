//! Embeds every `rules/*.yaml` (and the example cases) in the binary, so the shipped catalog
//! and `explain` need no files at run time. Each rule is also embedded as JSON, converted here
//! with the YAML reader and options the program uses: the catalog is read on every run, and
//! reading it as YAML was most of a small check's time (a test checks both read alike).

use std::fmt::Write;
use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    embed(root, "rules", "EMBEDDED", "embedded_rules.rs");
    embed_json(root, "rules", "EMBEDDED_JSON", "embedded_rules_json.rs");
    // The end-to-end cases double as the rules' failing and passing examples in `explain`.
    embed(root, "testdata/cases", "CASES", "embedded_cases.rs");
}

/// The `.yaml` files of a folder, by name.
fn yaml_files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".yaml"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn embed(root: &Path, folder: &str, name: &str, file: &str) {
    println!("cargo:rerun-if-changed={folder}");
    let dir = root.join(folder);
    let names = yaml_files(&dir);
    let mut out = format!("pub const {name}: &[(&str, &str)] = &[\n");
    for n in &names {
        let path = dir.join(n);
        println!("cargo:rerun-if-changed={}", path.display());
        let _ = writeln!(
            out,
            "    (\"{folder}/{n}\", include_str!({:?})),",
            path.display().to_string()
        );
    }
    out.push_str("];\n");
    let target = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join(file);
    std::fs::write(target, out).expect("write the embedded file list");
}

/// Every YAML file of a folder as JSON text, in the order of [`embed`]; `None` for a file that
/// does not read (the program then reads its YAML and reports the error with its place).
fn embed_json(root: &Path, folder: &str, name: &str, file: &str) {
    let dir = root.join(folder);
    let mut out = format!("pub const {name}: &[Option<&str>] = &[\n");
    for n in yaml_files(&dir) {
        let json = std::fs::read_to_string(dir.join(&n))
            .ok()
            .and_then(|text| {
                // The options of `source::yaml::options`: YAML 1.2 scalars.
                let options = serde_saphyr::options! {
                    strict_booleans: true,
                    underscored_numbers_as_strings: true,
                    leading_zero_numbers_as_strings: true,
                };
                serde_saphyr::from_str_with_options::<serde_json::Value>(&text, options).ok()
            })
            .and_then(|v| serde_json::to_string(&v).ok());
        let _ = writeln!(out, "    {json:?},");
    }
    out.push_str("];\n");
    let target = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join(file);
    std::fs::write(target, out).expect("write the embedded JSON rules");
}
