#!/usr/bin/env bash
# Usage: bench/run.sh [--quick]
#
# The whole-process benchmark of docs/perf.md, in one run:
#   1. builds cmg-preflight and the bench tools (gen-export, floor) in release mode;
#   2. generates exports with bench/src/generate.rs: N = 1,000 and 10,000 task sequences as
#      PowerShell 7 JSON (UTF-8), N = 1,000 as Windows PowerShell 5.1 JSON (UTF-16LE with BOM)
#      and as YAML, N = 400 as YAML (small enough for serde-saphyr's default node budget), and
#      N = 10,000 as YAML unless BENCH_10K_YAML=0;
#   3. runs, for each export, `cmg-preflight check` for one deployment (`--deployment ID`) and
#      for all deployments (a media plan that names none), and the floor (bench/src/bin/floor.rs:
#      read, decode and parse the same files into serde's IgnoredAny) on the same files, each as
#      a whole process under /usr/bin/time -v (wall and CPU seconds, peak RSS), the median of several
#      runs (BENCH_RUNS_1K, default 5; BENCH_RUNS_10K, default 3; one run for all deployments at
#      10,000);
#   4. times the shipped example end to end (mean of BENCH_EXAMPLE_RUNS, default 25, runs);
#   5. prints a markdown report: the machine, the table with the ratios (time ÷ floor, peak RSS ÷
#      input size), the 10k/1k scaling, and where each target of issue 9 stands. The report is
#      also written to target/bench/report.md, the raw runs to target/bench/runs.tsv.
#
# --quick: N = 200 and 2,000 instead (a smoke test of the script, a few minutes).
#
# Each cmg-preflight run is capped: BENCH_TIMEOUT seconds (default 300) and BENCH_MEM_GB of
# virtual memory (default 12; `ulimit -v`), so that a slow or memory-hungry run is reported as
# such instead of hanging the machine. JSON reports go to a file under target/bench, not to
# the terminal. Generated exports (about 1 GB) stay under target/bench (BENCH_DIR).
#
# Needs GNU time at /usr/bin/time (Debian: `apt-get install time`) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

quick=0
if [ "${1:-}" = "--quick" ]; then quick=1; fi

if [ ! -x /usr/bin/time ]; then
    echo "bench/run.sh needs GNU time at /usr/bin/time: install it with 'apt-get install time' (Debian)" >&2
    exit 2
fi

work=${BENCH_DIR:-$root/target/bench}
runs_small=${BENCH_RUNS_1K:-5}
runs_large=${BENCH_RUNS_10K:-3}
example_runs=${BENCH_EXAMPLE_RUNS:-25}
cap_s=${BENCH_TIMEOUT:-300}
cap_gb=${BENCH_MEM_GB:-12}
now=2026-11-24
if [ $quick = 1 ]; then small=200; large=2000; else small=1000; large=10000; fi
label() { if [ "$1" -ge 1000 ] && [ $(( $1 % 1000 )) -eq 0 ]; then echo "$(( $1 / 1000 ))k"; else echo "$1"; fi; }
S=$(label $small)
L=$(label $large)
mkdir -p "$work"
tsv=$work/runs.tsv
report=$work/report.md
printf 'input\tmode\trun\twall_s\tcpu_s\tpeak_rss_kb\texit\n' >"$tsv"

echo "== building (release)" >&2
cargo build --release --locked --quiet
# The floor builds the serde_json and serde-saphyr versions the crate ships.
cp Cargo.lock bench/Cargo.lock
cargo build --release --quiet --manifest-path bench/Cargo.toml
bin=$root/target/release/cmg-preflight
gen=$root/bench/target/release/gen-export
floor=$root/bench/target/release/floor

# name N options...
datasets=()
generate() {
    local name=$1 n=$2
    shift 2
    echo "== generating $name" >&2
    "$gen" "$work/$name" -n "$n" "$@" >"$work/$name.gen.txt"
    datasets+=("$name")
}
generate "$S-json" $small
generate "$S-ps51-utf16" $small --ps 5.1
generate "$S-yaml" $small --yaml
if [ $quick = 0 ]; then
    # Small enough for serde-saphyr's default budget of 250,000 nodes per file (which the
    # content status of N = 1,000 exceeds), so that the YAML target has a figure either way.
    generate "400-yaml" 400 --yaml
fi
generate "$L-json" $large
if [ "${BENCH_10K_YAML:-1}" != 0 ]; then
    generate "$L-yaml" $large --yaml
fi

# Input size: the bytes of the export folder and the media plan.
input_bytes() { du -cb "$work/$1/export" "$work/$1/media-one.yaml" | tail -n1 | cut -f1; }

