//! Deliveries shaped like the three most common providers' (docs/format.md §10.4): GitHub
//! (`X-GitHub-Delivery`, `X-GitHub-Event` + `$.action`, `sha256=`-hex), Shopify
//! (`X-Shopify-Webhook-Id`, `X-Shopify-Topic`, base64) and WooCommerce
//! (`X-WC-Webhook-Delivery-ID`, `X-WC-Webhook-Topic`, base64). Their ids are in headers: a re-sent
//! delivery must come back a duplicate, in memory and on a real Redis.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may panic: that is how it fails

use std::sync::Arc;

use base64::Engine as _;
use miniapp::Secret;
use miniapp::webhook::{Dedupe, Request};
use miniapp_tests::{github, shopify, woocommerce};
use serde_json::json;

use super::webhooks::headers;

const SECRET: &str = "It's a Secret to Everybody";

fn hmac256(body: &[u8]) -> Vec<u8> {
    super::webhooks::hmac256(SECRET, body)
}

/// A GitHub delivery: its id and event in headers, the action in the body.
fn github_delivery(id: &str, event: &str, action: Option<&str>) -> (http::HeaderMap, Vec<u8>) {
    let mut body = json!({"repository": {"full_name": "octo/hello"}, "sender": {"login": "octocat"}});
    if let Some(action) = action {
        body["action"] = json!(action);
    }
    let body = serde_json::to_vec(&body).unwrap();
    let signature = format!("sha256={}", hex::encode(hmac256(&body)));
    // Header names as GitHub writes them: matching is case-insensitive.
    let h = headers(&[
        ("X-GitHub-Delivery", id.to_string()),
        ("X-GitHub-Event", event.to_string()),
        ("X-Hub-Signature-256", signature),
        ("User-Agent", "GitHub-Hookshot/044aadd".to_string()),
    ]);
    (h, body)
}

fn github_client(dedupe: Option<Arc<dyn Dedupe>>) -> github::Client {
    let builder =
        github::Client::builder(github::Credentials { webhook_secret: Some(Secret::new(SECRET)), ..Default::default() }).install("inst-1");
    match dedupe {
        Some(d) => builder.dedupe(d).build(),
        None => builder.build(),
    }
}

#[tokio::test]
async fn a_github_delivery_is_identified_by_its_delivery_header_and_a_redelivery_is_a_duplicate() {
    let client = github_client(None);
    let id = "72d3162e-cc78-11e3-81ab-4c9367dc0958";
    let (h, body) = github_delivery(id, "issues", Some("opened"));
    let first = client.receive_webhook(&Request { headers: &h, query: "", body: &body }).await.unwrap();
    assert_eq!(first.transaction_id.as_deref(), Some(id), "the id is the header's");
    assert!(!first.generated_id && first.is_new());
    assert_eq!(first.event, Some(github::Event::IssuesOpened), "header + action");
    client.confirm_webhook(&first).await.unwrap();
    // GitHub's "Redeliver" sends the same delivery id again.
    let again = client.receive_webhook(&Request { headers: &h, query: "", body: &body }).await.unwrap();
    assert!(again.duplicate, "a re-sent delivery is recognised");
    // Another delivery of the same event is new.
    let (h2, body2) = github_delivery("0b989ba4-242f-11e5-81e1-c7b6966d2516", "issues", Some("opened"));
    assert!(client.receive_webhook(&Request { headers: &h2, query: "", body: &body2 }).await.unwrap().is_new());
    // `push` and `ping` have no action: the event is the header alone.
    for (event, expected) in [("push", github::Event::Push), ("ping", github::Event::Ping)] {
        let (h, body) = github_delivery(&format!("{event}-1"), event, None);
        let d = client.receive_webhook(&Request { headers: &h, query: "", body: &body }).await.unwrap();
        assert_eq!(d.event, Some(expected));
        assert_eq!(d.transaction_id.as_deref(), Some(format!("{event}-1").as_str()));
    }
}

#[tokio::test]
async fn a_delivery_without_its_id_header_has_no_id_and_claims_nothing() {
    let client = github_client(None);
    let (mut h, body) = github_delivery("d-1", "push", None);
    h.remove("x-github-delivery");
    // No `fallback: "generate"`: processed, with no id to de-duplicate on (docs/format.md §10.4).
    let d = client.receive_webhook(&Request { headers: &h, query: "", body: &body }).await.unwrap();
    assert_eq!((d.transaction_id, d.claimed, d.duplicate), (None, false, false));
}

