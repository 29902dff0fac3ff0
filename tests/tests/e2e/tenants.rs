//! Many installs in one process through one generated `App`: every install's client is a handle
//! on what they share (one HTTP client and its pool), and the state an install keeps between
//! handles (its rate limit, its single in-flight refresh) is shared by its handles and forgotten
//! once idle.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may panic: that is how it fails

use std::sync::Arc;
use std::time::Duration;

use miniapp::{Bag, MemoryStore, Secret, Store};
use miniapp_loopback::{Reply, Server, quick_retries, serve};
use miniapp_tests::{AcmeFunctions, acme_shop};
use serde_json::json;

use super::auth::{acme_provider, status_input};

fn app(server: &Server) -> acme_shop::App {
    acme_shop::App::builder(AcmeFunctions)
        .base_url(server.url.clone())
        .retry(quick_retries())
        .client_id("cid-1")
        .client_secret(Secret::new("cs-secret"))
        .build()
}

/// A store holding an install connected with `access`/`rt-1` to store `s9`.
async fn connected_store(access: &str) -> Arc<dyn Store> {
    let store = Arc::new(MemoryStore::new());
    let values = [
        (Bag::Credentials, "accessToken".to_string(), json!(access)),
        (Bag::Credentials, "refreshToken".to_string(), json!("rt-1")),
        (Bag::Metadata, "storeId".to_string(), json!("s9")),
    ];
    store.save(&values).await.unwrap();
    store
}

#[tokio::test]
async fn two_handles_of_one_install_refresh_its_token_once() {
    let server = acme_provider().await;
    let app = app(&server);
    let store = connected_store("at-1").await;
    // Two deliveries (or two workers) of one install, each with its own handle, all getting a 401.
    let calls: Vec<_> = (0..20)
        .map(|i| {
            let client = app.install("store-9", store.clone());
            tokio::spawn(async move { (i, client.update_order_status(&status_input()).await) })
        })
        .collect();
    for call in calls {
        let (i, result) = call.await.unwrap();
        assert_eq!(result.unwrap().status.as_deref(), Some("shipped"), "call {i}");
    }
    // The provider takes `rt-1` once: a second refresh would have been refused (`rt-1` is spent).
    assert_eq!(server.hits("/oauth/token").len(), 1, "one refresh for every handle of the install");
}

#[tokio::test]
async fn two_handles_of_one_install_share_its_rate_limit_and_other_installs_have_their_own() {
    let server = serve(|_, _| Reply::json(json!({"order": {"status": {"code": "shipped"}}}))).await;
    let app = acme_shop::App::builder(AcmeFunctions).base_url(server.url.clone()).rate_limit(Some((1, Duration::from_secs(3600)))).build();
    let store = connected_store("at-2").await;
    app.install("store-9", store.clone()).update_order_status(&status_input()).await.unwrap();
    // A new handle of the same install: its one run per hour is spent, so it waits.
    let second = app.install("store-9", store.clone());
    let waited = tokio::time::timeout(Duration::from_millis(300), second.update_order_status(&status_input())).await;
    assert!(waited.is_err(), "the second handle shares the first one's limit");
    // Another install has its own limit.
    app.install("store-10", store).update_order_status(&status_input()).await.unwrap();
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn two_hundred_installs_share_one_connection_pool() {
    let server = serve(|_, _| Reply::json(json!({"order": {"status": {"code": "shipped"}}}))).await;
    let app = acme_shop::App::builder(AcmeFunctions).base_url(server.url.clone()).build();
    let store = connected_store("at-2").await;
    // Ten workers, each serving twenty installs one after another.
    let workers: Vec<_> = (0..10)
        .map(|w| {
            let (app, store) = (app.clone(), store.clone());
            tokio::spawn(async move {
                for i in 0..20 {
                    let client = app.install(&format!("install-{w}-{i}"), store.clone());
                    client.update_order_status(&status_input()).await.unwrap();
                }
            })
        })
        .collect();
    for worker in workers {
        worker.await.unwrap();
    }
    assert_eq!(server.requests().len(), 200);
    // One pool, kept alive: about one connection per worker (a connection on its way back to the
    // pool when the next request starts makes another), never one per install.
    assert!(server.connections() <= 20, "{} connections for 200 installs", server.connections());

    // A client built per install with `Client::builder` shares the process's default client too.
    let before = server.connections();
    for i in 0..50 {
        let client = acme_shop::Client::builder(acme_shop::Credentials::default(), AcmeFunctions)
            .store(store.clone())
            .install(format!("built-{i}"))
            .base_url(server.url.clone())
            .build();
        client.update_order_status(&status_input()).await.unwrap();
    }
    assert!(server.connections() - before <= 2, "{} more connections for 50 built clients", server.connections() - before);
}

#[tokio::test]
async fn the_state_of_idle_installs_is_released() {
    let app = acme_shop::App::builder(AcmeFunctions).build();
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let kept = app.install("kept", store.clone());
    for i in 0..20_000 {
        // A delivery's handle: made, used for nothing that lasts, dropped.
        drop(app.install(&format!("once-{i}"), store.clone()));
    }
    assert!(app.installs_held() <= 1100, "{} installs held after 20 000 served once", app.installs_held());
    drop(kept);
}

#[tokio::test]
async fn an_app_with_a_base_url_that_is_not_one_says_so_and_sends_nothing() {
    let err = acme_shop::App::builder(AcmeFunctions).base_url("not a url").try_build().unwrap_err();
    assert!(matches!(&err, miniapp::Error::Config { message, .. } if message.contains("invalid base URL")), "{err}");
    // Built anyway: every install's requests fail the same way, and nothing is sent.
    let app = acme_shop::App::builder(AcmeFunctions).base_url("ftp://elsewhere").build();
    let client = app.install("store-9", connected_store("at-2").await);
    let err = client.update_order_status(&status_input()).await.unwrap_err();
    assert!(matches!(err, miniapp::Error::Config { .. }), "{err}");
}
