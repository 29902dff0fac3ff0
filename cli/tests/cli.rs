//! The `miniapp` binary, driven as a user would: exit statuses, output formats, `explain`, `schema`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may panic: that is how it fails

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn miniapp(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_miniapp")).args(args).env_remove("NO_COLOR").output().expect("run miniapp")
}

fn repo(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(rel).to_string_lossy().into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn temp(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("miniapp-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write temp file");
    path
}

#[test]
fn a_clean_definition_exits_zero() {
    let o = miniapp(&["check", &repo("examples/definitions/chatly.json")]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).trim_end().ends_with("chatly.json: ok"), "{}", stdout(&o));
}

#[test]
fn errors_exit_one_with_rustc_style_output_and_no_colour_when_piped() {
    let file = repo("tests/corpus/invalid/E0105-category.json");
    let o = miniapp(&["check", &file]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("error[E0105]: `comunication` is not a valid `category`"), "{out}");
    assert!(out.contains("E0105-category.json:11:15"), "{out}");
    assert!(out.contains("11 |   \"category\": \"comunication\","), "{out}");
    assert!(out.contains("^^^^^^^^^^^^^^"), "{out}");
    assert!(out.contains("help: did you mean `communication`?"), "{out}");
    assert!(!out.contains('\u{1b}'), "no ANSI escapes when stdout is not a terminal");
}

#[test]
fn warnings_pass_unless_denied() {
    let file = repo("tests/corpus/invalid/W0414-dead-source.json");
    assert_eq!(miniapp(&["check", &file]).status.code(), Some(0));
    assert_eq!(miniapp(&["check", "--deny-warnings", &file]).status.code(), Some(1));
}

#[test]
fn submission_mode_adds_review_rules() {
    let file = repo("tests/corpus/invalid/W0204-secret-value.submission.json");
    let plain = miniapp(&["check", "--format", "json", &file]);
    let strict = miniapp(&["check", "--submission", "--format", "json", &file]);
    let codes = |o: &Output| -> Vec<String> {
        let v: Value = serde_json::from_slice(&o.stdout).expect("json output");
        v.as_array().expect("array").iter().map(|d| d["code"].as_str().expect("code").to_string()).collect()
    };
    assert!(codes(&plain).is_empty());
    assert_eq!(codes(&strict), ["W0204"]);
}

#[test]
fn unreadable_files_and_bad_usage_exit_two() {
    assert_eq!(miniapp(&["check", "/nonexistent/definition.json"]).status.code(), Some(2));
    assert_eq!(miniapp(&["check"]).status.code(), Some(2));
    assert_eq!(miniapp(&["check", "--format", "xml", &repo("examples/definitions/chatly.json")]).status.code(), Some(2));
    assert_eq!(miniapp(&["explain", "E9999"]).status.code(), Some(2));
}

#[test]
fn json_format_has_every_documented_field() {
    let file = temp("two-problems.json", "{\n  \"ns\": \"Bad NS\"\n}\n");
    let o = miniapp(&["check", "--format", "json", file.to_str().expect("utf-8 path")]);
    assert_eq!(o.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&o.stdout).expect("json output");
    let items = v.as_array().expect("array");
    let ns = items.iter().find(|d| d["code"] == "E0101").expect("E0101 reported");
    for key in ["file", "code", "severity", "message", "pointer", "line", "column", "end_line", "end_column", "help", "note"] {
        assert!(ns.get(key).is_some(), "missing {key}");
    }
    assert_eq!((ns["line"].as_u64(), ns["column"].as_u64(), ns["end_column"].as_u64()), (Some(2), Some(9), Some(17)));
    assert_eq!(ns["pointer"], "/ns");
    assert_eq!(ns["severity"], "error");
    assert!(ns["help"].as_str().is_some_and(|h| h.contains("bad-ns")), "{}", ns["help"]);
    // Every missing required member is reported too, at the `{` of the root object.
    let missing: Vec<&str> = items.iter().filter(|d| d["code"] == "E0011").map(|d| d["pointer"].as_str().expect("pointer")).collect();
    assert!(missing.contains(&"/auth") && missing.contains(&"/version"), "{missing:?}");
    assert!(items.iter().filter(|d| d["code"] == "E0011").all(|d| d["line"] == 1 && d["column"] == 1));
}

