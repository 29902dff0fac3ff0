//! Shared state on a real Redis server (feature `redis`), started by the tests on 127.0.0.1:
//! de-duplication across receivers, one token refresh across the clients of an install, and
//! what happens while Redis is down. Without `redis-server` installed these tests say so and
//! pass, except in CI (`CI` set), where that is a failure.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may panic: that is how it fails

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use base64::Engine as _;
use hmac::{KeyInit, Mac};
use miniapp::redis::{RedisDedupe, RedisRefreshLock, RedisStore};
use miniapp::webhook::{Reason, Rejection, Request};
use miniapp::{Bag, Error, Secret, Store};
use miniapp_loopback::{Reply, quick_retries, serve};
use miniapp_tests::redis_server::RedisServer;
use miniapp_tests::{AcmeFunctions, acme_shop};
use serde_json::{Value, json};

const KEY: &str = "whsec-acme-77";

fn signed(body: &Value) -> (http::HeaderMap, Vec<u8>) {
    let bytes = serde_json::to_vec(body).unwrap();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(KEY.as_bytes()).unwrap();
    mac.update(&bytes);
    let mut headers = http::HeaderMap::new();
    headers.insert("x-acme-signature", base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()).parse().unwrap());
    headers.insert("x-acme-topic", "order.placed".parse().unwrap());
    (headers, bytes)
}

/// A receiver with its own connection to Redis, as on its own replica.
async fn receiver(redis: &RedisServer) -> acme_shop::Client {
    let conn = miniapp::redis::connect(&redis.url()).await.unwrap();
    acme_shop::Client::builder(acme_shop::Credentials { hook_signing_key: Some(Secret::new(KEY)), ..Default::default() }, AcmeFunctions)
        .install("store-9")
        .dedupe(Arc::new(RedisDedupe::new(conn)))
        .build()
}

fn order(id: &str) -> Value {
    json!({"topic": "order.placed", "payload": {"id": id, "number": 1, "lines": []}})
}

#[tokio::test]
#[cfg_attr(not(redis_server), ignore = "redis-server is not installed")]
async fn two_receivers_given_the_same_delivery_process_it_once() {
    let redis = RedisServer::start();
    let (a, b) = (receiver(&redis).await, receiver(&redis).await);
    for round in 0..100 {
        let (headers, body) = signed(&order(&format!("ord-{round}")));
        let request = Request { headers: &headers, query: "", body: &body };
        let (x, y) = tokio::join!(a.receive_webhook(&request), b.receive_webhook(&request));
        // Exactly one receiver processes the delivery; the other is told to come back (it is
        // being processed, not yet confirmed).
        let (client, delivery, other) = match (x, y) {
            (Ok(x), Err(y)) => (&a, x, y),
            (Err(x), Ok(y)) => (&b, y, x),
            (x, y) => panic!("round {round}: {x:?} and {y:?}"),
        };
        assert!(delivery.is_new(), "round {round}");
        assert_eq!(other.reason, miniapp::webhook::Reason::InFlight, "round {round}");
        let delivery = &delivery;
        // Half are processed, half fail and are released.
        if round % 2 == 0 {
            client.confirm_webhook(delivery).await.unwrap();
        } else {
            client.release_webhook(delivery).await.unwrap();
        }
    }
    // The provider retries: confirmed deliveries are duplicates, released ones are processed.
    for round in 0..10 {
        let (headers, body) = signed(&order(&format!("ord-{round}")));
        let retry = b.receive_webhook(&Request { headers: &headers, query: "", body: &body }).await.unwrap();
        assert_eq!(retry.is_new(), round % 2 == 1, "round {round}");
    }
}

#[tokio::test]
#[cfg_attr(not(redis_server), ignore = "redis-server is not installed")]
async fn a_release_never_undoes_a_confirmation() {
    let redis = RedisServer::start();
    let (a, b) = (receiver(&redis).await, receiver(&redis).await);
    let (headers, body) = signed(&order("ord-x"));
    let request = Request { headers: &headers, query: "", body: &body };
    let first = a.receive_webhook(&request).await.unwrap();
    assert!(first.is_new());
    a.confirm_webhook(&first).await.unwrap();
    // A late release of the same id (a confused worker) leaves it processed.
    b.release_webhook(&first).await.unwrap();
    assert!(b.receive_webhook(&request).await.unwrap().duplicate);
}

