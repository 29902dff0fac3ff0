//! One document's analysis: the checker's report with its resolved view, positions in UTF-16 as
//! LSP counts them, the diagnostics as LSP writes them (with their fixes as edits), and the node
//! under a position.

use std::path::Path;

use lsp_types as lsp;
use miniapp_compiler::source::{self, Member, Node, Span, Value};
use miniapp_compiler::{Options, Report, Severity, pointer};
use serde_json::json;

/// Where the rules table of a code's block is documented.
const RULES: &str = "https://github.com/miniapp-rs/miniapp-rs/blob/main/docs/format.md";

/// Byte offsets ↔ LSP positions (lines, UTF-16 code units) of one text.
pub struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> Lines<'t> {
    pub fn new(text: &'t str) -> Self {
        let starts = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        Lines { text, starts }
    }

    pub fn position(&self, offset: usize) -> lsp::Position {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset).saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let character = self.text.get(start..offset).map_or(0, |s| s.encode_utf16().count());
        lsp::Position { line: line as u32, character: character as u32 }
    }

    pub fn range(&self, span: Span) -> lsp::Range {
        lsp::Range { start: self.position(span.start), end: self.position(span.end.max(span.start)) }
    }

    /// The byte offset of a position (clamped to the line and the text; never inside a char).
    pub fn offset(&self, position: lsp::Position) -> usize {
        let Some(&start) = self.starts.get(position.line as usize) else { return self.text.len() };
        let end = self.starts.get(position.line as usize + 1).copied().unwrap_or(self.text.len());
        let mut units = 0;
        for (i, c) in self.text[start..end].char_indices() {
            if units >= position.character as usize {
                return start + i;
            }
            units += c.len_utf16();
        }
        end
    }
}

/// A document, analysed.
pub struct Analysis {
    pub text: String,
    pub report: Report,
    pub root: Option<Node>,
}

impl Analysis {
    /// Checks `text` (the definition at `path`, with its samples folder when it has one).
    pub fn new(text: String, path: Option<&Path>) -> Analysis {
        let samples = path.and_then(|p| miniapp_compiler::samples::for_definition(p, None).ok().flatten());
        let options = Options { samples: samples.map(std::sync::Arc::new), ..Options::default() };
        let report = miniapp_compiler::check_with_facts(text.as_bytes(), &options);
        let root = source::parse(&report.text).root;
        Analysis { text: report.text.clone(), report, root }
    }

    /// Whether the text parsed (a definition that is not JSON keeps its last good analysis for
    /// everything but its diagnostics).
    pub fn parsed(&self) -> bool {
        self.root.is_some()
    }

    /// The report's diagnostics as LSP writes them; each fix rides along in `data` as edits.
    pub fn diagnostics(&self, uri: &lsp::Uri) -> Vec<lsp::Diagnostic> {
        let lines = Lines::new(&self.text);
        self.report
            .diagnostics
            .iter()
            .map(|d| {
                let mut message = d.message.clone();
                for help in &d.help {
                    message.push_str(&format!("\nhelp: {help}"));
                }
                for note in &d.notes {
                    message.push_str(&format!("\nnote: {note}"));
                }
                let related: Vec<lsp::DiagnosticRelatedInformation> = d
                    .labels
                    .iter()
                    .map(|l| lsp::DiagnosticRelatedInformation {
                        location: lsp::Location { uri: uri.clone(), range: lines.range(l.span) },
                        message: l.message.clone(),
                    })
                    .collect();
                let fixes: Vec<serde_json::Value> = d
                    .fixes
                    .iter()
                    .filter_map(|f| {
                        let (span, new_text) = edit(&self.text, f.span, &f.from, &f.to)?;
                        Some(json!({"title": f.title, "range": lines.range(span), "newText": new_text}))
                    })
                    .collect();
                lsp::Diagnostic {
                    range: lines.range(d.span),
                    severity: Some(match d.severity {
                        Severity::Error => lsp::DiagnosticSeverity::ERROR,
                        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
                    }),
                    code: Some(lsp::NumberOrString::String(d.code.id.to_string())),
                    code_description: rules_link(d.code.id),
                    source: Some("miniapp".into()),
                    message,
                    related_information: (!related.is_empty()).then_some(related),
                    tags: None,
                    data: (!fixes.is_empty()).then(|| json!({"fixes": fixes})),
                }
            })
            .collect()
    }

