#!/usr/bin/env bash
# Usage: fuzz/run.sh [SECONDS] [TARGET...]
#
# Seeds the corpus (fuzz/seed.sh), builds the fuzz targets on the stable toolchain without a
# sanitizer, then fuzzes each TARGET (default: all of fuzz/fuzz_targets/) for SECONDS (default
# 60), one after the other. libFuzzer runs in fork mode with -ignore_crashes=1, so one run
# collects every distinct crash instead of stopping at the first
# (https://llvm.org/docs/LibFuzzer.html#fork-mode).
#
# Each new crash is reproduced to read its panic location (RUST_BACKTRACE=1); for each location
# not yet kept, the smallest input is minimized (cargo fuzz tmin) and copied to
# tests/fuzz-regressions/TARGET/<location>-<message words>-<hash>, which
# tests/fuzz_regressions.rs runs in `cargo test`. One summary line per target at the end.
# Every target uses the dictionary fuzz/fuzz.dict (dates, multi-byte characters, edge numbers).
# Logs: fuzz/artifacts/TARGET.log (fuzzer), fuzz/artifacts/TARGET/*.panic (each crash's output).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

secs=${1:-60}
shift || true
if [ $# -gt 0 ]; then
    targets=("$@")
else
    targets=()
    for f in fuzz/fuzz_targets/*.rs; do
        targets+=("$(basename "$f" .rs)")
    done
fi

# The fuzzers build the dependency versions the crate itself is tested with.
cp Cargo.lock fuzz/Cargo.lock
fuzz/seed.sh >/dev/null
if [ ${#targets[@]} -eq 1 ]; then
    nice -n 10 cargo fuzz build -s none "${targets[0]}"
else
    nice -n 10 cargo fuzz build -s none
fi
triple=$(rustc -vV | sed -n 's/^host: //p')
bin_dir=fuzz/target/$triple/release

# Reproduces one input; prints "KEY<TAB>MESSAGE" where KEY names the panic location
# (path:line, relative to the repository or to the dependency's source folder).
triage() {
    local target=$1 input=$2 out loc msg
    out=$(RUST_BACKTRACE=1 timeout 120 "$bin_dir/$target" -timeout=10 -rss_limit_mb=2048 "$input" 2>&1 | tr -d '\0' || true)
    printf '%s\n' "$out" >"$input.panic"
    loc=$(grep -a -m1 -o 'panicked at [^ ]*:[0-9]*:[0-9]*' <<<"$out" | sed 's/^panicked at //' || true)
    if [ -n "$loc" ]; then
        msg=$(grep -a -m1 -A1 'panicked at' <<<"$out" | sed -n 2p | cut -c1-160)
        # path:line, without the column, relative to this repository or the dependency's folder.
        loc=$(sed -E "s#:([0-9]+):[0-9]+:?\$#:\1#; s#^$root/##; s#^.*/registry/src/[^/]+/##; s#^/rustc/[0-9a-f]+/##" <<<"$loc")
    elif grep -aq 'ERROR: libFuzzer: timeout' <<<"$out"; then
        loc=timeout msg="more than 10 s on one input"
    elif grep -aq 'out-of-memory' <<<"$out"; then
        loc=oom msg="more than 2048 MB"
    elif grep -aq 'deadly signal\|ERROR: libFuzzer' <<<"$out"; then
        loc=signal msg=$(grep -a -m1 'ERROR: libFuzzer\|deadly signal' <<<"$out")
    else
        loc=none msg="does not crash when run again"
    fi
    printf '%s\t%s\n' "$loc" "$msg"
}

slug() { tr -c 'A-Za-z0-9.\n' '-' <<<"$1" | tr -s '-' | sed 's/^-//; s/-$//'; }

# fuzz_entry keeps a scratch folder per process, and fork mode starts a process per job: keep
# them under fuzz/target and remove them after each target.
# One scratch folder per run, so two runs side by side never remove each other's files.
export TMPDIR=$root/fuzz/target/tmp/run-$$
mkdir -p "$TMPDIR"

summary=()
for t in "${targets[@]}"; do
    art=fuzz/artifacts/$t
    mkdir -p "$art" "fuzz/corpus/$t" "tests/fuzz-regressions/$t"
    before=$(ls "$art")
    echo "== $t: fuzzing for $secs s (log: $art.log)"
    nice -n 10 cargo fuzz run -s none "$t" "fuzz/corpus/$t" -- \
        -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
        -fork=1 -ignore_crashes=1 -dict=fuzz/fuzz.dict >"$art.log" 2>&1 || true
    # Fork mode reports "#RUNS: cov: ... time: SECONDSs"; plain mode "Done RUNS runs in S second(s)".
    last=$(grep -a -E '^#[0-9]+: cov:' "$art.log" | tail -1 || true)
    runs=$(sed -E 's/^#([0-9]+):.*/\1/' <<<"$last")
    took=$(sed -E 's/.* time: ([0-9]+)s.*/\1/' <<<"$last")
    runs=${runs:-0} took=${took:-$secs}
    new=()
    for f in $(ls "$art"); do
        case $f in crash-* | timeout-* | oom-*) ;; *) continue ;; esac
        grep -qxF "$f" <<<"$before" || new+=("$art/$f")
    done
    # Group the new crashes by panic location; keep the smallest input of each group.
    declare -A smallest=() message=()
    for f in "${new[@]}"; do
        IFS=$'\t' read -r key msg < <(triage "$t" "$f")
        size=$(stat -c %s "$f")
        if [ -z "${smallest[$key]:-}" ] || [ "$size" -lt "$(stat -c %s "${smallest[$key]}")" ]; then
            smallest[$key]=$f
            message[$key]=$msg
        fi
    done
    kept=()
    for key in "${!smallest[@]}"; do
        [ "$key" = none ] && continue
        prefix=$(slug "$key")
        if ls "tests/fuzz-regressions/$t/" | grep -q "^$prefix-"; then
            kept+=("$key (already kept)")
            continue
        fi
        f=${smallest[$key]}
        nice -n 10 cargo fuzz tmin -s none "$t" "$f" -- -timeout=10 -rss_limit_mb=2048 \
            >"$f.tmin.log" 2>&1 || true
        # libFuzzer's last word: "CRASH_MIN: failed to minimize beyond PATH (N bytes), exiting".
        small=$(grep -a -o 'failed to minimize beyond [^ ]*' "$f.tmin.log" | tail -1 | sed 's/.* //' || true)
        # tmin keeps any crash; use the minimized input only if it still panics at the same place.
        if [ -n "$small" ] && [ "$(triage "$t" "$small" | cut -f1)" = "$key" ]; then
            f=$small
        fi
        words=$(slug "$(tr 'A-Z' 'a-z' <<<"${message[$key]}" | tr -cs 'a-z' ' ' | awk '{print $1"-"$2"-"$3}')")
        hash=$(sha1sum "$f" | cut -c1-8)
        dest=tests/fuzz-regressions/$t/$prefix${words:+-$words}-$hash
        cp "$f" "$dest"
        kept+=("$key: ${message[$key]} -> $dest")
    done
    unset smallest message
    rm -rf "$TMPDIR"/cmg-preflight-fuzz-*
    rate=$((runs / (took > 0 ? took : 1)))
    summary+=("$t: $runs runs in ${took}s ($rate/s), ${#new[@]} crashes, ${#kept[@]} distinct")
    for k in "${kept[@]}"; do summary+=("    $k"); done
done

echo
printf '%s\n' "${summary[@]}"
