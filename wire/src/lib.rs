//! The wire contract between a host and a contract module (`docs/abi.md`),
//! defined once.
//!
//! A [`Call`] (or a [`Load`]) goes in as JSON bytes, an [`Outcome`] comes
//! out. The core's engine, the built-in wasm module, the host's runtime,
//! plugins (through `pactum-guest`), the tests and, generated from these
//! types, the browser SDK's TypeScript all read and write exactly these
//! shapes; nothing restates them by hand. The [`catalogue`] of codes and the
//! input [`limits`] belong to the same promise and live here with it.
//!
//! These types change only with [`ABI_VERSION`]: the core may change its
//! internals, the wire may not.

pub mod catalogue;
mod fields;
pub mod limits;
mod messages;
#[cfg(feature = "ts")]
pub mod typescript;
pub mod words;

pub use catalogue::{CATALOGUE, CatalogueEntry, codes};
pub use fields::{Channel, Role};
pub use messages::{
    Call, Failure, Load, Loaded, Outcome, WireClaim, WireDecision, WireFieldError, WireOperation, WirePending,
};

/// The wire ABI version, reported by every module. Bumped on any change that
/// an existing host or plugin could notice.
pub const ABI_VERSION: u32 = 1;

/// Parses a wire request, which must be a JSON object: serde would also take
/// a struct written as a positional array, which the wire does not promise.
/// `what` names the request in the failure (`call`, `load`).
pub fn parse<T: serde::de::DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T, Failure> {
    let invalid = |reason: String| Failure::new(codes::CALL_INVALID, format!("the {what} is not valid: {reason}"));
    if bytes.trim_ascii_start().first() != Some(&b'{') {
        return Err(invalid("it must be a JSON object".to_owned()));
    }
    serde_json::from_slice(bytes).map_err(|error| invalid(error.to_string()))
}

/// Canonical JSON bytes of an outcome: struct fields in declaration order,
/// object members in the order the engine made them (serde_json's
/// `preserve_order`, on in every build of this workspace: a contract's and
/// a document's written order), no whitespace. The same bytes on every
/// platform, which is what the conformance runner compares.
#[must_use]
pub fn to_bytes(outcome: &Outcome) -> Vec<u8> {
    // Serializing these plain types cannot fail; fall back to a fixed failure
    // rather than panic if it ever does.
    serde_json::to_vec(outcome).unwrap_or_else(|_| {
        br#"{"type":"failure","code":"500","message":"the outcome could not be serialized","problems":[]}"#.to_vec()
    })
}
