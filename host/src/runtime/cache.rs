//! Compiled modules on disk, keyed by the module's SHA-256 and the engine's
//! compatibility hash, so a restart (or a test run) does not pay cranelift's
//! compile again: about 2 s for the built-in module in an optimized host.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

use wasmtime::{Engine, Module};

/// Loads the compiled form of `bytes` (whose SHA-256 is `sha256`) from
/// `dir`, or compiles it and stores it there. A cache that cannot be read or
/// written is skipped, never fatal.
pub(super) fn load_or_compile(
    engine: &Engine,
    dir: Option<&Path>,
    sha256: &str,
    bytes: &[u8],
) -> wasmtime::Result<Module> {
    let Some(dir) = dir else { return Module::new(engine, bytes) };
    let path = entry_path(engine, dir, sha256);
    if path.exists() {
        // SAFETY: the file was written by `Module::serialize` of this very
        // engine configuration (its compatibility hash is in the name) into a
        // directory this process owns; wasmtime still checks its header and
        // refuses an incompatible artifact, in which case we recompile.
        #[expect(unsafe_code, reason = "deserializing our own precompiled artifact")]
        let cached = unsafe { Module::deserialize_file(engine, &path) };
        match cached {
            Ok(module) => return Ok(module),
            Err(error) => tracing::warn!(%error, path = %path.display(), "ignoring unusable compiled module"),
        }
    }
    let module = Module::new(engine, bytes)?;
    if let Err(error) = store(&module, dir, &path) {
        tracing::warn!(%error, path = %path.display(), "could not cache the compiled module");
    }
    Ok(module)
}

fn entry_path(engine: &Engine, dir: &Path, sha256: &str) -> PathBuf {
    let mut hasher = DefaultHasher::new();
    engine.precompile_compatibility_hash().hash(&mut hasher);
    dir.join(format!("{sha256}-{:016x}.cwasm", hasher.finish()))
}

fn store(module: &Module, dir: &Path, path: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    let bytes = module.serialize().map_err(|error| anyhow::anyhow!("{error}"))?;
    // Write then rename, so a concurrent reader never sees half a file.
    let partial = path.with_extension(format!("partial-{}", std::process::id()));
    std::fs::write(&partial, bytes)?;
    std::fs::rename(&partial, path)?;
    Ok(())
}
