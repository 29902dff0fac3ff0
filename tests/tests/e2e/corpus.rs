//! Corpus tests: every example definition checks clean; every invalid file yields exactly its
//! expected diagnostic (its file name starts with the code) at the position pinned in
//! `corpus/invalid.expected`, with the help lines pinned in `corpus/help.expected` (every
//! diagnostic says what to do). Regenerate the snapshots with `MINIAPP_BLESS=1 cargo test`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may panic: that is how it fails

use std::fs;
use std::path::{Path, PathBuf};

use miniapp_compiler::{Options, Report, check, codes};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .expect("corpus directory")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}

fn name(path: &Path) -> String {
    path.file_name().expect("file name").to_string_lossy().into_owned()
}

/// A corpus file's samples: its `<name>.samples/` folder, when there is one.
fn samples_of(path: &Path) -> Option<std::sync::Arc<miniapp_compiler::samples::Samples>> {
    miniapp_compiler::samples::for_definition(path, None).expect("readable samples").map(std::sync::Arc::new)
}

fn check_file(path: &Path) -> Report {
    let submission = name(path).contains(".submission.");
    check(&fs::read(path).expect("readable corpus file"), &Options { submission, samples: samples_of(path) })
}

/// `CODE@line:col` for every diagnostic.
fn positions(report: &Report) -> Vec<String> {
    let map = report.source_map();
    report
        .diagnostics
        .iter()
        .map(|d| {
            let at = map.line_col(d.span.start);
            format!("{}@{}:{}", d.code.id, at.line, at.column)
        })
        .collect()
}

#[test]
fn every_example_definition_checks_clean_and_builds_the_model() {
    let files = json_files(&root().join("examples/definitions"));
    assert!(files.len() >= 6, "expected at least 6 example definitions");
    for path in files {
        let report = check_file(&path);
        assert!(report.diagnostics.is_empty(), "{}: {:?}", name(&path), positions(&report));
        let def = report.definition.unwrap_or_else(|| panic!("{}: no model", name(&path)));
        assert_eq!(path.file_stem().map(|s| s.to_string_lossy().into_owned()), Some(def.ns.clone()), "file name is the ns");
    }
}

