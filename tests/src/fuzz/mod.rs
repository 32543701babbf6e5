//! The fuzz checks: one function per cargo-fuzz target, shared by the
//! targets in `fuzz/` and by `tests/fuzz_regressions.rs`, which replays every
//! file of `fuzz/regressions/<target>/` through the same function. So a
//! crash the fuzzer once found stays a normal test, and the test run proves
//! the harness works without cargo-fuzz.
//!
//! A check takes the fuzzer's raw bytes. The first byte picks a [`Mode`]; the
//! rest is either sent as it is, or read with `arbitrary` into JSON values of
//! bounded size and depth, built fresh or by mutating the seed contracts and
//! cases, so that most inputs get past the JSON parser into the engine.
//!
//! A broken invariant is returned as a [`Violation`]; the fuzz targets turn
//! it into a panic, which is what libFuzzer records as a crash.

pub mod core_evaluate;
mod json;
pub mod module_abi;
mod seeds;

use std::fmt;
use std::path::{Path, PathBuf};

pub use seeds::Seeds;

/// How a fuzz input is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The bytes after the mode byte are a call, sent as they are.
    Raw,
    /// Contract, current data and payload built from nothing.
    Generated,
    /// A seed contract and case, mutated.
    Seeded,
}

impl Mode {
    /// The mode byte and the rest of the input.
    #[must_use]
    pub fn split(data: &[u8]) -> (Self, &[u8]) {
        match data.split_first() {
            Some((byte, rest)) => (Self::from_byte(*byte), rest),
            None => (Self::Raw, data),
        }
    }

    /// The byte that selects this mode, for writing seed inputs.
    #[must_use]
    pub fn byte(self) -> u8 {
        match self {
            Self::Raw => 0,
            Self::Generated => 1,
            Self::Seeded => 2,
        }
    }

    fn from_byte(byte: u8) -> Self {
        match byte % 3 {
            0 => Self::Raw,
            1 => Self::Generated,
            _ => Self::Seeded,
        }
    }
}

/// A broken invariant: what was expected, and the input that broke it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation(pub String);

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Violation {}

/// Fails with `message` (built lazily) unless `holds`.
fn ensure(holds: bool, message: impl FnOnce() -> String) -> Result<(), Violation> {
    if holds { Ok(()) } else { Err(Violation(message())) }
}

/// The folder of kept inputs of one target: `fuzz/regressions/<target>`.
#[must_use]
pub fn regressions_dir(target: &str) -> PathBuf {
    repository().join("fuzz").join("regressions").join(target)
}

/// The repository root, one level above this crate.
fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_default()
}
