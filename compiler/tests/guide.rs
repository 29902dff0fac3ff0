//! The format guide (`docs/format.md`) stays true: the walkthrough shows exactly what `miniapp
//! check` prints for each of its definitions, the rules table lists every diagnostic code with its
//! title, and every `§` a diagnostic, rustdoc comment, the README or the decisions cite is a
//! section of the guide.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may panic: that is how it fails

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use miniapp_compiler::render::{self, Checked};
use miniapp_compiler::{Options, check, codes};

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(rel)
}

fn guide() -> String {
    std::fs::read_to_string(repo("docs/format.md")).expect("the guide")
}

/// The fenced blocks whose info string is `<lang> <tag>`, by tag, in order.
fn blocks(text: &str, lang: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(tag) = line.strip_prefix(&format!("```{lang} ")) else { continue };
        let body: Vec<&str> = lines.by_ref().take_while(|l| *l != "```").collect();
        out.push((tag.trim().to_string(), body.join("\n") + "\n"));
    }
    out
}

#[test]
fn the_walkthrough_shows_what_check_prints() {
    let text = guide();
    let definitions = blocks(&text, "json");
    let outputs = blocks(&text, "text");
    let steps: Vec<&(String, String)> = definitions.iter().filter(|(tag, _)| tag.starts_with("first-definition/")).collect();
    assert!(steps.len() >= 4, "the walkthrough has its steps");
    let mut clean = 0;
    for (tag, json) in steps {
        let (_, shown) = outputs.iter().find(|(t, _)| t == tag).unwrap_or_else(|| panic!("{tag}: no output block"));
        let report = check(json.as_bytes(), &Options::default());
        let checked = Checked { file: "helpdesk.json", report: &report };
        let printed = format!("{}{}\n", render::human(&checked, false), render::summary(&checked));
        assert_eq!(&printed, shown, "{tag}: `miniapp check` prints something else");
        clean += usize::from(report.diagnostics.is_empty());
    }
    assert!(clean >= 3, "most steps check clean");
}

#[test]
fn the_rules_table_lists_every_code_with_its_title() {
    let text = guide();
    for code in codes::ALL {
        let row = text.lines().find(|l| l.starts_with(&format!("| `{}` |", code.id))).unwrap_or_else(|| panic!("{}: no row", code.id));
        let title = code.title.replace('|', "\\|");
        assert!(row.ends_with(&format!("| {title} |")), "{}: the row says {row}", code.id);
    }
}

#[test]
fn every_section_cited_is_a_section_of_the_guide() {
    let text = guide();
    let anchors: BTreeSet<String> =
        text.match_indices("<a id=\"s").filter_map(|(i, _)| text[i + 8..].split('"').next().map(str::to_string)).collect();
    let mut files = vec![repo("README.md"), repo("docs/decisions.md"), repo("docs/format.md"), repo("compiler/schema/miniapp.schema.json")];
    for dir in ["compiler/src", "runtime/src", "macros/src"] {
        let mut stack = vec![repo(dir)];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    files.push(path);
                }
            }
        }
    }
    let mut missing = Vec::new();
    for file in &files {
        let source = std::fs::read_to_string(file).unwrap();
        for (i, _) in source.match_indices('§') {
            let section: String = source[i + '§'.len_utf8()..].chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
            let section = section.trim_end_matches('.');
            if !section.is_empty() && !anchors.contains(section) {
                missing.push(format!("{}: §{section}", file.display()));
            }
        }
    }
    assert!(missing.is_empty(), "sections the guide does not have:\n{}", missing.join("\n"));
    for code in codes::ALL {
        assert!(!code.rule.contains("FORMAT.md") && !code.rule.contains("ARCHITECTURE.md"), "{}: {}", code.id, code.rule);
    }
}
