//! `docs/errors.md` is generated from the one error catalogue,
//! `pactum_core::CATALOGUE`, and must match it: this test renders the page
//! again and compares. After a change to the catalogue, regenerate it with
//!
//! ```text
//! UPDATE_DOCS=1 cargo test -p pactum-tests --test errors_doc
//! ```

use std::fmt::{self, Write as _};
use std::fs;
use std::path::{Path, PathBuf};

use pactum_core::{CATALOGUE, CatalogueEntry, words};

const UPDATE_HINT: &str = "UPDATE_DOCS=1 cargo test -p pactum-tests --test errors_doc";

fn errors_md() -> PathBuf {
    let tests = Path::new(env!("CARGO_MANIFEST_DIR"));
    tests.parent().unwrap_or(tests).join("docs").join("errors.md")
}

/// A failure whose `Debug` is its text, so that the test's report shows
/// readable lines and the hint rather than an escaped string.
struct Mismatch(String);

impl fmt::Debug for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A table cell: pipes escaped, line breaks flattened.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\r', '\n'], " ")
}

fn origin(entry: &CatalogueEntry) -> &'static str {
    if entry.spec { "spec" } else { "Pactum" }
}

/// Everything above the table's rows.
const INTRO: &[&str] = &[
    "# Error catalogue",
    "",
    "<!-- Generated from `pactum_core::CATALOGUE` (core/src/catalogue.rs) by",
    "     tests/tests/errors_doc.rs. Do not edit: change the catalogue, then run",
    "     `UPDATE_DOCS=1 cargo test -p pactum-tests --test errors_doc`. -->",
    "",
    "Every code Pactum answers with. A code is the HTTP status, optionally",
    "followed by a sub code (`400.3`); a rejected update also carries a code",
    "for each failing field. The browser (the wasm module's `catalogue()`",
    "export) and the server read this same table, so a code never means two",
    "things.",
    "",
    "- **key**: a stable key for translations.",
    "- **message**: the default English message.",
    "- **origin**: `spec` when the code comes from the original API's",
    "  documentation, `Pactum` when it is one of Pactum's additions.",
    "",
    "| code | status | key | message | origin |",
    "|------|--------|-----|---------|--------|",
];

/// The whole page, as generated from the catalogue.
fn render(catalogue: &[CatalogueEntry]) -> String {
    let mut page = INTRO.join("\n");
    page.push('\n');
    for entry in catalogue {
        // Writing to a String cannot fail.
        let _ = writeln!(
            page,
            "| `{}` | {} | `{}` | {} | {} |",
            cell(entry.code),
            entry.status,
            cell(entry.key),
            cell(entry.message),
            origin(entry),
        );
    }
    page.push_str(&RULES_INTRO.join("\n"));
    page.push('\n');
    for rule in words::RULES {
        let params = rule.params.iter().map(|name| format!("`{name}`")).collect::<Vec<_>>().join(", ");
        let danish = words::table("da").and_then(|table| table.get(rule.key)).and_then(|text| text.as_str());
        let _ = writeln!(
            page,
            "| `{}` | {} | {} | {} |",
            cell(rule.key),
            if params.is_empty() { "-".to_owned() } else { params },
            cell(rule.english),
            cell(danish.unwrap_or("-")),
        );
    }
    page
}

/// The value-rule keys' section.
const RULES_INTRO: &[&str] = &[
    "",
    "## Message keys of the value rules",
    "",
    "A field error carries a message `key` and its `params` besides its code",
    "(`docs/abi.md`). For the codes above the key is the code's own; the",
    "generic JSON-Schema failures, which all share the code `400`, carry the",
    "key of the rule that failed instead, so that a form can say what is",
    "wrong in the user's language. A field's own words (`x-pactum-message`,",
    "`docs/contracts.md`) come as the parameter `message`. Pactum ships the",
    "tables `en` and `da` (`wire/words/da.json`); the server words its",
    "problem answers with them (`Accept-Language`, `docs/http-api.md`) and",
    "the SDK exports them as `messages`.",
    "",
    "| key | params | English | Danish |",
    "|-----|--------|---------|--------|",
];

#[test]
fn errors_md_matches_the_catalogue() -> Result<(), Mismatch> {
    let path = errors_md();
    let expected = render(CATALOGUE);
    if std::env::var_os("UPDATE_DOCS").is_some_and(|value| value == "1") {
        fs::write(&path, &expected).map_err(|error| Mismatch(format!("writing {}: {error}", path.display())))?;
        eprintln!("errors_doc: wrote {}", path.display());
        return Ok(());
    }
    let actual = fs::read_to_string(&path).map_err(|error| {
        Mismatch(format!("reading {}: {error}\nhint: generate it with `{UPDATE_HINT}`", path.display()))
    })?;
    if actual.replace("\r\n", "\n") == expected {
        return Ok(());
    }
    let first_difference = actual
        .lines()
        .zip(expected.lines())
        .enumerate()
        .find(|(_, (actual, expected))| actual != expected)
        .map_or_else(
            || format!("the pages differ in length ({} vs {} lines)", actual.lines().count(), expected.lines().count()),
            |(index, (actual, expected))| {
                format!("first difference at line {}:\n  file:      {actual}\n  catalogue: {expected}", index + 1)
            },
        );
    Err(Mismatch(format!(
        "{} does not match pactum_core::CATALOGUE; {first_difference}\nhint: regenerate it with `{UPDATE_HINT}`",
        path.display()
    )))
}

#[test]
fn every_entry_is_one_table_row() {
    let page = render(CATALOGUE);
    let rows = page.lines().filter(|line| line.starts_with("| `")).count();
    assert_eq!(rows, CATALOGUE.len() + words::RULES.len());
    for entry in CATALOGUE {
        assert!(page.contains(&format!("| `{}` | {} |", entry.code, entry.status)), "{} has no row", entry.code);
    }
}
