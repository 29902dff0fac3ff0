//! `miniapp replay` and `miniapp invoke`: a definition run with the runtime ([`crate::interpret`]).

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use miniapp::Bag;
use miniapp_compiler::render::{self, Checked};
use miniapp_compiler::{Options, samples};
use serde_json::{Map, Value};

use crate::interpret::{Interpreted, InvokeError};

/// A captured delivery (the file of `miniapp replay --delivery`).
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct Captured {
    /// `{"Name": "value"}`, or `[["Name", "value"], …]` when a name repeats.
    #[serde(default)]
    headers: Headers,
    #[serde(default)]
    query: String,
    /// The body as JSON: its bytes are its compact text (what `sign_delivery` signs).
    body: Option<Value>,
    /// The body's exact text (what a real provider's signature covers).
    body_text: Option<String>,
}

#[derive(serde::Deserialize, Default)]
#[serde(untagged)]
enum Headers {
    #[default]
    None,
    Map(Map<String, Value>),
    List(Vec<(String, String)>),
}

/// Checks and lowers the definition (with its samples); prints the diagnostics on failure.
fn load(file: &Path, explicit_samples: Option<&Path>, no_samples: bool) -> Result<&'static Interpreted, ExitCode> {
    let bytes = std::fs::read(file).map_err(|e| usage(&format!("cannot read `{}`: {e}", file.display())))?;
    let found = if no_samples { Ok(None) } else { samples::for_definition(file, explicit_samples) };
    let samples = found.map_err(|e| usage(&e))?;
    let options = Options { samples: samples.map(std::sync::Arc::new), ..Options::default() };
    match miniapp_compiler::generate(&bytes, &options) {
        Ok(generated) => Ok(Interpreted::new(generated.ir)),
        Err(report) => {
            let name = file.display().to_string();
            let checked = Checked { file: &name, report: &report };
            eprint!("{}", render::human(&checked, false));
            eprintln!("{}", render::summary(&checked));
            Err(ExitCode::from(2))
        }
    }
}

fn usage(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

/// An install's values (bag, key, value), and the texts of its secrets (to mask in output).
type Values = (Vec<(Bag, &'static str, Value)>, Vec<String>);

/// `KEY=VALUE` pairs and a credentials file, as the install's values (by the definition's key
/// names; an unknown key is an error that names it).
fn values(interpreted: &Interpreted, file: Option<&Path>, pairs: &[String]) -> Result<Values, ExitCode> {
    let mut given: Vec<(String, Value)> = Vec::new();
    if let Some(file) = file {
        let text = std::fs::read(file).map_err(|e| usage(&format!("cannot read `{}`: {e}", file.display())))?;
        let object: Map<String, Value> =
            serde_json::from_slice(&text).map_err(|e| usage(&format!("`{}` is not a JSON object of credentials: {e}", file.display())))?;
        given.extend(object);
    }
    for pair in pairs {
        let Some((key, value)) = pair.split_once('=') else { return Err(usage(&format!("`{pair}` is not KEY=VALUE"))) };
        given.push((key.to_string(), Value::String(value.to_string())));
    }
    let mut out = Vec::new();
    let mut secrets = Vec::new();
    for (key, value) in given {
        let Some((bag, key)) = interpreted.credential(&key) else {
            let known: Vec<&str> = interpreted.ir.credentials.iter().map(|c| c.json.as_str()).collect();
            return Err(usage(&format!("`{key}` is not a credential of this definition (it has {})", known.join(", "))));
        };
        if interpreted.ir.sensitive.iter().any(|s| s == key)
            && let Some(text) = value.as_str()
        {
            secrets.push(text.to_string());
        }
        out.push((bag, key, value));
    }
    Ok((out, secrets))
}

/// Strings equal to a secret value, masked.
fn mask(value: &mut Value, secrets: &[String]) {
    match value {
        Value::String(s) if secrets.iter().any(|secret| !secret.is_empty() && s.contains(secret.as_str())) => *s = "***".to_string(),
        Value::Array(items) => items.iter_mut().for_each(|v| mask(v, secrets)),
        Value::Object(map) => map.values_mut().for_each(|v| mask(v, secrets)),
        _ => {}
    }
}

fn runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| usage(&format!("cannot start the runtime: {e}")))
}

fn print(out: &mut impl Write, value: &Value) -> std::io::Result<()> {
    writeln!(out, "{}", serde_json::to_string_pretty(value).unwrap_or_default())
}

/// What `replay` was given.
pub struct Replay<'a> {
    pub file: &'a Path,
    pub delivery: Option<&'a Path>,
    pub body: Option<&'a Path>,
    pub headers: &'a [String],
    pub query: Option<&'a str>,
    pub secrets: &'a [String],
    pub credentials: Option<&'a Path>,
    pub samples: Option<&'a Path>,
    pub no_samples: bool,
}

/// Runs one delivery: prints the `Delivery` (exit 0) or the `Rejection` (exit 1) as JSON.
pub fn replay(out: &mut impl Write, r: &Replay<'_>) -> std::io::Result<ExitCode> {
    let interpreted = match load(r.file, r.samples, r.no_samples) {
        Ok(i) => i,
        Err(code) => return Ok(code),
    };
    if !interpreted.has_webhook() {
        return Ok(usage("the definition has no `webhook` block"));
    }
    let (headers, query, body) = match read_delivery(r) {
        Ok(read) => read,
        Err(code) => return Ok(code),
    };
    let (values, _) = match values(interpreted, r.credentials, r.secrets) {
        Ok(v) => v,
        Err(code) => return Ok(code),
    };
    let client = match interpreted.client(values, None) {
        Ok(client) => client,
        Err(e) => return Ok(usage(&e.to_string())),
    };
    let runtime = match runtime() {
        Ok(rt) => rt,
        Err(code) => return Ok(code),
    };
    let request = miniapp::webhook::Request { headers: &headers, query: &query, body: &body };
    match runtime.block_on(client.replay(&request)) {
        Ok(delivery) => {
            print(out, &serde_json::to_value(&delivery).unwrap_or_default())?;
            Ok(ExitCode::SUCCESS)
        }
        Err(rejection) => {
            print(out, &serde_json::to_value(&rejection).unwrap_or_default())?;
            Ok(ExitCode::from(1))
        }
    }
}

