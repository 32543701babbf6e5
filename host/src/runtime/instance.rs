//! One live instance of a contract module and the ABI call protocol
//! (`docs/abi.md`): alloc, write, call, read, free.

use std::collections::HashMap;

use wasmtime::{Engine, InstancePre, Memory, Store, Trap, TypedFunc};

use super::engine::EPOCH_TICK;
use super::error::ModuleError;
use super::limits::{Limiter, Limits};

pub struct StoreState {
    limiter: Limiter,
    /// The fuel the current call started with, for the error message.
    fuel: u64,
}

/// Which entry point a call goes to.
#[derive(Debug, Clone, Copy)]
pub(super) enum Entry {
    Evaluate,
    Load,
}

/// An instantiated module with its exports resolved. An instance whose call
/// failed in any way is dropped, never reused: its memory may be corrupt.
pub(super) struct LiveInstance {
    store: Store<StoreState>,
    memory: Memory,
    alloc: TypedFunc<u32, u32>,
    free: TypedFunc<(u32, u32), ()>,
    evaluate: TypedFunc<(u32, u32), u64>,
    load: TypedFunc<(u32, u32), u64>,
    limits: Limits,
    /// Contract reference -> SHA-256 of the document loaded under it.
    pub loaded: HashMap<String, String>,
}

impl std::fmt::Debug for LiveInstance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveInstance").field("loaded", &self.loaded).finish_non_exhaustive()
    }
}

impl LiveInstance {
    pub fn new(
        engine: &Engine,
        pre: &InstancePre<StoreState>,
        limits: Limits,
        module: &str,
    ) -> Result<Self, ModuleError> {
        let state = StoreState { limiter: Limiter { max_memory_bytes: limits.max_memory_bytes, hit: false }, fuel: 0 };
        let mut store = Store::new(engine, state);
        store.limiter(|state| &mut state.limiter);
        arm(&mut store, limits.evaluate_fuel, limits.deadline_ms);
        let instance = pre.instantiate(&mut store).map_err(|error| match classify(&store, &error, &limits) {
            ModuleError::Trap { reason } => ModuleError::Instantiate { module: module.to_owned(), reason },
            other => other,
        })?;
        let missing = |export: &str, error: wasmtime::Error| ModuleError::MissingExport {
            module: module.to_owned(),
            export: format!("{export} ({error})"),
        };
        let memory = instance
            .get_memory(&mut store, "memory")
            .ok_or_else(|| ModuleError::MissingExport { module: module.to_owned(), export: "memory".to_owned() })?;
        let version = instance
            .get_typed_func::<(), u32>(&mut store, "pactum_abi_version")
            .map_err(|error| missing("pactum_abi_version", error))?;
        let alloc =
            instance.get_typed_func(&mut store, "pactum_alloc").map_err(|error| missing("pactum_alloc", error))?;
        let free = instance.get_typed_func(&mut store, "pactum_free").map_err(|error| missing("pactum_free", error))?;
        let evaluate = instance
            .get_typed_func(&mut store, "pactum_evaluate")
            .map_err(|error| missing("pactum_evaluate", error))?;
        let load = instance.get_typed_func(&mut store, "pactum_load").map_err(|error| missing("pactum_load", error))?;
        let found = version.call(&mut store, ()).map_err(|error| classify(&store, &error, &limits))?;
        if found != pactum_core::ABI_VERSION {
            return Err(ModuleError::AbiVersion {
                module: module.to_owned(),
                found,
                expected: pactum_core::ABI_VERSION,
            });
        }
        Ok(Self { store, memory, alloc, free, evaluate, load, limits, loaded: HashMap::new() })
    }

