//! One pass over a delivery's body that validates it as JSON and captures only the values at a
//! fixed set of paths (parsed by the compiler). Everything else is skipped without building a
//! tree, so a large payload costs little more than scanning it.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::path::{self, Step};

/// The values at `paths` in the JSON `body` (one slot per path; `None` where the path finds
/// nothing), or the JSON error when `body` is not one valid JSON value.
pub fn capture(body: &[u8], paths: &[&'static [Step]]) -> Result<Vec<Option<Value>>, serde_json::Error> {
    let mut out = vec![None; paths.len()];
    let mut de = serde_json::Deserializer::from_slice(body);
    let active: Vec<usize> = (0..paths.len()).collect();
    Node { paths, active, depth: 0, out: &mut out }.deserialize(&mut de)?;
    de.end()?;
    Ok(out)
}

/// A position in the body, with the paths that go through it.
struct Node<'a> {
    paths: &'a [&'static [Step]],
    /// Indexes of the paths whose first `depth` steps lead here.
    active: Vec<usize>,
    depth: usize,
    out: &'a mut Vec<Option<Value>>,
}

impl<'de> DeserializeSeed<'de> for Node<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        if self.active.is_empty() {
            IgnoredAny::deserialize(d)?;
            return Ok(());
        }
        // A later duplicate key replaces what an earlier one captured (as in a full parse).
        for &i in &self.active {
            self.out[i] = None;
        }
        if self.active.iter().any(|&i| self.paths[i].len() == self.depth) {
            // A path ends here: keep this value, and read the deeper paths from it.
            let value = Value::deserialize(d)?;
            for &i in &self.active {
                self.out[i] = path::get(&value, &self.paths[i][self.depth..]).cloned();
            }
            return Ok(());
        }
        d.deserialize_any(self)
    }
}

use serde::Deserialize as _;

impl Node<'_> {
    fn child(&mut self, step: impl Fn(&Step) -> bool) -> Node<'_> {
        let depth = self.depth;
        let active = self.active.iter().copied().filter(|&i| step(&self.paths[i][depth])).collect();
        Node { paths: self.paths, active, depth: depth + 1, out: self.out }
    }
}

impl<'de> Visitor<'de> for Node<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key_seed(Key)? {
            let child = self.child(|s| matches!(s, Step::Field(name) if *name == key.as_str()));
            map.next_value_seed(child)?;
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0usize;
        loop {
            let child = self.child(|s| matches!(s, Step::Index(i) if *i == index));
            if seq.next_element_seed(child)?.is_none() {
                return Ok(());
            }
            index += 1;
        }
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Ok(())
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
}

/// An object key, borrowed from the body when it has no escapes.
enum KeyText<'de> {
    Borrowed(&'de str),
    Owned(String),
}

impl KeyText<'_> {
    fn as_str(&self) -> &str {
        match self {
            KeyText::Borrowed(s) => s,
            KeyText::Owned(s) => s,
        }
    }
}

struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = KeyText<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<KeyText<'de>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = KeyText<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<KeyText<'de>, E> {
        Ok(KeyText::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<KeyText<'de>, E> {
        Ok(KeyText::Owned(v.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const A_B: &[Step] = &[Step::Field("a"), Step::Field("b")];
    const A: &[Step] = &[Step::Field("a")];
    const LIST_1_ID: &[Step] = &[Step::Field("list"), Step::Index(1), Step::Field("id")];
    const ESCAPED: &[Step] = &[Step::Field("k\"ey")];
    const ROOT: &[Step] = &[];
    const MISSING: &[Step] = &[Step::Field("a"), Step::Field("b"), Step::Field("c")];

    #[test]
    fn captures_the_paths_and_agrees_with_a_full_parse() {
        let body =
            br#"{"skip": {"deep": [1, 2, {"x": null}]}, "a": {"b": 7, "c": "x"}, "list": [{"id": 1}, {"id": "two"}], "k\"ey": true}"#;
        let paths = [A_B, A, LIST_1_ID, ESCAPED, ROOT, MISSING];
        let out = capture(body, &paths).expect("valid JSON");
        let full: Value = serde_json::from_slice(body).expect("valid JSON");
        for (i, p) in paths.iter().enumerate() {
            assert_eq!(out[i].as_ref(), path::get(&full, p), "path {}", path::display(p));
        }
        assert_eq!(out[0], Some(json!(7)));
        assert_eq!(out[2], Some(json!("two")));
        assert_eq!(out[5], None);
    }

    #[test]
    fn rejects_what_is_not_one_json_value() {
        for bad in [&b""[..], b"{", b"{} {}", b"[1,]", b"nope", b"\xff"] {
            assert!(capture(bad, &[A]).is_err(), "{bad:?}");
        }
        assert_eq!(capture(b" [1] ", &[A]).expect("valid").as_slice(), &[None]);
    }

    #[test]
    fn the_last_of_duplicate_keys_wins_as_in_a_full_parse() {
        let out = capture(br#"{"a": 1, "a": 2}"#, &[A]).expect("valid");
        assert_eq!(out[0], Some(json!(2)));
        let out = capture(br#"{"a": {"b": 1}, "a": 2}"#, &[A_B]).expect("valid");
        assert_eq!(out[0], None);
    }
}
