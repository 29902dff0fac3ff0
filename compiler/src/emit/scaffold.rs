//! The standalone crate `miniapp generate --crate DIR` writes: `Cargo.toml`, `src/lib.rs`,
//! `src/connector.rs` (the generated code) and a README with the actions table.

use std::path::PathBuf;

use crate::Generated;
use crate::names;

/// The `miniapp` dependency of a generated crate when none is given: the runtime is not on a
/// registry, so this says what to set (and Cargo stops on it with the path in its message).
pub const DEFAULT_RUNTIME: &str = "# The `miniapp` runtime is not published on a registry: point this at the `runtime/` directory\n\
# of a miniapp-rs checkout, or at its git repository, e.g.\n\
#   miniapp = { path = \"/src/miniapp-rs/runtime\" }\n\
#   miniapp = { git = \"https://example.com/miniapp-rs.git\" }\n\
# (`miniapp generate --crate DIR --runtime PATH-OR-GIT-URL` writes this line for you.)\n\
miniapp = { path = \"SET-ME--the-runtime-directory-of-a-miniapp-rs-checkout\" }";

/// Where a generated crate gets the `miniapp` runtime from, as given to
/// `miniapp generate --crate DIR --runtime SPEC`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Runtime {
    /// The runtime crate's directory (absolute).
    Path(PathBuf),
    /// A git repository holding the runtime, optionally at a revision.
    Git { url: String, rev: Option<String> },
}

impl Runtime {
    /// Reads a `--runtime` value: a directory holding the `miniapp` runtime crate (relative to the
    /// current directory), or a git URL (`https://…`, `ssh://…`, `git@host:…`, or any URL
    /// prefixed with `git+`), with an optional `#REV`. Anything else is an error saying why.
    pub fn parse(spec: &str) -> Result<Runtime, String> {
        let spec = spec.trim();
        let git = spec
            .strip_prefix("git+")
            .or_else(|| ["https://", "http://", "ssh://", "git://", "git@"].iter().any(|p| spec.starts_with(p)).then_some(spec));
        if let Some(url) = git {
            let (url, rev) = match url.split_once('#') {
                Some((url, rev)) if !rev.is_empty() => (url, Some(rev.to_string())),
                Some((url, _)) => (url, None),
                None => (url, None),
            };
            if url.is_empty() || url.contains(char::is_whitespace) || url.contains('"') {
                return Err(format!("`{spec}` is not a git URL"));
            }
            return Ok(Runtime::Git { url: url.to_string(), rev });
        }
        let dir = std::path::Path::new(spec);
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).map_err(|_| {
            format!("`{spec}` is neither a directory with a Cargo.toml nor a git URL; give the `runtime/` directory of a miniapp-rs checkout or its git URL")
        })?;
        // The `[package]` table's `name` (a `[[bin]]` may also be called `miniapp`).
        let package_name = manifest
            .lines()
            .map(str::trim)
            .skip_while(|l| *l != "[package]")
            .skip(1)
            .take_while(|l| !l.starts_with('['))
            .find_map(|l| l.replace(' ', "").strip_prefix("name=").map(|n| n.trim_matches('"').to_string()));
        if package_name.as_deref() != Some("miniapp") {
            return Err(format!("`{spec}` holds a crate, but not the `miniapp` runtime (its Cargo.toml has no `name = \"miniapp\"`)"));
        }
        let dir = dir.canonicalize().map_err(|e| format!("`{spec}`: {e}"))?;
        Ok(Runtime::Path(dir))
    }

    /// The dependency line of the generated Cargo.toml.
    pub fn dependency(&self) -> String {
        match self {
            Runtime::Path(dir) => format!("miniapp = {{ path = {} }}", toml_string(&dir.to_string_lossy())),
            Runtime::Git { url, rev: None } => format!("miniapp = {{ git = {} }}", toml_string(url)),
            Runtime::Git { url, rev: Some(rev) } => format!("miniapp = {{ git = {}, rev = {} }}", toml_string(url), toml_string(rev)),
        }
    }
}

fn escape_md(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

fn toml_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_default()
}

