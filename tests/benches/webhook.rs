//! What `receive_webhook` costs on a realistic signed delivery (~2 KB, the bundled acme-shop
//! definition: HMAC-SHA256 in base64, event header, per-event transaction id, customer), against
//! the floor measured in the same run: HMAC-SHA256 of the body plus a validating scan of it
//! (`serde_json::from_slice::<IgnoredAny>`), the least any verifying receiver does.
//!
//! Each iteration runs one delivery to completion on a current-thread Tokio runtime, then
//! releases its de-duplication claim (so every iteration takes the full path, not the duplicate
//! shortcut); the in-memory de-duplication store holds 10 000 processed ids, as a running
//! receiver's does. The floor runs in the same harness.
//!
//! `order.placed` and `customer.registered` have sync handlers (their record is mapped in the same
//! pass); `order.refunded` is undeclared (no handler, the same rules otherwise). After criterion's
//! report, the bench prints the median ratio of interleaved rounds.
//!
//! `cargo bench -p miniapp-tests --bench webhook`
//!
//! The CPU each way costs, without the machine's noise: `MINIAPP_BENCH_ONLY=<event>/generated`
//! (or `<event>/floor`) with `MINIAPP_BENCH_CALLS=N` runs only N deliveries that way and nothing
//! else, to run under `valgrind --tool=callgrind`; two counts (say N = 500 and 2500) give the
//! instructions per delivery.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a bench may panic: that is how it fails

use std::hint::black_box;

use base64::Engine as _;
use criterion::{BenchmarkId, Criterion, Throughput};
use hmac::{KeyInit, Mac};
use miniapp::webhook::Request;
use miniapp_tests::{AcmeFunctions, acme_shop, median_ratio};
use serde_json::json;

const KEY: &str = "whsec-bench-2f9c1e";

fn hmac256(body: &[u8]) -> Vec<u8> {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(KEY.as_bytes()).unwrap();
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

/// An order webhook of about 2 KB, most of it not read by the definition.
fn delivery(event: &str) -> Vec<u8> {
    let lines: Vec<_> = (0..6)
        .map(|i| {
            json!({"sku": format!("SKU-{i:04}"), "title": format!("Organic cotton tee, size {i}"), "qty": i + 1,
                        "unit_price": {"amount": "19.90", "currency": "EUR"}, "tax_lines": [{"rate": 0.19, "title": "VAT"}]})
        })
        .collect();
    serde_json::to_vec(&json!({
        "topic": event,
        "store_id": "s9",
        "payload": {
            "id": "ord_8d2c4b1e",
            "number": 100234,
            "status": {"code": "placed", "changed_at": "2026-11-30T10:00:00Z"},
            "currency": "EUR",
            "totals": {"subtotal": "119.40", "shipping": "4.90", "tax": "22.69", "total": "124.30"},
            "buyer": {"buyer_id": "cus_91", "given_name": "Dana", "family_name": "Li", "email_address": "dana@example.com",
                      "phone_e164": "+4915100000000", "avatar_url": "https://img.example/avatars/cus_91.png",
                      "birth_date": "1990-04-01", "lifecycle": "customer"},
            "shipping_address": {"line1": "Hauptstraße 5", "city": "Berlin", "postcode": "10115", "country": "DE"},
            "billing_address": {"line1": "Hauptstraße 5", "city": "Berlin", "postcode": "10115", "country": "DE"},
            "lines": lines,
            "notes": "Please leave the parcel with the neighbour if nobody answers the door.",
            "created_at": "2026-11-30T09:58:12Z"
        }
    }))
    .unwrap()
}

fn bench(c: &mut Criterion) -> Vec<String> {
    let mut report = Vec::new();
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    // The de-duplication store holds what a running receiver's does: ids processed earlier.
    let dedupe = std::sync::Arc::new(miniapp::webhook::MemoryDedupe::default());
    rt.block_on(async {
        use miniapp::webhook::{Dedupe, DedupeKey};
        for n in 0..10_000 {
            let id = format!("ord_{n:08x}");
            let key = DedupeKey { ns: "acme-shop", install: "default", id: &id };
            dedupe.claim(&key).await.unwrap();
            dedupe.confirm(&key).await.unwrap();
        }
    });
    let client = acme_shop::Client::builder(
        acme_shop::Credentials { hook_signing_key: Some(miniapp::Secret::new(KEY)), ..Default::default() },
        AcmeFunctions,
    )
    .rate_limit(None)
    .dedupe(dedupe)
    .build();
    for event in ["order.placed", "customer.registered", "order.refunded"] {
        let body = delivery(event);
        let mut headers = http::HeaderMap::new();
        headers.insert(
            "x-acme-signature",
            http::HeaderValue::from_str(&base64::engine::general_purpose::STANDARD.encode(hmac256(&body))).unwrap(),
        );
        headers.insert("x-acme-topic", http::HeaderValue::from_str(event).unwrap());
        let request = Request { headers: &headers, query: "", body: &body };
        let check = rt.block_on(client.receive_webhook(&request)).unwrap();
        assert!(check.claimed && check.customer.is_some(), "the full path runs");
        rt.block_on(client.release_webhook(&check)).unwrap();

        let floor = || {
            black_box(rt.block_on(async {
                let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(KEY.as_bytes()).unwrap();
                mac.update(black_box(&body));
                let tag = mac.finalize().into_bytes();
                let scanned = serde_json::from_slice::<serde::de::IgnoredAny>(black_box(&body)).is_ok();
                (tag, scanned)
            }));
        };
        let generated = || {
            black_box(rt.block_on(async {
                let d = client.receive_webhook(black_box(&request)).await.unwrap();
                client.release_webhook(&d).await.unwrap();
                d.reply.status
            }));
        };
        if let Ok(only) = std::env::var("MINIAPP_BENCH_ONLY") {
            let calls: usize = std::env::var("MINIAPP_BENCH_CALLS").ok().and_then(|n| n.parse().ok()).unwrap_or(1000);
            if only == format!("{event}/floor") {
                (0..calls).for_each(|_| floor());
            } else if only == format!("{event}/generated") {
                (0..calls).for_each(|_| generated());
            }
            continue;
        }
        let mut group = c.benchmark_group(format!("webhook/{event}"));
        group.throughput(Throughput::Bytes(body.len() as u64));
        group.bench_function(BenchmarkId::new("floor", "hmac-sha256 + IgnoredAny"), |b| b.iter(floor));
        group.bench_function(BenchmarkId::new("generated", "receive_webhook"), |b| b.iter(generated));
        group.finish();
        if !std::env::args().any(|a| a == "--profile-time") {
            report.push(format!("{event}: receive_webhook / floor: {:.2}x", median_ratio(41, 200, floor, generated)));
        }
    }
    report
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    let report = bench(&mut c);
    c.final_summary();
    println!("\nwebhook bench, median of interleaved rounds:");
    for line in report {
        println!("  {line}");
    }
}
