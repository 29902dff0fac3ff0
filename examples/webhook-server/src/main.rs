//! `cargo run -p miniapp-example-webhook-server`: receives Acme Shop webhooks on
//! 127.0.0.1:8080 (or `$PORT`) for the install `demo`, signed with `$ACME_SIGNING_KEY`, and
//! prints each delivery as one JSON line (then answers the provider with the definition's reply).

use std::collections::HashMap;

use miniapp_example_webhook_server::{acme_app, install_store, router};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let key = std::env::var("ACME_SIGNING_KEY").unwrap_or_else(|_| "demo-signing-key".to_string());
    let port = std::env::var("PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(8080u16);
    // Processing a delivery here is printing it; the provider gets its 2xx once that is done.
    let router = router(acme_app(), HashMap::from([("demo".to_string(), install_store(&key))]), |delivery| async move {
        println!("{}", serde_json::to_string(&delivery)?);
        Ok(())
    });
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    eprintln!("listening on http://{}/miniapps/acme-shop/webhooks/demo", listener.local_addr()?);
    axum::serve(listener, router).await
}
