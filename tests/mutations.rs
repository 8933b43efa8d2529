//! Bad input never panics: the whole pipeline runs in-process on the example export with one
//! file damaged at a time, many times over with a fixed seed: truncated, bytes flipped, lines
//! dropped or doubled (duplicate keys), the file compressed to one very long line, a multi-byte
//! character pushed into a date or number, a number made too large for 64 bits. Every run, in
//! the JSON and the human format (where the snippets are cut), must end in exit 0, 1 or 2,
//! never a panic.

use std::path::{Path, PathBuf};

use clap::Parser;
use cmg_preflight::cli::{Args, Command};
use cmg_preflight::report::style::Style;

/// xorshift64*: a fixed, dependency-free sequence so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Offsets of ASCII digits, where dates and numbers are.
fn digits(b: &[u8]) -> Vec<usize> {
    (0..b.len()).filter(|&i| b[i].is_ascii_digit()).collect()
}

fn damage(bytes: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut b = bytes.to_vec();
    match rng.below(7) {
        // `ConvertTo-Json -Compress`: one line, here made longer than 65,535 columns.
        4 => {
            b.retain(|&c| c != b'\n' && c != b'\r');
            if let Some(open) = b.iter().position(|&c| c == b'{') {
                let pad = format!("\"Pad\":\"{}\",", "x".repeat(70_000));
                b.splice(open + 1..open + 1, pad.into_bytes());
            }
        }
        // A multi-byte character inside a date or a number.
        5 => {
            let d = digits(&b);
            if !d.is_empty() {
                let at = d[rng.below(d.len())];
                b.splice(at..at, "é".bytes());
            }
        }
        // A run of digits becomes a number past 64 bits.
        6 => {
            let d = digits(&b);
            if !d.is_empty() {
                let at = d[rng.below(d.len())];
                b.splice(at..at, "99999999999999999999".bytes());
            }
        }
        0 => b.truncate(rng.below(b.len())),
        1 => {
            for _ in 0..=rng.below(8) {
                let i = rng.below(b.len());
                if let Some(x) = b.get_mut(i) {
                    *x = (rng.next() & 0xFF) as u8;
                }
            }
        }
        2 => {
            let lines: Vec<&[u8]> = b.split(|c| *c == b'\n').collect();
            let drop = rng.below(lines.len());
            b = lines
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != drop)
                .map(|(_, l)| *l)
                .collect::<Vec<_>>()
                .join(&b'\n');
        }
        _ => {
            let lines: Vec<&[u8]> = b.split(|c| *c == b'\n').collect();
            let twice = rng.below(lines.len());
            let mut out: Vec<&[u8]> = Vec::new();
            for (i, l) in lines.iter().enumerate() {
                out.push(l);
                if i == twice {
                    out.push(l);
                }
            }
            b = out.join(&b'\n');
        }
    }
    b
}

fn run(dir: &Path, format: &str) -> u8 {
    let args = Args::try_parse_from([
        "cmg-preflight",
        "check",
        &dir.to_string_lossy(),
        "--now",
        "2026-11-24",
        "--format",
        format,
        "--no-config",
    ])
    .expect("arguments parse");
    let Command::Check(c) = args.command else {
        unreachable!("check")
    };
    let (mut out, mut err) = (Vec::new(), Vec::new());
    cmg_preflight::run::check(&c, &Style::plain(80), &mut out, &mut err)
}

#[test]
fn damaged_exports_never_panic() {
    let source = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/contoso");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&source)
        .expect("example")
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    let originals: Vec<(PathBuf, Vec<u8>)> = files
        .iter()
        .map(|f| (f.clone(), std::fs::read(f).expect("read")))
        .collect();
    let dir = std::env::temp_dir().join(format!("cmg-preflight-mutations-{}", std::process::id()));
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut codes = [0usize; 3];
    for round in 0..210 {
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let victim = rng.below(originals.len());
        for (i, (path, bytes)) in originals.iter().enumerate() {
            let name = path.file_name().expect("file name");
            let content = if i == victim {
                damage(bytes, &mut rng)
            } else {
                bytes.clone()
            };
            std::fs::write(dir.join(name), content).expect("write");
        }
        let format = if round % 2 == 0 { "json" } else { "human" };
        let code = std::panic::catch_unwind(|| run(&dir, format)).unwrap_or_else(|_| {
            panic!(
                "round {round} ({format}): panicked with {} damaged (the damaged copy is in {})",
                originals[victim].0.display(),
                dir.display()
            )
        });
        assert!(code <= 2, "round {round}: exit {code}");
        codes[code as usize] += 1;
    }
    let _ = std::fs::remove_dir_all(&dir);
    // Not vacuous: damage produced both readable and unreadable exports.
    assert!(
        codes[2] > 0 && codes[0] + codes[1] > 0,
        "exit codes seen: {codes:?}"
    );
}
