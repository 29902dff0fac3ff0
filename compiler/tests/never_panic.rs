//! The checker never panics on input, and every rejection is a located diagnostic.
//!
//! Three generators: arbitrary bytes, JSON-shaped noise, and random mutations (structural and
//! textual) of the valid example definitions. `MINIAPP_FUZZ_CASES` sets the number of cases per
//! generator (default 256); run e.g. `MINIAPP_FUZZ_CASES=20000 cargo test --release --test never_panic`
//! for a long run.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may panic: that is how it fails

use std::sync::OnceLock;

use miniapp_compiler::render::{self, Checked};
use miniapp_compiler::{Options, check};
use proptest::prelude::*;
use serde_json::Value;

fn cases() -> u32 {
    std::env::var("MINIAPP_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256)
}

fn examples() -> &'static [String] {
    static EXAMPLES: OnceLock<Vec<String>> = OnceLock::new();
    EXAMPLES.get_or_init(|| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/definitions");
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .expect("examples")
            .map(|e| e.expect("entry").path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        files.iter().map(|p| std::fs::read_to_string(p).expect("example text")).collect()
    })
}

/// acme-shop's samples, checked against every input: mutated paths and mappings are walked
/// through them and typed from them.
fn samples() -> Option<std::sync::Arc<miniapp_compiler::samples::Samples>> {
    static SAMPLES: OnceLock<Option<std::sync::Arc<miniapp_compiler::samples::Samples>>> = OnceLock::new();
    SAMPLES
        .get_or_init(|| {
            let definition = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/definitions/acme-shop.json");
            miniapp_compiler::samples::for_definition(&definition, None).expect("the samples").map(std::sync::Arc::new)
        })
        .clone()
}

/// The invariants every input must satisfy.
fn assert_well_behaved(bytes: &[u8], submission: bool) -> Result<(), TestCaseError> {
    let report = check(bytes, &Options { submission, samples: samples() });
    let len = report.text.len();
    let map = report.source_map();
    for d in &report.diagnostics {
        prop_assert!(d.span.start <= d.span.end && d.span.end <= len, "{} span {:?} outside 0..{len}", d.code.id, d.span);
        for l in &d.labels {
            prop_assert!(l.span.start <= l.span.end && l.span.end <= len);
        }
        let (start, end) = d.location(&map);
        prop_assert!(start.line >= 1 && start.column >= 1 && end >= start);
        prop_assert!(!d.message.contains("cannot be read into the model"), "schema and model disagree: {}", d.message);
    }
    prop_assert_eq!(
        report.has_errors(),
        report.definition.is_none(),
        "an error if and only if no model: {:?}",
        report.diagnostics.first().map(|d| &d.message)
    );
    if !report.has_errors() {
        // A definition that checks clean always generates (parseable, formatted) Rust.
        let generated = miniapp_compiler::generate(bytes, &Options { submission, samples: samples() });
        prop_assert!(generated.is_ok(), "generation failed: {:?}", generated.err().map(|r| r.diagnostics));
    }
    let checked = Checked { file: "fuzz.json", report: &report };
    let _ = render::human(&checked, true);
    let _ = render::json(std::slice::from_ref(&checked));
    let _ = render::sarif(std::slice::from_ref(&checked));
    Ok(())
}

/// Interesting leaf values: placeholders, paths, edge numbers, odd strings.
fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Value::from),
        prop::sample::select(vec![
            "",
            "{{",
            "[[x",
            "}}",
            "{{a}}",
            "[[accessToken]]",
            "{{ x }}",
            "$",
            "$..a",
            "$.a[*]",
            "a.b[0]",
            "[-1]",
            "Basic [[k]]",
            "miniapps:",
            "rpc_",
            "oauth2",
            "apikey",
            "hmac-sha256",
            "none",
            "function",
            "coalesce",
            "compute",
            "{id}",
            "é✓",
            "\u{0}",
            "https://",
            "http://x",
            // Escapes before placeholders: decoded offsets no longer match source offsets.
            "say \"hi\" {{a}}",
            "\\n[[k]] {{a}}",
            "\u{e9}{{a}}}}",
            "tab\t{{ x }} {id}",
            "1.0.0",
            "x:y",
            "$.a.b",
            "GET",
            "PATCH",
            "upsert",
            "order",
            "\\",
            "\"",
        ])
        .prop_map(|s| Value::String(s.to_string())),
        "[\\PC]{0,12}".prop_map(Value::String),
    ]
}

fn random_json() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::vec(("[a-zA-Z_]{1,10}", inner), 0..4).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

/// A structural edit, addressed by random choices while walking down the tree.
#[derive(Debug, Clone)]
enum Edit {
    Delete,
    Replace(Value),
    Insert(String, Value),
}

