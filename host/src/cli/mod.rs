//! `pactum` subcommands, one file each.

mod contract;
mod diff;
mod eval;
mod hash_key;
mod import;
mod migrate;
mod serve;
mod types;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "pactum",
    version,
    about = "Pactum: the account-update service with one contract module for browser and server"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Evaluates a call `{"contract", "current", "payload"}` and prints the outcome JSON.
    Eval(eval::EvalArgs),
    /// Prints the `key_sha256` of an API key read from standard input.
    HashKey,
    /// Serves the API and the demo page (a demo setup when no --config is given).
    Serve(serve::ServeArgs),
    /// Creates entities in bulk from a JSON-lines file, through a contract.
    Import(import::ImportArgs),
    /// Contract tools.
    Contract(contract::ContractArgs),
    /// Runs the database migrations the URL's backend lacks and prints those applied.
    Migrate(migrate::MigrateArgs),
}

impl Cli {
    pub fn run(self) -> ExitCode {
        let result = match self.command {
            Command::Eval(args) => eval::run(args),
            Command::HashKey => hash_key::run(),
            Command::Serve(args) => serve::run(args),
            Command::Import(args) => import::run(args),
            Command::Contract(args) => contract::run(args),
            Command::Migrate(args) => migrate::run(args),
        };
        match result {
            Ok(code) => code,
            Err(error) => {
                eprintln!("pactum: {error:#}");
                ExitCode::from(2)
            }
        }
    }
}

/// Structured logs to stderr, filtered by `RUST_LOG` (default `info`).
fn init_logs() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    // Colour only for a person at a terminal; a file or a collector gets
    // plain text, or JSON lines with `PACTUM_LOG_FORMAT=json`.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi);
    let _ = match std::env::var("PACTUM_LOG_FORMAT").as_deref() {
        Ok("json") => builder.json().try_init(),
        _ => builder.try_init(),
    };
}
