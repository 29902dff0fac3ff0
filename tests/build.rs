//! Generates the connector of every example definition (and test fixture) into `OUT_DIR`, the
//! build-script way, so the end-to-end tests call real generated code.

use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut generator = miniapp_compiler::Generator::new();
    for dir in [root.join("../examples/definitions"), root.join("fixtures")] {
        println!("cargo:rerun-if-changed={}", dir.display());
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        for file in files {
            generator = generator.definition(file);
        }
    }
    if let Err(e) = generator.deny_warnings(true).generate() {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
