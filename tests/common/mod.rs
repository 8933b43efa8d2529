//! Helpers shared by the test binaries (a folder module, so it is no test binary itself).
#![allow(dead_code)]

pub mod cmdlets;
pub mod powershell;

/// A fresh copy of the known-good export (testdata/good) in a temp folder named by `tag`,
/// without the files named in `except`.
pub fn copy_good(tag: &str, except: &[&str]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cmg-preflight-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    for f in std::fs::read_dir(cmdlets::root().join("testdata/good"))
        .expect("testdata/good")
        .flatten()
    {
        if !except.iter().any(|e| f.file_name() == *e) {
            std::fs::copy(f.path(), dir.join(f.file_name())).expect("copy");
        }
    }
    dir
}