/// What the connector offers, as the README's sections: actions, dropdown sources, the webhook's
/// events with their triggers, and the sync resources with their record types.
fn offer(ir: &crate::ir::Ir) -> String {
    let mut out = String::new();
    if !ir.actions.is_empty() {
        out.push_str("## Actions\n\n| Method | Action | What it does |\n|---|---|---|\n");
        for a in &ir.actions {
            let (method, title, description) = (names::display(&a.method), escape_md(&a.title), escape_md(&a.description));
            out.push_str(&format!("| `Client::{method}` | `{}` | {title}: {description} |\n", a.json));
        }
    }
    if !ir.sources.is_empty() {
        out.push_str("\n## Dropdown sources\n\n");
        for s in &ir.sources {
            out.push_str(&format!("- `Client::{}` (`{}`)\n", names::display(&s.method), s.json));
        }
    }
    if ir.webhook.is_some() {
        out.push_str("\n## Webhook events\n\n`Client::receive_webhook` verifies a delivery and names its event:\n\n");
        out.push_str("| Event | `Event` variant | Trigger |\n|---|---|---|\n");
        for e in &ir.events {
            let trigger = ir.triggers.iter().find(|t| t.event == e.event).map_or_else(
                || "(no trigger: an override or a sync handler)".to_string(),
                |t| format!("{}: {}", escape_md(&t.label), escape_md(&t.description)),
            );
            out.push_str(&format!("| `{}` | `Event::{}` | {trigger} |\n", escape_md(&e.event), e.rust));
        }
    }
    if let Some(sync) = ir.sync.as_ref().filter(|s| !s.resources.is_empty()) {
        out.push_str("\n## Sync resources\n\n| Resource | Import | Record type |\n|---|---|---|\n");
        for r in &sync.resources {
            let method = names::display(&r.method);
            out.push_str(&format!("| `{}` | `Client::{method}`, `Client::{method}_from` | `sync::{}` |\n", r.json, r.mapper.record));
        }
    }
    out
}

/// The files of the crate, relative to its directory.
pub fn crate_files(generated: &Generated, runtime: Option<&str>) -> Vec<(PathBuf, String)> {
    let ir = &generated.ir;
    let runtime = runtime.unwrap_or(DEFAULT_RUNTIME);
    let cargo = format!(
        "[package]\nname = {}\nversion = {}\nedition = \"2024\"\ndescription = {}\npublish = false\n\n[dependencies]\n{runtime}\n",
        toml_string(&names::crate_name(&ir.ns)),
        toml_string(&ir.version),
        toml_string(&format!("{} connector generated from its Karzoun MiniApp definition", ir.title)),
    );
    // The code lives in `connector.rs`, included rather than declared as a module: the items stay at
    // the crate root, and rustfmt (which follows modules) leaves the generator's formatting alone.
    // The crate's page starts where the client's does: what the connector offers.
    let overview: String =
        crate::codegen::overview::lines(ir).iter().map(|line| format!("//! {line}\n").replace("//! \n", "//!\n")).collect();
    let lib = format!(
        "//! {} {}: {}\n//!\n{overview}//!\n//! Generated by miniapp-compiler from the `{}` definition. Do not edit.\n\n#![forbid(unsafe_code)]\n\ninclude!(\"connector.rs\");\n",
        names::comment_line(&ir.title),
        names::comment_line(&ir.version),
        names::comment_line(&ir.short_description),
        ir.ns
    );
    let connector = format!("// Generated by miniapp-compiler from the `{}` definition. Do not edit.\n\n{}", ir.ns, generated.code);
    let crate_ident = names::snake(&names::crate_name(&ir.ns));
    let mut readme = format!(
        "# {}\n\n{}\n\nA typed Rust client generated by miniapp-compiler from the `{}` MiniApp definition (version {}).\n\n",
        ir.title, ir.short_description, ir.ns, ir.version
    );
    readme.push_str(&offer(ir));
    let functions = if ir.needs_functions() { "MyFunctions" } else { "" };
    readme.push_str(&format!(
        "\n## Use\n\n```rust,ignore\n// Once per process: what every install shares.\nlet app = {crate_ident}::App::builder({functions}).build();\n\
         // Per install: a handle on the app, its credentials in a store (here in memory).\n\
         let client = app.install(\"install-1\", {crate_ident}::Credentials {{ /* ... */ ..Default::default() }}.into_store());\n```\n"
    ));
    vec![
        (PathBuf::from("Cargo.toml"), cargo),
        (PathBuf::from("src/lib.rs"), lib),
        (PathBuf::from("src/connector.rs"), connector),
        (PathBuf::from("README.md"), readme),
    ]
}
