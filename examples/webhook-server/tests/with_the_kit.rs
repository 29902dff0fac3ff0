//! How a connector's user tests their own code with nothing but the test kit (the `miniapp`
//! feature `testing`): no provider to write, no signature to compute. The provider is the
//! connector's `testing::MockProvider`; deliveries come from `testing::sign_delivery`.

#![allow(clippy::unwrap_used)] // a test may panic: that is how it fails

use miniapp::Secret;
use miniapp::testing::{Fault, Route};
use miniapp_example_webhook_server::{Functions, acknowledge_order, acme_shop};
use serde_json::json;

const SIGNING_KEY: &str = "whsec-kit";

/// An install of the connector whose requests reach the mock.
fn client(mock: &acme_shop::testing::MockProvider) -> acme_shop::Client {
    let credentials = acme_shop::Credentials {
        access_token: Some(Secret::new("at-kit")),
        store_id: Some("store-9".into()),
        hook_signing_key: Some(Secret::new(SIGNING_KEY)),
        ..Default::default()
    };
    acme_shop::App::builder(Functions).base_url(mock.url()).build().install("store-9", credentials.into_store())
}

#[tokio::test]
async fn a_placed_order_is_marked_processing_at_the_shop() {
    let mock = acme_shop::testing::MockProvider::start().await;
    let client = client(&mock);
    let signed = acme_shop::testing::sign_delivery(SIGNING_KEY, &acme_shop::Event::OrderPlaced, json!({"payload": {"id": "o-42"}}));
    let delivery = client.receive_webhook(&signed.request()).await.unwrap();

    acknowledge_order(&client, &delivery).await.unwrap();

    let updates = mock.requests_to(Route::Action { action: "updateOrderStatus", step: 1 });
    assert_eq!(updates.len(), 1);
    assert_eq!(updates[0].path, "/v3/stores/store-9/orders/o-42/status");
    assert_eq!(updates[0].json(), json!({"status_id": "processing", "note": null, "notify": false}));
    assert_eq!(updates[0].header("authorization"), Some("Bearer ***"), "the token is never recorded");
}

#[tokio::test]
async fn other_events_call_nothing_and_a_failing_shop_is_an_error_to_retry() {
    let mock = acme_shop::testing::MockProvider::start().await;
    let client = client(&mock);
    let abandoned = acme_shop::testing::sign_delivery(SIGNING_KEY, &acme_shop::Event::CartAbandoned, json!({"payload": {"id": "k-1"}}));
    acknowledge_order(&client, &client.receive_webhook(&abandoned.request()).await.unwrap()).await.unwrap();
    assert!(mock.requests().is_empty());

    mock.on_action("updateOrderStatus").fail(Fault::Status(503)).fail(Fault::Status(503)).fail(Fault::Status(503)).fail(Fault::Status(503));
    let placed = acme_shop::testing::sign_delivery(SIGNING_KEY, &acme_shop::Event::OrderPlaced, json!({"payload": {"id": "o-43"}}));
    let error = acknowledge_order(&client, &client.receive_webhook(&placed.request()).await.unwrap()).await.unwrap_err();
    assert_eq!(error.status(), Some(503), "after the client's retries: the receiver releases the delivery");
}
