//! JSON Pointer (RFC 6901) building and splitting.

/// Appends one escaped reference token to `path`.
pub fn push(path: &mut String, token: &str) {
    path.push('/');
    for c in token.chars() {
        match c {
            '~' => path.push_str("~0"),
            '/' => path.push_str("~1"),
            c => path.push(c),
        }
    }
}

/// `path` with one more token.
#[must_use]
pub fn join(path: &str, token: &str) -> String {
    let mut joined = path.to_owned();
    push(&mut joined, token);
    joined
}

/// The unescaped tokens of a pointer; `""` has none.
pub fn tokens(pointer: &str) -> impl Iterator<Item = String> + '_ {
    pointer.split('/').skip(1).map(|token| token.replace("~1", "/").replace("~0", "~"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_round_trip() {
        let path = join(&join("", "a/b"), "c~d");
        assert_eq!(path, "/a~1b/c~0d");
        assert_eq!(tokens(&path).collect::<Vec<_>>(), ["a/b", "c~d"]);
        assert_eq!(tokens("").count(), 0);
    }
}
