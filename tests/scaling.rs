//! No super-linear growth, checked without a clock: the same generated export (the benchmark's
//! generator, bench/src/generate.rs) at N, 2N and 4N task sequences, each checked in-process
//! under a counting global allocator, for one deployment and for all deployments.
//!
//! What grows with the input is the difference between two sizes: the fixed cost of a run (the
//! rule catalog, the schemas) cancels out. For a linear cost c(n) = a + b·n,
//! (c(4N) − c(2N)) / (c(2N) − c(N)) is 2; for a quadratic one it tends to 4. The test fails
//! above 2.5, for the number of allocations and for the bytes allocated. Both are exact counts
//! for a given binary, input and number of cores (large rules are checked on every core, which
//! splits some result lists; nothing else in this test binary allocates meanwhile), so the test
//! cannot be flaky on a busy machine.
//!
//! What it cannot see: a loop that is quadratic in time but allocates nothing (a linear search
//! inside a loop). bench/run.sh measures time at N = 1,000 and 10,000 for that; see
//! docs/perf.md.

use std::path::Path;

use clap::Parser;
use cmg_preflight::cli::{Args, Command};
use cmg_preflight::report::style::Style;
use cmg_preflight::run;
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};

#[path = "../bench/src/generate.rs"]
#[allow(dead_code)]
mod generate;

#[global_allocator]
static GLOBAL: &StatsAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

/// The smallest size; the runs are N, 2N and 4N task sequences.
const N: usize = 15;
/// The most (c(4N) − c(2N)) / (c(2N) − c(N)) may be; linear growth gives 2.
const MAX_RATIO: f64 = 2.5;

#[derive(Clone, Copy, Debug)]
struct Cost {
    allocations: f64,
    bytes: f64,
}

/// Writes the export for `n` task sequences (everything else in proportion: 3n packages, n
/// distribution points, n deployments) and its two media plans under `dir`. `faults` (per
/// mille, evenly spaced) make findings in proportion too; the one deployment checked is from an
/// export without faults, because which faults its task sequence meets depends on the size.
fn export(dir: &Path, n: usize, faults: u32) {
    let mut p = generate::Params::new(n);
    p.distribution_points = n;
    p.fault_permille = faults;
    generate::write_export(&p, &dir.join("export")).expect("generate the export");
    let first = [p.deployment_id(0)];
    std::fs::write(
        dir.join("media-one.yaml"),
        generate::media_plan(Some(&first)),
    )
    .expect("media plan");
    std::fs::write(dir.join("media-all.yaml"), generate::media_plan(None)).expect("media plan");
}

/// Checks the export under `dir` in-process; the allocations of the check alone.
fn check(dir: &Path, plan: &str) -> Cost {
    let export = dir.join("export");
    let media = dir.join(plan);
    let argv = [
        "cmg-preflight".as_ref(),
        "check".as_ref(),
        export.as_os_str(),
        "--media".as_ref(),
        media.as_os_str(),
        "--now".as_ref(),
        "2026-11-24".as_ref(),
        "--format".as_ref(),
        "json".as_ref(),
        "--color".as_ref(),
        "never".as_ref(),
    ];
    let Command::Check(args) = Args::try_parse_from(argv).expect("arguments").command else {
        panic!("not a check command");
    };
    let style = Style::detect(args.color, args.ascii);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let region = Region::new(GLOBAL);
    let code = run::check(&args, &style, &mut out, &mut err);
    let stats = region.change();
    assert!(
        code == 0 || code == 1,
        "exit {code}: {}",
        String::from_utf8_lossy(&err)
    );
    let report: serde_json::Value = serde_json::from_slice(&out).expect("JSON report");
    let notes = report["notes"].as_array().map_or(0, Vec::len);
    assert_eq!(notes, 0, "the generated export gives no note: {report:#}");
    Cost {
        allocations: stats.allocations as f64 + stats.reallocations as f64,
        bytes: stats.bytes_allocated as f64 + stats.bytes_reallocated.max(0) as f64,
    }
}

#[test]
fn allocations_grow_linearly_with_the_export() {
    let tmp = tempfile::tempdir().expect("temp dir");
    // SCALING_N overrides the smallest size, to look at other sizes by hand.
    let smallest = std::env::var("SCALING_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(N);
    let sizes = [smallest, 2 * smallest, 4 * smallest];
    for n in sizes {
        export(&tmp.path().join(format!("clean-{n}")), n, 0);
        export(&tmp.path().join(format!("faults-{n}")), n, 100);
    }
    // The first check in a process also pays for what is built once and kept (the compiled
    // schemas of the rule files and the media plan): not a cost of the input, so it is left out.
    check(
        &tmp.path().join(format!("clean-{smallest}")),
        "media-one.yaml",
    );
    let mut failures = Vec::new();
    for (mode, export, plan) in [
        ("one deployment", "clean", "media-one.yaml"),
        ("all deployments", "faults", "media-all.yaml"),
    ] {
        let c = sizes.map(|n| check(&tmp.path().join(format!("{export}-{n}")), plan));
        for (what, [a, b, d]) in [
            ("allocations", c.map(|c| c.allocations)),
            ("bytes allocated", c.map(|c| c.bytes)),
        ] {
            let ratio = (d - b) / (b - a);
            let line = format!(
                "{mode}, {what}: N={} {a:.0}, 2N {b:.0}, 4N {d:.0}; growth ratio {ratio:.2} (linear 2, quadratic 4, limit {MAX_RATIO})",
                sizes[0]
            );
            println!("{line}");
            if !(b > a && ratio <= MAX_RATIO) {
                failures.push(line);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "super-linear growth:\n{}",
        failures.join("\n")
    );
}
