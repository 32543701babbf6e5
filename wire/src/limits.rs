//! Input size and depth limits, checked without recursion so that a hostile
//! document cannot exhaust the stack (the module has 1 MiB of it on wasm32).

use std::fmt;

use serde_json::Value;

/// The deepest nesting an entity or payload may have.
pub const MAX_DEPTH: usize = 32;
/// The most JSON values (every object, array and scalar) one document may hold.
pub const MAX_NODES: usize = 20_000;
/// The longest member name (characters). Names are matched against
/// `patternProperties` and `propertyNames` patterns, some of which need a
/// backtracking engine whose work grows faster than the name's length
/// (`contract/patterns.rs` bounds pattern *values* the same way).
pub const MAX_NAME_CHARS: usize = 1_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitExceeded {
    Depth(usize),
    Nodes(usize),
    NameLength(usize),
}

impl fmt::Display for LimitExceeded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Depth(max) => write!(f, "nested deeper than {max} levels"),
            Self::Nodes(max) => write!(f, "holds more than {max} values"),
            Self::NameLength(max) => write!(f, "has a member name longer than {max} characters"),
        }
    }
}

/// Fails if `value` nests deeper than `max_depth` or holds too many values.
pub fn check(value: &Value, max_depth: usize) -> Result<(), LimitExceeded> {
    let mut stack = vec![(value, 1usize)];
    let mut nodes = 0usize;
    while let Some((value, depth)) = stack.pop() {
        nodes += 1;
        if nodes > MAX_NODES {
            return Err(LimitExceeded::Nodes(MAX_NODES));
        }
        if depth > max_depth {
            return Err(LimitExceeded::Depth(max_depth));
        }
        match value {
            Value::Array(items) => stack.extend(items.iter().map(|item| (item, depth + 1))),
            Value::Object(members) => {
                if members.keys().any(|name| name.chars().nth(MAX_NAME_CHARS).is_some()) {
                    return Err(LimitExceeded::NameLength(MAX_NAME_CHARS));
                }
                stack.extend(members.values().map(|member| (member, depth + 1)));
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn depth_and_size_are_capped() {
        let mut deep = json!(1);
        for _ in 0..MAX_DEPTH {
            deep = json!([deep]);
        }
        assert_eq!(check(&deep, MAX_DEPTH), Err(LimitExceeded::Depth(MAX_DEPTH)));
        let wide = Value::Array(vec![json!(0); MAX_NODES]);
        assert_eq!(check(&wide, MAX_DEPTH), Err(LimitExceeded::Nodes(MAX_NODES)));
        assert_eq!(check(&json!({"a": [1, 2, {"b": null}]}), MAX_DEPTH), Ok(()));
        let long_name = json!({"a": {"x".repeat(MAX_NAME_CHARS + 1): 1}});
        assert_eq!(check(&long_name, MAX_DEPTH), Err(LimitExceeded::NameLength(MAX_NAME_CHARS)));
        assert_eq!(check(&json!({"x".repeat(MAX_NAME_CHARS): 1}), MAX_DEPTH), Ok(()));
    }
}
