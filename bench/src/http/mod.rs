//! HTTP PUT throughput and latency: `pactum serve` (demo setup, SQLite with
//! WAL and `synchronous=FULL`) driven by `wrk`, against the bare loop of
//! [`bare`] in the same run, at each connection count; then, per entity
//! count, the same again (the scale comparison).
//!
//! For each entity count the harness writes a JSON lines file, imports it
//! with `pactum import` (timed), copies the database for the bare loop,
//! starts `pactum serve`, and per connection count runs a warm-up and a
//! measured `wrk` load, then the bare loop for as long. At the end it counts
//! the update audit rows, which must be at least the acknowledged PUTs.

pub mod bare;
pub mod server;
pub mod wrk;

use std::fmt::Write as _;
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use serde::Serialize;

use self::server::{ImportTiming, Server};
use crate::chart::{Chart, Rule, Series};
use crate::stats::{Measure, ratio, show_ms, show_ratio};

/// What to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// The `pactum` binary under test.
    pub pactum: PathBuf,
    /// Entity counts; the first is the reference of the scale comparison.
    pub entities: Vec<u64>,
    /// Connection counts (wrk connections, bare-loop tasks).
    pub connections: Vec<u32>,
    /// Each measured load (whole seconds for wrk).
    pub duration: Duration,
    /// The unmeasured load before each measured one (0: none).
    pub warmup: Duration,
    /// Where the data folders go (`entities-N/`).
    pub work_dir: PathBuf,
    /// Keep an earlier import of the same size in `work_dir` instead of
    /// importing again.
    pub reuse: bool,
    /// No import progress bar, no pass-through of import logs.
    pub quiet: bool,
    /// wrk threads (at most the connections).
    pub wrk_threads: u32,
}

/// One connection count: Pactum and the bare loop.
#[derive(Debug, Clone, Serialize)]
pub struct Level {
    pub connections: u32,
    pub pactum: Measure,
    pub bare: Measure,
}

impl Level {
    /// Pactum's throughput over the bare loop's.
    #[must_use]
    pub fn throughput_ratio(&self) -> f64 {
        ratio(self.pactum.throughput(), self.bare.throughput())
    }
}

/// One entity count.
#[derive(Debug, Clone, Serialize)]
pub struct SizeReport {
    pub entities: u64,
    pub import: ImportTiming,
    pub levels: Vec<Level>,
    /// PUTs `wrk` counted as answered in the measured windows.
    pub acknowledged_updates: u64,
    /// Update audit rows the run added (warm-ups included).
    pub committed_updates: i64,
}

/// Everything one run measured.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub duration_seconds: f64,
    pub warmup_seconds: f64,
    pub sizes: Vec<SizeReport>,
}

