//! `bench-http`: HTTP PUT throughput and latency of a `pactum` binary
//! against a bare SQLite update loop, at several connection counts and
//! entity counts. `scripts/bench-http.sh` builds both in release and runs
//! this; see docs/benchmarks.md.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use pactum_bench::http::{self, Options};

#[derive(Debug, Parser)]
#[command(about = "HTTP PUT throughput and p50/p99 latency of `pactum serve` against a bare SQLite loop")]
struct Args {
    /// The `pactum` binary to measure.
    #[arg(long)]
    pactum: PathBuf,
    /// Entity counts, comma-separated; the first is the scale reference.
    #[arg(long, value_delimiter = ',', default_value = "10000")]
    entities: Vec<u64>,
    /// Connection counts, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1,16,64")]
    connections: Vec<u32>,
    /// Seconds of each measured load.
    #[arg(long, default_value_t = 10)]
    duration: u64,
    /// Seconds of unmeasured load before each measured one.
    #[arg(long, default_value_t = 2)]
    warmup: u64,
    /// Where the data folders go (kept); without it, a temporary folder
    /// removed at the end.
    #[arg(long)]
    work_dir: Option<PathBuf>,
    /// Reuse an earlier import of the same size in `--work-dir`.
    #[arg(long, requires = "work_dir")]
    reuse: bool,
    /// wrk threads.
    #[arg(long, default_value_t = 1)]
    wrk_threads: u32,
    /// Write the chart (SVG) here.
    #[arg(long)]
    chart: Option<PathBuf>,
    /// The chart's subtitle (e.g. the date and the machine).
    #[arg(long, default_value = "")]
    subtitle: String,
    /// Write the figures as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
    /// No import progress bar.
    #[arg(long)]
    quiet: bool,
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(code) => code,
        Err(error) => {
            let _ = writeln!(std::io::stderr(), "bench-http: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> anyhow::Result<ExitCode> {
    let temporary = match &args.work_dir {
        Some(_) => None,
        None => Some(tempfile::Builder::new().prefix("pactum-bench-http-").tempdir()?),
    };
    let work_dir = match (&args.work_dir, &temporary) {
        (Some(dir), _) => dir.clone(),
        (None, Some(temporary)) => temporary.path().to_owned(),
        (None, None) => anyhow::bail!("no work folder"),
    };
    std::fs::create_dir_all(&work_dir)?;
    let options = Options {
        pactum: args.pactum,
        entities: args.entities,
        connections: args.connections,
        duration: Duration::from_secs(args.duration.max(1)),
        warmup: Duration::from_secs(args.warmup),
        work_dir,
        reuse: args.reuse,
        quiet: args.quiet,
        wrk_threads: args.wrk_threads,
    };
    let report = http::run(&options, &mut std::io::stderr())?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "\n{}", report.markdown())?;
    if let Some(path) = &args.chart {
        std::fs::write(path, report.chart(&args.subtitle).svg())?;
        writeln!(out, "chart: {}", path.display())?;
    }
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_string_pretty(&report)?)?;
        writeln!(out, "figures: {}", path.display())?;
    }
    let problems = report.problems();
    for problem in &problems {
        writeln!(out, "NOT SANE: {problem}")?;
    }
    Ok(if problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}
