//! The built-in contract module and the example plugin, embedded in the
//! binary at build time.
//!
//! `cargo xtask wasm` writes them to `target/wasm/`; the README's commands
//! run that step before they build the host, and `build.rs` rebuilds the
//! host when that folder changes. A binary built without that step has no
//! module and says how to get one. `PACTUM_MODULE` names another file for
//! the built-in module (e.g. an operator's patched build); nothing is read
//! from the build machine's paths at run time.

use std::path::PathBuf;

use rust_embed::Embed;

/// The file name wasm-bindgen gives the module.
pub const FILE_NAME: &str = "pactum_wasm_bg.wasm";
/// The example plugin `cargo xtask wasm` builds beside it.
pub const PLUGIN_FILE_NAME: &str = "loyalty.wasm";

/// `target/wasm/` as it was when the host was built: the modules and the
/// JS glue the page loads (served under `/pkg/`). Not the loyalty plugin's
/// test variant, which the tests read from the folder.
#[derive(Debug, Embed)]
#[folder = "../target/wasm/"]
#[include = "pactum_wasm_bg.wasm"]
#[include = "pactum_wasm.js"]
#[include = "loyalty.wasm"]
#[exclude = "loyalty-strict.wasm"]
#[allow_missing = true]
pub struct Modules;

/// The built-in module's bytes: `PACTUM_MODULE`'s file if set, else the
/// embedded one.
pub fn read() -> anyhow::Result<Vec<u8>> {
    if let Some(path) = override_path() {
        return std::fs::read(&path).map_err(|error| {
            anyhow::anyhow!("PACTUM_MODULE: cannot read the contract module {} ({error})", path.display())
        });
    }
    embedded(FILE_NAME)
}

/// The example plugin's bytes (the demo's `loyalty` contract).
pub fn plugin() -> anyhow::Result<Vec<u8>> {
    embedded(PLUGIN_FILE_NAME)
}

/// `PACTUM_MODULE`, when set: the file that replaces the embedded module.
#[must_use]
pub fn override_path() -> Option<PathBuf> {
    std::env::var_os("PACTUM_MODULE").map(PathBuf::from)
}

fn embedded(name: &str) -> anyhow::Result<Vec<u8>> {
    Modules::get(name).map(|file| file.data.into_owned()).ok_or_else(|| {
        anyhow::anyhow!(
            "this binary was built without its contract module {name}: build it with `cargo xtask wasm` \
             before building the host (the README's commands do), or name a module file in PACTUM_MODULE"
        )
    })
}
