//! `diff --git REV1..REV2 PATH`: one folder of the repository at two revisions, read with git's
//! plumbing and never checked out. The files under PATH at a revision are listed with
//! `git ls-tree -r -z --full-name` and read with `git cat-file blob` (see
//! https://git-scm.com/docs/git-ls-tree and https://git-scm.com/docs/git-cat-file) into a
//! temporary folder, which is analysed like any export. The files then carry their path in the
//! repository (`examples/contoso/deployments.json`), never the temporary one, and errors name
//! the revision (`HEAD~1:examples/contoso/deployments.json`).

use std::ffi::OsStr;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

use crate::source::{display_path, InputError, SourceMap};

/// `REV1..REV2`, `REV1...REV2` (from the merge base of the two, as `git diff A...B` reads
/// it), with an empty side meaning `HEAD`, as in git's own range notation
/// (https://git-scm.com/docs/gitrevisions#_dotted_range_notations).
#[derive(Debug, PartialEq, Eq)]
pub struct Range {
    pub old: String,
    pub new: String,
    /// `...`: the old side is the merge base of the two revisions.
    pub merge_base: bool,
}

impl Range {
    pub fn parse(s: &str) -> Result<Self, String> {
        let (old, new, merge_base) = if let Some((a, b)) = s.split_once("...") {
            (a, b, true)
        } else if let Some((a, b)) = s.split_once("..") {
            (a, b, false)
        } else {
            return Err(format!(
                "`--git {s}` is not a range: give REV1..REV2 (for example origin/main..HEAD)"
            ));
        };
        let side = |r: &str| if r.is_empty() { "HEAD" } else { r }.to_string();
        Ok(Range {
            old: side(old),
            new: side(new),
            merge_base,
        })
    }

    /// How reports name the range: as given, with `HEAD` for an empty side.
    pub fn label(&self) -> String {
        format!(
            "{}{}{}",
            self.old,
            if self.merge_base { "..." } else { ".." },
            self.new
        )
    }
}

/// The repository of the current folder, found once.
pub struct Repo {
    /// The top of the working tree: git runs there, so every path is the full name.
    top: PathBuf,
    /// The current folder relative to the top (`git rev-parse --show-prefix`).
    prefix: PathBuf,
}

/// One revision of PATH written to a temporary folder; the folder is removed when dropped.
pub struct Snapshot {
    /// The revision as the user wrote it (`HEAD~1`, `origin/main`).
    pub rev: String,
    /// The commit it names (40 hex digits), for links.
    pub commit: String,
    /// The paths to analyse, inside `dir`.
    pub paths: Vec<PathBuf>,
    dir: tempfile::TempDir,
}

impl Repo {
    /// The repository around the current folder; an error (exit 2) outside one or without git.
    pub fn here() -> Result<Self, InputError> {
        let out = git(Path::new("."), ["rev-parse", "--show-toplevel", "--show-prefix"])
            .map_err(|e| {
                if e.message.starts_with("--git: cannot run git") {
                    e
                } else {
                    InputError::usage(format!(
                        "--git: the current folder is in no git working tree ({}); run diff --git inside the repository",
                        e.message
                    ))
                }
            })?;
        let text = String::from_utf8_lossy(&out);
        let mut lines = text.lines();
        let top = lines.next().unwrap_or_default();
        if top.is_empty() {
            return Err(InputError::usage(
                "--git: the current folder is in no git working tree (git rev-parse --show-toplevel printed nothing); run diff --git inside the repository",
            ));
        }
        Ok(Repo {
            top: PathBuf::from(top),
            prefix: PathBuf::from(lines.next().unwrap_or_default()),
        })
    }

    /// The commit a revision names; a revision that names none is a usage error.
    pub fn commit(&self, rev: &str) -> Result<String, InputError> {
        if rev.starts_with('-') || rev.contains(['\0', '\n']) {
            return Err(not_a_revision(rev, "a revision cannot start with '-'"));
        }
        let spec = format!("{rev}^{{commit}}");
        let out = git(&self.top, ["rev-parse", "--verify", "--quiet", &spec]).map_err(|e| {
            if e.message.starts_with("--git: cannot run git") {
                e
            } else {
                not_a_revision(rev, "git rev-parse --verify names no commit for it")
            }
        })?;
        let sha = String::from_utf8_lossy(&out).trim().to_string();
        if sha.is_empty() {
            return Err(not_a_revision(
                rev,
                "git rev-parse --verify found no commit",
            ));
        }
        Ok(sha)
    }

