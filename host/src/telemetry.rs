//! Every metric family of the host, described once with its HELP text and
//! present (at zero) from the start, so that a dashboard or an alert sees a
//! family before its first event. Durations and sizes are *histograms* with
//! fixed buckets: a summary's quantiles cannot be added up across the
//! hosts that docs/operations.md recommends, bucket counts can.
//!
//! Each family is recorded where its event happens; the store's gauges are
//! read at each scrape by the service (`Accounts::observe_store`). This
//! file names no other module of the host, so every layer can record into it.

use std::sync::OnceLock;

use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use pactum_core::Channel;

pub const HTTP_REQUESTS: &str = "pactum_http_requests_total";
pub const HTTP_DURATION: &str = "pactum_http_request_duration_seconds";
pub const HTTP_SERVER_ERRORS: &str = "pactum_http_server_errors_total";
pub const MODULE_CALL_DURATION: &str = "pactum_module_call_duration_seconds";
pub const MODULE_FUEL: &str = "pactum_module_fuel_used";
pub const MODULE_FAILURES: &str = "pactum_module_failures_total";
pub const REDECISIONS: &str = "pactum_update_redecisions_total";
pub const SENDS: &str = "pactum_sends_total";
pub const GROUP_COMMIT_WRITES: &str = "pactum_group_commit_writes";
pub const OUTBOX_BACKLOG: &str = "pactum_outbox_backlog";
pub const OUTBOX_OLDEST_AGE: &str = "pactum_outbox_oldest_age_seconds";
pub const POOL_CONNECTIONS: &str = "pactum_db_pool_connections";
pub const POOL_MAX: &str = "pactum_db_pool_max_connections";
pub const SHADOW_EVALUATIONS: &str = "pactum_shadow_evaluations_total";

/// The results `pactum_shadow_evaluations_total` counts: the shadow module
/// decided the same (`agree`) or otherwise (`diverge`), failed, or was not
/// run because its slots were busy (`skipped`).
pub const SHADOW_RESULTS: &[&str] = &["agree", "diverge", "failed", "skipped"];

/// The kinds `pactum_module_failures_total` counts (`ModuleError::kind`).
pub const MODULE_FAILURE_KINDS: &[&str] = &[
    "compile",
    "missing_export",
    "abi_version",
    "instantiate",
    "out_of_fuel",
    "timeout",
    "memory_limit",
    "trap",
    "input_too_large",
    "output_too_large",
    "output_out_of_bounds",
    "malformed_output",
    "contract_rejected",
];

const SECONDS: &[f64] =
    &[0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];
const FUEL: &[f64] = &[1e5, 1e6, 3e6, 1e7, 3e7, 1e8, 3e8, 1e9, 3e9];
const WRITES: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0];

/// The process's Prometheus recorder, installed on first use (a process
/// has one global recorder, however many routers it builds: tests build
/// many), with every family described and at zero.
#[must_use]
pub fn recorder() -> PrometheusHandle {
    static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let builder = PrometheusBuilder::new()
                .set_buckets_for_metric(Matcher::Suffix("_seconds".to_owned()), SECONDS)
                .and_then(|builder| builder.set_buckets_for_metric(Matcher::Full(MODULE_FUEL.to_owned()), FUEL))
                .and_then(|builder| {
                    builder.set_buckets_for_metric(Matcher::Full(GROUP_COMMIT_WRITES.to_owned()), WRITES)
                });
            let recorder = match builder {
                Ok(builder) => builder.build_recorder(),
                Err(error) => {
                    tracing::warn!(%error, "metric buckets refused; durations are summaries");
                    PrometheusBuilder::new().build_recorder()
                }
            };
            let handle = recorder.handle();
            if metrics::set_global_recorder(recorder).is_err() {
                tracing::warn!("a metrics recorder was already installed; /metrics will be empty");
            }
            describe();
            handle
        })
        .clone()
}

fn describe() {
    describe_counter!(HTTP_REQUESTS, "HTTP requests answered, by method, route and status");
    describe_histogram!(HTTP_DURATION, Unit::Seconds, "HTTP request duration, by method and route");
    describe_counter!(HTTP_SERVER_ERRORS, "HTTP answers with status 500");
    describe_histogram!(MODULE_CALL_DURATION, Unit::Seconds, "contract module evaluate calls, by contract");
    describe_histogram!(MODULE_FUEL, "fuel one contract module call burned, by entry (evaluate or load)");
    describe_counter!(MODULE_FAILURES, "contract module calls that failed (500.1), by kind");
    describe_counter!(REDECISIONS, "updates decided again because the entity changed under them");
    describe_counter!(
        SENDS,
        "verification messages handed to a sender, by channel and result (sent, retry, abandoned)"
    );
    describe_histogram!(GROUP_COMMIT_WRITES, "writes made durable by one SQLite group commit");
    describe_gauge!(OUTBOX_BACKLOG, "verification messages waiting to be sent (neither sent nor abandoned)");
    describe_gauge!(
        OUTBOX_OLDEST_AGE,
        Unit::Seconds,
        "age of the oldest waiting verification message; 0 when none waits"
    );
    describe_gauge!(POOL_CONNECTIONS, "read pool connections, by state (open, idle)");
    describe_gauge!(POOL_MAX, "the most connections the read pool opens");
    describe_counter!(
        SHADOW_EVALUATIONS,
        "calls a contract's shadow module also decided, by contract and result (agree, diverge, failed, skipped)"
    );
    // Present at zero: the label-free families, and each known label value
    // of the labelled ones whose values are a fixed set.
    metrics::counter!(HTTP_SERVER_ERRORS).absolute(0);
    metrics::gauge!(OUTBOX_BACKLOG).set(0.0);
    metrics::gauge!(OUTBOX_OLDEST_AGE).set(0.0);
    for state in ["open", "idle"] {
        metrics::gauge!(POOL_CONNECTIONS, "state" => state).set(0.0);
    }
    metrics::gauge!(POOL_MAX).set(0.0);
    metrics::counter!(REDECISIONS).absolute(0);
    for kind in MODULE_FAILURE_KINDS {
        metrics::counter!(MODULE_FAILURES, "kind" => *kind).absolute(0);
    }
    let _ = metrics::histogram!(GROUP_COMMIT_WRITES);
    for entry in ["evaluate", "load"] {
        let _ = metrics::histogram!(MODULE_FUEL, "entry" => entry);
    }
    for channel in Channel::ALL {
        for result in ["sent", "retry", "abandoned"] {
            metrics::counter!(SENDS, "channel" => channel.as_str(), "result" => result).absolute(0);
        }
    }
}
