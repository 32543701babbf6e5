//! `pactum contract diff --old A --new B CASES.jsonl`: runs every call of a
//! corpus through two modules, offline, and prints the cases they decide
//! differently (docs/operations.md, "Comparing two modules").
//!
//! Two outcomes agree when their canonical bytes (`wire::to_bytes`) are
//! equal. What is printed of a differing case is its shape only (type, code,
//! the pointers and codes of its errors, the changed pointers, which members
//! differ), never a value or a message: a corpus may hold personal data, and
//! the modules' messages quote the values they refuse.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use pactum_core::wire::{Call, Outcome, WireFieldError, to_bytes};
use pactum_host::runtime::{ContractDocument, ContractModule, InstanceMode, ModuleError, Runtime, RuntimeOptions};
use serde_json::Value;

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The module in service: a module file, or `builtin`.
    #[arg(long, value_name = "MODULE")]
    old: String,
    /// The module on trial: a module file, or `builtin`.
    #[arg(long, value_name = "MODULE")]
    new: String,
    /// A contract document to load into both modules first. The cases then
    /// carry neither `contract` nor `contractRef`; without it, each case
    /// carries its contract inline.
    #[arg(long, value_name = "FILE")]
    contract: Option<PathBuf>,
    /// A new instance for every call (as the server runs a shadow module)
    /// instead of one warm instance per module.
    #[arg(long)]
    fresh: bool,
    /// The cases: one JSON call (docs/abi.md, `Call`) per line; blank lines
    /// are skipped; `-` reads standard input.
    cases: PathBuf,
}

/// The two modules, and the contract both decide when it is not inline.
#[derive(Debug)]
struct Pair {
    old: ContractModule,
    new: ContractModule,
    contract: Option<ContractDocument>,
}

