//! Where the built-in contract module lives.
//!
//! `cargo xtask wasm` writes it to `target/wasm/pactum_wasm_bg.wasm`; the
//! README's commands run that step first. `PACTUM_MODULE` points elsewhere
//! (e.g. in a container image).

use std::path::PathBuf;

/// The file name wasm-bindgen gives the module.
pub const FILE_NAME: &str = "pactum_wasm_bg.wasm";

/// The path of the built-in module.
#[must_use]
pub fn module_path() -> PathBuf {
    if let Some(path) = std::env::var_os("PACTUM_MODULE") {
        return PathBuf::from(path);
    }
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().map(PathBuf::from).unwrap_or_default();
    workspace.join("target").join("wasm").join(FILE_NAME)
}

/// Reads the built-in module, with a message that says how to build it.
pub fn read() -> anyhow::Result<Vec<u8>> {
    let path = module_path();
    std::fs::read(&path).map_err(|error| {
        anyhow::anyhow!(
            "cannot read the built-in contract module {} ({error}); build it with `cargo xtask wasm`",
            path.display()
        )
    })
}
