//! The spanned source: a strict JSON (RFC 8259) parser that keeps the byte range of every key and
//! value, plus the mapping from byte offsets to 1-based line:column positions.
//!
//! The parser is hand-written because none of the serde-based readers report duplicate keys or
//! keep key spans, and because every syntax error must point at the first character that cannot be
//! accepted, with a message that helps people who pasted a JavaScript object literal (comments,
//! single quotes, unquoted keys, trailing commas).

use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::pointer;

/// Nesting deeper than this is rejected (serde_json uses the same limit), so that hostile input
/// cannot overflow the stack of the parser, the schema validator or the checks.
pub const MAX_DEPTH: usize = 128;

/// A byte range into the source text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The span of the first character only (used for "the `{` of the object that lacks ...").
    pub fn first_char(self, text: &str) -> Span {
        let len = text[self.start..].chars().next().map_or(0, char::len_utf8);
        Span::new(self.start, self.start + len)
    }
}

/// A JSON value with its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub span: Span,
    pub value: Value,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    /// `raw` is true when the JSON lexeme contains no escape sequence, so an offset into the
    /// decoded string maps one-to-one onto the source text (one byte after the opening quote).
    String {
        text: String,
        raw: bool,
    },
    Array(Vec<Node>),
    Object(Vec<Member>),
}

/// One `"key": value` member of an object, in document order.
#[derive(Clone, Debug, PartialEq)]
pub struct Member {
    pub key: String,
    pub key_span: Span,
    pub value: Node,
}

