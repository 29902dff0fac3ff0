//! What sync mapping costs, against baselines measured in the same run.
//!
//! 1. **Mapping a list page**: 250 realistic orders of about 1 KB each (most fields unmapped),
//!    mapped with the bundled acme-shop `orders` mapping (`toString`, bare paths,
//!    `toNumberOrNull`, `mapItems`, `joinCodes`, `compute`):
//!    - `floor`: `serde_json::from_slice::<IgnoredAny>` of the same bytes (a validating scan);
//!    - `generated`: `OrdersRecord::map_page` (the compiled mapper);
//!    - `by hand`: the same mapping written with `#[derive(Deserialize)]` structs;
//!    - `dynamic`: what an interpreter does: a `serde_json::Value` tree of the page, then the
//!      definition's rules (read from the JSON at start-up) applied with run-time path lookups.
//! 2. **An import end to end**: 100 000 records (400 pages) from a provider on 127.0.0.1, through
//!    `Client::sync_orders()`, against fetching the same pages with reqwest and scanning them.
//!
//! After criterion's report, the bench prints the median ratios of interleaved rounds.
//!
//! `cargo bench -p miniapp-tests --bench sync`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a bench may panic: that is how it fails

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput};
use futures_util::StreamExt as _;
use miniapp_tests::{AcmeFunctions, acme_shop, median_ratio};
use serde_json::{Map, Value, json};

const RECORDS_PER_PAGE: u64 = 250;

/// An order of about 1 KB; the acme-shop mapping reads 7 of its fields.
fn order(n: u64) -> Value {
    json!({
        "id": n,
        "number": format!("A-{n:06}"),
        "status": {"code": "paid", "label": "Paid", "changed_at": "2026-11-30T10:00:00Z"},
        "currency": "EUR",
        "totals": {"grand": "124.30", "subtotal": "119.40", "shipping": "4.90", "tax": "22.69"},
        "lines": [
            {"sku": format!("SKU-{:04}", n % 1000), "qty": 2, "price": "19.90"},
            {"sku": "SKU-0042", "qty": 1, "price": "79.60"}
        ],
        "discounts": [{"code": "SPRING10", "amount": "10.00"}],
        "origin": if n.is_multiple_of(3) { "pos" } else { "web" },
        "customer": {"id": format!("cus_{n}"), "first_name": "Dana", "last_name": "Li", "email": "dana@example.com",
                     "phone": "+4915100000000", "accepts_marketing": true, "orders_count": 7, "tags": ["vip", "newsletter"]},
        "shipping_address": {"line1": "Hauptstraße 5", "line2": null, "city": "Berlin", "postcode": "10115", "country": "DE",
                             "phone": "+4915100000000"},
        "billing_address": {"line1": "Hauptstraße 5", "line2": null, "city": "Berlin", "postcode": "10115", "country": "DE"},
        "note": "Please leave the parcel with the neighbour if nobody answers the door.",
        "tags": ["gift", "express"],
        "fulfillment": {"status": "unfulfilled", "tracking": null, "carrier": "DHL"},
        "created_at": "2026-11-30T09:58:12Z",
        "updated_at": "2026-11-30T10:00:00Z"
    })
}

/// A catalog item of about 1 KB; the acme-shop `catalog` mapping reads 4 of its values.
fn item(n: u64) -> Value {
    json!({
        "item_id": n,
        "title": format!("Organic cotton tee {n}"),
        "pricing": {"sale": null, "list": "19.90", "currency": "EUR", "tax_included": true},
        "description": "A soft, breathable tee made from certified organic cotton. Pre-shrunk, with a relaxed fit and reinforced seams.",
        "images": [
            {"url": format!("https://img.example/items/{n}/front.jpg"), "width": 1200, "height": 1600},
            {"url": format!("https://img.example/items/{n}/back.jpg"), "width": 1200, "height": 1600}
        ],
        "variants": [{"sku": format!("TEE-{n}-S"), "size": "S", "stock": 12}, {"sku": format!("TEE-{n}-M"), "size": "M", "stock": 4}],
        "categories": ["apparel", "tees", "organic"],
        "seo": {"slug": format!("organic-cotton-tee-{n}"), "title": "Organic cotton tee", "keywords": ["tee", "organic", "cotton"]},
        "inventory": {"tracked": true, "warehouse": "BER-1", "reorder_level": 5},
        "created_at": "2026-11-30T09:58:12Z",
        "updated_at": "2026-11-30T10:00:00Z"
    })
}