    /// The merge base of two commits (for `REV1...REV2`).
    pub fn merge_base(&self, a: &str, b: &str) -> Result<String, InputError> {
        let out = git(&self.top, ["merge-base", a, b]).map_err(|e| {
            InputError::usage(format!(
                "--git: {a} and {b} have no merge base: {}",
                e.message
            ))
        })?;
        Ok(String::from_utf8_lossy(&out).trim().to_string())
    }

    /// A path given on the command line as its full name in the repository (relative to the top
    /// of the working tree, `/`-separated, `""` for the top itself). It need not exist in the
    /// working tree: only in the revisions.
    pub fn full_name(&self, path: &Path) -> Result<String, InputError> {
        let outside = || {
            InputError::whole_file(
                path,
                format!(
                    "--git: the path is outside the repository at {}",
                    display_path(&self.top)
                ),
            )
        };
        let joined = if path.is_absolute() {
            let top = self.top.canonicalize().unwrap_or_else(|_| self.top.clone());
            let abs = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
            abs.strip_prefix(&top)
                .or_else(|_| path.strip_prefix(&self.top))
                .map_err(|_| outside())?
                .to_path_buf()
        } else {
            self.prefix.join(path)
        };
        let mut parts: Vec<String> = Vec::new();
        for c in joined.components() {
            match c {
                Component::CurDir => {}
                Component::ParentDir => {
                    parts.pop().ok_or_else(outside)?;
                }
                Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
                Component::RootDir | Component::Prefix(_) => return Err(outside()),
            }
        }
        Ok(parts.join("/"))
    }

    /// Writes the export files under each of `names` (full names) at `commit` into a temporary
    /// folder, as the folder walk reads a working tree: a named file as it is, and below a named
    /// folder the `.json`, `.yaml` and `.yml` files, without hidden names and without symbolic
    /// links (which the walk does not follow).
    pub fn snapshot(
        &self,
        rev: &str,
        commit: &str,
        names: &[String],
    ) -> Result<Snapshot, InputError> {
        let dir = tempfile::Builder::new()
            .prefix("cmg-preflight-diff-")
            .tempdir()
            .map_err(|e| InputError::usage(format!("cannot create a temporary folder: {e}")))?;
        let mut paths = Vec::new();
        for name in names {
            let listed = self.ls_tree(commit, name)?;
            if listed.is_empty() {
                return Err(InputError::usage(format!(
                    "--git: `{}` is not in {rev} ({}): git ls-tree lists no file there",
                    if name.is_empty() { "." } else { name },
                    short(commit)
                )));
            }
            for file in listed {
                // As a checkout would write it: end-of-line conversion and smudge filters
                // (`git cat-file --filters`).
                let mut spec = std::ffi::OsString::from(format!("{commit}:"));
                spec.push(&file);
                let shown = Path::new(&file).display().to_string();
                let bytes = git(
                    &self.top,
                    [OsStr::new("cat-file"), OsStr::new("--filters"), &spec],
                )
                .map_err(|e| {
                    InputError::usage(format!("--git: cannot read {rev}:{shown}: {}", e.message))
                })?;
                let target = dir.path().join(&file);
                let written = target
                    .parent()
                    .map_or(Ok(()), std::fs::create_dir_all)
                    .and_then(|()| std::fs::write(&target, bytes));
                if let Err(e) = written {
                    return Err(InputError::usage(format!(
                        "--git: cannot write {rev}:{shown} to a temporary folder: {e}"
                    )));
                }
            }
            paths.push(if name.is_empty() {
                dir.path().to_path_buf()
            } else {
                dir.path().join(name)
            });
        }
        Ok(Snapshot {
            rev: rev.to_string(),
            commit: commit.to_string(),
            paths,
            dir,
        })
    }

