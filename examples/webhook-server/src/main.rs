//! `cargo run -p miniapp-example-webhook-server`: receives Acme Shop webhooks on
//! 127.0.0.1:8080 (or `$PORT`) for the install `demo`, signed with `$ACME_SIGNING_KEY`, and
//! prints each delivery as one JSON line.

use std::collections::HashMap;
use std::sync::Arc;

use miniapp_example_webhook_server::{app, client};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let key = std::env::var("ACME_SIGNING_KEY").unwrap_or_else(|_| "demo-signing-key".to_string());
    let port = std::env::var("PORT").ok().and_then(|p| p.parse().ok()).unwrap_or(8080u16);
    let dedupe = Arc::new(miniapp::webhook::MemoryDedupe::default());
    let (router, mut deliveries) = app(HashMap::from([("demo".to_string(), client("demo", &key, dedupe))]));
    tokio::spawn(async move {
        while let Some((client, delivery)) = deliveries.recv().await {
            println!("{}", serde_json::to_string(&delivery).unwrap_or_default());
            if let Err(e) = client.confirm_webhook(&delivery).await {
                eprintln!("could not confirm a delivery: {e}");
            }
        }
    });
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    eprintln!("listening on http://{}/miniapps/acme-shop/webhooks/demo", listener.local_addr()?);
    axum::serve(listener, router).await
}
