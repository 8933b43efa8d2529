#!/usr/bin/env bash
# Fills fuzz/corpus/NAME/ for every fuzz target with seeds built from testdata/ and examples/
# (the known-good export, the end-to-end cases' edits, the rule catalog, waiver snippets), so
# no seed is kept twice in git. Which files feed which target is written once, in
# tests/fuzz_regressions.rs (`seeds`), whose ignored `write_corpus` test writes them here.
# Inputs the fuzzers found stay in the corpus beside the seeds (fuzz/corpus is not committed).
set -euo pipefail
cd "$(dirname "$0")/.."
FUZZ_CORPUS="$PWD/fuzz/corpus" cargo test --quiet --test fuzz_regressions -- \
    --ignored --exact write_corpus --nocapture
