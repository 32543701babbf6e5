//! What can go wrong when a contract module runs. Every variant is a clear,
//! typed answer; none of them is a crash of the host, and on every one the
//! caller commits nothing.

use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum ModuleError {
    #[error("module `{module}` could not be compiled: {reason}")]
    Compile { module: String, reason: String },
    #[error("module `{module}` lacks the export `{export}` required by docs/abi.md")]
    MissingExport { module: String, export: String },
    #[error("module `{module}` implements ABI version {found}; this host speaks {expected}")]
    AbiVersion { module: String, found: u32, expected: u32 },
    #[error("module `{module}` could not be instantiated: {reason}")]
    Instantiate { module: String, reason: String },
    #[error("the call ran out of fuel ({fuel} units)")]
    OutOfFuel { fuel: u64 },
    #[error("the call ran past its deadline of {millis} ms")]
    Timeout { millis: u64 },
    #[error("the module tried to grow its memory past {max_bytes} bytes")]
    MemoryLimit { max_bytes: usize },
    #[error("the module trapped: {reason}")]
    Trap { reason: String },
    #[error("the input is {len} bytes, over the limit of {max}")]
    InputTooLarge { len: usize, max: usize },
    #[error("the module answered {len} bytes, over the limit of {max}")]
    OutputTooLarge { len: usize, max: usize },
    #[error("the module answered a buffer outside its memory")]
    OutputOutOfBounds,
    #[error("the module answered something that is not an outcome: {reason}")]
    MalformedOutput { reason: String },
    #[error("the module failed to load contract `{contract}`: {reason}")]
    ContractRejected { contract: String, reason: String },
}

impl ModuleError {
    /// A stable, short name for metrics and logs.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Compile { .. } => "compile",
            Self::MissingExport { .. } => "missing_export",
            Self::AbiVersion { .. } => "abi_version",
            Self::Instantiate { .. } => "instantiate",
            Self::OutOfFuel { .. } => "out_of_fuel",
            Self::Timeout { .. } => "timeout",
            Self::MemoryLimit { .. } => "memory_limit",
            Self::Trap { .. } => "trap",
            Self::InputTooLarge { .. } => "input_too_large",
            Self::OutputTooLarge { .. } => "output_too_large",
            Self::OutputOutOfBounds => "output_out_of_bounds",
            Self::MalformedOutput { .. } => "malformed_output",
            Self::ContractRejected { .. } => "contract_rejected",
        }
    }
}
