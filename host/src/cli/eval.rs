//! `pactum eval`: one call through the wasm module (default), a plugin
//! module (`--module`), or the native core (`--native`).

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use pactum_host::runtime::{InstanceMode, Runtime, RuntimeOptions};

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// The call as JSON; `-` or nothing reads standard input.
    file: Option<PathBuf>,
    /// Evaluate with the native core instead of the wasm module.
    #[arg(long, conflicts_with = "module")]
    native: bool,
    /// Evaluate with this contract module (a plugin) instead of the built-in one.
    #[arg(long)]
    module: Option<PathBuf>,
}

pub fn run(args: EvalArgs) -> anyhow::Result<ExitCode> {
    let call = match args.file.as_deref() {
        None => read_stdin()?,
        Some(path) if path.as_os_str() == "-" => read_stdin()?,
        Some(path) => std::fs::read(path).with_context(|| format!("reading {}", path.display()))?,
    };
    let outcome = if args.native {
        pactum_core::evaluate_json(&call)
    } else {
        let (name, bytes) = match &args.module {
            Some(path) => (
                path.display().to_string(),
                std::fs::read(path).with_context(|| format!("reading {}", path.display()))?,
            ),
            None => ("built-in".to_owned(), pactum_host::builtin::read()?),
        };
        let runtime = Runtime::new(RuntimeOptions::default())?;
        let module = runtime.load_module(&name, bytes, InstanceMode::Fresh)?;
        module.call_json(&call)?
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(&outcome)?;
    stdout.write_all(b"\n")?;
    Ok(ExitCode::SUCCESS)
}

fn read_stdin() -> anyhow::Result<Vec<u8>> {
    let mut call = Vec::new();
    std::io::stdin().read_to_end(&mut call).context("reading the call from standard input")?;
    Ok(call)
}
