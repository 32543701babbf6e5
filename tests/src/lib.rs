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