impl Node {
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String { text, .. } => Some(text),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    pub fn as_f64(&self) -> Option<f64> {
        match &self.value {
            Value::Number(n) => n.as_f64(),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&[Member]> {
        match &self.value {
            Value::Object(members) => Some(members),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    /// The first member named `key` (duplicates are reported by the parser; the first one wins).
    pub fn member(&self, key: &str) -> Option<&Member> {
        self.as_object()?.iter().find(|m| m.key == key)
    }

    /// The value of member `key`, treating `null` as absent (docs/format.md §2).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.member(key).map(|m| &m.value).filter(|n| !n.is_null())
    }

    /// The span of a sub-range of a string value's decoded text, when it can be mapped exactly
    /// (no escapes); otherwise the span of the whole string.
    pub fn sub_span(&self, range: std::ops::Range<usize>) -> Span {
        match &self.value {
            Value::String { raw: true, text } if range.end <= text.len() => {
                Span::new(self.span.start + 1 + range.start, self.span.start + 1 + range.end)
            }
            _ => self.span,
        }
    }

    /// Looks a node up by JSON Pointer (RFC 6901).
    pub fn pointer(&self, ptr: &str) -> Option<&Node> {
        let mut node = self;
        for token in pointer::tokens(ptr) {
            node = match &node.value {
                Value::Object(_) => &node.member(&token)?.value,
                Value::Array(items) => items.get(pointer::index(&token)?)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// Converts to a `serde_json::Value` (first duplicate wins, as in [`Node::member`]).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Null => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Number(n) => J::Number(n.clone()),
            Value::String { text, .. } => J::String(text.clone()),
            Value::Array(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Object(members) => {
                let mut map = serde_json::Map::with_capacity(members.len());
                for m in members {
                    if !map.contains_key(&m.key) {
                        map.insert(m.key.clone(), m.value.to_json());
                    }
                }
                J::Object(map)
            }
        }
    }

    /// A short name of this value's JSON type, for messages.
    pub fn type_name(&self) -> &'static str {
        match &self.value {
            Value::Null => "null",
            Value::Bool(_) => "boolean",
            Value::Number(_) => "number",
            Value::String { .. } => "string",
            Value::Array(_) => "array",
            Value::Object(_) => "object",
        }
    }
}

/// Source text with a line index, for byte offset → line:column conversion.
#[derive(Clone, Debug)]
pub struct SourceMap<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
}

/// A 1-based line and column; the column counts characters (Unicode scalar values), not bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

impl<'a> SourceMap<'a> {
    pub fn new(text: &'a str) -> Self {
        let line_starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        SourceMap { text, line_starts }
    }

    pub fn text(&self) -> &'a str {
        self.text
    }

    /// The position of byte `offset` (clamped to the text and to a character boundary).
    pub fn line_col(&self, offset: usize) -> LineCol {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts[line - 1];
        let column = self.text[start..offset].chars().count() + 1;
        LineCol { line, column }
    }
}

/// The result of parsing: the tree (absent after a syntax error) and the diagnostics found.
#[derive(Debug)]
pub struct Parsed {
    pub root: Option<Node>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses strict JSON. Syntax errors stop the parse (one diagnostic); duplicate keys do not.
pub fn parse(text: &str) -> Parsed {
    let mut parser = Parser { text, bytes: text.as_bytes(), pos: 0, depth: 0, diagnostics: Vec::new(), path: Vec::new() };
    let result = parser.document();
    let mut diagnostics = parser.diagnostics;
    match result {
        Ok(root) => Parsed { root: Some(root), diagnostics },
        Err(err) => {
            diagnostics.push(*err);
            Parsed { root: None, diagnostics }
        }
    }
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
    diagnostics: Vec<Diagnostic>,
    /// The JSON Pointer tokens of the value being parsed, for diagnostics.
    path: Vec<String>,
}

/// Syntax errors are boxed: they are rare, and the happy path stays small.
type PResult<T> = Result<T, Box<Diagnostic>>;

impl Parser<'_> {
    fn document(&mut self) -> PResult<Node> {
        if self.text.starts_with('\u{feff}') {
            return Err(self.error_at(
                self.pos,
                "the document starts with a byte-order mark; strict JSON (RFC 8259) does not allow one",
                None,
            ));
        }
        self.skip_ws()?;
        if self.pos >= self.bytes.len() {
            return Err(self.error_at(self.pos, "the document is empty; expected a JSON object", None));
        }
        let root = self.value()?;
        self.skip_ws()?;
        if self.pos < self.bytes.len() {
            return Err(self.error_at(
                self.pos,
                "unexpected content after the end of the JSON document",
                Some("a definition is exactly one JSON object"),
            ));
        }
        Ok(root)
    }

    fn pointer(&self) -> String {
        pointer::from_tokens(&self.path)
    }

    fn error_at(&self, pos: usize, message: impl Into<String>, help: Option<&str>) -> Box<Diagnostic> {
        let span = Span::new(pos, pos).first_char_or_empty(self.text);
        let mut d = Diagnostic::new(codes::E0001, message, self.pointer(), span);
        if let Some(help) = help {
            d = d.with_help(help);
        }
        Box::new(d)
    }

    /// Describes the character at `pos` for messages.
    fn describe(&self, pos: usize) -> String {
        match self.text[pos..].chars().next() {
            None => "the end of the document".to_string(),
            Some(c) if c.is_control() => format!("control character U+{:04X}", c as u32),
            Some(c) => format!("`{c}`"),
        }
    }

    fn skip_ws(&mut self) -> PResult<()> {
        while let Some(&b) = self.bytes.get(self.pos) {
            match b {
                b' ' | b'\t' | b'\n' | b'\r' => self.pos += 1,
                b'/' if matches!(self.bytes.get(self.pos + 1), Some(b'/' | b'*')) => {
                    let span = Span::new(self.pos, self.pos + 2);
                    return Err(Box::new(
                        Diagnostic::new(codes::E0703, "comments are not allowed in a definition", self.pointer(), span)
                            .with_help("definitions are strict JSON: remove the comment (and any `// ...` ellipsis copied from the docs)"),
                    ));
                }
                _ => break,
            }
        }
        Ok(())
    }

    fn value(&mut self) -> PResult<Node> {
        let start = self.pos;
        match self.bytes.get(self.pos) {
            Some(b'{') => self.nested(Self::object),
            Some(b'[') => self.nested(Self::array),
            Some(b'"') => {
                let (text, raw) = self.string()?;
                Ok(Node { span: Span::new(start, self.pos), value: Value::String { text, raw } })
            }
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(b't') => self.literal("true", Value::Bool(true)),
            Some(b'f') => self.literal("false", Value::Bool(false)),
            Some(b'n') => self.literal("null", Value::Null),
            Some(b'\'') => {
                Err(self.error_at(start, "strings must use double quotes", Some("JSON strings are written \"like this\", not 'like this'")))
            }
            Some(b'`') => Err(self.error_at(
                start,
                "template literals are not JSON",
                Some("write the text as a JSON string with \\n for line breaks"),
            )),
            _ => Err(self.error_at(start, format!("expected a JSON value, found {}", self.describe(start)), None)),
        }
    }

    fn nested(&mut self, f: fn(&mut Self) -> PResult<Node>) -> PResult<Node> {
        if self.depth >= MAX_DEPTH {
            return Err(self.error_at(self.pos, format!("nesting is deeper than {MAX_DEPTH} levels"), None));
        }
        self.depth += 1;
        let node = f(self);
        self.depth -= 1;
        node
    }

    fn literal(&mut self, word: &str, value: Value) -> PResult<Node> {
        let start = self.pos;
        if self.text[start..].starts_with(word)
            && !self.bytes.get(start + word.len()).is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
        {
            self.pos += word.len();
            Ok(Node { span: Span::new(start, self.pos), value })
        } else {
            Err(self.error_at(
                start,
                format!("expected a JSON value, found {}", self.describe(start)),
                Some("bare words are not JSON; strings need double quotes"),
            ))
        }
    }

    fn object(&mut self) -> PResult<Node> {
        let start = self.pos;
        self.pos += 1; // `{`
        let mut members: Vec<Member> = Vec::new();
        self.skip_ws()?;
        if self.bytes.get(self.pos) == Some(&b'}') {
            self.pos += 1;
            return Ok(Node { span: Span::new(start, self.pos), value: Value::Object(members) });
        }
        loop {
            self.skip_ws()?;
            let key_start = self.pos;
            match self.bytes.get(self.pos) {
                Some(b'"') => {}
                Some(b'}') if !members.is_empty() => {
                    return Err(self.error_at(key_start, "trailing comma before `}`", Some("remove the comma after the last member")));
                }
                Some(b'\'') => {
                    return Err(self.error_at(key_start, "object keys must use double quotes", None));
                }
                Some(c) if c.is_ascii_alphabetic() || *c == b'_' || *c == b'$' => {
                    return Err(self.error_at(key_start, "object keys must be double-quoted strings", Some("write \"key\": value")));
                }
                _ => {
                    return Err(self.error_at(key_start, format!("expected a string key, found {}", self.describe(key_start)), None));
                }
            }
            let (key, _) = self.string()?;
            let key_span = Span::new(key_start, self.pos);
            self.skip_ws()?;
            if self.bytes.get(self.pos) != Some(&b':') {
                return Err(self.error_at(self.pos, format!("expected `:` after the key, found {}", self.describe(self.pos)), None));
            }
            self.pos += 1;
            self.skip_ws()?;
            self.path.push(key.clone());
            let value = self.value()?;
            if let Some(first) = members.iter().find(|m| m.key == key) {
                let d = Diagnostic::new(codes::E0701, format!("duplicate key `{key}`"), self.pointer(), key_span)
                    .with_label(first.key_span, "first defined here")
                    .with_help("strict JSON keys are unique within an object; keep one of the two members");
                self.diagnostics.push(d);
            }
            self.path.pop();
            members.push(Member { key, key_span, value });
            self.skip_ws()?;
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(Node { span: Span::new(start, self.pos), value: Value::Object(members) });
                }
                Some(b'"') => {
                    return Err(self.error_at(
                        self.pos,
                        "expected `,` or `}` after the member, found `\"`",
                        Some("add a comma between members"),
                    ));
                }
                _ => {
                    return Err(self.error_at(
                        self.pos,
                        format!("expected `,` or `}}` after the member, found {}", self.describe(self.pos)),
                        None,
                    ));
                }
            }
        }
    }

