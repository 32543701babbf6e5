//! `cargo xtask wasm`: builds the contract module and runs wasm-bindgen as a
//! library, so there is no hand step and nothing to `cargo install`.
//!
//! The output directory (`target/wasm/` by default, or `PACTUM_WASM_DIR`)
//! holds the one `pactum_wasm_bg.wasm` that the host, `www/` and the tests
//! load, plus its JS glue and TypeScript declarations.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};

const TARGET: &str = "wasm32-unknown-unknown";
const PROFILE: &str = "wasm-release";

fn main() -> Result<()> {
    let task = std::env::args().nth(1).unwrap_or_default();
    match task.as_str() {
        "wasm" => build_wasm().map(|_| ()),
        _ => bail!("usage: cargo xtask wasm    (builds target/wasm/pactum_wasm_bg.wasm)"),
    }
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}

fn build_wasm() -> Result<PathBuf> {
    let root = workspace_root();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .current_dir(&root)
        .args(["build", "--package", "pactum-wasm", "--target", TARGET, "--profile", PROFILE])
        .status()
        .context("running cargo build for the wasm module")?;
    if !status.success() {
        bail!("cargo build of pactum-wasm failed (is the target installed? `rustup target add {TARGET}`)");
    }
    let input = root.join("target").join(TARGET).join(PROFILE).join("pactum_wasm.wasm");
    let out_dir = std::env::var_os("PACTUM_WASM_DIR").map_or_else(|| root.join("target").join("wasm"), PathBuf::from);
    std::fs::create_dir_all(&out_dir).with_context(|| format!("creating {}", out_dir.display()))?;
    wasm_bindgen_cli_support::Bindgen::new()
        .input_path(&input)
        .web(true)?
        .typescript(true)
        .remove_name_section(true)
        .remove_producers_section(true)
        .keep_debug(false)
        .generate(&out_dir)
        .context("running wasm-bindgen")?;
    let module = out_dir.join("pactum_wasm_bg.wasm");
    let bytes = std::fs::read(&module).with_context(|| format!("reading {}", module.display()))?;
    let hash = hex(&Sha256::digest(&bytes));
    std::fs::write(out_dir.join("pactum_wasm_bg.wasm.sha256"), format!("{hash}\n"))?;
    eprintln!("built {} ({} bytes, sha256 {hash})", module.display(), bytes.len());
    Ok(module)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
