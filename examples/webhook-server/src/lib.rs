//! A webhook receiver for the bundled `acme-shop` definition: one `App` for every install,
//! mounted in an axum router at `POST /miniapps/acme-shop/webhooks/{install}`. Each delivery's
//! install is found by its id (its credential store holds its own signing secret) and served by a
//! client handle made from the `App` in microseconds. Each accepted, new delivery is processed
//! before the reply: the provider gets its 2xx once the delivery is processed, and a status it
//! retries otherwise.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use miniapp::Store;
use miniapp::webhook::Delivery;
use miniapp::webhook::axum::BoxError;

/// The Acme Shop connector.
pub mod acme_shop {
    miniapp::include_miniapp!("../definitions/acme-shop.json", deny_warnings);
}

/// What every install shares, built once: the HTTP client and its pool, the functions, the
/// de-duplication store.
pub fn acme_app() -> acme_shop::App {
    acme_shop::App::builder(Functions).build()
}

/// The router. `installs` maps an install id to its credential store (a `RedisStore` in a
/// deployment; here in memory); `process` handles each accepted, new delivery before the reply
/// and returns `Ok` once it is processed (or in a durable queue). The receiver confirms the
/// delivery then, or releases it when `process` fails, so the provider's retry is processed again.
pub fn router<P, F>(app: acme_shop::App, installs: HashMap<String, Arc<dyn Store>>, process: P) -> axum::Router
where
    P: Fn(Delivery<acme_shop::Event>) -> F + Send + Sync + 'static,
    F: Future<Output = Result<(), BoxError>> + Send + 'static,
{
    let installs = Arc::new(installs);
    miniapp::webhook::axum::app_receiver(
        app,
        move |install: Option<String>| {
            let installs = installs.clone();
            async move { installs.get(&install?).cloned() }
        },
        move |_client: Arc<acme_shop::Client>, delivery| process(delivery),
    )
    .into_router()
}

/// What this receiver does with a placed order: tells the shop it is being processed (the
/// `updateOrderStatus` action, on the install's client). Other events need nothing.
pub async fn acknowledge_order(client: &acme_shop::Client, delivery: &Delivery<acme_shop::Event>) -> Result<(), miniapp::Error> {
    if delivery.event != Some(acme_shop::Event::OrderPlaced) {
        return Ok(());
    }
    let body: serde_json::Value = serde_json::from_slice(delivery.body.as_bytes()).map_err(|e| miniapp::Error::Input(e.to_string()))?;
    let Some(order) = body.pointer("/payload/id").and_then(serde_json::Value::as_str) else {
        return Err(miniapp::Error::Input("the delivery names no order".into()));
    };
    let mut input = acme_shop::UpdateOrderStatusInput::new(order, "processing");
    input.notify_shopper = Some(false);
    client.update_order_status(&input).await?;
    Ok(())
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

/// The credential store of an install whose deliveries are signed with `signing_key`.
pub fn install_store(signing_key: &str) -> Arc<dyn Store> {
    acme_shop::Credentials { hook_signing_key: Some(miniapp::Secret::new(signing_key)), ..Default::default() }.into_store()
}
