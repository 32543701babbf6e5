//! The plain ABI of `docs/abi.md`, version 1: the module's whole protocol.
//!
//! | export | signature | meaning |
//! |---|---|---|
//! | `memory` | memory | exported by the Rust toolchain for every cdylib |
//! | `pactum_abi_version` | `() -> i32` | `1` |
//! | `pactum_alloc` | `(len: i32) -> i32` | a buffer the host writes input into |
//! | `pactum_free` | `(ptr: i32, len: i32)` | frees an input buffer or an output |
//! | `pactum_load` | `(ptr: i32, len: i32) -> i64` | checks a `Load`, answers an `Outcome` |
//! | `pactum_evaluate` | `(ptr: i32, len: i32) -> i64` | runs a `Call`, answers an `Outcome` |
//!
//! Every buffer, input or output, is a boxed `[u8]` of exactly its length,
//! leaked with `Box::into_raw` and taken back by `pactum_free`. Results are
//! packed as `(out_ptr << 32) | out_len`; the host owns the output from then
//! on. The input stays the host's: the module only reads it.

// The ABI hands raw buffers across the module boundary; every unsafe block
// below states the promise of docs/abi.md it relies on.
#![expect(unsafe_code, reason = "the exported C ABI works on raw buffers the host hands over")]

use std::sync::{Mutex, PoisonError};

use crate::wire::{Module, Outcome};

/// The ABI version this module speaks.
const ABI_VERSION: u32 = 1;

/// The module's state between calls: the contract references loaded. wasm32
/// has one thread, so the lock is never contended; it makes the static safe.
static MODULE: Mutex<Module> = Mutex::new(Module::new());

fn with_module<T>(run: impl FnOnce(&mut Module) -> T) -> T {
    // A panic aborts the module (panic = "abort"), so the lock is never poisoned.
    run(&mut MODULE.lock().unwrap_or_else(PoisonError::into_inner))
}

#[unsafe(no_mangle)]
pub extern "C" fn pactum_abi_version() -> u32 {
    ABI_VERSION
}

#[unsafe(no_mangle)]
pub extern "C" fn pactum_alloc(len: u32) -> *mut u8 {
    Box::into_raw(vec![0u8; len as usize].into_boxed_slice()).cast::<u8>()
}

/// # Safety
///
/// `ptr` and `len` must come from one `pactum_alloc` call or one packed
/// output of this module, and must not be used again.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pactum_free(ptr: *mut u8, len: u32) {
    if ptr.is_null() {
        return;
    }
    // SAFETY: per the contract above, `ptr` is a boxed `[u8]` of exactly
    // `len` bytes that this module leaked with `Box::into_raw`, freed once.
    drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr, len as usize)) });
}

/// # Safety
///
/// `ptr..ptr + len` must be a live buffer from `pactum_alloc`, filled by the
/// host and not written during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pactum_load(ptr: *const u8, len: u32) -> u64 {
    // SAFETY: the host passes the buffer it got from `pactum_alloc(len)` and
    // filled; it frees it only after this call returns.
    let input = unsafe { std::slice::from_raw_parts(ptr, len as usize) };
    pack(&with_module(|module| module.load_json(input)))
}

/// # Safety
///
/// `ptr..ptr + len` must be a live buffer from `pactum_alloc`, filled by the
/// host and not written during the call.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pactum_evaluate(ptr: *const u8, len: u32) -> u64 {
    // SAFETY: the host passes the buffer it got from `pactum_alloc(len)` and
    // filled; it frees it only after this call returns.
    let input = unsafe { std::slice::from_raw_parts(ptr, len as usize) };
    pack(&with_module(|module| module.call_json(input)))
}

/// Leaks the outcome's JSON bytes as a boxed slice and packs its address and
/// length. On wasm32 addresses are 32 bits, so both halves fit.
fn pack(outcome: &Outcome) -> u64 {
    let bytes = outcome.to_bytes().into_boxed_slice();
    let len = bytes.len() as u64;
    let ptr = Box::into_raw(bytes).cast::<u8>() as usize as u64;
    (ptr << 32) | len
}
