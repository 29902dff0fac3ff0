//! The language server's handlers never panic, whatever the document and the position: the
//! examples mutated at random (cuts, insertions of JSON punctuation and template brackets), every
//! handler asked at random offsets, every quick fix's edit applied.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may panic: that is how it fails

use miniapp_cli::lsp::{Analysis, Lines, code_actions, completion, definition, hover, references};
use proptest::prelude::*;

fn examples() -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/definitions");
    let mut files: Vec<_> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "json")).collect();
    files.sort();
    files.iter().map(|p| std::fs::read_to_string(p).unwrap()).collect()
}

fn cases() -> u32 {
    std::env::var("MINIAPP_FUZZ_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64)
}

const PIECES: &[&str] = &["{", "}", "[", "]", ",", ":", "\"", "{{", "}}", "[[", "]]", "$.", "é", "😀", "\\u0000", " ", "null", "{{x}}"];

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn every_handler_answers_on_any_document(
        example in 0usize..6,
        cut in 0.0f64..1.0,
        cut_len in 0usize..40,
        piece in 0..PIECES.len(),
        offsets in proptest::collection::vec(0.0f64..1.0, 8),
    ) {
        let texts = examples();
        let mut text = texts[example % texts.len()].clone();
        let mut at = ((text.len() as f64) * cut) as usize;
        while !text.is_char_boundary(at) { at -= 1; }
        let mut end = (at + cut_len).min(text.len());
        while !text.is_char_boundary(end) { end -= 1; }
        text.replace_range(at..end.max(at), PIECES[piece]);
        let analysis = Analysis::new(text.clone(), None);
        let uri: lsp_types::Uri = "file:///fuzz.json".parse().unwrap();
        let diagnostics = analysis.diagnostics(&uri);
        let lines = Lines::new(&text);
        for d in &diagnostics {
            prop_assert!(lines.offset(d.range.start) <= lines.offset(d.range.end));
        }
        for action in code_actions(&uri, &diagnostics) {
            let lsp_types::CodeActionOrCommand::CodeAction(a) = action else { continue };
            for edits in a.edit.and_then(|e| e.changes).into_iter().flat_map(|c| c.into_values()) {
                for e in edits {
                    let (s, t) = (lines.offset(e.range.start), lines.offset(e.range.end));
                    prop_assert!(s <= t && t <= text.len() && text.is_char_boundary(s) && text.is_char_boundary(t));
                }
            }
        }
        for o in offsets {
            let offset = ((text.len() as f64) * o) as usize;
            let _ = hover(&analysis, offset);
            let _ = definition(&analysis, &uri, offset);
            let _ = references(&analysis, &uri, offset);
            let _ = completion(&analysis, offset);
            let position = lines.position(offset);
            prop_assert!(lines.offset(position) <= text.len());
        }
    }
}