# measure OUT_PREFIX CMD...: one run under /usr/bin/time -v with the caps; prints
# "wall_s cpu_s rss_kb exit" (cpu = user + system). A run stopped by the time cap is killed
# (exit 137); one stopped by the memory cap fails to allocate. Either way: "nan nan nan EXIT".
# The wall time is taken around the run (GNU time prints only hundredths of a second), less
# the cost of the wrappers themselves (`overhead`, measured on `true` below).
overhead=0
measure() {
    local out=$1
    shift
    local tf=$work/time.txt t0 t1
    rm -f "$tf"
    set +e
    t0=$EPOCHREALTIME
    (
        ulimit -v $((cap_gb * 1024 * 1024))
        exec timeout -s KILL "$cap_s" /usr/bin/time -v -o "$tf" "$@" >"$out.stdout" 2>"$out.stderr"
    )
    local code=$?
    t1=$EPOCHREALTIME
    set -e
    if [ ! -s "$tf" ] || grep -q "Command terminated by signal" "$tf"; then
        # Killed by the cap (timeout) or by the kernel (memory): no usable numbers.
        echo "nan nan nan $code"
        return
    fi
    local wall cpu rss status
    wall=$(awk -v a="$t0" -v b="$t1" -v o="$overhead" 'BEGIN { w = b - a - o; if (w < 0) w = 0; printf "%.4f", w }')
    cpu=$(awk -F': ' '/User time \(seconds\)|System time \(seconds\)/ { s += $2 } END { print s }' "$tf")
    rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$tf")
    status=$(sed -n 's/.*Exit status: //p' "$tf")
    echo "$wall $cpu $rss ${status:-$code}"
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "nan"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# run NAME MODE RUNS CMD...: repeated runs; prints "median_wall median_cpu median_rss exit".
run() {
    local name=$1 mode=$2 runs=$3
    shift 3
    local walls=() cpus=() rsses=() code=0 i w u r c
    for ((i = 1; i <= runs; i++)); do
        read -r w u r c < <(measure "$work/$name.$mode" "$@")
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$mode" "$i" "$w" "$u" "$r" "$c" >>"$tsv"
        walls+=("$w")
        cpus+=("$u")
        rsses+=("$r")
        code=$c
        if [ "$w" = nan ]; then break; fi
    done
    echo "$(printf '%s\n' "${walls[@]}" | median) $(printf '%s\n' "${cpus[@]}" | median) $(printf '%s\n' "${rsses[@]}" | median) $code"
}

# The JSON report of a run: exit code and counts, and no note (the generated export is clean).
summary() {
    python3 - "$1" <<'EOF' 2>/dev/null || echo "no JSON report"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
s = d["summary"]
print(f"{s['checks']} checks, {s['fail']} failed, {s['unknown']} unknown, {len(d['notes'])} notes")
EOF
}

# The wrappers' own cost: the median of 9 runs of `true`.
overhead=$(for _ in 1 2 3 4 5 6 7 8 9; do measure "$work/true" true; done | cut -d' ' -f1 | median)
echo "== wrapper overhead: $overhead s per run (subtracted)" >&2

declare -A R
for name in "${datasets[@]}"; do
    n=${name%%-*}
    if [ "$n" = "$L" ]; then runs=$runs_large; else runs=$runs_small; fi
    dir=$work/$name
    dep=$(sed -n 's/^first deployment: //p' "$work/$name.gen.txt")
    echo "== $name: floor" >&2
    R[$name.floor]=$(run "$name" floor "$runs" "$floor" "$dir/export" "$dir/media-one.yaml")
    echo "== $name: one deployment ($dep)" >&2
    R[$name.one]=$(run "$name" one "$runs" "$bin" check "$dir/export" --media "$dir/media-one.yaml" \
        --deployment "$dep" --now $now --format json)
    R[$name.one.summary]=$(summary "$work/$name.one.stdout")
    all_runs=$runs
    if [ "$n" = "$L" ]; then all_runs=1; fi
    echo "== $name: all deployments" >&2
    R[$name.all]=$(run "$name" all "$all_runs" "$bin" check "$dir/export" --media "$dir/media-all.yaml" \
        --now $now --format json)
    R[$name.all.summary]=$(summary "$work/$name.all.stdout")
    R[$name.bytes]=$(input_bytes "$name")
done

echo "== example: $example_runs runs" >&2
ex_times=()
for ((i = 1; i <= example_runs; i++)); do
    set +e
    t0=$EPOCHREALTIME
    "$bin" check examples/contoso --media examples/contoso/media.yaml --now $now >/dev/null 2>&1
    ex_code=$?
    t1=$EPOCHREALTIME
    set -e
    ex_times+=("$(echo "$t0 $t1" | awk '{ printf "%.6f", $2 - $1 }')")
done
ex_mean=$(printf '%s\n' "${ex_times[@]}" | awk '{ s += $1 } END { printf "%.1f", 1000 * s / NR }')
ex_median=$(printf '%s\n' "${ex_times[@]}" | median | awk '{ printf "%.1f", 1000 * $1 }')
read -r _ _ ex_rss _ < <(measure "$work/example" "$bin" check examples/contoso --media examples/contoso/media.yaml --now $now)

# ---------------------------------------------------------------------------------------------
# Report

fmt() { awk -v x="$1" -v d="${2:-2}" 'BEGIN { if (x == "nan" || x == "") print "–"; else printf "%.*f", d, x }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "nan" || b == "nan" || b == 0 || a == "" || b == "") print "nan"; else printf "%.3f", a / b }'; }
mb() { awk -v k="$1" 'BEGIN { if (k == "nan" || k == "") print "–"; else printf "%.0f", k / 1024 }'; }
# get KEY FIELD: 1 wall, 2 cpu, 3 peak RSS, 4 exit code of a run's medians.
get() { local v=${R[$1]:-nan nan nan nan}; echo "$v" | cut -d' ' -f"$2"; }
# The wall time of a run that checked (exit 0 or 1), else nan.
checked() { if [[ "$(get "$1" 4)" =~ ^[01]$ ]]; then get "$1" "$2"; else echo nan; fi; }
verdict() { awk -v x="$1" -v lim="$2" 'BEGIN { if (x == "nan") print "not measured"; else if (x <= lim) print "**met**"; else print "not met" }'; }

cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n1)
kb() { awk -v b="$1" 'BEGIN { print b / 1024 }'; }
{
    echo "### Machine"
    echo
    echo "- $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
    echo "- $(nproc) cores, ${cpu:-unknown CPU}, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) memory"
    echo "- $(rustc -V)"
    echo "- load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine lengthens the wall times more than the CPU times)"
    echo
    echo "### Workload"
    echo
    echo "bench/src/generate.rs defaults (seed 42): N task sequences with 20 references each (the boot image, an OS image, the client package and 17 of a pool of 3N packages, driver packages and applications) and their Sequence XML, N deployments available to media, 300 distribution points plus the CMG, content status for every referenced object on 3 to 8 distribution points plus the CMG, 1% seeded faults. One deployment: \`--deployment\` the first (no fault); all deployments: a media plan that names none."
    echo
    for name in "${datasets[@]}"; do
        echo "- $name: $(tail -n2 "$work/$name.gen.txt" | head -n1 | awk '{ print $2 }') bytes, $(grep -E '^(task-sequences|content-status)\.' "$work/$name.gen.txt" | awk '{ printf "%s%s objects in %s", sep, $2, $1; sep = ", " }')"
    done
    echo
    echo "### Whole process: cmg-preflight and the floor"
    echo
    echo "Medians of the runs; wall time is measured around each run, less the $(awk -v o="$overhead" 'BEGIN { printf "%.1f", 1000 * o }') ms the wrappers (ulimit, timeout, GNU time) take; CPU is user + system time. The floor reads, decodes and parses the same files into IgnoredAny, one file after another on one core; cmg-preflight reads the files of an export on every core, so its wall time can be below its CPU time, and CPU ÷ floor CPU is the work done beside the floor's. Input size: the export folder and the media plan on disk. Caps: ${cap_s} s, ${cap_gb} GB of virtual memory."
    echo
    echo "| input | size (MB) | mode | runs | wall (s) | CPU (s) | peak RSS (MB) | floor wall (s) | floor CPU (s) | floor RSS (MB) | wall ÷ floor | CPU ÷ floor CPU | RSS ÷ input | exit: result |"
    echo "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
    for name in "${datasets[@]}"; do
        n=${name%%-*}
        bytes=${R[$name.bytes]}
        fw=$(get "$name.floor" 1)
        fc=$(get "$name.floor" 2)
        fr=$(get "$name.floor" 3)
        for mode in one all; do
            if [ "$n" = "$L" ]; then runs=$runs_large; else runs=$runs_small; fi
            if [ "$n" = "$L" ] && [ $mode = all ]; then runs=1; fi
            w=$(get "$name.$mode" 1)
            u=$(get "$name.$mode" 2)
            r=$(get "$name.$mode" 3)
            c=$(get "$name.$mode" 4)
            if [ $mode = one ]; then m="one deployment"; else m="all deployments"; fi
            if [ "$w" = nan ]; then
                res="stopped by a cap (exit $c)"
            elif [[ "$c" =~ ^[01]$ ]]; then
                res="$c: ${R[$name.$mode.summary]}"
            else
                # The first message of the error report (miette wraps it over two lines).
                res="$c: $(sed -n '1,2p' "$work/$name.$mode.stderr" | tr -d '×│' | tr -s ' \n' ' ' |
                    sed "s|$work/$name/export/||; s/^ *//; s/ *$//" | head -c 160)"
            fi
            echo "| $name | $(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }') | $m | $runs | $(fmt "$w") | $(fmt "$u") | $(mb "$r") | $(fmt "$fw" 3) | $(fmt "$fc" 2) | $(mb "$fr") | $(fmt "$(ratio "$(checked "$name.$mode" 1)" "$fw")" 1) | $(fmt "$(ratio "$(checked "$name.$mode" 2)" "$fc")" 1) | $(fmt "$(ratio "$(checked "$name.$mode" 3)" "$(kb "$bytes")")" 2) | $res |"
        done
    done
    echo
    echo "### Scaling, $L ÷ $S (PowerShell 7 JSON; linear growth gives about 10)"
    echo
    echo "| | wall | CPU | peak RSS |"
    echo "|---|---:|---:|---:|"
    for mode in floor one all; do
        echo "| $mode | $(fmt "$(ratio "$(checked "$L-json.$mode" 1)" "$(checked "$S-json.$mode" 1)")" 1) | $(fmt "$(ratio "$(checked "$L-json.$mode" 2)" "$(checked "$S-json.$mode" 2)")" 1) | $(fmt "$(ratio "$(checked "$L-json.$mode" 3)" "$(checked "$S-json.$mode" 3)")" 1) |"
    done
    echo
    echo "### The shipped example"
    echo
    echo "\`check examples/contoso --media examples/contoso/media.yaml --now $now\`, $example_runs runs: mean ${ex_mean} ms, median ${ex_median} ms, peak RSS $(mb "$ex_rss") MB, exit $ex_code."
    echo
    echo "### Targets of issue 9"
    echo
    one_ratio=$(ratio "$(checked "$L-json.one" 1)" "$(get "$L-json.floor" 1)")
    one_rss=$(ratio "$(checked "$L-json.one" 3)" "$(kb "${R[$L-json.bytes]}")")
    all_small=$(ratio "$(checked "$S-json.all" 1)" "$(get "$S-json.floor" 1)")
    all_w=$(checked "$L-json.all" 1)
    all_gb=$(awk -v k="$(checked "$L-json.all" 3)" 'BEGIN { if (k == "nan") print "nan"; else printf "%.3f", k / 1048576 }')
    # The largest YAML export that checked.
    yaml_name="$S-yaml"
    for y in "$L-yaml" "$S-yaml" "400-yaml"; do
        if [[ "$(get "$y.one" 4)" =~ ^[01]$ ]]; then
            yaml_name=$y
            break
        fi
    done
    yaml_ratio=$(ratio "$(checked "$yaml_name.one" 1)" "$(get "$yaml_name.floor" 1)")
    yaml_code=$(get "$yaml_name.one" 4)
    echo "| target | measured | |"
    echo "|---|---:|---|"
    one_cpu=$(ratio "$(checked "$L-json.one" 2)" "$(get "$L-json.floor" 2)")
    echo "| one deployment, N=$L: wall ≤ 2 × floor | $(fmt "$one_ratio" 1) × (CPU $(fmt "$one_cpu" 1) × the floor's, on $(nproc) cores) | $(verdict "$one_ratio" 2) |"
    echo "| one deployment, N=$L: peak RSS ≤ 1.5 × input | $(fmt "$one_rss" 2) × | $(verdict "$one_rss" 1.5) |"
    echo "| all deployments, N=$S: wall ≤ 3 × floor | $(fmt "$all_small" 1) × | $(verdict "$all_small" 3) |"
    echo "| all deployments, N=$L: ≤ 10 s | $(fmt "$all_w" 1) s | $(verdict "$all_w" 10) |"
    echo "| all deployments, N=$L: ≤ 2 GB | $(fmt "$all_gb" 2) GB | $(verdict "$all_gb" 2) |"
    if [[ "$yaml_code" =~ ^[01]$ ]]; then
        echo "| YAML ($yaml_name, one deployment): wall ≤ 1.3 × serde-saphyr parse | $(fmt "$yaml_ratio" 1) × | $(verdict "$yaml_ratio" 1.3) |"
    else
        echo "| YAML ($yaml_name, one deployment): wall ≤ 1.3 × serde-saphyr parse | exit $yaml_code | not met: the check stops with an error (see the table) |"
    fi
    echo "| example: < 15 ms | ${ex_mean} ms | $(verdict "$ex_mean" 15) |"
} | tee "$report"