    /// The innermost node at `offset`, with its pointer, and whether the offset is on a key (then
    /// the node is the member's value and the pointer the member's).
    pub fn at(&self, offset: usize) -> Option<(String, &Node, Option<&Member>)> {
        let mut node = self.root.as_ref()?;
        let mut ptr = String::new();
        let mut on_key = None;
        loop {
            let next = match &node.value {
                Value::Object(members) => members.iter().find_map(|m| {
                    if contains(m.key_span, offset) {
                        Some((pointer::join(&ptr, &m.key), &m.value, Some(m)))
                    } else if contains(m.value.span, offset) {
                        Some((pointer::join(&ptr, &m.key), &m.value, None))
                    } else {
                        None
                    }
                }),
                Value::Array(items) => items
                    .iter()
                    .enumerate()
                    .find(|(_, n)| contains(n.span, offset))
                    .map(|(i, n)| (pointer::join(&ptr, i.to_string()), n, None)),
                _ => None,
            };
            match next {
                Some((p, n, key)) => {
                    ptr = p;
                    node = n;
                    if key.is_some() {
                        on_key = key;
                        break;
                    }
                }
                None => break,
            }
        }
        Some((ptr, node, on_key))
    }
}

fn contains(span: Span, offset: usize) -> bool {
    span.start <= offset && offset <= span.end
}

/// A link to the rules table of a code's block (`E0105` → §15.1).
fn rules_link(id: &str) -> Option<lsp::CodeDescription> {
    let block = id.get(2..3)?;
    let href = format!("{RULES}#s15.{block}").parse().ok()?;
    Some(lsp::CodeDescription { href })
}

/// The edit of a fix: in `span`, `from` becomes `to` — the whole span when it is `from` (or the
/// JSON string `from`, then `to` is written as a JSON string), else the one occurrence of `from`
/// in it; an empty `from` inserts. `None` when the text no longer fits.
pub fn edit(text: &str, span: Span, from: &str, to: &str) -> Option<(Span, String)> {
    let here = text.get(span.start..span.end)?;
    if from.is_empty() {
        return Some((span, to.to_string()));
    }
    if here == from {
        return Some((span, to.to_string()));
    }
    if here.starts_with('"') && serde_json::from_str::<String>(here).ok().as_deref() == Some(from) {
        return Some((span, serde_json::Value::String(to.to_string()).to_string()));
    }
    let mut found = here.match_indices(from);
    match (found.next(), found.next()) {
        (Some((i, _)), None) => Some((Span::new(span.start + i, span.start + i + from.len()), to.to_string())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units() {
        let text = "{\n  \"a\": \"é😀x\"\n}";
        let lines = Lines::new(text);
        let x = text.find('x').unwrap_or_default();
        assert_eq!(lines.position(x), lsp::Position { line: 1, character: 11 }, "8 ASCII units, é one, 😀 two");
        assert_eq!(lines.offset(lsp::Position { line: 1, character: 11 }), x);
        assert_eq!(lines.offset(lsp::Position { line: 9, character: 0 }), text.len());
        assert_eq!(lines.position(text.len() + 5), lines.position(text.len()));
    }

    #[test]
    fn edits_replace_whole_strings_or_one_occurrence() {
        let text = r#"{"a": "{{nmae}}", "b": "nmae"}"#;
        let inner = text.find("{{").unwrap_or_default();
        assert_eq!(edit(text, Span::new(inner, inner + 8), "nmae", "name"), Some((Span::new(inner + 2, inner + 6), "name".into())));
        let b = text.rfind("\"nmae\"").unwrap_or_default();
        assert_eq!(edit(text, Span::new(b, b + 6), "nmae", "name"), Some((Span::new(b, b + 6), "\"name\"".into())));
        assert_eq!(edit(text, Span::new(b, b + 6), "other", "name"), None);
        assert_eq!(edit(text, Span::new(1, 1), "", "x"), Some((Span::new(1, 1), "x".into())));
    }
}
