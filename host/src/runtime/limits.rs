//! The limits every call runs under, and the store's resource limiter.

use serde::Deserialize;

/// Per-call limits. Fuel is deterministic (the same input always burns the
/// same fuel); the epoch deadline is the wall-clock backstop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "snake_case")]
pub struct Limits {
    /// Fuel for one evaluate call. The first mobile number an instance sees
    /// loads libphonenumber's metadata (about 1.2e9 units, measured); a warm
    /// evaluate burns a few million. The default covers the first use.
    pub evaluate_fuel: u64,
    /// Fuel for compiling a contract inside the module (`pactum_load`), which
    /// validates the schema against the meta-schema (about 1.5e7 units for
    /// the demo contract).
    pub load_fuel: u64,
    /// Wall-clock deadline of one call, in milliseconds.
    pub deadline_ms: u64,
    /// The most linear memory one instance may have.
    pub max_memory_bytes: usize,
    pub max_input_bytes: usize,
    pub max_output_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            evaluate_fuel: 2_000_000_000,
            load_fuel: 4_000_000_000,
            deadline_ms: 2_000,
            max_memory_bytes: 64 << 20,
            max_input_bytes: 1 << 20,
            max_output_bytes: 4 << 20,
        }
    }
}

/// Refuses memory growth past the limit, and remembers that it did so the
/// resulting trap is reported as [`super::ModuleError::MemoryLimit`] rather
/// than as an anonymous `unreachable`.
#[derive(Debug)]
pub(super) struct Limiter {
    pub max_memory_bytes: usize,
    pub hit: bool,
}

impl wasmtime::ResourceLimiter for Limiter {
    fn memory_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        if desired > self.max_memory_bytes {
            self.hit = true;
            return Ok(false);
        }
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(desired <= 100_000)
    }
}
