//! Shared helpers for the cross-implementation tests.

pub mod corpus;
pub mod suite;
