//! A validating JSON scanner over bytes: it finds values, object keys and array elements without
//! building anything, and skips what no path leads to with one tight loop (no recursion, so
//! nesting depth costs nothing). It accepts exactly what `serde_json` accepts when it skips a
//! value (`IgnoredAny`): strict RFC 8259 syntax, with string contents checked for control
//! characters and escapes but not decoded.

use std::fmt;

/// Why a document is not JSON, and where (1-based line and column, as `serde_json` reports them).
/// Boxed, so that the scanner's results are a word wide on the path where nothing fails.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error(Box<Failure>);

#[derive(Clone, Debug, PartialEq, Eq)]
struct Failure {
    message: String,
    line: usize,
    column: usize,
}

impl Error {
    fn new(message: String, line: usize, column: usize) -> Self {
        Error(Box::new(Failure { message, line, column }))
    }

    pub fn line(&self) -> usize {
        self.0.line
    }

    pub fn column(&self) -> usize {
        self.0.column
    }

    /// The message alone, without the position.
    pub fn message(&self) -> &str {
        &self.0.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at line {} column {}", self.0.message, self.0.line, self.0.column)
    }
}

impl std::error::Error for Error {}

/// What the scanner found wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Code {
    EofValue,
    EofString,
    EofObject,
    EofList,
    ExpectedValue,
    /// A literal (`true`, `false`, `null`) that goes wrong after its first letter.
    ExpectedIdent,
    ExpectedColon,
    ExpectedObjectCommaOrEnd,
    ExpectedListCommaOrEnd,
    KeyMustBeAString,
    InvalidNumber,
    InvalidEscape,
    ControlCharacter,
    Trailing,
}

impl Code {
    fn message(self) -> &'static str {
        match self {
            Code::EofValue => "EOF while parsing a value",
            Code::EofString => "EOF while parsing a string",
            Code::EofObject => "EOF while parsing an object",
            Code::EofList => "EOF while parsing a list",
            Code::ExpectedValue => "expected value",
            Code::ExpectedIdent => "expected ident",
            Code::ExpectedColon => "expected `:`",
            Code::ExpectedObjectCommaOrEnd => "expected `,` or `}`",
            Code::ExpectedListCommaOrEnd => "expected `,` or `]`",
            Code::KeyMustBeAString => "key must be a string",
            Code::InvalidNumber => "invalid number",
            Code::InvalidEscape => "invalid escape",
            Code::ControlCharacter => "control character (\\u0000-\\u001F) found while parsing a string",
            Code::Trailing => "trailing characters",
        }
    }
}

/// An object key: its raw bytes when it has no escapes (almost always), otherwise decoded.
/// Keys are compared, never shown, so raw ones are not checked as UTF-8.
pub(crate) enum Key<'a> {
    Raw(&'a [u8]),
    Decoded(Vec<u8>),
}

impl Key<'_> {
    pub(crate) fn as_bytes(&self) -> &[u8] {
        match self {
            Key::Raw(b) => b,
            Key::Decoded(b) => b,
        }
    }
}

/// Eight copies of a byte.
const fn splat(b: u8) -> u64 {
    (u64::MAX / 255) * b as u64
}

/// The high bit of each byte of `chunk` that is `"`, `\` or a control character (< 0x20).
#[inline(always)]
fn specials(chunk: u64) -> u64 {
    const ONES: u64 = splat(1);
    let control = chunk.wrapping_sub(splat(0x20)) & !chunk;
    let quote = chunk ^ splat(b'"');
    let quote = quote.wrapping_sub(ONES) & !quote;
    let backslash = chunk ^ splat(b'\\');
    let backslash = backslash.wrapping_sub(ONES) & !backslash;
    (control | quote | backslash) & splat(0x80)
}

/// The nesting of the value being skipped: one bit per level (set for an object), 64 levels
/// in a word and the rest spilled to a stack, so any depth is fine.
struct Nesting {
    bits: u64,
    depth: usize,
    /// The deepest it went.
    max: usize,
    spilled: Vec<u64>,
}

