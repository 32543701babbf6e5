//! What the store cannot hold, refused before anything runs: the same
//! answer on every backend, never a database error.
//!
//! - The NUL character (U+0000): PostgreSQL's `text` cannot store it (and
//!   its `jsonb` refuses `\u0000`), SQLite can. Refusing it everywhere, in
//!   payload values, member names and external keys, keeps the backends
//!   answering alike (400.25).
//! - An entity larger than the body limit: a client must be able to send
//!   back what it read, and the module's input limit is sized from the body
//!   limit (`runtime::Limits::fitted_to_body`), so a stored entity never
//!   grows past what a later call can carry (400.21).

use pactum_core::wire::WireFieldError;
use serde_json::Value;

use super::Problem;
use super::problem::message;

const NUL: char = '\u{0}';
const NUL_CODE: &str = "400.25";

/// 400.25 with the pointer of every member whose name or text holds a NUL.
pub(super) fn refuse_nul(payload: &Value) -> Result<(), Problem> {
    let mut found = Vec::new();
    collect_nul(payload, &mut String::new(), &mut found);
    if found.is_empty() {
        return Ok(());
    }
    let errors = found.into_iter().map(|pointer| WireFieldError::new(pointer, NUL_CODE, message(NUL_CODE))).collect();
    Err(Problem::new(NUL_CODE).detail("a text in the payload holds the NUL character").errors(errors))
}

/// 400.25 when a text the request names (an external key or its type) holds a NUL.
pub(super) fn refuse_nul_text(what: &str, text: &str) -> Result<(), Problem> {
    if text.contains(NUL) {
        return Err(Problem::new(NUL_CODE).detail(format!("the {what} holds the NUL character")));
    }
    Ok(())
}

fn collect_nul(value: &Value, pointer: &mut String, found: &mut Vec<String>) {
    match value {
        Value::String(text) if text.contains(NUL) => found.push(pointer.clone()),
        Value::Array(items) => {
            for (index, item) in items.iter().enumerate() {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&index.to_string());
                collect_nul(item, pointer, found);
                pointer.truncate(len);
            }
        }
        Value::Object(members) => {
            for (name, member) in members {
                let len = pointer.len();
                pointer.push('/');
                pointer.push_str(&name.replace('~', "~0").replace('/', "~1"));
                if name.contains(NUL) {
                    found.push(pointer.clone());
                } else {
                    collect_nul(member, pointer, found);
                }
                pointer.truncate(len);
            }
        }
        _ => {}
    }
}

/// 400.21 when the entity's data, as it would be stored, is over `limit` bytes.
pub(super) fn refuse_oversized(data: &Value, limit: usize) -> Result<(), Problem> {
    let size = serde_json::to_vec(data).map_or(usize::MAX, |bytes| bytes.len());
    if size > limit {
        return Err(Problem::new("400.21")
            .detail(format!("the entity would be {size} bytes, over the limit of {limit}; nothing was changed")));
    }
    Ok(())
}
