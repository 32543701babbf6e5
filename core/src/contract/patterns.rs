//! Patterns, made safe to compile and bounded to match, in the copy of the
//! contract given to the validator (the document is served as written).
//!
//! - JSON Schema patterns are ECMA-262 regular expressions. Two of its
//!   character classes have no spelling in the `regex` crates: `[^]` (any
//!   character, line terminators included) and `[]` (no character). A
//!   contract using them was refused as invalid. They become `[\s\S]` and
//!   `[^\s\S]`, which mean the same in both dialects.
//! - A `pattern` with look-around or back-references needs a backtracking
//!   engine (`fancy-regex`), whose work grows with the input faster than
//!   linearly: `^(a+)+\1$` against 20,000 characters took 10 ms natively but
//!   more than the module's whole fuel budget in wasm, so a client's value
//!   became a 5xx. Such a pattern is checked by [`BacktrackingPattern`]
//!   instead, which refuses a value longer than [`MAX_BACKTRACKING_INPUT`]
//!   characters and stops after [`BACKTRACK_LIMIT`] backtracking steps: both
//!   are counted, not timed, so every platform decides the same. Patterns
//!   the `regex` crate can run stay with `jsonschema` (linear time).

use std::borrow::Cow;

use serde_json::{Map, Value};

/// The longest string a look-around or back-reference pattern is matched
/// against (characters).
pub const MAX_BACKTRACKING_INPUT: usize = 1_000;
/// The backtracking steps one match may take (`fancy-regex`'s own default
/// is 1,000,000, which wasm cannot afford under its fuel budget).
pub const BACKTRACK_LIMIT: usize = 100_000;
/// The internal keyword a backtracking `pattern` is moved to.
pub(crate) const BACKTRACKING_KEYWORD: &str = "pactum:backtracking-pattern";

use super::extensions::{SCHEMA_LISTS, SCHEMA_MAPS, SCHEMA_ONE};

/// `pattern` with `[^]` and `[]` spelled as the `regex` crates read them.
#[must_use]
pub fn rewrite(pattern: &str) -> Cow<'_, str> {
    if !pattern.contains("[]") && !pattern.contains("[^]") {
        return Cow::Borrowed(pattern);
    }
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut chars = pattern.chars().peekable();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                out.push(c);
                if let Some(escaped) = chars.next() {
                    out.push(escaped);
                }
            }
            '[' if !in_class => {
                let rest: String = chars.clone().take(2).collect();
                if rest.starts_with(']') {
                    chars.next();
                    out.push_str(r"[^\s\S]");
                } else if rest == "^]" {
                    chars.next();
                    chars.next();
                    out.push_str(r"[\s\S]");
                } else {
                    in_class = true;
                    out.push(c);
                }
            }
            ']' if in_class => {
                in_class = false;
                out.push(c);
            }
            _ => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// The schema with every `pattern` value and `patternProperties` name
/// rewritten, or `None` when nothing needed it (the common case: no copy).
#[must_use]
pub fn rewrite_schema(schema: &Value) -> Option<Value> {
    let mut copy = schema.clone();
    rewrite_in(&mut copy).then_some(copy)
}

/// Follows subschema keywords only (as the `x-pactum-*` walk does), so
/// that a `pattern` member of `const`, `enum` or `examples` data keeps its
/// meaning.
fn rewrite_in(value: &mut Value) -> bool {
    let Value::Object(object) = value else {
        return false;
    };
    let mut changed = false;
    if let Some(Value::String(pattern)) = object.get_mut("pattern")
        && let Cow::Owned(rewritten) = rewrite(pattern)
    {
        *pattern = rewritten;
        changed = true;
    }
    if let Some(pattern) = object.get("pattern").and_then(Value::as_str).filter(|pattern| needs_backtracking(pattern)) {
        let pattern = Value::from(pattern);
        object.remove("pattern");
        object.insert(BACKTRACKING_KEYWORD.to_owned(), pattern);
        changed = true;
    }
    if let Some(Value::Object(patterns)) = object.get_mut("patternProperties") {
        changed |= rename_patterns(patterns);
    }
    for (key, member) in object.iter_mut() {
        let key = key.as_str();
        if SCHEMA_MAPS.contains(&key) {
            if let Value::Object(members) = member {
                changed = members.values_mut().fold(changed, |changed, subschema| rewrite_in(subschema) | changed);
            }
        } else if SCHEMA_LISTS.contains(&key) && member.is_array() {
            if let Value::Array(items) = member {
                changed = items.iter_mut().fold(changed, |changed, subschema| rewrite_in(subschema) | changed);
            }
        } else if SCHEMA_ONE.contains(&key) {
            changed |= rewrite_in(member);
        }
    }
    changed
}

