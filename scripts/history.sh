#!/usr/bin/env bash
# The concurrency history checker of issue 13 (host/tests/history.rs), run
# longer than in the normal test run: 16 clients of random operations on a
# few shared entities, on SQLite with one `pactum serve` and on PostgreSQL
# with two, then every acknowledged answer checked against the model and
# the database's unique claims against the data; then the control, the
# SQLite run with one request at a time, which the checker must accept.
# Prints, per run, the operation counts and the checker's result (PASS, or
# FAIL with evidence); exits non-zero if any run fails.
#
#   scripts/history.sh [SECONDS]     seconds of load per run (default 60)
#
# Environment: PACTUM_TEST_POSTGRES (default
# postgres://postgres@127.0.0.1:5432/test), PACTUM_HISTORY_CLIENTS (default
# 16), PACTUM_HISTORY_SEED (hex; repeats a run's choices, not its timing).
# The built-in contract module must exist in target/wasm/ (`cargo xtask wasm`).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
if ! [[ "$seconds" =~ ^[0-9]+([.][0-9]+)?$ ]]; then
    echo "usage: scripts/history.sh [SECONDS]" >&2
    exit 2
fi
if [[ ! -f target/wasm/pactum_wasm_bg.wasm ]]; then
    cargo xtask wasm
fi
export PACTUM_TEST_POSTGRES="${PACTUM_TEST_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}"
export PACTUM_HISTORY_SECS="$seconds"
# The report is the evidence; a backtrace of the final panic adds nothing.
export RUST_BACKTRACE=0

cargo test -p pactum-host --test history --no-run
status=0
cases=(
    sqlite_one_host_keeps_every_acknowledged_write
    postgres_two_hosts_keep_every_acknowledged_write
    sqlite_one_request_at_a_time_passes_the_checker
)
for case in "${cases[@]}"; do
    echo "== $case ($seconds s)"
    if cargo test -q -p pactum-host --test history -- --exact "$case" --nocapture --test-threads 1; then
        echo "== $case: PASS"
    else
        echo "== $case: FAIL"
        status=1
    fi
done
exit "$status"
