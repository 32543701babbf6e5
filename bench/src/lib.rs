//! Pactum's load harnesses. They run by their own command
//! (`scripts/bench-http.sh`), never inside the test run; the test run only
//! checks that each works on a tiny input (`host/tests/bench_http.rs`).
//!
//! - [`http`]: HTTP PUT throughput and p50/p99 latency of `pactum serve`
//!   (SQLite, WAL, `synchronous=FULL`) driven by `wrk` at several connection
//!   counts, against a bare loop doing the same single-row UPDATE in one
//!   durable transaction each, in the same run; optionally at several
//!   entity counts (the scale comparison), with the import timed.
//! - [`chart`]: the latency-against-concurrency chart, as SVG.

pub mod chart;
pub mod http;
pub mod stats;
