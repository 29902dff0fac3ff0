//! The skipping reader: one pass over a JSON document (a sync list page or record, a webhook
//! body) that validates it and keeps only the values at a fixed set of paths (parsed by the
//! compiler), each already in the form its reader wants. `serde_json` drives the pass; every
//! field no path leads to is skipped as `IgnoredAny`, and object keys are compared as raw bytes
//! (no UTF-8 check, no allocation) against the few names that lead somewhere, most of them
//! rejected by their length alone, so an unread field costs little more than skipping it.

use std::fmt;

use serde::Deserialize as _;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::rt::path::{self, Step};

/// The `Visitor` methods of a walk that passes over scalars (nothing under them is captured).
macro_rules! ignore_scalars {
    () => {
        fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<(), E> {
            Ok(())
        }
        fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<(), E> {
            Ok(())
        }
        fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<(), E> {
            Ok(())
        }
        fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<(), E> {
            Ok(())
        }
        fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<(), E> {
            Ok(())
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
            Ok(())
        }
    };
}
pub(crate) use ignore_scalars;

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
#[derive(Clone, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Item(Box<serde_json::value::RawValue>);

impl Item {
    /// The item's JSON text (always an object).
    pub fn json(&self) -> &str {
        self.0.get()
    }

    /// The item as any deserializable type (e.g. a struct of the fields you use).
    pub fn parse<'a, T: serde::Deserialize<'a>>(&'a self) -> Result<T, serde_json::Error> {
        serde_json::from_str(self.0.get())
    }

    /// An item from a JSON object.
    pub fn from_object(object: &Map<String, Value>) -> Result<Self, serde_json::Error> {
        serde_json::value::to_raw_value(object).map(Item)
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

fn kind_of(value: &Value) -> &'static str {
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
    /// The child for an object key.
    #[inline]
    fn field(&self, key: &[u8]) -> Option<usize> {
        if self.lengths & length_bit(key.len()) == 0 {
            return None;
        }
        self.fields.iter().find(|(name, _)| *name == key).map(|(_, child)| *child)
    }
}

impl Trie {
    pub fn new(captures: &[Capture]) -> Self {
        let mut nodes = vec![TrieNode::default()];
        for (i, capture) in captures.iter().enumerate() {
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

    /// Reads one record from a deserializer (a list page's element, a details response) into
    /// `out`, which is reused from record to record (every slot is reset).
    pub fn read<'de, D: Deserializer<'de>>(&self, d: D, out: &mut Vec<Slot>) -> Result<(), D::Error> {
        out.resize(self.captures.len(), Slot::Absent);
        // The root resets every slot (every capture passes through it).
        At { trie: self, at: 0, out }.deserialize(d)
    }

    /// Reads one record that is already a JSON tree (the same slots as [`Trie::read`]).
    #[cfg(test)]
    pub fn read_value(&self, record: &Value) -> Vec<Slot> {
        self.captures.iter().map(|c| path::get(record, c.steps).map_or(Slot::Absent, |v| slot_from(c.kind, v))).collect()
    }
}

/// The slot of `kind` for a value already read (the same visitors as the streaming pass).
fn slot_from(kind: Kind, value: &Value) -> Slot {
    KindSeed(kind).deserialize(value).unwrap_or(Slot::Invalid { expected: "a JSON value", found: kind_of(value) })
}

/// A position in a record: a node of the trie.
struct At<'a> {
    trie: &'a Trie,
    at: usize,
    out: &'a mut Vec<Slot>,
}

impl<'de> DeserializeSeed<'de> for At<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        let node = &self.trie.nodes[self.at];
        // A later duplicate key replaces what an earlier one captured (as in a full parse).
        for &i in &node.through {
            self.out[i] = Slot::Absent;
        }
        match (node.ends.as_slice(), node.through.len()) {
            // Nothing is read here or below: validate only.
            (_, 0) => IgnoredAny::deserialize(d).map(drop),
            // Nothing that needs the value ends here: walk on.
            _ if !node.value => d.deserialize_any(self),
            // One capture ends here and nothing is read below it: read it in its form.
            ([only], 1) => {
                self.out[*only] = KindSeed(self.trie.captures[*only].kind).deserialize(d)?;
                Ok(())
            }
            // Several captures meet here: read the value once and take each from it.
            _ => {
                let value = Value::deserialize(d)?;
                for &i in &node.through {
                    let c = &self.trie.captures[i];
                    self.out[i] = path::get(&value, &c.steps[node.depth..]).map_or(Slot::Absent, |v| slot_from(c.kind, v));
                }
                Ok(())
            }
        }
    }
}

