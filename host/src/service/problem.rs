//! The service's error answer: a catalogue code with its status and title,
//! what failed, and the hints an answer carries (`Retry-After`, the module
//! that decided). RFC 9457's problem, without the wire: `http/problem.rs`
//! renders it as `application/problem+json`.
//!
//! It lives in the service rather than in `http/` or at the top level
//! because the service is the lowest layer that answers with catalogue
//! codes: the store and the runtime fail with typed errors (`StoreError`,
//! `ModuleError`) that the service maps to codes, and `http/` adds only the
//! codes of what the service never sees (routes, heads, bodies). A client's
//! mistake is a 4xx with the reason; a server fault is a generic 5xx whose
//! cause goes to the log, never to the client.

use pactum_core::wire::WireFieldError;
use pactum_core::{catalogue, words};

/// An error answer. Small on purpose (it is the `Err` of most calls): the
/// catalogue's code and title are borrowed, and the `type` URN is made when
/// the answer is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub status: u16,
    pub code: &'static str,
    /// The catalogue's message for the code.
    pub title: &'static str,
    pub detail: Option<String>,
    /// Every failing field, for validation answers.
    pub errors: Vec<WireFieldError>,
    /// Seconds until a retry may succeed (`Retry-After`).
    pub retry_after: Option<u32>,
    /// The module that decided, when one did (`Pactum-Module`).
    pub module_sha256: Option<String>,
}

impl Problem {
    /// A problem for a catalogue code. An unknown code is a programming
    /// error; it is answered as a plain 500 rather than with a made-up code.
    #[must_use]
    pub fn new(code: &str) -> Self {
        let entry = catalogue::lookup(code).or_else(|| catalogue::lookup("500"));
        let (code, status, title) =
            entry.map_or(("500", 500, "internal error"), |entry| (entry.code, entry.status, entry.message));
        Self { status, code, title, detail: None, errors: Vec::new(), retry_after: None, module_sha256: None }
    }

    #[must_use]
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    #[must_use]
    pub fn errors(mut self, errors: Vec<WireFieldError>) -> Self {
        self.errors = errors;
        self
    }

    #[must_use]
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(u32::try_from(seconds).unwrap_or(u32::MAX));
        self
    }

    #[must_use]
    pub fn module(mut self, sha256: &str) -> Self {
        self.module_sha256 = Some(sha256.to_owned());
        self
    }

    /// A server fault: logged in full here, answered generically.
    #[must_use]
    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(%cause, "internal error");
        Self::new("500")
    }

    /// What an answer says when its maker gave no `detail`: the failing
    /// fields' messages (the first three), else the catalogue's message.
    /// The spec's answer format names `detail`, so every problem has one.
    #[must_use]
    pub fn default_detail(&self) -> String {
        const SHOWN: usize = 3;
        if self.errors.is_empty() {
            return self.title.to_owned();
        }
        let mut detail: Vec<String> = self
            .errors
            .iter()
            .take(SHOWN)
            .map(|error| format!("{}: {}", place(&error.pointer), error.message))
            .collect();
        if self.errors.len() > SHOWN {
            detail.push(format!("and {} more", self.errors.len() - SHOWN));
        }
        detail.join("; ")
    }
}

impl Problem {
    /// The title and detail in `language` (a tag of `pactum_core::words`):
    /// English is the catalogue's title and [`Self::detail`] or
    /// [`Self::default_detail`] as made; another language has the title
    /// from its table and a detail worded from the failing fields' message
    /// keys (the first three), else the title. A made detail is English
    /// developer text, so it is not shown in another language.
    #[must_use]
    pub fn worded(&self, language: &str) -> (String, String) {
        let table = words::table(language).filter(|_| language != "en");
        let Some(table) = table else {
            return (self.title.to_owned(), self.detail.clone().unwrap_or_else(|| self.default_detail()));
        };
        let key = catalogue::lookup(self.code).map_or("internal", |entry| entry.key);
        let title = words::word(table, language, key, &serde_json::Map::new()).unwrap_or_else(|| self.title.to_owned());
        if self.errors.is_empty() {
            return (title.clone(), title);
        }
        const SHOWN: usize = 3;
        let mut detail: Vec<String> = self
            .errors
            .iter()
            .take(SHOWN)
            .map(|error| {
                let key = error.key.as_deref().unwrap_or(key);
                let text = words::word(table, language, key, &error.params).unwrap_or_else(|| error.message.clone());
                format!("{}: {text}", place(&error.pointer))
            })
            .collect();
        if self.errors.len() > SHOWN {
            detail.push(format!("+{}", self.errors.len() - SHOWN));
        }
        (title, detail.join("; "))
    }
}

fn place(pointer: &str) -> &str {
    if pointer.is_empty() { "the payload" } else { pointer }
}

/// The catalogue's message for a code (a field error's `message`).
pub(super) fn message(code: &str) -> &'static str {
    catalogue::lookup(code).map_or("", |entry| entry.message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn error(pointer: &str, message: &str) -> WireFieldError {
        WireFieldError::new(pointer, "400", message)
    }

    #[test]
    fn a_problem_without_detail_says_what_failed() {
        assert_eq!(Problem::new("404.1").default_detail(), Problem::new("404.1").title);
        let one = Problem::new("400.10").errors(vec![error("/nickname", "`nickname` is not a field")]);
        assert_eq!(one.default_detail(), "/nickname: `nickname` is not a field");
        let many = Problem::new("400").errors((0..5).map(|index| error(&format!("/f{index}"), "bad")).collect());
        assert_eq!(many.default_detail(), "/f0: bad; /f1: bad; /f2: bad; and 2 more");
        let root = Problem::new("400.20").errors(vec![error("", "payload must be a JSON object")]);
        assert_eq!(root.default_detail(), "the payload: payload must be a JSON object");
    }
}
