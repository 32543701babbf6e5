//! Helpers shared by the host's integration tests. A test crate mounts them
//! with `mod common;` (or `#[path = "../common/mod.rs"] mod common;` from a
//! `tests/<name>/main.rs`) and uses the part it needs.

#![allow(dead_code, unused_imports, unused_macros, reason = "each test crate uses its own part of the helpers")]

pub mod db;
