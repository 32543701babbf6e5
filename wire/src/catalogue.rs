//! The one error catalogue: every code Pactum answers with, as data.
//!
//! The browser (through the wasm module's `catalogue()` export) and the server
//! (through this table) read the same entries, so a code never means two
//! things. `docs/errors.md` is checked against this table by a test.

use serde::Serialize;

/// One catalogue entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CatalogueEntry {
    /// The sub code as the API writes it, e.g. `"400.3"`.
    pub code: &'static str,
    /// The HTTP status that carries this code.
    pub status: u16,
    /// A stable key for translations, e.g. `"mobile.invalid"`.
    pub key: &'static str,
    /// The default English message: lowercase, no final period.
    pub message: &'static str,
    /// Whether the code comes from the original API's documentation (`true`)
    /// or is one of Pactum's additions.
    pub spec: bool,
}

const fn entry(
    code: &'static str,
    status: u16,
    key: &'static str,
    message: &'static str,
    spec: bool,
) -> CatalogueEntry {
    CatalogueEntry { code, status, key, message, spec }
}

/// Every code, in display order.
pub const CATALOGUE: &[CatalogueEntry] = &[
    entry("200", 200, "update.ok", "account was successfully updated", true),
    entry("200.1", 200, "verification.dispatched", "a verification request has been dispatched", true),
    entry(
        "200.2",
        200,
        "verification.limit_reached",
        "no verification request dispatched: the recent verification request limit has been reached",
        true,
    ),
    entry(
        "200.3",
        200,
        "verification.cooldown",
        "no verification request dispatched: one was sent within the last 2 minutes, or is still being processed",
        true,
    ),
    entry("201", 201, "create.ok", "account was successfully created", false),
    entry(
        "201.1",
        201,
        "create.verification_dispatched",
        "account was created and a verification request has been dispatched",
        false,
    ),
    entry("204", 204, "verification.ok", "verified; the pending value is now the entity's value", true),
    entry("400", 400, "validation.failed", "the request is valid but data validation failed", true),
    entry("400.2", 400, "email.not_unique", "e-mail address is not unique", true),
    entry("400.3", 400, "mobile.invalid", "mobile number is not in a valid format", true),
    entry(
        "400.4",
        400,
        "mobile.not_unique_active",
        "mobile number is not unique: it belongs to an active entity",
        true,
    ),
    entry(
        "400.5",
        400,
        "mobile.not_unique_inactive",
        "mobile number is not unique: it belongs to an inactive entity",
        true,
    ),
    entry("400.10", 400, "field.unknown", "field is not in the contract", false),
    entry("400.11", 400, "field.read_only", "read-only field may only be sent with its current value", false),
    entry("400.12", 400, "field.required", "required field is missing or cleared", false),
    entry("400.13", 400, "email.invalid", "e-mail address is not in a valid format", false),
    entry("400.14", 400, "field.not_unique", "value is not unique", false),
    entry("400.20", 400, "request.not_object", "payload must be a JSON object", false),
    entry("400.21", 400, "request.too_complex", "input is nested too deeply or is too large", false),
    entry("400.22", 400, "request.malformed", "request body is not valid JSON", false),
    entry("400.23", 400, "verification.code_malformed", "verification code is missing or malformed", false),
    entry(
        "400.24",
        400,
        "entity.ext_key_not_allowed",
        "an external key was given, but the app has no external-key type (or the key is empty)",
        false,
    ),
    entry("400.25", 400, "request.nul_character", "text may not contain the NUL character (U+0000)", false),
    entry(
        "400.26",
        400,
        "request.query_invalid",
        "a query parameter is unknown, repeated or has an invalid value",
        false,
    ),
    entry("401", 401, "auth.missing", "missing or unknown API key", false),
    entry("403", 403, "verification.code_mismatch", "the code does not match", true),
    entry("403.1", 403, "verification.code_expired", "the code has expired; request a new one", false),
    entry(
        "403.2",
        403,
        "verification.attempts_exhausted",
        "too many wrong codes; the pending change was cancelled",
        false,
    ),
    entry("404", 404, "route.not_found", "no such endpoint", false),
    entry("404.1", 404, "entity.not_found", "user not found", true),
    entry("404.2", 404, "entity.ext_not_found", "external user could not be found", true),
    entry("404.3", 404, "contract.not_found", "contract not found", false),
    entry("405", 405, "route.method_not_allowed", "method not allowed on this endpoint", false),
    entry("408", 408, "request.timeout", "the request body did not arrive in time", false),
    entry("409.1", 409, "entity.version_mismatch", "the entity has changed since it was read (If-Match)", false),
    entry("409.2", 409, "entity.ext_key_taken", "the external key already belongs to another entity", false),
    entry("409.3", 409, "entity.inactive", "the entity is deactivated and cannot be changed", false),
    entry("412", 412, "app.no_permission", "the app has no permission for this operation", true),
    entry("412.1", 412, "app.contract_not_allowed", "the app may not use this contract", false),
    entry("413", 413, "request.too_large", "request body is over the size limit", false),
    entry("415", 415, "request.media_type", "request body must be application/json", false),
    entry("422.1", 422, "contract.invalid", "the contract is not valid", false),
    entry("422.2", 422, "call.invalid", "the evaluation call is not valid", false),
    entry("422.3", 422, "contract.unknown_ref", "the contract reference is not loaded in this module", false),
    entry("431", 431, "request.head_too_large", "the request headers are over the size limit", false),
    entry("500", 500, "internal", "internal error", false),
    entry("500.1", 500, "module.failed", "the contract module failed; nothing was committed", false),
    entry("501.2", 501, "verification.not_needed", "the entity does not need to be verified", true),
    entry("501.3", 501, "verification.no_code", "the entity has not been assigned a verification code", true),
    entry("503", 503, "service.unavailable", "the service is overloaded or shutting down; retry later", false),
    entry(
        "503.1",
        503,
        "entity.contended",
        "the entity kept changing while this write was decided; nothing was changed, retry later",
        false,
    ),
];

