//! Shared helpers for the cross-implementation tests.

pub mod corpus;
