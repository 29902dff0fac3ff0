//! `miniapp lsp` driven as an editor drives it: the binary over stdio, JSON-RPC with its
//! `Content-Length` framing. The bundled examples open clean; edits bring diagnostics at the
//! ranges `miniapp check --format json` gives and take them away; every quick fix applied checks
//! clean; hovers, definitions, references and completions answer at chosen positions.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may panic: that is how it fails

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use miniapp_cli::lsp::Lines;
use serde_json::{Value, json};

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(rel)
}

/// A client of one `miniapp lsp` process.
struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: mpsc::Receiver<Value>,
    next_id: i64,
    versions: i32,
}

/// Generous: the server answers in milliseconds; this only bounds a broken one.
const PATIENCE: Duration = Duration::from_secs(60);

impl Client {
    fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_miniapp"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let (tx, incoming) = mpsc::channel();
        std::thread::spawn(move || {
            loop {
                let mut length = 0;
                loop {
                    let mut line = String::new();
                    if stdout.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(n) = line.strip_prefix("Content-Length: ") {
                        length = n.parse().unwrap();
                    }
                }
                let mut body = vec![0; length];
                stdout.read_exact(&mut body).unwrap();
                if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                    return;
                }
            }
        });
        let mut client = Client { child, stdin, incoming, next_id: 0, versions: 1 };
        let init = client.request("initialize", json!({"processId": null, "rootUri": null, "capabilities": {}}));
        assert!(init["capabilities"]["hoverProvider"].as_bool().unwrap_or(false), "{init}");
        client.notify("initialized", json!({}));
        client
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let message = self.incoming.recv_timeout(PATIENCE).expect("an answer");
            if message["id"] == id {
                assert!(message.get("error").is_none(), "{message}");
                return message["result"].clone();
            }
        }
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        loop {
            let message = self.incoming.recv_timeout(PATIENCE).expect("diagnostics");
            if message["method"] == "textDocument/publishDiagnostics" && message["params"]["uri"] == uri {
                return message["params"]["diagnostics"].as_array().unwrap().clone();
            }
        }
    }

    fn open(&mut self, uri: &str, text: &str) -> Vec<Value> {
        self.notify("textDocument/didOpen", json!({"textDocument": {"uri": uri, "languageId": "json", "version": 1, "text": text}}));
        self.diagnostics(uri)
    }

    fn change(&mut self, uri: &str, text: &str) -> Vec<Value> {
        self.versions += 1;
        let version = self.versions;
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": text}]}),
        );
        self.diagnostics(uri)
    }

    fn at(&mut self, method: &str, uri: &str, text: &str, offset: usize) -> Value {
        let position = Lines::new(text).position(offset);
        let mut params = json!({"textDocument": {"uri": uri}, "position": position});
        if method == "textDocument/references" {
            params["context"] = json!({"includeDeclaration": true});
        }
        self.request(method, params)
    }

    /// A request the server cannot read gets an error, and the session goes on.
    fn malformed(&mut self) {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": "textDocument/hover", "params": {"nonsense": true}}));
        loop {
            let message = self.incoming.recv_timeout(PATIENCE).expect("an answer");
            if message["id"] == id {
                assert!(message.get("error").is_some(), "{message}");
                return;
            }
        }
    }

    fn stop(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        assert!(self.child.wait().unwrap().success());
    }
}

fn uri_of(path: &Path) -> String {
    format!("file://{}", path.canonicalize().unwrap().display())
}

/// The text with the edits of a code action applied.
fn apply(text: &str, action: &Value, uri: &str) -> String {
    let edits = action["edit"]["changes"][uri].as_array().unwrap();
    let lines = Lines::new(text);
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            let range: lsp_types::Range = serde_json::from_value(e["range"].clone()).unwrap();
            (lines.offset(range.start), lines.offset(range.end), e["newText"].as_str().unwrap().to_string())
        })
        .collect();
    spans.sort();
    let mut out = text.to_string();
    for (start, end, new) in spans.into_iter().rev() {
        out.replace_range(start..end, &new);
    }
    out
}

