//! The variables of one action run (`{{key}}` placeholders): the input's fields, the parameters'
//! defaults, and what earlier steps and App Functions returned.
//!
//! A run has a handful of them, looked up by name a few times each: a short list compared by
//! text costs less than a hash map (no hashing, no key allocation: the input's field names and
//! the mappings' keys are `'static`).

use std::borrow::Cow;

use serde::ser::{self, Impossible, Serialize};
use serde_json::{Map, Value};

/// Named values; a name appears once (inserting it again replaces its value in place).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Vars {
    entries: Vec<(Cow<'static, str>, Value)>,
}

impl Vars {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with_capacity(capacity: usize) -> Self {
        Vars { entries: Vec::with_capacity(capacity) }
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub fn insert(&mut self, key: impl Into<Cow<'static, str>>, value: Value) {
        let key = key.into();
        match self.entries.iter_mut().find(|(k, _)| *k == key) {
            Some((_, slot)) => *slot = value,
            None => self.entries.push((key, value)),
        }
    }

    pub fn extend<K: Into<Cow<'static, str>>>(&mut self, values: impl IntoIterator<Item = (K, Value)>) {
        for (k, v) in values {
            self.insert(k, v);
        }
    }

    /// Keeps the values `keep` accepts (it may change them).
    pub fn retain(&mut self, mut keep: impl FnMut(&str, &mut Value) -> bool) {
        self.entries.retain_mut(|(k, v)| keep(k, v));
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.entries.iter().map(|(k, v)| (&**k, v))
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The values as a JSON object, in order.
    pub fn into_map(self) -> Map<String, Value> {
        self.entries.into_iter().map(|(k, v)| (k.into_owned(), v)).collect()
    }

    /// Reads the values as `T` (e.g. an action's output type), as if from the JSON object
    /// [`Vars::into_map`] gives.
    pub fn deserialize<T: serde::de::DeserializeOwned>(self) -> Result<T, serde_json::Error> {
        T::deserialize(serde::de::value::MapDeserializer::<_, serde_json::Error>::new(self.entries.into_iter()))
    }

    /// The fields of a serialized struct (or the entries of a map), each as its JSON value; a
    /// unit or `None` has none. Anything else is an error naming what was found.
    pub fn from_fields<T: Serialize + ?Sized>(input: &T) -> Result<Vars, String> {
        let mut vars = Vars::with_capacity(8);
        input.serialize(Fields(&mut vars)).map_err(|e| e.0)?;
        Ok(vars)
    }
}

impl IntoIterator for Vars {
    type Item = (Cow<'static, str>, Value);
    type IntoIter = std::vec::IntoIter<(Cow<'static, str>, Value)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<K: Into<Cow<'static, str>>> FromIterator<(K, Value)> for Vars {
    fn from_iter<I: IntoIterator<Item = (K, Value)>>(iter: I) -> Self {
        let mut vars = Vars::new();
        vars.extend(iter);
        vars
    }
}

/// Why a value could not be read as fields.
#[derive(Debug)]
struct NotFields(String);

impl std::fmt::Display for NotFields {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NotFields {}

impl ser::Error for NotFields {
    fn custom<M: std::fmt::Display>(message: M) -> Self {
        NotFields(message.to_string())
    }
}

/// Serializes a struct or map into [`Vars`], one field at a time.
struct Fields<'v>(&'v mut Vars);

/// Serializes one map entry's key and value.
struct Entries<'v> {
    vars: &'v mut Vars,
    key: Option<String>,
}

fn value<T: Serialize + ?Sized>(v: &T) -> Result<Value, NotFields> {
    serde_json::to_value(v).map_err(|e| NotFields(e.to_string()))
}

fn not_an_object<T>(found: &str) -> Result<T, NotFields> {
    Err(NotFields(format!("expected an object, found {found}")))
}

macro_rules! not_an_object {
    ($($method:ident($($arg:ty),*) => $found:literal;)*) => {
        $(fn $method(self, $(_: $arg),*) -> Result<(), NotFields> { not_an_object($found) })*
    };
}

impl<'v> ser::Serializer for Fields<'v> {
    type Ok = ();
    type Error = NotFields;
    type SerializeSeq = Impossible<(), NotFields>;
    type SerializeTuple = Impossible<(), NotFields>;
    type SerializeTupleStruct = Impossible<(), NotFields>;
    type SerializeTupleVariant = Impossible<(), NotFields>;
    type SerializeMap = Entries<'v>;
    type SerializeStruct = Self;
    type SerializeStructVariant = Impossible<(), NotFields>;

    not_an_object! {
        serialize_bool(bool) => "a boolean";
        serialize_i8(i8) => "a number";
        serialize_i16(i16) => "a number";
        serialize_i32(i32) => "a number";
        serialize_i64(i64) => "a number";
        serialize_i128(i128) => "a number";
        serialize_u8(u8) => "a number";
        serialize_u16(u16) => "a number";
        serialize_u32(u32) => "a number";
        serialize_u64(u64) => "a number";
        serialize_u128(u128) => "a number";
        serialize_f32(f32) => "a number";
        serialize_f64(f64) => "a number";
        serialize_char(char) => "a string";
        serialize_str(&str) => "a string";
        serialize_bytes(&[u8]) => "an array";
        serialize_unit_variant(&'static str, u32, &'static str) => "a string";
    }

    fn serialize_none(self) -> Result<(), NotFields> {
        Ok(())
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), NotFields> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<(), NotFields> {
        Ok(())
    }

    fn serialize_unit_struct(self, _: &'static str) -> Result<(), NotFields> {
        Ok(())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, value: &T) -> Result<(), NotFields> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(self, _: &'static str, _: u32, _: &'static str, _: &T) -> Result<(), NotFields> {
        not_an_object("an enum variant")
    }

    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, NotFields> {
        not_an_object("an array")
    }

    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, NotFields> {
        not_an_object("an array")
    }

    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeTupleStruct, NotFields> {
        not_an_object("an array")
    }

    fn serialize_tuple_variant(self, _: &'static str, _: u32, _: &'static str, _: usize) -> Result<Self::SerializeTupleVariant, NotFields> {
        not_an_object("an enum variant")
    }

    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, NotFields> {
        Ok(Entries { vars: self.0, key: None })
    }

    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, NotFields> {
        Ok(self)
    }

    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, NotFields> {
        not_an_object("an enum variant")
    }
}

impl ser::SerializeStruct for Fields<'_> {
    type Ok = ();
    type Error = NotFields;

    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, v: &T) -> Result<(), NotFields> {
        // A struct's field names are distinct.
        self.0.entries.push((Cow::Borrowed(key), value(v)?));
        Ok(())
    }

