#!/usr/bin/env bash
# HTTP PUT throughput and p50/p99 latency of `pactum serve` (demo setup,
# SQLite, WAL, synchronous=FULL) against a bare SQLite update loop, at 1, 16
# and 64 connections, driven by Debian's wrk. Builds `pactum` and the
# harness in release, then runs `bench-http` with the arguments given:
#
#   scripts/bench-http.sh --chart docs/bench-http.svg               # 10 k entities
#   scripts/bench-http.sh --entities 10000,1000000 --work-dir /var/tmp/pb   # the scale run
#   scripts/bench-http.sh --help
#
# Not part of the test run; host/tests/bench_http.rs runs the harness on a
# tiny input there. Figures: docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v wrk >/dev/null 2>&1; then
  echo "bench-http: the load generator wrk is missing; install it with: apt-get install -y wrk" >&2
  exit 1
fi

# The built-in contract module `pactum` loads (target/wasm/).
cargo xtask wasm
cargo build --release -p pactum-host --bin pactum -p pactum-bench --bin bench-http
exec target/release/bench-http --pactum target/release/pactum "$@"
