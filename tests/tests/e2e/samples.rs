//! Types from samples (docs/format.md §17), end to end: acme-shop's outputs and records are typed
//! from `examples/definitions/acme-shop.samples/`, read what a loopback provider answers, ignore
//! fields it adds, and turn a value of another type into `None` with a warning, never a failure.

use std::io::Write;
use std::sync::{Arc, Mutex};

use futures_util::StreamExt as _;
use miniapp::{RetryPolicy, Secret};
use miniapp_loopback::{Reply, serve};
use miniapp_tests::{AcmeFunctions, acme_shop};
use serde_json::{Value, json};
use tracing_subscriber::util::SubscriberInitExt;

fn connected() -> acme_shop::Credentials {
    acme_shop::Credentials {
        access_token: Some(Secret::new("at-1")),
        refresh_token: Some(Secret::new("rt-1")),
        store_id: Some("s9".into()),
        ..Default::default()
    }
}

/// A provider answering each acme-shop action with `answer(path)`.
async fn client_for(answer: impl Fn(&str) -> Value + Send + Sync + 'static) -> (miniapp_loopback::Server, acme_shop::Client) {
    let server = serve(move |r, _| Reply::json(answer(&r.path))).await;
    let client = acme_shop::Client::builder(connected(), AcmeFunctions).base_url(server.url.clone()).retry(RetryPolicy::none()).build();
    (server, client)
}

/// A bundled sample.
fn sample(file: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/definitions/acme-shop.samples").join(file);
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[derive(Clone, Default)]
struct Logs(Arc<Mutex<Vec<u8>>>);

impl Write for Logs {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Logs {
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

fn capture() -> (Logs, impl Drop) {
    let logs = Logs::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing_subscriber::filter::LevelFilter::WARN)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    (logs, subscriber.set_default())
}

#[tokio::test]
async fn typed_outputs_read_the_samples_shapes_and_ignore_added_fields() {
    let (_server, client) = client_for(|path| {
        if path.ends_with("/status") {
            let mut answer = sample("actions/updateOrderStatus/1.json");
            answer["order"]["carrier"] = json!({"name": "a field the samples do not have"});
            answer
        } else if path.ends_with("/coupons") {
            sample("actions/createCoupon/1.json")
        } else if path.ends_with("/notes") {
            json!({"note": {"id": 91, "order_id": "o-17"}})
        } else {
            sample("actions/addOrderNote/1.json")
        }
    })
    .await;
    let input = acme_shop::UpdateOrderStatusInput::new("o-17", "shipped");
    let out = client.update_order_status(&input).await.unwrap();
    let (status, updated_at): (Option<String>, Option<String>) = (out.status, out.updated_at);
    assert_eq!((status.as_deref(), updated_at.as_deref()), (Some("shipped"), Some("2026-11-28T10:15:00Z")));
    let coupon = client.create_coupon(&acme_shop::CreateCouponInput::new("SPRING10", 10.0)).await.unwrap();
    assert_eq!(coupon.coupon_id.as_deref(), Some("cp-5521"));
    let note = client.add_order_note(&acme_shop::AddOrderNoteInput::new("A-1017", "hi")).await.unwrap();
    let note_id: Option<i64> = note.note_id;
    assert_eq!((note_id, note.order_id.as_deref()), (Some(91), Some("o-17")));
}

#[tokio::test]
async fn a_value_of_another_type_is_none_with_a_warning_and_the_call_succeeds() {
    let (logs, _guard) = capture();
    let (_server, client) = client_for(|_| json!({"order": {"status": {"code": 7}, "updated_at": "2026-12-01"}})).await;
    let out = client.update_order_status(&acme_shop::UpdateOrderStatusInput::new("o-17", "shipped")).await.unwrap();
    assert_eq!(out.status, None, "a number where the samples show a string");
    assert_eq!(out.updated_at.as_deref(), Some("2026-12-01"), "the other field reads");
    let logs = logs.text();
    assert!(logs.contains("WARN") && logs.contains("miniapp::lenient") && logs.contains("an integer"), "{logs}");
}

/// One orders page of `records`, imported.
async fn import(records: Value) -> Vec<Result<acme_shop::sync::OrdersRecord, miniapp::Error>> {
    let (_server, client) =
        client_for(move |_| json!({"results": records.clone(), "meta": {"count": records.as_array().map_or(0, Vec::len)}})).await;
    client.sync_orders().collect().await
}

#[tokio::test]
async fn records_and_their_items_are_typed_and_a_line_that_does_not_fit_empties_the_items() {
    let (logs, _guard) = capture();
    let mut page = sample("sync/orders/list.json")["results"].clone();
    page[1]["lines"] = json!([{"sku": "X", "title": "X", "qty": "two", "unit_price": "1.00"}]);
    page[1]["number"] = json!({"unexpected": true});
    page[0]["added_by_the_provider"] = json!([1, 2, 3]);
    let records = import(page).await;
    assert_eq!(records.len(), 2, "no record is lost: {records:?}");
    let first = records[0].as_ref().unwrap();
    let lines = first.items.as_ref().unwrap();
    assert_eq!(lines.len(), 2);
    let line: &acme_shop::sync::OrdersRecordItem = &lines[1];
    assert_eq!((line.sku.as_str(), line.qty, line.unit_price.as_str(), line.gift_wrap), ("MUG", 1, "12.50", Some(true)));
    assert_eq!(lines[0].gift_wrap, None, "a field one sample lacks is optional");
    assert_eq!(first.order_number.as_deref(), Some("A-1017"));

    let second = records[1].as_ref().unwrap();
    assert_eq!(second.items, None, "a line whose `qty` is not an integer: the items are absent, never shorter");
    assert_eq!(second.order_number, None, "an object where the samples show a string");
    assert_eq!((second.code.as_deref(), second.status.as_deref()), (Some("1018"), Some("refunded")), "the rest of the record reads");
    let logs = logs.text();
    assert!(logs.contains("field=\"items\"") && logs.contains("field=\"orderNumber\""), "{logs}");
}

#[tokio::test]
async fn a_delivery_is_typed_by_its_events_samples() {
    let client = acme_shop::Client::new(super::sync::connected(), AcmeFunctions);
    let delivery = super::sync::deliver(&client, "order.placed", sample("webhooks/order.placed.json")).await;
    let Some(acme_shop::sync::SyncRecord::OrderChange(order)) = delivery.handler.and_then(|h| h.record) else { panic!("an order") };
    let items: Vec<acme_shop::sync::OrdersRecordItem> = order.items.unwrap(); // the same shape as the list's lines: one struct
    assert_eq!(items.iter().map(|i| i.qty).sum::<i64>(), 3);
    assert_eq!(order.status.as_deref(), Some("paid"));
}