/// Runs the harness; `log` gets one line per step.
pub fn run(options: &Options, log: &mut dyn Write) -> anyhow::Result<Report> {
    wrk::check()?;
    if options.entities.is_empty() || options.entities.contains(&0) {
        bail!("give at least one entity count, each at least 1");
    }
    if options.connections.is_empty() || options.connections.contains(&0) {
        bail!("give at least one connection count, each at least 1");
    }
    if !options.pactum.is_file() {
        bail!("no pactum binary at {}", options.pactum.display());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let mut sizes = Vec::new();
    for &entities in &options.entities {
        sizes.push(run_size(options, entities, &runtime, log)?);
    }
    Ok(Report { duration_seconds: options.duration.as_secs_f64(), warmup_seconds: options.warmup.as_secs_f64(), sizes })
}

fn run_size(
    options: &Options,
    entities: u64,
    runtime: &tokio::runtime::Runtime,
    log: &mut dyn Write,
) -> anyhow::Result<SizeReport> {
    let dir = options.work_dir.join(format!("entities-{entities}"));
    let data_dir = dir.join("data");
    let database = data_dir.join("pactum.db");
    let marker = dir.join("import.json");
    let import = match std::fs::read_to_string(&marker) {
        Ok(text) if options.reuse && database.is_file() => {
            let mut timing: ImportTiming = serde_json::from_str(&text)?;
            timing.reused = true;
            writeln!(log, "== {entities} entities: reusing the import in {}", dir.display())?;
            timing
        }
        _ => {
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
            let jsonl = dir.join("entities.jsonl");
            server::write_entities(&jsonl, entities)?;
            writeln!(log, "== {entities} entities: pactum import {}", jsonl.display())?;
            log.flush()?;
            let timing = server::import(&options.pactum, &data_dir, &jsonl, entities, options.quiet)?;
            writeln!(
                log,
                "   imported in {:.1} s ({:.0} lines/s; process {:.1} s)",
                timing.import_seconds, timing.lines_per_second, timing.wall_seconds
            )?;
            std::fs::remove_file(&jsonl)?;
            std::fs::write(&marker, serde_json::to_string_pretty(&timing)?)?;
            timing
        }
    };

    let (rows, _, _, updates_before) = runtime.block_on(bare::census(&database))?;
    let bench_rows = runtime.block_on(bench_rows(&database, entities))?;
    if bench_rows != entities {
        bail!("{} holds {bench_rows} entities with ids 1..={entities} ({rows} in all)", database.display());
    }
    let bare_db = dir.join("bare.db");
    runtime.block_on(bare::copy_database(&database, &bare_db))?;

    let server = Server::start(&options.pactum, &data_dir, &dir.join("serve.log"))?;
    writeln!(log, "   pactum serve at {} (log {})", server.base, server.log.display())?;
    let script = dir.join("put.lua");
    std::fs::write(&script, wrk::script(entities, &server.key))?;
    let mut levels = Vec::new();
    for &connections in &options.connections {
        if !options.warmup.is_zero() {
            wrk::run(&script, &server.base, connections, options.wrk_threads, options.warmup)?;
        }
        let pactum = wrk::run(&script, &server.base, connections, options.wrk_threads, options.duration)?;
        let bare = runtime.block_on(bare::run(&bare_db, entities, connections, options.warmup, options.duration))?;
        let level = Level { connections, pactum, bare };
        writeln!(
            log,
            "   {connections:>3} connections: pactum {:.0} req/s p50 {} p99 {} | bare {:.0} tx/s p50 {} p99 {} | {}",
            pactum.throughput(),
            show_ms(pactum.p50_ms),
            show_ms(pactum.p99_ms),
            bare.throughput(),
            show_ms(bare.p50_ms),
            show_ms(bare.p99_ms),
            show_ratio(level.throughput_ratio())
        )?;
        log.flush()?;
        levels.push(level);
    }
    server.stop()?;
    let (_, _, _, updates_after) = runtime.block_on(bare::census(&database))?;
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", bare_db.display()));
    }
    Ok(SizeReport {
        entities,
        import,
        acknowledged_updates: levels.iter().map(|level| level.pactum.requests).sum(),
        committed_updates: updates_after - updates_before,
        levels,
    })
}

async fn bench_rows(database: &std::path::Path, entities: u64) -> anyhow::Result<u64> {
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect(&format!("sqlite://{}", database.display()))
        .await?;
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM entities WHERE id BETWEEN 1 AND ? AND status = 'active'")
        .bind(i64::try_from(entities)?)
        .fetch_one(&pool)
        .await?;
    pool.close().await;
    Ok(u64::try_from(count)?)
}

/// Picks one side (Pactum or the bare loop) of a level, for the chart.
type RunOf = fn(&Level) -> &Measure;
/// Picks one percentile of a measure, for the chart.
type PercentileOf = fn(&Measure) -> f64;

impl Report {
    /// What is not sane about the figures: no load, errors, percentiles out
    /// of order, fewer committed updates than acknowledged ones. Empty when
    /// all is well.
    #[must_use]
    pub fn problems(&self) -> Vec<String> {
        let mut problems = Vec::new();
        for size in &self.sizes {
            for level in &size.levels {
                for (who, measure) in [("pactum", &level.pactum), ("bare", &level.bare)] {
                    let at = format!("{who} at {} entities, {} connections", size.entities, level.connections);
                    if measure.requests == 0 || measure.throughput().is_nan() || measure.throughput() <= 0.0 {
                        problems.push(format!("{at}: no request completed"));
                    }
                    if measure.errors > 0 {
                        problems.push(format!("{at}: {} errors", measure.errors));
                    }
                    if !(measure.p50_ms > 0.0 && measure.p50_ms <= measure.p99_ms && measure.p99_ms <= measure.max_ms) {
                        problems.push(format!(
                            "{at}: percentiles out of order (p50 {} p99 {} max {})",
                            measure.p50_ms, measure.p99_ms, measure.max_ms
                        ));
                    }
                }
                if !level.throughput_ratio().is_finite() {
                    problems.push(format!("{} connections: no pactum/bare ratio", level.connections));
                }
            }
            if size.committed_updates < i64::try_from(size.acknowledged_updates).unwrap_or(i64::MAX) {
                problems.push(format!(
                    "{} entities: {} updates acknowledged but only {} committed",
                    size.entities, size.acknowledged_updates, size.committed_updates
                ));
            }
        }
        problems
    }

