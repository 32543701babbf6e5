//! Helpers shared by the host's integration tests. A test crate mounts them
//! with `mod common;` (or `#[path = "../common/mod.rs"] mod common;` from a
//! `tests/<name>/main.rs`) and uses the part it needs.

#![allow(dead_code, unused_imports, unused_macros, reason = "each test crate uses its own part of the helpers")]

pub mod db;
pub mod gateway;
pub mod serve;

/// An HTTP client for the tests. The host builds reqwest with rustls and
/// no default crypto provider (it passes its own ring config to its
/// webhook client), so a plain client needs one installed first.
#[must_use]
pub fn client() -> reqwest::Client {
    // Err means another test installed it already.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::new()
}