    fn array(&mut self) -> PResult<Node> {
        let start = self.pos;
        self.pos += 1; // `[`
        let mut items = Vec::new();
        self.skip_ws()?;
        if self.bytes.get(self.pos) == Some(&b']') {
            self.pos += 1;
            return Ok(Node { span: Span::new(start, self.pos), value: Value::Array(items) });
        }
        loop {
            self.skip_ws()?;
            if self.bytes.get(self.pos) == Some(&b']') {
                return Err(self.error_at(self.pos, "trailing comma before `]`", Some("remove the comma after the last element")));
            }
            self.path.push(items.len().to_string());
            let item = self.value()?;
            self.path.pop();
            items.push(item);
            self.skip_ws()?;
            match self.bytes.get(self.pos) {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(Node { span: Span::new(start, self.pos), value: Value::Array(items) });
                }
                _ => {
                    return Err(self.error_at(
                        self.pos,
                        format!("expected `,` or `]` after the element, found {}", self.describe(self.pos)),
                        None,
                    ));
                }
            }
        }
    }

    /// Parses a string starting at `"`; returns the decoded text and whether it had no escapes.
    fn string(&mut self) -> PResult<(String, bool)> {
        self.pos += 1; // opening quote
        let mut out = String::new();
        let mut raw = true;
        loop {
            let run_start = self.pos;
            while let Some(&b) = self.bytes.get(self.pos) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(&self.text[run_start..self.pos]);
            match self.bytes.get(self.pos) {
                None => {
                    return Err(self.error_at(self.pos, "unterminated string", Some("close the string with `\"`")));
                }
                Some(b'"') => {
                    self.pos += 1;
                    return Ok((out, raw));
                }
                Some(b'\\') => {
                    raw = false;
                    self.escape(&mut out)?;
                }
                Some(_) => {
                    let what = if self.bytes[self.pos] == b'\n' { "a line break" } else { "a control character" };
                    return Err(self.error_at(self.pos, format!("{what} inside a string"), Some("write it escaped, e.g. \\n or \\t")));
                }
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> PResult<()> {
        let at = self.pos;
        self.pos += 1; // backslash
        let c = match self.bytes.get(self.pos) {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                let hi = self.hex4(at)?;
                let c = if (0xD800..0xDC00).contains(&hi) {
                    if self.bytes.get(self.pos) == Some(&b'\\') && self.bytes.get(self.pos + 1) == Some(&b'u') {
                        self.pos += 2;
                        let lo = self.hex4(at)?;
                        if !(0xDC00..0xE000).contains(&lo) {
                            return Err(self.error_at(at, "invalid surrogate pair in a \\u escape", None));
                        }
                        char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                    } else {
                        None
                    }
                } else {
                    char::from_u32(hi)
                };
                return match c {
                    Some(c) => {
                        out.push(c);
                        Ok(())
                    }
                    None => Err(self.error_at(at, "a \\u escape encodes a lone surrogate, which is not a character", None)),
                };
            }
            _ => {
                return Err(self.error_at(
                    at,
                    "invalid escape sequence",
                    Some("valid escapes are \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX"),
                ));
            }
        };
        self.pos += 1;
        out.push(c);
        Ok(())
    }

    fn hex4(&mut self, escape_at: usize) -> PResult<u32> {
        let digits = self.text.get(self.pos..self.pos + 4).filter(|d| d.bytes().all(|b| b.is_ascii_hexdigit()));
        match digits.and_then(|d| u32::from_str_radix(d, 16).ok()) {
            Some(v) => {
                self.pos += 4;
                Ok(v)
            }
            None => Err(self.error_at(escape_at, "a \\u escape needs exactly four hex digits", None)),
        }
    }

    fn number(&mut self) -> PResult<Node> {
        let start = self.pos;
        let b = self.bytes;
        let digits = |p: &mut usize| {
            let s = *p;
            while b.get(*p).is_some_and(u8::is_ascii_digit) {
                *p += 1;
            }
            *p - s
        };
        let mut p = self.pos;
        if b.get(p) == Some(&b'-') {
            p += 1;
        }
        match b.get(p) {
            Some(b'0') => {
                p += 1;
                if b.get(p).is_some_and(u8::is_ascii_digit) {
                    return Err(self.error_at(start, "numbers cannot have leading zeros", None));
                }
            }
            Some(b'1'..=b'9') => {
                digits(&mut p);
            }
            _ => {
                return Err(self.error_at(p, format!("expected a digit, found {}", self.describe(p)), None));
            }
        }
        if b.get(p) == Some(&b'.') {
            p += 1;
            if digits(&mut p) == 0 {
                return Err(self.error_at(p, "expected a digit after the decimal point", None));
            }
        }
        if matches!(b.get(p), Some(b'e' | b'E')) {
            p += 1;
            if matches!(b.get(p), Some(b'+' | b'-')) {
                p += 1;
            }
            if digits(&mut p) == 0 {
                return Err(self.error_at(p, "expected a digit in the exponent", None));
            }
        }
        self.pos = p;
        let lexeme = &self.text[start..p];
        match serde_json::from_str::<serde_json::Number>(lexeme) {
            Ok(n) => Ok(Node { span: Span::new(start, p), value: Value::Number(n) }),
            Err(_) => Err(self.error_at(start, "number out of range", None)),
        }
    }
}

impl Span {
    fn first_char_or_empty(self, text: &str) -> Span {
        if self.start >= text.len() { self } else { self.first_char(text) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Node {
        let parsed = parse(text);
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        parsed.root.unwrap_or_else(|| unreachable!())
    }

    fn err(text: &str) -> (String, &'static str, LineCol) {
        let parsed = parse(text);
        let d = parsed.diagnostics.last().cloned().unwrap_or_else(|| panic!("no diagnostic for {text:?}"));
        (d.message.clone(), d.code.id, SourceMap::new(text).line_col(d.span.start))
    }

    #[test]
    fn spans_of_keys_and_values() {
        let text = "{\"a\": [1, true, null], \"b\": {\"c\": \"x\\ny\"}}";
        let root = ok(text);
        let a = root.member("a").unwrap_or_else(|| unreachable!());
        assert_eq!(&text[a.key_span.start..a.key_span.end], "\"a\"");
        assert_eq!(&text[a.value.span.start..a.value.span.end], "[1, true, null]");
        let c = root.pointer("/b/c").unwrap_or_else(|| unreachable!());
        assert_eq!(c.as_str(), Some("x\ny"));
        assert!(matches!(c.value, Value::String { raw: false, .. }));
        assert_eq!(root.pointer("/a/1").and_then(Node::as_bool), Some(true));
        assert_eq!(root.to_json(), serde_json::json!({"a": [1, true, null], "b": {"c": "x\ny"}}));
    }

    #[test]
    fn pointer_escapes() {
        let root = ok(r#"{"a/b": {"m~n": 1}}"#);
        assert_eq!(root.pointer("/a~1b/m~0n").and_then(Node::as_f64), Some(1.0));
        assert!(root.pointer("/missing").is_none());
        assert!(root.pointer("/a~1b/m~0n/0").is_none());
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let text = "{\n  \"é€\": x}";
        let (_, code, at) = err(text);
        assert_eq!(code, "E0001");
        assert_eq!(at, LineCol { line: 2, column: 9 });
    }

    #[test]
    fn duplicate_keys_are_reported_at_the_second_key_and_parsing_goes_on() {
        let text = "{\"a\": 1,\n \"a\": 2, \"b\": {\"c\": 1, \"c\": 2}}";
        let parsed = parse(text);
        let map = SourceMap::new(text);
        let found: Vec<_> = parsed.diagnostics.iter().map(|d| (d.code.id, d.pointer.clone(), map.line_col(d.span.start))).collect();
        assert_eq!(
            found,
            vec![
                ("E0701", "/a".to_string(), LineCol { line: 2, column: 2 }),
                ("E0701", "/b/c".to_string(), LineCol { line: 2, column: 24 })
            ]
        );
        let root = parsed.root.unwrap_or_else(|| unreachable!());
        assert_eq!(root.get("a").and_then(Node::as_f64), Some(1.0), "first duplicate wins");
    }

    #[test]
    fn syntax_errors_point_at_the_first_bad_character() {
        let cases: &[(&str, &str, usize, usize)] = &[
            ("", "empty", 1, 1),
            ("{\"a\": 1,}", "trailing comma", 1, 9),
            ("[1, 2,]", "trailing comma", 1, 7),
            ("{a: 1}", "double-quoted", 1, 2),
            ("{'a': 1}", "double quotes", 1, 2),
            ("{\"a\": 'x'}", "double quotes", 1, 7),
            ("{\"a\" 1}", "expected `:`", 1, 6),
            ("{\"a\": 1 \"b\": 2}", "`,` or `}`", 1, 9),
            ("{\"a\": 01}", "leading zeros", 1, 7),
            ("{\"a\": 1.}", "decimal point", 1, 9),
            ("{\"a\": \"x\ny\"}", "line break", 1, 9),
            ("{\"a\": \"\\q\"}", "invalid escape", 1, 8),
            ("{\"a\": \"\\ud800\"}", "surrogate", 1, 8),
            ("{\"a\": tru}", "expected a JSON value", 1, 7),
            ("{\"a\": 1} x", "after the end", 1, 10),
            ("{\"a\": \"x", "unterminated", 1, 9),
        ];
        for &(text, needle, line, column) in cases {
            let (message, code, at) = err(text);
            assert_eq!(code, "E0001", "{text:?}");
            assert!(message.contains(needle), "{text:?}: {message}");
            assert_eq!(at, LineCol { line, column }, "{text:?}: {message}");
        }
    }

    #[test]
    fn comments_have_their_own_code() {
        let (_, code, at) = err("{\n  // ...\n  \"a\": 1\n}");
        assert_eq!((code, at), ("E0703", LineCol { line: 2, column: 3 }));
        let (_, code, _) = err("{\"a\": 1 /* x */}");
        assert_eq!(code, "E0703");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_stack_overflow() {
        let text = "[".repeat(100_000);
        let (message, code, _) = err(&text);
        assert_eq!(code, "E0001");
        assert!(message.contains("nesting"));
    }

    #[test]
    fn numbers_and_unicode_escapes() {
        let root = ok(r#"[-0, 1.5e3, 2E-2, "\u00e9\ud83d\ude00"]"#);
        let items = root.as_array().unwrap_or_default();
        assert_eq!(items[1].as_f64(), Some(1500.0));
        assert_eq!(items[3].as_str(), Some("é😀"));
    }

    #[test]
    fn sub_span_maps_into_raw_strings_only() {
        let text = r#"{"u": "ab{{x}}", "v": "a\"{{x}}"}"#;
        let root = ok(text);
        let u = root.pointer("/u").unwrap_or_else(|| unreachable!());
        let s = u.sub_span(2..7);
        assert_eq!(&text[s.start..s.end], "{{x}}");
        let v = root.pointer("/v").unwrap_or_else(|| unreachable!());
        assert_eq!(v.sub_span(2..7), v.span);
    }
}