impl Nesting {
    #[inline(always)]
    fn push(&mut self, object: bool) {
        if self.depth != 0 && self.depth.is_multiple_of(64) {
            self.spilled.push(self.bits);
            self.bits = 0;
        }
        self.bits = (self.bits << 1) | u64::from(object);
        self.depth += 1;
    }

    /// A container opens here (empty or not): one level deeper than the values around it.
    #[inline(always)]
    fn opened(&mut self) {
        self.max = self.max.max(self.depth + 1);
    }

    #[inline(always)]
    fn pop(&mut self) {
        self.bits >>= 1;
        self.depth -= 1;
        if self.depth != 0 && self.depth.is_multiple_of(64) {
            self.bits = self.spilled.pop().unwrap_or(0);
        }
    }

    #[inline(always)]
    fn in_object(&self) -> bool {
        self.bits & 1 == 1
    }
}

/// A position in a JSON document.
pub(crate) struct Scanner<'a> {
    bytes: &'a [u8],
    pos: usize,
    /// The document as text, when all of it is UTF-8 (checked once, so the strings read from
    /// it are not checked again one by one).
    text: Option<&'a str>,
    /// Containers entered by the walk ([`Scanner::enter`]) and not yet closed.
    walk_depth: usize,
    /// The deepest nesting met so far.
    deepest: usize,
    /// Whether a string with an escape was met.
    escaped: bool,
}

