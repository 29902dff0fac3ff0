//! JSON Pointer (RFC 6901) helpers.

/// Splits a pointer into unescaped reference tokens (`""` is the root and has none).
pub fn tokens(ptr: &str) -> impl Iterator<Item = String> + '_ {
    ptr.split('/').skip(1).map(|t| t.replace("~1", "/").replace("~0", "~"))
}

/// Escapes one reference token.
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Builds a pointer from unescaped tokens.
pub fn from_tokens<S: AsRef<str>>(tokens: &[S]) -> String {
    tokens.iter().fold(String::new(), |mut acc, t| {
        acc.push('/');
        acc.push_str(&escape(t.as_ref()));
        acc
    })
}

/// Appends one unescaped token to a pointer.
pub fn join(ptr: &str, token: impl AsRef<str>) -> String {
    format!("{ptr}/{}", escape(token.as_ref()))
}

/// Parses an array index token (RFC 6901: no leading zeros, no sign).
pub fn index(token: &str) -> Option<usize> {
    if token.is_empty() || (token.len() > 1 && token.starts_with('0')) || !token.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    token.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let toks = ["a/b", "m~n", "0"];
        let p = from_tokens(&toks);
        assert_eq!(p, "/a~1b/m~0n/0");
        assert_eq!(tokens(&p).collect::<Vec<_>>(), toks);
        assert_eq!(join("/x", "a/b"), "/x/a~1b");
        assert_eq!(tokens("").count(), 0);
    }

    #[test]
    fn indexes() {
        assert_eq!(index("12"), Some(12));
        assert_eq!(index("0"), Some(0));
        assert_eq!(index("01"), None);
        assert_eq!(index("-1"), None);
        assert_eq!(index(""), None);
    }
}
