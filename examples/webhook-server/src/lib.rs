//! A webhook receiver for the bundled `acme-shop` definition: the generated client mounted in an
//! axum router at `POST /miniapps/acme-shop/webhooks/{install}`. Each install has its own client
//! (its own signing secret); accepted, new deliveries go to a channel for processing after the
//! provider has its reply.

use std::collections::HashMap;
use std::sync::Arc;

use miniapp::webhook::Delivery;
use tokio::sync::mpsc;

/// The Acme Shop connector.
pub mod acme_shop {
    miniapp::include_miniapp!("../definitions/acme-shop.json", deny_warnings);
}

/// A delivery to process, with the client of its install (to confirm or release it).
pub type Job = (Arc<acme_shop::Client>, Delivery<acme_shop::Event>);

/// The router and the receiving end of its deliveries. `installs` maps an install id to its
/// client; one shared de-duplication store serves them all.
pub fn app(installs: HashMap<String, Arc<acme_shop::Client>>) -> (axum::Router, mpsc::Receiver<Job>) {
    let (jobs, deliveries) = mpsc::channel(1024);
    let installs = Arc::new(installs);
    let router = miniapp::webhook::axum::receiver(
        move |install: Option<String>| {
            let installs = installs.clone();
            async move { installs.get(install.as_deref()?).cloned() }
        },
        move |client: Arc<acme_shop::Client>, delivery| {
            let jobs = jobs.clone();
            async move { jobs.send((client, delivery)).await.map_err(|_| "the processing queue is closed".into()) }
        },
    )
    .into_router();
    (router, deliveries)
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
