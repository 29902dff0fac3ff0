//! The skipping reader: one pass over a JSON document (a sync list page or record, a webhook
//! body, an action's response) that validates it and keeps only the values at a fixed set of
//! paths (parsed by the compiler), each already in the form its reader wants. The [`scan`]ner
//! walks the bytes: every field no path leads to is skipped by one tight validating loop, and
//! object keys are compared as raw bytes (no UTF-8 check, no allocation) against the few names
//! that lead somewhere, most of them rejected by their length alone. Only a captured value is
//! handed to `serde_json`, and a plain string not even then.

pub(crate) mod scan;

use std::fmt;

use serde::Deserialize as _;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::rt::path::{self, Step};
pub use scan::Error;
use scan::Scanner;

/// What a capture keeps of the value at its path: the form its transform needs (docs/format.md §11.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The JSON value (bare paths, `coalesce`, `compute` inputs).
    Value,
    /// `toString`: a string as it is; a number as its decimal text; a boolean as `true`/`false`.
    Text,
    /// `toNumberOrNull`: a number, or a string holding one; anything else is no value.
    Number,
    /// `joinCodes`: an array of codes (strings, numbers, or objects with a `code`), joined.
    Codes,
    /// `mapItems`: an array of objects.
    Items,
    /// Only whether an object is there (an empty object stands for it): e.g. a webhook
    /// customer's base path, whose fields are captured by their own paths. Nothing is built.
    Object,
}

/// One value a mapping reads: a path inside the record, and the form to keep it in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Capture {
    pub steps: &'static [Step],
    pub kind: Kind,
}

/// A line item of `mapItems`: the provider's item object exactly as it was sent (docs/format.md §11.5
/// documents no item schema, so nothing is renamed or dropped). It is kept as its JSON text, so
/// an import pays for one copy, not for a tree: read it as your own type with [`Item::parse`], or
/// as a JSON object with [`Item::object`]. It serializes as the object.
#[derive(Clone)]
pub struct Item(Box<str>);

impl Item {
    /// The item's JSON text (always an object).
    pub fn json(&self) -> &str {
        &self.0
    }

    /// The item as any deserializable type (e.g. a struct of the fields you use).
    pub fn parse<'a, T: serde::Deserialize<'a>>(&'a self) -> Result<T, serde_json::Error> {
        serde_json::from_str(&self.0)
    }

    /// The item as a JSON object.
    pub fn object(&self) -> Result<Map<String, Value>, serde_json::Error> {
        self.parse()
    }

    /// An item from a JSON object.
    pub fn from_object(object: &Map<String, Value>) -> Result<Self, serde_json::Error> {
        serde_json::to_string(object).map(|text| Item(text.into()))
    }
}

impl serde::Serialize for Item {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let raw: &serde_json::value::RawValue = serde_json::from_str(&self.0).map_err(serde::ser::Error::custom)?;
        raw.serialize(s)
    }
}

impl<'de> serde::Deserialize<'de> for Item {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Box::<serde_json::value::RawValue>::deserialize(d)?;
        if !raw.get().trim_start().starts_with('{') {
            return Err(de::Error::custom("an item is a JSON object"));
        }
        Ok(Item(raw.into()))
    }
}

/// Equal when they are the same JSON object, however it was spaced.
impl PartialEq for Item {
    fn eq(&self, other: &Self) -> bool {
        self.json() == other.json() || self.parse::<Value>().ok() == other.parse::<Value>().ok()
    }
}

impl std::fmt::Debug for Item {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.json())
    }
}

/// A captured value.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Slot {
    /// The path finds nothing.
    #[default]
    Absent,
    /// `null` (or, for `toNumberOrNull`, anything that is not a number).
    Null,
    Value(Value),
    Text(String),
    Number(f64),
    Items(Vec<Item>),
    /// The value is there but cannot take the transform's form.
    Invalid {
        expected: &'static str,
        found: &'static str,
    },
}

/// The separator of `joinCodes` (docs/format.md §11.5 leaves it open; see the decisions).
pub const CODE_SEPARATOR: &str = ",";

pub(crate) fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A record's captures compiled into a trie of their steps. Build it once per record shape.
#[derive(Clone, Debug)]
pub struct Trie {
    captures: Vec<Capture>,
    nodes: Vec<TrieNode>,
}

