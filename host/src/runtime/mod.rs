//! The wasmtime runtime for contract modules.
//!
//! One [`Runtime`] per process holds the one `Engine` (pooling allocator,
//! fuel, epochs). Each module is compiled once (or read from the on-disk
//! cache), linked once into an `InstancePre`, and then runs calls under
//! [`Limits`] in instances that are either kept warm or made fresh per call.

mod cache;
mod engine;
mod error;
mod gate;
mod image;
mod instance;
mod limits;
mod module;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};
use wasmtime::{Engine, ExternType, Linker, Module};

pub use engine::PoolSize;
pub use error::ModuleError;
pub use limits::Limits;
pub use module::{ContractDocument, ContractModule, InstanceMode};

/// Settings of the runtime as a whole.
#[derive(Debug, Clone)]
pub struct RuntimeOptions {
    pub limits: Limits,
    /// Instances running at once across all modules; more calls wait.
    pub max_concurrent_calls: usize,
    /// Where compiled modules are cached; `None` compiles every time.
    pub cache_dir: Option<PathBuf>,
}

impl Default for RuntimeOptions {
    fn default() -> Self {
        Self { limits: Limits::default(), max_concurrent_calls: 16, cache_dir: default_cache_dir() }
    }
}

/// `$PACTUM_CACHE_DIR`, else the user's cache folder
/// (`$XDG_CACHE_HOME/pactum`, `~/.cache/pactum`), else none (a user
/// without a home compiles each module at start). Never a shared folder
/// such as `/tmp`: a compiled module is machine code that is loaded
/// without a second check, so its folder must be the user's own.
#[must_use]
pub fn default_cache_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("PACTUM_CACHE_DIR") {
        return Some(PathBuf::from(dir));
    }
    dirs::cache_dir().map(|dir| dir.join("pactum"))
}

/// Warm instances kept per module; the pool is sized for this many per
/// module on top of the concurrent calls.
const POOL_SLACK: u32 = 48;

#[derive(Debug)]
pub struct Runtime {
    engine: Engine,
    options: RuntimeOptions,
    gate: Arc<gate::Gate>,
}

impl Runtime {
    pub fn new(options: RuntimeOptions) -> anyhow::Result<Self> {
        let instances = u32::try_from(options.max_concurrent_calls).unwrap_or(u32::MAX).saturating_add(POOL_SLACK);
        let engine = engine::build(PoolSize { instances, max_memory_bytes: options.limits.max_memory_bytes })?;
        engine::start_ticker(&engine);
        let gate = Arc::new(gate::Gate::new(options.max_concurrent_calls.max(1)));
        Ok(Self { engine, options, gate })
    }

    #[must_use]
    pub fn limits(&self) -> Limits {
        self.options.limits
    }

    /// Compiles (or reads from cache) and links a module. Every function the
    /// module imports is defined as a trap: the ABI path calls none, and
    /// wasm-bindgen's JS imports only serve the browser door.
    pub fn load_module(&self, name: &str, bytes: Vec<u8>, mode: InstanceMode) -> Result<ContractModule, ModuleError> {
        let sha256 = sha256_hex(&bytes);
        let compile_error = |reason: String| ModuleError::Compile { module: name.to_owned(), reason };
        let module = cache::load_or_compile(&self.engine, self.options.cache_dir.as_deref(), &sha256, &bytes)
            .map_err(|error| compile_error(format!("{error:#}")))?;
        let mut linker = Linker::new(&self.engine);
        for import in module.imports() {
            let ExternType::Func(ty) = import.ty() else {
                return Err(ModuleError::Instantiate {
                    module: name.to_owned(),
                    reason: format!("imports `{}::{}`, which is not a function", import.module(), import.name()),
                });
            };
            let what = format!("{}::{}", import.module(), import.name());
            linker
                .func_new(import.module(), import.name(), ty, move |_, _, _| {
                    Err(wasmtime::format_err!(
                        "the module called the host import `{what}`, which Pactum does not provide"
                    ))
                })
                .map_err(|error| compile_error(format!("{error:#}")))?;
        }
        let pre = linker
            .instantiate_pre(&module)
            .map_err(|error| ModuleError::Instantiate { module: name.to_owned(), reason: format!("{error:#}") })?;
        let imageable = image::memory_holds_state(&bytes);
        let loaded = ContractModule {
            name: name.to_owned(),
            sha256,
            bytes: bytes.into(),
            engine: self.engine.clone(),
            pre,
            limits: self.options.limits,
            mode,
            idle: Mutex::new(Vec::new()),
            gate: Arc::clone(&self.gate),
            imageable,
            images: Mutex::new(HashMap::new()),
        };
        loaded.check()?;
        Ok(loaded)
    }

    /// Compiles a module without linking it, e.g. to warm the disk cache.
    pub fn precompile(&self, bytes: &[u8]) -> Result<(), ModuleError> {
        cache::load_or_compile(&self.engine, self.options.cache_dir.as_deref(), &sha256_hex(bytes), bytes)
            .map(|_: Module| ())
            .map_err(|error| ModuleError::Compile { module: "module".to_owned(), reason: format!("{error:#}") })
    }
}

/// Hex SHA-256.
#[must_use]
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lower-case hex of `bytes`.
#[must_use]
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}