    /// The figures as Markdown tables (for docs/benchmarks.md).
    #[must_use]
    pub fn markdown(&self) -> String {
        let mut out = String::new();
        for size in &self.sizes {
            let import = &size.import;
            let _ = writeln!(
                out,
                "{} entities{}: `pactum import` {:.1} s ({:.0} lines/s; process {:.1} s). \
                 {} PUTs acknowledged in the measured windows, {} update audit rows committed (warm-ups included).\n",
                size.entities,
                if import.reused { " (import reused from an earlier run)" } else { "" },
                import.import_seconds,
                import.lines_per_second,
                import.wall_seconds,
                size.acknowledged_updates,
                size.committed_updates
            );
            let _ = writeln!(
                out,
                "| connections | Pactum req/s | Pactum p50 | Pactum p99 | bare tx/s | bare p50 | bare p99 | throughput Pactum/bare | p99 Pactum/bare |"
            );
            let _ = writeln!(out, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            for level in &size.levels {
                let (pactum, bare) = (&level.pactum, &level.bare);
                let _ = writeln!(
                    out,
                    "| {} | {:.0} | {} | {} | {:.0} | {} | {} | {} | {} |",
                    level.connections,
                    pactum.throughput(),
                    show_ms(pactum.p50_ms),
                    show_ms(pactum.p99_ms),
                    bare.throughput(),
                    show_ms(bare.p50_ms),
                    show_ms(bare.p99_ms),
                    show_ratio(level.throughput_ratio()),
                    show_ratio(ratio(pactum.p99_ms, bare.p99_ms))
                );
            }
            out.push('\n');
        }
        if let Some((reference, others)) = self.sizes.split_first() {
            for other in others {
                let _ = writeln!(out, "PUT latency at {} entities against {}:\n", other.entities, reference.entities);
                let _ = writeln!(
                    out,
                    "| connections | p50 at {a} | p50 at {b} | p50 ratio | p99 at {a} | p99 at {b} | p99 ratio | req/s ratio |",
                    a = reference.entities,
                    b = other.entities
                );
                let _ = writeln!(out, "|---:|---:|---:|---:|---:|---:|---:|---:|");
                for (low, high) in reference.levels.iter().zip(&other.levels) {
                    let _ = writeln!(
                        out,
                        "| {} | {} | {} | {} | {} | {} | {} | {} |",
                        low.connections,
                        show_ms(low.pactum.p50_ms),
                        show_ms(high.pactum.p50_ms),
                        show_ratio(ratio(high.pactum.p50_ms, low.pactum.p50_ms)),
                        show_ms(low.pactum.p99_ms),
                        show_ms(high.pactum.p99_ms),
                        show_ratio(ratio(high.pactum.p99_ms, low.pactum.p99_ms)),
                        show_ratio(ratio(high.pactum.throughput(), low.pactum.throughput()))
                    );
                }
                out.push('\n');
            }
        }
        out
    }

    /// Latency (p50 solid, p99 dashed) against connections, Pactum and the
    /// bare loop, for every entity count; the 20 ms p99 target as a rule.
    #[must_use]
    pub fn chart(&self, subtitle: &str) -> Chart {
        const PACTUM: [&str; 3] = ["#1f5fbf", "#6a3d9a", "#117a65"];
        const BARE: [&str; 3] = ["#e07b00", "#b15928", "#8c6d1f"];
        let mut series = Vec::new();
        for (index, size) in self.sizes.iter().enumerate() {
            let pick = |colors: [&'static str; 3]| colors.get(index % 3).copied().unwrap_or("#000");
            let points = |measure: &dyn Fn(&Level) -> f64| {
                size.levels.iter().map(|level| (f64::from(level.connections), measure(level))).collect::<Vec<_>>()
            };
            let entities = size.entities;
            let runs: [(&str, [&'static str; 3], RunOf); 2] =
                [("Pactum", PACTUM, |level| &level.pactum), ("bare", BARE, |level| &level.bare)];
            let percentiles: [(&str, bool, PercentileOf); 2] =
                [("p50", false, |measure| measure.p50_ms), ("p99", true, |measure| measure.p99_ms)];
            for (name, colors, run) in runs {
                for (percentile, dashed, value) in percentiles {
                    series.push(Series {
                        label: format!("{name} {percentile}, {entities} ent."),
                        color: pick(colors),
                        dashed,
                        points: points(&|level| value(run(level))),
                    });
                }
            }
        }
        Chart {
            title: "HTTP PUT latency against concurrency (SQLite, WAL, synchronous=FULL)".to_owned(),
            subtitle: subtitle.to_owned(),
            x_label: "connections (wrk) / tasks (bare loop)".to_owned(),
            y_label: "latency, ms (log scale)".to_owned(),
            series,
            rules: vec![Rule { label: "p99 target 20 ms".to_owned(), y: 20.0 }],
        }
    }
}
