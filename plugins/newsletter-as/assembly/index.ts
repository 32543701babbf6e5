// The plain ABI of docs/abi.md, version 1: the module's whole protocol.
//
// | export               | signature (wasm)         | meaning                                 |
// |----------------------|--------------------------|-----------------------------------------|
// | `memory`             | memory                   | exported by AssemblyScript by default   |
// | `pactum_abi_version` | `() -> i32`              | `1`                                     |
// | `pactum_alloc`       | `(len: i32) -> i32`      | a buffer the host writes input into     |
// | `pactum_free`        | `(ptr: i32, len: i32)`   | frees an input buffer or an output      |
// | `pactum_load`        | `(ptr: i32, len: i32) -> i64` | checks a `Load`, answers an `Outcome` |
// | `pactum_evaluate`    | `(ptr: i32, len: i32) -> i64` | runs a `Call`, answers an `Outcome` |
//
// Every buffer, input or output, is a raw block of the runtime's allocator
// (`heap.alloc`), outside the garbage collector's reach; `pactum_free`
// releases it. Results are packed as `(out_ptr << 32) | out_len`; the host
// owns the output from then on. The input stays the host's: the module
// only reads it, in place.
//
// The module is built with the `minimal` runtime, which never collects on
// its own: each entry point collects once, after its answer is copied out,
// when nothing the call built is still needed. So a warm instance's memory
// does not grow from call to call.

import "./trap";
import { call, load } from "./wire";

/** The ABI version this module speaks. */
const ABI_VERSION: u32 = 1;

export function pactum_abi_version(): u32 {
  return ABI_VERSION;
}

export function pactum_alloc(len: u32): usize {
  return heap.alloc(<usize>len);
}

export function pactum_free(ptr: usize, len: u32): void {
  if (ptr != 0) heap.free(ptr);
}

export function pactum_load(ptr: usize, len: u32): u64 {
  return answer(load(ptr, <i32>len));
}

export function pactum_evaluate(ptr: usize, len: u32): u64 {
  return answer(call(ptr, <i32>len));
}

/** Copies an outcome's UTF-8 into a block of its own, collects the call's garbage, and packs the block's address and length. */
function answer(outcome: string): u64 {
  const len = <usize>String.UTF8.byteLength(outcome);
  const out = heap.alloc(len);
  String.UTF8.encodeUnsafe(changetype<usize>(outcome), outcome.length, out);
  __collect();
  return (<u64>out << 32) | <u64>len;
}