#[derive(Clone, Debug, Default)]
struct TrieNode {
    depth: usize,
    /// Field name → child (few: the names that lead somewhere from here).
    fields: Vec<(&'static [u8], usize)>,
    /// Bit `n` is set when a field name is `n` bytes long (`n` < 64; bit 63 stands for every
    /// longer one): most keys are rejected by one test, before any comparison.
    lengths: u64,
    indexes: Vec<(usize, usize)>,
    /// The captures that end here.
    ends: Vec<usize>,
    /// The captures that end here or below.
    through: Vec<usize>,
    /// Whether a capture that needs the value (not only [`Kind::Object`]) ends here.
    value: bool,
}

#[inline]
fn length_bit(len: usize) -> u64 {
    1 << len.min(63)
}

impl TrieNode {
    /// The child for an object key, and its position among the fields.
    #[inline]
    fn field(&self, key: &[u8]) -> Option<(usize, usize)> {
        if self.lengths & length_bit(key.len()) == 0 {
            return None;
        }
        // The first and last bytes first: most keys of a matching length differ there, and
        // that spares a call to compare the rest.
        let (first, last) = (key.first(), key.last());
        self.fields.iter().position(|(name, _)| name.first() == first && name.last() == last && *name == key).map(|n| (n, self.fields[n].1))
    }
}

impl Trie {
    pub fn new(captures: &[Capture]) -> Self {
        Self::reading(captures, |_| true)
    }

    /// A trie with a slot for each of `captures` that reads only those `read` keeps (the others'
    /// slots stay `Absent`): readers that share one slot layout, each reading what it needs.
    pub(crate) fn reading(captures: &[Capture], read: impl Fn(usize) -> bool) -> Self {
        let mut nodes = vec![TrieNode::default()];
        for (i, capture) in captures.iter().enumerate().filter(|(i, _)| read(*i)) {
            let mut at = 0;
            nodes[at].through.push(i);
            for step in capture.steps {
                let depth = nodes[at].depth + 1;
                let existing = match step {
                    Step::Field(name) => nodes[at].fields.iter().find(|(n, _)| *n == name.as_bytes()).map(|(_, c)| *c),
                    Step::Index(index) => nodes[at].indexes.iter().find(|(n, _)| n == index).map(|(_, c)| *c),
                };
                at = match existing {
                    Some(child) => child,
                    None => {
                        nodes.push(TrieNode { depth, ..TrieNode::default() });
                        let child = nodes.len() - 1;
                        match step {
                            Step::Field(name) => nodes[at].fields.push((name.as_bytes(), child)),
                            Step::Index(index) => nodes[at].indexes.push((*index, child)),
                        }
                        child
                    }
                };
                nodes[at].through.push(i);
            }
            nodes[at].ends.push(i);
            nodes[at].value |= capture.kind != Kind::Object;
        }
        for node in &mut nodes {
            node.lengths = node.fields.iter().fold(0, |mask, (name, _)| mask | length_bit(name.len()));
        }
        Trie { captures: captures.to_vec(), nodes }
    }

    pub fn captures(&self) -> &[Capture] {
        &self.captures
    }

    /// Reads one whole JSON document (a webhook body, a response, a record) into `out`, which
    /// is reused (every slot is reset).
    pub fn read_document(&self, bytes: &[u8], out: &mut Vec<Slot>) -> Result<(), Error> {
        let mut scanner = Scanner::new(bytes);
        self.read(&mut scanner, out)?;
        scanner.end()
    }

    /// [`Trie::read_document`] of a document that must also read into a `serde_json::Value`
    /// (a webhook body: what is accepted is what the application reads back).
    pub fn read_value_document(&self, bytes: &[u8], out: &mut Vec<Slot>) -> Result<(), Error> {
        let mut scanner = Scanner::new(bytes);
        self.read(&mut scanner, out)?;
        scanner.end()?;
        scanner.readable_as_value()
    }

    /// Reads one whole JSON document into new slots.
    pub(crate) fn read_slots(&self, bytes: &[u8]) -> Result<Vec<Slot>, Error> {
        let mut slots = Vec::new();
        self.read_document(bytes, &mut slots)?;
        Ok(slots)
    }

