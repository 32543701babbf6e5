//! The plain ABI's buffers (`docs/abi.md`), used by [`crate::export!`]:
//! every buffer, input or output, is a boxed `[u8]` of exactly its length,
//! leaked with `Box::into_raw` and taken back by `free`. Results are packed
//! as `(out_ptr << 32) | out_len`; the host owns the output from then on.
//! The input stays the host's: the module only reads it.

// The ABI hands raw buffers across the module boundary; every unsafe block
// states the promise of docs/abi.md it relies on.
#![expect(unsafe_code, reason = "the exported C ABI works on raw buffers the host hands over")]

use pactum_wire::{Call, Load, Outcome, parse, to_bytes};

use crate::Plugin;

/// `pactum_alloc`: a zeroed buffer of `len` bytes for the host to fill.
#[must_use]
pub fn alloc(len: u32) -> *mut u8 {
    Box::into_raw(vec![0u8; len as usize].into_boxed_slice()).cast::<u8>()
}

/// `pactum_free`.
///
/// # Safety
///
/// `ptr` and `len` must come from one `alloc` call or one packed output,
/// and must not be used again.
pub unsafe fn free(ptr: *mut u8, len: u32) {
    if ptr.is_null() {
        return;
    }
    // SAFETY: per the contract above, a boxed slice of exactly `len` bytes
    // leaked with `Box::into_raw`.
    drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr, len as usize)) });
}

/// The input buffer of `pactum_load` / `pactum_evaluate`.
///
/// # Safety
///
/// `ptr..ptr+len` must be a live buffer from `alloc`, unchanged until the
/// call returns.
#[must_use]
pub unsafe fn input<'a>(ptr: *const u8, len: u32) -> &'a [u8] {
    if ptr.is_null() || len == 0 {
        return &[];
    }
    // SAFETY: the caller guarantees a live buffer of `len` bytes.
    unsafe { std::slice::from_raw_parts(ptr, len as usize) }
}

/// Leaks `output` and packs its address and length. On wasm32 pointers are
/// 32 bits, so both halves fit.
#[must_use]
pub fn pack(output: Vec<u8>) -> u64 {
    let len = output.len() as u64;
    let ptr = Box::into_raw(output.into_boxed_slice()).cast::<u8>() as usize as u64;
    (ptr << 32) | len
}

/// `pactum_load` on JSON bytes: a `Load` in, `loaded` or a failure out.
pub fn load<P: Plugin>(plugin: &mut P, input: &[u8]) -> Vec<u8> {
    let outcome = match parse::<Load>(input, "load") {
        Ok(load) => {
            let contract_ref = load.contract_ref.clone();
            match plugin.load(load) {
                Ok(()) => Outcome::Loaded(pactum_wire::Loaded { contract_ref }),
                Err(failure) => Outcome::Failure(failure),
            }
        }
        Err(failure) => Outcome::Failure(failure),
    };
    to_bytes(&outcome)
}

/// `pactum_evaluate` on JSON bytes: a `Call` in, an outcome out.
pub fn evaluate<P: Plugin>(plugin: &P, input: &[u8]) -> Vec<u8> {
    let outcome = match parse::<Call>(input, "call") {
        Ok(call) => plugin.evaluate(&call),
        Err(failure) => Outcome::Failure(failure),
    };
    to_bytes(&outcome)
}
