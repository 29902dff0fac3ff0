//! `miniapp-compiler`: reads a Karzoun MiniApp definition and tells its author, precisely,
//! everything that is wrong with it; later stages turn a valid one into typed Rust code.
//!
//! The pipeline:
//! bytes → [`syntax`] (the spanned JSON tree, templates, paths) → [`schema`] (structural
//! validation) → [`check`](mod@check) (the semantic rules of docs/format.md §15, building the resolved view
//! [`facts`]) → [`model`] (typed, normalised definition) → [`ir`] (lowered from the facts) →
//! [`codegen`] (one emitter per block into one output space) → [`emit`] (formatted module, crate).
//! With [`samples`] of the provider's data, the checks resolve every data path against them and
//! lowering types outputs and records from what the paths find.
//! Diagnostics and their codes are in [`diagnostics`]; every generated name comes from [`names`].
//!
//! The library never panics on input and never touches `proc_macro`: the CLI, the macros and build
//! scripts all call [`check()`] with the same [`Options`].

pub mod check;
pub mod codegen;
pub mod diagnostics;
pub mod emit;
pub mod ir;
pub mod model;
pub mod names;
pub mod samples;
pub mod schema;
pub mod syntax;

pub use check::facts;
pub use diagnostics::diagnostic::{Diagnostic, Severity};
use diagnostics::suggest;
pub use diagnostics::{codes, diagnostic, render};
pub use emit::{GenerateError, Generator, module_name, scaffold};
pub use syntax::{path, pointer, source, template};

/// Options shared by every front end.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Add the review rules that apply only to a partner submission (docs/format.md §14, §15 rules 3,
    /// 9, 13, 63 (`compute`)).
    pub submission: bool,
    /// The provider's data (docs/format.md §17): every path that reads it is checked against it,
    /// and outputs and records are typed from it.
    pub samples: Option<std::sync::Arc<samples::Samples>>,
}

/// The outcome of checking one definition.
#[derive(Debug)]
pub struct Report {
    /// The source text (invalid UTF-8 replaced, for rendering).
    pub text: String,
    /// Every diagnostic, in document order.
    pub diagnostics: Vec<Diagnostic>,
    /// The typed definition, when there are no errors.
    pub definition: Option<Box<model::Definition>>,
    /// What the checks worked out about the definition, for lowering (built by [`generate`]).
    pub facts: Option<Box<facts::Facts>>,
}

impl Report {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics.iter().filter(|d| d.severity == severity).count()
    }

    pub fn source_map(&self) -> source::SourceMap<'_> {
        source::SourceMap::new(&self.text)
    }
}

/// Generated Rust code and the warnings found on the way.
#[derive(Debug)]
pub struct Generated {
    /// One formatted Rust module (items only, no inner attributes), ready for `include!`.
    pub code: String,
    /// What the code was generated from.
    pub ir: ir::Ir,
    /// The check report (warnings only).
    pub report: Report,
}

/// Checks a definition and, when it has no errors, generates its Rust module. On errors, returns
/// the report with every diagnostic.
pub fn generate(bytes: &[u8], options: &Options) -> Result<Generated, Report> {
    let mut report = analyze(bytes, options, true);
    let (Some(definition), Some(facts)) = (&report.definition, &report.facts) else { return Err(report) };
    match ir::lower(definition, facts).and_then(|ir| emit::format(&ir).map(|code| (code, ir))) {
        Ok((code, ir)) => Ok(Generated { code, ir, report }),
        Err(message) => {
            // The checks accept only what generation supports; reaching this is a compiler bug.
            report.diagnostics.push(
                Diagnostic::new(codes::E0013, message, "", source::Span::default())
                    .with_help("the definition passed every check but could not be compiled: this is a miniapp-rs bug, please report it with the definition"),
            );
            report.definition = None;
            Err(report)
        }
    }
}

/// Checks a definition: parses it, validates it against the schema, runs every semantic rule,
/// and builds the typed model when nothing is wrong.
pub fn check(bytes: &[u8], options: &Options) -> Report {
    analyze(bytes, options, false)
}

/// [`check()`], with the resolved view ([`Report::facts`]) built too: what an editor asks about a
/// definition (where a placeholder's value comes from, what a path finds in the samples).
pub fn check_with_facts(bytes: &[u8], options: &Options) -> Report {
    analyze(bytes, options, true)
}

/// [`check`], and (`facts`) the resolved view lowering reads.
fn analyze(bytes: &[u8], options: &Options, facts: bool) -> Report {
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let at = e.valid_up_to();
            let text = String::from_utf8_lossy(bytes).into_owned();
            let prefix = String::from_utf8_lossy(&bytes[..at]).len();
            let span = source::Span::new(prefix, prefix).first_char(&text);
            let d =
                Diagnostic::new(codes::E0002, format!("invalid UTF-8 at byte {at}"), "", span).with_help("save the definition as UTF-8");
            return Report { text, diagnostics: vec![d], definition: None, facts: None };
        }
    };
    let parsed = source::parse(text);
    let mut diagnostics = parsed.diagnostics;
    let mut definition = None;
    let mut resolved = None;
    if let Some(root) = &parsed.root {
        let json = root.to_json();
        diagnostics.extend(schema::validate(root, &json));
        // A value of the wrong type is reported once: the rules say nothing more at or under it.
        let wrong_type: Vec<String> = diagnostics.iter().filter(|d| d.code == codes::E0010).map(|d| format!("{}/", d.pointer)).collect();
        let (found, built) = check::run(root, options, facts);
        diagnostics.extend(found.into_iter().filter(|d| {
            let at = format!("{}/", d.pointer);
            !wrong_type.iter().any(|p| at.starts_with(p.as_str()))
        }));
        resolved = built.map(Box::new);
        if !diagnostics.iter().any(Diagnostic::is_error) {
            match model::Definition::from_json(json) {
                Ok(def) => definition = Some(Box::new(def)),
                Err(e) => diagnostics.push(
                    Diagnostic::new(codes::E0013, format!("the definition cannot be read into the model: {e}"), "", root.span)
                        .with_help("the definition passed every check but could not be read: this is a miniapp-rs bug, please report it with the definition"),
                ),
            }
        }
    }
    diagnostics.sort_by(|a, b| {
        (a.span.start, a.span.end, a.code.id, &a.pointer, &a.message).cmp(&(b.span.start, b.span.end, b.code.id, &b.pointer, &b.message))
    });
    diagnostics.dedup();
    Report { text: text.to_string(), diagnostics, definition, facts: resolved }
}
