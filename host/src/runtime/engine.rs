//! The one wasmtime `Engine` of the process, and its epoch ticker.

use std::sync::Arc;
use std::time::Duration;

use wasmtime::{Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

/// How often the epoch advances. A call's deadline is counted in ticks.
pub const EPOCH_TICK: Duration = Duration::from_millis(5);

/// Memory a pool slot keeps after its instance is gone, reset in place for
/// the next: the built-in module with the demo contract loaded uses 6.4 MiB.
const KEEP_RESIDENT_BYTES: usize = 8 << 20;

/// Address space reserved for each linear memory (and GC heap): all that a
/// 32-bit address reaches.
const RESERVATION_BYTES: u64 = 1 << 32;

/// Unmapped space after each reservation: a load's static offset up to this
/// needs no check either (wasmtime's default).
const GUARD_BYTES: u64 = 32 << 20;

/// Sizes of the pooling allocator.
#[derive(Debug, Clone, Copy)]
pub struct PoolSize {
    /// Instances alive at once, warm and fresh together.
    pub instances: u32,
    pub max_memory_bytes: usize,
}

pub(super) fn build(pool: PoolSize) -> anyhow::Result<Engine> {
    let mut pooling = PoolingAllocationConfig::new();
    pooling
        .total_core_instances(pool.instances)
        .total_memories(pool.instances)
        // wasm-bindgen output has two tables: the function table and the
        // externref table.
        .total_tables(pool.instances * 2)
        .max_tables_per_module(2)
        .table_elements(20_000)
        .total_gc_heaps(pool.instances)
        .max_memory_size(pool.max_memory_bytes)
        .max_core_instance_size(1 << 20)
        // A fresh instance's first touches of its memory were page faults
        // on pages the last instance in the slot had given back (madvise):
        // 1.5 of a fresh call's 2.1 ms. Kept resident and reset in place
        // (only the pages the last instance dirtied, where the kernel can
        // say which: PAGEMAP_SCAN, Linux 6.7), the call takes 0.72 ms
        // (docs/benchmarks.md). The price is up to this much resident memory
        // per slot used.
        .linear_memory_keep_resident(KEEP_RESIDENT_BYTES)
        .pagemap_scan(Enabled::Auto);
    let mut config = Config::new();
    config
        .consume_fuel(true)
        .epoch_interruption(true)
        // wasm-bindgen's externref table needs reference types and a GC heap.
        .wasm_reference_types(true)
        .wasm_gc(true)
        .wasm_function_references(true)
        .memory_init_cow(true)
        // The whole 32-bit address space reserved, with a guard past it:
        // then no address a 32-bit module forms can leave its slot, and
        // wasmtime compiles loads and stores without bounds checks (warm
        // evaluate 38.7 -> 27.3 us, docs/benchmarks.md). The reservation is
        // address space, not memory; `max_memory_size` still bounds growth.
        // The pooling allocator demands GC heaps shaped like memories.
        .memory_reservation(RESERVATION_BYTES)
        .memory_guard_size(GUARD_BYTES)
        .memory_reservation_for_growth(0)
        .gc_heap_reservation(RESERVATION_BYTES)
        .gc_heap_guard_size(GUARD_BYTES)
        .gc_heap_reservation_for_growth(0)
        .max_wasm_stack(1 << 20)
        .allocation_strategy(InstanceAllocationStrategy::Pooling(pooling));
    Engine::new(&config).map_err(|error| anyhow::anyhow!("configuring wasmtime: {error}"))
}

/// Advances `engine`'s epoch every [`EPOCH_TICK`] on a background thread for
/// as long as the engine lives elsewhere.
pub(super) fn start_ticker(engine: &Engine) {
    let weak = Arc::new(engine.weak());
    std::thread::Builder::new()
        .name("pactum-epoch".to_owned())
        .spawn(move || {
            while let Some(engine) = weak.upgrade() {
                engine.increment_epoch();
                drop(engine);
                std::thread::sleep(EPOCH_TICK);
            }
        })
        .map(drop)
        .unwrap_or_else(|error| tracing::warn!(%error, "no epoch ticker thread; deadlines fall back to fuel"));
}
