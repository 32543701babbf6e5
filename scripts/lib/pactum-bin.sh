# Sourced by the proof scripts: sets `pactum_bin` to the `pactum` binary
# they run.
#
# - PACTUM_BIN set: that binary, as it is (the normal test run passes the
#   debug binary cargo built for it; nothing is built then).
# - otherwise: `cargo build --release -p pactum-host --bin pactum`, and
#   `cargo xtask wasm` when the contract modules are missing.
#
# Either way the built-in module (target/wasm/, or PACTUM_MODULE) must exist.

pactum_bin="${PACTUM_BIN:-}"
if [[ -z "$pactum_bin" ]]; then
    if [[ ! -f target/wasm/pactum_wasm_bg.wasm || ! -f target/wasm/loyalty.wasm ]]; then
        cargo xtask wasm
    fi
    cargo build --release -p pactum-host --bin pactum
    pactum_bin="${CARGO_TARGET_DIR:-target}/release/pactum"
fi
if [[ ! -x "$pactum_bin" ]]; then
    echo "FAIL: no pactum binary at $pactum_bin (unset PACTUM_BIN to build one)" >&2
    exit 2
fi
module="${PACTUM_MODULE:-target/wasm/pactum_wasm_bg.wasm}"
if [[ ! -f "$module" || ! -f "$(dirname "$module")/loyalty.wasm" ]]; then
    echo "FAIL: the contract modules are missing ($module, loyalty.wasm); build them with \`cargo xtask wasm\`" >&2
    exit 2
fi