fn read_delivery(r: &Replay<'_>) -> Result<(http::HeaderMap, String, Vec<u8>), ExitCode> {
    let mut headers = http::HeaderMap::new();
    let mut add = |name: &str, value: &str| -> Result<(), ExitCode> {
        let name = http::HeaderName::from_bytes(name.trim().as_bytes()).map_err(|_| usage(&format!("`{name}` is not a header name")))?;
        let value =
            http::HeaderValue::from_str(value.trim()).map_err(|_| usage(&format!("the value of `{name}` is not a header value")))?;
        headers.append(name, value);
        Ok(())
    };
    let (query, body) = match (r.delivery, r.body) {
        (Some(file), None) => {
            let text = std::fs::read(file).map_err(|e| usage(&format!("cannot read `{}`: {e}", file.display())))?;
            let captured: Captured = serde_json::from_slice(&text).map_err(|e| {
                usage(&format!(
                    "`{}` is not a captured delivery ({{\"headers\": {{…}}, \"query\": \"…\", \"body\": … or \"bodyText\": \"…\"}}): {e}",
                    file.display()
                ))
            })?;
            match captured.headers {
                Headers::None => {}
                Headers::Map(map) => {
                    for (name, value) in map {
                        add(&name, value.as_str().unwrap_or(&value.to_string()))?;
                    }
                }
                Headers::List(list) => {
                    for (name, value) in list {
                        add(&name, &value)?;
                    }
                }
            }
            let body = match (captured.body, captured.body_text) {
                (Some(_), Some(_)) => return Err(usage("a captured delivery has `body` or `bodyText`, not both")),
                (Some(json), None) => serde_json::to_vec(&json).unwrap_or_default(),
                (None, Some(text)) => text.into_bytes(),
                (None, None) => Vec::new(),
            };
            (captured.query, body)
        }
        (None, Some(file)) => (String::new(), std::fs::read(file).map_err(|e| usage(&format!("cannot read `{}`: {e}", file.display())))?),
        _ => return Err(usage("give the delivery with --delivery FILE, or its raw body with --body FILE (and -H, --query)")),
    };
    for header in r.headers {
        let Some((name, value)) = header.split_once(':') else { return Err(usage(&format!("`{header}` is not `Name: value`"))) };
        add(name, value)?;
    }
    let query = r.query.map(str::to_string).unwrap_or(query);
    Ok((headers, query.trim_start_matches('?').to_string(), body))
}

/// What `invoke` was given.
pub struct Invoke<'a> {
    pub file: &'a Path,
    pub action: &'a str,
    pub input: &'a str,
    pub credentials: Option<&'a Path>,
    pub base_url: Option<&'a str>,
    pub samples: Option<&'a Path>,
    pub no_samples: bool,
}

/// Runs one action: prints its output (exit 0) or the typed error (exit 1) as JSON, secrets masked.
pub fn invoke(out: &mut impl Write, i: &Invoke<'_>) -> std::io::Result<ExitCode> {
    let interpreted = match load(i.file, i.samples, i.no_samples) {
        Ok(interpreted) => interpreted,
        Err(code) => return Ok(code),
    };
    let input_text = match i.input.strip_prefix('@') {
        Some(path) => match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) => return Ok(usage(&format!("cannot read `{path}`: {e}"))),
        },
        None => i.input.to_string(),
    };
    let input: Map<String, Value> = match serde_json::from_str(&input_text) {
        Ok(input) => input,
        Err(e) => return Ok(usage(&format!("--input is not a JSON object: {e}"))),
    };
    let (values, secrets) = match values(interpreted, i.credentials, &[]) {
        Ok(v) => v,
        Err(code) => return Ok(code),
    };
    let client = match interpreted.client(values, i.base_url) {
        Ok(client) => client,
        Err(e) => return Ok(usage(&e.to_string())),
    };
    let runtime = match runtime() {
        Ok(rt) => rt,
        Err(code) => return Ok(code),
    };
    match runtime.block_on(client.invoke(i.action, &input)) {
        Ok(mut output) => {
            mask(&mut output, &secrets);
            print(out, &output)?;
            Ok(ExitCode::SUCCESS)
        }
        Err(InvokeError::NoSuchAction(name)) => {
            let known: Vec<&str> = interpreted.ir.actions.iter().map(|a| a.json.as_str()).collect();
            Ok(usage(&format!("the definition has no action `{name}` (it has {})", known.join(", "))))
        }
        Err(InvokeError::Function(name)) => Ok(usage(&format!(
            "`{}` calls the App Function `{name}`, which only a compiled connector (with your `Functions`) runs",
            i.action
        ))),
        Err(InvokeError::Input(message)) => Ok(usage(&format!("invalid input: {message}"))),
        Err(InvokeError::Runtime(error)) => {
            let mut report = serde_json::json!({"error": error.to_string(), "status": error.status()});
            mask(&mut report, &secrets);
            print(out, &report)?;
            Ok(ExitCode::from(1))
        }
    }
}