    /// Reads the value at the scanner (a list page's record) into `out`, which is reused from
    /// record to record (every slot is reset).
    pub(crate) fn read(&self, scanner: &mut Scanner<'_>, out: &mut Vec<Slot>) -> Result<(), Error> {
        reset(out, self.captures.len());
        self.node(scanner, 0, out)
    }

    /// Reads one record that is already a JSON tree (the same slots as [`Trie::read`]).
    #[cfg(test)]
    pub fn read_value(&self, record: &Value) -> Vec<Slot> {
        self.captures.iter().map(|c| path::get(record, c.steps).map_or(Slot::Absent, |v| slot_from(c.kind, v))).collect()
    }

    /// The value at the scanner, at trie node `at`.
    /// The slots are `Absent` on entry.
    fn node(&self, scanner: &mut Scanner<'_>, at: usize, out: &mut [Slot]) -> Result<(), Error> {
        let node = &self.nodes[at];
        match (node.ends.as_slice(), node.through.len()) {
            // Nothing is read here or below: validate only.
            (_, 0) => scanner.skip(),
            // Nothing that needs the value ends here: walk on.
            _ if !node.value => self.walk(scanner, node, out),
            // One capture ends here and nothing is read below it: read it in its form.
            ([only], 1) => {
                let kind = self.captures[*only].kind;
                let slot = &mut out[*only];
                match (kind, scanner.peek()) {
                    (Kind::Items, Some(b'[')) => items(scanner, slot),
                    (Kind::Codes, Some(b'[')) => codes(scanner, slot),
                    // A string without escapes (most captured values): taken as it is.
                    (Kind::Value | Kind::Text, Some(b'"')) => {
                        let start = scanner.pos();
                        match scanner.plain_string()?.and_then(|inner| scanner.text_of(inner)) {
                            Some(text) => {
                                *slot = text_slot(kind, text);
                                Ok(())
                            }
                            None => {
                                let bytes = scanner.since(start);
                                read_slot(kind, scanner, bytes, slot).map_err(|e| scanner.error_in_value(start, &e))
                            }
                        }
                    }
                    _ => {
                        let start = scanner.pos();
                        let bytes = scanner.value()?;
                        read_slot(kind, scanner, bytes, slot).map_err(|e| scanner.error_in_value(start, &e))
                    }
                }
            }
            // Several captures end here and none goes deeper: read the value once, in each form.
            _ if node.fields.is_empty() && node.indexes.is_empty() => {
                let start = scanner.pos();
                let bytes = scanner.value()?;
                for &i in &node.ends {
                    read_slot(self.captures[i].kind, scanner, bytes, &mut out[i]).map_err(|e| scanner.error_in_value(start, &e))?;
                }
                Ok(())
            }
            // Several captures meet here: read the value once and take each from it.
            _ => {
                let start = scanner.pos();
                let bytes = scanner.value()?;
                let value: Value = serde_json::from_slice(bytes).map_err(|e| scanner.error_in_value(start, &e))?;
                for &i in &node.through {
                    let c = &self.captures[i];
                    out[i] = path::get(&value, &c.steps[node.depth..]).map_or(Slot::Absent, |v| slot_from(c.kind, v));
                }
                Ok(())
            }
        }
    }

