//! The "start here" documentation of a connector: what it offers (actions, sources, webhook
//! events, sync resources, the `Functions` trait) and how to build a client. It is the rustdoc of
//! the generated `Client` in every mode (a macro cannot document the module it expands in), and
//! the crate documentation of a generated crate.

use crate::ir::Ir;
use crate::names;

/// The overview, as lines of Markdown. Links are intra-doc links from the connector's module
/// (`Client`, `Event`, `sync::…`) and to the runtime (`miniapp::…`).
pub fn lines(ir: &Ir) -> Vec<String> {
    let mut doc = vec![format!("A client of {} for one connected account: start here.", names::comment_line(&ir.title)), String::new()];
    let functions = if ir.needs_functions() { ", your [`Functions`]" } else { "" };
    let args = if functions.is_empty() { "" } else { "functions" };
    doc.push(format!(
        "**Get one** from an [`App`], built once per process with [`App::builder`]`({args})` (HTTP client and its pool, \
         retries, rate limit, app-wide config: a typed setter per config key), then [`App::install`]`(install, store)`: a \
         handle of a few words per install, whose credentials ([`Credentials`]) live in `store`. For one install, \
         [`Client::builder`]`(credentials{})` takes the same settings.",
        if functions.is_empty() { "" } else { ", functions" }
    ));
    if ir.auth.oauth2 {
        doc.push(
            "OAuth 2.0: send the user to [`Client::authorize_url`], then [`Client::connect`] with the code (exchange, \
             `userDetails`, registration); tokens are refreshed as they expire."
                .to_string(),
        );
    }
    if !ir.actions.is_empty() {
        doc.push(String::new());
        doc.push(
            "**Actions** (typed input, typed output; each waits for the platform's rate limit and retries transient failures):".into(),
        );
        for a in &ir.actions {
            doc.push(format!("- [`Client::{}`] — {}", a.method, names::comment_line(&a.title)));
        }
    }
    if !ir.sources.is_empty() {
        doc.push(String::new());
        doc.push("**Dropdown sources** ([`miniapp::SourceOption`]s):".into());
        for s in &ir.sources {
            doc.push(format!("- [`Client::{}`] (`{}`)", s.method, s.json));
        }
    }
    if ir.webhook.is_some() {
        doc.push(String::new());
        doc.push(
            "**Webhooks**: [`Client::receive_webhook`] verifies a delivery and reads it into a \
             [`miniapp::webhook::Delivery`] of [`Event`]; confirm it with [`Client::confirm_webhook`] once processed \
             (or mount `miniapp::webhook::axum`, feature `axum`). Events:"
                .into(),
        );
        for e in &ir.events {
            doc.push(format!("- `{}`: [`Event::{}`]", e.event, e.rust));
        }
    }
    if let Some(sync) = &ir.sync {
        doc.push(String::new());
        doc.push(
            "**Sync** (a [`miniapp::sync::Import`] is a stream of typed records, resumable from its \
             [`miniapp::sync::Checkpoint`]):"
                .into(),
        );
        for r in &sync.resources {
            doc.push(format!(
                "- `{}`: [`Client::{}`] yields [`sync::{}`]s; [`Client::{}_from`] resumes",
                r.json,
                r.method,
                names::record_type(&r.json),
                r.method
            ));
        }
        if !sync.handlers.is_empty() {
            doc.push("- real-time handlers: a delivery's [`miniapp::webhook::Delivery::handler`] holds a [`sync::SyncRecord`]".into());
        }
    }
    if !functions.is_empty() {
        doc.push(String::new());
        doc.push(
            "**[`Functions`]**: what the definition names but cannot define in Rust (App Functions, sync `compute` \
             helpers); implement it and pass it to [`App::builder`] (or [`Client::builder`])."
                .into(),
        );
    }
    doc.push(String::new());
    doc.push(
        "Errors are [`miniapp::Error`]s; secrets never reach `Debug`, logs or errors. The runtime logs through `tracing` \
         (see [`miniapp`])."
            .into(),
    );
    doc
}
