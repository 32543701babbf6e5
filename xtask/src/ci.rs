//! `cargo xtask test`: the README's test command. Every step runs in order
//! and the first failure stops the run with its name; nothing is skipped
//! silently.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};

/// Runs one command in `dir`, failing with `what` if it fails.
pub fn run(what: &str, dir: &Path, program: &str, args: &[&str]) -> Result<()> {
    run_env(what, dir, program, args, &[])
}

/// [`run`], with `env` added to the command's environment.
pub fn run_env(what: &str, dir: &Path, program: &str, args: &[&str], env: &[(&str, String)]) -> Result<()> {
    eprintln!("\n== {what}: {program} {}", args.join(" "));
    let status = Command::new(program)
        .current_dir(dir)
        .args(args)
        .envs(env.iter().cloned())
        .status()
        .with_context(|| format!("{what}: could not start `{program}`; is it installed?"))?;
    if !status.success() {
        bail!("{what} failed ({status})");
    }
    Ok(())
}

fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned())
}

/// Installs `www/`'s npm packages from the lock file when they are missing.
pub fn npm_install(root: &Path) -> Result<()> {
    let www = root.join("www");
    if www.join("node_modules").join(".package-lock.json").exists() {
        return Ok(());
    }
    run("npm packages", &www, "npm", &["ci", "--no-audit", "--no-fund"])
}

/// Installs `www/`'s packages and builds the page's scripts (`npm run
/// build`, when `www/package.json` has that script).
pub fn build_www(root: &Path) -> Result<()> {
    npm_install(root)?;
    let manifest =
        std::fs::read_to_string(root.join("www").join("package.json")).context("reading www/package.json")?;
    if manifest.contains("\"build\"") {
        run("browser scripts", &root.join("www"), "npm", &["run", "--silent", "build"])?;
    }
    Ok(())
}

pub fn test(root: &Path, build_modules: impl Fn() -> Result<()>) -> Result<()> {
    // First, so a missing tool stops the run before the long build.
    let env = super::setup::ensure(super::setup::Task::Test)?;
    let cargo = cargo();
    run("format", root, &cargo, &["fmt", "--all", "--", "--check"])?;
    run("core for wasm32", root, &cargo, &["build", "--package", "pactum-core", "--target", "wasm32-unknown-unknown"])?;
    eprintln!("\n== contract modules: cargo xtask wasm");
    build_modules()?;
    // The page's scripts before the host's build, which embeds them.
    build_www(root)?;
    run(
        "typescript declarations",
        &root.join("www"),
        "npx",
        &["--no-install", "tsc", "--noEmit", "-p", "tsconfig.json"],
    )?;
    run("clippy", root, &cargo, &["clippy", "--workspace", "--all-targets", "--", "-D", "warnings"])?;
    run_env("tests", root, &cargo, &["test", "--workspace"], &env)?;
    // After the tests, whose build made the debug `pactum` it packages.
    super::package::check_package(root)?;
    eprintln!("\nall checks passed");
    Ok(())
}