    /// The members or elements of the value at the scanner, each read at its child node or
    /// skipped.
    fn walk(&self, scanner: &mut Scanner<'_>, node: &TrieNode, out: &mut [Slot]) -> Result<(), Error> {
        match scanner.peek() {
            Some(b'{') => {
                // Only `Object` captures can end here (one that needs the value reads it whole).
                for &i in &node.ends {
                    out[i] = Slot::Value(Value::Object(Map::new()));
                }
                scanner.enter();
                let mut first = true;
                // The fields read so far (by their position in `node.fields`, up to 64).
                let mut seen = 0u64;
                while let Some(key) = scanner.next_key(first)? {
                    first = false;
                    match node.field(key.as_bytes()) {
                        Some((n, child)) => {
                            // A later duplicate key replaces what an earlier one captured (as
                            // in a full parse).
                            if n >= 64 || seen & (1 << n) != 0 {
                                for &i in &self.nodes[child].through {
                                    out[i] = Slot::Absent;
                                }
                            }
                            seen |= 1u64.checked_shl(n as u32).unwrap_or(0);
                            self.node(scanner, child, out)?
                        }
                        None => scanner.skip()?,
                    }
                }
                Ok(())
            }
            Some(b'[') => {
                scanner.enter();
                let mut index = 0usize;
                while scanner.next_element(index == 0)? {
                    match node.indexes.iter().find(|(i, _)| *i == index) {
                        Some((_, child)) => self.node(scanner, *child, out)?,
                        None => scanner.skip()?,
                    }
                    index += 1;
                }
                Ok(())
            }
            _ => scanner.skip(),
        }
    }
}

/// Makes `slots` `n` absent slots, keeping what is absent already as it is (a reused buffer is
/// mostly absent: its values were taken; writing every slot anew would cost more than looking).
pub(crate) fn reset(slots: &mut Vec<Slot>, n: usize) {
    slots.truncate(n);
    for slot in slots.iter_mut() {
        if !matches!(slot, Slot::Absent) {
            *slot = Slot::Absent;
        }
    }
    slots.resize(n, Slot::Absent);
}

/// A `mapItems` array at the scanner, read in place: each object element kept as its text.
fn items(scanner: &mut Scanner<'_>, slot: &mut Slot) -> Result<(), Error> {
    scanner.enter();
    let mut items = Vec::new();
    let mut bad = false;
    let mut first = true;
    while scanner.next_element(first)? {
        first = false;
        // The element's own position (after the whitespace), for an error.
        scanner.peek();
        let start = scanner.pos();
        let bytes = scanner.value()?;
        if bytes.first() != Some(&b'{') {
            bad = true;
            continue;
        }
        match scanner.text_of(bytes) {
            Some(text) => {
                // Most lists hold a few items: one allocation for up to eight.
                if items.capacity() == 0 {
                    items.reserve_exact(8);
                }
                items.push(Item(text.into()));
            }
            None => return Err(scanner.error_at(start, "invalid unicode code point".to_string())),
        }
    }
    *slot = if bad { KindVisitor(Kind::Items).invalid("an array with an element that is not an object") } else { Slot::Items(items) };
    Ok(())
}

/// A `joinCodes` array at the scanner, read in place: strings, numbers and the `code` of objects,
/// joined (the same answers as [`KindVisitor`]'s).
fn codes(scanner: &mut Scanner<'_>, slot: &mut Slot) -> Result<(), Error> {
    scanner.enter();
    let mut joined = JoinedCodes::default();
    let mut first = true;
    let mut element = Slot::Absent;
    while scanner.next_element(first)? {
        first = false;
        let code = if scanner.peek() == Some(b'{') {
            // A code object: its `code` member, a string or a number (the last one wins).
            scanner.enter();
            let mut code = None;
            let mut first_member = true;
            while let Some(key) = scanner.next_key(first_member)? {
                first_member = false;
                if key.as_bytes() != b"code" {
                    scanner.skip()?;
                    continue;
                }
                let start = scanner.pos();
                let bytes = scanner.value()?;
                code = match bytes.first() {
                    Some(b'"' | b'-' | b'0'..=b'9') => {
                        read_slot(Kind::Codes, scanner, bytes, &mut element).map_err(|e| scanner.error_in_value(start, &e))?;
                        match std::mem::take(&mut element) {
                            Slot::Text(code) => Some(code),
                            _ => None,
                        }
                    }
                    _ => None,
                };
            }
            code
        } else {
            let start = scanner.pos();
            let bytes = scanner.value()?;
            read_slot(Kind::Codes, scanner, bytes, &mut element).map_err(|e| scanner.error_in_value(start, &e))?;
            match std::mem::take(&mut element) {
                Slot::Text(code) => Some(code),
                _ => None,
            }
        };
        joined.push(code);
    }
    *slot = joined.finish();
    Ok(())
}

/// The slot of `kind` for a value already read (the same visitors as the streaming pass).
fn slot_from(kind: Kind, value: &Value) -> Slot {
    KindSeed(kind).deserialize(value).unwrap_or(Slot::Invalid { expected: "a JSON value", found: kind_of(value) })
}

/// A string without escapes, as a `Value` capture (or any other: `toString`, a code) keeps it.
#[inline]
fn text_slot(kind: Kind, text: &str) -> Slot {
    match kind {
        Kind::Value => Slot::Value(Value::String(text.to_string())),
        _ => Slot::Text(text.to_string()),
    }
}

/// Reads the bytes of one valid JSON value into `slot` in the form of `kind`. Strings without
/// escapes (most captured values), short integers and `null` are read here; the rest by
/// `serde_json`, with the same answers.
fn read_slot(kind: Kind, scanner: &Scanner<'_>, bytes: &[u8], slot: &mut Slot) -> Result<(), serde_json::Error> {
    match bytes {
        [b'"', inner @ .., b'"'] if !inner.contains(&b'\\') => {
            if let Some(text) = scanner.text_of(inner) {
                *slot = match kind {
                    Kind::Value | Kind::Text | Kind::Codes => text_slot(kind, text),
                    kind => KindVisitor(kind).visit_str::<serde_json::Error>(text)?,
                };
                return Ok(());
            }
        }
        b"null" => {
            *slot = if kind == Kind::Object { Slot::Absent } else { Slot::Null };
            return Ok(());
        }
        // An integer of up to 18 digits (exact in any form; `-0` is left to serde_json, which
        // reads it as 0).
        [first, rest @ ..]
            if matches!(kind, Kind::Value | Kind::Text | Kind::Codes | Kind::Number)
                && bytes.len() <= 18
                && (first.is_ascii_digit() || (*first == b'-' && !rest.is_empty() && rest != b"0"))
                && rest.iter().all(u8::is_ascii_digit) =>
        {
            // Only digits (and a leading `-`): ASCII.
            let text = std::str::from_utf8(bytes).unwrap_or_default();
            *slot = match kind {
                Kind::Number => text.parse().map_or(Slot::Null, Slot::Number),
                // As serde_json reads it: a negative integer as an `i64`, another as a `u64`.
                Kind::Value if *first == b'-' => text.parse::<i64>().map_or(Slot::Null, |n| Slot::Value(n.into())),
                Kind::Value => text.parse::<u64>().map_or(Slot::Null, |n| Slot::Value(n.into())),
                _ => Slot::Text(text.to_string()),
            };
            return Ok(());
        }
        _ => {}
    }
    *slot = KindSeed(kind).deserialize(&mut serde_json::Deserializer::from_slice(bytes))?;
    Ok(())
}

/// Reads one value in the form of a [`Kind`].
struct KindSeed(Kind);

impl<'de> DeserializeSeed<'de> for KindSeed {
    type Value = Slot;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Slot, D::Error> {
        match self.0 {
            Kind::Value => Ok(match Value::deserialize(d)? {
                Value::Null => Slot::Null,
                value => Slot::Value(value),
            }),
            kind => d.deserialize_any(KindVisitor(kind)),
        }
    }
}

struct KindVisitor(Kind);

impl KindVisitor {
    fn expected(&self) -> &'static str {
        match self.0 {
            Kind::Value => "a JSON value",
            Kind::Text => "a string or a number",
            Kind::Number => "a number",
            Kind::Codes => "an array of codes",
            Kind::Items => "an array of objects",
            Kind::Object => "an object",
        }
    }

