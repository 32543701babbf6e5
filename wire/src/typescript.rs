//! The SDK's wire types, generated from the Rust ones (`ts-rs`), so the
//! browser cannot drift from the module. `www/sdk/wire.ts` is this text;
//! `tests/tests/wire_types.rs` fails when it is stale.

use ts_rs::{Config, TS};

use crate::{Call, Channel, Failure, Load, Loaded, Outcome, Role, WireClaim, WireDecision, WireFieldError};
use crate::{WireOperation, WirePending};

/// The whole generated file.
#[must_use]
pub fn declarations() -> String {
    let config = Config::default();
    let declarations = [
        <serde_json::Value as TS>::decl(&config),
        Call::decl(&config),
        WireOperation::decl(&config),
        Load::decl(&config),
        Outcome::decl(&config),
        WireDecision::decl(&config),
        WirePending::decl(&config),
        WireClaim::decl(&config),
        WireFieldError::decl(&config),
        Loaded::decl(&config),
        Failure::decl(&config),
        Channel::decl(&config),
        Role::decl(&config),
    ];
    let mut text = String::from(
        "// Generated from the Rust wire types (wire/src/messages.rs, wire/src/fields.rs)\n\
         // by ts-rs: do not edit. Regenerate with\n\
         // `UPDATE_TYPES=1 cargo test -p pactum-tests --test wire_types`.\n",
    );
    for declaration in declarations {
        text.push_str("\nexport ");
        text.push_str(&declaration);
        text.push('\n');
    }
    text
}

/// The message tables the SDK ships (`www/sdk/words.ts`): every language of
/// [`crate::words::LANGUAGES`], key -> template, as `words.rs` has them.
#[must_use]
pub fn words() -> String {
    let mut text = String::from(
        "// Generated from the message catalogue (wire/src/words.rs, wire/words/*.json):\n\
         // do not edit. Regenerate with\n\
         // `UPDATE_TYPES=1 cargo test -p pactum-tests --test wire_types`.\n\n\
         /** A message table: message key -> template with `{param}` placeholders. */\n\
         export type MessageTable = Readonly<Record<string, string>>;\n",
    );
    for language in crate::words::LANGUAGES {
        let table = crate::words::table(language).cloned().unwrap_or_default();
        let body = serde_json::to_string_pretty(&table).unwrap_or_else(|_| "{}".to_owned());
        text.push_str(&format!("\nexport const {language}: MessageTable = {body};\n"));
    }
    text.push_str("\n/** Every table Pactum ships, by language tag. */\nexport const messages = { ");
    text.push_str(&crate::words::LANGUAGES.join(", "));
    text.push_str(" } as const;\n");
    text
}
