//! Collects the input files from the paths on the command line: files as given, folders
//! walked in a stable order. Links are not followed, so a walk never leaves the tree; inside a
//! folder only regular files are read (a FIFO there is passed over, as a link is).

use std::path::{Path, PathBuf};

use super::InputError;

const EXTENSIONS: [&str; 3] = ["json", "yaml", "yml"];

pub fn collect(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Vec<InputError>> {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Err(e) => errors.push(InputError::whole_file(path, format!("cannot read: {e}"))),
            Ok(m) if m.is_file() => files.push(path.clone()),
            Ok(m) if m.is_dir() => walk_dir(path, &mut files, &mut errors),
            // A FIFO, device or socket named on the command line: never opened (a FIFO would
            // block), never an empty export.
            Ok(m) => errors.push(InputError::whole_file(path, super::not_regular(&m))),
        }
    }
    if errors.is_empty() {
        Ok(files)
    } else {
        Err(errors)
    }
}

fn walk_dir(dir: &Path, files: &mut Vec<PathBuf>, errors: &mut Vec<InputError>) {
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_file() && has_input_extension(e.path()) => {
                files.push(e.into_path())
            }
            Ok(_) => {}
            Err(e) => {
                let path = e.path().unwrap_or(dir).to_path_buf();
                errors.push(InputError::whole_file(&path, format!("cannot read: {e}")));
            }
        }
    }
}

/// `.json`, `.yaml` or `.yml`, in any letter case: the files a folder walk reads.
pub fn has_input_extension(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| EXTENSIONS.iter().any(|x| x.eq_ignore_ascii_case(e)))
}