    fn invalid(&self, found: &'static str) -> Slot {
        match self.0 {
            // `toNumberOrNull`: anything that is not a number is no number (docs/format.md §11.5).
            Kind::Number => Slot::Null,
            // Not an object: no object.
            Kind::Object => Slot::Absent,
            _ => Slot::Invalid { expected: self.expected(), found },
        }
    }

    fn number_text(&self, text: String) -> Slot {
        match self.0 {
            Kind::Text | Kind::Codes => Slot::Text(text),
            Kind::Number => text.parse().map_or(Slot::Null, Slot::Number),
            _ => self.invalid("a number"),
        }
    }
}

/// A `joinCodes` result, built element by element: the codes joined, or why there is none.
#[derive(Default)]
struct JoinedCodes {
    codes: String,
    any: bool,
    /// An element is not a code.
    bad: bool,
}

impl JoinedCodes {
    fn push(&mut self, code: Option<String>) {
        let Some(code) = code else {
            self.bad = true;
            return;
        };
        if self.any {
            self.codes.push_str(CODE_SEPARATOR);
        }
        self.codes.push_str(&code);
        self.any = true;
    }

    fn finish(self) -> Slot {
        match (self.bad, self.any) {
            (true, _) => KindVisitor(Kind::Codes).invalid("an array with an element that is not a code"),
            // No codes: no value (see the decisions).
            (false, false) => Slot::Null,
            (false, true) => Slot::Text(self.codes),
        }
    }
}

