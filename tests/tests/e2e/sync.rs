//! Sync through the generated `acme_shop` client (docs/format.md §11): imports from a provider on
//! 127.0.0.1 (paging, stop rules, details, pacing, failures and resuming, refresh), the
//! transforms, and the records of real-time handlers carried by webhook deliveries.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may panic: that is how it fails

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use futures_util::StreamExt as _;
use hmac::{KeyInit, Mac};
use miniapp::sync::{Checkpoint, Drift, Problem};
use miniapp::{Error, RetryPolicy, Secret};
use miniapp_loopback::{Recorded, Reply, Server, quick_retries, serve};
use miniapp_tests::{AcmeFunctions, acme_shop};
use serde_json::{Value, json};

pub(crate) fn connected() -> acme_shop::Credentials {
    acme_shop::Credentials {
        access_token: Some(Secret::new("at-1")),
        refresh_token: Some(Secret::new("rt-1")),
        store_id: Some("s9".into()),
        client_id: Some("cid-1".into()),
        client_secret: Some(Secret::new("cs-secret")),
        hook_signing_key: Some(Secret::new("whsec-acme-77")),
        ..Default::default()
    }
}

fn client(server: &Server, retry: RetryPolicy) -> acme_shop::Client {
    acme_shop::Client::builder(connected(), AcmeFunctions).base_url(server.url.clone()).retry(retry).build()
}

fn page_of(r: &Recorded) -> u64 {
    r.param("page").and_then(|p| p.parse().ok()).unwrap_or(0)
}

/// `n` catalog items numbered from `first`.
fn items(first: u64, n: u64) -> Vec<Value> {
    (first..first + n)
        .map(|i| json!({"item_id": i, "title": format!("Item {i}"), "pricing": {"sale": null, "list": i * 10}, "stock": {"warehouses": [1, 2, 3]}}))
        .collect()
}

