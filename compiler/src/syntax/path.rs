//! Path expressions (docs/format.md §7.1): one parser for every path field.
//!
//! `Path := ["$"] ("." NAME | "[" INT "]")* | NAME ("." NAME | "[" INT "]")*`. A leading `$`
//! means the root; a bare `a.b` is the same as `$.a.b`. Wildcards, filters, recursive descent,
//! quoted keys and negative indexes are not supported (undocumented) and are errors.

use std::fmt;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    Field(String),
    Index(usize),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Path {
    /// Whether the text started with `$`.
    pub rooted: bool,
    pub steps: Vec<Step>,
}

/// Why a path does not parse, with the byte offset of the problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PathError {
    pub offset: usize,
    pub message: String,
}

impl fmt::Display for PathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

const UNSUPPORTED: &[char] = &['*', '?', '(', ')', '\'', '"', '@', '$'];

pub fn parse(text: &str) -> Result<Path, PathError> {
    let err = |offset: usize, message: &str| Err(PathError { offset, message: message.to_string() });
    if text.is_empty() {
        return err(0, "the path is empty");
    }
    let rooted = text.starts_with('$');
    let mut pos = usize::from(rooted);
    let mut steps = Vec::new();
    let bytes = text.as_bytes();
    if !rooted {
        pos = name(text, 0, &mut steps)?;
    }
    while pos < text.len() {
        match bytes[pos] {
            b'.' => {
                if bytes.get(pos + 1) == Some(&b'.') {
                    return err(pos, "recursive descent (`..`) is not supported");
                }
                pos = name(text, pos + 1, &mut steps)?;
            }
            b'[' => {
                let close = text[pos..].find(']').map(|n| pos + n);
                let Some(close) = close else {
                    return err(pos, "`[` is not closed");
                };
                let inner = &text[pos + 1..close];
                if inner.is_empty() || !inner.bytes().all(|b| b.is_ascii_digit()) {
                    return err(
                        pos + 1,
                        "only non-negative array indexes like `[0]` are supported (no wildcards, filters, quoted keys or negative indexes)",
                    );
                }
                match inner.parse() {
                    Ok(i) => steps.push(Step::Index(i)),
                    Err(_) => return err(pos + 1, "the array index is too large"),
                }
                pos = close + 1;
            }
            _ => return err(pos, "expected `.field` or `[index]`"),
        }
    }
    Ok(Path { rooted, steps })
}

/// Parses a NAME at `start`; returns the offset after it.
fn name(text: &str, start: usize, steps: &mut Vec<Step>) -> Result<usize, PathError> {
    let len = text[start..].find(['.', '[', ']']).unwrap_or(text.len() - start);
    let name = &text[start..start + len];
    if name.is_empty() {
        return Err(PathError { offset: start, message: "expected a field name".into() });
    }
    if let Some((i, c)) = name.char_indices().find(|&(_, c)| c.is_whitespace() || c.is_control() || UNSUPPORTED.contains(&c)) {
        let what = if c.is_whitespace() {
            "whitespace is not allowed in a path".to_string()
        } else {
            format!("`{c}` is not supported in paths (no wildcards, filters or quoted keys)")
        };
        return Err(PathError { offset: start + i, message: what });
    }
    steps.push(Step::Field(name.to_string()));
    Ok(start + len)
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("$")?;
        for step in &self.steps {
            match step {
                Step::Field(n) => write!(f, ".{n}")?,
                Step::Index(i) => write!(f, "[{i}]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(n: &str) -> Step {
        Step::Field(n.into())
    }

    #[test]
    fn parses_rooted_and_bare_paths() {
        assert_eq!(parse("$").map(|p| p.steps), Ok(vec![]));
        assert_eq!(parse("$.items[0].code"), Ok(Path { rooted: true, steps: vec![field("items"), Step::Index(0), field("code")] }));
        assert_eq!(parse("profile.real_name"), Ok(Path { rooted: false, steps: vec![field("profile"), field("real_name")] }));
        assert_eq!(parse("lines[2]").map(|p| p.to_string()), Ok("$.lines[2]".to_string()));
        assert_eq!(parse("$[1]").map(|p| p.steps), Ok(vec![Step::Index(1)]));
    }

    #[test]
    fn rejects_unsupported_syntax_with_an_offset() {
        for (text, offset) in [
            ("", 0),
            ("$.a..b", 3),
            ("$.a[*]", 4),
            ("$.a[-1]", 4),
            ("$.a[?(@.x)]", 4),
            ("$.a b", 3),
            ("$.", 2),
            ("$x", 1),
            ("$.a[0", 3),
            ("a.*", 2),
        ] {
            let e = parse(text).err().unwrap_or_else(|| panic!("{text:?} parsed"));
            assert_eq!(e.offset, offset, "{text:?}: {}", e.message);
        }
    }
}
