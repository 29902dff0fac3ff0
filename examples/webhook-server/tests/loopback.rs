//! The receiver over 127.0.0.1: signed deliveries get exactly the definition's reply once processed
//! and reach the handler once; forged ones get 401 and never reach it; an oversized body gets 413;
//! a provider that retries until it gets a 2xx has every delivery processed, whether the handler
//! fails, panics or never returns.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may panic: that is how it fails

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use miniapp::reqwest;
use miniapp::webhook::Delivery;
use miniapp_example_webhook_server::{Functions, acme_app, acme_shop, install_store, router};
use serde_json::json;
use tokio::sync::mpsc;

const KEY: &str = "whsec-demo";

type Processed = mpsc::UnboundedReceiver<Delivery<acme_shop::Event>>;

/// The example's router on 127.0.0.1, its processing being to pass each delivery to the test.
async fn start() -> (String, Processed) {
    let installs = HashMap::from([("store-9".to_string(), install_store(KEY)), ("store-7".to_string(), install_store("other"))]);
    let (processed, deliveries) = mpsc::unbounded_channel();
    let router = router(acme_app(), installs, move |delivery| {
        let sent = processed.send(delivery).map_err(|_| "the test stopped listening".into());
        async move { sent }
    });
    (serve(router).await, deliveries)
}

/// A prebuilt client of one install, for the tests of `receiver` (the resolver of prebuilt
/// clients), with its own de-duplication store.
fn client(install: &str, signing_key: &str, dedupe: Arc<miniapp::webhook::MemoryDedupe>) -> Arc<acme_shop::Client> {
    Arc::new(acme_shop::App::builder(Functions).dedupe(dedupe).build().install(install, install_store(signing_key)))
}

async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/miniapps/acme-shop/webhooks", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    url
}

/// The signature the provider sends for `body` (the test kit signs any bytes).
fn sign(body: &[u8]) -> String {
    let signed = acme_shop::testing::sign_raw(KEY, &acme_shop::Event::OrderPlaced, body.to_vec());
    signed.headers["x-acme-signature"].to_str().unwrap().to_string()
}

async fn post(url: &str, body: Vec<u8>, signature: Option<String>) -> reqwest::Response {
    let mut request = reqwest::Client::new().post(url).header("x-acme-topic", "order.placed").body(body);
    if let Some(s) = signature {
        request = request.header("x-acme-signature", s);
    }
    request.send().await.unwrap()
}

async fn json_of(response: reqwest::Response) -> serde_json::Value {
    serde_json::from_slice(&response.bytes().await.unwrap()).unwrap()
}

/// Nothing more was processed: a delivery is processed before its reply, so after the replies
/// there is nothing on the way.
fn nothing_more(deliveries: &mut Processed) {
    assert!(deliveries.try_recv().is_err(), "no further delivery");
}

#[tokio::test]
async fn a_signed_delivery_is_acknowledged_and_handed_over_once() {
    let (url, mut deliveries) = start().await;
    let body = serde_json::to_vec(&json!({"topic": "order.placed", "payload": {"id": "o-1", "buyer": {"buyer_id": "b-1"}}})).unwrap();
    let response = post(&format!("{url}/store-9"), body.clone(), Some(sign(&body))).await;
    assert_eq!(response.status(), 202);
    assert_eq!(response.headers()["content-type"], "application/json");
    assert_eq!(json_of(response).await, json!({"received": true}));
    // Processed before the reply: it is there already.
    let delivery = deliveries.try_recv().expect("processed before the 2xx");
    assert_eq!(delivery.event, Some(acme_shop::Event::OrderPlaced));
    assert_eq!((delivery.install.as_str(), delivery.transaction_id.as_deref()), ("store-9", Some("o-1")));
    assert_eq!(delivery.customer.and_then(|c| c.code).as_deref(), Some("b-1"));

    // The provider retries: acknowledged the same way, not handed over again.
    let response = post(&format!("{url}/store-9"), body.clone(), Some(sign(&body))).await;
    assert_eq!(response.status(), 202);
    nothing_more(&mut deliveries);
}

