//! `pactum import FILE.jsonl`: bulk create through a contract, the same
//! module deciding as for an app's create. One line, one transaction: a
//! line is imported whole or rejected whole, and the rejected lines are
//! summed up at the end (and written out with `--rejects`).
//!
//! A line is `{"data": {...}, "extKeys": {"crm": "C-1"}}` (`extKeys`
//! optional). Imported entities start `active` (or `--status inactive`) and
//! no codes are sent: an import moves data that was verified elsewhere.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};
use futures_util::StreamExt;
use indicatif::{ProgressBar, ProgressStyle};
use pactum_host::config::Config;
use pactum_host::server::{Service, load_secret};
use pactum_host::store::Status;
use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// JSON lines: `{"data": {...}, "extKeys": {...}}` per line.
    file: PathBuf,
    /// The configuration file; without it, the demo setup in `--data-dir`.
    #[arg(long, env = "PACTUM_CONFIG")]
    config: Option<PathBuf>,
    #[arg(long, default_value = ".pactum")]
    data_dir: PathBuf,
    /// The contract the lines are created through.
    #[arg(long, default_value = "profile")]
    contract: String,
    #[arg(long, value_enum, default_value_t = ImportStatus::Active)]
    status: ImportStatus,
    /// Lines in flight at once.
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Writes each rejected line with its reason here (JSON lines).
    #[arg(long)]
    rejects: Option<PathBuf>,
    /// No progress bar (for logs and scripts).
    #[arg(long)]
    quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ImportStatus {
    Active,
    Inactive,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Line {
    data: Value,
    #[serde(default)]
    ext_keys: BTreeMap<String, String>,
}

/// One rejected line: its number (from 1), the code and why.
#[derive(Debug, serde::Serialize)]
struct Rejected {
    line: usize,
    code: String,
    reason: String,
}

pub fn run(args: ImportArgs) -> anyhow::Result<ExitCode> {
    super::init_logs();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(import(args))
}

async fn import(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let config = match &args.config {
        Some(path) => Config::load(path)?,
        None => {
            pactum_host::demo::prepare(&args.data_dir, Config::parse("", std::path::Path::new("."))?.server.listen)?
                .config
        }
    };
    let secret = load_secret(&config)?;
    let service = Service::build(&config, &secret, None).await?;
    let accounts = service.state.accounts.clone();
    let status = match args.status {
        ImportStatus::Active => Status::Active,
        ImportStatus::Inactive => Status::Inactive,
    };

    let total = count_lines(&args.file)?;
    let progress = if args.quiet { ProgressBar::hidden() } else { ProgressBar::new(total) };
    progress.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} lines  {per_sec}  eta {eta}  {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let file = std::fs::File::open(&args.file).with_context(|| format!("opening {}", args.file.display()))?;
    let lines = BufReader::new(file)
        .lines()
        .enumerate()
        .filter(|(_, line)| line.as_ref().map_or(true, |text| !text.trim().is_empty()));

    let outcomes = futures_util::stream::iter(lines)
        .map(|(index, line)| {
            let accounts = accounts.clone();
            let contract = args.contract.clone();
            async move {
                let number = index + 1;
                let line =
                    line.map_err(|error| Rejected { line: number, code: "400.22".into(), reason: error.to_string() })?;
                let Line { data, ext_keys } = serde_json::from_str(&line).map_err(|error| Rejected {
                    line: number,
                    code: "400.22".into(),
                    reason: error.to_string(),
                })?;
                accounts.import(&contract, data, ext_keys, status).await.map(|_| ()).map_err(|problem| Rejected {
                    line: number,
                    code: problem.code.to_owned(),
                    reason: problem
                        .errors
                        .iter()
                        .map(|error| format!("{} {}", error.pointer, error.message))
                        .chain(problem.detail.clone())
                        .collect::<Vec<_>>()
                        .join("; "),
                })
            }
        })
        .buffer_unordered(args.concurrency.max(1));
    futures_util::pin_mut!(outcomes);

    let started = std::time::Instant::now();
    let mut imported = 0u64;
    let mut rejected = Vec::new();
    while let Some(outcome) = outcomes.next().await {
        match outcome {
            Ok(()) => imported += 1,
            Err(reject) => rejected.push(reject),
        }
        progress.inc(1);
    }
    progress.finish_and_clear();
    rejected.sort_by_key(|reject| reject.line);

    let mut out = std::io::stdout().lock();
    let seconds = started.elapsed().as_secs_f64();
    writeln!(
        out,
        "imported {imported} entities, rejected {} lines, in {seconds:.1} s ({:.0} lines/s)",
        rejected.len(),
        (imported as f64 + rejected.len() as f64) / seconds.max(1e-9)
    )?;
    for reject in rejected.iter().take(20) {
        writeln!(out, "  line {}: {} {}", reject.line, reject.code, reject.reason)?;
    }
    if rejected.len() > 20 {
        writeln!(out, "  ... and {} more", rejected.len() - 20)?;
    }
    if let Some(path) = &args.rejects {
        let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
        for reject in &rejected {
            serde_json::to_writer(&mut file, reject)?;
            file.write_all(b"\n")?;
        }
        file.flush()?;
    }
    drop(out);
    service.stop().await;
    Ok(if rejected.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

fn count_lines(path: &std::path::Path) -> anyhow::Result<u64> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut count = 0u64;
    for line in BufReader::new(file).lines() {
        if !line?.trim().is_empty() {
            count += 1;
        }
    }
    Ok(count)
}
