//! [`Generator`]: code generation from a build script, with the same options as the CLI and the
//! macros.
//!
//! In `build.rs`:
//!
//! ```no_run
//! if let Err(e) = miniapp_compiler::Generator::new().definition("definitions/acme-shop.json").generate() {
//!     eprintln!("{e}");
//!     std::process::exit(1);
//! }
//! ```
//!
//! and in `src/lib.rs`: `mod acme_shop { include!(concat!(env!("OUT_DIR"), "/acme_shop.rs")); }`.
//!
//! A definition's samples (`definitions/acme-shop.samples/`, or the folder given with
//! [`Generator::samples`]) check its paths and type its outputs; editing one reruns the build
//! script.

use std::fmt;
use std::path::{Path, PathBuf};

use crate::render::{self, Checked};
use crate::{Options, names};

/// Generates connector modules into `OUT_DIR` (or another directory) from a build script.
#[derive(Clone, Debug, Default)]
pub struct Generator {
    /// Each definition, with its samples folder when one is given.
    definitions: Vec<(PathBuf, Option<PathBuf>)>,
    /// `samples` was called before any definition.
    stray_samples: bool,
    options: Options,
    deny_warnings: bool,
    out_dir: Option<PathBuf>,
    base_dir: Option<PathBuf>,
}

/// Why generation failed; its `Display` is the rustc-style rendering of every diagnostic.
#[derive(Debug)]
pub struct GenerateError {
    rendered: String,
}

impl fmt::Display for GenerateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.rendered)
    }
}

impl std::error::Error for GenerateError {}

impl Generator {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a definition; a relative path resolves against `CARGO_MANIFEST_DIR`. The module is
    /// written to `<out>/<file stem with - as _>.rs`.
    pub fn definition(mut self, path: impl Into<PathBuf>) -> Self {
        self.definitions.push((path.into(), None));
        self
    }

    /// The samples folder of the definition added last (docs/format.md §17), instead of its
    /// conventional `<stem>.samples/` folder (used when it exists); a relative path resolves like
    /// the definition's.
    pub fn samples(mut self, dir: impl Into<PathBuf>) -> Self {
        match self.definitions.last_mut() {
            Some((_, samples)) => *samples = Some(dir.into()),
            None => self.stray_samples = true,
        }
        self
    }

    /// Applies the partner-submission review rules too.
    pub fn submission(mut self, yes: bool) -> Self {
        self.options.submission = yes;
        self
    }

    /// Fails on warnings as well as errors.
    pub fn deny_warnings(mut self, yes: bool) -> Self {
        self.deny_warnings = yes;
        self
    }

    /// Writes here instead of `OUT_DIR`.
    pub fn out_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.out_dir = Some(dir.into());
        self
    }

    /// Resolves relative definition paths here instead of `CARGO_MANIFEST_DIR`.
    pub fn base_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.base_dir = Some(dir.into());
        self
    }

    /// Generates every definition, prints `cargo:rerun-if-changed` for each, and returns the
    /// written files. All definitions are checked before any error is returned.
    pub fn generate(self) -> Result<Vec<PathBuf>, GenerateError> {
        let base = self.base_dir.or_else(|| std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from)).unwrap_or_default();
        let Some(out_dir) = self.out_dir.or_else(|| std::env::var_os("OUT_DIR").map(PathBuf::from)) else {
            return Err(GenerateError { rendered: "error: no output directory (OUT_DIR is not set; call `out_dir`)".into() });
        };
        let mut written = Vec::new();
        let mut rendered = String::new();
        if self.stray_samples {
            rendered.push_str("error: `Generator::samples` names the samples of the definition added before it; call `definition` first\n");
        }
        let resolve = |p: &PathBuf| if p.is_absolute() { p.clone() } else { base.join(p) };
        for (definition, samples) in &self.definitions {
            let path = resolve(definition);
            println!("cargo:rerun-if-changed={}", path.display());
            let shown = definition.display().to_string();
            let bytes = match std::fs::read(&path) {
                Ok(bytes) => bytes,
                Err(e) => {
                    rendered.push_str(&format!("error: cannot read `{}`: {e}\n", path.display()));
                    continue;
                }
            };
            let samples_dir = samples.as_ref().map(resolve);
            let samples = match crate::samples::for_definition(&path, samples_dir.as_deref()) {
                Ok(samples) => samples,
                Err(e) => {
                    rendered.push_str(&format!("error: {e}\n"));
                    continue;
                }
            };
            if samples.is_some() {
                // Cargo scans a folder for changes to any file in it.
                let dir = samples_dir.unwrap_or_else(|| crate::samples::conventional_dir(&path));
                println!("cargo:rerun-if-changed={}", dir.display());
            }
            let options = Options { samples: samples.map(std::sync::Arc::new), ..self.options.clone() };
            let result = crate::generate(&bytes, &options);
            let report = match &result {
                Ok(g) => &g.report,
                Err(report) => report,
            };
            let failed = result.is_err() || (self.deny_warnings && !report.diagnostics.is_empty());
            if failed {
                rendered.push_str(&render::human(&Checked { file: &shown, report }, false));
                rendered.push_str(&render::summary(&Checked { file: &shown, report }));
                rendered.push('\n');
                continue;
            }
            let Ok(generated) = result else { continue };
            for d in &generated.report.diagnostics {
                println!("cargo:warning={}: {} [{}]", shown, d.message, d.code.id);
            }
            let file = out_dir.join(format!("{}.rs", module_name(&path)));
            if let Err(e) = std::fs::write(&file, &generated.code) {
                rendered.push_str(&format!("error: cannot write `{}`: {e}\n", file.display()));
                continue;
            }
            written.push(file);
        }
        if rendered.is_empty() { Ok(written) } else { Err(GenerateError { rendered }) }
    }
}

/// `definitions/acme-shop.json` → `acme_shop`.
pub fn module_name(path: &Path) -> String {
    names::snake(&path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default())
}
