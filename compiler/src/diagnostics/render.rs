//! Rendering diagnostics: rustc-style text, a JSON array, and SARIF 2.1.0 for CI annotations.

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use serde_json::{Value, json};

use crate::codes;
use crate::diagnostic::{Diagnostic, Severity};
use crate::{Report, codes::Code};

/// One checked file: its display name and its report.
pub struct Checked<'a> {
    pub file: &'a str,
    pub report: &'a Report,
}

/// rustc-style text for every diagnostic of a report (`error[E0105]: ...`, ` --> file:line:col`,
/// the source line with a caret, `help:` lines).
pub fn human(checked: &Checked<'_>, color: bool) -> String {
    let mut out = String::new();
    for d in &checked.report.diagnostics {
        out.push_str(&diagnostic(d, &checked.report.text, checked.file, color));
        out.push_str("\n\n");
    }
    out
}

/// Document text as it may be printed on a terminal: control characters and the bidirectional
/// overrides are written as `\u{..}` escapes, so a hostile key cannot clear the screen or hide
/// the real error.
fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(hidden) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if hidden(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

fn hidden(c: char) -> bool {
    (c.is_control() && c != '\n') || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// The source as the snippet shows it: each hidden character replaced by one of the same UTF-8
/// length (so byte spans still fit), `?` for ASCII ones.
fn visible_source(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| hidden(c) && c != '\t' && c != '\r') {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        text.chars()
            .map(|c| match c {
                '\t' | '\r' => c,
                c if hidden(c) => ['?', '\u{bf}', '\u{fffd}', '\u{fffd}'][c.len_utf8().clamp(1, 4) - 1],
                c => c,
            })
            .collect(),
    )
}

/// rustc-style text for one diagnostic.
pub fn diagnostic(d: &Diagnostic, text: &str, file: &str, color: bool) -> String {
    let text = &*visible_source(text);
    let renderer = if color { Renderer::styled() } else { Renderer::plain() };
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    // Snap to character boundaries: a span must never split a character.
    let clamp = |s: usize| (0..=s.min(text.len())).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
    let primary = clamp(d.span.start)..clamp(d.span.end.max(d.span.start));
    let mut snippet = Snippet::source(text).path(file).annotation(AnnotationKind::Primary.span(primary));
    for label in &d.labels {
        let span = clamp(label.span.start)..clamp(label.span.end.max(label.span.start));
        snippet = snippet.annotation(AnnotationKind::Context.span(span).label(visible(&label.message).into_owned()));
    }
    let mut group = level.primary_title(visible(&d.message).into_owned()).id(d.code.id).element(snippet);
    for help in &d.help {
        group = group.element(Level::HELP.message(visible(help).into_owned()));
    }
    for note in &d.notes {
        group = group.element(Level::NOTE.message(visible(note).into_owned()));
    }
    if !d.pointer.is_empty() {
        group = group.element(Level::NOTE.message(format!("at {}", visible(&d.pointer))));
    }
    let report: [Group<'_>; 1] = [group];
    renderer.render(&report)
}

/// The closing line for one file, e.g. `chatly.json: 2 errors, 1 warning`.
pub fn summary(checked: &Checked<'_>) -> String {
    let (e, w) = (checked.report.count(Severity::Error), checked.report.count(Severity::Warning));
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    if e == 0 && w == 0 {
        format!("{}: ok", checked.file)
    } else {
        format!("{}: {}, {}", checked.file, plural(e, "error"), plural(w, "warning"))
    }
}

fn record(file: &str, map: &crate::source::SourceMap<'_>, d: &Diagnostic) -> Value {
    let (start, end) = d.location(map);
    json!({
        "file": file,
        "code": d.code.id,
        "severity": d.severity.as_str(),
        "message": d.message,
        "pointer": d.pointer,
        "line": start.line,
        "column": start.column,
        "end_line": end.line,
        "end_column": end.column,
        "help": if d.help.is_empty() { Value::Null } else { Value::String(d.help.join("\n")) },
        "note": if d.notes.is_empty() { Value::Null } else { Value::String(d.notes.join("\n")) },
        "fixes": d.fixes.iter().map(|f| {
            let (start, end) = (map.line_col(f.span.start), map.line_col(f.span.end));
            json!({"title": f.title, "line": start.line, "column": start.column, "end_line": end.line, "end_column": end.column, "from": f.from, "to": f.to})
        }).collect::<Vec<_>>(),
    })
}

/// `--format json`: one array of `{file, code, severity, message, pointer, line, column,
/// end_line, end_column, help, note, fixes}` (each fix: `{title, line, column, end_line,
/// end_column, from, to}`: in that range, `from` becomes `to`).
pub fn json(checked: &[Checked<'_>]) -> Value {
    let mut out = Vec::new();
    for c in checked {
        let map = c.report.source_map();
        out.extend(c.report.diagnostics.iter().map(|d| record(c.file, &map, d)));
    }
    Value::Array(out)
}

/// `--format sarif`: a SARIF 2.1.0 log with one run, every code as a rule.
pub fn sarif(checked: &[Checked<'_>]) -> Value {
    let mut used: Vec<Code> = checked.iter().flat_map(|c| c.report.diagnostics.iter().map(|d| d.code)).collect();
    used.sort_by_key(|c| c.id);
    used.dedup();
    let rules: Vec<Value> = used
        .iter()
        .map(|c| {
            json!({
                "id": c.id,
                "shortDescription": { "text": c.title },
                "fullDescription": { "text": c.explanation.replace('\n', " ") },
                "help": { "text": format!("{} ({})", c.explanation.replace('\n', " "), c.rule) },
                "defaultConfiguration": { "level": c.severity().as_str() },
            })
        })
        .collect();
    let used = &used;
    let results: Vec<Value> = checked
        .iter()
        .flat_map(|c| {
            let map = c.report.source_map();
            c.report.diagnostics.iter().map(move |d| {
                let (start, end) = d.location(&map);
                let mut message = d.message.clone();
                for h in &d.help {
                    message.push_str(&format!("\nhelp: {h}"));
                }
                for n in &d.notes {
                    message.push_str(&format!("\nnote: {n}"));
                }
                json!({
                    "ruleId": d.code.id,
                    "ruleIndex": used.iter().position(|u| u.id == d.code.id),
                    "level": d.severity.as_str(),
                    "message": { "text": message },
                    "locations": [{
                        "physicalLocation": {
                            "artifactLocation": { "uri": c.file },
                            "region": { "startLine": start.line, "startColumn": start.column, "endLine": end.line, "endColumn": end.column }
                        },
                        "logicalLocations": [{ "fullyQualifiedName": d.pointer, "kind": "member" }]
                    }]
                })
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": { "name": "miniapp", "version": env!("CARGO_PKG_VERSION"), "informationUri": "https://github.com/miniapp-rs/miniapp-rs", "rules": rules } },
            "columnKind": "unicodeCodePoints",
            "results": results
        }]
    })
}

/// The long explanation of a code, for `miniapp explain`.
pub fn explain(code: &Code) -> String {
    let severity = match code.severity() {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    format!("{} ({severity}): {}\n\n{}\n\nRule: {}\n", code.id, code.title, code.explanation, code.rule)
}

/// Every code with its title, for `miniapp explain --list`.
pub fn code_list() -> String {
    codes::ALL.iter().map(|c| format!("{}  {}\n", c.id, c.title)).collect()
}