/// Appends `n` in decimal, without the formatting machinery (ids and keys are written on every
/// record and delivery).
pub(crate) fn push_decimal(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend(digits[at..].iter().map(|&d| char::from(d)));
}

/// The decimal text of an integer (ids are the common case of `toString`: this skips the
/// formatting machinery).
fn integer_text(negative: bool, v: u64) -> String {
    let mut text = String::with_capacity(21);
    if negative {
        text.push('-');
    }
    push_decimal(&mut text, v);
    text
}

/// A string that holds a number, in JSON number syntax with optional surrounding spaces
/// (`"12.50"`, `" 7 "`, `"-1e3"`; not `"NaN"`, `"inf"`, `"0x10"` or `""`).
fn numeric(text: &str) -> Option<f64> {
    let t = text.trim();
    let plausible = !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'));
    t.parse::<f64>().ok().filter(|n| plausible && n.is_finite())
}

impl<'de> Visitor<'de> for KindVisitor {
    type Value = Slot;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.expected())
    }

    fn visit_unit<E: de::Error>(self) -> Result<Slot, E> {
        Ok(if self.0 == Kind::Object { Slot::Absent } else { Slot::Null })
    }

    fn visit_none<E: de::Error>(self) -> Result<Slot, E> {
        self.visit_unit()
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Slot, E> {
        Ok(match self.0 {
            Kind::Text => Slot::Text(v.to_string()),
            _ => self.invalid("a boolean"),
        })
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Slot, E> {
        Ok(match self.0 {
            Kind::Number => Slot::Number(v as f64),
            _ => self.number_text(integer_text(v < 0, v.unsigned_abs())),
        })
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Slot, E> {
        Ok(match self.0 {
            Kind::Number => Slot::Number(v as f64),
            _ => self.number_text(integer_text(false, v)),
        })
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Slot, E> {
        Ok(match self.0 {
            Kind::Number => Slot::Number(v),
            // The JSON text of the number, as serde_json writes it.
            _ => self.number_text(serde_json::Number::from_f64(v).map_or_else(|| v.to_string(), |n| n.to_string())),
        })
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Slot, E> {
        Ok(match self.0 {
            Kind::Text | Kind::Codes => Slot::Text(v.to_string()),
            Kind::Number => numeric(v).map_or(Slot::Null, Slot::Number),
            _ => self.invalid("a string"),
        })
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Slot, E> {
        Ok(match self.0 {
            Kind::Text | Kind::Codes => Slot::Text(v),
            _ => self.visit_str(&v)?,
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Slot, A::Error> {
        if self.0 == Kind::Codes {
            // One code object.
            let mut code = None;
            while let Some(key) = map.next_key::<std::borrow::Cow<'_, str>>()? {
                if key == "code" {
                    code = Some(map.next_value_seed(CodeSeed)?);
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            return Ok(match code {
                Some(Some(code)) => Slot::Text(code),
                _ => self.invalid("an object without a `code`"),
            });
        }
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        if self.0 == Kind::Object {
            return Ok(Slot::Value(Value::Object(Map::new())));
        }
        Ok(self.invalid("an object"))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Slot, A::Error> {
        match self.0 {
            Kind::Codes => {
                let mut joined = JoinedCodes::default();
                while let Some(code) = seq.next_element_seed(CodeElement)? {
                    joined.push(code);
                }
                Ok(joined.finish())
            }
            Kind::Items => {
                let mut items = Vec::new();
                let mut bad = false;
                while let Some(item) = seq.next_element::<Box<serde_json::value::RawValue>>()? {
                    if item.get().trim_start().starts_with('{') {
                        items.push(Item(item.into()));
                    } else {
                        bad = true;
                    }
                }
                Ok(if bad { self.invalid("an array with an element that is not an object") } else { Slot::Items(items) })
            }
            _ => {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(self.invalid("an array"))
            }
        }
    }
}

/// One element of a `joinCodes` array: `Some(code)`, or `None` when it is not a code.
struct CodeElement;

impl<'de> DeserializeSeed<'de> for CodeElement {
    type Value = Option<String>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<String>, D::Error> {
        Ok(match KindSeed(Kind::Codes).deserialize(d)? {
            Slot::Text(code) => Some(code),
            _ => None,
        })
    }
}

/// The `code` member of a code object: a string or a number.
struct CodeSeed;

impl<'de> DeserializeSeed<'de> for CodeSeed {
    type Value = Option<String>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<String>, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::String(s) => Some(s),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ID: Capture = Capture { steps: &[Step::Field("id")], kind: Kind::Text };
    const PRICE: Capture = Capture { steps: &[Step::Field("price"), Step::Field("amount")], kind: Kind::Number };
    const PRICE_OBJ: Capture = Capture { steps: &[Step::Field("price")], kind: Kind::Value };
    const LINES: Capture = Capture { steps: &[Step::Field("lines")], kind: Kind::Items };
    const CODES: Capture = Capture { steps: &[Step::Field("discounts")], kind: Kind::Codes };
    const FIRST_LINE: Capture = Capture { steps: &[Step::Field("lines"), Step::Index(0), Step::Field("sku")], kind: Kind::Text };

    fn read(body: &str, captures: &[Capture]) -> Vec<Slot> {
        let trie = Trie::new(captures);
        let mut streamed = vec![Slot::Text("stale".into()); 1];
        trie.read_document(body.as_bytes(), &mut streamed).expect("valid JSON");
        // The tree path agrees with the streaming one.
        let value: Value = serde_json::from_str(body).expect("valid JSON");
        assert_eq!(trie.read_value(&value), streamed, "{body}");
        streamed
    }

    #[test]
    fn reads_each_capture_in_its_form() {
        let body = r#"{"skip": [1, {"x": 2}], "id": 42, "price": {"amount": "12.50", "currency": "EUR"},
            "lines": [{"sku": "A"}, {"sku": "B"}], "discounts": [{"code": "X"}, "Y", 3]}"#;
        let out = read(body, &[ID, PRICE, PRICE_OBJ, LINES, CODES, FIRST_LINE]);
        assert_eq!(out[0], Slot::Text("42".into()));
        assert_eq!(out[1], Slot::Number(12.5));
        assert_eq!(out[2], Slot::Value(json!({"amount": "12.50", "currency": "EUR"})));
        assert_eq!(
            out[3],
            Slot::Items(vec![
                Item::from_object(json!({"sku": "A"}).as_object().expect("an object")).expect("JSON"),
                Item::from_object(json!({"sku": "B"}).as_object().expect("an object")).expect("JSON")
            ])
        );
        assert_eq!(out[4], Slot::Text("X,Y,3".into()));
        assert_eq!(out[5], Slot::Text("A".into()));
    }

    #[test]
    fn absent_null_and_wrong_shapes() {
        let out = read(r#"{"id": {"nested": 1}, "price": {"amount": "n/a"}, "lines": [1], "discounts": []}"#, &[ID, PRICE, LINES, CODES]);
        assert_eq!(out[0], Slot::Invalid { expected: "a string or a number", found: "an object" });
        assert_eq!(out[1], Slot::Null);
        assert_eq!(out[2], Slot::Invalid { expected: "an array of objects", found: "an array with an element that is not an object" });
        assert_eq!(out[3], Slot::Null);
        let out = read(r#"{"id": null}"#, &[ID, PRICE]);
        assert_eq!(out, vec![Slot::Null, Slot::Absent]);
    }

    #[test]
    fn integers_as_text() {
        for v in [0i64, 7, -7, 1234567890123, i64::MIN, i64::MAX] {
            assert_eq!(integer_text(v < 0, v.unsigned_abs()), v.to_string());
        }
        assert_eq!(integer_text(false, u64::MAX), u64::MAX.to_string());
    }

    #[test]
    fn numeric_strings() {
        assert_eq!(numeric(" 7 "), Some(7.0));
        assert_eq!(numeric("-1e3"), Some(-1000.0));
        for bad in ["", "NaN", "inf", "0x10", "1,5", "12 EUR"] {
            assert_eq!(numeric(bad), None, "{bad}");
        }
    }

    /// Captures of every kind at a few paths, for the property test.
    const EVERY_KIND: [Capture; 8] = [
        Capture { steps: &[Step::Field("a")], kind: Kind::Value },
        Capture { steps: &[Step::Field("a")], kind: Kind::Text },
        Capture { steps: &[Step::Field("a")], kind: Kind::Number },
        Capture { steps: &[Step::Field("a")], kind: Kind::Codes },
        Capture { steps: &[Step::Field("b")], kind: Kind::Items },
        Capture { steps: &[Step::Field("b")], kind: Kind::Codes },
        Capture { steps: &[Step::Field("x"), Step::Index(0)], kind: Kind::Text },
        Capture { steps: &[Step::Field("x")], kind: Kind::Object },
    ];

    fn scalar() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            (-1e6f64..1e6).prop_map(Value::from),
            "[a-z0-9 .\\-\"\u{e9}\n]{0,6}".prop_map(Value::String),
            Just(Value::String(" 12.5 ".into())),
        ]
    }

    fn member() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let code = prop_oneof![scalar(), scalar().prop_map(|code| json!({"code": code, "n": 1})), Just(json!({"name": "no code"}))];
        prop_oneof![scalar(), prop::collection::vec(code, 0..4).prop_map(Value::Array), scalar().prop_map(|v| json!({"code": v}))]
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: crate::test_support::fuzz_cases(2000), ..Default::default() })]

        /// The streaming reader (with its fast paths) and the tree reader give the same slots.
        #[test]
        fn the_streaming_reader_agrees_with_the_tree_reader(a in member(), b in member(), x in member(), pretty in proptest::bool::ANY) {
            let record = json!({"a": a, "b": b, "x": x, "skip": {"deep": [1, {"a": 2}]}});
            let body = if pretty { serde_json::to_string_pretty(&record) } else { serde_json::to_string(&record) }.unwrap_or_default();
            let trie = Trie::new(&EVERY_KIND);
            let mut streamed = Vec::new();
            trie.read_document(body.as_bytes(), &mut streamed).expect("valid JSON");
            // The tree of the same text (serde_json reads long decimals within an ulp: both
            // readers see its reading).
            let tree: Value = serde_json::from_str(&body).expect("valid JSON");
            proptest::prop_assert_eq!(trie.read_value(&tree), streamed, "{}", body);
        }
    }

    #[test]
    fn an_item_that_is_not_utf8_is_an_error_with_its_position() {
        let trie = Trie::new(&[LINES]);
        let mut out = Vec::new();
        let body = b"{\"lines\": [{\"sku\": \"A\"},\n {\"sku\": \"\xff\"}]}";
        let err = trie.read_document(body, &mut out).expect_err("not UTF-8");
        assert_eq!((err.line(), err.column()), (2, 2), "{err}");
    }

    #[test]
    fn captured_strings_with_escapes_or_in_a_document_that_is_not_utf8() {
        const VALUE_ID: Capture = Capture { steps: &[Step::Field("id")], kind: Kind::Value };
        // Escapes: decoded (not taken as the raw bytes between the quotes).
        assert_eq!(read(r#"{"id": "a\"b\u00e9"}"#, &[ID]), [Slot::Text("a\"b\u{e9}".into())]);
        assert_eq!(read(r#"{"id": "a\nb"}"#, &[VALUE_ID]), [Slot::Value(json!("a\nb"))]);
        // Invalid UTF-8 in a skipped string: the captured one is still read.
        let trie = Trie::new(&[ID]);
        let mut out = Vec::new();
        trie.read_document(b"{\"skip\": \"\xff\", \"id\": \"plain\"}", &mut out).expect("JSON as serde_json skips it");
        assert_eq!(out, [Slot::Text("plain".into())]);
        // Invalid UTF-8 in the captured string: an error at the byte.
        let err = trie.read_document(b"{\"id\":\n \"\xff\"}", &mut out).expect_err("not UTF-8");
        assert_eq!((err.line(), err.column()), (2, 3), "{err}");
    }

    #[test]
    fn escaped_keys_and_duplicates() {
        let out = read(r#"{"\u0069d": 1, "id": 2}"#, &[ID]);
        assert_eq!(out[0], Slot::Text("2".into()));
    }
}