#[tokio::test]
async fn forged_and_misrouted_deliveries_never_reach_the_handler() {
    let (url, mut deliveries) = start().await;
    let body = br#"{"topic": "order.placed", "payload": {"id": "o-2"}}"#.to_vec();
    assert_eq!(post(&format!("{url}/store-9"), body.clone(), None).await.status(), 401);
    let forged = post(&format!("{url}/store-9"), body.clone(), Some(sign(b"something else"))).await;
    assert_eq!(forged.status(), 401);
    assert_eq!(json_of(forged).await, json!({"error": "unauthorized"}));
    // Signed for store-9, sent to store-7 (another secret): 401. To no install: 404.
    assert_eq!(post(&format!("{url}/store-7"), body.clone(), Some(sign(&body))).await.status(), 401);
    assert_eq!(post(&format!("{url}/store-1"), body.clone(), Some(sign(&body))).await.status(), 404);
    assert_eq!(post(&url, body.clone(), Some(sign(&body))).await.status(), 404, "this server routes by install id only");
    nothing_more(&mut deliveries);
}

#[tokio::test]
async fn an_oversized_body_gets_413_unread() {
    let (url, mut deliveries) = start().await;
    let big = vec![b' '; (1 << 20) + 1];
    let response = post(&format!("{url}/store-9"), big.clone(), Some(sign(&big))).await;
    assert_eq!(response.status(), 413);
    // Without a declared length (chunked), the limit still holds while reading.
    assert_eq!(chunked_post(&format!("{url}/store-9"), &big).await, 413);
    nothing_more(&mut deliveries);
}

/// Sends `body` with `Transfer-Encoding: chunked` (no `Content-Length`) and returns the status.
async fn chunked_post(url: &str, body: &[u8]) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let url = miniapp::Url::parse(url).unwrap();
    let mut stream = tokio::net::TcpStream::connect((url.host_str().unwrap(), url.port().unwrap())).await.unwrap();
    let head = format!("POST {} HTTP/1.1\r\nhost: 127.0.0.1\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n", url.path());
    stream.write_all(head.as_bytes()).await.unwrap();
    for chunk in body.chunks(64 * 1024) {
        // The server may answer and close before the whole body is sent.
        if stream.write_all(format!("{:x}\r\n", chunk.len()).as_bytes()).await.is_err()
            || stream.write_all(chunk).await.is_err()
            || stream.write_all(b"\r\n").await.is_err()
        {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer).await;
    let answer = String::from_utf8_lossy(&answer);
    answer.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0)
}

