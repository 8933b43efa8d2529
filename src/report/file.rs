//! Writes report files. A report lands whole or not at all: it is written to a temporary file
//! created securely (random name, exclusive create) in the target's folder, then renamed over
//! the target, which is atomic within one folder. Only regular files are written: a symbolic
//! link, FIFO or device at the target is refused, not followed or replaced, and so is a file
//! that is an input of the same run. An existing file keeps its permissions.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use crate::source::InputError;

/// Refuses a target that is not a regular file or is one of `inputs` (canonical paths), so
/// `o.json` and `./x/../o.json` are one file.
pub fn check_target(path: &Path, inputs: &[PathBuf]) -> Result<(), String> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            return Err(
                "is a symbolic link; reports are written only to regular files (remove the link or choose another name)"
                    .into(),
            )
        }
        Ok(m) if !m.is_file() => return Err(crate::source::not_regular(&m)),
        _ => {}
    }
    if let Some(canonical) = canonical_target(path) {
        if inputs.contains(&canonical) {
            return Err("is an input of this run; writing the report there would overwrite it (choose another file)".into());
        }
    }
    Ok(())
}

/// The canonical path of a file that may not exist yet: its folder's canonical path and name.
fn canonical_target(path: &Path) -> Option<PathBuf> {
    if let Ok(c) = path.canonicalize() {
        return Some(c);
    }
    let name = path.file_name()?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    Some(dir.canonicalize().ok()?.join(name))
}

/// Writes every output of a run: `file_of` gives an output's file (`None`: standard output) and
/// `render` writes it (`true`: to a file, so no colour). Every file target is checked first, so
/// a refused one means nothing is written; `what` names the output in messages ("report").
pub fn deliver<D>(
    outputs: &[D],
    file_of: impl Fn(&D) -> Option<&Path>,
    what: &str,
    inputs: &[PathBuf],
    out: &mut dyn Write,
    mut render: impl FnMut(&D, bool, &mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Vec<InputError>> {
    let refused: Vec<InputError> = outputs
        .iter()
        .filter_map(&file_of)
        .filter_map(|p| {
            check_target(p, inputs)
                .err()
                .map(|why| InputError::whole_file(p, format!("cannot write the {what}: {why}")))
        })
        .collect();
    if !refused.is_empty() {
        return Err(refused);
    }
    let mut errors = Vec::new();
    for d in outputs {
        let written = match file_of(d) {
            None => render(d, false, out)
                .and_then(|()| out.flush())
                .map_err(|e| InputError::usage(format!("cannot write to standard output: {e}"))),
            Some(path) => write_with(path, |w| render(d, true, w))
                .map_err(|e| InputError::whole_file(path, format!("cannot write the {what}: {e}"))),
        };
        if let Err(e) = written {
            errors.push(e);
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Writes `text` to `path` atomically (see the module comment). Call [`check_target`] first.
pub fn write(path: &Path, text: &str) -> std::io::Result<()> {
    write_with(path, |w| w.write_all(text.as_bytes()))
}

/// Like [`write`], with the content written by `fill` straight into the temporary file.
pub fn write_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::other("not a file name"))?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let existing = std::fs::symlink_metadata(path).ok();
    if let Some(m) = &existing {
        if !m.is_file() {
            return Err(std::io::Error::other(
                "the target is no longer a regular file",
            ));
        }
    }
    // A new report gets 0666 less the umask, as any file the user creates would.
    let mode = existing
        .as_ref()
        .map_or(0o666, |m| m.permissions().mode() & 0o7777);
    let mut tmp = tempfile::Builder::new()
        .prefix(&format!(".{}.", name.to_string_lossy()))
        .suffix(".tmp")
        .permissions(std::fs::Permissions::from_mode(mode))
        .tempfile_in(dir)?;
    {
        let mut buffered = std::io::BufWriter::with_capacity(1 << 16, tmp.as_file_mut());
        fill(&mut buffered)?;
        buffered.flush()?;
    }
    if existing.is_some() {
        // The umask narrowed the create mode; an existing file's own mode is kept exactly.
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(tag: &str) -> PathBuf {
        let d =
            std::env::temp_dir().join(format!("cmg-preflight-file-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("temp dir");
        d
    }

    #[test]
    fn keeps_mode_and_leaves_no_temporary_file() {
        let d = temp_dir("mode");
        let out = d.join("o.json");
        std::fs::write(&out, "old").expect("write");
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        write(&out, "new").expect("written");
        let mode = std::fs::metadata(&out).expect("meta").permissions().mode() & 0o777;
        let names: Vec<_> = std::fs::read_dir(&d)
            .expect("dir")
            .flatten()
            .map(|e| e.file_name())
            .collect();
        let text = std::fs::read_to_string(&out).expect("read");
        let _ = std::fs::remove_dir_all(&d);
        assert_eq!((mode, text.as_str(), names.len()), (0o600, "new", 1));
    }

    #[test]
    fn refuses_links_devices_and_inputs() {
        let d = temp_dir("refuse");
        let input = d.join("in.json");
        std::fs::write(&input, "[]").expect("write");
        let link = d.join("link.json");
        std::os::unix::fs::symlink(&input, &link).expect("symlink");
        let inputs = vec![input.canonicalize().expect("canonical")];
        let via_dotdot = d
            .join("..")
            .join(d.file_name().expect("name"))
            .join("in.json");
        let results = (
            check_target(&link, &inputs),
            check_target(Path::new("/dev/null"), &inputs),
            check_target(&via_dotdot, &inputs),
            check_target(&d.join("new.json"), &inputs),
        );
        let _ = std::fs::remove_dir_all(&d);
        assert!(results.0.expect_err("link").contains("symbolic link"));
        assert!(results
            .1
            .expect_err("device")
            .contains("not a regular file"));
        assert!(results.2.expect_err("input").contains("input of this run"));
        assert!(results.3.is_ok());
    }
}