#[test]
fn every_invalid_file_yields_exactly_its_code_at_the_snapshot_position() {
    let dir = root().join("tests/corpus/invalid");
    let mut snapshot = String::new();
    let mut wrong = Vec::new();
    for path in json_files(&dir) {
        let file = name(&path);
        let expected = file.split('-').next().expect("code prefix");
        let report = check_file(&path);
        let found = positions(&report);
        if found.is_empty() || report.diagnostics.iter().any(|d| d.code.id != expected) {
            wrong.push(format!("{file}: expected only {expected}, found {found:?}"));
        }
        if expected.starts_with('E') && report.definition.is_some() {
            wrong.push(format!("{file}: an error must not build a model"));
        }
        snapshot.push_str(&format!("{file}: {}\n", found.join(" ")));
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    compare_snapshot("tests/corpus/invalid.expected", &snapshot);
}

/// Compares `snapshot` with the file at `rel`, or writes it under `MINIAPP_BLESS`.
fn compare_snapshot(rel: &str, snapshot: &str) {
    let snap_path = root().join(rel);
    if std::env::var_os("MINIAPP_BLESS").is_some() {
        fs::write(&snap_path, snapshot).expect("write snapshot");
    }
    let expected = fs::read_to_string(&snap_path).expect("snapshot exists (bless with MINIAPP_BLESS=1)");
    if expected != snapshot {
        let diff: Vec<String> = expected
            .lines()
            .zip(snapshot.lines())
            .filter(|(a, b)| a != b)
            .map(|(a, b)| format!("- {a}\n+ {b}"))
            .chain((expected.lines().count() != snapshot.lines().count()).then(|| "(the number of lines changed)".to_string()))
            .collect();
        panic!("{rel} changed (bless with MINIAPP_BLESS=1):\n{}", diff.join("\n"));
    }
}

#[test]
fn every_invalid_file_says_what_to_do() {
    let mut snapshot = String::new();
    let mut silent = Vec::new();
    for path in json_files(&root().join("tests/corpus/invalid")) {
        let file = name(&path);
        let report = check_file(&path);
        let map = report.source_map();
        for d in &report.diagnostics {
            let at = map.line_col(d.span.start);
            if d.help.is_empty() {
                silent.push(format!("{file}: {}@{}:{} {}", d.code.id, at.line, at.column, d.message));
            }
            for help in &d.help {
                snapshot.push_str(&format!("{file}: {}@{}:{}: {help}\n", d.code.id, at.line, at.column));
            }
        }
    }
    assert!(silent.is_empty(), "diagnostics without a help line:\n{}", silent.join("\n"));
    compare_snapshot("tests/corpus/help.expected", &snapshot);
}

#[test]
fn every_rule_code_has_an_invalid_corpus_file() {
    let files: Vec<String> = json_files(&root().join("tests/corpus/invalid")).iter().map(|p| name(p)).collect();
    let missing: Vec<&str> = codes::ALL.iter().map(|c| c.id).filter(|id| !files.iter().any(|f| f.starts_with(&format!("{id}-")))).collect();
    assert!(missing.is_empty(), "codes without an invalid corpus file: {missing:?}");
}

#[test]
fn several_independent_defects_are_all_reported_in_one_run() {
    let text = fs::read_to_string(root().join("examples/definitions/acme-shop.json")).expect("example");
    let edits = [
        ("\"category\": \"ecommerce\"", "\"category\": \"shop\""), // schema enum
        // A cross-reference; the source it meant is not also reported unused (a follow-on).
        ("\"x-source\": \"rpc_order_statuses\"", "\"x-source\": \"rpc_order_status\""),
        ("\"event\": \"cart.abandoned\"", "\"event\": \"order.placed\""), // duplicate trigger (+ handler loses its trigger)
        ("\"value\": \"$.results[0].id\"", "\"value\": \"$.results[*].id\""), // path syntax
        ("\"grant_type\": \"{{grant_type}}\"", "\"grant_type\": \"{{grant type}}\""), // placeholder syntax
        ("\"defaultLimit\": 100, \"maxLimit\": 250", "\"defaultLimit\": 500, \"maxLimit\": 250"), // sync constraint
    ];
    let mut broken = text.clone();
    for (old, new) in edits {
        assert_eq!(broken.matches(old).count(), 1, "{old}");
        broken = broken.replace(old, new);
    }
    let report = check(broken.as_bytes(), &Options::default());
    let mut found: Vec<&str> = report.diagnostics.iter().map(|d| d.code.id).collect();
    found.sort();
    assert_eq!(found, ["E0105", "E0306", "E0405", "E0410", "E0502", "E0604", "E0607"], "{:?}", positions(&report));
    // In document order.
    let starts: Vec<usize> = report.diagnostics.iter().map(|d| d.span.start).collect();
    assert!(starts.windows(2).all(|w| w[0] <= w[1]));
}

#[test]
fn the_benchmark_definition_checks_clean() {
    let report = check(&fs::read(root().join("compiler/benches/data/sixty-actions.json")).expect("bench data"), &Options::default());
    assert!(report.diagnostics.is_empty(), "{:?}", positions(&report));
    assert_eq!(report.definition.map(|d| d.actions.len()), Some(60));
}

/// Every key the schema declares, with the `$defs` entry it belongs to.
fn declared_keys(value: &serde_json::Value, def: &str, out: &mut Vec<(String, String)>) {
    match value {
        serde_json::Value::Object(map) => {
            if let Some(serde_json::Value::Object(props)) = map.get("properties") {
                out.extend(props.keys().map(|k| (def.to_string(), k.clone())));
            }
            for (k, v) in map {
                if k != "properties" || v.get("type").is_none() {
                    declared_keys(v, def, out);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| declared_keys(v, def, out)),
        _ => {}
    }
}

fn used_keys(value: &serde_json::Value, out: &mut std::collections::BTreeSet<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                out.insert(k.clone());
                used_keys(v, out);
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| used_keys(v, out)),
        _ => {}
    }
}

#[test]
fn the_examples_together_use_every_field_of_the_format() {
    // Fields that a clean example cannot carry: deprecated or Karzoun-internal blocks, and
    // `timestampHeader`, whose undocumented semantics always earn a warning (docs/decisions.md).
    const EXEMPT: &[&str] = &["provisioning", "ecommerce", "merchantExtraction", "uninstallEvents", "timestampHeader"];
    let schema = miniapp_compiler::schema::schema_json();
    let mut declared = Vec::new();
    declared_keys(&serde_json::json!({ "properties": schema["properties"] }), "root", &mut declared);
    for (name, def) in schema["$defs"].as_object().expect("$defs") {
        // The parameter schemas accept all of standard JSON Schema; only the keywords docs/format.md
        // documents are required to appear.
        if name == "parameterProperty" || name == "parameters" {
            let documented = ["type", "title", "description", "enum", "default", "x-source", "x-fallback", "properties", "required"];
            declared.extend(documented.iter().map(|k| (name.clone(), k.to_string())));
        } else {
            declared_keys(def, name, &mut declared);
        }
    }
    let mut used = std::collections::BTreeSet::new();
    for path in json_files(&root().join("examples/definitions")) {
        let value: serde_json::Value = serde_json::from_slice(&fs::read(&path).expect("example")).expect("example json");
        used_keys(&value, &mut used);
    }
    let missing: Vec<String> =
        declared.iter().filter(|(_, k)| !EXEMPT.contains(&k.as_str()) && !used.contains(k)).map(|(d, k)| format!("{d}.{k}")).collect();
    assert!(missing.is_empty(), "no example uses: {missing:?}");
}
