//! The module's only source of "randomness", made deterministic on purpose.
//!
//! `jsonschema` seeds `ahash` through getrandom. Its `wasm_js` backend would
//! import `crypto.getRandomValues`, a host import the ABI path must not call
//! (`docs/abi.md`, "Determinism"). `.cargo/config.toml` selects getrandom's
//! `custom` backend for wasm32, and this function answers it with fixed
//! bytes: hashing stays correct, only its seed is constant, and no decision
//! depends on hash order (errors are sorted).

#![expect(unsafe_code, reason = "getrandom's custom backend is an unsafe extern symbol by design")]

#[unsafe(no_mangle)]
unsafe extern "Rust" fn __getrandom_v03_custom(dest: *mut u8, len: usize) -> Result<(), getrandom::Error> {
    for offset in 0..len {
        // SAFETY: getrandom hands us a writable buffer of exactly `len` bytes.
        unsafe { dest.add(offset).write(0x5a ^ (offset as u8)) };
    }
    Ok(())
}
