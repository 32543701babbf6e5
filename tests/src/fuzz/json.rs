//! JSON values from fuzz bytes: built fresh with bounded depth and width, or
//! made by mutating a seed. Strings are mostly the seeds' words, so field
//! names and keywords line up with the contract often enough to reach the
//! merge rules and the validator.

use arbitrary::{Result, Unstructured};
use pactum_core::pointer;
use serde_json::{Map, Number, Value};

/// Containers nest at most this deep in a generated value...
const MAX_DEPTH: usize = 5;
/// ...and hold at most this many items.
const MAX_WIDTH: usize = 6;
/// A deep chain is this deep at most: past the core's 32 levels, and the
/// contract's 48, to reach the limit checks.
const MAX_CHAIN: usize = 52;
/// Mutations applied to one seed.
const MAX_MUTATIONS: usize = 4;
/// Generated strings are cut to this many characters.
const MAX_STRING: usize = 48;

/// Builds and mutates values, drawing strings from `words`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Builder<'s> {
    words: &'s [String],
}

impl<'s> Builder<'s> {
    pub fn new(words: &'s [String]) -> Self {
        Self { words }
    }

    /// Any JSON value, nested at most [`MAX_DEPTH`] below `depth`.
    pub fn value(&self, u: &mut Unstructured<'_>, depth: usize) -> Result<Value> {
        let kinds = if depth >= MAX_DEPTH { 4 } else { 8 };
        Ok(match u.choose_index(kinds)? {
            0 => Value::Null,
            1 => Value::Bool(u.arbitrary()?),
            2 => Value::Number(number(u)?),
            3 => Value::String(self.string(u)?),
            4 => Value::Array(self.items(u, depth)?),
            5 => self.chain(u)?,
            _ => Value::Object(self.object(u, depth)?),
        })
    }

    /// An object of up to [`MAX_WIDTH`] members.
    pub fn object(&self, u: &mut Unstructured<'_>, depth: usize) -> Result<Map<String, Value>> {
        let mut members = Map::new();
        for _ in 0..u.int_in_range(0..=MAX_WIDTH)? {
            members.insert(self.string(u)?, self.value(u, depth + 1)?);
        }
        Ok(members)
    }

    /// An object whose keys are drawn from `keys` (a contract's fields).
    pub fn object_with_keys(&self, u: &mut Unstructured<'_>, keys: &[String]) -> Result<Value> {
        let mut members = Map::new();
        for _ in 0..u.int_in_range(0..=MAX_WIDTH)? {
            let key = if keys.is_empty() || u.ratio(1, 8)? { self.string(u)? } else { u.choose(keys)?.clone() };
            members.insert(key, self.value(u, 1)?);
        }
        Ok(Value::Object(members))
    }

    /// Applies up to [`MAX_MUTATIONS`] random edits to `value`.
    pub fn mutate(&self, u: &mut Unstructured<'_>, value: &mut Value) -> Result<()> {
        for _ in 0..u.int_in_range(0..=MAX_MUTATIONS)? {
            self.mutate_once(u, value)?;
        }
        Ok(())
    }

    fn mutate_once(&self, u: &mut Unstructured<'_>, value: &mut Value) -> Result<()> {
        let places = pointers(value);
        let at = u.choose(&places)?.clone();
        let depth = pointer::tokens(&at).count();
        match u.choose_index(4)? {
            0 => {
                let other = u.choose(&places)?;
                let copy = value.pointer(other).cloned().unwrap_or(Value::Null);
                replace(value, &at, copy);
            }
            1 => remove(value, &at),
            2 => match value.pointer_mut(&at) {
                Some(Value::Object(members)) => {
                    let (key, member) = (self.string(u)?, self.value(u, depth + 1)?);
                    members.insert(key, member);
                }
                Some(Value::Array(items)) => items.push(self.value(u, depth + 1)?),
                _ => replace(value, &at, self.value(u, depth)?),
            },
            _ => replace(value, &at, self.value(u, depth)?),
        }
        Ok(())
    }

    fn items(&self, u: &mut Unstructured<'_>, depth: usize) -> Result<Vec<Value>> {
        (0..u.int_in_range(0..=MAX_WIDTH)?).map(|_| self.value(u, depth + 1)).collect()
    }

    /// A value wrapped in one-item arrays or objects, up to [`MAX_CHAIN`] deep.
    fn chain(&self, u: &mut Unstructured<'_>) -> Result<Value> {
        let mut value = self.value(u, MAX_DEPTH)?;
        for _ in 0..u.int_in_range(0..=MAX_CHAIN)? {
            value = if u.arbitrary()? {
                Value::Array(vec![value])
            } else {
                let mut members = Map::new();
                members.insert(self.string(u)?, value);
                Value::Object(members)
            };
        }
        Ok(value)
    }

    /// Mostly a seed word; otherwise arbitrary UTF-8, cut short.
    fn string(&self, u: &mut Unstructured<'_>) -> Result<String> {
        if !self.words.is_empty() && u.ratio(3, 4)? {
            return Ok(u.choose(self.words)?.clone());
        }
        let text: &str = u.arbitrary()?;
        Ok(text.chars().take(MAX_STRING).collect())
    }
}

fn number(u: &mut Unstructured<'_>) -> Result<Number> {
    Ok(match u.choose_index(4)? {
        0 => Number::from(u.int_in_range(-3_i64..=20)?),
        1 => Number::from(u.arbitrary::<i64>()?),
        2 => Number::from(u.arbitrary::<u64>()?),
        _ => Number::from_f64(u.arbitrary()?).unwrap_or_else(|| Number::from(0)),
    })
}

/// The pointer of every node of `value`, root first.
fn pointers(value: &Value) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack = vec![(String::new(), value)];
    while let Some((at, value)) = stack.pop() {
        match value {
            Value::Array(items) => {
                stack.extend(
                    items.iter().enumerate().map(|(index, item)| (pointer::join(&at, &index.to_string()), item)),
                );
            }
            Value::Object(members) => {
                stack.extend(members.iter().map(|(key, member)| (pointer::join(&at, key), member)));
            }
            _ => {}
        }
        found.push(at);
    }
    found
}

fn replace(root: &mut Value, at: &str, new: Value) {
    if let Some(node) = root.pointer_mut(at) {
        *node = new;
    }
}

/// Removes the node at `at` from its parent; the root is made `null`.
fn remove(root: &mut Value, at: &str) {
    let Some((parent, token)) = at.rsplit_once('/') else {
        *root = Value::Null;
        return;
    };
    let token = token.replace("~1", "/").replace("~0", "~");
    match root.pointer_mut(parent) {
        Some(Value::Object(members)) => {
            members.remove(&token);
        }
        Some(Value::Array(items)) => {
            if let Ok(index) = token.parse::<usize>()
                && index < items.len()
            {
                items.remove(index);
            }
        }
        _ => {}
    }
}
