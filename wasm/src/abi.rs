//! The plain ABI, version [`ABI_VERSION`]: JSON bytes in, JSON bytes out,
//! no imports. `docs/abi.md` is the reference; keep the two in step.
//!
//! | export | signature | meaning |
//! |---|---|---|
//! | `pactum_abi_version` | `() -> i32` | the ABI version (1) |
//! | `pactum_alloc` | `(len: i32) -> i32` | a buffer the host writes input into |
//! | `pactum_free` | `(ptr: i32, len: i32)` | frees a buffer from `pactum_alloc` or an output |
//! | `pactum_load` | `(ptr: i32, len: i32) -> i64` | compiles `{contractRef, contract}` once |
//! | `pactum_evaluate` | `(ptr: i32, len: i32) -> i64` | runs a `Call`, answers an `Outcome` |
//!
//! Results are packed as `(out_ptr << 32) | out_len`; the host owns the output
//! and frees it with `pactum_free`. The input stays the host's.

// The ABI hands raw buffers across the module boundary; every unsafe block
// below states the caller's promise it relies on.
#![expect(unsafe_code, reason = "exported C ABI over raw buffers")]

use std::cell::RefCell;

use pactum_core::Evaluator;
pub use pactum_core::wire::ABI_VERSION;

thread_local! {
    // wasm32 has one thread; the evaluator lives as long as the instance, so
    // contracts loaded once stay compiled for every later call.
    static EVALUATOR: RefCell<Evaluator> = RefCell::new(Evaluator::default());
}

#[unsafe(no_mangle)]
pub extern "C" fn pactum_abi_version() -> u32 {
    ABI_VERSION
}

#[unsafe(no_mangle)]
pub extern "C" fn pactum_alloc(len: u32) -> *mut u8 {
    let buffer = vec![0u8; len as usize].into_boxed_slice();
    Box::into_raw(buffer).cast::<u8>()
}

/// # Safety
///
/// `ptr` and `len` must come from one `pactum_alloc` call or one packed
/// output, and must not be used again.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pactum_free(ptr: *mut u8, len: u32) {
    if ptr.is_null() {
        return;
    }
    // SAFETY: per the contract above, this is a boxed slice of exactly `len`
    // bytes that we leaked with `Box::into_raw`.
    drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr, len as usize)) });
}

/// # Safety
///
/// `ptr..ptr+len` must be a live buffer from `pactum_alloc`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pactum_evaluate(ptr: *const u8, len: u32) -> u64 {
    // SAFETY: the caller guarantees a live buffer of `len` bytes.
    let input = unsafe { std::slice::from_raw_parts(ptr, len as usize) };
    let output = EVALUATOR.with(|evaluator| evaluator.borrow().call_json(input));
    pack(output)
}

/// # Safety
///
/// `ptr..ptr+len` must be a live buffer from `pactum_alloc`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn pactum_load(ptr: *const u8, len: u32) -> u64 {
    // SAFETY: the caller guarantees a live buffer of `len` bytes.
    let input = unsafe { std::slice::from_raw_parts(ptr, len as usize) };
    let output = EVALUATOR.with(|evaluator| evaluator.borrow_mut().load_json(input));
    pack(output)
}

/// Leaks `output` as a boxed slice and packs its address and length. On
/// wasm32 pointers are 32 bits, so both halves fit.
fn pack(output: Vec<u8>) -> u64 {
    let len = output.len() as u64;
    let ptr = Box::into_raw(output.into_boxed_slice()).cast::<u8>() as usize as u64;
    (ptr << 32) | len
}
