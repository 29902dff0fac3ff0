//! What an action call costs, as a user would compare: the bundled acme-shop
//! `update_order_status` through the generated client, against a hand-written `reqwest` PUT with
//! the same URL, bearer header and JSON body whose reply is read with `#[derive(Deserialize)]`
//! structs. Both call one axum server on 127.0.0.1 (started by the bench) that returns a small
//! order, in one process, interleaved in blocks of 100 calls (the platform rate limit off).
//!
//! After criterion's report, the bench prints the median ratio (generated / by hand) of 31 rounds,
//! each 100 calls by hand, 200 generated, 100 by hand.
//!
//! `cargo bench -p miniapp-tests --bench action`
//!
//! The CPU each way costs, without the machine's noise: `MINIAPP_BENCH_ONLY=generated` (or
//! `by-hand`) with `MINIAPP_BENCH_CALLS=N` makes only N calls one way and nothing else, to run
//! under `valgrind --tool=callgrind`; two counts (say N = 500 and 2500) give the instructions per
//! call, and their difference between the two ways is the engine's own cost.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a bench may panic: that is how it fails

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion};
use miniapp_loopback::{Reply, serve};
use miniapp_tests::{AcmeFunctions, acme_shop, median_ratio};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
struct Status {
    code: String,
}

#[derive(Deserialize)]
struct Order {
    status: Status,
    updated_at: String,
}

#[derive(Deserialize)]
struct Updated {
    order: Order,
}

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let server = rt.block_on(serve(|_, _| {
        Reply::json(json!({"order": {"id": "o-1", "status": {"code": "shipped", "label": "Shipped"}, "updated_at": "2026-12-01T10:00:00Z", "total": "42.00"}}))
    }));
    let client = acme_shop::Client::builder(
        acme_shop::Credentials { access_token: Some("at-1".into()), store_id: Some("s9".into()), ..Default::default() },
        AcmeFunctions,
    )
    .base_url(server.url.clone())
    .rate_limit(None)
    .build();
    let input = acme_shop::UpdateOrderStatusInput { order_id: "o-1".into(), status_id: "shipped".into(), note: None, notify_shopper: None };
    let http = miniapp::reqwest::Client::new();
    let url = format!("{}v3/stores/s9/orders/o-1/status", server.url);

    let generated = || {
        rt.block_on(async {
            let out = client.update_order_status(black_box(&input)).await.unwrap();
            black_box(out);
        })
    };
    let by_hand = || {
        rt.block_on(async {
            let body = serde_json::to_vec(&json!({"status_id": "shipped", "note": null, "notify": true})).unwrap();
            let response = http
                .put(&url)
                .header("authorization", "Bearer at-1")
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .unwrap()
                .error_for_status()
                .unwrap();
            let updated: Updated = serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
            black_box((updated.order.status.code, updated.order.updated_at));
        })
    };
    // The same request reaches the provider both ways.
    generated();
    by_hand();
    let seen = server.requests();
    assert_eq!(seen[0].json(), seen[1].json());
    assert_eq!(seen[0].header("authorization"), seen[1].header("authorization"));

    if let Ok(only) = std::env::var("MINIAPP_BENCH_ONLY") {
        let calls: usize = std::env::var("MINIAPP_BENCH_CALLS").ok().and_then(|n| n.parse().ok()).unwrap_or(1000);
        let call: &dyn Fn() = match only.as_str() {
            "generated" => &generated,
            "by-hand" => &by_hand,
            other => panic!("MINIAPP_BENCH_ONLY is `generated` or `by-hand`, not `{other}`"),
        };
        (0..calls).for_each(|_| call());
        return;
    }

    let mut c = Criterion::default().configure_from_args();
    let mut group = c.benchmark_group("action/update_order_status");
    group.bench_function(BenchmarkId::new("by hand", "reqwest + derive(Deserialize)"), |b| b.iter(by_hand));
    group.bench_function(BenchmarkId::new("generated", "Client::update_order_status"), |b| b.iter(generated));
    group.finish();
    c.final_summary();
    if std::env::args().any(|a| a == "--profile-time") {
        return;
    }

    let ratio = median_ratio(31, 100, by_hand, generated);
    println!("\naction bench: generated / by hand, median of 31 interleaved rounds of 200 calls each way: {ratio:.3}x");
}
