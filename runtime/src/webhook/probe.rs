//! One pass over a delivery's body that validates it as JSON and captures only the values at a
//! fixed set of paths (parsed by the compiler). Everything no path leads to is skipped by the
//! reader's validating scanner, so a large payload costs little more than scanning it.
//!
//! A path can also ask only whether an object is there ([`Capture::Object`]), e.g. a customer's
//! base path whose fields are captured by their own paths: then nothing is built for it.

use serde_json::Value;

pub use crate::reader::Error;
use crate::reader::{self, Kind, Slot, Trie};
use crate::rt::path::Step;

/// What to keep at a path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Capture {
    /// The value.
    Value(&'static [Step]),
    /// Only whether it is an object: an empty object stands for "an object is here".
    Object(&'static [Step]),
}

impl Capture {
    #[cfg(test)]
    fn steps(&self) -> &'static [Step] {
        match self {
            Capture::Value(steps) | Capture::Object(steps) => steps,
        }
    }
}

/// The captures at `paths` in the JSON `body` (one slot per path; `None` where the path finds
/// nothing), or the JSON error when `body` is not one valid JSON value.
pub fn capture(body: &[u8], paths: &[Capture]) -> Result<Vec<Option<Value>>, Error> {
    Probe::new(paths).capture(body)
}

/// A set of captures compiled for the skipping reader (a trie of their steps, so that at each
/// object the reader compares a key only with the names that lead somewhere). Build it once per
/// set of paths.
#[derive(Clone, Debug)]
pub struct Probe {
    trie: Trie,
}

impl Probe {
    pub fn new(paths: &[Capture]) -> Self {
        Self::with(paths, |_| true, &[])
    }

    /// `paths` (those `read` keeps: the others' slots stay empty), then `extra` captures (a sync
    /// handler's record), read in the same pass.
    pub(crate) fn with(paths: &[Capture], read: impl Fn(usize) -> bool, extra: &[reader::Capture]) -> Self {
        let captures: Vec<reader::Capture> = paths
            .iter()
            .map(|c| match *c {
                Capture::Value(steps) => reader::Capture { steps, kind: Kind::Value },
                Capture::Object(steps) => reader::Capture { steps, kind: Kind::Object },
            })
            .chain(extra.iter().copied())
            .collect();
        Probe { trie: Trie::reading(&captures, |i| i >= paths.len() || read(i)) }
    }

    /// How many captures this probe makes.
    pub fn len(&self) -> usize {
        self.trie.captures().len()
    }

    pub fn is_empty(&self) -> bool {
        self.trie.captures().is_empty()
    }

    /// Reads `body` once: validated as one JSON value, with the captures taken on the way.
    pub fn capture(&self, body: &[u8]) -> Result<Vec<Option<Value>>, Error> {
        Ok(self.read(body)?.drain(..).map(value).collect())
    }

    /// The captures as the reader leaves them (each in its kind's form).
    pub(crate) fn read(&self, body: &[u8]) -> Result<Slots, Error> {
        let mut slots = Slots::new();
        self.trie.read_document(body, &mut slots)?;
        Ok(slots)
    }

    /// [`Probe::read`] of a delivery's body, which must also read into a `serde_json::Value`
    /// (UTF-8 everywhere, escapes that decode, at most 127 levels deep): a body the receiver
    /// accepts is one the application can read back and serialize.
    pub(crate) fn read_body(&self, body: &[u8]) -> Result<Slots, Error> {
        let mut slots = Slots::new();
        self.trie.read_value_document(body, &mut slots)?;
        Ok(slots)
    }
}

/// A delivery's slots, in a buffer kept by the thread for its next delivery (all absent: what a
/// delivery left in it is dropped when it is returned). A slot is as large as a JSON value (72
/// bytes) and a definition reads a few dozen paths: the buffer is too large for the allocator's
/// fast path, and every delivery needs one.
pub(crate) struct Slots(Vec<Slot>);