/// What `miniapp check --format json` says of `text` saved as `path` (beside the definition, so
/// its samples apply).
fn check_json(path: &Path, text: &str) -> Vec<Value> {
    std::fs::write(path, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_miniapp")).args(["check", "--format", "json"]).arg(path).output().unwrap();
    serde_json::from_slice::<Value>(&out.stdout).unwrap().as_array().unwrap().clone()
}

#[test]
fn the_examples_open_clean_and_edits_bring_and_clear_diagnostics_at_the_ranges_check_gives() {
    let mut client = Client::start();
    for entry in std::fs::read_dir(repo("examples/definitions")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let text = std::fs::read_to_string(&path).unwrap();
            assert_eq!(client.open(&uri_of(&path), &text), Vec::<Value>::new(), "{}", path.display());
        }
    }
    // A copy of acme-shop beside its samples folder (same stem), edited.
    let dir = std::env::temp_dir().join(format!("miniapp-lsp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    copy_dir(&repo("examples/definitions/acme-shop.samples"), &dir.join("acme-shop.samples"));
    let path = dir.join("acme-shop.json");
    let original = std::fs::read_to_string(repo("examples/definitions/acme-shop.json")).unwrap();
    std::fs::write(&path, &original).unwrap();
    let uri = uri_of(&path);
    assert!(client.open(&uri, &original).is_empty());

    let mut broken = original.replacen("\"category\": \"ecommerce\"", "\"category\": \"ecomerce\"", 1).replacen(
        "\"$.order.status.code\"",
        "\"$.order.stauts.code\"",
        1,
    );
    // The token read with the other bracket, in an action's header.
    let action = broken.find("\"updateOrderStatus\"").unwrap();
    let token = action + broken[action..].find("Bearer [[accessToken]]").unwrap() + "Bearer ".len();
    broken.replace_range(token..token + "[[accessToken]]".len(), "{{accessToken}}");
    assert_ne!(broken, original);
    let published = client.change(&uri, &broken);
    let expected = check_json(&path, &broken);
    assert_eq!(published.len(), expected.len(), "{published:#?}\n{expected:#?}");
    for (p, e) in published.iter().zip(&expected) {
        assert_eq!(p["code"], e["code"]);
        let (line, column) = (e["line"].as_u64().unwrap() - 1, e["column"].as_u64().unwrap() - 1);
        assert_eq!((p["range"]["start"]["line"].as_u64(), p["range"]["start"]["character"].as_u64()), (Some(line), Some(column)), "{p}");
        assert!(p["codeDescription"]["href"].as_str().unwrap().contains("format.md#s15."));
    }
    let codes: Vec<&str> = published.iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"E0105") && codes.contains(&"W0901"), "{codes:?}");

    // Every quick fix, applied one after the other, leaves the definition clean.
    let mut text = broken;
    let mut diagnostics = published;
    while let Some(d) = diagnostics.first().cloned() {
        let actions = client.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": d["range"], "context": {"diagnostics": [d]}}),
        );
        let action = actions.as_array().and_then(|a| a.first()).cloned().unwrap_or_else(|| panic!("no quick fix for {d}"));
        text = apply(&text, &action, &uri);
        diagnostics = client.change(&uri, &text);
    }
    assert_eq!(text, original, "the fixes restore exactly what was broken");

    // Text that is not JSON: its syntax error, and hovers from the last good analysis.
    let diagnostics = client.change(&uri, &original.replacen('{', "{,", 1));
    assert_eq!(diagnostics[0]["code"], "E0001");
    let at = original.find("{{orderId}}").unwrap() + 3;
    let hover = client.at("textDocument/hover", &uri, &original, at);
    assert!(hover["contents"]["value"].as_str().unwrap().contains("the parameter `orderId`"), "{hover}");
    client.change(&uri, &original);
    client.stop();
}

