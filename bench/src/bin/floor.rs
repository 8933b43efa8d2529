//! `floor PATH...`: the floor for cmg-preflight's whole-process time and memory. It reads the
//! same files the way cmg-preflight must (folders walked in name order, hidden entries and
//! links skipped, `.json`, `.yaml` and `.yml` read), decodes them (a byte-order mark decides
//! UTF-8, UTF-16LE/BE or UTF-32LE/BE; without one the bytes must be UTF-8) and parses each
//! into `serde::de::IgnoredAny`: serde_json for JSON, serde-saphyr with the main crate's scalar
//! options for YAML. It builds nothing, so it is the least any checker of these files costs.
//! One thread, like cmg-preflight.
//!
//! serde-saphyr's resource budget is switched off here (`budget: None`): its default of 250,000
//! nodes per document rejects the larger generated YAML files, and the floor measures the
//! parser, not the budget.
//!
//! Prints one line to stderr: files, bytes read, bytes of text parsed. Exit 1 when a file does
//! not decode or parse.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde::de::IgnoredAny;

fn main() -> ExitCode {
    let paths: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if paths.is_empty() {
        eprintln!("usage: floor PATH...  (files or folders of .json/.yaml/.yml)");
        return ExitCode::from(2);
    }
    let mut files = Vec::new();
    for p in &paths {
        if p.is_dir() {
            if let Err(e) = walk(p, &mut files) {
                eprintln!("floor: {}: {e}", p.display());
                return ExitCode::from(2);
            }
        } else {
            files.push(p.clone());
        }
    }
    let (mut read, mut text_bytes) = (0usize, 0usize);
    for f in &files {
        match check(f) {
            Ok((r, t)) => {
                read += r;
                text_bytes += t;
            }
            Err(e) => {
                eprintln!("floor: {}: {e}", f.display());
                return ExitCode::from(1);
            }
        }
    }
    eprintln!(
        "floor: {} files, {read} bytes read, {text_bytes} bytes of text parsed",
        files.len()
    );
    ExitCode::SUCCESS
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let name = e.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let kind = e.file_type()?;
        if kind.is_dir() {
            walk(&e.path(), files)?;
        } else if kind.is_file() && is_input(&e.path()) {
            files.push(e.path());
        }
    }
    Ok(())
}

fn is_input(p: &Path) -> bool {
    matches!(
        p.extension()
            .and_then(|x| x.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("json" | "yaml" | "yml")
    )
}

/// Bytes read and bytes of text parsed.
fn check(path: &Path) -> Result<(usize, usize), String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let read = bytes.len();
    let text = decode(bytes)?;
    let yaml = path
        .extension()
        .is_some_and(|x| !x.eq_ignore_ascii_case("json"));
    if yaml {
        let opts = serde_saphyr::options! {
            budget: None,
            strict_booleans: true,
            underscored_numbers_as_strings: true,
            leading_zero_numbers_as_strings: true,
        };
        serde_saphyr::from_str_with_options::<IgnoredAny>(&text, opts)
            .map_err(|e| e.to_string())?;
    } else {
        serde_json::from_str::<IgnoredAny>(&text).map_err(|e| e.to_string())?;
    }
    Ok((read, text.len()))
}

/// The text of a file: the byte-order mark decides, else UTF-8 (validated, not copied).
fn decode(bytes: Vec<u8>) -> Result<String, String> {
    let units16 = |b: &[u8], le: bool| -> Result<String, String> {
        if !b.len().is_multiple_of(2) {
            return Err("odd number of bytes in UTF-16".into());
        }
        let units = b.chunks_exact(2).map(|c| {
            if le {
                u16::from_le_bytes([c[0], c[1]])
            } else {
                u16::from_be_bytes([c[0], c[1]])
            }
        });
        char::decode_utf16(units)
            .collect::<Result<String, _>>()
            .map_err(|e| e.to_string())
    };
    let units32 = |b: &[u8], le: bool| -> Result<String, String> {
        if !b.len().is_multiple_of(4) {
            return Err("length of UTF-32 not a multiple of 4".into());
        }
        b.chunks_exact(4)
            .map(|c| {
                let u = if le {
                    u32::from_le_bytes([c[0], c[1], c[2], c[3]])
                } else {
                    u32::from_be_bytes([c[0], c[1], c[2], c[3]])
                };
                char::from_u32(u).ok_or_else(|| format!("not a character: {u:#x}"))
            })
            .collect()
    };
    match bytes.as_slice() {
        [0xFF, 0xFE, 0, 0, rest @ ..] => units32(rest, true),
        [0, 0, 0xFE, 0xFF, rest @ ..] => units32(rest, false),
        [0xFF, 0xFE, rest @ ..] => units16(rest, true),
        [0xFE, 0xFF, rest @ ..] => units16(rest, false),
        [0xEF, 0xBB, 0xBF, rest @ ..] => {
            String::from_utf8(rest.to_vec()).map_err(|e| e.to_string())
        }
        _ => String::from_utf8(bytes).map_err(|e| e.to_string()),
    }
}