fn page(number: u64, total: u64) -> String {
    let first = (number - 1) * RECORDS_PER_PAGE + 1;
    let last = (first + RECORDS_PER_PAGE - 1).min(total);
    let records: Vec<Value> = (first..=last).map(order).collect();
    json!({"results": records, "meta": {"count": total}}).to_string()
}

// --- the dynamic mapper: rules read at run time, applied to a `Value` tree ---

fn lookup<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    path.trim_start_matches("$.").split('.').try_fold(value, |v, key| v.get(key))
}

fn dynamic_map(page: &[u8], rules: &Map<String, Value>) -> Vec<Map<String, Value>> {
    let page: Value = serde_json::from_slice(page).unwrap();
    let records = lookup(&page, "results").and_then(Value::as_array).unwrap();
    records
        .iter()
        .map(|record| {
            let mut out = Map::new();
            for (key, rule) in rules {
                let value = match rule {
                    Value::String(path) => lookup(record, path).cloned(),
                    Value::Object(rule) => {
                        let path = rule.get("path").and_then(Value::as_str);
                        let at = path.and_then(|p| lookup(record, p));
                        match rule.get("transform").and_then(Value::as_str) {
                            Some("toString") => at.map(|v| match v {
                                Value::String(s) => Value::String(s.clone()),
                                other => Value::String(other.to_string()),
                            }),
                            Some("toNumberOrNull") => at.and_then(|v| v.as_f64().or_else(|| v.as_str()?.parse().ok())).map(Value::from),
                            Some("mapItems") => at.cloned(),
                            Some("joinCodes") => at.and_then(Value::as_array).map(|codes| {
                                let codes: Vec<String> = codes
                                    .iter()
                                    .filter_map(|c| {
                                        c.get("code").or(Some(c)).map(|c| c.as_str().map_or_else(|| c.to_string(), str::to_string))
                                    })
                                    .collect();
                                Value::String(codes.join(","))
                            }),
                            Some("coalesce") => rule.get("paths").and_then(Value::as_array).and_then(|paths| {
                                paths.iter().filter_map(|p| lookup(record, p.as_str()?)).find(|v| !v.is_null() && *v != "").cloned()
                            }),
                            Some("compute") => {
                                let source =
                                    rule.get("args").and_then(|a| a.get("source")).and_then(Value::as_str).and_then(|p| lookup(record, p));
                                source.map(|s| Value::String(format!("channel:{}", s.as_str().unwrap_or_default())))
                            }
                            _ => at.cloned(),
                        }
                    }
                    _ => None,
                };
                if let Some(value) = value {
                    out.insert(key.clone(), value);
                }
            }
            out
        })
        .collect()
}

/// The mapping written by hand with `#[derive(Deserialize)]` structs of the mapped fields (what a
/// careful user writes without this project), then converted like the generated records.
mod derived {
    use serde::Deserialize;
    use serde_json::Value;
    use serde_json::value::RawValue;

    #[derive(Deserialize)]
    struct Page {
        results: Vec<Order>,
    }
    #[derive(Deserialize)]
    struct Status {
        code: Option<Value>,
    }
    #[derive(Deserialize)]
    struct Totals {
        grand: Option<Value>,
    }
    #[derive(Deserialize)]
    struct Order {
        id: Option<Value>,
        number: Option<Value>,
        status: Option<Status>,
        totals: Option<Totals>,
        lines: Option<Vec<Box<RawValue>>>,
        discounts: Option<Vec<Value>>,
        origin: Option<Value>,
    }
    #[derive(Debug)]
    #[allow(dead_code)] // read through `Debug` only
    pub struct Record {
        code: Option<String>,
        order_number: Option<Value>,
        status: Option<Value>,
        total_amount: Option<f64>,
        items: Option<Vec<Box<RawValue>>>,
        coupon_codes: Option<String>,
        channel: Option<Value>,
    }

