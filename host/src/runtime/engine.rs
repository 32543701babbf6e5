//! The one wasmtime `Engine` of the process, and its epoch ticker.

use std::sync::Arc;
use std::time::Duration;

use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

/// How often the epoch advances. A call's deadline is counted in ticks.
pub const EPOCH_TICK: Duration = Duration::from_millis(5);

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
        .max_core_instance_size(1 << 20);
    let mut config = Config::new();
    config
        .consume_fuel(true)
        .epoch_interruption(true)
        // wasm-bindgen's externref table needs reference types and a GC heap.
        .wasm_reference_types(true)
        .wasm_gc(true)
        .wasm_function_references(true)
        .memory_init_cow(true)
        // The pooling allocator demands GC heaps shaped like memories.
        .memory_reservation(pool.max_memory_bytes as u64)
        .memory_guard_size(64 << 10)
        .memory_reservation_for_growth(0)
        .gc_heap_reservation(pool.max_memory_bytes as u64)
        .gc_heap_guard_size(64 << 10)
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