thread_local! {
    static POOL: std::cell::RefCell<Vec<Vec<Slot>>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl Slots {
    /// Buffers a thread keeps, and the largest one it keeps.
    const KEPT: usize = 4;
    const KEPT_CAPACITY: usize = 256;

    fn new() -> Self {
        Slots(POOL.try_with(|pool| pool.try_borrow_mut().ok()?.pop()).ok().flatten().unwrap_or_default())
    }
}

impl Drop for Slots {
    fn drop(&mut self) {
        let mut slots = std::mem::take(&mut self.0);
        if slots.capacity() == 0 || slots.capacity() > Self::KEPT_CAPACITY {
            return;
        }
        // Kept absent (what the delivery left is dropped now), so the next one need not write them.
        let len = slots.len();
        reader::reset(&mut slots, len);
        // At thread exit the pool may be gone: the buffer is then freed.
        let _ = POOL.try_with(|pool| {
            if let Ok(mut pool) = pool.try_borrow_mut()
                && pool.len() < Self::KEPT
            {
                pool.push(slots);
            }
        });
    }
}

impl std::ops::Deref for Slots {
    type Target = Vec<Slot>;

    fn deref(&self) -> &Vec<Slot> {
        &self.0
    }
}

impl std::ops::DerefMut for Slots {
    fn deref_mut(&mut self) -> &mut Vec<Slot> {
        &mut self.0
    }
}

/// A rule's captured value: `None` where the path finds nothing.
pub(crate) fn value(slot: Slot) -> Option<Value> {
    match slot {
        Slot::Value(v) => Some(v),
        Slot::Null => Some(Value::Null),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rt::path;
    use serde_json::json;

    const A_B: Capture = Capture::Value(&[Step::Field("a"), Step::Field("b")]);
    const A: Capture = Capture::Value(&[Step::Field("a")]);
    const LIST_1_ID: Capture = Capture::Value(&[Step::Field("list"), Step::Index(1), Step::Field("id")]);
    const ESCAPED: Capture = Capture::Value(&[Step::Field("k\"ey")]);
    const ROOT: Capture = Capture::Value(&[]);
    const MISSING: Capture = Capture::Value(&[Step::Field("a"), Step::Field("b"), Step::Field("c")]);

    #[test]
    fn a_thread_reuses_its_slot_buffers_holding_nothing() {
        let probe = Probe::new(&[A, A_B, MISSING]);
        let first = probe.read(br#"{"a": {"b": "x"}}"#).expect("JSON");
        let buffer = first.as_ptr();
        assert_eq!(first[1], Slot::Value(json!("x")));
        drop(first);
        // Returned to the pool, the buffer holds no value of the delivery.
        let pooled = Slots::new();
        assert_eq!((pooled.as_ptr(), pooled.len()), (buffer, 3));
        assert!(pooled.iter().all(|s| *s == Slot::Absent), "{:?}", *pooled);
        drop(pooled);
        let second = probe.read(br#"{"a": 1}"#).expect("JSON");
        assert_eq!(second.as_ptr(), buffer, "the same buffer");
        assert_eq!(second.len(), 3);
        assert_eq!((&second[1], &second[2]), (&Slot::Absent, &Slot::Absent), "nothing left from the last delivery");
        // A very large buffer is freed, not kept.
        let mut large = Slots::new();
        large.resize(Slots::KEPT_CAPACITY + 1, Slot::Null);
        drop(large);
        assert!(Slots::new().capacity() <= Slots::KEPT_CAPACITY);
    }

    #[test]
    fn captures_the_paths_and_agrees_with_a_full_parse() {
        let body =
            br#"{"skip": {"deep": [1, 2, {"x": null}]}, "a": {"b": 7, "c": "x"}, "list": [{"id": 1}, {"id": "two"}], "k\"ey": true}"#;
        let paths = [A_B, A, LIST_1_ID, ESCAPED, ROOT, MISSING];
        let out = capture(body, &paths).expect("valid JSON");
        let full: Value = serde_json::from_slice(body).expect("valid JSON");
        for (i, p) in paths.iter().enumerate() {
            assert_eq!(out[i].as_ref(), path::get(&full, p.steps()), "path {}", path::display(p.steps()));
        }
        assert_eq!(out[0], Some(json!(7)));
        assert_eq!(out[2], Some(json!("two")));
        assert_eq!(out[5], None);
    }

    const OBJ_A: Capture = Capture::Object(&[Step::Field("a")]);
    const KEY_WITH_ESCAPE: Capture = Capture::Value(&[Step::Field("é"), Step::Field("x")]);
    const X_0: Capture = Capture::Value(&[Step::Field("x"), Step::Index(0)]);

    /// The probe against a full `serde_json` parse of one input: whatever `serde_json` parses, the probe
    /// accepts and captures the same values; whatever `serde_json` cannot even skip, the probe
    /// rejects.
    fn agrees_with_serde_json(body: &[u8]) {
        let paths = [A_B, A, LIST_1_ID, ESCAPED, ROOT, MISSING, OBJ_A, KEY_WITH_ESCAPE, X_0];
        let ours = capture(body, &paths);
        match serde_json::from_slice::<Value>(body) {
            Ok(full) => {
                let out = ours.unwrap_or_else(|e| panic!("{e} for {:?}", String::from_utf8_lossy(body)));
                for (i, p) in paths.iter().enumerate() {
                    let expected = match p {
                        Capture::Value(steps) => path::get(&full, steps).cloned(),
                        Capture::Object(steps) => path::get(&full, steps).filter(|v| v.is_object()).map(|_| json!({})),
                    };
                    assert_eq!(out[i], expected, "{} in {:?}", path::display(p.steps()), String::from_utf8_lossy(body));
                }
            }
            Err(_) if serde_json::from_slice::<serde::de::IgnoredAny>(body).is_err() => {
                assert!(ours.is_err(), "accepted {:?}", String::from_utf8_lossy(body));
            }
            // Valid to skip but not to read (a lone surrogate escape): either answer is fine.
            Err(_) => {}
        }
    }

    #[test]
    fn the_probe_agrees_with_serde_json_on_hand_picked_inputs() {
        for body in [
            &br#"{"a": {"b": [1, 2.5e-3, -0, true, false, null, "s\u00e9\n"]}, "\u00e9": {"x": 1}}"#[..],
            br#"{"x": [[], {}, "", 0.0, 1E+9]}"#,
            br#"  {"a" : 1 , "a" : {"b" : 2} }  "#,
            br#""just a string""#,
            b"12",
            b"-",
            b"01",
            b"1.",
            b"1e",
            b".5",
            b"[1,]",
            b"{\"a\":1,}",
            b"{\"a\" 1}",
            b"{1: 2}",
            b"\"\\x\"",
            b"\"\\u12g4\"",
            b"\"tab\there\"",
            b"\"a\x01b\"",
            b"\"unterminated",
            b"[\"\xc3\xa9\", \"\xf0\x9f\x92\xa9\"]",
            b"[\"\xc3\"]",
            b"nul",
            b"truex",
            b"[1] 2",
            b"",
            b"   ",
            br#"{"a": {"b": 1}, "a": 3}"#,
            br#"{"list": [{"id": 0}, {"id": {"deep": [1]}}]}"#,
            br#""\ud800""#,
            br#"{"a": "\ud83d\udca9"}"#,
        ] {
            agrees_with_serde_json(body);
        }
        // Deep nesting where no path leads is skipped by `serde_json` without recursion; where
        // paths lead, recursion is bounded by the paths' length.
        let deep = "[".repeat(100_000) + &"]".repeat(100_000);
        assert_eq!(capture(deep.as_bytes(), &[A, X_0]).map(|v| v.len()).ok(), Some(2));
        let deep = format!("{{\"x\": {}}}", "[".repeat(100_000) + &"]".repeat(100_000));
        assert!(capture(deep.as_bytes(), &[X_0]).is_err(), "a captured value deeper than serde_json's limit is an error, not a crash");
        let ok = "[".repeat(100) + &"]".repeat(100);
        agrees_with_serde_json(ok.as_bytes());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: crate::test_support::fuzz_cases(2000), ..Default::default() })]

        #[test]
        fn the_probe_agrees_with_serde_json_on_random_json(value in arbitrary_json(), pretty in proptest::bool::ANY) {
            let body = if pretty { serde_json::to_vec_pretty(&value) } else { serde_json::to_vec(&value) };
            agrees_with_serde_json(&body.unwrap_or_default());
        }

        #[test]
        fn the_probe_agrees_with_serde_json_on_json_like_noise(body in "[\\[\\]{}\"\\\\:,aAbx0-9.eE+\\- \\nu\u{e9}]{0,40}") {
            agrees_with_serde_json(body.as_bytes());
        }

        #[test]
        fn the_probe_agrees_with_serde_json_on_mutated_json(value in arbitrary_json(), at in 0usize..200, byte in proptest::num::u8::ANY) {
            let mut body = serde_json::to_vec(&value).unwrap_or_default();
            if !body.is_empty() {
                let i = at % body.len();
                body[i] = byte;
            }
            agrees_with_serde_json(&body);
        }
    }

    fn arbitrary_json() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
            "[a-z\\\"\u{e9}\u{1F4A9}\\n]{0,8}".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::vec(
                    (
                        prop_oneof![
                            Just("a".to_string()),
                            Just("b".to_string()),
                            Just("x".to_string()),
                            Just("list".to_string()),
                            Just("id".to_string()),
                            Just("é".to_string()),
                            "[a-z]{0,3}"
                        ],
                        inner
                    ),
                    0..5
                )
                .prop_map(|members| Value::Object(members.into_iter().collect())),
            ]
        })
    }

    #[test]
    fn more_paths_than_one_pass_holds_are_captured_too() {
        let steps: Vec<&'static [Step]> =
            (0..300).map(|i| &*Box::leak(vec![Step::Field("list"), Step::Index(i)].into_boxed_slice())).collect();
        let paths: Vec<Capture> = steps.into_iter().map(Capture::Value).collect();
        let body = serde_json::to_vec(&json!({"list": (0..250).collect::<Vec<_>>()})).expect("json");
        let out = capture(&body, &paths).expect("valid");
        assert_eq!(out.len(), 300);
        assert_eq!((out[0].clone(), out[249].clone(), out[250].clone()), (Some(json!(0)), Some(json!(249)), None));
        assert_eq!(capture(b"{}", &[]).expect("valid"), []);
        assert!(capture(b"{", &[]).is_err(), "no paths: still validated");
    }

    #[test]
    fn rejects_what_is_not_one_json_value() {
        for bad in [&b""[..], b"{", b"{} {}", b"[1,]", b"nope", b"\xff"] {
            assert!(capture(bad, &[A]).is_err(), "{bad:?}");
        }
        assert_eq!(capture(b" [1] ", &[A]).expect("valid").as_slice(), &[None]);
    }

    #[test]
    fn object_captures_say_only_whether_an_object_is_there() {
        const OBJ_A: Capture = Capture::Object(&[Step::Field("a")]);
        const OBJ_A_B: Capture = Capture::Object(&[Step::Field("a"), Step::Field("b")]);
        let body = br#"{"a": {"b": 7, "c": {"d": 1}}}"#;
        let out = capture(body, &[OBJ_A, A_B, OBJ_A_B]).expect("valid");
        assert_eq!(out, [Some(json!({})), Some(json!(7)), None]);
        // With the whole value captured at the same place, the object capture agrees.
        let out = capture(body, &[A, OBJ_A, OBJ_A_B]).expect("valid");
        assert_eq!(out[1], Some(json!({})));
        assert_eq!(out[2], None);
        assert_eq!(capture(br#"{"a": [1]}"#, &[OBJ_A]).expect("valid"), [None]);
    }

    #[test]
    fn the_last_of_duplicate_keys_wins_as_in_a_full_parse() {
        let out = capture(br#"{"a": 1, "a": 2}"#, &[A]).expect("valid");
        assert_eq!(out[0], Some(json!(2)));
        let out = capture(br#"{"a": {"b": 1}, "a": 2}"#, &[A_B]).expect("valid");
        assert_eq!(out[0], None);
    }
}
