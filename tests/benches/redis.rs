//! Deliveries per second through `receive_webhook` (then `confirm_webhook`) with the
//! de-duplication on a real Redis server on 127.0.0.1 (`RedisDedupe`), against the same run's
//! in-memory de-duplication (`MemoryDedupe`). Every delivery has its own transaction id, so each
//! takes the full path: claim, then confirm. The bench starts its own `redis-server`.
//!
//! `cargo bench -p miniapp-tests --bench redis`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a bench may panic: that is how it fails

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use base64::Engine as _;
use criterion::{BenchmarkId, Criterion};
use futures_util::StreamExt as _;
use hmac::{KeyInit, Mac};
use miniapp::webhook::Request;
use miniapp_tests::redis_server::RedisServer;
use miniapp_tests::{AcmeFunctions, acme_shop};
use serde_json::json;

const KEY: &str = "whsec-bench-2f9c1e";

/// `n` signed deliveries with distinct transaction ids, starting at `first`.
fn deliveries(first: usize, n: usize) -> Vec<(http::HeaderMap, Vec<u8>)> {
    (first..first + n)
        .map(|i| {
            let body = serde_json::to_vec(&json!({
                "topic": "order.refunded",
                "payload": {"id": format!("ord-{i}"), "number": i, "buyer": {"buyer_id": "cus_91", "given_name": "Dana"}}
            }))
            .unwrap();
            let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(KEY.as_bytes()).unwrap();
            mac.update(&body);
            let mut headers = http::HeaderMap::new();
            headers
                .insert("x-acme-signature", base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()).parse().unwrap());
            headers.insert("x-acme-topic", "order.refunded".parse().unwrap());
            (headers, body)
        })
        .collect()
}

fn client(dedupe: Arc<dyn miniapp::webhook::Dedupe>) -> acme_shop::Client {
    acme_shop::Client::builder(
        acme_shop::Credentials { hook_signing_key: Some(miniapp::Secret::new(KEY)), ..Default::default() },
        AcmeFunctions,
    )
    .install("store-9")
    .dedupe(dedupe)
    .build()
}

async fn receive(client: &acme_shop::Client, (headers, body): &(http::HeaderMap, Vec<u8>)) {
    let d = client.receive_webhook(&Request { headers, query: "", body }).await.unwrap();
    assert!(d.is_new());
    client.confirm_webhook(&d).await.unwrap();
}

/// Deliveries per second with `concurrency` in flight.
fn rate(rt: &tokio::runtime::Runtime, client: &acme_shop::Client, batch: &[(http::HeaderMap, Vec<u8>)], concurrency: usize) -> f64 {
    let start = Instant::now();
    rt.block_on(futures_util::stream::iter(batch).for_each_concurrent(concurrency, |d| receive(client, d)));
    batch.len() as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let redis = RedisServer::start();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let memory = client(Arc::new(miniapp::webhook::MemoryDedupe::default()));
    let shared = client(Arc::new(miniapp::redis::RedisDedupe::new(rt.block_on(miniapp::redis::connect(&redis.url())).unwrap())));

    let mut c = Criterion::default().configure_from_args();
    let mut group = c.benchmark_group("webhook dedupe");
    let mut next = 0usize;
    for (name, client) in [("memory", &memory), ("redis", &shared)] {
        group.bench_function(BenchmarkId::new(name, "receive + confirm"), |b| {
            b.iter_batched(
                || {
                    next += 1;
                    deliveries(next * 1_000_000, 1).remove(0)
                },
                |d| rt.block_on(receive(client, black_box(&d))),
                criterion::BatchSize::SmallInput,
            )
        });
    }
    group.finish();
    c.final_summary();

    println!("\nredis bench: deliveries per second (receive_webhook + confirm_webhook, distinct ids):");
    for concurrency in [1, 16] {
        let (mut memory_rates, mut redis_rates) = (Vec::new(), Vec::new());
        for round in 0..5 {
            let base = 10_000_000 * (round + 1) + concurrency * 100_000;
            memory_rates.push(rate(&rt, &memory, &deliveries(base, 2000), concurrency));
            redis_rates.push(rate(&rt, &shared, &deliveries(base + 50_000, 2000), concurrency));
        }
        let median = |mut v: Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let (m, r) = (median(memory_rates), median(redis_rates));
        println!("  {concurrency:>2} in flight: memory {m:.0}/s, redis {r:.0}/s, redis / memory {:.2}x", r / m);
    }
}
