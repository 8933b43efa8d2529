//! Embeds every `rules/*.yaml` (and the example cases) in the binary, so the shipped catalog
//! and `explain` need no files at run time.

use std::fmt::Write;
use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    embed(root, "rules", "EMBEDDED", "embedded_rules.rs");
    // The end-to-end cases double as the rules' failing and passing examples in `explain`.
    embed(root, "testdata/cases", "CASES", "embedded_cases.rs");
}

fn embed(root: &Path, folder: &str, name: &str, file: &str) {
    println!("cargo:rerun-if-changed={folder}");
    let dir = root.join(folder);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.ends_with(".yaml"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
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