pub fn run(args: DiffArgs) -> anyhow::Result<ExitCode> {
    let runtime = Runtime::new(RuntimeOptions::default())?;
    let mode = if args.fresh { InstanceMode::Fresh } else { InstanceMode::Warm { max_idle: 1 } };
    let old = load(&runtime, &args.old, mode)?;
    let new = load(&runtime, &args.new, mode)?;
    let contract = match &args.contract {
        None => None,
        Some(path) => {
            let document = read_contract(path)?;
            for (side, module) in [("old", &old), ("new", &new)] {
                check_loads(module, &document)
                    .with_context(|| format!("the {side} module {} cannot load {}", module.name(), path.display()))?;
            }
            Some(document)
        }
    };
    let pair = Pair { old, new, contract };
    let cases = open(&args.cases)?;

    let mut out = std::io::stdout().lock();
    writeln!(out, "old: {} (sha256 {})", pair.old.name(), pair.old.sha256())?;
    writeln!(out, "new: {} (sha256 {})", pair.new.name(), pair.new.sha256())?;
    let (mut total, mut differ, mut failed) = (0usize, 0usize, 0usize);
    for (index, line) in cases.split(b'\n').enumerate() {
        let line = line.with_context(|| format!("reading {}", args.cases.display()))?;
        let line = line.strip_suffix(b"\r").unwrap_or(&line);
        if line.trim_ascii().is_empty() {
            continue;
        }
        total += 1;
        let number = index + 1;
        match pair.compare(line) {
            Comparison::Agree => {}
            Comparison::Differ { old, new } => {
                differ += 1;
                writeln!(out, "line {number}: differs in {}", differences(&old, &new).join(", "))?;
                writeln!(out, "  old: {}", pactum_host::redact::outcome(&old))?;
                writeln!(out, "  new: {}", pactum_host::redact::outcome(&new))?;
            }
            Comparison::Failed(reason) => {
                failed += 1;
                writeln!(out, "line {number}: failed to run: {reason}")?;
            }
        }
    }
    writeln!(out, "{total} cases, {differ} differ, {failed} failed to run")?;
    // A case that did not run is not known to agree.
    Ok(if differ == 0 && failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

/// `builtin` or a module file, linked and checked.
fn load(runtime: &Runtime, name: &str, mode: InstanceMode) -> anyhow::Result<ContractModule> {
    Ok(runtime.load_module(name, pactum_host::registry::module_bytes(name)?, mode)?)
}

fn read_contract(path: &Path) -> anyhow::Result<ContractDocument> {
    let text = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let schema: Value = serde_json::from_slice(&text).with_context(|| format!("{} is not JSON", path.display()))?;
    let reference = path.file_stem().map_or_else(|| "contract".to_owned(), |stem| stem.to_string_lossy().into_owned());
    Ok(ContractDocument::new(&reference, schema))
}

/// Loads the contract into the module (as the server's registry does, with a
/// call that only makes it compile), so that a module refusing the contract
/// stops the run instead of failing every case.
fn check_loads(module: &ContractModule, contract: &ContractDocument) -> Result<(), ModuleError> {
    module.evaluate(contract, pactum_host::registry::probe()).map(|_: Outcome| ())
}

fn open(path: &Path) -> anyhow::Result<Box<dyn BufRead>> {
    if path.as_os_str() == "-" {
        return Ok(Box::new(std::io::stdin().lock()));
    }
    let file = std::fs::File::open(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(Box::new(std::io::BufReader::new(file)))
}

#[derive(Debug)]
enum Comparison {
    Agree,
    Differ {
        old: Box<Outcome>,
        new: Box<Outcome>,
    },
    /// Why the case did not run, without its content.
    Failed(String),
}

impl Pair {
    fn compare(&self, line: &[u8]) -> Comparison {
        let call = match self.call(line) {
            Ok(call) => call,
            Err(reason) => return Comparison::Failed(reason),
        };
        match (self.evaluate(&self.old, &call), self.evaluate(&self.new, &call)) {
            (Ok(old), Ok(new)) if to_bytes(&old) == to_bytes(&new) => Comparison::Agree,
            (Ok(old), Ok(new)) => Comparison::Differ { old: Box::new(old), new: Box::new(new) },
            (old, new) => Comparison::Failed(format!("old {}, new {}", ran(&old), ran(&new))),
        }
    }

    /// The line as a call of this run's form. Serde's messages can quote a
    /// value, so a line that is not a call is named by its column only.
    fn call(&self, line: &[u8]) -> Result<Call, String> {
        let call: Call = serde_json::from_slice(line).map_err(|error| {
            let what = if error.is_data() { "JSON, but not a call" } else { "not JSON" };
            format!("{what} (column {}; `pactum eval` on the line says why)", error.column())
        })?;
        match (&self.contract, call.contract.is_some(), call.contract_ref.is_some()) {
            (Some(_), true, _) | (Some(_), _, true) => {
                Err("names its own contract, and --contract gives the cases none".to_owned())
            }
            (None, false, _) => Err("has no inline `contract` (or give the contract with --contract FILE)".to_owned()),
            _ => Ok(call),
        }
    }

    fn evaluate(&self, module: &ContractModule, call: &Call) -> Result<Outcome, ModuleError> {
        match &self.contract {
            Some(contract) => module.evaluate(contract, call.clone()),
            None => {
                let bytes = serde_json::to_vec(call).map_err(|error| ModuleError::MalformedOutput {
                    reason: format!("the call could not be encoded: {error}"),
                })?;
                let answer = module.call_json(&bytes)?;
                serde_json::from_slice(&answer)
                    .map_err(|error| ModuleError::MalformedOutput { reason: error.to_string() })
            }
        }
    }
}

/// `ran` or the module error's kind (its reason may quote the module's output).
fn ran(result: &Result<Outcome, ModuleError>) -> &'static str {
    match result {
        Ok(_) => "ran",
        Err(error) => error.kind(),
    }
}

/// The members in which two outcomes differ.
fn differences(old: &Outcome, new: &Outcome) -> Vec<&'static str> {
    let mut members = Vec::new();
    let mut differ = |member: &'static str, differs: bool| {
        if differs {
            members.push(member);
        }
    };
    match (old, new) {
        (Outcome::Decision(old), Outcome::Decision(new)) => {
            differ("code", old.code != new.code);
            differ("entity", old.entity != new.entity);
            differ("changed", old.changed != new.changed);
            differ("pending", old.pending != new.pending);
            differ("unique", old.unique != new.unique);
            differ("errors", pairs(&old.errors) != pairs(&new.errors));
            differ("error messages", pairs(&old.errors) == pairs(&new.errors) && old.errors != new.errors);
        }
        (Outcome::Failure(old), Outcome::Failure(new)) => {
            differ("code", old.code != new.code);
            differ("message", old.message != new.message);
            differ("problems", pairs(&old.problems) != pairs(&new.problems));
            differ("problem messages", pairs(&old.problems) == pairs(&new.problems) && old.problems != new.problems);
        }
        (Outcome::Loaded(old), Outcome::Loaded(new)) => differ("contractRef", old != new),
        _ => differ("type", true),
    }
    members
}

fn pairs(errors: &[WireFieldError]) -> Vec<(&str, &str)> {
    errors.iter().map(|error| (error.pointer.as_str(), error.code.as_str())).collect()
}