impl<'de> Visitor<'de> for At<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let node = &self.trie.nodes[self.at];
        // Only `Object` captures can end here (one that needs the value reads it whole).
        for &i in &node.ends {
            self.out[i] = Slot::Value(Value::Object(Map::new()));
        }
        while let Some(key) = map.next_key_seed(KeySeed)? {
            match node.field(key.as_bytes()) {
                Some(child) => map.next_value_seed(At { trie: self.trie, at: child, out: &mut *self.out })?,
                None => map.next_value::<IgnoredAny>().map(drop)?,
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let node = &self.trie.nodes[self.at];
        let mut index = 0usize;
        loop {
            let more = match node.indexes.iter().find(|(i, _)| *i == index) {
                Some((_, child)) => seq.next_element_seed(At { trie: self.trie, at: *child, out: &mut *self.out })?.is_some(),
                None => seq.next_element::<IgnoredAny>()?.is_some(),
            };
            if !more {
                return Ok(());
            }
            index += 1;
        }
    }

    ignore_scalars!();
}

/// An object key as raw bytes: borrowed from the input when it has no escapes. Keys are compared,
/// never shown, so they are not checked as UTF-8 (skipping does not check them either).
pub(crate) enum KeyBytes<'de> {
    Borrowed(&'de [u8]),
    Owned(Vec<u8>),
}

impl KeyBytes<'_> {
    pub(crate) fn as_bytes(&self) -> &[u8] {
        match self {
            KeyBytes::Borrowed(b) => b,
            KeyBytes::Owned(b) => b,
        }
    }
}

pub(crate) struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = KeyBytes<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<KeyBytes<'de>, D::Error> {
        d.deserialize_bytes(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = KeyBytes<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_borrowed_bytes<E: de::Error>(self, v: &'de [u8]) -> Result<KeyBytes<'de>, E> {
        Ok(KeyBytes::Borrowed(v))
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<KeyBytes<'de>, E> {
        Ok(KeyBytes::Owned(v.to_vec()))
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<KeyBytes<'de>, E> {
        Ok(KeyBytes::Borrowed(v.as_bytes()))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<KeyBytes<'de>, E> {
        Ok(KeyBytes::Owned(v.as_bytes().to_vec()))
    }
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

/// The decimal text of an integer (ids are the common case of `toString`: this skips the
/// formatting machinery).
fn integer_text(negative: bool, mut v: u64) -> String {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    let mut text = String::with_capacity(digits.len() - at + usize::from(negative));
    if negative {
        text.push('-');
    }
    text.extend(digits[at..].iter().map(|&d| char::from(d)));
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
            while let Some(key) = map.next_key_seed(KeySeed)? {
                if key.as_bytes() == b"code" {
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
                let mut codes = String::new();
                let (mut any, mut bad) = (false, false);
                while let Some(code) = seq.next_element_seed(CodeElement)? {
                    match code {
                        Some(code) => {
                            if any {
                                codes.push_str(CODE_SEPARATOR);
                            }
                            codes.push_str(&code);
                            any = true;
                        }
                        None => bad = true,
                    }
                }
                Ok(match (bad, any) {
                    (true, _) => self.invalid("an array with an element that is not a code"),
                    // No codes: no value (see the decisions).
                    (false, false) => Slot::Null,
                    (false, true) => Slot::Text(codes),
                })
            }
            Kind::Items => {
                let mut items = Vec::new();
                let mut bad = false;
                while let Some(item) = seq.next_element::<Box<serde_json::value::RawValue>>()? {
                    if item.get().trim_start().starts_with('{') {
                        items.push(Item(item));
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
        let mut de = serde_json::Deserializer::from_str(body);
        let mut streamed = vec![Slot::Text("stale".into()); 1];
        trie.read(&mut de, &mut streamed).expect("valid JSON");
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

    #[test]
    fn escaped_keys_and_duplicates() {
        let out = read(r#"{"\u0069d": 1, "id": 2}"#, &[ID]);
        assert_eq!(out[0], Slot::Text("2".into()));
    }
}
