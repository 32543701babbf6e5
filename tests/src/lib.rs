//! Shared helpers for the cross-implementation tests.
