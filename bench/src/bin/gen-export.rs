//! `gen-export OUT [options]`: writes a generated ConfigMgr export to OUT/export and two boot
//! media plans beside it: OUT/media-one.yaml (the first deployment) and OUT/media-all.yaml (no
//! deployments named, so every deployment available to media is checked).

#[path = "../generate.rs"]
mod generate;

use std::path::PathBuf;
use std::process::ExitCode;

use generate::{Encoding, Flavor, Format, Params};

const USAGE: &str = "\
usage: gen-export OUT [options]

  -n, --task-sequences N   task sequences (default 1000)
  --refs N                 references per task sequence (default 20)
  --packages N             content pool (default 3 x task sequences)
  --dps N                  on-premises distribution points (default 300)
  --status-rows MIN[-MAX]  distribution point rows per referenced object in
                           content-status, plus the CMG's row (default 3-8)
  --deployments N          task sequence deployments (default: one per task sequence)
  --faults PERMILLE        share of seeded faults (default 10; 0 = no finding)
  --seed N                 random seed (default 42)
  --ps 7|5.1               PowerShell that wrote it (default 7)
  --encoding utf8|utf16    utf16 = UTF-16LE with BOM (default: utf8; utf16 for --ps 5.1)
  --yaml                   powershell-yaml output instead of JSON
  --compress               ConvertTo-Json -Compress (one line per file)

Writes OUT/export/*.json (or *.yaml), OUT/media-one.yaml and OUT/media-all.yaml,
and prints one line per file (name, objects, bytes) and the total.";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen-export: {e}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), String> {
    let mut args = std::env::args().skip(1);
    let mut out: Option<PathBuf> = None;
    let mut p = Params::new(1000);
    let (mut packages, mut deployments, mut encoding) = (None, None, None);
    while let Some(a) = args.next() {
        let mut value = |name: &str| args.next().ok_or(format!("{name} needs a value"));
        match a.as_str() {
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            "-n" | "--task-sequences" => p.task_sequences = num(&value(&a)?)?,
            "--refs" => p.refs_per_ts = num(&value(&a)?)?,
            "--packages" => packages = Some(num(&value(&a)?)?),
            "--dps" => p.distribution_points = num(&value(&a)?)?,
            "--status-rows" => {
                let v = value(&a)?;
                let (lo, hi) = v.split_once('-').unwrap_or((&v, &v));
                p.status_rows_min = num(lo)?;
                p.status_rows_max = num(hi)?;
            }
            "--deployments" => deployments = Some(num(&value(&a)?)?),
            "--faults" => {
                p.fault_permille = u32::try_from(num(&value(&a)?)?).map_err(|e| e.to_string())?
            }
            "--seed" => p.seed = num(&value(&a)?)? as u64,
            "--ps" => {
                p.flavor = match value(&a)?.as_str() {
                    "7" => Flavor::Ps7,
                    "5.1" | "5" => Flavor::Ps51,
                    v => return Err(format!("--ps takes 7 or 5.1, not {v}")),
                }
            }
            "--encoding" => {
                encoding = Some(match value(&a)?.as_str() {
                    "utf8" | "utf-8" => Encoding::Utf8,
                    "utf16" | "utf-16" | "utf-16le" => Encoding::Utf16Le,
                    v => return Err(format!("--encoding takes utf8 or utf16, not {v}")),
                })
            }
            "--yaml" => p.format = Format::Yaml,
            "--compress" => p.compress = true,
            _ if a.starts_with('-') => return Err(format!("unknown option {a}\n\n{USAGE}")),
            _ if out.is_none() => out = Some(PathBuf::from(a)),
            _ => return Err(format!("one output folder only\n\n{USAGE}")),
        }
    }
    let out = out.ok_or(format!("no output folder\n\n{USAGE}"))?;
    p.packages = packages.unwrap_or(3 * p.task_sequences);
    p.deployments = deployments.unwrap_or(p.task_sequences);
    p.encoding = encoding.unwrap_or(match p.flavor {
        Flavor::Ps51 => Encoding::Utf16Le,
        Flavor::Ps7 => Encoding::Utf8,
    });
    if p.compress && p.format == Format::Yaml {
        return Err("--compress is for JSON".into());
    }

    let export = out.join("export");
    if export.exists() {
        std::fs::remove_dir_all(&export).map_err(|e| format!("{}: {e}", export.display()))?;
    }
    let summary =
        generate::write_export(&p, &export).map_err(|e| format!("{}: {e}", export.display()))?;
    let first = [p.deployment_id(0)];
    for (name, plan) in [
        ("media-one.yaml", generate::media_plan(Some(&first))),
        ("media-all.yaml", generate::media_plan(None)),
    ] {
        let path = out.join(name);
        std::fs::write(&path, plan).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    for (name, count, bytes) in &summary.files {
        println!("{name:<36} {count:>9} {bytes:>12}");
    }
    println!(
        "{:<36} {:>9} {:>12}  ({:.1} MB) in {}",
        "total",
        "",
        summary.bytes,
        summary.bytes as f64 / 1e6,
        export.display()
    );
    println!("first deployment: {}", first[0]);
    Ok(())
}

fn num(s: &str) -> Result<usize, String> {
    s.trim()
        .replace('_', "")
        .parse()
        .map_err(|_| format!("not a number: {s}"))
}