impl<'a> Scanner<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Scanner { bytes, pos: 0, text: std::str::from_utf8(bytes).ok(), walk_depth: 0, deepest: 0, escaped: false }
    }

    /// The error `code` at the current position.
    #[cold]
    pub(crate) fn error(&self, code: Code) -> Error {
        self.error_at(self.pos, code.message().to_string())
    }

    /// An error with `message` at byte `at`, the offending one: its 1-based column, or at the
    /// end the last byte's; an offending line break is column 0 of the next line (serde_json's
    /// position of what it peeked at).
    #[cold]
    pub(crate) fn error_at(&self, at: usize, message: String) -> Error {
        self.error_after(at.saturating_add(1), message)
    }

    /// An error with `message` once the bytes before `end` are read: the position of the last of
    /// them (serde_json's position of what it consumed).
    #[cold]
    fn error_after(&self, end: usize, message: String) -> Error {
        let end = end.min(self.bytes.len());
        let line_start = self.bytes[..end].iter().rposition(|&b| b == b'\n').map_or(0, |n| n + 1);
        let line = 1 + self.bytes[..line_start].iter().filter(|&&b| b == b'\n').count();
        Error::new(message, line, end - line_start)
    }

    /// An error `serde_json` found reading a value that starts at byte `start` (placed in the
    /// whole document).
    #[cold]
    pub(crate) fn error_in_value(&self, start: usize, e: &serde_json::Error) -> Error {
        let whole = e.to_string();
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        let message = whole.strip_suffix(&suffix).unwrap_or(&whole).to_string();
        let at = self.error_at(start, String::new());
        match e.line() {
            0 => Error::new(message, at.line(), at.column()),
            1 => Error::new(message, at.line(), at.column() + e.column().saturating_sub(1)),
            n => Error::new(message, at.line() + n - 1, e.column()),
        }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// The bytes from `start` to the current position.
    pub(crate) fn since(&self, start: usize) -> &'a [u8] {
        self.bytes.get(start..self.pos).unwrap_or_default()
    }

    /// `bytes` (a part of this document) as text: taken from the document's own text when the
    /// whole document is UTF-8, else checked.
    pub(crate) fn text_of(&self, bytes: &'a [u8]) -> Option<&'a str> {
        let offset = (bytes.as_ptr() as usize).wrapping_sub(self.bytes.as_ptr() as usize);
        let inside = self.bytes.get(offset..).is_some_and(|rest| std::ptr::eq(rest.as_ptr(), bytes.as_ptr()));
        match self.text.filter(|_| inside).and_then(|text| text.get(offset..offset.checked_add(bytes.len())?)) {
            Some(text) => Some(text),
            None => std::str::from_utf8(bytes).ok(),
        }
    }

    /// The next byte after any whitespace (not consumed).
    #[inline(always)]
    pub(crate) fn peek(&mut self) -> Option<u8> {
        while let Some(&b) = self.bytes.get(self.pos) {
            if b > b' ' || !matches!(b, b' ' | b'\n' | b'\r' | b'\t') {
                return Some(b);
            }
            self.pos += 1;
        }
        None
    }

    /// After the opening quote of a string: moves past the closing one.
    #[inline(always)]
    fn string(&mut self) -> Result<(), Error> {
        self.string_with_escapes().map(drop)
    }

    /// [`Scanner::string`], saying whether the string has escapes.
    #[inline(always)]
    fn string_with_escapes(&mut self) -> Result<bool, Error> {
        let mut escapes = false;
        loop {
            while let Some(chunk) = self.bytes.get(self.pos..self.pos + 8) {
                let found = specials(u64::from_le_bytes(chunk.try_into().unwrap_or_default()));
                if found != 0 {
                    self.pos += (found.trailing_zeros() / 8) as usize;
                    break;
                }
                self.pos += 8;
            }
            match self.bytes.get(self.pos) {
                None => return Err(self.error(Code::EofString)),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(escapes);
                }
                Some(b'\\') => {
                    escapes = true;
                    self.escape()?;
                }
                // Reported where the string's text stops, before the character (as serde_json does).
                Some(&b) if b < 0x20 => return Err(self.error_after(self.pos, Code::ControlCharacter.message().to_string())),
                Some(_) => self.pos += 1,
            }
        }
    }

    /// At a backslash: moves past the escape.
    fn escape(&mut self) -> Result<(), Error> {
        self.escaped = true;
        self.pos += 1;
        match self.bytes.get(self.pos) {
            None => Err(self.error(Code::EofString)),
            Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                self.pos += 1;
                Ok(())
            }
            Some(b'u') => {
                // Four bytes are taken, then checked (serde_json's positions: the end of the
                // string when fewer are left, after the four when one is not a hex digit).
                let Some(digits) = self.bytes.get(self.pos + 1..self.pos + 5) else {
                    return Err(self.error_after(self.bytes.len(), Code::EofString.message().to_string()));
                };
                self.pos += 5;
                if digits.iter().all(u8::is_ascii_hexdigit) {
                    Ok(())
                } else {
                    Err(self.error_after(self.pos, Code::InvalidEscape.message().to_string()))
                }
            }
            Some(_) => Err(self.error(Code::InvalidEscape)),
        }
    }

    #[inline(always)]
    fn digits(&mut self) -> usize {
        let start = self.pos;
        while self.bytes.get(self.pos).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
        }
        self.pos - start
    }

    /// At a number (`-` or a digit): moves past it.
    #[inline(always)]
    fn number(&mut self) -> Result<(), Error> {
        if self.bytes.get(self.pos) == Some(&b'-') {
            self.pos += 1;
        }
        match self.bytes.get(self.pos) {
            Some(b'0') => {
                self.pos += 1;
                // There can be only one leading `0`.
                if self.bytes.get(self.pos).is_some_and(u8::is_ascii_digit) {
                    return Err(self.error(Code::InvalidNumber));
                }
            }
            Some(b'1'..=b'9') => {
                self.pos += 1;
                self.digits();
            }
            _ => return Err(self.error(Code::InvalidNumber)),
        }
        if self.bytes.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.error(Code::InvalidNumber));
            }
        }
        if let Some(b'e' | b'E') = self.bytes.get(self.pos) {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.bytes.get(self.pos) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.error(Code::InvalidNumber));
            }
        }
        Ok(())
    }

    #[inline(always)]
    fn literal(&mut self, word: &[u8]) -> Result<(), Error> {
        if self.bytes.get(self.pos..self.pos + word.len()) == Some(word) {
            self.pos += word.len();
            return Ok(());
        }
        // Point at the first byte that differs, as serde_json does.
        let same = word.iter().zip(&self.bytes[self.pos.min(self.bytes.len())..]).take_while(|(a, b)| a == b).count();
        self.pos += same;
        Err(self.error(if self.pos >= self.bytes.len() { Code::EofValue } else { Code::ExpectedIdent }))
    }

    /// After a member's opening quote: the key, its closing quote and the `:` after it.
    #[inline(always)]
    fn member_key(&mut self) -> Result<(), Error> {
        self.string()?;
        self.colon()
    }

    #[inline(always)]
    fn colon(&mut self) -> Result<(), Error> {
        match self.peek() {
            Some(b':') => {
                self.pos += 1;
                Ok(())
            }
            Some(_) => Err(self.error(Code::ExpectedColon)),
            None => Err(self.error(Code::EofObject)),
        }
    }

    /// Moves past one value (after any whitespace), validating it. A string, the most common
    /// value skipped, is skipped in place.
    #[inline(always)]
    pub(crate) fn skip(&mut self) -> Result<(), Error> {
        match self.peek() {
            Some(b'"') => {
                self.pos += 1;
                self.string()
            }
            _ => self.skip_nested(),
        }
    }

    /// [`Scanner::skip`] of any value.
    fn skip_nested(&mut self) -> Result<(), Error> {
        let mut nesting = Nesting { bits: 0, depth: 0, max: 0, spilled: Vec::new() };
        'value: loop {
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    self.string()?;
                }
                Some(b'{') => {
                    self.pos += 1;
                    nesting.opened();
                    match self.peek() {
                        Some(b'}') => self.pos += 1,
                        Some(b'"') => {
                            self.pos += 1;
                            self.member_key()?;
                            nesting.push(true);
                            continue 'value;
                        }
                        Some(_) => return Err(self.error(Code::KeyMustBeAString)),
                        None => return Err(self.error(Code::EofObject)),
                    }
                }
                Some(b'[') => {
                    self.pos += 1;
                    nesting.opened();
                    match self.peek() {
                        Some(b']') => self.pos += 1,
                        Some(_) => {
                            nesting.push(false);
                            continue 'value;
                        }
                        None => return Err(self.error(Code::EofList)),
                    }
                }
                Some(b'-' | b'0'..=b'9') => self.number()?,
                Some(b't') => self.literal(b"true")?,
                Some(b'f') => self.literal(b"false")?,
                Some(b'n') => self.literal(b"null")?,
                Some(_) => return Err(self.error(Code::ExpectedValue)),
                None => return Err(self.error(Code::EofValue)),
            }
            // After a value: a comma and the next one, or the end of enclosing containers.
            while nesting.depth != 0 {
                let object = nesting.in_object();
                match self.peek() {
                    Some(b',') => {
                        self.pos += 1;
                        if object {
                            match self.peek() {
                                Some(b'"') => {
                                    self.pos += 1;
                                    self.member_key()?;
                                }
                                Some(_) => return Err(self.error(Code::KeyMustBeAString)),
                                None => return Err(self.error(Code::EofObject)),
                            }
                        }
                        continue 'value;
                    }
                    Some(b'}') if object => {}
                    Some(b']') if !object => {}
                    Some(_) if object => return Err(self.error(Code::ExpectedObjectCommaOrEnd)),
                    Some(_) => return Err(self.error(Code::ExpectedListCommaOrEnd)),
                    None if object => return Err(self.error(Code::EofObject)),
                    None => return Err(self.error(Code::EofList)),
                }
                self.pos += 1;
                nesting.pop();
            }
            self.deepest = self.deepest.max(self.walk_depth + nesting.max);
            return Ok(());
        }
    }

    /// At a string (see [`Scanner::peek`]): moves past it and returns its contents when they
    /// have no escapes (they are then the string as it is); `None` for one with escapes.
    #[inline(always)]
    pub(crate) fn plain_string(&mut self) -> Result<Option<&'a [u8]>, Error> {
        self.pos += 1;
        let start = self.pos;
        let escapes = self.string_with_escapes()?;
        // Between the quotes (the scanner is past the closing one).
        Ok((!escapes).then(|| self.bytes.get(start..self.pos.saturating_sub(1)).unwrap_or_default()))
    }

    /// The bytes of the next value (after any whitespace), validated.
    #[inline(always)]
    pub(crate) fn value(&mut self) -> Result<&'a [u8], Error> {
        self.peek();
        let start = self.pos;
        self.skip()?;
        Ok(&self.bytes[start..self.pos])
    }

    /// Only whitespace is left.
    pub(crate) fn end(&mut self) -> Result<(), Error> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(self.error(Code::Trailing)),
        }
    }

    /// At `{` (see [`Scanner::peek`]): consumes it. Read the members with [`Scanner::next_key`].
    pub(crate) fn enter(&mut self) {
        self.pos += 1;
        self.walk_depth += 1;
        self.deepest = self.deepest.max(self.walk_depth);
    }

    /// The next member's key of the object entered, with its `:` consumed (the scanner is then
    /// at the value), or `None` when the object ends (consumed). `first` says whether no member
    /// has been read yet.
    #[inline(always)]
    pub(crate) fn next_key(&mut self, first: bool) -> Result<Option<Key<'a>>, Error> {
        match (self.peek(), first) {
            (Some(b'}'), _) => {
                self.pos += 1;
                self.walk_depth = self.walk_depth.saturating_sub(1);
                return Ok(None);
            }
            (Some(b','), false) => {
                self.pos += 1;
                match self.peek() {
                    Some(b'"') => {}
                    Some(_) => return Err(self.error(Code::KeyMustBeAString)),
                    None => return Err(self.error(Code::EofObject)),
                }
            }
            (Some(b'"'), true) => {}
            (Some(_), true) => return Err(self.error(Code::KeyMustBeAString)),
            (Some(_), false) => return Err(self.error(Code::ExpectedObjectCommaOrEnd)),
            (None, _) => return Err(self.error(Code::EofObject)),
        }
        self.pos += 1;
        let start = self.pos;
        let escapes = self.string_with_escapes()?;
        let raw = &self.bytes[start..self.pos - 1];
        self.colon()?;
        Ok(Some(if escapes { decode(raw) } else { Key::Raw(raw) }))
    }

    /// After `[` was entered: whether another element follows (the scanner is then at it), or
    /// `false` when the array ends (consumed).
    #[inline]
    pub(crate) fn next_element(&mut self, first: bool) -> Result<bool, Error> {
        match (self.peek(), first) {
            (Some(b']'), _) => {
                self.pos += 1;
                self.walk_depth = self.walk_depth.saturating_sub(1);
                Ok(false)
            }
            (Some(b','), false) => {
                self.pos += 1;
                Ok(true)
            }
            (Some(_), true) => Ok(true),
            (Some(_), false) => Err(self.error(Code::ExpectedListCommaOrEnd)),
            (None, _) => Err(self.error(Code::EofList)),
        }
    }
}

