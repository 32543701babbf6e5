//! Rebuilds the host when the files it embeds change (`builtin.rs`,
//! `http/assets.rs`): `cargo xtask wasm` and `npm run build` write them
//! after a first host build may already have embedded an older set.

fn main() {
    for folder in ["../target/wasm", "../www/demo", "../www/dist"] {
        println!("cargo:rerun-if-changed={folder}");
    }
}