    /// The full names of the files to read under `name` at `commit`, as git spells them (a
    /// name need not be UTF-8).
    fn ls_tree(&self, commit: &str, name: &str) -> Result<Vec<std::ffi::OsString>, InputError> {
        use std::os::unix::ffi::OsStringExt;
        let mut args = vec!["ls-tree", "-r", "-z", "--full-name", commit, "--"];
        if !name.is_empty() {
            args.push(name);
        }
        let out = git(&self.top, args).map_err(|e| {
            InputError::usage(format!("--git: cannot list {commit}: {}", e.message))
        })?;
        let mut files = Vec::new();
        for entry in out.split(|&b| b == 0).filter(|e| !e.is_empty()) {
            // `<mode> SP <type> SP <object> TAB <file>`
            let Some(tab) = entry.iter().position(|&b| b == b'\t') else {
                continue;
            };
            let (meta, file) = (&entry[..tab], &entry[tab + 1..]);
            let mut meta = meta.split(|&b| b == b' ');
            let (Some(mode), Some(b"blob")) = (meta.next(), meta.next()) else {
                continue;
            };
            if mode == b"120000" {
                continue; // a symbolic link
            }
            let below: Option<&[u8]> = if file == name.as_bytes() {
                None // the file named itself
            } else if name.is_empty() {
                Some(file)
            } else if let Some(rest) = file
                .strip_prefix(name.as_bytes())
                .and_then(|r| r.strip_prefix(b"/"))
            {
                Some(rest)
            } else {
                continue;
            };
            if let Some(rest) = below {
                let hidden = rest.split(|&b| b == b'/').any(|c| c.starts_with(b"."));
                let rest = std::ffi::OsString::from_vec(rest.to_vec());
                if hidden || !crate::source::walk::has_input_extension(Path::new(&rest)) {
                    continue;
                }
            }
            files.push(std::ffi::OsString::from_vec(file.to_vec()));
        }
        Ok(files)
    }
}

impl Snapshot {
    /// Gives the files read from this snapshot their path in the repository, for every report.
    pub fn rename(&self, sources: &mut SourceMap) {
        let ids: Vec<_> = sources.iter().map(|(id, _)| id).collect();
        for id in ids {
            let f = sources.get_mut(id);
            if let Ok(rel) = f.path.strip_prefix(self.dir.path()) {
                let rel = rel.to_path_buf();
                f.display = display_path(&rel);
                f.path = rel;
            }
        }
    }

    /// An error about a file of this snapshot, naming `REV:path` instead of the temporary one.
    pub fn rename_error(&self, mut e: InputError) -> InputError {
        let tmp = display_path(self.dir.path());
        let rev = format!("{}:", self.rev);
        let fix = |s: &str| s.replace(&format!("{tmp}/"), &rev).replace(&tmp, &rev);
        e.path = fix(&e.path);
        e.message = fix(&e.message);
        e.help = e.help.as_deref().map(fix);
        e
    }
}

fn not_a_revision(rev: &str, why: &str) -> InputError {
    InputError::usage(format!("--git: `{rev}` is not a commit in this repository ({why})"))
        .with_help("give two revisions git knows, for example origin/main..HEAD or a1b2c3d..HEAD (git log shows them)")
}

fn short(commit: &str) -> &str {
    commit.get(..12).unwrap_or(commit)
}

/// Runs git in `dir`; its standard output, or its message as an error.
fn git<I, S>(dir: &Path, args: I) -> Result<Vec<u8>, InputError>
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_TERMINAL_PROMPT", "0")
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| InputError::usage(format!("--git: cannot run git: {e}")))?;
    if out.status.success() {
        return Ok(out.stdout);
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let message = stderr
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("; ");
    Err(InputError::usage(if message.is_empty() {
        format!("git exited with {}", out.status)
    } else {
        message
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        let r = Range::parse("main..HEAD").expect("range");
        assert_eq!(
            (r.old.as_str(), r.new.as_str(), r.merge_base),
            ("main", "HEAD", false)
        );
        let r = Range::parse("origin/main...").expect("range");
        assert_eq!(
            (r.old.as_str(), r.new.as_str(), r.merge_base),
            ("origin/main", "HEAD", true)
        );
        assert_eq!(Range::parse("..a1b2").expect("range").label(), "HEAD..a1b2");
        assert!(Range::parse("HEAD").is_err());
    }
}
