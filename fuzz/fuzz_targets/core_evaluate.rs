//! An arbitrary contract, current data and payload through `pactum_core`
//! natively: `pactum_tests::fuzz::core_evaluate` says what is checked.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use pactum_tests::fuzz::{Seeds, core_evaluate};

static SEEDS: OnceLock<Seeds> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let seeds = SEEDS.get_or_init(|| Seeds::load().unwrap_or_else(|error| panic!("fuzz seeds: {error}")));
    if let Err(violation) = core_evaluate::check(seeds, data) {
        panic!("core_evaluate: {violation}");
    }
});