    pub fn map(page: &[u8]) -> Vec<Record> {
        let page: Page = serde_json::from_slice(page).unwrap();
        page.results
            .into_iter()
            .map(|o| Record {
                code: o.id.map(|v| match v {
                    Value::String(s) => s,
                    v => v.to_string(),
                }),
                order_number: o.number,
                status: o.status.and_then(|s| s.code),
                total_amount: o.totals.and_then(|t| t.grand).and_then(|g| g.as_f64().or_else(|| g.as_str()?.parse().ok())),
                items: o.lines,
                coupon_codes: o
                    .discounts
                    .map(|d| d.iter().filter_map(|c| c.get("code")?.as_str().map(str::to_string)).collect::<Vec<_>>().join(",")),
                channel: o.origin.map(|s| Value::String(format!("channel:{}", s.as_str().unwrap_or_default()))),
            })
            .collect()
    }
}

fn orders_rules() -> Map<String, Value> {
    let definition: Value = serde_json::from_str(include_str!("../../examples/definitions/acme-shop.json")).unwrap();
    definition.pointer("/sync/resources/orders/apiMapping").and_then(Value::as_object).cloned().unwrap()
}

fn mapping(c: &mut Criterion) -> Vec<String> {
    let body = page(1, 100_000).into_bytes();
    let rules = orders_rules();
    let mapped = acme_shop::sync::OrdersRecord::map_page(&body, &AcmeFunctions).unwrap();
    assert_eq!(mapped.records.len(), RECORDS_PER_PAGE as usize);
    assert!(mapped.records.iter().all(Result::is_ok));
    let dynamic = dynamic_map(&body, &rules);
    assert_eq!(dynamic.len(), mapped.records.len());
    assert_eq!(dynamic[0].get("couponCodes"), Some(&json!("SPRING10")));
    assert_eq!(mapped.records[0].as_ref().unwrap().coupon_codes.as_deref(), Some("SPRING10"));

    let floor = || {
        black_box(serde_json::from_slice::<serde::de::IgnoredAny>(black_box(&body)).unwrap());
    };
    let generated = || {
        black_box(acme_shop::sync::OrdersRecord::map_page(black_box(&body), &AcmeFunctions).unwrap());
    };
    let interpreted = || {
        black_box(dynamic_map(black_box(&body), &rules));
    };
    let by_hand = || {
        black_box(derived::map(black_box(&body)));
    };

    let mut group = c.benchmark_group("sync/orders page");
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function(BenchmarkId::new("floor", "IgnoredAny"), |b| b.iter(floor));
    group.bench_function(BenchmarkId::new("generated", "OrdersRecord::map_page"), |b| b.iter(generated));
    group.bench_function(BenchmarkId::new("dynamic", "Value + run-time paths"), |b| b.iter(interpreted));
    group.bench_function(BenchmarkId::new("by hand", "derive(Deserialize)"), |b| b.iter(by_hand));
    group.finish();

    if std::env::args().any(|a| a == "--profile-time") {
        return Vec::new();
    }
    let per_record = body.len() as u64 / RECORDS_PER_PAGE;
    let generated_vs_floor = median_ratio(21, 20, floor, generated);
    let dynamic_vs_generated = median_ratio(21, 10, generated, interpreted);
    let derived_vs_floor = median_ratio(21, 20, floor, by_hand);
    // The lighter mapping: catalog items, 4 values read of about 20.
    let items: Vec<Value> = (1..=RECORDS_PER_PAGE).map(item).collect();
    let catalog = json!({"results": items, "meta": {"count": 100_000}}).to_string().into_bytes();
    assert!(acme_shop::sync::CatalogRecord::map_page(&catalog).unwrap().records.iter().all(Result::is_ok));
    let catalog_floor = || {
        black_box(serde_json::from_slice::<serde::de::IgnoredAny>(black_box(&catalog)).unwrap());
    };
    let catalog_generated = || {
        black_box(acme_shop::sync::CatalogRecord::map_page(black_box(&catalog)).unwrap());
    };
    let mut group = c.benchmark_group("sync/catalog page");
    group.throughput(Throughput::Bytes(catalog.len() as u64));
    group.bench_function(BenchmarkId::new("floor", "IgnoredAny"), |b| b.iter(catalog_floor));
    group.bench_function(BenchmarkId::new("generated", "CatalogRecord::map_page"), |b| b.iter(catalog_generated));
    group.finish();
    let catalog_vs_floor = median_ratio(21, 20, catalog_floor, catalog_generated);

    vec![
        format!("orders page: {} records, {} bytes ({per_record} bytes per record)", RECORDS_PER_PAGE, body.len()),
        format!("generated mapper / floor: {generated_vs_floor:.2}x"),
        format!("hand-written derive(Deserialize) mapper / floor: {derived_vs_floor:.2}x"),
        format!("dynamic mapper / generated mapper: {dynamic_vs_generated:.2}x (the generated mapper is that much faster)"),
        format!(
            "catalog page ({} bytes per record, 4 values read): generated mapper / floor: {catalog_vs_floor:.2}x",
            catalog.len() as u64 / RECORDS_PER_PAGE
        ),
    ]
}