async fn collect<R>(mut import: miniapp::sync::Import<'_, R>) -> (Vec<Result<R, Error>>, Checkpoint)
where
    R: Clone + PartialEq + Send,
{
    let mut out = Vec::new();
    while let Some(item) = import.next().await {
        out.push(item);
    }
    (out, import.checkpoint().clone())
}

fn codes(records: &[Result<acme_shop::sync::CatalogRecord, Error>]) -> Vec<String> {
    records.iter().map(|r| r.as_ref().expect("a record").code.clone().expect("a code")).collect()
}

#[tokio::test]
async fn a_three_page_import_yields_every_record_in_order_and_stops_at_the_total() {
    let server = serve(|r, _| {
        let page = page_of(r);
        let size: u64 = r.param("page_size").unwrap().parse().unwrap();
        let first = (page - 1) * size + 1;
        let n = size.min(5u64.saturating_sub(first - 1));
        Reply::json(json!({"results": items(first, n), "meta": {"count": 5}}))
    })
    .await;
    let client = client(&server, quick_retries());
    let (records, checkpoint) = collect(client.sync_catalog().page_size(2)).await;

    assert_eq!(codes(&records), ["1", "2", "3", "4", "5"]);
    let first = records[0].as_ref().unwrap();
    assert_eq!(first.name.as_deref(), Some("Item 1"));
    assert_eq!(first.unit_price, Some(10.0), "coalesce skips the null sale price");
    let seen = server.requests();
    assert_eq!(seen.len(), 3, "the total ends the import without an extra request");
    for (i, r) in seen.iter().enumerate() {
        assert_eq!(r.method, "GET");
        assert_eq!(r.path, "/v3/stores/s9/items");
        assert_eq!(r.query.as_deref(), Some(format!("page_size=2&page={}", i + 1).as_str()));
        assert_eq!(r.header("authorization"), Some("Bearer at-1"));
        assert_eq!(r.header("accept"), Some("application/json"));
    }
    assert_eq!(
        checkpoint,
        Checkpoint {
            resource: "catalog".into(),
            page: 4,
            offset: 0,
            yielded: 5,
            page_size: Some(2),
            done: true,
            cursor: None,
            total: Some(5)
        }
    );
}

#[tokio::test]
async fn the_default_page_size_is_the_definitions_and_never_above_max_limit() {
    let server = serve(|_, _| Reply::json(json!({"results": [], "meta": {"count": 0}}))).await;
    let client = client(&server, quick_retries());
    assert!(collect(client.sync_catalog()).await.0.is_empty());
    assert!(collect(client.sync_catalog().page_size(10_000)).await.0.is_empty());
    let sizes: Vec<String> = server.requests().iter().map(|r| r.param("page_size").unwrap()).collect();
    assert_eq!(sizes, ["50", "250"]);
}

#[tokio::test]
async fn a_provider_that_clamps_the_page_size_is_read_to_the_total() {
    // We ask for 5 per page; the provider sends 2 at most, with the total.
    let server = serve(|r, _| {
        let first = (page_of(r) - 1) * 2 + 1;
        let n = 2u64.min(7u64.saturating_sub(first - 1));
        Reply::json(json!({"results": items(first, n), "meta": {"count": "7"}}))
    })
    .await;
    let client = client(&server, quick_retries());
    let (records, _) = collect(client.sync_catalog().page_size(5)).await;
    assert_eq!(codes(&records), ["1", "2", "3", "4", "5", "6", "7"], "short pages with a total (here a numeric string) go on");
    assert_eq!(server.requests().len(), 4);
}

#[tokio::test]
async fn without_a_total_a_short_page_is_confirmed_by_asking_for_the_next() {
    // A short page is not the last by itself: a provider that clamps the page size sends short
    // pages with more to come. One extra request confirms the end.
    let server = serve(|r, _| match page_of(r) {
        1 => Reply::json(json!({"results": items(1, 3), "meta": {"count": null}})),
        2 => Reply::json(json!({"results": items(4, 1), "meta": {}})),
        _ => Reply::json(json!({"results": [], "meta": {}})),
    })
    .await;
    let client = client(&server, quick_retries());
    let (records, checkpoint) = collect(client.sync_catalog().page_size(3)).await;
    assert_eq!(codes(&records), ["1", "2", "3", "4"]);
    assert!(checkpoint.done);
    assert_eq!(server.requests().len(), 3, "the empty third page ends the import");

    // A total that is never reached: the empty page ends the import, and the shortfall is said.
    let server = serve(|r, _| match page_of(r) {
        1 => Reply::json(json!({"results": items(1, 2), "meta": {"count": 50}})),
        _ => Reply::json(json!({"results": [], "meta": {"count": 50}})),
    })
    .await;
    let client = self::client(&server, quick_retries());
    let (records, checkpoint) = collect(client.sync_catalog().page_size(2)).await;
    assert_eq!(codes(&records[..2]), ["1", "2"]);
    let (_, record, problem) = sync_problem(&records[2]);
    assert_eq!(problem, Problem::Drift(Drift::Short { total: 50, yielded: 2 }));
    assert!(record.is_none() && !problem.is_fatal() && !problem.is_record_level(), "drift is about the import, not a record");
    assert_eq!(records.len(), 3);
    assert!(checkpoint.done, "drift does not fail the import");
    assert_eq!(server.requests().len(), 2);
}

fn sync_problem(item: &Result<impl std::fmt::Debug, Error>) -> (u64, Option<usize>, Problem) {
    match item {
        Err(Error::Sync { page, record, problem, .. }) => (*page, *record, problem.clone()),
        other => panic!("expected a sync error, got {other:?}"),
    }
}

#[tokio::test]
async fn a_missing_or_mistyped_records_array_is_an_error_not_an_empty_import() {
    for (body, expected) in [
        (json!({"data": [], "meta": {"count": 0}}), Problem::MissingData { path: "$.results".into() }),
        (json!({"results": {"0": {}}}), Problem::DataNotArray { path: "$.results".into(), found: "an object" }),
        (json!({"results": null}), Problem::DataNotArray { path: "$.results".into(), found: "null" }),
    ] {
        let server = serve(move |_, _| Reply::json(body.clone())).await;
        let (records, checkpoint) = collect(client(&server, quick_retries()).sync_catalog()).await;
        assert_eq!(records.len(), 1);
        assert_eq!(sync_problem(&records[0]), (1, None, expected));
        assert!(!checkpoint.done);
    }
    let server = serve(|_, _| Reply::status(200, "{\"results\": [1, 2")).await;
    let (records, _) = collect(client(&server, quick_retries()).sync_catalog()).await;
    assert!(matches!(sync_problem(&records[0]).2, Problem::NotJson { line: 1, .. }));
}

#[tokio::test]
async fn a_provider_ignoring_the_page_parameter_is_an_error_not_a_loop() {
    let server = serve(|_, _| Reply::json(json!({"results": items(1, 2), "meta": {"count": 1000}}))).await;
    let (records, checkpoint) = collect(client(&server, quick_retries()).sync_catalog().page_size(2)).await;
    assert_eq!(codes(&records[..2]), ["1", "2"]);
    assert_eq!(sync_problem(&records[2]), (2, None, Problem::RepeatedPage));
    assert_eq!(records.len(), 3);
    assert_eq!(server.requests().len(), 2);
    assert_eq!((checkpoint.page, checkpoint.yielded), (2, 2));
}

#[tokio::test]
async fn pages_that_go_round_in_a_cycle_are_recognised() {
    // Pages 1, 2, 3, then 1 again, … (a provider whose page numbers wrap around).
    let server = serve(|r, _| {
        let page = (page_of(r) - 1) % 3;
        Reply::json(json!({"results": items(page * 2 + 1, 2), "meta": {"count": 1000}}))
    })
    .await;
    let (records, _) = collect(client(&server, quick_retries()).sync_catalog().page_size(2)).await;
    assert_eq!(codes(&records[..6]), ["1", "2", "3", "4", "5", "6"]);
    assert_eq!(sync_problem(&records[6]), (4, None, Problem::RepeatedPage));
    assert_eq!(records.len(), 7);
}

#[tokio::test]
async fn pages_whose_first_and_last_records_look_alike_are_not_taken_for_a_repeat() {
    // Every page starts and ends with a record that does not map (a `title` object for
    // `toString`) and the same middle shape; only the middle record differs.
    let server = serve(|r, _| {
        let page = page_of(r);
        let bad = json!({"item_id": {"no": "id"}, "title": {"not": "text"}});
        let results = if page <= 3 { json!([bad, items(page, 1)[0], bad]) } else { json!([]) };
        Reply::json(json!({"results": results}))
    })
    .await;
    let (records, checkpoint) = collect(client(&server, quick_retries()).sync_catalog().page_size(3)).await;
    assert_eq!(records.len(), 9, "{records:?}");
    assert!(records.iter().all(|r| !matches!(r, Err(Error::Sync { problem: Problem::RepeatedPage, .. }))));
    assert!(checkpoint.done);
}

#[tokio::test]
async fn the_page_cap_is_an_error() {
    let server = serve(|r, _| Reply::json(json!({"results": items(page_of(r) * 10, 2), "meta": {"count": 1000}}))).await;
    let (records, _) = collect(client(&server, quick_retries()).sync_catalog().page_size(2).max_pages(3)).await;
    assert_eq!(records.len(), 7);
    assert_eq!(sync_problem(&records[6]), (4, None, Problem::TooManyPages { max: 3 }));
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn details_are_fetched_in_list_order_with_bounded_concurrency() {
    // `shoppers` has expandDetails: the list gives ids, each details response is the record.
    let ids = ["s-1", "s/2", "s-3", "s-4", "s-5", "s-6"];
    let server = serve(move |r, _| {
        if r.path == "/v3/stores/s9/shoppers" {
            let list: Vec<Value> = ids.iter().map(|id| json!({"id": id, "summary": true})).collect();
            return Reply::json(json!({"results": list, "meta": {"count": 6}}));
        }
        let id = r.path.trim_start_matches("/v3/stores/s9/shoppers/").replace("%2F", "/");
        // Later ids answer sooner: order must come from the list, not from completion.
        let delay = 40 * (7 - id.trim_start_matches("s-").trim_start_matches("s/").parse::<u64>().unwrap());
        // Each is held until three are in flight: concurrency 3 reaches that whatever the load,
        // one request at a time never does.
        Reply::json(json!({"shopper_id": id, "given_name": format!("Name {id}"), "email_address": null}))
            .held_until_in_flight(3)
            .after(Duration::from_millis(delay))
    })
    .await;
    let client = client(&server, quick_retries());
    let (records, _) = collect(client.sync_shoppers().page_size(10).details_concurrency(3)).await;
    let codes: Vec<String> = records.iter().map(|r| r.as_ref().unwrap().code.clone().unwrap()).collect();
    assert_eq!(codes, ids);
    assert_eq!(records[1].as_ref().unwrap().first_name.as_deref(), Some("Name s/2"));
    assert_eq!(records[0].as_ref().unwrap().primary_email, None);
    let details = server.hits("/v3/stores/s9/shoppers/");
    assert_eq!(details.len(), 6);
    assert!(details.iter().any(|r| r.path == "/v3/stores/s9/shoppers/s%2F2"), "an id is one path segment");
    let most = server.max_in_flight();
    assert_eq!(most, 3, "details ran {most} at once");
}

#[tokio::test]
async fn a_details_404_is_reported_in_the_records_place_and_the_import_goes_on() {
    let server = serve(|r, _| match r.path.as_str() {
        "/v3/stores/s9/shoppers" => {
            Reply::json(json!({"results": [{"id": 1}, {"id": 2}, {"name": "no id"}, {"id": 3}], "meta": {"count": 4}}))
        }
        "/v3/stores/s9/shoppers/2" => Reply::status(404, "gone"),
        p => Reply::json(json!({"shopper_id": p.rsplit('/').next().unwrap()})),
    })
    .await;
    let (records, checkpoint) = collect(client(&server, quick_retries()).sync_shoppers()).await;
    assert_eq!(records.len(), 4);
    assert_eq!(records[0].as_ref().unwrap().code.as_deref(), Some("1"));
    assert_eq!(sync_problem(&records[1]), (1, Some(1), Problem::Gone { id: "2".into() }));
    assert_eq!(sync_problem(&records[2]), (1, Some(2), Problem::NoId));
    assert_eq!(records[3].as_ref().unwrap().code.as_deref(), Some("3"));
    assert!(checkpoint.done);
    assert_eq!(checkpoint.yielded, 4);
}

/// Three pages of two orders; `fail` decides, per request number, whether to fail it and how.
async fn orders_provider(fail: impl Fn(usize, u64) -> Option<Reply> + Send + Sync + 'static) -> Server {
    serve(move |r, earlier| {
        let page = page_of(r);
        if let Some(reply) = fail(earlier.len(), page) {
            return reply;
        }
        let orders: Vec<Value> = (1..=2)
            .map(|i| {
                let n = (page - 1) * 2 + i;
                json!({"id": n, "number": format!("A-{n}"), "status": {"code": "paid"}, "totals": {"grand": "19.90"}, "lines": [], "discounts": [], "origin": "web"})
            })
            .collect();
        Reply::json(json!({"results": orders, "meta": {"count": 6}}))
    })
    .await
}

fn order_codes(records: &[Result<acme_shop::sync::OrdersRecord, Error>]) -> Vec<String> {
    records.iter().filter_map(|r| r.as_ref().ok()?.code.clone()).collect()
}

#[tokio::test]
async fn an_import_broken_by_a_429_and_a_dropped_connection_resumes_from_its_checkpoint_with_every_record_once() {
    // Request 2 (page 2) answers 429; request 4 (page 3) breaks its connection mid-body.
    let server = orders_provider(|n, _| match n {
        1 => Some(Reply::status(429, "slow down")),
        3 => Some(Reply::broken(json!({"results": [{"id": 5}, {"id": 6}], "meta": {"count": 6}}))),
        _ => None,
    })
    .await;
    let client = client(&server, RetryPolicy::none());
    let mut seen = Vec::new();

    let (records, checkpoint) = collect(client.sync_orders().page_size(2)).await;
    assert!(matches!(records.last(), Some(Err(Error::RateLimited { .. }))), "{records:?}");
    seen.extend(order_codes(&records));
    assert_eq!((checkpoint.page, checkpoint.offset, checkpoint.yielded, checkpoint.done), (2, 0, 2, false));

    // The checkpoint goes through a job store as JSON.
    let saved = serde_json::to_string(&checkpoint).unwrap();
    let (records, checkpoint) = collect(client.sync_orders_from(serde_json::from_str(&saved).unwrap())).await;
    assert!(matches!(records.last(), Some(Err(Error::Transport { .. }))), "{records:?}");
    seen.extend(order_codes(&records));
    assert_eq!((checkpoint.page, checkpoint.yielded), (3, 4));

    let (records, checkpoint) = collect(client.sync_orders_from(checkpoint)).await;
    assert!(records.iter().all(Result::is_ok));
    seen.extend(order_codes(&records));
    assert!(checkpoint.done);
    assert_eq!(seen, ["1", "2", "3", "4", "5", "6"], "every record exactly once");
}

#[tokio::test]
async fn a_checkpoint_taken_inside_a_page_resumes_after_the_last_record_yielded() {
    let server = orders_provider(|_, _| None).await;
    let client = client(&server, quick_retries());
    let mut import = client.sync_orders().page_size(2);
    let mut seen = Vec::new();
    for _ in 0..3 {
        seen.push(import.next().await.unwrap().unwrap().code.unwrap());
    }
    // A crash after handling the third record (page 2, first record) and saving the checkpoint.
    let checkpoint = import.checkpoint().clone();
    drop(import);
    assert_eq!((checkpoint.page, checkpoint.offset, checkpoint.yielded), (2, 1, 3));
    let (records, _) = collect(client.sync_orders_from(checkpoint)).await;
    seen.extend(order_codes(&records));
    assert_eq!(seen, ["1", "2", "3", "4", "5", "6"]);
}

#[tokio::test]
async fn an_inconsistent_checkpoint_is_a_typed_error_never_a_panic_or_a_silent_restart() {
    let server = orders_provider(|_, _| None).await;
    let client = client(&server, quick_retries());
    let at = |page, offset, yielded, page_size| Checkpoint {
        resource: "orders".into(),
        page,
        offset,
        yielded,
        page_size,
        done: false,
        cursor: None,
        total: None,
    };
    let cases = [
        (Checkpoint { resource: "catalog".into(), ..at(3, 0, 4, Some(2)) }, "a checkpoint of `catalog`, not of `orders`"),
        (at(0, 0, 0, Some(2)), "page 0"),
        (at(2, 0, 2, Some(1000)), "above the definition's `maxLimit` of 250"),
        (at(2, 0, 2, Some(0)), "page size is 0"),
        (at(2, 3, 1, Some(2)), "3 records of its page were yielded, but only 1 in all"),
        (at(2, 1, u64::MAX, Some(2)), "more than any import"),
    ];
    for (checkpoint, says) in cases {
        let (records, after) = collect(client.sync_orders_from(checkpoint.clone())).await;
        assert_eq!(records.len(), 1, "{checkpoint:?}: only the error");
        let (_, record, problem) = sync_problem(&records[0]);
        assert!(matches!(&problem, Problem::Checkpoint { message } if message.contains(says)), "{checkpoint:?}: {problem:?}");
        assert!(record.is_none() && !problem.is_record_level());
        assert_eq!(after, checkpoint, "the checkpoint is left as it was");
    }
    assert!(server.requests().is_empty(), "nothing was fetched for them");
}

#[tokio::test]
async fn retries_and_the_401_refresh_apply_to_every_page() {
    let refreshes = Arc::new(AtomicUsize::new(0));
    let counter = refreshes.clone();
    let server = serve(move |r, earlier| {
        if r.path == "/oauth/token" {
            counter.fetch_add(1, Ordering::SeqCst);
            return Reply::json(json!({"access_token": "at-2", "refresh_token": "rt-2", "expires_in": 3600}));
        }
        let page = page_of(r);
        // Page 2: the token has expired; page 3: one 503 first.
        if page >= 2 && r.header("authorization") != Some("Bearer at-2") {
            return Reply::status(401, "expired");
        }
        if page == 3 && !earlier.iter().any(|e| page_of(e) == 3) {
            return Reply::status(503, "busy");
        }
        let first = (page - 1) * 2 + 1;
        Reply::json(json!({"results": items(first, 2), "meta": {"count": 6}}))
    })
    .await;
    let client = client(&server, quick_retries());
    let (records, _) = collect(client.sync_catalog().page_size(2)).await;
    assert_eq!(codes(&records), ["1", "2", "3", "4", "5", "6"]);
    assert_eq!(refreshes.load(Ordering::SeqCst), 1, "one refresh");
    let stored = client.store().load().await.unwrap();
    assert_eq!(stored.get(miniapp::Bag::Credentials, "accessToken"), Some(&json!("at-2")));
}

#[tokio::test]
async fn a_listed_id_that_cannot_be_a_path_segment_is_a_record_error_in_its_place() {
    // Ids are provider data, some chosen by users: `.` and `..` would change the details URL.
    let server = serve(|r, _| {
        if r.path == "/v3/stores/s9/shoppers" {
            let list: Vec<Value> = ["s-1", "..", ".", "s-4"].iter().map(|id| json!({"id": id})).collect();
            return Reply::json(json!({"results": list, "meta": {"count": 4}}));
        }
        let id = r.path.trim_start_matches("/v3/stores/s9/shoppers/");
        Reply::json(json!({"shopper_id": id}))
    })
    .await;
    let client = client(&server, quick_retries());
    let (records, checkpoint) = collect(client.sync_shoppers().page_size(10)).await;
    assert_eq!(records.len(), 4, "{records:?}");
    assert_eq!(records[0].as_ref().unwrap().code.as_deref(), Some("s-1"));
    for (i, id) in [(1, ".."), (2, ".")] {
        assert_eq!(sync_problem(&records[i]), (1, Some(i), Problem::UnusableId { id: id.to_string() }));
        assert!(Problem::UnusableId { id: id.to_string() }.is_record_level());
    }
    assert_eq!(records[3].as_ref().unwrap().code.as_deref(), Some("s-4"), "the page's other records are yielded");
    assert!(checkpoint.done, "the import went on to its end");
    assert_eq!(server.hits("/v3/stores/s9/shoppers/").len(), 2, "no details call for the unusable ids");
}

#[tokio::test]
async fn rate_limit_per_second_spaces_the_requests() {
    // acme-shop: `rateLimitPerSecond: 5`, so requests start at least 200 ms apart.
    let server = serve(|r, _| {
        let first = (page_of(r) - 1) * 2 + 1;
        Reply::json(json!({"results": items(first, 2), "meta": {"count": 8}}))
    })
    .await;
    let start = std::time::Instant::now();
    let (records, _) = collect(client(&server, quick_retries()).sync_catalog().page_size(2)).await;
    assert_eq!(records.len(), 8);
    let at: Vec<_> = server.requests().iter().map(|r| r.at).collect();
    assert_eq!(at.len(), 4);
    // What the pace guarantees on a real clock, however loaded the machine: request k starts at
    // least k intervals after the first, which started after `start`, and arrives after it
    // starts. (How far apart two arrivals are is not guaranteed: the first may arrive late. The
    // exact schedule is the runtime's paused-clock test of the pace.)
    for (k, arrived) in at.iter().enumerate() {
        let since = arrived.duration_since(start);
        assert!(since >= Duration::from_millis(200) * k as u32, "request {k} arrived {since:?} after the start");
    }
}

// --- transforms, through the generated mappers ---

#[tokio::test]
async fn a_page_with_far_more_records_than_asked_is_refused_unmapped() {
    // 2 per page asked; a broken provider answers with 10 001 records (the default cap is ten
    // times the page size, at least 10 000).
    let server = serve(|_, _| Reply::json(json!({"results": items(1, 10_001), "meta": {"count": 10_001}}))).await;
    let client = client(&server, quick_retries());
    let (records, checkpoint) = collect(client.sync_catalog().page_size(2)).await;
    assert_eq!(records.len(), 1);
    assert_eq!(sync_problem(&records[0]), (1, None, Problem::TooManyRecords { most: 10_000 }));
    assert!(!checkpoint.done);
    // A provider that really sends pages that large: the cap is the caller's to raise.
    let (records, checkpoint) = collect(client.sync_catalog().page_size(2).max_page_records(20_000)).await;
    assert_eq!(records.len(), 10_001);
    assert!(records.iter().all(Result::is_ok) && checkpoint.done);
}

#[test]
fn a_key_written_twice_keeps_its_last_value_as_serde_json_does() {
    let map = |body: &str| acme_shop::sync::OrdersRecord::map_page(body.as_bytes(), &AcmeFunctions);
    let codes = |body: &str| -> Vec<Option<String>> { map(body).unwrap().records.into_iter().map(|r| r.unwrap().code).collect::<Vec<_>>() };
    let page = map(r#"{"results": [{"id": "A"}, {"id": "B"}], "results": [{"id": "C"}], "meta": {"count": 1}}"#).unwrap();
    assert_eq!(page.records.len(), 1);
    assert_eq!(page.total, Some(1));
    assert_eq!(codes(r#"{"results": [{"id": "A"}], "meta": {"count": 1}, "results": [{"id": "C"}]}"#), [Some("C".to_string())]);
    // The total and its parents too.
    assert_eq!(map(r#"{"meta": {"count": 9}, "meta": {}, "results": []}"#).unwrap().total, None);
    assert_eq!(map(r#"{"meta": {"count": 9}, "meta": {"count": 2}, "results": []}"#).unwrap().total, Some(2));
    // A last value that is not an array is what the page holds: an error, not the first array.
    let err = map(r#"{"results": [{"id": "A"}], "results": "none", "meta": {"count": 1}}"#).unwrap_err();
    assert!(matches!(err, Problem::DataNotArray { .. }), "{err:?}");
    // What serde_json reads, for comparison.
    let value: Value = serde_json::from_str(r#"{"results": [1, 2], "results": [3]}"#).unwrap();
    assert_eq!(value["results"], json!([3]));
}

fn orders_page(records: Value) -> Vec<Result<acme_shop::sync::OrdersRecord, Problem>> {
    let body = serde_json::to_vec(&json!({"results": records, "meta": {"count": 1}})).unwrap();
    acme_shop::sync::OrdersRecord::map_page(&body, &AcmeFunctions).unwrap().records
}

#[test]
fn to_string_to_number_or_null_map_items_join_codes_and_compute() {
    let out = orders_page(json!([
        {"id": 17, "number": "A-1017", "status": {"code": "paid"}, "totals": {"grand": "19.90"},
         "lines": [{"sku": "A", "title": "Tee", "qty": 2, "unit_price": "8.95"}], "discounts": [{"code": "SPRING"}, "VIP", 5], "origin": "pos"},
        {"id": "o-18", "totals": {"grand": 5}, "lines": [], "discounts": []},
        {"id": 1.5, "totals": {"grand": "n/a"}, "lines": null, "discounts": null, "origin": null},
        {"id": true, "totals": {"grand": true}}
    ]));
    let first = out[0].as_ref().unwrap();
    assert_eq!(first.code.as_deref(), Some("17"), "toString: a number becomes its decimal text");
    assert_eq!(first.order_number.as_deref(), Some("A-1017"), "a bare path, typed from the samples");
    assert_eq!(first.status.as_deref(), Some("paid"));
    assert_eq!(first.total_amount, Some(19.9), "toNumberOrNull: a numeric string");
    let line =
        acme_shop::sync::OrdersRecordItem { sku: "A".into(), title: "Tee".into(), qty: 2, unit_price: "8.95".into(), gift_wrap: None };
    assert_eq!(first.items, Some(vec![line]), "mapItems items, typed from the samples");
    assert_eq!(first.coupon_codes.as_deref(), Some("SPRING,VIP,5"));
    assert_eq!(first.channel, Some(json!("channel:pos")), "compute gets its arg resolved from the record");

    let second = out[1].as_ref().unwrap();
    assert_eq!(second.code.as_deref(), Some("o-18"));
    assert_eq!(second.total_amount, Some(5.0));
    assert_eq!(second.items, Some(Vec::new()), "mapItems on an empty array");
    assert_eq!(second.coupon_codes, None, "joinCodes on an empty array is no value");
    assert_eq!(second.channel, None, "compute answered null");
    assert_eq!(second.order_number, None);

    let third = out[2].as_ref().unwrap();
    assert_eq!(third.code.as_deref(), Some("1.5"));
    assert_eq!(third.total_amount, None, "toNumberOrNull: anything else is null");
    assert_eq!((third.items.as_ref(), third.coupon_codes.as_ref()), (None, None));

    assert_eq!(out[3].as_ref().unwrap().code.as_deref(), Some("true"));
    assert_eq!(out[3].as_ref().unwrap().total_amount, None);
}

#[test]
fn a_record_that_does_not_fit_is_its_own_error_naming_field_and_path() {
    let out = orders_page(json!([
        {"id": {"nested": 1}},
        {"id": 2, "lines": [1, 2]},
        {"id": 3, "discounts": [{"name": "no code"}]},
        {"id": 4, "origin": "fail"},
        {"id": 5}
    ]));
    assert_eq!(out[0], Err(Problem::Field { field: "code", path: "$.id".into(), expected: "a string or a number", found: "an object" }));
    assert!(matches!(&out[1], Err(Problem::Field { field: "items", path, .. }) if path == "$.lines"));
    assert!(matches!(&out[2], Err(Problem::Field { field: "couponCodes", .. })));
    assert!(matches!(&out[3], Err(Problem::Compute { field: "channel", function: "acmeSalesChannel", .. })));
    assert_eq!(out[4].as_ref().unwrap().code.as_deref(), Some("5"));
}

#[tokio::test]
async fn a_malformed_record_in_an_import_names_resource_page_and_index_and_the_import_goes_on() {
    let server = serve(|r, _| match page_of(r) {
        1 => Reply::json(json!({"results": [{"id": 1}, {"id": [1]}], "meta": {"count": 3}})),
        _ => Reply::json(json!({"results": [{"id": 3}], "meta": {"count": 3}})),
    })
    .await;
    let (records, _) = collect(client(&server, quick_retries()).sync_orders().page_size(2)).await;
    assert_eq!(records.len(), 3);
    let error = records[1].as_ref().unwrap_err();
    assert_eq!(error.to_string(), "sync `orders` page 1, record 1: `code` at `$.id`: expected a string or a number, found an array");
    assert_eq!(order_codes(&records), ["1", "3"]);
}

#[test]
fn coalesce_skips_absent_null_and_empty_strings() {
    let page = |pricing: Value| {
        let body = serde_json::to_vec(&json!({"results": [{"item_id": 1, "pricing": pricing}]})).unwrap();
        acme_shop::sync::CatalogRecord::map_page(&body).unwrap().records.remove(0).unwrap().unit_price
    };
    assert_eq!(page(json!({"list": 7})), Some(7.0), "absent");
    assert_eq!(page(json!({"sale": null, "list": 7})), Some(7.0), "null");
    assert_eq!(page(json!({"sale": "", "list": 7})), Some(7.0), "empty string");
    assert_eq!(page(json!({"sale": 0, "list": 7})), Some(0.0), "zero is a value");
    assert_eq!(page(json!({"sale": "", "list": ""})), None);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 2000, ..Default::default() })]

    /// The mappers never panic, whatever the page: any bytes, and any JSON values in the places
    /// the mappings read.
    #[test]
    fn mappers_never_panic_on_arbitrary_pages(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..256), value in json_value()) {
        let _ = acme_shop::sync::OrdersRecord::map_page(&bytes, &AcmeFunctions);
        let _ = acme_shop::sync::CatalogRecord::map_page(&bytes);
        for record in [
            json!({"id": value, "totals": {"grand": value}, "lines": value, "discounts": value, "origin": value, "status": value}),
            json!({"id": 1, "lines": [value], "discounts": [value], "pricing": {"sale": value}}),
        ] {
            let page = serde_json::to_vec(&json!({"results": [record.clone(), value], "meta": {"count": value}})).unwrap();
            let _ = acme_shop::sync::OrdersRecord::map_page(&page, &AcmeFunctions);
            let _ = acme_shop::sync::CatalogRecord::map_page(&page);
            let _ = acme_shop::sync::ShoppersRecord::map_page(&page);
        }
    }
}

/// A provider for the checkpoint property test and a client of it, on a runtime of their own
/// (every case runs on it): two orders on pages 1 to 3, none after.
static CHECKPOINT_PROVIDER: std::sync::LazyLock<(tokio::runtime::Runtime, acme_shop::Client)> = std::sync::LazyLock::new(|| {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
    let server = rt.block_on(serve(|r, _| {
        let page = page_of(r);
        let orders: Vec<Value> = if (1..=3).contains(&page) { (0..2).map(|i| json!({"id": page * 2 + i})).collect() } else { Vec::new() };
        Reply::json(json!({"results": orders, "meta": {"count": 6}}))
    }));
    let client = acme_shop::Client::builder(connected(), AcmeFunctions).base_url(server.url.clone()).retry(RetryPolicy::none()).build();
    // The server lives as long as the runtime its task runs on.
    std::mem::forget(server);
    (rt, client)
});

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: std::env::var("MINIAPP_FUZZ_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(256),
        ..Default::default()
    })]

    /// A stored checkpoint is data: any numbers (up to `u64::MAX`, with overflow checks on in
    /// the test profile) end in records or a typed error, never a panic or an endless import.
    #[test]
    fn imports_never_panic_on_arbitrary_checkpoints(
        page in proptest::prelude::any::<u64>(),
        offset in proptest::prelude::any::<u64>(),
        yielded in proptest::prelude::any::<u64>(),
        page_size in proptest::option::of(proptest::prelude::any::<u64>()),
        small in proptest::prelude::any::<bool>(),
        done in proptest::prelude::any::<bool>(),
        total in proptest::option::of(proptest::prelude::any::<u64>()),
    ) {
        // Half the cases with numbers an import really has.
        let (page, offset, yielded) = if small { (page % 5, offset % 3, yielded % 9) } else { (page, offset, yielded) };
        let page_size = page_size.map(|s| if small { s % 4 } else { s });
        let checkpoint = Checkpoint { resource: "orders".into(), page, offset, yielded, page_size, done, cursor: None, total };
        let (rt, client) = &*CHECKPOINT_PROVIDER;
        rt.block_on(async {
            let (records, after) = collect(client.sync_orders_from(checkpoint).max_pages(8)).await;
            assert!(records.len() <= 8 * 2 + 1, "{} items", records.len());
            // Page 0 is refused, never resumed: the one item is the error.
            assert!(after.page >= 1 || records.len() == 1, "{records:?}");
        });
    }
}

fn json_value() -> impl proptest::strategy::Strategy<Value = Value> {
    use proptest::prelude::*;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,8}".prop_map(Value::from),
        "[0-9. eE+-]{0,6}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            proptest::collection::btree_map("code|sku|[a-z]{1,3}", inner, 0..4).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

// --- real-time handlers ---

fn signed(event: &str, body: &Value) -> (http::HeaderMap, Vec<u8>) {
    use base64::Engine as _;
    let bytes = serde_json::to_vec(body).unwrap();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(b"whsec-acme-77").unwrap();
    mac.update(&bytes);
    let signature = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let mut headers = http::HeaderMap::new();
    headers.insert("x-acme-signature", signature.parse().unwrap());
    headers.insert("x-acme-topic", event.parse().unwrap());
    (headers, bytes)
}

pub(crate) async fn deliver(client: &acme_shop::Client, event: &str, body: Value) -> miniapp::webhook::Delivery<acme_shop::Event> {
    let (headers, bytes) = signed(event, &body);
    client.receive_webhook(&miniapp::webhook::Request { headers: &headers, query: "", body: &bytes }).await.unwrap()
}

#[tokio::test]
async fn a_shape_a_handler_maps_the_webhook_body_into_its_record_type() {
    let client = acme_shop::Client::new(connected(), AcmeFunctions);
    let delivery = deliver(
        &client,
        "order.placed",
        json!({"topic": "order.placed", "payload": {"id": 881, "number": "A-881", "status": {"code": "new"}, "totals": {"grand": "42.50"},
               "lines": [{"sku": "X", "title": "X", "qty": 1, "unit_price": "42.50"}]}}),
    )
    .await;
    let handled = delivery.handler.clone().expect("order.placed has a handler");
    assert_eq!(handled.target, miniapp::sync::Target::RecordType("order".into()));
    assert_eq!(handled.operation, miniapp::sync::Operation::Create);
    let Some(acme_shop::sync::SyncRecord::OrderChange(order)) = &handled.record else { panic!("{handled:?}") };
    assert_eq!(order.code.as_deref(), Some("881"));
    assert_eq!(order.total_amount, Some(42.5));
    assert_eq!(order.items.as_ref().map(Vec::len), Some(1));

    // Serialized under `handler`, and read back into the same typed record.
    let json = serde_json::to_value(&delivery).unwrap();
    assert_eq!(json["handler"]["recordType"], json!("order"));
    assert_eq!(json["handler"]["operation"], json!("create"));
    assert_eq!(json["handler"]["record"]["code"], json!("881"));
    assert_eq!(json["handler"]["record"]["totalAmount"], json!(42.5));
    let back: miniapp::webhook::Delivery<acme_shop::Event> = serde_json::from_value(json).unwrap();
    assert_eq!(back.handler, delivery.handler);

    // The update handler writes the same record type with only its fields.
    let update =
        deliver(&client, "order.status_changed", json!({"payload": {"id": 881, "status": {"code": "shipped", "changed_at": "t1"}}})).await;
    let handled = update.handler.unwrap();
    assert_eq!(handled.operation, miniapp::sync::Operation::Update);
    assert_eq!(
        handled.record,
        Some(acme_shop::sync::SyncRecord::OrderChange(acme_shop::sync::OrderChange {
            code: Some("881".into()),
            status: Some("shipped".into()),
            ..Default::default()
        }))
    );
}

#[tokio::test]
async fn the_handler_runs_when_the_event_is_only_in_the_body() {
    // No topic header: the event comes from the body's `topic` (the fallback), so the record is
    // read in a second pass, and must be the same.
    let client = acme_shop::Client::new(connected(), AcmeFunctions);
    let body = json!({"topic": "customer.registered", "payload": {"shopper_id": "c-5", "given_name": "Ana"}});
    let (mut headers, bytes) = signed("customer.registered", &body);
    headers.remove("x-acme-topic");
    let delivery = client.receive_webhook(&miniapp::webhook::Request { headers: &headers, query: "", body: &bytes }).await.unwrap();
    assert_eq!(delivery.event, Some(acme_shop::Event::CustomerRegistered));
    let with_header = deliver(&client, "customer.registered", json!({"payload": {"shopper_id": "c-6", "given_name": "Ana"}})).await;
    let (a, b) = (delivery.handler.unwrap(), with_header.handler.unwrap());
    assert_eq!(a.target, b.target);
    let Some(acme_shop::sync::SyncRecord::ShoppersRecord(record)) = a.record else { panic!("no record") };
    assert_eq!((record.code.as_deref(), record.first_name.as_deref()), (Some("c-5"), Some("Ana")));
}

#[tokio::test]
async fn a_shape_b_handler_maps_the_object_at_data_path_with_the_resources_mapping() {
    let client = acme_shop::Client::new(connected(), AcmeFunctions);
    let delivery = deliver(
        &client,
        "customer.registered",
        json!({"payload": {"shopper_id": 77, "given_name": "Dana", "family_name": "Lee", "email_address": "d@example.com"}}),
    )
    .await;
    let json = serde_json::to_value(&delivery).unwrap();
    assert_eq!(
        json["handler"],
        json!({"resource": "shoppers", "operation": "upsert", "record": {"code": "77", "firstName": "Dana", "lastName": "Lee", "primaryEmail": "d@example.com"}})
    );
    let back: miniapp::webhook::Delivery<acme_shop::Event> = serde_json::from_value(json).unwrap();
    assert!(matches!(back.handler.unwrap().record, Some(acme_shop::sync::SyncRecord::ShoppersRecord(_))));
}

#[tokio::test]
async fn a_body_that_does_not_fit_the_handler_is_acknowledged_with_the_error_and_no_record() {
    let client = acme_shop::Client::new(connected(), AcmeFunctions);
    let delivery = deliver(&client, "customer.registered", json!({"payload": "not an object"})).await;
    assert_eq!(delivery.reply.status, 202);
    let handled = delivery.handler.unwrap();
    assert_eq!(handled.record, None);
    assert_eq!(handled.error.as_deref(), Some("no record object at `$.payload`"));

    let delivery = deliver(&client, "order.placed", json!({"payload": {"id": {"x": 1}}})).await;
    assert!(delivery.handler.unwrap().error.unwrap().contains("`code` at `$.payload.id`"));

    // Events without a handler, and duplicates, carry none.
    let delivery = deliver(&client, "order.refunded", json!({"payload": {"id": 1}})).await;
    assert!(delivery.handler.is_none());
    assert!(serde_json::to_value(&delivery).unwrap().get("handler").is_none());
}
