//! Diagnostics: a stable code, a message, the JSON pointer and span it concerns, secondary labels
//! and help lines. Positions (line:column) are computed from the span by [`SourceMap`].

use crate::codes::Code;
use crate::source::{LineCol, SourceMap, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A secondary location, e.g. "declared here".
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

/// A fix an editor can apply: in `span`, `from` becomes `to` (the whole span when its text, or the
/// string it is, is `from`; else the one occurrence of `from` in it). An empty `from` and span is
/// an insertion.
#[derive(Clone, Debug, PartialEq)]
pub struct Fix {
    pub title: String,
    pub span: Span,
    pub from: String,
    pub to: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    /// The JSON Pointer of the offending value; for a missing member, the pointer of that member.
    pub pointer: String,
    pub span: Span,
    pub labels: Vec<Label>,
    pub help: Vec<String>,
    /// Context that is not a fix, e.g. the sample a path was resolved against.
    pub notes: Vec<String>,
    /// Fixes an editor can apply (`miniapp lsp` offers them as quick fixes).
    pub fixes: Vec<Fix>,
}

impl Diagnostic {
    pub fn new(code: Code, message: impl Into<String>, pointer: impl Into<String>, span: Span) -> Self {
        Diagnostic {
            code,
            severity: code.severity(),
            message: message.into(),
            pointer: pointer.into(),
            span,
            labels: Vec::new(),
            help: Vec::new(),
            notes: Vec::new(),
            fixes: Vec::new(),
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help.push(help.into());
        self
    }

    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// A fix: `from` becomes `to` in `span`.
    pub fn with_fix(mut self, title: impl Into<String>, span: Span, from: impl Into<String>, to: impl Into<String>) -> Self {
        self.fixes.push(Fix { title: title.into(), span, from: from.into(), to: to.into() });
        self
    }

    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label { span, message: message.into() });
        self
    }

    /// Adds a "did you mean `x`?" help line when one candidate is close to `name`, or when there
    /// is only one candidate at all.
    pub fn with_suggestion<'a>(self, name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Self {
        let mut candidates: Vec<&str> = candidates.into_iter().collect();
        candidates.sort_unstable();
        candidates.dedup();
        let span = self.span;
        match crate::suggest::closest(name, candidates.iter().copied()) {
            Some(best) => self.with_help(format!("did you mean `{best}`?")).with_fix(format!("Replace with `{best}`"), span, name, best),
            None => match candidates.as_slice() {
                [only] if *only != name => self.with_help(format!("did you mean `{only}`? It is the only one there is")).with_fix(
                    format!("Replace with `{only}`"),
                    span,
                    name,
                    *only,
                ),
                _ => self,
            },
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Start and end positions of the primary span.
    pub fn location(&self, map: &SourceMap<'_>) -> (LineCol, LineCol) {
        (map.line_col(self.span.start), map.line_col(self.span.end))
    }
}
