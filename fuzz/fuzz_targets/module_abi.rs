//! Fuzz bytes through the host's wasmtime runtime into the built-in
//! module's plain ABI: `pactum_tests::fuzz::module_abi` says what is checked.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use pactum_tests::fuzz::{Seeds, module_abi};

static STATE: OnceLock<(Seeds, module_abi::Fixture)> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let (seeds, fixture) = STATE.get_or_init(|| {
        let seeds = Seeds::load().unwrap_or_else(|error| panic!("fuzz seeds: {error}"));
        let fixture = module_abi::Fixture::load(&seeds).unwrap_or_else(|error| panic!("module_abi: {error}"));
        (seeds, fixture)
    });
    if let Err(violation) = module_abi::check(fixture, seeds, data) {
        panic!("module_abi: {violation}");
    }
});
