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

/// `check` analysed in-process on the shipped example (its media plan, a fixed "now", no
/// configuration), with `extra` arguments after those.
pub fn analyse_example(extra: &[&str]) -> cmg_preflight::run::Analysis {
    use clap::Parser;
    let ex = cmdlets::root().join("examples/contoso");
    let media = ex.join("media.yaml");
    let mut args: Vec<&std::ffi::OsStr> = vec![
        "cmg-preflight".as_ref(),
        "check".as_ref(),
        ex.as_os_str(),
        "--media".as_ref(),
        media.as_os_str(),
        "--now".as_ref(),
        "2026-11-24".as_ref(),
        "--no-config".as_ref(),
    ];
    args.extend(extra.iter().map(|a| std::ffi::OsStr::new(*a)));
    let args = cmg_preflight::cli::Args::try_parse_from(args).expect("arguments");
    let cmg_preflight::cli::Command::Check(check) = args.command else {
        panic!("not check")
    };
    cmg_preflight::run::analyse(&check.input).expect("the example analyses")
}
