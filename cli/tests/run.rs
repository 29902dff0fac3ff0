//! `miniapp replay` and `miniapp invoke` give exactly what the compiled connector gives: the same
//! `Delivery` (or `Rejection`) for the same delivery, the same output for the same action against
//! the same provider, on the bundled examples (compiled by the test suite's build script).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may panic: that is how it fails

use std::path::{Path, PathBuf};
use std::process::Output;

use miniapp::Secret;
use miniapp::testing::{Fault, SignedDelivery};
use miniapp_tests::{AcmeFunctions, acme_shop, bookwise, chatly, forgehub, pipeline_crm};
use serde_json::{Value, json};

fn repo(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(rel)
}

fn definition(name: &str) -> String {
    repo(&format!("examples/definitions/{name}.json")).to_string_lossy().into_owned()
}

/// Runs the binary off the async runtime (the mock provider keeps serving meanwhile).
async fn miniapp(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || std::process::Command::new(env!("CARGO_BIN_EXE_miniapp")).args(&args).output().unwrap())
        .await
        .unwrap()
}

fn temp(name: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("miniapp-run-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

/// The delivery as a captured-delivery file: its headers, query and exact body text.
fn captured(name: &str, signed: &SignedDelivery) -> String {
    let headers: Vec<(String, String)> = signed.headers.iter().map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_string())).collect();
    let file = json!({"headers": headers, "query": signed.query, "bodyText": String::from_utf8(signed.body.clone()).unwrap()});
    temp(name, &file.to_string())
}

fn stdout_json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr)))
}

async fn replay(name: &str, definition: &str, signed: &SignedDelivery, secret: &str) -> (Option<i32>, Value) {
    let file = captured(name, signed);
    let o = miniapp(vec!["replay".into(), definition.into(), "--delivery".into(), file, "--secret".into(), secret.into()]).await;
    (o.status.code(), stdout_json(&o))
}

#[tokio::test(flavor = "multi_thread")]
async fn replay_prints_what_the_compiled_connector_receives() {
    // acme-shop: its samples, a handler record typed from them, a customer, an override id.
    let client = acme_shop::Client::new(
        acme_shop::Credentials { hook_signing_key: Some(Secret::new("whsec-1")), ..Default::default() },
        AcmeFunctions,
    );
    for (event, sample) in [
        (acme_shop::Event::OrderPlaced, "order.placed"),
        (acme_shop::Event::OrderStatusChanged, "order.status_changed"),
        (acme_shop::Event::CustomerRegistered, "customer.registered"),
        (acme_shop::Event::CartAbandoned, "cart.abandoned"),
    ] {
        let body: Value = serde_json::from_slice(
            &std::fs::read(repo(&format!("examples/definitions/acme-shop.samples/webhooks/{sample}.json"))).unwrap(),
        )
        .unwrap();
        let signed = acme_shop::testing::sign_delivery("whsec-1", &event, body);
        let compiled = serde_json::to_value(client.receive_webhook(&signed.request()).await.unwrap()).unwrap();
        let (code, printed) = replay(sample, &definition("acme-shop"), &signed, "hookSigningKey=whsec-1").await;
        assert_eq!((code, &printed), (Some(0), &compiled), "{sample}");
        assert!(printed["handler"]["record"]["code"].is_string(), "{sample}: {printed}");
    }
    // A wrong secret: the same rejection, exit 1.
    let forged = acme_shop::testing::sign_delivery("not-the-key", &acme_shop::Event::OrderPlaced, json!({"payload": {"id": "o-1"}}));
    let compiled = serde_json::to_value(client.receive_webhook(&forged.request()).await.unwrap_err()).unwrap();
    let (code, printed) = replay("forged", &definition("acme-shop"), &forged, "hookSigningKey=whsec-1").await;
    assert_eq!((code, printed), (Some(1), compiled));

    // The other examples: SHA-1, a body event, a composite event with a header id, a header token.
    let bookwise = bookwise::Client::new(bookwise::Credentials { signing_secret: Some(Secret::new("bw")), ..Default::default() });
    let signed = bookwise::testing::sign_delivery("bw", &bookwise::Event::BookingCreated, json!({"id": "bk-1", "booking": {"id": "b-1"}}));
    let compiled = serde_json::to_value(bookwise.receive_webhook(&signed.request()).await.unwrap()).unwrap();
    assert_eq!(replay("bookwise", &definition("bookwise"), &signed, "signingSecret=bw").await, (Some(0), compiled));

    let chatly = chatly::Client::new(chatly::Credentials { event_secret: Some(Secret::new("ch")), ..Default::default() }, NoTickets);
    let signed = chatly::testing::sign_delivery("ch", &chatly::Event::MessagePosted, json!({"event_id": "e-1", "event": {"user": "u-1"}}));
    let compiled = serde_json::to_value(chatly.receive_webhook(&signed.request()).await.unwrap()).unwrap();
    assert_eq!(replay("chatly", &definition("chatly"), &signed, "eventSecret=ch").await, (Some(0), compiled));

    let forge = forgehub::Client::new(forgehub::Credentials { webhook_secret: Some(Secret::new("fh")), ..Default::default() });
    let signed = forgehub::testing::sign_delivery_prefixed("fh", &forgehub::Event::IssuesOpened, json!({"issue": {"number": 3}}));
    let compiled = serde_json::to_value(forge.receive_webhook(&signed.request()).await.unwrap()).unwrap();
    assert_eq!(replay("forgehub", &definition("forgehub"), &signed, "webhookSecret=fh").await, (Some(0), compiled));

    let pipeline = pipeline_crm::Client::new(pipeline_crm::Credentials { hook_token: Some(Secret::new("tok")), ..Default::default() });
    let signed = pipeline_crm::testing::sign_delivery("tok", &pipeline_crm::Event::DealWon, json!({"id": "ev-1", "data": {"id": "d-1"}}));
    let compiled = serde_json::to_value(pipeline.receive_webhook(&signed.request()).await.unwrap()).unwrap();
    assert_eq!(replay("pipeline", &definition("pipeline-crm"), &signed, "hookToken=tok").await, (Some(0), compiled));
}

