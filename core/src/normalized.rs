//! The normal forms of one call's role values, each computed once.
//!
//! One evaluate needs a mobile number's parse in the merge (to store its
//! E.164 form), in the verified-field check (is it a change?) and in the
//! unique claims (what is claimed?), for the new and the old value: six
//! parses of one number, most of a call's time (issue 15). Here each
//! distinct string is parsed once per call, the normal form a parse
//! produces is known to be its own normal form, and two equal strings are
//! the same value without any parse.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::contract::{Contract, Role};
use crate::mailbox;
use crate::phone::{self, PhoneNumber};

/// Lives for one call: the contract's region does not change within it.
#[derive(Debug)]
pub(crate) struct Normalized<'c> {
    contract: &'c Contract,
    phones: BTreeMap<String, Option<PhoneNumber>>,
    mailboxes: BTreeMap<String, Option<String>>,
}

impl<'c> Normalized<'c> {
    pub fn new(contract: &'c Contract) -> Self {
        Self { contract, phones: BTreeMap::new(), mailboxes: BTreeMap::new() }
    }

    /// `raw` parsed in the contract's region.
    pub fn phone(&mut self, raw: &str) -> Option<PhoneNumber> {
        if let Some(known) = self.phones.get(raw) {
            return known.clone();
        }
        let parsed = phone::parse(raw, self.contract.region());
        if let Some(number) = parsed.as_ref().filter(|number| number.extension.is_none()) {
            // An E.164 form parses back to the same number in any region.
            self.phones.insert(number.e164.clone(), Some(number.clone()));
        }
        self.phones.insert(raw.to_owned(), parsed.clone());
        parsed
    }

    /// `raw`'s normalised mailbox.
    pub fn mailbox(&mut self, raw: &str) -> Option<String> {
        if let Some(known) = self.mailboxes.get(raw) {
            return known.clone();
        }
        let normalized = mailbox::normalize(raw);
        if let Some(normal) = &normalized {
            // Normalising is idempotent.
            self.mailboxes.insert(normal.clone(), Some(normal.clone()));
        }
        self.mailboxes.insert(raw.to_owned(), normalized.clone());
        normalized
    }

    /// The form under which two values of a field are the same: the E.164
    /// number of a mobile, the case-folded mailbox of an address, the
    /// string itself for other strings, canonical JSON text otherwise. A
    /// value that does not normalise is compared as written.
    pub fn key(&mut self, role: Option<Role>, value: &Value) -> String {
        match (role, value) {
            // Local parts are compared case-folded although RFC 5321 lets a
            // host tell `Ann` from `ann`: no mail system in use does, and one
            // person must not hold two claims on one mailbox (docs/contracts.md).
            (Some(Role::Email), Value::String(address)) => {
                self.mailbox(address).as_deref().unwrap_or(address).to_lowercase()
            }
            (Some(Role::Mobile), Value::String(number)) => {
                self.phone(number).map_or_else(|| number.clone(), |parsed| parsed.e164)
            }
            (_, Value::String(text)) => text.clone(),
            (_, other) => other.to_string(),
        }
    }

    /// Whether `new` is the value the field already holds.
    pub fn same(&mut self, role: Option<Role>, old: Option<&Value>, new: &Value) -> bool {
        match old {
            None => false,
            Some(old) if old == new => true,
            Some(old) => self.key(role, old) == self.key(role, new),
        }
    }
}
