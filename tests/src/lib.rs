//! Shared helpers for the cross-implementation tests.

pub mod conformance;
pub mod corpus;
pub mod fuzz;
pub mod reference;
pub mod suite;

/// The exit of a harness that counts its failures: success only for none;
/// an error (a missing tool, an unreadable file) fails loudly.
#[must_use]
pub fn exit_code(harness: &str, outcome: Result<usize, String>) -> std::process::ExitCode {
    match outcome {
        Ok(0) => std::process::ExitCode::SUCCESS,
        Ok(_) => std::process::ExitCode::FAILURE,
        Err(error) => {
            eprintln!("{harness}: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// `target/wasm/` (or `$PACTUM_WASM_DIR`), where `cargo xtask wasm` wrote
/// the module the host embedded and its JS glue, which node loads. Fails
/// if the file there is not the module the host holds (rebuilt since):
/// node and wasmtime must run one file.
pub fn module_dir() -> Result<std::path::PathBuf, String> {
    let dir = std::env::var_os("PACTUM_WASM_DIR").map_or_else(
        || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("target").join("wasm"),
        std::path::PathBuf::from,
    );
    let file = dir.join(pactum_host::builtin::FILE_NAME);
    let on_disk = std::fs::read(&file).map_err(|error| format!("reading {}: {error}", file.display()))?;
    let embedded = pactum_host::builtin::read().map_err(|error| format!("{error:#}"))?;
    if on_disk != embedded {
        return Err(format!("{} is not the module the host embedded: rebuild the host", file.display()));
    }
    Ok(dir)
}