#[test]
fn fixes_for_a_secret_not_marked_sensitive_and_a_source_without_fallback() {
    let mut client = Client::start();
    let original = std::fs::read_to_string(repo("examples/definitions/chatly.json")).unwrap();
    let uri = "file:///nowhere/chatly.json";
    let mut text = original.replacen(", \"x-fallback\": \"input\" }", " }", 1);
    text = text.replacen("\"config\": {", "\"config\": { \"apiSecret\": \"\",", 1);
    assert_ne!(text, original);
    let mut diagnostics = client.change_after_open(uri, &text);
    let codes: Vec<&str> = diagnostics.iter().map(|d| d["code"].as_str().unwrap()).collect();
    assert_eq!(codes.len(), 2, "{diagnostics:#?}");
    while let Some(d) = diagnostics.first().cloned() {
        let actions = client.request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": uri}, "range": d["range"], "context": {"diagnostics": [d]}}),
        );
        let action = actions[0].clone();
        assert!(action["title"].as_str().unwrap().starts_with("Add"), "{action}");
        text = apply(&text, &action, uri);
        diagnostics = client.change(uri, &text);
    }
    assert!(text.contains("\"x-fallback\": \"input\"") && text.contains("\"apiSecret\"]"), "{text}");
    client.stop();
}

impl Client {
    fn change_after_open(&mut self, uri: &str, text: &str) -> Vec<Value> {
        self.open(uri, text)
    }
}

#[test]
fn hovers_definitions_references_and_completions() {
    let mut client = Client::start();
    let path = repo("examples/definitions/acme-shop.json");
    let uri = uri_of(&path);
    let text = std::fs::read_to_string(&path).unwrap();
    client.open(&uri, &text);
    let hover = |client: &mut Client, needle: &str, shift: usize| {
        let at = text.find(needle).unwrap_or_else(|| panic!("{needle}")) + shift;
        client.at("textDocument/hover", &uri, &text, at)["contents"]["value"].as_str().unwrap_or_default().to_string()
    };
    assert!(hover(&mut client, "{{orderId}}", 3).contains("the parameter `orderId`"));
    assert!(hover(&mut client, "[[accessToken]]", 3).contains("written by `get_token`"));
    assert!(hover(&mut client, "[[storeId]]", 3).contains("metadata written by `userDetails`"));
    assert!(hover(&mut client, "{{uid}}", 3).contains("system value"));
    assert!(
        hover(&mut client, "\"$.order.status.code\"", 3).contains("finds, in the samples: `\"shipped\"`"),
        "a path, read in the samples"
    );
    assert!(hover(&mut client, "\"toNumberOrNull\"", 3).contains("Option<f64>"));

    // A placeholder goes to what declares it.
    let at = text.find("{{orderId}}").unwrap() + 3;
    let location = client.at("textDocument/definition", &uri, &text, at);
    let declared = text.find("\"orderId\": {").unwrap();
    assert_eq!(location["range"]["start"], serde_json::to_value(Lines::new(&text).position(declared)).unwrap());
    let at = text.find("[[refreshToken]]").unwrap() + 3;
    let location = client.at("textDocument/definition", &uri, &text, at);
    let line = location["range"]["start"]["line"].as_u64().unwrap() as usize;
    assert!(text.lines().nth(line).unwrap().contains("\"refreshToken\""), "a stored key goes to where it is stored");

    // A trigger's event: the handler and the overrides that name it.
    let at = text.find("\"event\": \"order.status_changed\"").unwrap() + 12;
    let references = client.at("textDocument/references", &uri, &text, at);
    assert!(references.as_array().unwrap().len() >= 3, "the trigger, its handler and its transactionId override: {references}");

    // Completion inside `{{` lists the parameters of the action.
    let at = text.find("{{orderId}}").unwrap() + 2;
    let items = client.at("textDocument/completion", &uri, &text, at);
    let labels: Vec<&str> = items.as_array().unwrap().iter().map(|i| i["label"].as_str().unwrap()).collect();
    assert!(labels.contains(&"orderId") && labels.contains(&"statusId") && labels.contains(&"uid"), "{labels:?}");
    let at = text.find("\"transform\": \"toString\"").unwrap() + 15;
    let items = client.at("textDocument/completion", &uri, &text, at);
    assert!(items.as_array().unwrap().iter().any(|i| i["label"] == "mapItems"));
    client.malformed();
    assert!(hover(&mut client, "{{orderId}}", 3).contains("orderId"), "still serving");
    client.stop();
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