/// Looks a code up in the catalogue.
#[must_use]
pub fn lookup(code: &str) -> Option<&'static CatalogueEntry> {
    CATALOGUE.iter().find(|entry| entry.code == code)
}

/// The rule for the top-level code of a rejection, given its errors'
/// codes: when every error carries the same code, that code (a lone bad
/// mobile is `400.3`); when they differ, or there are none, the generic
/// `400`, and the per-field codes stay in the errors.
#[must_use]
pub fn top_code<'a>(error_codes: impl IntoIterator<Item = &'a str>) -> &'a str {
    let mut error_codes = error_codes.into_iter();
    match error_codes.next() {
        Some(first) if error_codes.all(|code| code == first) => first,
        _ => codes::VALIDATION_FAILED,
    }
}

/// The codes the core itself decides. Named so that no module spells a code
/// as a bare string literal twice.
pub mod codes {
    pub const OK: &str = "200";
    pub const VERIFICATION_NEEDED: &str = "200.1";
    pub const CREATED: &str = "201";
    pub const CREATED_VERIFICATION_NEEDED: &str = "201.1";
    pub const VALIDATION_FAILED: &str = "400";
    pub const MOBILE_INVALID: &str = "400.3";
    pub const FIELD_UNKNOWN: &str = "400.10";
    pub const FIELD_READ_ONLY: &str = "400.11";
    pub const FIELD_REQUIRED: &str = "400.12";
    pub const EMAIL_INVALID: &str = "400.13";
    pub const NOT_OBJECT: &str = "400.20";
    pub const TOO_COMPLEX: &str = "400.21";
    pub const CONTRACT_INVALID: &str = "422.1";
    pub const CALL_INVALID: &str = "422.2";
    pub const CONTRACT_UNKNOWN_REF: &str = "422.3";

    /// Every code the engine itself decides: decision, per-field and
    /// failure codes. The decision corpus must exercise each one.
    pub const ENGINE: &[&str] = &[
        OK,
        VERIFICATION_NEEDED,
        CREATED,
        CREATED_VERIFICATION_NEEDED,
        VALIDATION_FAILED,
        MOBILE_INVALID,
        FIELD_UNKNOWN,
        FIELD_READ_ONLY,
        FIELD_REQUIRED,
        EMAIL_INVALID,
        NOT_OBJECT,
        TOO_COMPLEX,
        CONTRACT_INVALID,
        CALL_INVALID,
        CONTRACT_UNKNOWN_REF,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn codes_are_unique_and_statuses_match_their_prefix() {
        let mut seen = BTreeSet::new();
        for entry in CATALOGUE {
            assert!(seen.insert(entry.code), "duplicate code {}", entry.code);
            let prefix = entry.code.split('.').next().unwrap_or_default();
            assert_eq!(prefix, entry.status.to_string(), "code {} has status {}", entry.code, entry.status);
            assert!(!entry.message.ends_with('.'), "message of {} ends with a period", entry.code);
        }
    }

    #[test]
    fn every_named_code_is_in_the_catalogue() {
        for code in codes::ENGINE {
            assert!(lookup(code).is_some(), "{code} missing from the catalogue");
        }
    }
}