fn edit() -> impl Strategy<Value = (Vec<usize>, Edit)> {
    let kind = prop_oneof![
        Just(Edit::Delete),
        random_json().prop_map(Edit::Replace),
        ("[a-zA-Z_$-]{1,12}", random_json()).prop_map(|(k, v)| Edit::Insert(k, v)),
    ];
    (prop::collection::vec(any::<usize>(), 0..7), kind)
}

fn apply(value: &mut Value, path: &[usize], edit: &Edit) {
    let children = match value {
        Value::Object(m) => m.len(),
        Value::Array(a) => a.len(),
        _ => 0,
    };
    if let (Some((&first, rest)), true) = (path.split_first(), children > 0) {
        let i = first % children;
        let (child_is_leaf_target, child) = match value {
            Value::Object(m) => (rest.is_empty(), m.values_mut().nth(i)),
            Value::Array(a) => (rest.is_empty(), a.get_mut(i)),
            _ => (false, None),
        };
        if child_is_leaf_target && matches!(edit, Edit::Delete) {
            match value {
                Value::Object(m) => {
                    let key = m.keys().nth(i).cloned().unwrap_or_default();
                    m.shift_remove(&key);
                }
                Value::Array(a) => {
                    a.remove(i);
                }
                _ => {}
            }
            return;
        }
        if let Some(child) = child {
            return apply(child, rest, edit);
        }
    }
    match (edit, value) {
        (Edit::Insert(k, v), Value::Object(m)) => {
            m.insert(k.clone(), v.clone());
        }
        (Edit::Insert(_, v), Value::Array(a)) => a.push(v.clone()),
        (Edit::Replace(v), target) | (Edit::Insert(_, v), target) => *target = v.clone(),
        (Edit::Delete, target) => *target = Value::Null,
    }
}

/// A textual edit at a random byte position.
#[derive(Debug, Clone)]
enum TextEdit {
    Truncate,
    Insert(String),
    Remove(usize),
    DuplicateLine,
}

fn text_edit() -> impl Strategy<Value = (usize, TextEdit)> {
    let kind = prop_oneof![
        Just(TextEdit::Truncate),
        prop::sample::select(vec![
            "{",
            "}",
            "[",
            "]",
            ",",
            ":",
            "\"",
            "//",
            "/*",
            "\\",
            "'",
            "\n",
            "\u{feff}",
            "é",
            "\"k\": 1,",
            "{{",
            "]]"
        ])
        .prop_map(|s| TextEdit::Insert(s.to_string())),
        (1usize..40).prop_map(TextEdit::Remove),
        Just(TextEdit::DuplicateLine),
    ];
    (any::<usize>(), kind)
}

fn apply_text(text: &str, at: usize, edit: &TextEdit) -> Vec<u8> {
    let mut at = at % (text.len() + 1);
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let (head, tail) = text.split_at(at);
    match edit {
        TextEdit::Truncate => head.as_bytes().to_vec(),
        TextEdit::Insert(s) => format!("{head}{s}{tail}").into_bytes(),
        TextEdit::Remove(n) => {
            let mut out = head.as_bytes().to_vec();
            out.extend_from_slice(&tail.as_bytes()[(*n).min(tail.len())..]);
            out
        }
        TextEdit::DuplicateLine => {
            let start = head.rfind('\n').map_or(0, |i| i + 1);
            let end = tail.find('\n').map_or(text.len(), |i| at + i + 1);
            format!("{}{}", &text[..end], &text[start..]).into_bytes()
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..1024), submission in any::<bool>()) {
        assert_well_behaved(&bytes, submission)?;
    }

    #[test]
    fn json_shaped_noise(text in "[\\[\\]{}\":,0-9a-z$\\\\ \\n'/*.eE+-]{0,400}") {
        assert_well_behaved(text.as_bytes(), false)?;
    }

    #[test]
    fn random_json_documents(value in random_json()) {
        assert_well_behaved(value.to_string().as_bytes(), false)?;
    }

    #[test]
    fn structurally_mutated_examples(which in any::<usize>(), edits in prop::collection::vec(edit(), 1..4), submission in any::<bool>()) {
        let examples = examples();
        let mut value: Value = serde_json::from_str(&examples[which % examples.len()]).expect("example parses");
        for (path, e) in &edits {
            apply(&mut value, path, e);
        }
        let text = serde_json::to_string_pretty(&value).expect("serialise");
        assert_well_behaved(text.as_bytes(), submission)?;
    }

    #[test]
    fn textually_mutated_examples(which in any::<usize>(), edits in prop::collection::vec(text_edit(), 1..3)) {
        let examples = examples();
        let mut bytes = examples[which % examples.len()].clone().into_bytes();
        for (at, e) in &edits {
            bytes = apply_text(&String::from_utf8_lossy(&bytes), *at, e);
        }
        assert_well_behaved(&bytes, false)?;
    }
}
