//! `check` and `generate` agree: definitions `check` accepts, made from the examples by putting
//! hostile text into their names, enum values, titles and descriptions (keywords, punctuation,
//! Unicode digits and superscripts, carriage returns, bidirectional overrides), generate code that
//! compiles. The generated modules are built together in a scratch crate with `cargo check`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may panic: that is how it fails

use std::path::Path;
use std::process::Command;

use miniapp_compiler::Options;
use serde_json::Value;

const HOSTILE: &[&str] =
    &["self", "Self", "type", "=", "!=", "a²", "①", "٣abc", "x\ry", "evil\u{202e}txt", "crate", "_", "", "createdAt", "created_at", "r#x"];

/// Every string leaf outside templates and URLs, with its JSON pointer.
fn leaves(value: &Value, pointer: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            map.iter().for_each(|(k, v)| leaves(v, format!("{pointer}/{}", k.replace('~', "~0").replace('/', "~1")), out))
        }
        Value::Array(items) => items.iter().enumerate().for_each(|(i, v)| leaves(v, format!("{pointer}/{i}"), out)),
        Value::String(s) if !s.contains("{{") && !s.contains("[[") && !s.contains("://") && !s.starts_with('$') => out.push(pointer),
        _ => {}
    }
}

#[test]
fn hostile_text_that_checks_clean_generates_code_that_compiles() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut modules = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(root.join("examples/definitions"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    for file in files {
        // With its samples, when it has some: hostile mapping keys then name typed fields.
        let samples = miniapp_compiler::samples::for_definition(&file, None).unwrap().map(std::sync::Arc::new);
        let options = Options { samples, ..Options::default() };
        let original: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        let mut pointers = Vec::new();
        leaves(&original, String::new(), &mut pointers);
        // A deterministic sample: every seventh leaf, each with the next hostile string.
        for (n, pointer) in pointers.iter().enumerate().filter(|(n, _)| n % 7 == 0) {
            let mut mutant = original.clone();
            *mutant.pointer_mut(pointer).unwrap() = Value::String(HOSTILE[n % HOSTILE.len()].to_string());
            let bytes = serde_json::to_vec_pretty(&mutant).unwrap();
            let report = miniapp_compiler::check(&bytes, &options);
            if report.has_errors() {
                continue;
            }
            let generated = miniapp_compiler::generate(&bytes, &options)
                .unwrap_or_else(|r| panic!("{pointer} of {}: check accepted, generate refused: {:?}", file.display(), r.diagnostics));
            modules.push((format!("{}{pointer}", file.file_name().unwrap().to_string_lossy()), generated.code));
        }
    }
    assert!(modules.len() >= 20, "a meaningful sample: {} accepted mutants", modules.len());

    let dir = std::env::temp_dir().join(format!("miniapp-mutants-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("src")).unwrap();
    let runtime = root.join("runtime").canonicalize().unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"mutants\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[dependencies]\nminiapp = {{ path = {:?}, default-features = false }}\n\n[workspace]\n",
            runtime.to_string_lossy()
        ),
    )
    .unwrap();
    let mut lib = String::from("#![deny(warnings)]\n");
    for (i, (origin, code)) in modules.iter().enumerate() {
        std::fs::write(dir.join(format!("src/m{i}.rs")), code).unwrap();
        lib.push_str(&format!("/// From {}\npub mod m{i} {{ include!(\"m{i}.rs\"); }}\n", origin.escape_default()));
    }
    std::fs::write(dir.join("src/lib.rs"), lib).unwrap();
    // A target directory of its own (a nested build cannot share the workspace's). The runtime
    // without its default features: generated code needs neither the macros nor TLS, the costliest
    // dependencies to check from nothing.
    let target = root.join("target").join("tests").join("mutants");
    let output = Command::new(env!("CARGO"))
        .args(["check", "--quiet", "--offline"])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", target)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let _ = std::fs::remove_dir_all(&dir);
}