/// The deepest nesting `serde_json` reads into a value (`[` × 128 is "recursion limit exceeded").
pub(crate) const MAX_VALUE_DEPTH: usize = 127;

impl Scanner<'_> {
    /// After a whole document was scanned (so it is one JSON value, which `IgnoredAny` accepts):
    /// whether `serde_json` also reads it into a `Value`, which takes more: UTF-8 in every string
    /// (skipped strings are not checked), `\u` escapes that decode (no lone surrogate), and at
    /// most [`MAX_VALUE_DEPTH`] levels of nesting. The scan itself noted what it met (whether any
    /// string had an escape, how deep it went), so a document that needs no closer look costs
    /// nothing more.
    pub(crate) fn readable_as_value(&self) -> Result<(), Error> {
        if self.text.is_none() {
            return Err(self.not_utf8());
        }
        if self.escaped {
            self.escapes_decode()?;
        }
        if self.deepest > MAX_VALUE_DEPTH {
            self.depth_within_limit()?;
        }
        Ok(())
    }

    #[cold]
    fn not_utf8(&self) -> Error {
        let at = std::str::from_utf8(self.bytes).err().map_or(0, |e| e.valid_up_to());
        self.error_at(at, "invalid UTF-8".to_string())
    }

    /// Every `\u` escape decodes: a high surrogate is followed by an escaped low one, and a low
    /// one never stands alone. (A valid document has backslashes only in strings, each starting
    /// an escape.)
    #[cold]
    fn escapes_decode(&self) -> Result<(), Error> {
        let hex = |at: usize| {
            let digits = self.bytes.get(at..at + 4)?;
            u16::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
        };
        let mut at = 0;
        while at < self.bytes.len() {
            if self.bytes[at] != b'\\' {
                at += 1;
                continue;
            }
            if self.bytes.get(at + 1) != Some(&b'u') {
                at += 2;
                continue;
            }
            match hex(at + 2) {
                Some(0xDC00..=0xDFFF) => return Err(self.error_at(at + 6, "lone leading surrogate in hex escape".to_string())),
                Some(0xD800..=0xDBFF) => {
                    if self.bytes.get(at + 6..at + 8) != Some(b"\\u") {
                        return Err(self.error_at(at + 6, "unexpected end of hex escape".to_string()));
                    }
                    if !matches!(hex(at + 8), Some(0xDC00..=0xDFFF)) {
                        return Err(self.error_at(at + 12, "lone leading surrogate in hex escape".to_string()));
                    }
                    at += 12;
                }
                _ => at += 6,
            }
        }
        Ok(())
    }

    /// The nesting never goes deeper than [`MAX_VALUE_DEPTH`] (brackets in strings do not count).
    #[cold]
    fn depth_within_limit(&self) -> Result<(), Error> {
        let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
        for (at, &b) in self.bytes.iter().enumerate() {
            if in_string {
                match b {
                    _ if escaped => escaped = false,
                    b'\\' => escaped = true,
                    b'"' => in_string = false,
                    _ => {}
                }
                continue;
            }
            match b {
                b'"' => in_string = true,
                b'{' | b'[' => {
                    depth += 1;
                    if depth > MAX_VALUE_DEPTH {
                        return Err(self.error_at(at + 1, "recursion limit exceeded".to_string()));
                    }
                }
                b'}' | b']' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        Ok(())
    }
}

/// A key with escapes, decoded (one that does not decode, such as a lone surrogate, matches no
/// name: it is kept raw).
#[cold]
fn decode(raw: &[u8]) -> Key<'_> {
    let mut quoted = Vec::with_capacity(raw.len() + 2);
    quoted.push(b'"');
    quoted.extend_from_slice(raw);
    quoted.push(b'"');
    match serde_json::from_slice::<String>(&quoted) {
        Ok(decoded) => Key::Decoded(decoded.into_bytes()),
        Err(_) => Key::Raw(raw),
    }
}

