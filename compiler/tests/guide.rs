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

/// The walkthrough's last definition with the top-level keys of `blocks` (and `config` added to
/// `auth.config` and `auth.sensitiveKeys`): where the worked examples of single blocks are checked.
fn walkthrough_with(blocks_json: &str, config: &[&str]) -> Vec<u8> {
    let text = guide();
    let definitions = blocks(&text, "json");
    let (_, last) = definitions.iter().rfind(|(tag, _)| tag.starts_with("first-definition/")).expect("the walkthrough");
    let mut definition: serde_json::Value = serde_json::from_str(last).expect("the walkthrough is JSON");
    let added: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(blocks_json).unwrap_or_else(|e| panic!("the example is not a JSON object: {e}"));
    for (key, block) in added {
        definition[key] = block;
    }
    for name in config {
        definition["auth"]["config"][*name] = "".into();
        definition["auth"]["sensitiveKeys"].as_array_mut().expect("sensitiveKeys").push((*name).into());
    }
    serde_json::to_vec_pretty(&definition).expect("JSON")
}

fn example(tag: &str, lang: &str) -> String {
    let found = blocks(&guide(), lang).into_iter().find(|(t, _)| t == tag);
    found.unwrap_or_else(|| panic!("the guide has no `{lang} {tag}` block")).1
}

/// Generated code without the paths it spells out and without white space, to find a field's
/// declaration as the guide writes it.
fn plain(code: &str) -> String {
    let code = ["::std::option::", "::std::string::", "::std::vec::", "::miniapp::"].iter().fold(code.to_string(), |c, p| c.replace(p, ""));
    code.split_whitespace().collect()
}

#[test]
fn the_worked_sync_example_checks_clean_and_generates_the_record_shown() {
    let bytes = walkthrough_with(&example("sync-example", "json"), &[]);
    let generated = miniapp_compiler::generate(&bytes, &Options::default())
        .unwrap_or_else(|r| panic!("{:?}", r.diagnostics.iter().map(|d| (d.code.id, &d.message)).collect::<Vec<_>>()));
    assert!(generated.report.diagnostics.is_empty(), "{:?}", generated.report.diagnostics);
    let code = plain(&generated.code);
    let shown = example("sync-example", "rust");
    let mut fields = 0;
    for line in shown.lines().map(str::trim) {
        if line.starts_with("pub struct") {
            assert!(code.contains(&plain(line)), "the guide shows `{line}`");
        } else if line.starts_with("pub ") {
            assert!(code.contains(&plain(line)), "the guide shows `{line}`, the generated record has something else");
            fields += 1;
        }
    }
    assert_eq!(fields, 5, "every field of the example is shown");
    for method in ["pubfnsync_tickets(", "pubfnsync_tickets_from("] {
        assert!(code.contains(method), "{method}");
    }
}

#[test]
fn the_worked_customer_example_checks_clean() {
    let bytes = walkthrough_with(&example("customer-example", "json"), &["signingSecret"]);
    let report = check(&bytes, &Options::default());
    let found: Vec<_> = report.diagnostics.iter().map(|d| (d.code.id, &d.message)).collect();
    assert!(found.is_empty(), "{found:?}");
    let generated = miniapp_compiler::generate(&bytes, &Options::default()).expect("it generates");
    let code = plain(&generated.code);
    for variant in ["TicketCreated,", "RequesterCreated,"] {
        assert!(code.contains(variant), "the generated `Event` has {variant}");
    }
    for base in ["\"payload\"", "\"ticket\"", "\"requester\""] {
        assert!(code.contains(base), "the customer's paths ({base}) are compiled in");
    }
}

