//! A webhook receiver for the bundled `acme-shop` definition: the generated client mounted in an
//! axum router at `POST /miniapps/acme-shop/webhooks/{install}`. Each install has its own client
//! (its own signing secret). Each accepted, new delivery is processed before the reply: the
//! provider gets its 2xx once the delivery is processed, and a status it retries otherwise.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use miniapp::webhook::Delivery;
use miniapp::webhook::axum::BoxError;

/// The Acme Shop connector.
pub mod acme_shop {
    miniapp::include_miniapp!("../definitions/acme-shop.json", deny_warnings);
}

/// The router. `installs` maps an install id to its client (one shared de-duplication store
/// serves them all); `process` handles each accepted, new delivery before the reply and returns
/// `Ok` once it is processed (or in a durable queue). The receiver confirms the delivery then, or
/// releases it when `process` fails, so the provider's retry is processed again.
pub fn app<P, F>(installs: HashMap<String, Arc<acme_shop::Client>>, process: P) -> axum::Router
where
    P: Fn(Delivery<acme_shop::Event>) -> F + Send + Sync + 'static,
    F: Future<Output = Result<(), BoxError>> + Send + 'static,
{
    let installs = Arc::new(installs);
    miniapp::webhook::axum::receiver(
        move |install: Option<String>| {
            let installs = installs.clone();
            async move { installs.get(install.as_deref()?).cloned() }
        },
        move |_client: Arc<acme_shop::Client>, delivery| process(delivery),
    )
    .into_router()
}

/// What the definition names but cannot define in Rust: its `acmeSalesChannel` sync helper.
#[derive(Clone, Copy, Debug, Default)]
pub struct Functions;

impl acme_shop::Functions for Functions {
    /// An order's sales channel from where it was placed (`args.source`, the record's `origin`):
    /// `pos` is the store, anything else is online; no origin, no channel.
    fn compute_acme_sales_channel(&self, input: &miniapp::sync::ComputeInput) -> Result<serde_json::Value, String> {
        Ok(match input.arg("source").and_then(serde_json::Value::as_str) {
            Some("pos") => "store".into(),
            Some(_) => "online".into(),
            None => serde_json::Value::Null,
        })
    }
}

/// A client for one install, sharing `dedupe` with the others.
pub fn client(install: &str, signing_key: &str, dedupe: Arc<miniapp::webhook::MemoryDedupe>) -> Arc<acme_shop::Client> {
    let credentials = acme_shop::Credentials { hook_signing_key: Some(miniapp::Secret::new(signing_key)), ..Default::default() };
    Arc::new(acme_shop::Client::builder(credentials, Functions).install(install).dedupe(dedupe).build())
}
