//! Shared helpers for the cross-implementation tests.

pub mod conformance;
pub mod corpus;
pub mod fuzz;
pub mod reference;
pub mod suite;