#[derive(Clone, Copy)]
struct NoTickets;

impl chatly::Functions for NoTickets {
    fn first_open(&self, _: chatly::FirstOpenArgs) -> Result<serde_json::Map<String, Value>, String> {
        Ok(serde_json::Map::new())
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn replay_takes_a_raw_body_with_headers() {
    let body = br#"{"topic":"order.placed","payload":{"id":"o-9"}}"#.to_vec();
    let signed = acme_shop::testing::sign_raw("k", &acme_shop::Event::OrderPlaced, body.clone());
    let file = temp("raw.json", std::str::from_utf8(&body).unwrap());
    let signature = format!("X-Acme-Signature: {}", signed.headers["x-acme-signature"].to_str().unwrap());
    let args = [
        "replay",
        &definition("acme-shop"),
        "--body",
        &file,
        "-H",
        &signature,
        "-H",
        "X-Acme-Topic: order.placed",
        "--secret",
        "hookSigningKey=k",
    ];
    let o = miniapp(args.iter().map(|a| a.to_string()).collect()).await;
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(stdout_json(&o)["transactionId"], "o-9");
    // Usage errors exit 2.
    let o = miniapp(vec!["replay".into(), definition("acme-shop")]).await;
    assert_eq!(o.status.code(), Some(2));
    let o = miniapp(vec!["replay".into(), definition("acme-shop"), "--body".into(), file.clone(), "--secret".into(), "noSuchKey=1".into()])
        .await;
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("`noSuchKey` is not a credential"));
}

#[tokio::test(flavor = "multi_thread")]
async fn invoke_prints_the_compiled_output_against_the_same_provider() {
    let mock = acme_shop::testing::MockProvider::start().await;
    let credentials = temp("acme-credentials.json", &json!({"accessToken": "at-secret-9", "storeId": "st-9"}).to_string());
    let compiled = acme_shop::Client::builder(
        acme_shop::Credentials { access_token: Some(Secret::new("at-secret-9")), store_id: Some("st-9".into()), ..Default::default() },
        AcmeFunctions,
    )
    .base_url(mock.url())
    .build();
    let invoke = |action: &str, input: Value| {
        let args = vec![
            "invoke".to_string(),
            definition("acme-shop"),
            action.to_string(),
            "--input".into(),
            input.to_string(),
            "--credentials".into(),
            credentials.clone(),
            "--base-url".into(),
            mock.url().to_string(),
        ];
        miniapp(args)
    };
    // Every action, from the samples: the same output as the compiled client's, from the same
    // requests.
    let sent = |from: usize, to: usize| -> Vec<_> {
        mock.requests()[from..to].iter().map(|r| (r.route, r.method.clone(), r.path.clone(), r.query.clone(), r.body.clone())).collect()
    };
    let before = mock.requests().len();
    let o = invoke("updateOrderStatus", json!({"orderId": "o-17", "statusId": "shipped"})).await;
    let middle = mock.requests().len();
    let out = compiled.update_order_status(&acme_shop::UpdateOrderStatusInput::new("o-17", "shipped")).await.unwrap();
    assert_eq!((o.status.code(), stdout_json(&o)), (Some(0), serde_json::to_value(out).unwrap()));
    let (cli, lib) = (sent(before, middle), sent(middle, mock.requests().len()));
    assert_eq!((cli.len(), &cli), (1, &lib));

    let before = mock.requests().len();
    let o = invoke("createCoupon", json!({"code": "C", "amount": 5.0})).await;
    let middle = mock.requests().len();
    let out = compiled.create_coupon(&acme_shop::CreateCouponInput::new("C", 5.0)).await.unwrap();
    assert_eq!(stdout_json(&o), serde_json::to_value(out).unwrap());
    let (cli, lib) = (sent(before, middle), sent(middle, mock.requests().len()));
    assert_eq!((cli.len(), &cli), (1, &lib));

    let before = mock.requests().len();
    let o = invoke("addOrderNote", json!({"orderNumber": "A-1017", "text": "t"})).await;
    let middle = mock.requests().len();
    let out = compiled.add_order_note(&acme_shop::AddOrderNoteInput::new("A-1017", "t")).await.unwrap();
    assert_eq!(stdout_json(&o), serde_json::to_value(out).unwrap());
    let (cli, lib) = (sent(before, middle), sent(middle, mock.requests().len()));
    assert_eq!((cli.len(), &cli), (2, &lib), "two steps each, the same");

    // A value of another type: dropped as the compiled output drops it.
    mock.on_action("updateOrderStatus").reply(json!({"order": {"status": {"code": 7}, "updated_at": "at-secret-9"}}));
    let o = invoke("updateOrderStatus", json!({"orderId": "o-17", "statusId": "shipped"})).await;
    assert_eq!(stdout_json(&o), json!({"updatedAt": "***"}), "typed as the connector types it, the token masked");

    // An error: exit 1 and the typed error; a wrong action or input: exit 2.
    mock.on_action("createCoupon").fail(Fault::Status(400)).fail(Fault::Status(400));
    let o = invoke("createCoupon", json!({"code": "C", "amount": 5})).await;
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stdout_json(&o)["status"], 400);
    assert_eq!(invoke("noSuchAction", json!({})).await.status.code(), Some(2));
    let o = invoke("createCoupon", json!({"code": "C"})).await;
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("`amount`"));
}