/// A provider as real ones behave: it sends the delivery until it gets a 2xx, and never after
/// one. Returns the statuses it saw.
async fn provider_delivers(url: &str, body: &[u8]) -> Vec<u16> {
    let mut seen = Vec::new();
    // Bounded: a delivery that is never acknowledged fails the test instead of hanging it.
    for _ in 0..2000 {
        let status = post(url, body.to_vec(), Some(sign(body))).await.status().as_u16();
        seen.push(status);
        if (200..300).contains(&status) {
            return seen;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("never acknowledged: {seen:?}");
}

/// A receiver for store-9 whose handler is `behave(attempt)` (attempts counted from 0); it counts
/// the deliveries processed to the end. `lease` is how long a claim holds.
async fn receiver_with<F, Fut>(lease: Duration, budget: Duration, behave: F) -> (String, Arc<std::sync::atomic::AtomicUsize>)
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<(), miniapp::webhook::axum::BoxError>> + Send + 'static,
{
    use std::sync::atomic::{AtomicUsize, Ordering};
    let dedupe = Arc::new(miniapp::webhook::MemoryDedupe::new(lease, Duration::from_secs(3600), 1000));
    let shop = client("store-9", KEY, dedupe);
    let (attempts, processed) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let done = processed.clone();
    let behave = Arc::new(behave);
    let router = miniapp::webhook::axum::receiver(
        move |_install: Option<String>| {
            let shop = shop.clone();
            async move { Some(shop) }
        },
        move |_client, _delivery| {
            let (attempt, behave, done) = (attempts.fetch_add(1, Ordering::SeqCst), behave.clone(), done.clone());
            async move {
                behave(attempt).await?;
                done.fetch_add(1, Ordering::SeqCst);
                Ok(())
            }
        },
    )
    .processing_budget(budget)
    .into_router();
    (serve(router).await, processed)
}

#[tokio::test]
async fn a_delivery_whose_handler_fails_once_is_answered_500_and_processed_on_the_retry() {
    use std::sync::atomic::Ordering;
    let (url, processed) = receiver_with(Duration::from_secs(300), Duration::from_secs(60), |attempt| async move {
        if attempt == 0 { Err("the database is down".into()) } else { Ok(()) }
    })
    .await;
    let body = br#"{"payload": {"id": "o-9"}}"#;
    assert_eq!(provider_delivers(&url, body).await, [500, 202]);
    assert_eq!(processed.load(Ordering::SeqCst), 1);
    // Acknowledged once processed: a later re-send is a duplicate, not processed again.
    assert_eq!(provider_delivers(&url, body).await, [202]);
    assert_eq!(processed.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_delivery_whose_handler_panics_is_answered_500_and_processed_on_the_retry() {
    use std::sync::atomic::Ordering;
    let (url, processed) = receiver_with(Duration::from_secs(300), Duration::from_secs(60), |attempt| async move {
        if attempt == 0 {
            panic!("a bug in the handler");
        }
        Ok(())
    })
    .await;
    let body = br#"{"payload": {"id": "o-10"}}"#;
    assert_eq!(provider_delivers(&url, body).await, [500, 202]);
    assert_eq!(processed.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_worker_that_never_confirms_delays_the_delivery_and_never_loses_it() {
    use std::sync::atomic::Ordering;
    // The first handler never returns (a worker that hangs, or died with the claim held). Its
    // claim holds for 300 ms; until then every retry is told to come back (503); after it, a
    // retry is processed.
    let (url, processed) = receiver_with(Duration::from_millis(300), Duration::from_millis(50), |attempt| async move {
        if attempt == 0 {
            std::future::pending::<()>().await;
        }
        Ok(())
    })
    .await;
    let body = br#"{"payload": {"id": "o-11"}}"#;
    let statuses = provider_delivers(&url, body).await;
    assert_eq!(statuses.last(), Some(&202), "{statuses:?}");
    assert!(statuses[..statuses.len() - 1].iter().all(|s| *s == 503), "only retryable answers before: {statuses:?}");
    assert_eq!(processed.load(Ordering::SeqCst), 1, "processed once, by the retry");
}

#[tokio::test]
async fn a_retry_that_meets_a_delivery_still_processing_is_told_to_come_back() {
    // The handler takes longer than the budget: 503 with Retry-After, and it goes on; a retry
    // while it runs is 503 again; once it is done, the retry is acknowledged as a duplicate.
    let (release, hold) = tokio::sync::watch::channel(false);
    let (url, processed) = receiver_with(Duration::from_secs(300), Duration::from_millis(50), move |_| {
        let mut hold = hold.clone();
        async move {
            let _ = hold.wait_for(|released| *released).await;
            Ok(())
        }
    })
    .await;
    let body = br#"{"payload": {"id": "o-12"}}"#;
    for _ in 0..2 {
        let response = post(&url, body.to_vec(), Some(sign(body))).await;
        assert_eq!(response.status(), 503);
        assert_eq!(response.headers()["retry-after"], "30");
    }
    release.send(true).unwrap();
    let statuses = provider_delivers(&url, body).await;
    assert_eq!(statuses.last(), Some(&202), "{statuses:?}");
    assert_eq!(processed.load(std::sync::atomic::Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_body_that_trickles_in_is_cut_off_at_the_read_deadline() {
    use std::sync::Mutex;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let refused: Arc<Mutex<Vec<miniapp::webhook::axum::Refusal>>> = Arc::default();
    let seen = refused.clone();
    let shop = client("store-9", KEY, Arc::new(miniapp::webhook::MemoryDedupe::default()));
    let router = miniapp::webhook::axum::receiver(
        move |_install: Option<String>| {
            let shop = shop.clone();
            async move { Some(shop) }
        },
        |_client, _delivery| async { Ok(()) },
    )
    .body_deadline(Duration::from_millis(200))
    .on_rejection(move |r| seen.lock().unwrap().push(r.refusal.clone()))
    .into_router();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });

    // Headers promising 100 000 bytes, then ten of them, then nothing: the sender holds on.
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = "POST /miniapps/acme-shop/webhooks HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: 100000\r\n\r\n{\"payload\"";
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    // The guard is a minute: only a server without a deadline waits that long.
    let read = tokio::time::timeout(Duration::from_secs(60), stream.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "the server kept the connection open");
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert_eq!(*refused.lock().unwrap(), [miniapp::webhook::axum::Refusal::TooSlow]);
}

#[tokio::test]
async fn every_refused_delivery_reaches_the_rejection_hook() {
    use miniapp::webhook::axum::Refusal;
    use std::sync::Mutex;
    type Seen = Vec<(Option<String>, u16, Refusal)>;
    let refused: Arc<Mutex<Seen>> = Arc::default();
    let seen = refused.clone();
    let shop = client("store-9", KEY, Arc::new(miniapp::webhook::MemoryDedupe::default()));
    let router = miniapp::webhook::axum::receiver(
        move |install: Option<String>| {
            let shop = shop.clone();
            async move { (install.as_deref() == Some("store-9")).then_some(shop) }
        },
        |_client, _delivery| async { Ok(()) },
    )
    .on_rejection(move |r| seen.lock().unwrap().push((r.install.map(str::to_string), r.status, r.refusal.clone())))
    .into_router();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/miniapps/acme-shop/webhooks", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });

    let body = br#"{"payload": {"id": "o-5"}}"#.to_vec();
    assert_eq!(post(&format!("{url}/store-9"), body.clone(), Some(sign(b"forged"))).await.status(), 401);
    assert_eq!(post(&format!("{url}/store-1"), body.clone(), Some(sign(&body))).await.status(), 404);
    let big = vec![b' '; (1 << 20) + 1];
    assert_eq!(post(&format!("{url}/store-9"), big, None).await.status(), 413);
    let not_json = b"{not json".to_vec();
    assert_eq!(post(&format!("{url}/store-9"), not_json.clone(), Some(sign(&not_json))).await.status(), 400);
    // Accepted: not a refusal.
    assert_eq!(post(&format!("{url}/store-9"), body.clone(), Some(sign(&body))).await.status(), 202);

    // The hook ran before each reply was sent.
    let refused = refused.lock().unwrap().clone();
    let statuses: Vec<_> = refused.iter().map(|(install, status, _)| (install.as_deref(), *status)).collect();
    assert_eq!(statuses, [(Some("store-9"), 401), (Some("store-1"), 404), (Some("store-9"), 413), (Some("store-9"), 400)]);
    assert!(matches!(refused[0].2, Refusal::Rejected(miniapp::webhook::Reason::Unverified { .. })), "{:?}", refused[0].2);
    assert_eq!((&refused[1].2, &refused[2].2), (&Refusal::UnknownInstall, &Refusal::TooLarge));
    assert!(matches!(refused[3].2, Refusal::Rejected(miniapp::webhook::Reason::MalformedBody { .. })), "{:?}", refused[3].2);
    assert!(!format!("{refused:?}").contains(KEY), "no secret in what the hook sees");
}
