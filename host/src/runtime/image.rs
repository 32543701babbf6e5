//! Fresh instances that start where a loaded one stood: the linear memory of
//! an instance right after `pactum_load` compiled a contract, copied into
//! each new instance instead of compiling the contract again.
//!
//! Compiling is most of a fresh call (in wasm, `jsonschema` builds its
//! meta-schema validator for every compile: ~7 ms of the built-in module's
//! ~8 ms, docs/benchmarks.md); copying the memory is a `memcpy`. Every call
//! still gets its own instance and its own copy, so nothing one call leaves
//! behind reaches another: the image is taken before any call's data has
//! been in the instance.
//!
//! A module's state is its linear memory and its mutable globals, and the
//! host can only copy the memory. So an image is used only for a module with
//! at most one mutable global: the stack pointer a compiled module keeps in
//! one, which is back at its start value whenever an export has returned.
//! Any other module (an AssemblyScript plugin keeps its runtime in globals)
//! loads its contract in every fresh instance, as before.

use wasmparser::{Parser, Payload};

/// Chunks are compared and copied at this size: a memory page of the host.
const CHUNK: usize = 4096;

/// The memory of an instance with one contract loaded, kept as the runs of
/// chunks that differ from a new instance's memory: most of a memory is
/// untouched data segments or zeros, which a new instance already has.
#[derive(Debug)]
pub(super) struct Image {
    /// SHA-256 of the contract document loaded, as in `LiveInstance::loaded`.
    pub contract_sha256: String,
    /// The memory's size in bytes.
    pub size: usize,
    /// (offset, bytes) of each run that differs from a new instance's memory.
    pub runs: Vec<(usize, Box<[u8]>)>,
}

impl Image {
    /// `loaded` as the difference to `new` (a new instance's memory, which
    /// may be shorter: past its end a grown memory is zeros).
    pub fn diff(contract_sha256: String, new: &[u8], loaded: &[u8]) -> Self {
        let mut runs: Vec<(usize, Box<[u8]>)> = Vec::new();
        let mut run_start: Option<usize> = None;
        let chunks = loaded.len().div_ceil(CHUNK);
        for index in 0..=chunks {
            let start = index * CHUNK;
            let end = (start + CHUNK).min(loaded.len());
            let differs = index < chunks && {
                let after = loaded.get(start..end).unwrap_or_default();
                match new.get(start..end.min(new.len())) {
                    Some(before) if before.len() == after.len() => before != after,
                    // Past a new instance's end (or across it): zeros there.
                    _ => after.iter().any(|&byte| byte != 0),
                }
            };
            match (differs, run_start) {
                (true, None) => run_start = Some(start),
                (false, Some(from)) => {
                    runs.push((from, loaded.get(from..start.min(loaded.len())).unwrap_or_default().into()));
                    run_start = None;
                }
                _ => {}
            }
        }
        Self { contract_sha256, size: loaded.len(), runs }
    }

    /// The bytes the image holds (what a restore copies).
    pub fn copied_bytes(&self) -> usize {
        self.runs.iter().map(|(_, bytes)| bytes.len()).sum()
    }
}

/// Whether a module's whole state after a call is in its linear memory: it
/// defines at most one mutable global and imports none.
pub(super) fn memory_holds_state(bytes: &[u8]) -> bool {
    let mut mutable_globals = 0usize;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload {
            Ok(Payload::GlobalSection(globals)) => {
                for global in globals {
                    match global {
                        Ok(global) if global.ty.mutable => mutable_globals += 1,
                        Ok(_) => {}
                        Err(_) => return false,
                    }
                }
            }
            Ok(Payload::ImportSection(imports)) => {
                for import in imports.into_imports() {
                    if !matches!(import, Ok(import) if matches!(import.ty, wasmparser::TypeRef::Func(_))) {
                        return false;
                    }
                }
            }
            Ok(_) => {}
            Err(_) => return false,
        }
    }
    mutable_globals <= 1
}

#[cfg(test)]
#[expect(clippy::panic, clippy::indexing_slicing, reason = "test fixtures: a failure should stop the test")]
mod tests {
    use super::{CHUNK, Image, memory_holds_state};

    fn module(text: &str) -> Vec<u8> {
        wat::parse_str(text).unwrap_or_else(|error| panic!("{error}"))
    }

    #[test]
    fn a_module_with_one_mutable_global_keeps_its_state_in_memory() {
        assert!(memory_holds_state(&module("(module (memory 1) (global $sp (mut i32) (i32.const 1024)))")));
        assert!(memory_holds_state(&module(
            "(module (memory 1) (global i32 (i32.const 7)) (global i32 (i32.const 8)))"
        )));
    }

    #[test]
    fn a_second_mutable_global_or_an_imported_one_is_state_outside_memory() {
        assert!(!memory_holds_state(&module(
            "(module (memory 1) (global (mut i32) (i32.const 0)) (global (mut i32) (i32.const 0)))"
        )));
        assert!(!memory_holds_state(&module(r#"(module (import "env" "g" (global (mut i32))) (memory 1))"#)));
        assert!(!memory_holds_state(b"not wasm"));
    }

    #[test]
    fn an_image_keeps_only_the_chunks_that_differ_and_rebuilds_the_memory() {
        let mut new = vec![0u8; 4 * CHUNK];
        new[CHUNK + 5] = 9; // a data segment a new instance has
        let mut loaded = new.clone();
        loaded.resize(7 * CHUNK, 0); // grown by the load
        loaded[10] = 1;
        loaded[CHUNK + 5] = 0; // overwritten: must be written back as zero
        loaded[5 * CHUNK] = 3; // past the new instance's end
        let image = Image::diff("sha".to_owned(), &new, &loaded);
        let offsets: Vec<(usize, usize)> = image.runs.iter().map(|(at, bytes)| (*at, bytes.len())).collect();
        assert_eq!(offsets, [(0, 2 * CHUNK), (5 * CHUNK, CHUNK)]);
        assert_eq!(image.copied_bytes(), 3 * CHUNK);
        let mut rebuilt = new.clone();
        rebuilt.resize(image.size, 0);
        for (at, bytes) in &image.runs {
            rebuilt[*at..*at + bytes.len()].copy_from_slice(bytes);
        }
        assert_eq!(rebuilt, loaded);
    }
}
