//! `cargo xtask serve [ARGS]`: the README's serve command. Builds what the
//! server and the demo page load (the contract modules, the page's
//! scripts), then runs `pactum serve ARGS` (by default the demo setup in
//! `.pactum/`, on http://127.0.0.1:8080).

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

pub fn serve(root: &Path, build_modules: impl Fn() -> Result<()>, args: &[String]) -> Result<()> {
    super::setup::ensure(super::setup::Task::Serve)?;
    build_modules()?;
    super::ci::build_www(root)?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .current_dir(root)
        .args(["run", "--quiet", "--package", "pactum-host", "--bin", "pactum", "--", "serve"])
        .args(args)
        .status()
        .context("running `pactum serve`")?;
    if !status.success() {
        bail!("pactum serve stopped with {status}");
    }
    Ok(())
}
