//! The HTTP API (axum). Pieces land here one concern per file; the routes of
//! endpoints 1001-1004 and 2004 follow with the store.

pub mod problem;

pub use problem::{AppJson, PROBLEM_JSON, Problem};
