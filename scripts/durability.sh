#!/usr/bin/env bash
# Durability proof (issue 7, item 5; issue 13): kill -9 `pactum serve` in the
# middle of a concurrent PUT load, restart it on the same data folder, and
# check that every acknowledged update is there and no update is
# half-applied. Writers share entities (3 per entity, each on its own fields
# plus one shared field), so a lost update shows: every field must hold the
# value of the acknowledged update with the highest version (ETag) that
# wrote it, or that of an update in flight at the kill. Prints one PASS/FAIL
# line with the counts; exits non-zero on FAIL.
#
#   scripts/durability.sh [SECONDS]    load per cycle before the kill (default 10)
#   scripts/durability.sh --tiny       1 cycle of 1.5 s, 6 writers on 2 entities (the test run's check)
#
# Environment: WRITERS (default 16), CYCLES (default 3), PACTUM_BIN (a
# prebuilt binary; default: build the release one), DATA_DIR (keep the data
# folder there; default: a temporary folder, removed when the run passes).
# The load client is scripts/durability.py (python3, standard library).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=10
writers="${WRITERS:-16}"
cycles="${CYCLES:-3}"
case "${1:-}" in
    --tiny) seconds=1.5 writers="${WRITERS:-6}" cycles="${CYCLES:-1}" ;;
    "") ;;
    *) seconds="$1" ;;
esac

if ! command -v python3 >/dev/null 2>&1; then
    echo "FAIL: python3 is missing; install it with \`apt-get install -y python3\`" >&2
    exit 2
fi
source scripts/lib/pactum-bin.sh

args=(--binary "$pactum_bin" --seconds "$seconds" --writers "$writers" --cycles "$cycles")
if [[ -n "${DATA_DIR:-}" ]]; then
    args+=(--data-dir "$DATA_DIR")
fi
exec python3 scripts/durability.py "${args[@]}"