fn shopify_delivery(id: &str, topic: &str, order: u64) -> (http::HeaderMap, Vec<u8>) {
    let body = serde_json::to_vec(&json!({"id": order, "email": "jon@example.com", "total_price": "199.00"})).unwrap();
    let signature = base64::engine::general_purpose::STANDARD.encode(hmac256(&body));
    let h = headers(&[
        ("X-Shopify-Topic", topic.to_string()),
        ("X-Shopify-Hmac-Sha256", signature),
        ("X-Shopify-Shop-Domain", "example.myshopify.com".to_string()),
        ("X-Shopify-Webhook-Id", id.to_string()),
        ("X-Shopify-Event-Id", format!("evt-{order}")),
        ("X-Shopify-Triggered-At", "2026-12-06T10:00:00.000Z".to_string()),
    ]);
    (h, body)
}

#[tokio::test]
async fn a_shopify_retry_carries_the_same_webhook_id_and_is_a_duplicate() {
    let client = shopify::Client::builder(shopify::Credentials { webhook_secret: Some(Secret::new(SECRET)), ..Default::default() })
        .install("example.myshopify.com")
        .build();
    let (h, body) = shopify_delivery("b54557e4-bdd9-4b37-8a5f-bf7d70bcd043", "orders/create", 820982911946154508);
    let first = client.receive_webhook(&Request { headers: &h, query: "", body: &body }).await.unwrap();
    assert_eq!(first.transaction_id.as_deref(), Some("b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"));
    assert_eq!(first.event, Some(shopify::Event::OrdersCreate));
    client.confirm_webhook(&first).await.unwrap();
    assert!(client.receive_webhook(&Request { headers: &h, query: "", body: &body }).await.unwrap().duplicate);
    // An update of the same order is another delivery, with its own id.
    let (h2, body2) = shopify_delivery("a1f2c3d4-0000-4b37-8a5f-bf7d70bcd043", "orders/updated", 820982911946154508);
    let update = client.receive_webhook(&Request { headers: &h2, query: "", body: &body2 }).await.unwrap();
    assert!(update.is_new());
    assert_eq!(update.event, Some(shopify::Event::OrdersUpdated));
}

#[tokio::test]
async fn a_woocommerce_redelivery_is_a_duplicate() {
    let client = woocommerce::Client::builder(woocommerce::Credentials { webhook_secret: Some(Secret::new(SECRET)), ..Default::default() })
        .install("shop.example")
        .build();
    let body = serde_json::to_vec(&json!({"id": 727, "status": "processing", "billing": {"email": "a@example.com"}})).unwrap();
    let h = headers(&[
        ("X-WC-Webhook-Source", "https://shop.example/".to_string()),
        ("X-WC-Webhook-Topic", "order.created".to_string()),
        ("X-WC-Webhook-Resource", "order".to_string()),
        ("X-WC-Webhook-Event", "created".to_string()),
        ("X-WC-Webhook-Signature", base64::engine::general_purpose::STANDARD.encode(hmac256(&body))),
        ("X-WC-Webhook-ID", "12".to_string()),
        ("X-WC-Webhook-Delivery-ID", "9f1b2c7a3e".to_string()),
    ]);
    let first = client.receive_webhook(&Request { headers: &h, query: "", body: &body }).await.unwrap();
    assert_eq!((first.transaction_id.as_deref(), first.event.clone()), (Some("9f1b2c7a3e"), Some(woocommerce::Event::OrderCreated)));
    client.confirm_webhook(&first).await.unwrap();
    assert!(client.receive_webhook(&Request { headers: &h, query: "", body: &body }).await.unwrap().duplicate);
}

#[tokio::test]
#[cfg_attr(not(redis_server), ignore = "redis-server is not installed")]
async fn header_ids_de_duplicate_across_receivers_on_redis() {
    let redis = miniapp_tests::redis_server::RedisServer::start();
    let receiver = || async {
        let conn = miniapp::redis::connect(&redis.url()).await.unwrap();
        github_client(Some(Arc::new(miniapp::redis::RedisDedupe::new(conn))))
    };
    let (a, b) = (receiver().await, receiver().await);
    let (h, body) = github_delivery("5ab2b5b0-0000-11ef-8000-0242ac120002", "issues", Some("opened"));
    let request = Request { headers: &h, query: "", body: &body };
    let first = a.receive_webhook(&request).await.unwrap();
    assert!(first.is_new());
    // While the first receiver processes it, the other replica is told to come back later.
    let in_flight = b.receive_webhook(&request).await.unwrap_err();
    assert_eq!(in_flight.reason, miniapp::webhook::Reason::InFlight);
    a.confirm_webhook(&first).await.unwrap();
    // GitHub redelivers to the other replica: a duplicate.
    assert!(b.receive_webhook(&request).await.unwrap().duplicate);
}
