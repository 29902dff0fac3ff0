//! Imports against loopback providers that page exactly as real API frameworks do
//! (docs/format.md §11.3): Django REST framework's `PageNumberPagination` (clamped page size,
//! `count`/`next`, 404 `Invalid page.` past the end, a renamed `page_query_param`),
//! fastapi-pagination (`items/total/page/size/pages`, 422 above the maximum size), Shopify-like
//! `Link: <…page_info=…>; rel="next"`, GitHub-like `Link` page numbers, offsets and cursors. Each
//! imports every record exactly once, in order, resumes from a checkpoint taken anywhere, and
//! reports drift (records added or deleted meanwhile) instead of losing records silently.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may panic: that is how it fails

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use base64::Engine as _;
use futures_util::StreamExt as _;
use miniapp::sync::{Checkpoint, Drift, Import, Problem};
use miniapp::{Error, Secret};
use miniapp_loopback::{Recorded, Reply, Server, quick_retries, serve};
use miniapp_tests::paging;
use serde_json::{Value, json};

/// How a provider pages.
#[derive(Clone, Copy, Debug)]
enum Kind {
    /// `PageNumberPagination`: `?{param}=N&page_size=S` (at most `max`), `{count, next, previous,
    /// results}`, 404 `{"detail": "Invalid page."}` past the last page.
    Drf { param: &'static str, max: usize },
    /// fastapi-pagination: `?page=N&size=S`, 422 above 100; `{items, total, page, size, pages}`
    /// (`total: null` when `total` is off), an empty `items` past the end.
    FastApi { total: bool },
    /// Shopify: `?limit=L` (at most 250, else 400); `{"orders": […]}`; keyset cursors in
    /// `page_info`, named by `Link: <…>; rel="next"`.
    Shopify,
    /// GitHub: `?per_page=S` (clamped to 100) `&page=N`; a bare array; `Link` with `next` and
    /// `last` page-number URLs.
    GitHub,
    /// `?offset=O&limit=L` (at most `max`); `{data, total}` (no `total` when off).
    Offset { max: usize, total: bool },
    /// `?limit=L` (at most `max`) `&cursor=C`: keyset cursors; `{data, meta: {next_cursor}}`.
    Cursor { max: usize },
}

/// The provider's records, in the order it serves them; tests change it mid-import.
type Data = Arc<Mutex<Vec<u64>>>;

fn dataset(n: u64) -> Data {
    Arc::new(Mutex::new((1..=n).collect()))
}

fn record(id: u64) -> Value {
    json!({"id": id, "title": format!("Record {id}")})
}

fn number(r: &Recorded, name: &str, default: usize) -> Result<usize, ()> {
    match r.param(name) {
        None => Ok(default),
        Some(text) => text.parse().map_err(|_| ()),
    }
}

fn origin(r: &Recorded) -> String {
    format!("http://{}", r.header("host").expect("a host header"))
}

/// The records after `last` (keyset paging: the position of the record with that id, or where
/// it was; records are served in id order for keyset providers).
fn after(data: &[u64], last: Option<u64>) -> &[u64] {
    match last {
        None => data,
        Some(last) => &data[data.partition_point(|&id| id <= last)..],
    }
}

/// A provider of `kind` serving `data`; `change` runs before each request is answered, with the
/// request's number (from 1), to add or delete records mid-import.
async fn provider(kind: Kind, data: Data, change: impl Fn(usize, &mut Vec<u64>) + Send + Sync + 'static) -> Server {
    serve(move |r, earlier| {
        let mut data = data.lock().unwrap();
        change(earlier.len() + 1, &mut data);
        answer(kind, r, &data)
    })
    .await
}

fn answer(kind: Kind, r: &Recorded, data: &[u64]) -> Reply {
    let records = |ids: &[u64]| Value::Array(ids.iter().map(|&id| record(id)).collect());
    match kind {
        Kind::Drf { param: page_param, max } => {
            let (Ok(page), Ok(size)) = (number(r, page_param, 1), number(r, "page_size", 100)) else {
                return Reply::status(404, r#"{"detail": "Invalid page."}"#);
            };
            let size = size.clamp(1, max);
            let pages = data.len().div_ceil(size).max(1);
            if page == 0 || page > pages {
                return Reply::status(404, r#"{"detail": "Invalid page."}"#).header("content-type", "application/json");
            }
            let link = |page: usize| format!("{}{}?{page_param}={page}&page_size={size}", origin(r), r.path);
            let start = (page - 1) * size;
            Reply::json(json!({
                "count": data.len(),
                "next": (page < pages).then(|| link(page + 1)),
                "previous": (page > 1).then(|| link(page - 1)),
                "results": records(&data[start..(start + size).min(data.len())]),
            }))
        }
        Kind::FastApi { total } => {
            let (Ok(page), Ok(size)) = (number(r, "page", 1), number(r, "size", 50)) else {
                return Reply::status(422, r#"{"detail": [{"msg": "Input should be a valid integer"}]}"#);
            };
            if page == 0 || size == 0 || size > 100 {
                return Reply::status(422, r#"{"detail": [{"msg": "Input should be less than or equal to 100"}]}"#);
            }
            let start = ((page - 1) * size).min(data.len());
            Reply::json(json!({
                "items": records(&data[start..(start + size).min(data.len())]),
                "total": total.then_some(data.len()),
                "page": page,
                "size": size,
                "pages": total.then(|| data.len().div_ceil(size)),
            }))
        }
        Kind::Shopify => {
            let Ok(limit) = number(r, "limit", 50) else { return Reply::status(400, "") };
            if limit == 0 || limit > 250 {
                return Reply::status(400, r#"{"errors": {"limit": "Limit must be between 1 and 250"}}"#);
            }
            let last = r.param("page_info").map(|info| {
                let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(info).unwrap();
                let cursor: Value = serde_json::from_slice(&bytes).unwrap();
                cursor["last_id"].as_u64().unwrap()
            });
            let page = &after(data, last)[..after(data, last).len().min(limit)];
            let mut reply = Reply::json(json!({"orders": records(page)}));
            if let Some(&last) = page.last()
                && !after(data, Some(last)).is_empty()
            {
                let info =
                    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json!({"last_id": last, "direction": "next"}).to_string());
                let next = format!("{}{}?limit={limit}&page_info={info}", origin(r), r.path);
                let link = match r.param("page_info") {
                    Some(prev) => {
                        format!("<{}{}?limit={limit}&page_info={prev}>; rel=\"previous\", <{next}>; rel=\"next\"", origin(r), r.path)
                    }
                    None => format!("<{next}>; rel=\"next\""),
                };
                reply = reply.header("link", link);
            }
            reply
        }
        Kind::GitHub => {
            let (Ok(page), Ok(per_page)) = (number(r, "page", 1), number(r, "per_page", 30)) else { return Reply::status(422, "") };
            let (page, per_page) = (page.max(1), per_page.clamp(1, 100));
            let last = data.len().div_ceil(per_page).max(1);
            let start = ((page - 1) * per_page).min(data.len());
            let mut reply = Reply::json(records(&data[start..(start + per_page).min(data.len())]));
            if page < last {
                let url = |page: usize| format!("{}{}?per_page={per_page}&page={page}", origin(r), r.path);
                reply = reply.header("link", format!("<{}>; rel=\"next\", <{}>; rel=\"last\"", url(page + 1), url(last)));
            }
            reply
        }
        Kind::Offset { max, total } => {
            let (Ok(offset), Ok(limit)) = (number(r, "offset", 0), number(r, "limit", 20)) else { return Reply::status(400, "") };
            let start = offset.min(data.len());
            let mut body = json!({"data": records(&data[start..(start + limit.clamp(1, max)).min(data.len())])});
            if total {
                body["total"] = json!(data.len());
            }
            Reply::json(body)
        }
        Kind::Cursor { max } => {
            let Ok(limit) = number(r, "limit", 20) else { return Reply::status(400, "") };
            let last = r.param("cursor").map(|c| c.trim_start_matches("cur_").parse::<u64>().unwrap());
            let rest = after(data, last);
            let page = &rest[..rest.len().min(limit.clamp(1, max))];
            let next = page.last().filter(|&&id| !after(data, Some(id)).is_empty()).map(|id| format!("cur_{id}"));
            Reply::json(json!({"data": records(page), "meta": {"next_cursor": next}}))
        }
    }
}

fn client(server: &Server) -> paging::Client {
    paging::Client::builder(paging::Credentials { api_token: Some(Secret::new("tok-1")) })
        .install("tenant-1")
        .base_url(server.url.clone())
        .retry(quick_retries())
        .build()
}

/// Which resource reads a provider of each kind.
#[derive(Clone, Copy, Debug)]
enum Resource {
    Drf,
    DrfRenamed,
    DrfNext,
    FastApi,
    Shopify,
    GitHub,
    Offsets,
    Cursors,
}

/// What an import yielded: record ids, drift, and the first fatal error.
#[derive(Debug, Default)]
struct Outcome {
    ids: Vec<u64>,
    drift: Vec<Drift>,
    fatal: Option<Error>,
    checkpoint: Option<Checkpoint>,
}

trait Coded {
    fn code(&self) -> u64;
}

macro_rules! coded {
    ($($t:ident),*) => {$(
        impl Coded for paging::sync::$t {
            fn code(&self) -> u64 {
                self.code.as_deref().expect("a code").parse().expect("a numeric code")
            }
        }
    )*};
}
coded!(
    DrfRecord,
    DrfRenamedRecord,
    DrfNextRecord,
    FastapiRecord,
    ShopifyOrdersRecord,
    LinksRecord,
    OffsetsRecord,
    CursorsRecord,
    ZeroBasedRecord
);

async fn run<R: Coded + Send>(mut import: Import<'_, R>, stop_after: Option<usize>) -> Outcome {
    let mut out = Outcome::default();
    while let Some(item) = import.next().await {
        match item {
            Ok(record) => out.ids.push(record.code()),
            Err(Error::Sync { problem: Problem::Drift(drift), .. }) => out.drift.push(drift),
            Err(e) => {
                out.fatal = Some(e);
                break;
            }
        }
        if stop_after.is_some_and(|n| out.ids.len() == n) {
            break;
        }
    }
    out.checkpoint = Some(import.checkpoint().clone());
    out
}

/// Runs the import of `resource` (from `from`, or from the start), stopping after `stop_after`
/// records if given.
async fn outcome(client: &paging::Client, resource: Resource, from: Option<Checkpoint>, stop_after: Option<usize>) -> Outcome {
    macro_rules! go {
        ($start:ident, $from:ident) => {
            match from {
                None => run(client.$start(), stop_after).await,
                Some(c) => run(client.$from(c), stop_after).await,
            }
        };
    }
    match resource {
        Resource::Drf => go!(sync_drf, sync_drf_from),
        Resource::DrfRenamed => go!(sync_drf_renamed, sync_drf_renamed_from),
        Resource::DrfNext => go!(sync_drf_next, sync_drf_next_from),
        Resource::FastApi => go!(sync_fastapi, sync_fastapi_from),
        Resource::Shopify => go!(sync_shopify_orders, sync_shopify_orders_from),
        Resource::GitHub => go!(sync_links, sync_links_from),
        Resource::Offsets => go!(sync_offsets, sync_offsets_from),
        Resource::Cursors => go!(sync_cursors, sync_cursors_from),
    }
}

/// Every provider the way the issue found them: with a clamp (asked 250, served 100) where the
/// framework clamps, and without a total where it can go without.
const PROVIDERS: &[(&str, Kind, Resource)] = &[
    ("DRF, clamped, count", Kind::Drf { param: "page", max: 100 }, Resource::Drf),
    ("DRF, page_query_param = p, clamped, no total read", Kind::Drf { param: "p", max: 100 }, Resource::DrfRenamed),
    ("DRF followed by its next URL, clamped", Kind::Drf { param: "page", max: 100 }, Resource::DrfNext),
    ("fastapi-pagination with total", Kind::FastApi { total: true }, Resource::FastApi),
    ("fastapi-pagination without total", Kind::FastApi { total: false }, Resource::FastApi),
    ("Shopify Link page_info", Kind::Shopify, Resource::Shopify),
    ("GitHub Link page numbers, clamped", Kind::GitHub, Resource::GitHub),
    ("offsets, clamped, total", Kind::Offset { max: 100, total: true }, Resource::Offsets),
    ("offsets, clamped, no total", Kind::Offset { max: 100, total: false }, Resource::Offsets),
    ("cursors, clamped", Kind::Cursor { max: 100 }, Resource::Cursors),
];

fn one_to(n: u64) -> Vec<u64> {
    (1..=n).collect()
}

#[tokio::test]
async fn every_provider_imports_every_record_exactly_once_in_order() {
    for &(name, kind, resource) in PROVIDERS {
        for n in [2503, 2500, 0] {
            let server = provider(kind, dataset(n), |_, _| {}).await;
            let out = outcome(&client(&server), resource, None, None).await;
            assert!(out.fatal.is_none(), "{name}, {n}: {:?}", out.fatal);
            assert_eq!(out.ids, one_to(n), "{name}, {n}: every record once, in order");
            assert!(out.drift.is_empty(), "{name}, {n}: {:?}", out.drift);
            let checkpoint = out.checkpoint.unwrap();
            assert!(checkpoint.done && checkpoint.yielded == n, "{name}, {n}: {checkpoint:?}");
            // Nothing is asked twice, and at most one request confirms the end.
            let requests = server.requests();
            let pages = (n as usize).div_ceil(100).max(1);
            assert!(requests.len() <= pages + 1, "{name}, {n}: {} requests for {pages} pages", requests.len());
            let asked: BTreeSet<String> = requests.iter().map(|r| r.query.clone().unwrap_or_default()).collect();
            assert_eq!(asked.len(), requests.len(), "{name}, {n}: a page asked twice");
            assert!(requests.iter().all(|r| r.header("authorization") == Some("Bearer tok-1")), "{name}");
        }
    }
}

#[tokio::test]
async fn every_provider_resumes_from_a_checkpoint_taken_anywhere_with_no_gap_and_no_repeat() {
    for &(name, kind, resource) in PROVIDERS {
        for n in [2503u64, 2500] {
            // Mid-page, at a page boundary, and after the last record.
            for stop in [1234usize, 1300, n as usize] {
                let server = provider(kind, dataset(n), |_, _| {}).await;
                let client = client(&server);
                let first = outcome(&client, resource, None, Some(stop)).await;
                assert!(first.fatal.is_none(), "{name}: {:?}", first.fatal);
                // The checkpoint goes through storage as JSON.
                let stored = serde_json::to_string(&first.checkpoint.unwrap()).unwrap();
                let checkpoint: Checkpoint = serde_json::from_str(&stored).unwrap();
                let rest = outcome(&client, resource, Some(checkpoint), None).await;
                assert!(rest.fatal.is_none(), "{name}, {n}, stop {stop}: {:?} from {stored}", rest.fatal);
                let all: Vec<u64> = first.ids.iter().chain(&rest.ids).copied().collect();
                assert_eq!(all, one_to(n), "{name}, {n}, stop {stop}: resumed from {stored}");
                assert!(rest.checkpoint.unwrap().done);
            }
        }
    }
}

#[tokio::test]
async fn an_exact_multiple_without_a_total_ends_on_the_404_past_the_last_page_and_resumes_there() {
    let server = provider(Kind::Drf { param: "p", max: 100 }, dataset(2500), |_, _| {}).await;
    let client = client(&server);
    let out = outcome(&client, Resource::DrfRenamed, None, None).await;
    assert!(out.fatal.is_none(), "{:?}", out.fatal);
    assert_eq!(out.ids, one_to(2500));
    let requests = server.requests();
    assert_eq!(requests.len(), 26, "25 pages and the 404 that confirms the end");
    assert_eq!(requests[25].param("p").as_deref(), Some("26"));
    assert_eq!(requests[0].param("page_size").as_deref(), Some("250"), "asked 250, served 100");
    // Interrupted right after the last record: resuming hits the same 404, and finishes.
    let at_end = outcome(&client, Resource::DrfRenamed, None, Some(2500)).await.checkpoint.unwrap();
    assert_eq!((at_end.page, at_end.offset, at_end.done), (26, 0, false), "{at_end:?}");
    let rest = outcome(&client, Resource::DrfRenamed, Some(at_end), None).await;
    assert!(rest.fatal.is_none() && rest.ids.is_empty(), "{rest:?}");
    assert!(rest.checkpoint.unwrap().done);
    // A 404 for the first page is an error, not an empty import.
    let missing = serve(|_, _| Reply::status(404, r#"{"detail": "Not found."}"#)).await;
    let out = outcome(&self::client(&missing), Resource::DrfRenamed, None, None).await;
    assert_eq!(out.fatal.and_then(|e| e.status()), Some(404));
}

#[tokio::test]
async fn fastapi_is_never_asked_for_more_than_its_maximum() {
    let server = provider(Kind::FastApi { total: true }, dataset(250), |_, _| {}).await;
    let client = client(&server);
    let mut import = client.sync_fastapi().page_size(500);
    let mut n = 0;
    while let Some(item) = import.next().await {
        item.unwrap();
        n += 1;
    }
    assert_eq!(n, 250);
    assert!(server.requests().iter().all(|r| r.param("size").as_deref() == Some("100")), "maxLimit caps the size asked");
}

/// Deletes `ids` before request `at` is answered.
fn delete_before(at: usize, ids: std::ops::RangeInclusive<u64>) -> impl Fn(usize, &mut Vec<u64>) + Send + Sync + 'static {
    move |n, data| {
        if n == at {
            data.retain(|id| !ids.contains(id));
        }
    }
}

#[tokio::test]
async fn records_deleted_during_a_positional_import_are_reported_as_drift_never_lost_silently() {
    for (name, kind, resource) in [
        ("DRF", Kind::Drf { param: "page", max: 100 }, Resource::Drf),
        ("fastapi", Kind::FastApi { total: true }, Resource::FastApi),
        ("offsets", Kind::Offset { max: 100, total: true }, Resource::Offsets),
    ] {
        let data = dataset(2503);
        // Ten records of the first page are deleted once it has been read.
        let server = provider(kind, data.clone(), delete_before(2, 1..=10)).await;
        let out = outcome(&client(&server), resource, None, None).await;
        assert!(out.fatal.is_none(), "{name}: {:?}", out.fatal);
        assert!(out.drift.contains(&Drift::TotalChanged { from: 2503, to: 2493 }), "{name}: {:?}", out.drift);
        // The later pages shifted: ten records that still exist were skipped, and the drift says so.
        let delivered: BTreeSet<u64> = out.ids.iter().copied().collect();
        let missed: Vec<u64> = data.lock().unwrap().iter().copied().filter(|id| !delivered.contains(id)).collect();
        assert_eq!(missed.len(), 10, "{name}: {missed:?}");
        assert_eq!(out.ids.len(), delivered.len(), "{name}: nothing twice");
    }
}

#[tokio::test]
async fn records_added_newest_first_during_an_import_are_reported_where_they_repeat_a_page() {
    // Newest first: new records go to the front, the pages shift back, and the second page
    // starts with the last ten records of the first.
    let data: Data = Arc::new(Mutex::new((1..=2503).rev().collect()));
    let insert = |n: usize, data: &mut Vec<u64>| {
        if n == 2 {
            for id in 10_001..=10_010 {
                data.insert(0, id);
            }
        }
    };
    let server = provider(Kind::Drf { param: "page", max: 100 }, data, insert).await;
    let out = outcome(&client(&server), Resource::Drf, None, None).await;
    assert!(out.fatal.is_none(), "{:?}", out.fatal);
    assert_eq!(
        out.drift[..2],
        [Drift::TotalChanged { from: 2503, to: 2513 }, Drift::Repeated { count: 10, earlier: 1 }],
        "{:?}",
        out.drift
    );
    let delivered: BTreeSet<u64> = out.ids.iter().copied().collect();
    assert_eq!(out.ids.len() - delivered.len(), 10, "ten delivered twice, and said so");
    assert!((10_001..=10_010).all(|id| !delivered.contains(&id)), "the new ones came before the import's position: a re-run takes them");
}

#[tokio::test]
async fn keyset_cursors_and_links_do_not_drift() {
    for (name, kind, resource) in [("cursors", Kind::Cursor { max: 100 }, Resource::Cursors), ("Shopify", Kind::Shopify, Resource::Shopify)]
    {
        let data = dataset(2503);
        // Deletions behind the import and additions at the end, mid-import.
        let change = |n: usize, data: &mut Vec<u64>| {
            if n == 3 {
                data.retain(|id| !(1..=10).contains(id));
                data.extend(3001..=3010);
            }
        };
        let server = provider(kind, data.clone(), change).await;
        let out = outcome(&client(&server), resource, None, None).await;
        assert!(out.fatal.is_none() && out.drift.is_empty(), "{name}: {out:?}");
        let expected: Vec<u64> = one_to(2503).into_iter().chain(3001..=3010).collect();
        assert_eq!(out.ids, expected, "{name}: every record once, the new ones too");
    }
}

#[tokio::test]
async fn a_next_url_on_another_origin_is_never_requested() {
    let elsewhere = serve(|_, _| Reply::json(json!({"results": [], "next": null}))).await;
    let foreign = elsewhere.origin();
    // A DRF `next` and a `Link` header that point elsewhere.
    let drf_next = foreign.clone();
    let drf = serve(move |_, _| Reply::json(json!({"results": [record(1)], "next": format!("{drf_next}/api/orders/?page=2")}))).await;
    let out = outcome(&client(&drf), Resource::DrfNext, None, None).await;
    assert_eq!(out.ids, [1]);
    let Some(Error::ForeignUrl { origin, .. }) = &out.fatal else { panic!("{:?}", out.fatal) };
    assert_eq!(origin, &foreign);
    let link = serve(move |_, _| Reply::json(json!([record(1)])).header("link", format!("<{foreign}/next?page=2>; rel=\"next\""))).await;
    let out = outcome(&client(&link), Resource::GitHub, None, None).await;
    assert!(matches!(out.fatal, Some(Error::ForeignUrl { .. })), "{:?}", out.fatal);
    // A downgrade to another scheme on the same host is another origin too.
    let host = link.url.host_str().unwrap().to_string();
    let https =
        serve(move |_, _| Reply::json(json!([record(1)])).header("link", format!("<https://{host}/next?page=2>; rel=\"next\""))).await;
    assert!(matches!(outcome(&client(&https), Resource::GitHub, None, None).await.fatal, Some(Error::ForeignUrl { .. })));
    assert!(elsewhere.requests().is_empty(), "the other origin received nothing");
}

#[tokio::test]
async fn a_cursor_that_names_the_page_it_came_from_is_an_error_not_a_loop() {
    let server = serve(|_, _| Reply::json(json!({"data": [], "meta": {"next_cursor": "same"}}))).await;
    let out = outcome(&client(&server), Resource::Cursors, None, None).await;
    assert!(matches!(out.fatal, Some(Error::Sync { problem: Problem::RepeatedPage, .. })), "{out:?}");
    assert_eq!(server.requests().len(), 2);

    // The page that ends the import also repeats a record of the page before: the error is the
    // stream's last item, nothing of that page comes after it.
    let server = serve(|r, _| match r.param("cursor") {
        None => Reply::json(json!({"data": [record(1)], "meta": {"next_cursor": "a"}})),
        Some(_) => Reply::json(json!({"data": [record(1), record(2)], "meta": {"next_cursor": "a"}})),
    })
    .await;
    let client = client(&server);
    let mut import = client.sync_cursors();
    assert_eq!(import.next().await.unwrap().unwrap().code(), 1);
    let end = import.next().await.unwrap();
    assert!(matches!(end, Err(Error::Sync { problem: Problem::RepeatedPage, .. })), "{end:?}");
    assert!(import.next().await.is_none(), "nothing after the error that ended the import");
}

#[tokio::test]
async fn checkpoints_say_what_their_style_needs_and_old_ones_still_load() {
    let server = serve(|_, _| Reply::json(json!({"results": [], "data": [], "meta": {}}))).await;
    let client = client(&server);
    // Stored before cursors and totals existed: it loads, without them.
    let old: Checkpoint =
        serde_json::from_str(r#"{"resource":"drf","page":2,"offset":0,"yielded":100,"pageSize":250,"done":false}"#).unwrap();
    assert_eq!((old.cursor.clone(), old.total), (None, None));
    let with = |resource: &str, page: u64, cursor: Option<&str>| Checkpoint {
        resource: resource.into(),
        page,
        offset: 0,
        yielded: 100,
        page_size: Some(100),
        done: false,
        cursor: cursor.map(str::to_string),
        total: None,
    };
    for (resource, checkpoint, says) in [
        (Resource::Drf, with("drf", 2, Some("abc")), "carries a cursor, but the resource pages by position"),
        (Resource::Cursors, with("cursors", 3, None), "on page 3 but has no cursor"),
        (Resource::Cursors, with("cursors", 1, Some("cur_9")), "a cursor for the first page"),
    ] {
        let out = outcome(&client, resource, Some(checkpoint.clone()), None).await;
        let Some(Error::Sync { problem: Problem::Checkpoint { message }, .. }) = &out.fatal else { panic!("{checkpoint:?}: {out:?}") };
        assert!(message.contains(says), "{message}");
    }
    assert!(server.requests().is_empty(), "nothing fetched for them");
    // The old checkpoint resumes.
    assert!(outcome(&client, Resource::Drf, Some(old), None).await.fatal.is_none());
}

#[tokio::test]
async fn pages_counted_from_zero_start_at_the_first_page_and_resume_on_it() {
    let server = serve(|r, _| {
        let page: usize = r.param("page").unwrap().parse().unwrap();
        let size: usize = r.param("per_page").unwrap().parse().unwrap();
        let ids: Vec<u64> = (1..=250u64).skip(page * size).take(size).collect();
        Reply::json(json!({"data": ids.iter().map(|&id| record(id)).collect::<Vec<_>>()}))
    })
    .await;
    let client = client(&server);
    let mut import = client.sync_zero_based();
    let mut ids = Vec::new();
    while let Some(item) = import.next().await {
        ids.push(item.unwrap().code());
        if ids.len() == 150 {
            // Resumed from page 2 of the import, which is the provider's page 1.
            let checkpoint = import.checkpoint().clone();
            assert_eq!((checkpoint.page, checkpoint.offset), (2, 50));
            import = client.sync_zero_based_from(checkpoint);
        }
    }
    assert_eq!(ids, one_to(250));
    let pages: Vec<String> = server.requests().iter().map(|r| r.param("page").unwrap()).collect();
    assert_eq!(pages, ["0", "1", "1", "2", "3"], "from 0; page 1 again for the resumed import; 3 is empty");
}

#[tokio::test]
async fn a_next_page_that_fails_once_is_asked_again_at_the_same_url() {
    // The Shopify provider answers the third request with a 503 once: the retry goes to the same
    // `page_info` URL, and the import completes.
    let data = dataset(1000);
    let server = serve(move |r, earlier| {
        if earlier.len() == 2 {
            return Reply::status(503, "").header("retry-after", "0");
        }
        answer(Kind::Shopify, r, &data.lock().unwrap())
    })
    .await;
    let out = outcome(&client(&server), Resource::Shopify, None, None).await;
    assert!(out.fatal.is_none(), "{:?}", out.fatal);
    assert_eq!(out.ids, one_to(1000));
    let requests = server.requests();
    assert_eq!(requests[2].query, requests[3].query, "the same next URL");
    assert!(requests[2].param("page_info").is_some());
}