#[test]
fn the_worked_paging_and_delivery_id_examples_check_clean_and_are_flagged_in_a_submission() {
    for (tag, config, extensions) in [
        ("paging-drf", &[][..], 1),
        ("paging-link", &[][..], 1),
        ("paging-cursor", &[][..], 3),
        ("delivery-id-example", &["signingSecret"][..], 1),
    ] {
        let bytes = walkthrough_with(&example(tag, "json"), config);
        let report = check(&bytes, &Options::default());
        let found: Vec<_> = report.diagnostics.iter().map(|d| (d.code.id, &d.message)).collect();
        assert!(found.is_empty(), "{tag}: {found:?}");
        miniapp_compiler::generate(&bytes, &Options::default()).unwrap_or_else(|_| panic!("{tag} generates"));
        let submission = check(&bytes, &Options { submission: true, ..Default::default() });
        let flagged = submission.diagnostics.iter().filter(|d| d.code.id == "W0704").count();
        assert_eq!(flagged, extensions, "{tag}: each extension key is flagged once");
    }
}

#[test]
fn the_worked_samples_example_prints_the_warning_shown_and_types_the_fixed_field() {
    let definition = std::fs::read_to_string(repo("examples/definitions/acme-shop.json")).unwrap();
    let wrong = definition.replacen("\"$.order.status.code\"", "\"$.order.stauts.code\"", 1);
    assert_ne!(wrong, definition);
    // acme-shop's samples, with the response the guide shows.
    let dir = repo("examples/definitions/acme-shop.samples");
    let bundled = miniapp_compiler::samples::Samples::load(&dir).unwrap();
    let response = example("samples-response", "json");
    let files = bundled.samples.iter().map(|s| {
        let text = if s.file == "actions/updateOrderStatus/1.json" { response.clone() } else { s.value.to_string() };
        (s.file.clone(), text.into_bytes())
    });
    let samples = std::sync::Arc::new(miniapp_compiler::samples::Samples::from_files("acme-shop.samples", files));
    let options = Options { samples: Some(samples), ..Default::default() };
    let report = check(wrong.as_bytes(), &options);
    assert_eq!(report.diagnostics.len(), 1, "{:?}", report.diagnostics);
    let printed = render::diagnostic(&report.diagnostics[0], &report.text, "acme-shop.json", false);
    assert_eq!(format!("{printed}\n"), example("samples-warning", "text"));
    let fixed = miniapp_compiler::generate(definition.as_bytes(), &options).unwrap();
    assert!(fixed.report.diagnostics.is_empty());
    let code = plain(&fixed.code);
    for line in example("samples-field", "rust").lines().filter(|l| l.trim_start().starts_with("pub ")) {
        assert!(code.contains(&plain(line)), "the guide shows `{line}`");
    }
}

/// The corpus file with wrong paths: applying every "did you mean" the warnings give (and fixing
/// the one path the samples cannot suggest) leaves it clean.
#[test]
fn every_suggested_path_fix_checks_clean() {
    let file = repo("tests/corpus/invalid/W0901-paths-against-samples.json");
    let options =
        Options { samples: miniapp_compiler::samples::for_definition(&file, None).unwrap().map(std::sync::Arc::new), ..Default::default() };
    let mut text = std::fs::read_to_string(&file).unwrap();
    let report = check(text.as_bytes(), &options);
    assert_eq!(report.diagnostics.len(), 9);
    // Replace each path string (by its pointer) with the suggestion, last first.
    let mut fixes: Vec<(usize, usize, String)> = Vec::new();
    let root = miniapp_compiler::source::parse(&text).root.unwrap();
    for d in &report.diagnostics {
        let Some(help) = d.help.iter().find_map(|h| h.strip_prefix("did you mean `").and_then(|h| h.strip_suffix("`?"))) else {
            assert_eq!(d.pointer, "/auth/userDetails/mapping/storeName", "only this path has no suggestion");
            continue;
        };
        let node = root.pointer(&d.pointer).unwrap();
        assert!(node.as_str().is_some(), "{} is a path string", d.pointer);
        fixes.push((node.span.start, node.span.end, format!("\"{help}\"")));
    }
    assert_eq!(fixes.len(), 8);
    fixes.sort();
    for (start, end, replacement) in fixes.into_iter().rev() {
        text.replace_range(start..end, &replacement);
    }
    let text = text.replace("\"$.merchant.shop.title\"", "\"$.merchant.store.title\"");
    let report = check(text.as_bytes(), &options);
    assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics.iter().map(|d| &d.message).collect::<Vec<_>>());
}