#[tokio::test]
#[cfg_attr(not(redis_server), ignore = "redis-server is not installed")]
async fn two_clients_of_one_install_refresh_once_across_processes() {
    let redis = RedisServer::start();
    let refreshes = Arc::new(AtomicUsize::new(0));
    let counter = refreshes.clone();
    // Refresh tokens rotate: `rt-1` works once. A second refresh would disconnect the tenant.
    let provider = serve(move |r, _| match (r.method.as_str(), r.path.as_str()) {
        ("POST", "/oauth/token") => {
            counter.fetch_add(1, Ordering::SeqCst);
            let form: Vec<(String, String)> = form_urlencoded::parse(&r.body).into_owned().collect();
            if form.iter().any(|(k, v)| k == "refresh_token" && v == "rt-1") {
                Reply::json(json!({"access_token": "at-2", "refresh_token": "rt-2", "expires_in": 3600})).after(Duration::from_millis(200))
            } else {
                Reply::status(400, "invalid_grant")
            }
        }
        ("PUT", "/v3/stores/s9/orders/o-1/status") => match r.header("authorization") {
            Some("Bearer at-2") => Reply::json(json!({"order": {"status": {"code": "shipped"}, "updated_at": "2026-12-01"}})),
            _ => Reply::status(401, "expired"),
        },
        _ => Reply::status(404, "no route"),
    })
    .await;

    // The install, as the platform stored it when it was connected.
    let seed = RedisStore::new(miniapp::redis::connect(&redis.url()).await.unwrap(), acme_shop::NS, "store-9");
    let install = [("accessToken", json!("at-1")), ("refreshToken", json!("rt-1")), ("storeId", json!("s9")), ("client_id", json!("cid"))];
    seed.save(&install.iter().map(|(k, v)| (Bag::Credentials, (*k).to_string(), v.clone())).collect::<Vec<_>>()).await.unwrap();

    let mut clients = Vec::new();
    for _ in 0..2 {
        let conn = miniapp::redis::connect(&redis.url()).await.unwrap();
        clients.push(
            acme_shop::Client::builder(acme_shop::Credentials::default(), AcmeFunctions)
                .install("store-9")
                .store(Arc::new(RedisStore::new(conn.clone(), acme_shop::NS, "store-9")))
                .refresh_lock(Arc::new(RedisRefreshLock::new(conn)))
                .base_url(provider.url.clone())
                .retry(quick_retries())
                .build(),
        );
    }
    let input = acme_shop::UpdateOrderStatusInput { order_id: "o-1".into(), status_id: "shipped".into(), note: None, notify_shopper: None };
    let (x, y) = tokio::join!(clients[0].update_order_status(&input), clients[1].update_order_status(&input));
    x.unwrap();
    y.unwrap();
    assert_eq!(refreshes.load(Ordering::SeqCst), 1, "one refresh reached the provider");
    let stored = seed.load().await.unwrap();
    assert_eq!(stored.get(Bag::Credentials, "accessToken"), Some(&json!("at-2")));
    assert_eq!(stored.get(Bag::Credentials, "refreshToken"), Some(&json!("rt-2")));
    let auths: Vec<_> =
        provider.hits("/v3/stores/s9/orders/").iter().filter_map(|r| r.header("authorization").map(str::to_string)).collect();
    assert_eq!(auths.iter().filter(|a| *a == "Bearer at-2").count(), 2, "both calls succeeded with the new token: {auths:?}");
}

#[tokio::test]
#[cfg_attr(not(redis_server), ignore = "redis-server is not installed")]
async fn while_redis_is_down_calls_fail_typed_and_nothing_is_marked_processed() {
    let mut redis = RedisServer::start();
    let client = receiver(&redis).await;
    let store = RedisStore::new(miniapp::redis::connect(&redis.url()).await.unwrap(), acme_shop::NS, "store-9");
    store.save(&[(Bag::Credentials, "storeId".into(), json!("s9"))]).await.unwrap();

    // Before: ten deliveries processed.
    for i in 0..10 {
        let (headers, body) = signed(&order(&format!("before-{i}")));
        let d = client.receive_webhook(&Request { headers: &headers, query: "", body: &body }).await.unwrap();
        assert!(d.is_new());
        client.confirm_webhook(&d).await.unwrap();
    }

    redis.stop();
    for i in 0..5 {
        let (headers, body) = signed(&order(&format!("during-{i}")));
        match client.receive_webhook(&Request { headers: &headers, query: "", body: &body }).await {
            Err(Rejection { reason: Reason::Unavailable { .. }, reply }) => assert_eq!(reply.status, 503),
            other => panic!("expected 503 while Redis is down, got {other:?}"),
        }
    }
    match store.load().await {
        Err(e) => assert!(e.is_retryable(), "{e}"),
        Ok(_) => panic!("the store answered while Redis was down"),
    }

    redis.restart();
    // The connection comes back by itself; give it a moment.
    let started = std::time::Instant::now();
    while store.load().await.is_err() {
        assert!(started.elapsed() < Duration::from_secs(10), "the store did not reconnect");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(store.load().await.unwrap().get(Bag::Credentials, "storeId"), Some(&json!("s9")));
    // Deliveries refused while Redis was down were not marked: their retries are processed;
    // those processed before stay processed.
    for i in 0..5 {
        let (headers, body) = signed(&order(&format!("during-{i}")));
        let d = loop {
            match client.receive_webhook(&Request { headers: &headers, query: "", body: &body }).await {
                Ok(d) => break d,
                Err(_) if started.elapsed() < Duration::from_secs(10) => tokio::time::sleep(Duration::from_millis(100)).await,
                Err(e) => panic!("{e}"),
            }
        };
        assert!(d.is_new(), "during-{i}");
    }
    for i in 0..10 {
        let (headers, body) = signed(&order(&format!("before-{i}")));
        assert!(client.receive_webhook(&Request { headers: &headers, query: "", body: &body }).await.unwrap().duplicate);
    }
}

#[tokio::test]
#[cfg_attr(not(redis_server), ignore = "redis-server is not installed")]
async fn an_action_whose_store_is_down_fails_with_a_retryable_store_error() {
    let mut redis = RedisServer::start();
    let conn = miniapp::redis::connect(&redis.url()).await.unwrap();
    let client = acme_shop::Client::builder(acme_shop::Credentials::default(), AcmeFunctions)
        .store(Arc::new(RedisStore::new(conn, acme_shop::NS, "store-9")))
        .base_url("http://127.0.0.1:9/")
        .build();
    redis.stop();
    let input = acme_shop::UpdateOrderStatusInput { order_id: "o-1".into(), status_id: "shipped".into(), note: None, notify_shopper: None };
    match client.update_order_status(&input).await {
        Err(e @ Error::Store { .. }) => assert!(e.is_retryable()),
        other => panic!("expected a store error, got {other:?}"),
    }
}
