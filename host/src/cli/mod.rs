//! `pactum` subcommands, one file each.

mod eval;
mod hash_key;

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
}

impl Cli {
    pub fn run(self) -> ExitCode {
        let result = match self.command {
            Command::Eval(args) => eval::run(args),
            Command::HashKey => hash_key::run(),
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