    fn end(self) -> Result<(), NotFields> {
        Ok(())
    }
}

impl ser::SerializeMap for Entries<'_> {
    type Ok = ();
    type Error = NotFields;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), NotFields> {
        match value(key)? {
            Value::String(key) => {
                self.key = Some(key);
                Ok(())
            }
            _ => Err(NotFields("a key is not a string".to_string())),
        }
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), NotFields> {
        let key = self.key.take().ok_or_else(|| NotFields("a value without a key".to_string()))?;
        self.vars.insert(key, value(v)?);
        Ok(())
    }

    fn end(self) -> Result<(), NotFields> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(serde::Serialize)]
    struct Input {
        #[serde(rename = "orderId")]
        order_id: String,
        note: Option<String>,
        count: f64,
        tags: Vec<&'static str>,
    }

    #[test]
    fn fields_read_as_the_json_object_would() {
        let input = Input { order_id: "o-1".into(), note: None, count: 2.0, tags: vec!["a"] };
        let vars = Vars::from_fields(&input).expect("fields");
        let Value::Object(expected) = serde_json::to_value(&input).expect("json") else { panic!("an object") };
        assert_eq!(vars.clone().into_map(), expected);
        assert_eq!(vars.get("orderId"), Some(&json!("o-1")));
        assert_eq!(vars.get("note"), Some(&Value::Null));
        assert_eq!(vars.get("missing"), None);
        let map: std::collections::BTreeMap<String, i32> = [("b".to_string(), 2), ("a".to_string(), 1)].into();
        assert_eq!(Vars::from_fields(&map).expect("a map").into_map(), json!({"a": 1, "b": 2}).as_object().cloned().unwrap_or_default());
        assert_eq!(Vars::from_fields(&()).expect("unit").len(), 0);
        assert_eq!(Vars::from_fields(&Option::<Input>::None).expect("none").len(), 0);
        assert!(Vars::from_fields(&7).is_err_and(|e| e.contains("a number")));
        assert!(Vars::from_fields(&vec![1]).is_err_and(|e| e.contains("an array")));
    }

    #[test]
    fn a_name_is_kept_once_and_the_last_value_wins() {
        let mut vars: Vars = [("a", json!(1)), ("b", json!(2))].into_iter().collect();
        vars.insert("a", json!(3));
        vars.insert(String::from("c"), json!(4));
        assert_eq!(Value::Object(vars.clone().into_map()), json!({"a": 3, "b": 2, "c": 4}));
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct Out {
            a: u32,
            c: Option<u32>,
            d: Option<u32>,
        }
        assert_eq!(vars.deserialize::<Out>().ok(), Some(Out { a: 3, c: Some(4), d: None }));
    }
}
