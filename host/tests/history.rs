//! A concurrency history checker (Jepsen / porcupine style) for issue 13:
//! concurrent writes to one entity must not lose acknowledged updates.
//!
//! Many clients (16) run random operations for a bounded time against a
//! small set of shared entities, on SQLite with one `pactum serve` host and
//! on PostgreSQL with two hosts on one schema (each client's requests go to
//! the hosts in turn). Every request and answer is recorded (operation,
//! entity, arguments, invocation and completion time, status, sub code,
//! `ETag` version, answered entity); codes come through the `webhook`
//! sender to a gateway in the test, so verifies use the real codes. Then,
//! from the answers' versions, the checker proves or refutes:
//!
//! - (a) every answer reporting version v shows the same data;
//! - (b) each version is the one before with exactly one acknowledged
//!   operation applied (a PUT's merge of its non-verified fields, a
//!   verify's pending value, a deactivation), every acknowledged write is in
//!   the chain once, and the rest are no-ops on the version they report;
//! - (c) an operation invoked after another completed reports its version
//!   or a later one;
//! - (d) nothing is written after a deactivation (later PUTs answer 409.3);
//! - (e) the final read is the last version, and the database holds its
//!   data and status;
//! - (f) in the database, the unique claims are exactly the entities'
//!   current e-mail and mobile plus the pending changes' values, and no
//!   inactive entity has a pending change;
//!
//! and every answer is one the spec documents for its operation. It prints
//! the operation counts and the result (with the evidence of each broken
//! rule), and fails on a violation or on a run that did too little to show
//! anything. `PACTUM_HISTORY_SECS` (default 6 per backend),
//! `PACTUM_HISTORY_CLIENTS` (16) and `PACTUM_HISTORY_SEED` tune it;
//! `scripts/history.sh [SECONDS]` is the long run. The PostgreSQL case needs
//! `PACTUM_TEST_POSTGRES` (otherwise it reports `NOT RUN`).
#![expect(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing, clippy::panic, reason = "tests")]

mod common;

#[path = "history/answers.rs"]
mod answers;
#[path = "history/chain.rs"]
mod chain;
#[path = "history/checker.rs"]
mod checker;
#[path = "history/claims.rs"]
mod claims;
#[path = "history/client.rs"]
mod client;
#[path = "history/codes.rs"]
mod codes;
#[path = "history/model.rs"]
mod model;
#[path = "history/realtime.rs"]
mod realtime;
#[path = "history/record.rs"]
mod record;
#[path = "history/report.rs"]
mod report;
#[path = "history/rng.rs"]
mod rng;
#[path = "history/selftest.rs"]
mod selftest;
#[path = "history/setup.rs"]
mod setup;
#[path = "history/workload.rs"]
mod workload;

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use common::db::TestDb;
use common::gateway::Gateway;
use common::serve::ServeProcess;

use client::{Caller, Host};
use codes::CodeBook;
use record::{FINAL, History, Op, Record, SETUP};
use workload::{DELETE_EVERY, INITIAL, Pools, Workload};

/// The two runs share two cores: one at a time.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

#[test]
fn sqlite_one_host_keeps_every_acknowledged_write() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    runtime().block_on(async {
        let db = TestDb::sqlite();
        run(&db, 1, "SQLite, one host", false).await;
    });
}

#[test]
fn postgres_two_hosts_keep_every_acknowledged_write() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    runtime().block_on(async {
        let test = "history::postgres_two_hosts_keep_every_acknowledged_write";
        let Some(db) = TestDb::postgres(test).await else { return };
        run(&db, 2, "PostgreSQL, two hosts on one schema", false).await;
    });
}

/// The control: the same run with the clients taking turns, so the server
/// sees one request at a time. Its history is linearizable by construction,
/// so the checker must accept it: proof that what it reports in the
/// concurrent runs is the service's doing, not the model's.
#[test]
fn sqlite_one_request_at_a_time_passes_the_checker() {
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    runtime().block_on(async {
        let db = TestDb::sqlite();
        run(&db, 1, "SQLite, one host, one request at a time (control)", true).await;
    });
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(4).enable_all().build().unwrap()
}

struct Settings {
    run_for: Duration,
    clients: usize,
    seed: u64,
}

fn settings() -> Settings {
    let var = |name: &str| std::env::var(name).ok().filter(|value| !value.trim().is_empty());
    let secs: f64 = var("PACTUM_HISTORY_SECS").map_or(6.0, |value| value.trim().parse().expect("PACTUM_HISTORY_SECS"));
    let clients =
        var("PACTUM_HISTORY_CLIENTS").map_or(16, |value| value.trim().parse().expect("PACTUM_HISTORY_CLIENTS"));
    let seed = var("PACTUM_HISTORY_SEED").map_or_else(
        || getrandom::u64().unwrap(),
        |value| u64::from_str_radix(value.trim().trim_start_matches("0x"), 16).expect("PACTUM_HISTORY_SEED (hex)"),
    );
    Settings { run_for: Duration::from_secs_f64(secs), clients, seed }
}

