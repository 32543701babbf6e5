//! The HTTP load harness (`scripts/bench-http.sh`, crate `pactum-bench`) on
//! a tiny input: a few hundred entities imported with this build's
//! `pactum`, one second of PUT load at 1 and 2 connections with `wrk`, and
//! the bare SQLite loop beside it. The figures themselves mean nothing here
//! (a debug build); the test proves that the harness runs end to end and
//! reports sane numbers. `wrk` missing fails the test with the install
//! command.
#![expect(clippy::expect_used, clippy::unwrap_used, clippy::panic, reason = "tests")]

use std::time::Duration;

use pactum_bench::http::{self, Options};

#[test]
fn the_http_harness_measures_a_tiny_load_sanely() {
    let dir = tempfile::tempdir().unwrap();
    let options = Options {
        pactum: env!("CARGO_BIN_EXE_pactum").into(),
        entities: vec![300],
        connections: vec![1, 2],
        duration: Duration::from_secs(1),
        warmup: Duration::from_secs(1),
        work_dir: dir.path().to_owned(),
        reuse: false,
        quiet: true,
        wrk_threads: 1,
    };
    let mut log = Vec::new();
    let report = match http::run(&options, &mut log) {
        Ok(report) => report,
        Err(error) => panic!("the harness failed: {error:#}\n{}", String::from_utf8_lossy(&log)),
    };
    let shown = format!("{}\n{}", String::from_utf8_lossy(&log), report.markdown());
    assert_eq!(report.problems(), Vec::<String>::new(), "{shown}");

    let [size] = report.sizes.as_slice() else { panic!("one entity count: {shown}") };
    assert_eq!(size.entities, 300);
    assert_eq!(size.import.entities, 300, "{shown}");
    assert!(size.import.import_seconds > 0.0 && size.import.lines_per_second > 0.0, "{shown}");
    let connections: Vec<u32> = size.levels.iter().map(|level| level.connections).collect();
    assert_eq!(connections, vec![1, 2], "{shown}");
    for level in &size.levels {
        // A debug build on a shared machine: only orders of magnitude.
        assert!(level.pactum.requests >= 5, "at least a few PUTs a second: {shown}");
        assert!(level.pactum.p99_ms < 10_000.0 && level.bare.p99_ms < 10_000.0, "{shown}");
        assert!((0.5..=3.0).contains(&level.pactum.seconds), "wrk measured about a second: {shown}");
        assert!(level.throughput_ratio() > 0.0 && level.throughput_ratio().is_finite(), "{shown}");
    }
    assert!(size.committed_updates >= i64::try_from(size.acknowledged_updates).unwrap(), "{shown}");
    assert!(shown.contains("| 2 |"), "the table has a row per connection count: {shown}");

    let svg = report.chart("tiny check").svg();
    assert_eq!(svg.matches("<polyline").count(), 4, "p50 and p99 of Pactum and the bare loop: {svg}");
    assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
    std::fs::write(dir.path().join("chart.svg"), &svg).expect("the chart is written");
}
