//! The limits every call runs under, and the store's resource limiter.

use serde::Deserialize;

/// Per-call limits. Fuel is deterministic (the same input always burns the
/// same fuel); the epoch deadline is the wall-clock backstop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "snake_case")]
pub struct Limits {
    /// Fuel for one evaluate call. A warm evaluate burns a few million; the
    /// first call of a fresh instance with an inline contract and a mobile
    /// number about 4.3e7 (2026-12-03; 1.2e9 with the earlier phone-number
    /// crate). The default leaves room for bounded patterns and large
    /// documents.
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

/// What a call carries besides the current data and the payload: the
/// operation, the context, JSON punctuation. Generous on purpose.
const CALL_OVERHEAD_BYTES: usize = 64 << 10;

impl Limits {
    /// These limits, raised where needed so that any request within the
    /// body limit fits the module's input and output: a call carries the
    /// current data (stored entities are kept within the body limit) and
    /// the payload (within it too); an outcome carries the merged entity
    /// and the errors, each bounded by the two. A client's body within the
    /// body limit therefore never meets a module limit (a 5xx).
    #[must_use]
    pub fn fitted_to_body(self, body_limit: usize) -> Self {
        let call = body_limit.saturating_mul(2).saturating_add(CALL_OVERHEAD_BYTES);
        Self {
            max_input_bytes: self.max_input_bytes.max(call),
            max_output_bytes: self.max_output_bytes.max(call.saturating_mul(2)),
            ..self
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