    /// Sends `input` to `entry` and returns the module's answer bytes.
    pub fn call(&mut self, entry: Entry, input: &[u8]) -> Result<Vec<u8>, ModuleError> {
        let limits = self.limits;
        let max = limits.max_input_bytes;
        let len = u32::try_from(input.len()).ok().filter(|_| input.len() <= max);
        let Some(len) = len else { return Err(ModuleError::InputTooLarge { len: input.len(), max }) };
        let fuel = match entry {
            Entry::Evaluate => limits.evaluate_fuel,
            Entry::Load => limits.load_fuel,
        };
        arm(&mut self.store, fuel, limits.deadline_ms);
        let fail = |store: &Store<StoreState>, error: wasmtime::Error| classify(store, &error, &limits);

        let in_ptr = self.alloc.call(&mut self.store, len).map_err(|error| fail(&self.store, error))?;
        self.memory
            .write(&mut self.store, in_ptr as usize, input)
            .map_err(|_| ModuleError::Trap { reason: "pactum_alloc returned a buffer outside memory".to_owned() })?;
        let function = match entry {
            Entry::Evaluate => &self.evaluate,
            Entry::Load => &self.load,
        };
        let packed = function.call(&mut self.store, (in_ptr, len)).map_err(|error| fail(&self.store, error))?;
        let burned = fuel.saturating_sub(self.store.get_fuel().unwrap_or_default());
        tracing::trace!(?entry, burned, "module call");
        let entry_name = match entry {
            Entry::Evaluate => "evaluate",
            Entry::Load => "load",
        };
        #[expect(clippy::cast_precision_loss, reason = "a histogram of fuel needs no precision past 2^53")]
        metrics::histogram!(crate::telemetry::MODULE_FUEL, "entry" => entry_name).record(burned as f64);
        self.free.call(&mut self.store, (in_ptr, len)).map_err(|error| fail(&self.store, error))?;

        let (out_ptr, out_len) = ((packed >> 32) as usize, (packed & 0xffff_ffff) as usize);
        if out_len > limits.max_output_bytes {
            return Err(ModuleError::OutputTooLarge { len: out_len, max: limits.max_output_bytes });
        }
        let output = self
            .memory
            .data(&self.store)
            .get(out_ptr..out_ptr.saturating_add(out_len))
            .ok_or(ModuleError::OutputOutOfBounds)?
            .to_vec();
        // Both halves fit in u32: they were checked against the memory size.
        let (out_ptr, out_len) = (out_ptr as u32, out_len as u32);
        self.free.call(&mut self.store, (out_ptr, out_len)).map_err(|error| fail(&self.store, error))?;
        Ok(output)
    }
}

impl LiveInstance {
    /// A copy of the instance's whole linear memory.
    pub fn memory_bytes(&mut self) -> Box<[u8]> {
        self.memory.data(&self.store).into()
    }

    /// Makes a new instance's memory `image`: grown to its size, then the
    /// runs that differ written over it.
    pub fn restore(&mut self, image: &super::image::Image) -> Result<(), ModuleError> {
        const PAGE: usize = 64 << 10;
        let missing = image.size.saturating_sub(self.memory.data_size(&self.store)).div_ceil(PAGE);
        self.memory
            .grow(&mut self.store, missing as u64)
            .map_err(|error| classify(&self.store, &error, &self.limits))?;
        for (offset, bytes) in &image.runs {
            self.memory.write(&mut self.store, *offset, bytes).map_err(|_| ModuleError::Trap {
                reason: "the memory image is larger than the instance's memory".to_owned(),
            })?;
        }
        Ok(())
    }
}

fn arm(store: &mut Store<StoreState>, fuel: u64, deadline_ms: u64) {
    // set_fuel only fails when fuel is disabled, and the engine enables it.
    let _ = store.set_fuel(fuel);
    store.data_mut().fuel = fuel;
    let tick = EPOCH_TICK.as_millis().max(1) as u64;
    store.set_epoch_deadline(deadline_ms.div_ceil(tick).max(1));
}

/// Names the reason a call stopped.
fn classify(store: &Store<StoreState>, error: &wasmtime::Error, limits: &Limits) -> ModuleError {
    if store.data().limiter.hit {
        return ModuleError::MemoryLimit { max_bytes: limits.max_memory_bytes };
    }
    match error.downcast_ref::<Trap>() {
        Some(Trap::OutOfFuel) => ModuleError::OutOfFuel { fuel: store.data().fuel },
        Some(Trap::Interrupt) => ModuleError::Timeout { millis: limits.deadline_ms },
        _ => ModuleError::Trap { reason: format!("{error:#}") },
    }
}