fn rename_patterns(patterns: &mut Map<String, Value>) -> bool {
    let renamed: Vec<(String, String)> = patterns
        .keys()
        .filter_map(|name| match rewrite(name) {
            Cow::Owned(rewritten) => Some((name.clone(), rewritten)),
            Cow::Borrowed(_) => None,
        })
        .collect();
    let changed = !renamed.is_empty();
    for (old, new) in renamed {
        if let Some(subschema) = patterns.remove(&old) {
            patterns.insert(new, subschema);
        }
    }
    changed
}

/// Whether `pattern` (ECMA-262, already rewritten) needs the backtracking
/// engine: it translates, but the `regex` crate cannot compile it.
fn needs_backtracking(pattern: &str) -> bool {
    jsonschema_regex::to_rust_regex(pattern).is_ok_and(|translated| regex::Regex::new(&translated).is_err())
}

/// A look-around or back-reference `pattern`, bounded by input length and
/// backtracking steps. Compiled as `jsonschema` compiles such a pattern
/// (its ECMA-262 translation, then `fancy-regex`).
#[derive(Debug)]
struct BacktrackingPattern {
    written: String,
    regex: fancy_regex::Regex,
}

impl BacktrackingPattern {
    fn refusal(&self, text: &str) -> Option<String> {
        if text.chars().nth(MAX_BACKTRACKING_INPUT).is_some() {
            return Some(format!(
                "the value is longer than {MAX_BACKTRACKING_INPUT} characters, the most that is matched against \"{}\"",
                self.written
            ));
        }
        match self.regex.is_match(text) {
            Ok(true) => None,
            Ok(false) => Some(format!("{} does not match \"{}\"", Value::from(text), self.written)),
            Err(_) => {
                Some(format!("the value could not be matched against \"{}\" within the matching budget", self.written))
            }
        }
    }
}

impl<'i> jsonschema::Keyword<'i> for BacktrackingPattern {
    fn validate(&self, instance: &'i Value) -> Result<(), jsonschema::ValidationError<'i>> {
        match instance.as_str().and_then(|text| self.refusal(text)) {
            Some(message) => Err(jsonschema::ValidationError::custom(message)),
            None => Ok(()),
        }
    }

    fn is_valid(&self, instance: &'i Value) -> bool {
        instance.as_str().is_none_or(|text| self.refusal(text).is_none())
    }
}

/// The factory of [`BACKTRACKING_KEYWORD`].
pub(super) fn backtracking_keyword<'a>(
    _parent: &'a Map<String, Value>,
    value: &'a Value,
    _path: jsonschema::paths::Location,
) -> Result<Box<dyn for<'i> jsonschema::Keyword<'i>>, jsonschema::ValidationError<'a>> {
    let invalid = || jsonschema::ValidationError::custom(format!("{value} is not a valid ECMA-262 regular expression"));
    let written = value.as_str().ok_or_else(invalid)?;
    let translated = jsonschema_regex::to_rust_regex(written).map_err(|()| invalid())?;
    let regex =
        fancy_regex::RegexBuilder::new(&translated).backtrack_limit(BACKTRACK_LIMIT).build().map_err(|_| invalid())?;
    Ok(Box::new(BacktrackingPattern { written: written.to_owned(), regex }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_classes_become_their_equivalents() {
        assert_eq!(rewrite("^[^]*$"), r"^[\s\S]*$");
        assert_eq!(rewrite("a[]b"), r"a[^\s\S]b");
        assert_eq!(rewrite("[^]]"), r"[\s\S]]");
    }

    #[test]
    fn only_look_around_and_back_references_need_backtracking() {
        for pattern in [r"^(a+)+\1$", "^(?=a)b", "(?<!x)y"] {
            assert!(needs_backtracking(pattern), "{pattern}");
        }
        for pattern in ["^[a-z]+$", r"^\p{L}+$", r"[\s\S]"] {
            assert!(!needs_backtracking(pattern), "{pattern}");
        }
    }

    #[test]
    fn escaped_and_class_brackets_are_left_alone() {
        for pattern in [r"\[^]", r"[a\]]", "[[]", "^[a-z]+$", r"[\[^]"] {
            assert_eq!(rewrite(pattern), pattern, "{pattern}");
        }
    }
}
