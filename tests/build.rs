//! Generates the connector of every example definition (and test fixture) into `OUT_DIR` (the build-script mode),
//! so the end-to-end tests call real generated code.

use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::env::var("OUT_DIR").unwrap_or_default();
    let dirs = [root.join("../examples/definitions"), root.join("fixtures")];
    for dir in &dirs {
        println!("cargo:rerun-if-changed={}", dir.display());
    }
    let mut entries: Vec<_> = dirs.iter().flat_map(|d| std::fs::read_dir(d).into_iter().flatten().flatten().map(|e| e.path())).collect();
    entries.sort();
    for path in entries.iter().filter(|p| p.extension().is_some_and(|e| e == "json")) {
        println!("cargo:rerun-if-changed={}", path.display());
        let bytes = std::fs::read(path).unwrap_or_default();
        let stem = path.file_stem().map(|s| s.to_string_lossy().replace('-', "_")).unwrap_or_default();
        match miniapp_compiler::generate(&bytes, &miniapp_compiler::Options::default()) {
            Ok(generated) => {
                let _ = std::fs::write(Path::new(&out).join(format!("{stem}.rs")), generated.code);
            }
            Err(report) => {
                let name = path.display().to_string();
                let checked = miniapp_compiler::render::Checked { file: &name, report: &report };
                eprintln!("{}", miniapp_compiler::render::human(&checked, false));
                std::process::exit(1);
            }
        }
    }
}
