#!/usr/bin/env bash
# Runs each cargo-fuzz target (fuzz/) for a fixed time and prints one
# PASS/FAIL line per target; exits non-zero if any target found a crash.
#
#   scripts/fuzz.sh [SECONDS]     (default 60 per target)
#
# libFuzzer keeps what it learns in fuzz/corpus/<target>/ and writes a
# crashing input to fuzz/artifacts/<target>/; this script copies each such
# input into fuzz/regressions/<target>/, where the normal test run replays it
# (`cargo test -p pactum-tests --test fuzz_regressions`) until it is fixed.
set -euo pipefail

seconds="${1:-60}"
cd "$(dirname "$0")/.."

# cargo-fuzz passes nightly-only rustc flags; this lets the stable toolchain
# accept them.
export RUSTC_BOOTSTRAP=1
# The fuzz crate is its own workspace and builds into fuzz/target.
unset CARGO_TARGET_DIR

if ! cargo fuzz --version >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked
fi
# module_abi runs the built-in module.
if [[ ! -f target/wasm/pactum_wasm_bg.wasm ]]; then
    cargo xtask wasm
fi

# No sanitizer: the engine and the host deny `unsafe`, and what the targets
# look for (panics, broken invariants) needs none; ASan would halve the
# executions and double the build of wasmtime.
build=(--sanitizer none)
cargo fuzz build "${build[@]}"

failed=0
for target in core_evaluate module_abi; do
    corpus="fuzz/corpus/$target"
    artifacts="fuzz/artifacts/$target"
    regressions="fuzz/regressions/$target"
    log="fuzz/artifacts/$target.log"
    mkdir -p "$corpus" "$artifacts" "$regressions"
    # New inputs go to the first corpus folder; the kept inputs seed it.
    if cargo fuzz run "${build[@]}" "$target" "$corpus" "$regressions" -- \
        -max_total_time="$seconds" -timeout=60 -print_final_stats=1 >"$log" 2>&1; then
        runs="$(awk '/stat::number_of_executed_units/ {print $2}' "$log")"
        rate="$(awk '/stat::average_exec_per_sec/ {print $2}' "$log")"
        echo "PASS $target: ${seconds} s, ${runs:-?} executions (${rate:-?}/s), 0 crashes"
    else
        failed=1
        echo "FAIL $target: see $log"
        for input in "$artifacts"/*; do
            [[ -f "$input" ]] || continue
            cp -n "$input" "$regressions/"
            echo "     kept $regressions/$(basename "$input")"
        done
    fi
done
exit "$failed"