/// Whether `bytes` is one JSON value, as `serde_json::from_slice::<IgnoredAny>` decides.
#[cfg(test)]
pub(crate) fn validate(bytes: &[u8]) -> Result<(), Error> {
    let mut scanner = Scanner::new(bytes);
    scanner.skip()?;
    scanner.end()
}

/// Whether `bytes` reads into a `serde_json::Value`.
#[cfg(test)]
pub(crate) fn validate_value(bytes: &[u8]) -> Result<(), Error> {
    let mut scanner = Scanner::new(bytes);
    scanner.skip()?;
    scanner.end()?;
    scanner.readable_as_value()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agrees(body: &[u8]) {
        let ours = validate(body);
        let theirs = serde_json::from_slice::<serde::de::IgnoredAny>(body);
        assert_eq!(ours.is_ok(), theirs.is_ok(), "{:?}: ours {ours:?}, serde_json {theirs:?}", String::from_utf8_lossy(body));
        // Rejected at the same place, for the same reason (the doc comment promises serde_json's
        // positions).
        if let (Err(o), Err(t)) = (&ours, &theirs) {
            assert_eq!(o.to_string(), t.to_string(), "{:?}", String::from_utf8_lossy(body));
        }
        // And a document read as a value: what `Body::value()` needs of an accepted delivery.
        let ours = validate_value(body);
        let theirs = serde_json::from_slice::<serde_json::Value>(body);
        assert_eq!(ours.is_ok(), theirs.is_ok(), "{:?} as a value: ours {ours:?}, serde_json {theirs:?}", String::from_utf8_lossy(body));
    }

    #[test]
    fn a_value_takes_utf8_everywhere_decodable_escapes_and_at_most_127_levels() {
        for body in [
            &br#"{"a": "\ud83d\ude00", "b": "\u00e9\\u", "c": "\\\ud800\udc00"}"#[..],
            br#""\ud800""#,
            br#""\udc00""#,
            br#""\ud800\u0041""#,
            br#""\ud800x""#,
            br#""\\ud800""#,
            br#"["{[{[{[", "]]]"]"#,
            b"\"\xff\"",
            b"[\"\xc3\"]",
            b"{\"\xe9\": 1}",
        ] {
            agrees(body);
        }
        for depth in [126, 127, 128, 129, 300] {
            agrees(format!("{}{}", "[".repeat(depth), "]".repeat(depth)).as_bytes());
            agrees(format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth)).as_bytes());
            // Brackets inside strings are not nesting.
            agrees(format!("[\"{}\"]", "[".repeat(depth)).as_bytes());
        }
    }

    #[test]
    fn accepts_and_rejects_what_serde_json_does() {
        for body in [
            &br#"{"a": {"b": [1, 2.5e-3, -0, true, false, null, "s\u00e9\n"]}, "\u00e9": {"x": 1}}"#[..],
            br#"{"x": [[], {}, "", 0.0, 1E+9, -1e-9, 10]}"#,
            b"  {\"a\" :\t1 ,\r\n \"a\" : {\"b\" : 2} }  ",
            br#""just a string""#,
            b"12",
            b"-",
            b"-a",
            b"01",
            b"-01",
            b"1.",
            b"1.e5",
            b"1e",
            b"1e+",
            b".5",
            b"+1",
            b"[1,]",
            b"[,1]",
            b"[1 2]",
            b"{\"a\":1,}",
            b"{\"a\" 1}",
            b"{\"a\":}",
            b"{1: 2}",
            b"{,}",
            b"\"\\x\"",
            b"\"\\u12g4\"",
            b"\"\\u12\"",
            b"\"\\",
            b"\"tab\there\"",
            b"\"a\x01b\"",
            b"\"a\x7fb\"",
            b"\"unterminated",
            b"\"long unterminated string without an end",
            b"[\"\xc3\xa9\", \"\xf0\x9f\x92\xa9\"]",
            b"[\"\xc3\"]",
            b"nul",
            b"nulx",
            b"tru",
            b"truex",
            b"fals",
            b"[1] 2",
            b"",
            b"   ",
            b"[",
            b"{",
            b"{\"a\"",
            b"{\"a\":",
            b"{\"a\":1",
            b"[1",
            b"[[[[]]]",
            b"[{]}",
            b"{\"a\": [}",
            b"\n\n  [1,\n  x]",
            br#""\ud800""#,
        ] {
            agrees(body);
        }
        let deep = "[".repeat(100_000) + &"]".repeat(100_000);
        agrees(deep.as_bytes());
        let mixed = "[{\"a\":".repeat(300) + "1" + &"}]".repeat(300);
        agrees(mixed.as_bytes());
        agrees(&mixed.as_bytes()[..mixed.len() - 1]);
        let unbalanced = "[{\"a\":".repeat(70) + "1" + &"}]".repeat(69) + "]}";
        agrees(unbalanced.as_bytes());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: crate::test_support::fuzz_cases(4000), ..Default::default() })]

        #[test]
        fn agrees_with_serde_json_on_json_like_noise(body in "[\\[\\]{}\"\\\\:,abcdeflnrstux0-9.eE+\\- \\n\u{e9}\u{1}]{0,48}") {
            agrees(body.as_bytes());
        }

        #[test]
        fn agrees_with_serde_json_on_mutated_json(value in proptest::collection::vec(proptest::num::u8::ANY, 0..4), at in 0usize..64) {
            let mut body = br#"{"a": [1, -2.5e3, "x\u00e9\n", {"b": null, "c": [true, false]}], "d": {}, "e": []}"#.to_vec();
            for (k, byte) in value.iter().enumerate() {
                let i = (at + 17 * k) % body.len();
                body[i] = *byte;
            }
            agrees(&body);
        }
    }
}
