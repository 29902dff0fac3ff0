//! `generated/` holds, for every example definition, the crate `miniapp generate --crate` writes.
//! They are workspace members, so they compile in every CI run, where clippy denies every warning
//! (the crates themselves do not carry `#![deny(warnings)]`: a lint added by a future Rust must not
//! break a user's build); this test regenerates them and fails on any difference. Bless new output with `MINIAPP_BLESS=1`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may panic: that is how it fails

use std::path::{Path, PathBuf};

/// How generated crates depend on the runtime: by path, inside this workspace.
const RUNTIME: &str = "miniapp = { path = \"../../runtime\" }";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn generated_crates_are_up_to_date() {
    let bless = std::env::var_os("MINIAPP_BLESS").is_some();
    let mut definitions: Vec<PathBuf> = std::fs::read_dir(root().join("examples/definitions"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    definitions.sort();
    assert!(
        definitions.iter().any(|d| d.with_extension("samples").is_dir()),
        "an example has samples, so `generated/` shows typed outputs"
    );
    let mut stale = Vec::new();
    for definition in &definitions {
        // As `miniapp generate --crate` does: with the definition's samples folder when it has one.
        let samples = miniapp_compiler::samples::for_definition(definition, None).unwrap().map(std::sync::Arc::new);
        let options = miniapp_compiler::Options { samples, ..Default::default() };
        let generated = miniapp_compiler::generate(&std::fs::read(definition).unwrap(), &options).expect("examples generate");
        let dir = root().join("generated").join(&generated.ir.ns);
        for (rel, text) in miniapp_compiler::scaffold::crate_files(&generated, Some(RUNTIME)) {
            let path = dir.join(&rel);
            if bless {
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, &text).unwrap();
            } else if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
                stale.push(path.strip_prefix(root()).unwrap_or(&path).display().to_string());
            }
        }
    }
    assert!(stale.is_empty(), "generated code changed; review and bless with MINIAPP_BLESS=1:\n{}", stale.join("\n"));
    let crates = std::fs::read_dir(root().join("generated")).unwrap().count();
    assert_eq!(crates, definitions.len(), "one generated crate per example definition, no leftovers");
}
