//! `www/sdk/wire.ts` is generated from the Rust wire types (`pactum-wire`,
//! through ts-rs), and `www/sdk/words.ts` from its message catalogue, and must match them: this test generates it again and
//! compares, so the browser SDK cannot drift from the module. After a
//! change to the wire, regenerate it with
//!
//! ```text
//! UPDATE_TYPES=1 cargo test -p pactum-tests --test wire_types
//! ```

use std::path::Path;

#[test]
fn the_sdk_wire_types_are_generated_from_the_rust_ones() -> Result<(), String> {
    generated_file("wire.ts", &pactum_wire::typescript::declarations())
}

#[test]
fn the_sdk_message_tables_are_generated_from_the_catalogue() -> Result<(), String> {
    generated_file("words.ts", &pactum_wire::typescript::words())
}

fn generated_file(name: &str, generated: &str) -> Result<(), String> {
    let file = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("www").join("sdk").join(name);
    if std::env::var_os("UPDATE_TYPES").is_some() {
        return std::fs::write(&file, generated).map_err(|error| format!("writing {}: {error}", file.display()));
    }
    let committed = std::fs::read_to_string(&file).map_err(|error| format!("reading {}: {error}", file.display()))?;
    if committed == generated {
        return Ok(());
    }
    let line = committed
        .lines()
        .zip(generated.lines())
        .position(|(a, b)| a != b)
        .map_or_else(|| committed.lines().count().min(generated.lines().count()) + 1, |index| index + 1);
    Err(format!(
        "{} is stale (first difference at line {line}); regenerate it with \
         `UPDATE_TYPES=1 cargo test -p pactum-tests --test wire_types`",
        file.display()
    ))
}
