//! `pactum contract check FILE`: validates a contract and prints its fields.
//! `pactum contract diff`: compares two modules over a corpus (`diff.rs`).
//! `pactum contract types FILE`: its TypeScript declaration (`types.rs`).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use pactum_core::Contract;
use pactum_core::contract::FieldSpec;

#[derive(Debug, Args)]
pub struct ContractArgs {
    #[command(subcommand)]
    command: ContractCommand,
}

#[derive(Debug, Subcommand)]
enum ContractCommand {
    /// Validates a contract (JSON Schema 2020-12 plus x-pactum keywords) and prints its fields.
    Check {
        /// The contract document (JSON).
        file: PathBuf,
    },
    /// Prints a TypeScript declaration of the data a contract describes.
    Types {
        /// The contract document (JSON).
        file: PathBuf,
        /// The exported type's name [default: the file stem in PascalCase].
        #[arg(long)]
        name: Option<String>,
    },
    /// Runs every call of a JSON-lines corpus through two modules and prints the cases they decide differently.
    Diff(super::diff::DiffArgs),
}

pub fn run(args: ContractArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        ContractCommand::Check { file } => check(&file),
        ContractCommand::Diff(args) => super::diff::run(args),
        // The report goes to stderr: stdout is the declaration, often redirected to a file.
        ContractCommand::Types { file, name } => match load(&file, &mut std::io::stderr().lock())? {
            Some((schema, _)) => super::types::run(&file, &schema, name.as_deref()),
            None => Ok(ExitCode::from(1)),
        },
    }
}

/// The contract document of `file` and its compiled contract; `None`, after
/// writing to `report` why, when it does not compile (the same words for
/// every subcommand).
fn load(file: &Path, report: &mut dyn Write) -> anyhow::Result<Option<(serde_json::Value, Contract)>> {
    let text = std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    let schema: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", file.display()))?;
    match Contract::compile(&schema) {
        Ok(contract) => Ok(Some((schema, contract))),
        Err(error) => {
            writeln!(report, "{}: invalid contract", file.display())?;
            for problem in &error.problems {
                let pointer = if problem.pointer.is_empty() { "/" } else { &problem.pointer };
                writeln!(report, "  {pointer}: {}", problem.message)?;
            }
            Ok(None)
        }
    }
}

fn check(file: &Path) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    let Some((_, contract)) = load(file, &mut out)? else {
        return Ok(ExitCode::from(1));
    };
    writeln!(out, "{}: valid contract", file.display())?;
    writeln!(out, "{:<20} {:<10} {:<24} rules", "field", "type", "title")?;
    let shape = contract.shape();
    for (name, spec) in &shape.fields {
        writeln!(
            out,
            "{:<20} {:<10} {:<24} {}",
            name,
            spec.kind.as_deref().unwrap_or("-"),
            spec.title.as_deref().unwrap_or("-"),
            rules(spec, shape.required.contains(name)).join(", ")
        )?;
    }
    if shape.open {
        writeln!(out, "(other fields are accepted: additionalProperties is not false)")?;
    }
    Ok(ExitCode::SUCCESS)
}

fn rules(spec: &FieldSpec, required: bool) -> Vec<String> {
    let mut rules = Vec::new();
    if required {
        rules.push("required".to_owned());
    }
    if spec.read_only {
        rules.push("read-only".to_owned());
    }
    if spec.unique {
        rules.push("unique".to_owned());
    }
    if let Some(channel) = spec.verify {
        rules.push(format!("verified by {}", channel.as_str()));
    }
    if let Some(role) = spec.role {
        rules.push(format!("role {}", role.as_str()));
    }
    if spec.list {
        rules.push("list".to_owned());
    }
    if spec.object.is_some() {
        rules.push("object".to_owned());
    }
    rules
}