#[test]
fn sarif_output_is_a_sarif_2_1_0_log() {
    let file = repo("tests/corpus/invalid/E0509-unknown-secret-key.json");
    let o = miniapp(&["check", "--format", "sarif", &file]);
    assert_eq!(o.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&o.stdout).expect("sarif json");
    assert_eq!(v["version"], "2.1.0");
    let run = &v["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "miniapp");
    assert_eq!(run["tool"]["driver"]["rules"][0]["id"], "E0509");
    let result = &run["results"][0];
    assert_eq!(result["ruleId"], "E0509");
    assert_eq!(result["ruleIndex"], 0);
    assert_eq!(result["level"], "error");
    let region = &result["locations"][0]["physicalLocation"]["region"];
    assert!(region["startLine"].as_u64().is_some_and(|l| l > 1));
    assert_eq!(result["locations"][0]["logicalLocations"][0]["fullyQualifiedName"], "/webhook/verification/secretKey");
}

#[test]
fn several_files_are_checked_in_one_run() {
    let good = repo("examples/definitions/cloudbox.json");
    let bad = repo("tests/corpus/invalid/E0104-version.json");
    let o = miniapp(&["check", &good, &bad]);
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("cloudbox.json: ok") && out.contains("E0104-version.json: 1 error, 0 warnings"), "{out}");
}

#[test]
fn explain_prints_every_code() {
    let list = stdout(&miniapp(&["explain", "--list"]));
    for code in miniapp_compiler::codes::ALL {
        assert!(list.contains(code.id), "{} missing from --list", code.id);
        let o = miniapp(&["explain", code.id]);
        assert_eq!(o.status.code(), Some(0));
        assert!(stdout(&o).contains(code.rule), "{}", code.id);
    }
    assert!(stdout(&miniapp(&["explain", "e0105"])).contains("ecommerce, productivity"));
}

#[test]
fn schema_prints_the_published_schema() {
    let o = miniapp(&["schema"]);
    assert_eq!(o.status.code(), Some(0));
    let printed: Value = serde_json::from_slice(&o.stdout).expect("schema is JSON");
    let file: Value =
        serde_json::from_str(&std::fs::read_to_string(repo("compiler/schema/miniapp.schema.json")).expect("schema file")).expect("json");
    assert_eq!(printed, file);
}

#[test]
fn generate_is_byte_identical_across_runs_and_outputs() {
    for example in ["acme-shop", "chatly", "pipeline-crm"] {
        let file = repo(&format!("examples/definitions/{example}.json"));
        let first = miniapp(&["generate", &file]);
        assert_eq!(first.status.code(), Some(0), "{}", String::from_utf8_lossy(&first.stderr));
        assert_eq!(first.stdout, miniapp(&["generate", &file]).stdout, "{example}: two runs differ");
        let out = temp(&format!("{example}.rs"), "");
        assert_eq!(miniapp(&["generate", &file, "-o", out.to_str().expect("utf-8 path")]).status.code(), Some(0));
        assert_eq!(std::fs::read(&out).expect("written"), first.stdout, "{example}: -o differs from stdout");
        assert!(stdout(&first).starts_with(&format!("// Generated by miniapp-compiler from `{example}.json`. Do not edit.")));
    }
}

