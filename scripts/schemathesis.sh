#!/usr/bin/env bash
# API fuzzing proof (issue 7, item 7): schemathesis (PyPI) against the
# OpenAPI document a running `pactum serve` (the demo setup) serves, with the
# demo app's API key. Passes with 0 server errors and 0 responses that break
# the documented schema; prints one PASS/FAIL line with the counts.
#
#   scripts/schemathesis.sh [EXAMPLES]   test cases per operation and phase (default 50)
#   scripts/schemathesis.sh --tiny       3 per operation (the test run's check)
#
# Environment: PACTUM_BIN (a prebuilt binary; default: build the release
# one), SEED (schemathesis's seed; default: random, printed), WORKERS
# (default 1: with more, hypothesis's lambda printing trips CPython 3.11's
# thread-unsafe `ast.parse` now and then, a tool error that fails the run).
#
# The checks: `no_server_error` (scripts/schemathesis_hooks.py: every 5xx
# fails, except the HTTP 501 the product spec gives 2004's 501.2 and 501.3),
# `response_schema_conformance`, `status_code_conformance` (only documented
# statuses) and `content_type_conformance` (only documented media types).
# Schemathesis lives in its own venv, target/schemathesis-venv, made on
# first use (needs python3 with venv: `apt-get install -y python3-venv`).
set -euo pipefail
cd "$(dirname "$0")/.."

version=4.32.5
examples=50
case "${1:-}" in
    --tiny) examples=3 ;;
    "") ;;
    *) examples="$1" ;;
esac

venv=target/schemathesis-venv
if [[ "$("$venv/bin/schemathesis" --version 2>/dev/null)" != *"version $version"* ]]; then
    if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
        echo "FAIL: python3 with venv and ensurepip is missing; install it with \`apt-get install -y python3-venv\`" >&2
        exit 2
    fi
    echo "== schemathesis $version into $venv"
    python3 -m venv --clear "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version"
fi
source scripts/lib/pactum-bin.sh

work="$(mktemp -d "${TMPDIR:-/tmp}/pactum-schemathesis-XXXXXX")"
server_pid=""
finish() {
    local status=$?
    if [[ -n "$server_pid" ]]; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [[ $status -eq 0 ]]; then rm -rf "$work"; else echo "kept the run's files in $work" >&2; fi
}
trap finish EXIT

RUST_LOG=warn "$pactum_bin" serve --data-dir "$work/data" --listen 127.0.0.1:0 >"$work/serve.out" 2>"$work/serve.log" &
server_pid=$!
base=""
for _ in $(seq 1200); do
    base="$(sed -n 's/^listening on \(http:\/\/.*\)$/\1/p' "$work/serve.out")"
    [[ -n "$base" ]] && break
    if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "FAIL: pactum serve exited before listening; its log:" >&2
        cat "$work/serve.log" >&2
        exit 1
    fi
    sleep 0.1
done
if [[ -z "$base" ]]; then
    echo "FAIL: pactum serve printed no \`listening on\` line within 120 s" >&2
    exit 1
fi

key="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["webshop"])' "$work/data/demo-keys.json")"
# Path parameters that exist, for the hooks to use half of the time.
PACTUM_ST_KNOWN="$(python3 - "$work/data/demo-entities.json" "$base" <<'EOF'
import json, sys, urllib.request
entities = [entity for entity, _ in json.load(open(sys.argv[1]))]
contracts = json.load(urllib.request.urlopen(sys.argv[2] + "/contracts"))
print(json.dumps({
    "dp-keyid": entities,
    "ext-key": ["C-1001", "C-1002", "C-1003"],
    "ext-type": ["crm", "crm", "crm"],
    "contract-id": [contract["id"] for contract in contracts],
    "sha256": [contract["moduleSha256"] + ".wasm" for contract in contracts],
}))
EOF
)"
export PACTUM_ST_KNOWN PACTUM_ST_LOG="$work/answers.tsv" SCHEMATHESIS_HOOKS=schemathesis_hooks
root="$PWD"
export PYTHONPATH="$root/scripts${PYTHONPATH:+:$PYTHONPATH}"
: >"$PACTUM_ST_LOG"

seed_args=()
if [[ -n "${SEED:-}" ]]; then seed_args=(--seed "$SEED"); fi
set +e
# From the run's folder: schemathesis keeps a cache (.schemathesis/) where it runs.
(cd "$work" && "$root/$venv/bin/schemathesis" run "$base/openapi.json" \
    --header "Authorization: Bearer $key" \
    --checks no_server_error,response_schema_conformance,status_code_conformance,content_type_conformance \
    --max-examples "$examples" --workers "${WORKERS:-1}" "${seed_args[@]}" \
    --suppress-health-check all --no-color --output-truncate false >"$work/schemathesis.txt" 2>&1)
status=$?
set -e

summary="$(python3 - "$PACTUM_ST_LOG" <<'EOF'
import collections, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1]) if line.strip()]
by_class = collections.Counter(row[0][0] + "xx" for row in rows)
spec_501 = sum(1 for status, code, _ in rows if status == "501" and code in ("501.2", "501.3"))
server = sum(1 for status, code, _ in rows if status >= "500" and not (status == "501" and code in ("501.2", "501.3")))
classes = ", ".join(f"{count} {name}" for name, count in sorted(by_class.items()))
print(f"{len(rows)} requests ({classes}); {server} server errors; {spec_501} of the spec's 501.2/501.3")
EOF
)"
cases="$(sed -n 's/^ *\([0-9]*\) generated.*/\1/p' "$work/schemathesis.txt" | tail -1)"
seed="$(sed -n 's/^Seed: *\([0-9]*\).*/\1/p' "$work/schemathesis.txt" | tail -1)"
if [[ $status -eq 0 ]]; then
    echo "PASS schemathesis $version: ${cases:-?} test cases, $examples per operation and phase, seed ${seed:-?}: $summary; 0 check failures"
else
    sed -n '/FAILURES/,$p' "$work/schemathesis.txt" | head -200
    echo "FAIL schemathesis $version (exit $status): ${cases:-?} test cases, seed ${seed:-?}: $summary; full output in $work/schemathesis.txt"
fi
exit "$status"
