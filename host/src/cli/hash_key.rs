//! `pactum hash-key`: prints the `key_sha256` of an API key read from
//! standard input, for an app's `[[apps]]` table. Reading stdin keeps the
//! key out of the shell history and the process list.

use std::io::Read;
use std::process::ExitCode;

use anyhow::Context;

pub fn run() -> anyhow::Result<ExitCode> {
    let mut key = String::new();
    std::io::stdin().read_to_string(&mut key).context("reading the API key from standard input")?;
    let key = key.trim_end_matches(['\r', '\n']);
    anyhow::ensure!(!key.is_empty(), "no API key on standard input");
    #[expect(clippy::print_stdout, reason = "the hash is the command's output")]
    {
        println!("{}", pactum_host::apps::key_hash(key));
    }
    Ok(ExitCode::SUCCESS)
}