fn import(rt: &tokio::runtime::Runtime) -> Vec<String> {
    const TOTAL: u64 = 100_000;
    let pages: Vec<String> = (1..=TOTAL.div_ceil(RECORDS_PER_PAGE)).map(|p| page(p, TOTAL)).collect();
    let pages = std::sync::Arc::new(pages);
    let served = pages.clone();
    let server = rt.block_on(miniapp_loopback::serve(move |r, _| {
        let n: usize = r.param("page").and_then(|p| p.parse().ok()).unwrap_or(1);
        let body = served.get(n - 1).cloned().unwrap_or_else(|| json!({"results": [], "meta": {"count": TOTAL}}).to_string());
        miniapp_loopback::Reply { body, ..miniapp_loopback::Reply::json(Value::Null) }
    }));
    let client = acme_shop::Client::builder(
        acme_shop::Credentials { access_token: Some("at".into()), store_id: Some("s9".into()), ..Default::default() },
        AcmeFunctions,
    )
    .base_url(server.url.clone())
    .build();
    let http = miniapp::reqwest::Client::new();
    let base = format!("{}v3/stores/s9/orders", server.url);

    let run_import = || {
        rt.block_on(async {
            let mut import = client.sync_orders().page_size(RECORDS_PER_PAGE).rate_limit(None);
            let mut n = 0u64;
            while let Some(record) = import.next().await {
                black_box(record.unwrap());
                n += 1;
            }
            n
        })
    };
    let run_floor = || {
        rt.block_on(async {
            let mut n = 0u64;
            for page in 1..=pages.len() {
                let bytes = http.get(format!("{base}?page={page}")).send().await.unwrap().bytes().await.unwrap();
                black_box(serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).unwrap());
                n += RECORDS_PER_PAGE.min(TOTAL - (page as u64 - 1) * RECORDS_PER_PAGE);
            }
            n
        })
    };
    assert_eq!(run_import(), TOTAL);
    let mut floor_times = Vec::new();
    let mut import_times = Vec::new();
    for _ in 0..3 {
        let start = Instant::now();
        assert_eq!(run_floor(), TOTAL);
        floor_times.push(start.elapsed());
        let start = Instant::now();
        assert_eq!(run_import(), TOTAL);
        import_times.push(start.elapsed());
    }
    let median = |mut v: Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let (floor, import) = (median(floor_times), median(import_times));
    let rate = |d: Duration| TOTAL as f64 / d.as_secs_f64();
    vec![
        format!("import of {TOTAL} records ({} pages) from 127.0.0.1: {:.0} records/s", pages.len(), rate(import)),
        format!("floor (reqwest GET + IgnoredAny scan of the same pages): {:.0} records/s", rate(floor)),
        format!("import / floor throughput: {:.2}x", rate(import) / rate(floor)),
    ]
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    if std::env::args().any(|a| a == "--profile-time") {
        // Profiling one benchmark: no import, no report.
        mapping(&mut c);
        return;
    }
    let mut report = mapping(&mut c);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
    report.extend(import(&rt));
    c.final_summary();
    println!("\nsync bench, median of interleaved rounds:");
    for line in report {
        println!("  {line}");
    }
}
