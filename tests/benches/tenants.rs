//! Many installs in one process: what a client per install costs, and what resolving a
//! delivery's install through the `App` adds to `receive_webhook`, against baselines measured in
//! the same run.
//!
//! 1. **A client per install**, bundled acme-shop definition, one shared store:
//!    - `App::install(id, store)` with 100 000 installs held: bytes (resident set size before and
//!      after, divided by the installs) and time per install;
//!    - `Client::builder(credentials, functions).install(id).try_build()`, the one-install way;
//!    - the baseline: the same with an HTTP client of its own per install
//!      (`.http_client(reqwest::Client::new())`), what every client cost before the `App`.
//! 2. **A delivery resolved through the `App`**: `app.install(id, store)` then `receive_webhook`
//!    (and the release of its claim), against `receive_webhook` of a client built beforehand.
//!
//! After criterion's report, the bench prints the figures and the median ratio of interleaved
//! rounds.
//!
//! `cargo bench -p miniapp-tests --bench tenants`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a bench may panic: that is how it fails

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use base64::Engine as _;
use criterion::Criterion;
use hmac::{KeyInit, Mac};
use miniapp::webhook::Request;
use miniapp::{MemoryStore, Store};
use miniapp_tests::{AcmeFunctions, acme_shop, median_ratio};
use serde_json::json;

const KEY: &str = "whsec-bench-2f9c1e";
const INSTALLS: usize = 100_000;

/// The resident set size, in bytes (Linux; `None` elsewhere).
fn rss() -> Option<usize> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: usize = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

fn per_install(c: &mut Criterion, report: &mut Vec<String>) {
    let app = acme_shop::App::builder(AcmeFunctions).build();
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    let ids: Vec<String> = (0..INSTALLS).map(|i| format!("install-{i:06}")).collect();

    let before = rss();
    let start = Instant::now();
    let clients: Vec<acme_shop::Client> = ids.iter().map(|id| app.install(id, store.clone())).collect();
    let elapsed = start.elapsed();
    let after = rss();
    let bytes = match (before, after) {
        (Some(b), Some(a)) => format!("{} bytes (RSS {} MB before, {} MB after)", a.saturating_sub(b) / INSTALLS, b >> 20, a >> 20),
        _ => "n/a (no /proc/self/statm)".to_string(),
    };
    report.push(format!(
        "App::install, {INSTALLS} installs held: {bytes} and {:.2} µs per install",
        elapsed.as_secs_f64() * 1e6 / INSTALLS as f64
    ));
    report.push(format!("  installs whose state the App holds: {}", app.installs_held()));

    let built = |own_http: bool, n: usize| {
        let start = Instant::now();
        let before = rss();
        let clients: Vec<acme_shop::Client> = (0..n)
            .map(|i| {
                let builder = acme_shop::Client::builder(acme_shop::Credentials::default(), AcmeFunctions)
                    .store(store.clone())
                    .install(format!("built-{i}"));
                let builder = if own_http { builder.http_client(miniapp::reqwest::Client::new()) } else { builder };
                builder.try_build().unwrap()
            })
            .collect();
        let (elapsed, after) = (start.elapsed(), rss());
        let bytes = match (before, after) {
            (Some(b), Some(a)) => format!("{} bytes", a.saturating_sub(b) / n),
            _ => "n/a".to_string(),
        };
        drop(clients);
        (bytes, elapsed.as_secs_f64() * 1e6 / n as f64)
    };
    let (bytes, micros) = built(false, 10_000);
    report.push(format!("Client::builder(..).install(id).try_build(), 10 000 held: {bytes} and {micros:.2} µs per client"));
    let (bytes, micros) = built(true, 1_000);
    report.push(format!("baseline, the same with an HTTP client per install, 1 000 held: {bytes} and {micros:.1} µs per client"));

    let mut group = c.benchmark_group("tenants/client per install");
    let mut n = 0usize;
    group.bench_function("App::install (100 000 held)", |b| {
        b.iter(|| {
            n = (n + 1) % INSTALLS;
            black_box(app.install(&ids[n], store.clone()))
        })
    });
    group.bench_function("Client::builder + try_build", |b| {
        b.iter(|| {
            black_box(
                acme_shop::Client::builder(acme_shop::Credentials::default(), AcmeFunctions).store(store.clone()).try_build().unwrap(),
            )
        })
    });
    group.finish();
    drop(clients);
}

fn delivery() -> (http::HeaderMap, Vec<u8>) {
    let body = serde_json::to_vec(&json!({
        "topic": "order.placed",
        "payload": {"id": "ord_8d2c4b1e", "number": 100234, "status": {"code": "placed"}, "lines": [{"sku": "A", "qty": 2}],
                    "buyer": {"buyer_id": "cus_91", "given_name": "Dana", "email_address": "dana@example.com"}}
    }))
    .unwrap();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(KEY.as_bytes()).unwrap();
    mac.update(&body);
    let mut headers = http::HeaderMap::new();
    headers.insert("x-acme-signature", base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()).parse().unwrap());
    headers.insert("x-acme-topic", "order.placed".parse().unwrap());
    (headers, body)
}

fn resolved_delivery(c: &mut Criterion, report: &mut Vec<String>) {
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let app = acme_shop::App::builder(AcmeFunctions).hook_signing_key(KEY).rate_limit(None).build();
    let store: Arc<dyn Store> = Arc::new(MemoryStore::new());
    // Installs the app has served before.
    let held: Vec<acme_shop::Client> = (0..10_000).map(|i| app.install(&format!("shop-{i}"), store.clone())).collect();
    let prebuilt = app.install("shop-7", store.clone());
    let (headers, body) = delivery();
    let request = Request { headers: &headers, query: "", body: &body };
    let bare = || {
        black_box(rt.block_on(async {
            let d = prebuilt.receive_webhook(black_box(&request)).await.unwrap();
            prebuilt.release_webhook(&d).await.unwrap();
            d.reply.status
        }));
    };
    let via_app = || {
        black_box(rt.block_on(async {
            let client = app.install(black_box("shop-7"), store.clone());
            let d = client.receive_webhook(black_box(&request)).await.unwrap();
            client.release_webhook(&d).await.unwrap();
            d.reply.status
        }));
    };
    let mut group = c.benchmark_group("tenants/delivery");
    group.bench_function("receive_webhook, prebuilt client", |b| b.iter(bare));
    group.bench_function("App::install + receive_webhook", |b| b.iter(via_app));
    group.finish();
    report.push(format!(
        "a delivery resolved through the App / receive_webhook of a prebuilt client: {:.3}x",
        median_ratio(41, 200, bare, via_app)
    ));
    drop(held);
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let mut report = Vec::new();
    per_install(&mut c, &mut report);
    resolved_delivery(&mut c, &mut report);
    c.final_summary();
    println!("\ntenants bench:");
    for line in report {
        println!("  {line}");
    }
}