#[test]
fn generate_crate_writes_a_standalone_crate() {
    let dir = std::env::temp_dir().join(format!("miniapp-crate-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let file = repo("examples/definitions/cloudbox.json");
    let o = miniapp(&["generate", &file, "--crate", dir.to_str().expect("utf-8 path"), "--runtime", &repo("runtime")]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let cargo = std::fs::read_to_string(dir.join("Cargo.toml")).expect("Cargo.toml");
    let runtime = Path::new(&repo("runtime")).canonicalize().expect("the runtime exists");
    assert!(
        cargo.contains("name = \"cloudbox\"")
            && cargo.contains("version = \"1.1.0\"")
            && cargo.contains(&format!("miniapp = {{ path = {:?} }}", runtime.to_string_lossy())),
        "{cargo}"
    );
    let lib = std::fs::read_to_string(dir.join("src/lib.rs")).expect("lib.rs");
    assert!(lib.starts_with("//! CloudBox 1.1.0: Store and share files in CloudBox"), "{lib}");
    assert!(lib.contains("#![forbid(unsafe_code)]") && lib.contains("include!(\"connector.rs\");"));
    assert!(!lib.contains("deny(warnings)"), "a future lint must not break a user's build: {lib}");
    let connector = std::fs::read_to_string(dir.join("src/connector.rs")).expect("connector.rs");
    assert!(connector.contains("pub async fn share_file("));
    let readme = std::fs::read_to_string(dir.join("README.md")).expect("README");
    assert!(
        readme.contains("| `Client::create_folder` | `createFolder` | Create a folder: Creates a folder in the app folder |"),
        "{readme}"
    );
}

#[test]
fn the_runtime_of_a_generated_crate_is_a_path_or_a_git_url_and_anything_else_is_a_usage_error() {
    let file = repo("examples/definitions/cloudbox.json");
    let dir = std::env::temp_dir().join(format!("miniapp-crate-git-{}", std::process::id()));
    let o = miniapp(&["generate", &file, "--crate", dir.to_str().unwrap(), "--runtime", "git+https://git.example/miniapp-rs.git#v0.1.0"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let cargo = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    assert!(cargo.contains("miniapp = { git = \"https://git.example/miniapp-rs.git\", rev = \"v0.1.0\" }"), "{cargo}");
    for bad in ["{ path = \"..\" }", "miniapp = \"0.1\"", &repo("compiler"), "/nowhere/at/all"] {
        let o = miniapp(&["generate", &file, "--crate", dir.to_str().unwrap(), "--runtime", bad]);
        assert_eq!(o.status.code(), Some(2), "{bad}: {}", String::from_utf8_lossy(&o.stderr));
        assert!(String::from_utf8_lossy(&o.stderr).contains("--runtime"), "{bad}");
    }
    // Without --runtime: a placeholder Cargo stops on, a comment saying what to set, a warning.
    let plain = std::env::temp_dir().join(format!("miniapp-crate-plain-{}", std::process::id()));
    let o = miniapp(&["generate", &file, "--crate", plain.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stderr).contains("warning: no --runtime given"));
    let cargo = std::fs::read_to_string(plain.join("Cargo.toml")).unwrap();
    assert!(cargo.contains("# The `miniapp` runtime is not published on a registry") && cargo.contains("SET-ME"), "{cargo}");
}

/// The crate `generate --crate` writes outside this workspace, pointed at this repository's
/// runtime, builds with `cargo build` and no edits.
#[test]
fn a_generated_crate_outside_the_workspace_builds_as_written() {
    let dir = std::env::temp_dir().join(format!("miniapp-outside-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let o =
        miniapp(&["generate", &repo("examples/definitions/chatly.json"), "--crate", dir.to_str().unwrap(), "--runtime", &repo("runtime")]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    // The workspace's lock file pins the same dependency versions (no network, no new
    // versions), and its target directory holds them built: only the crate itself compiles.
    std::fs::copy(repo("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    let target = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target");
    let o = Command::new(env!("CARGO"))
        .args(["build", "--offline", "--quiet"])
        .current_dir(&dir)
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .expect("run cargo");
    assert!(o.status.success(), "cargo build failed:\n{}", String::from_utf8_lossy(&o.stderr));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn generate_refuses_an_invalid_definition_with_its_diagnostics() {
    let o = miniapp(&["generate", &repo("tests/corpus/invalid/E0405-unknown-source.json")]);
    assert_eq!(o.status.code(), Some(1));
    assert!(o.stdout.is_empty());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("error[E0405]") && err.contains("did you mean `rpc_members`?"), "{err}");
}

#[test]
fn terminal_escapes_in_a_definition_are_shown_not_obeyed() {
    let chatly = std::fs::read_to_string(repo("examples/definitions/chatly.json")).unwrap();
    // An unknown key spelled with a JSON escape (decoded into the message and the pointer), and a
    // raw ESC byte in the source line of a syntax error.
    let escaped = chatly.replacen("\"title\"", "\"\\u001b[2J\\u202e\": 1, \"title\"", 1);
    let raw = chatly.replacen("\"title\"", "\u{1b}[2J\"title\"", 1);
    for (name, text) in [("escaped.json", escaped), ("raw.json", raw)] {
        let o = miniapp(&["check", temp(name, &text).to_str().unwrap()]);
        let out = stdout(&o);
        assert!(!out.contains('\u{1b}') && !out.contains('\u{202e}'), "{name}: {out:?}");
        assert_ne!(o.status.code(), Some(2), "{name}");
    }
    let o = miniapp(&["check", temp("escaped.json", &chatly.replacen("\"title\"", "\"\\u001b[2J\": 1, \"title\"", 1)).to_str().unwrap()]);
    assert!(stdout(&o).contains("\\u{1b}[2J"), "the key is shown, escaped: {}", stdout(&o));
}

#[test]
fn the_help_texts_are_current() {
    let top = stdout(&miniapp(&["--help"]));
    assert!(top.contains("compile them to typed Rust connectors") && !top.contains("soon"), "{top}");
    assert!(top.contains("docs/format.md"), "the help points at the guide: {top}");
    let generate = stdout(&miniapp(&["generate", "--help"]));
    assert!(generate.contains("--runtime <PATH|GIT-URL>") && generate.contains("Exit status"), "{generate}");
    for sub in ["check", "explain", "schema"] {
        let o = miniapp(&[sub, "--help"]);
        assert_eq!(o.status.code(), Some(0), "{sub}");
        assert!(!stdout(&o).contains("FORMAT.md"), "{sub}: cites a file that is not in the repository");
    }
}

#[test]
fn samples_are_found_by_convention_given_with_a_flag_or_ignored() {
    let wrong = repo("tests/corpus/invalid/W0901-paths-against-samples.json");
    let samples = repo("tests/corpus/invalid/W0901-paths-against-samples.samples");
    // The conventional folder is used: warnings, and `--deny-warnings` fails on them.
    let o = miniapp(&["check", &wrong, "--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let found: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let found = found.as_array().unwrap();
    assert_eq!(found.len(), 9, "{found:?}");
    assert!(found.iter().all(|d| d["code"] == "W0901" && d["note"].as_str().unwrap().starts_with("sample: `")), "{found:?}");
    assert_eq!(miniapp(&["check", "--deny-warnings", &wrong]).status.code(), Some(1));
    // Without samples, the same definition is clean.
    assert_eq!(miniapp(&["check", "--deny-warnings", "--no-samples", &wrong]).status.code(), Some(0));
    // A definition elsewhere, with the folder given.
    let copy = temp("shop.json", &std::fs::read_to_string(&wrong).unwrap());
    assert_eq!(miniapp(&["check", "--deny-warnings", copy.to_str().unwrap()]).status.code(), Some(0), "no shop.samples beside the copy");
    assert_eq!(miniapp(&["check", "--deny-warnings", "--samples", &samples, copy.to_str().unwrap()]).status.code(), Some(1));
    // A folder that is not there, or one folder for several definitions, is a usage error.
    let o = miniapp(&["check", "--samples", &repo("no/such/folder"), copy.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot read the samples folder"));
    assert_eq!(miniapp(&["check", "--samples", &samples, &wrong, &wrong]).status.code(), Some(2));
}

#[test]
fn generate_types_outputs_from_the_samples_folder() {
    let acme = repo("examples/definitions/acme-shop.json");
    let typed = stdout(&miniapp(&["generate", &acme]));
    let untyped = stdout(&miniapp(&["generate", "--no-samples", &acme]));
    let status = "pub status: ::std::option::Option<::std::string::String>,";
    assert!(typed.contains(status) && !untyped.contains(status));
    assert!(untyped.contains("pub status: ::std::option::Option<::miniapp::serde_json::Value>,"));
    assert!(typed.contains("pub struct OrdersRecordItem"));
}