async fn run(db: &TestDb, host_count: usize, label: &str, serial: bool) {
    let Settings { run_for, clients, seed } = settings();
    // One request at a time does a fraction of the concurrent runs' work
    // (4 successful If-Match PUTs in 6 s were seen): twice the time keeps
    // its minimums (`shortfalls`) from failing by chance.
    let run_for = if serial { run_for * 2 } else { run_for };
    let gateway = Gateway::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = setup::write_config(dir.path(), db.url(), &gateway.base);
    let processes: Vec<ServeProcess> =
        ["A", "B"].iter().take(host_count).map(|name| ServeProcess::start(name, dir.path(), &config, "warn")).collect();
    let hosts: Vec<Host> =
        processes.iter().map(|process| Host { name: process.name.clone(), base: process.base.clone() }).collect();
    let history = Arc::new(History::default());
    let caller = Caller::new(common::client(), setup::KEY, Arc::clone(&history));
    let book = Arc::new(CodeBook::default());
    let follower = book.follow(gateway.clone());

    let spares = 2 + usize::try_from(run_for.as_millis() / DELETE_EVERY.as_millis()).unwrap();
    let pools = Pools::new(spares);
    setup::probe_mobiles(&caller, &hosts[0], &book, &pools.every_mobile()).await;
    let workload = Arc::new(Workload::new(caller.clone(), hosts.clone(), Arc::clone(&book), pools, serial));
    for id in setup::seed(&caller, &hosts[0], INITIAL).await {
        workload.adopt(id);
    }
    let started = Instant::now();
    let deadline = started + run_for;
    let tasks: Vec<_> = (0..clients)
        .map(|n| {
            let workload = Arc::clone(&workload);
            tokio::spawn(async move { workload.client(n, seed, deadline).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let ran = started.elapsed();
    // Each entity read through every host once all clients stopped.
    let entities = workload.all.lock().unwrap().clone();
    for id in &entities {
        for host in &hosts {
            caller.run(FINAL, host, Some(*id), Op::Get).await;
        }
    }
    follower.abort();
    let raw = db.raw().await;
    let snapshot = claims::snapshot(&raw).await;
    raw.close().await;
    drop(processes);

    let records = history.records();
    let outcome = checker::check(&records, &snapshot);
    let shortfalls = shortfalls(&records);
    let ops: Vec<&Record> = records.iter().filter(|record| record.client < SETUP).collect();
    let acked = ops.iter().filter(|record| record.acked()).count();
    let pending_claims = snapshot.claims.iter().filter(|claim| claim.3).count();
    let mut text = format!(
        "history, {label}: {clients} clients for {:.1} s (seed {seed:x})\n  {} operations ({:.0}/s), {acked} \
         acknowledged; {} entities, {} versions; at the end {} unique claims ({pending_claims} pending)\n  \
         operations by kind and answer:\n{}",
        ran.as_secs_f64(),
        ops.len(),
        f64::from(u32::try_from(ops.len()).unwrap_or(u32::MAX)) / ran.as_secs_f64().max(0.001),
        outcome.entities,
        outcome.versions,
        snapshot.claims.len(),
        report::counts(&records),
    );
    let verdict = if outcome.violations.is_empty() { "PASS" } else { "FAIL" };
    text.push_str(&format!("  checker: {verdict}, {} violation(s)\n", outcome.violations.len()));
    text.push_str(&report::violations(&outcome.violations));
    if !shortfalls.is_empty() {
        text.push_str(&format!("  the run did too little to show anything: {}\n", shortfalls.join("; ")));
    }
    let _ = writeln!(std::io::stderr().lock(), "{text}");
    if !(outcome.violations.is_empty() && shortfalls.is_empty()) {
        panic!(
            "history, {label}: {} violation(s), {} shortfall(s) (the report above)",
            outcome.violations.len(),
            shortfalls.len()
        );
    }
}

fn put(record: &Record) -> bool {
    matches!(record.op, Op::Put { .. })
}

/// What the run must have done for its result to mean something.
fn shortfalls(records: &[Record]) -> Vec<String> {
    let ops: Vec<&Record> = records.iter().filter(|record| record.client < SETUP).collect();
    let count = |what: fn(&Record) -> bool| ops.iter().filter(|record| what(record)).count();
    let minimums: [(&str, usize, usize); 9] = [
        ("acknowledged operations", 300, count(Record::acked)),
        ("PUTs answered 200.1 (a code sent)", 5, count(|record| put(record) && record.code == "200.1")),
        (
            "PUTs with If-Match that succeeded",
            5,
            count(|record| matches!(record.op, Op::Put { if_match: Some(_), .. }) && record.acked()),
        ),
        ("verifies answered 204", 5, count(|record| matches!(record.op, Op::Verify { .. }) && record.acked())),
        (
            "wrong codes answered 403",
            5,
            count(|record| matches!(record.op, Op::Verify { value: None, .. }) && record.code == "403"),
        ),
        ("deactivations", 1, count(|record| matches!(record.op, Op::Delete) && record.acked())),
        ("creates that succeeded", 1, count(|record| matches!(record.op, Op::Create { .. }) && record.acked())),
        (
            "unique values refused as taken (400.2 / 400.4)",
            5,
            count(|record| ["400.2", "400.4"].contains(&record.code.as_str())),
        ),
        ("PUTs refused as deactivated (409.3)", 1, count(|record| put(record) && record.code == "409.3")),
    ];
    minimums
        .iter()
        .filter(|(_, minimum, done)| done < minimum)
        .map(|(what, minimum, done)| format!("{what}: {done}, fewer than {minimum}"))
        .collect()
}
