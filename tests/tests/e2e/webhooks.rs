//! Inbound webhooks through generated clients (docs/format.md §10): deliveries signed here with the
//! real algorithms, every verification type and encoding, event extraction (header, body, query,
//! fallback, composite), transaction ids and de-duplication, challenges, customers, replies.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may panic: that is how it fails

use std::sync::Arc;

use base64::Engine as _;
use hmac::{KeyInit, Mac};
use miniapp::Secret;
use miniapp::webhook::{Dedupe, Reason, Rejection, Request, SecretSource, VerifyFailure};
use miniapp_tests::{AcmeFunctions, acme_shop, bookwise, chatly, forgehub, hookbox, pipeline_crm};
use serde_json::{Value, json};

pub(crate) fn hmac256(key: &str, body: &[u8]) -> Vec<u8> {
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

fn hmac1(key: &str, body: &[u8]) -> Vec<u8> {
    let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(key.as_bytes()).unwrap();
    mac.update(body);
    mac.finalize().into_bytes().to_vec()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub(crate) fn headers(pairs: &[(&'static str, String)]) -> http::HeaderMap {
    let mut h = http::HeaderMap::new();
    for (name, value) in pairs {
        h.append(*name, http::HeaderValue::from_str(value).unwrap());
    }
    h
}

fn unverified(result: Result<impl std::fmt::Debug, Rejection>) -> VerifyFailure {
    match result {
        Err(Rejection { reason: Reason::Unverified { failure }, reply }) => {
            assert_eq!(reply.status, 401);
            failure
        }
        other => panic!("expected a 401 rejection, got {other:?}"),
    }
}

// --- acme-shop: HMAC-SHA256 in base64, header event with a body fallback, per-event overrides ---

const ACME_KEY: &str = "whsec-acme-77";

fn acme() -> acme_shop::Client {
    acme_shop::Client::builder(
        acme_shop::Credentials { hook_signing_key: Some(Secret::new(ACME_KEY)), ..Default::default() },
        AcmeFunctions,
    )
    .install("store-9")
    .build()
}

fn order_body() -> Vec<u8> {
    serde_json::to_vec(&json!({
        "topic": "order.status_changed",
        "payload": {
            "id": "o-17",
            "status": {"code": "shipped", "changed_at": "2026-11-30T10:00:00Z"},
            "buyer": {"buyer_id": 981, "given_name": "Dana", "family_name": "Li", "email_address": "dana@example.com",
                      "phone_e164": "+4915100000", "avatar_url": "https://img.example/d.png", "birth_date": "1990-04-01",
                      "lifecycle": "customer"},
            "lines": [{"sku": "A", "qty": 2}]
        }
    }))
    .unwrap()
}

#[tokio::test]
async fn a_signed_delivery_is_verified_extracted_and_acknowledged() {
    let client = acme();
    let body = order_body();
    let h = headers(&[("x-acme-signature", b64(&hmac256(ACME_KEY, &body))), ("X-Acme-Topic", "order.status_changed".into())]);
    let d = client.receive_webhook(&Request { headers: &h, query: "", body: &body }).await.unwrap();
    assert_eq!(d.event, Some(acme_shop::Event::OrderStatusChanged));
    assert_eq!(d.event.as_ref().and_then(|e| e.trigger()).map(|t| t.label), Some("Acme Shop: order status changed"));
    // The per-event override joins two paths with the separator.
    assert_eq!(d.transaction_id.as_deref(), Some("o-17#2026-11-30T10:00:00Z"));
    assert!(!d.generated_id && !d.duplicate && d.claimed && !d.challenge);
    assert_eq!(d.verified_with.map(|m| (m.source, m.index)), Some((SecretSource::Credentials, 0)));
    let c = d.customer.clone().expect("a customer");
    assert_eq!(
        (c.code.as_deref(), c.first_name.as_deref(), c.primary_email.as_deref(), c.state),
        (Some("981"), Some("Dana"), Some("dana@example.com"), Some(miniapp::CustomerState::Customer))
    );
    assert_eq!(d.triggers, ["order.status_changed"]);
    assert_eq!((d.reply.status, &*d.reply.content_type, &*d.reply.body), (202, "application/json", &json!({"received": true})));
    assert_eq!(d.body.as_bytes(), body.as_slice());

    // What a receiver hands to a queue: camelCase keys, the event as its string.
    let json = serde_json::to_value(&d).unwrap();
    for key in ["event", "transactionId", "generatedId", "duplicate", "challenge", "customer", "triggers", "reply", "body", "install"] {
        assert!(json.get(key).is_some(), "missing `{key}` in {json}");
    }
    assert_eq!(json["event"], "order.status_changed");
    assert_eq!(json["customer"]["primaryEmail"], "dana@example.com");
    assert_eq!(json["reply"], json!({"status": 202, "contentType": "application/json", "body": {"received": true}}));
    assert_eq!(json["body"]["payload"]["lines"][0]["qty"], 2);
    let back: miniapp::webhook::Delivery<acme_shop::Event> = serde_json::from_value(json).unwrap();
    assert_eq!(back, d, "a queued delivery reads back whole");
}

#[tokio::test]
async fn a_verified_body_the_application_could_not_read_back_is_refused_before_its_id_is_claimed() {
    // Signed and JSON to a skipping reader, but not readable into a `serde_json::Value` (what
    // `Body::value()` and the delivery's serialization need): a byte that is not UTF-8, a lone
    // surrogate escape, nesting past 127 levels, each in a member no rule reads. The event is
    // in the body, so the handler's record would be read after the claim.
    let client = acme();
    let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
    let bodies: Vec<Vec<u8>> = vec![
        [&br#"{"topic": "order.placed", "payload": {"id": "o-88", "number": "N-1"#[..], &[0xff], br#"", "lines": []}}"#].concat(),
        br#"{"topic": "order.placed", "payload": {"id": "o-89", "note": "\udc00", "lines": []}}"#.to_vec(),
        format!(r#"{{"topic": "order.placed", "payload": {{"id": "o-90", "extra": {deep}, "lines": []}}}}"#).into_bytes(),
    ];
    for body in bodies {
        let h = headers(&[("x-acme-signature", b64(&hmac256(ACME_KEY, &body)))]);
        for attempt in 0..2 {
            let refused = client.receive_webhook(&Request { headers: &h, query: "", body: &body }).await.unwrap_err();
            assert!(
                matches!(&refused.reason, miniapp::webhook::Reason::MalformedBody { .. }),
                "{}, attempt {attempt}: {refused:?}",
                String::from_utf8_lossy(&body)
            );
            assert_eq!(refused.reply.status, 400, "the same body gets the same answer every time");
        }
    }
    // A forged one is still 401 first, whatever its body.
    let body = b"{\"x\": \"\xff\"}".to_vec();
    let h = headers(&[("x-acme-signature", b64(&hmac256("not-the-key", &body)))]);
    unverified(client.receive_webhook(&Request { headers: &h, query: "", body: &body }).await);
}

#[tokio::test]
async fn base64_signatures_are_accepted_in_every_common_form() {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    let client = acme();
    let mut alphabets_differ = false;
    for (n, engine) in [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD].into_iter().enumerate() {
        // A fresh transaction id for each form, so none is a duplicate.
        let body = String::from_utf8(order_body()).unwrap().replace("o-17", &format!("o-{n}"));
        let sig = hmac256(ACME_KEY, body.as_bytes());
        alphabets_differ |= STANDARD.encode(&sig) != URL_SAFE.encode(&sig);
        let h = headers(&[("x-acme-signature", engine.encode(&sig)), ("x-acme-topic", "order.placed".into())]);
        let d = client.receive_webhook(&Request { headers: &h, query: "", body: body.as_bytes() }).await;
        assert!(d.is_ok(), "form {n}: {d:?}");
    }
    assert!(alphabets_differ, "at least one signature uses `+` or `/`, so URL-safe decoding was exercised");
}

#[tokio::test]
async fn forged_tampered_and_unsigned_deliveries_get_401() {
    let client = acme();
    let body = order_body();
    let good = b64(&hmac256(ACME_KEY, &body));
    let topic = ("x-acme-topic", "order.placed".to_string());
    let mut tampered = body.clone();
    tampered[10] ^= 1;
    let cases = [
        (headers(&[("x-acme-signature", good.clone()), topic.clone()]), tampered),
        (headers(&[("x-acme-signature", b64(&hmac256("wrong-secret", &body))), topic.clone()]), body.clone()),
        (headers(&[("x-acme-signature", "!!not base64!!".into()), topic.clone()]), body.clone()),
        (headers(&[("x-acme-signature", "".into()), topic.clone()]), body.clone()),
        (headers(std::slice::from_ref(&topic)), body.clone()),
    ];
    let failures: Vec<VerifyFailure> = {
        let mut out = Vec::new();
        for (h, b) in &cases {
            out.push(unverified(client.receive_webhook(&Request { headers: h, query: "", body: b }).await));
        }
        out
    };
    assert!(matches!(failures[0], VerifyFailure::Mismatch { .. }), "{failures:?}");
    assert!(matches!(failures[1], VerifyFailure::Mismatch { .. }));
    assert!(matches!(failures[2], VerifyFailure::Undecodable { .. }));
    assert!(matches!(failures[3], VerifyFailure::EmptyHeader { .. }));
    assert!(matches!(failures[4], VerifyFailure::MissingHeader { .. }));
    // A client with no secret at all rejects everything.
    let bare = acme_shop::Client::new(acme_shop::Credentials::default(), AcmeFunctions);
    let h = headers(&[("x-acme-signature", good), topic]);
    assert!(matches!(
        unverified(bare.receive_webhook(&Request { headers: &h, query: "", body: &body }).await),
        VerifyFailure::NoSecret { .. }
    ));
}

#[tokio::test]
async fn the_body_fallback_names_the_event_and_overrides_pick_the_customer() {
    let client = acme();
    let body = serde_json::to_vec(&json!({
        "topic": "customer.registered",
        "payload": {"id": "c-5", "buyer_id": "b-5", "given_name": "Ana", "lifecycle": "lead"}
    }))
    .unwrap();
    let h = headers(&[("x-acme-signature", b64(&hmac256(ACME_KEY, &body)))]);
    let d = client.receive_webhook(&Request { headers: &h, query: "", body: &body }).await.unwrap();
    assert_eq!(d.event, Some(acme_shop::Event::CustomerRegistered), "no header: the body's topic");
    assert_eq!(d.transaction_id.as_deref(), Some("c-5"), "no override for this event: the default path");
    let c = d.customer.clone().expect("the override's base path is the payload itself");
    assert_eq!((c.code.as_deref(), c.state), (Some("b-5"), Some(miniapp::CustomerState::Lead)));
    client.release_webhook(&d).await.unwrap();

    // Named by the header instead, the event is known before the body is read: one pass takes
    // the override's paths too, with the same result.
    let h = headers(&[("x-acme-signature", b64(&hmac256(ACME_KEY, &body))), ("x-acme-topic", "customer.registered".into())]);
    let again = client.receive_webhook(&Request { headers: &h, query: "", body: &body }).await.unwrap();
    assert_eq!((again.event, again.transaction_id, again.customer), (d.event, d.transaction_id, d.customer));
}

#[tokio::test]
async fn duplicates_are_acknowledged_and_flagged_and_a_failed_delivery_is_processed_again() {
    let client = acme();
    let body = order_body();
    let h = headers(&[("x-acme-signature", b64(&hmac256(ACME_KEY, &body))), ("x-acme-topic", "order.placed".into())]);
    let request = Request { headers: &h, query: "", body: &body };

    let first = client.receive_webhook(&request).await.unwrap();
    assert!(first.claimed && !first.duplicate);
    // The provider retries while the first is being processed (not confirmed): not acknowledged,
    // told to come back, since the first may yet fail.
    let retry = client.receive_webhook(&request).await.unwrap_err();
    assert_eq!(retry.reason, miniapp::webhook::Reason::InFlight);
    assert_eq!((retry.reply.status, retry.reply.retry_after), (503, Some(miniapp::webhook::IN_FLIGHT_RETRY_AFTER)));

    // Processing failed: released, so the next retry is processed.
    client.release_webhook(&first).await.unwrap();
    let again = client.receive_webhook(&request).await.unwrap();
    assert!(again.claimed && !again.duplicate, "processed again after a failure");
    client.confirm_webhook(&again).await.unwrap();
    let later = client.receive_webhook(&request).await.unwrap();
    assert!(later.duplicate && !later.claimed, "processed once: later retries are duplicates");
    assert_eq!(later.reply, first.reply, "acknowledged with the configured response");
    assert!(later.triggers.is_empty() && later.customer.is_none(), "nothing to run");

    // The same id for another install is another delivery.
    let shared = Arc::new(miniapp::webhook::MemoryDedupe::default());
    let a = acme_shop::Client::builder(
        acme_shop::Credentials { hook_signing_key: Some(Secret::new(ACME_KEY)), ..Default::default() },
        AcmeFunctions,
    )
    .install("a")
    .dedupe(shared.clone())
    .build();
    let b = acme_shop::Client::builder(
        acme_shop::Credentials { hook_signing_key: Some(Secret::new(ACME_KEY)), ..Default::default() },
        AcmeFunctions,
    )
    .install("b")
    .dedupe(shared.clone())
    .build();
    assert!(a.receive_webhook(&request).await.unwrap().claimed);
    assert!(b.receive_webhook(&request).await.unwrap().claimed);
    assert_eq!(shared.len(), 2);
}

/// A de-duplication store that is down.
struct Down;

#[miniapp::async_trait]
impl Dedupe for Down {
    async fn claim(&self, _: &miniapp::webhook::DedupeKey<'_>) -> Result<miniapp::webhook::Claim, miniapp::webhook::DedupeError> {
        Err(miniapp::webhook::DedupeError::retryable("connection refused"))
    }
    async fn confirm(&self, _: &miniapp::webhook::DedupeKey<'_>) -> Result<(), miniapp::webhook::DedupeError> {
        Err(miniapp::webhook::DedupeError::retryable("connection refused"))
    }
    async fn release(&self, _: &miniapp::webhook::DedupeKey<'_>) -> Result<(), miniapp::webhook::DedupeError> {
        Err(miniapp::webhook::DedupeError::retryable("connection refused"))
    }
}

#[tokio::test]
async fn a_failing_dedupe_store_answers_503_so_the_provider_retries() {
    let client = acme_shop::Client::builder(
        acme_shop::Credentials { hook_signing_key: Some(Secret::new(ACME_KEY)), ..Default::default() },
        AcmeFunctions,
    )
    .dedupe(Arc::new(Down))
    .build();
    let body = order_body();
    let h = headers(&[("x-acme-signature", b64(&hmac256(ACME_KEY, &body))), ("x-acme-topic", "order.placed".into())]);
    let err = client.receive_webhook(&Request { headers: &h, query: "", body: &body }).await.unwrap_err();
    assert!(matches!(err.reason, Reason::Unavailable { .. }), "{err:?}");
    assert_eq!(err.reply.status, 503);
}

#[tokio::test]
async fn a_verified_body_that_is_not_json_gets_400_and_an_unverified_one_401() {
    let client = acme();
    let body = b"not json";
    let h = headers(&[("x-acme-signature", b64(&hmac256(ACME_KEY, body)))]);
    let err = client.receive_webhook(&Request { headers: &h, query: "", body }).await.unwrap_err();
    assert!(matches!(err.reason, Reason::MalformedBody { .. }) && err.reply.status == 400, "{err:?}");
    let h = headers(&[("x-acme-signature", b64(&hmac256("nope", body)))]);
    assert_eq!(client.receive_webhook(&Request { headers: &h, query: "", body }).await.unwrap_err().reply.status, 401);
    // Rejections serialize too, and say nothing of the secret.
    let json = serde_json::to_string(&err).unwrap();
    assert!(json.contains("\"reply\"") && !json.contains(ACME_KEY), "{json}");
}

// --- chatly: HMAC-SHA256 in hex, body event with a query fallback, challenge with responseField ---

const CHATLY_KEY: &str = "chatly-event-secret";

fn chatly_client(credentials_secret: Option<&str>) -> chatly::Client {
    let credentials = chatly::Credentials { event_secret: credentials_secret.map(Secret::new), ..Default::default() };
    chatly::Client::builder(credentials, NoFunctions).config("eventSecret", "config-secret").rate_limit(None).build()
}

struct NoFunctions;

impl chatly::Functions for NoFunctions {
    fn first_open(&self, _: chatly::FirstOpenArgs) -> Result<serde_json::Map<String, Value>, String> {
        Err("unused".into())
    }
}

#[tokio::test]
async fn hex_in_either_case_and_the_secret_lookup_order() {
    let body = br#"{"event": {"type": "message.posted"}, "event_id": "e-1"}"#;
    let lower = hex::encode(hmac256(CHATLY_KEY, body));
    // The install's secret wins over the app-wide config.
    let client = chatly_client(Some(CHATLY_KEY));
    for sig in [lower.clone(), lower.to_uppercase()] {
        let h = headers(&[("X-Chatly-Signature", sig)]);
        let d = client.receive_webhook(&Request { headers: &h, query: "", body }).await.unwrap();
        assert_eq!(d.verified_with.map(|m| m.source), Some(SecretSource::Credentials));
        client.release_webhook(&d).await.unwrap();
    }
    let h = headers(&[("x-chatly-signature", hex::encode(hmac256("config-secret", body)))]);
    unverified(client.receive_webhook(&Request { headers: &h, query: "", body }).await);
    // With no install secret, the config one is used.
    let client = chatly_client(None);
    let d = client.receive_webhook(&Request { headers: &h, query: "", body }).await.unwrap();
    assert_eq!(d.verified_with.map(|m| m.source), Some(SecretSource::Config));
    assert_eq!(d.event, Some(chatly::Event::MessagePosted));
    assert_eq!(d.transaction_id.as_deref(), Some("e-1"));
}

#[tokio::test]
async fn the_query_fallback_and_first_non_empty_transaction_path() {
    let client = chatly_client(Some(CHATLY_KEY));
    let body = br#"{"event_id": "", "delivery_id": "d-9"}"#;
    let h = headers(&[("x-chatly-signature", hex::encode(hmac256(CHATLY_KEY, body)))]);
    let d = client.receive_webhook(&Request { headers: &h, query: "event=room.archived&x=1", body }).await.unwrap();
    assert_eq!(d.event, Some(chatly::Event::RoomArchived));
    assert_eq!(d.transaction_id.as_deref(), Some("d-9"), "an empty id is skipped");
    // Nothing anywhere: no event (acknowledged, nothing runs) and a generated id.
    let body = br#"{}"#;
    let h = headers(&[("x-chatly-signature", hex::encode(hmac256(CHATLY_KEY, body)))]);
    let d = client.receive_webhook(&Request { headers: &h, query: "", body }).await.unwrap();
    assert_eq!((d.event, d.generated_id, d.claimed), (None, true, false));
    assert_eq!(d.transaction_id.as_ref().map(String::len), Some(32));
}

#[tokio::test]
async fn a_challenge_is_answered_with_its_token_in_json() {
    let client = chatly_client(Some(CHATLY_KEY));
    let body = br#"{"kind": "endpoint_check", "nonce": "n-123"}"#;
    let d = client.receive_webhook(&Request { headers: &http::HeaderMap::new(), query: "", body }).await.unwrap();
    assert!(d.challenge && d.event.is_none());
    assert_eq!((d.reply.status, &*d.reply.content_type, &*d.reply.body), (200, "application/json", &json!({"nonce": "n-123"})));
    // Not the identifying value: an ordinary (here unsigned, so rejected) delivery.
    let body = br#"{"kind": "endpoint_checks", "nonce": "n-123"}"#;
    unverified(client.receive_webhook(&Request { headers: &http::HeaderMap::new(), query: "", body }).await);
}

#[tokio::test]
async fn an_undeclared_event_is_other_and_runs_no_trigger() {
    let client = chatly_client(Some(CHATLY_KEY));
    let body = br#"{"event": {"type": "room.renamed"}, "event_id": "e-2"}"#;
    let h = headers(&[("x-chatly-signature", hex::encode(hmac256(CHATLY_KEY, body)))]);
    let d = client.receive_webhook(&Request { headers: &h, query: "", body }).await.unwrap();
    assert_eq!(d.event, Some(chatly::Event::Other("room.renamed".into())));
    assert!(d.triggers.is_empty());
    assert_eq!(serde_json::to_value(&d).unwrap()["event"], "room.renamed");
}

// --- forgehub: composite events and the `sha256=` prefix ---

#[tokio::test]
async fn composite_events_skip_missing_parts_and_prefixes_are_stripped() {
    let client = forgehub::Client::new(forgehub::Credentials { webhook_secret: Some(Secret::new("gh-secret")), ..Default::default() });
    let body = br#"{"action": "opened", "delivery": "dl-1"}"#;
    let sig = hex::encode(hmac256("gh-secret", body));
    for signature in [format!("sha256={sig}"), sig.clone()] {
        let h = headers(&[("x-hub-signature-256", signature), ("x-forgehub-event", "issues".into())]);
        let d = client.receive_webhook(&Request { headers: &h, query: "", body }).await.unwrap();
        assert_eq!(d.event, Some(forgehub::Event::IssuesOpened));
        client.release_webhook(&d).await.unwrap();
    }
    let body = br#"{"delivery": "dl-2"}"#;
    let h = headers(&[
        ("x-hub-signature-256", format!("sha256={}", hex::encode(hmac256("gh-secret", body)))),
        ("x-forgehub-event", "push".into()),
    ]);
    let d = client.receive_webhook(&Request { headers: &h, query: "", body }).await.unwrap();
    assert_eq!(d.event, Some(forgehub::Event::Other("push".into())), "the missing body part is skipped");
}

// --- bookwise: HMAC-SHA1 in hex; pipeline-crm: header token ---

#[tokio::test]
async fn hmac_sha1_with_and_without_its_prefix() {
    let client = bookwise::Client::new(bookwise::Credentials { signing_secret: Some(Secret::new("bw")), ..Default::default() });
    let body = br#"{"booking": {"id": "b-1", "customer": {"id": 7, "first_name": "Jo"}}, "occurred_at": "t1"}"#;
    let sig = hex::encode(hmac1("bw", body));
    for (i, signature) in [sig.clone(), format!("sha1={sig}")].into_iter().enumerate() {
        let h = headers(&[("x-bookwise-signature", signature), ("x-bookwise-event", "booking.created".into())]);
        let d = client.receive_webhook(&Request { headers: &h, query: "", body }).await.unwrap();
        assert_eq!(d.event, Some(bookwise::Event::BookingCreated), "form {i}");
        assert_eq!(d.transaction_id.as_deref(), Some("b-1:t1"), "all paths joined with the separator");
        assert_eq!(d.customer.as_ref().and_then(|c| c.code.as_deref()), Some("7"));
        client.release_webhook(&d).await.unwrap();
    }
    let h = headers(&[("x-bookwise-signature", hex::encode(hmac256("bw", body)))]);
    unverified(client.receive_webhook(&Request { headers: &h, query: "", body }).await);
}

#[tokio::test]
async fn a_header_token_must_equal_the_secret() {
    let client = pipeline_crm::Client::new(pipeline_crm::Credentials { hook_token: Some(Secret::new("tok-1")), ..Default::default() });
    let body = br#"{"event": "contact.created", "id": "x-1", "data": {"id": 5, "first_name": "Kim", "gender_code": 2}}"#;
    let h = headers(&[("x-pipeline-token", "tok-1".into())]);
    let d = client.receive_webhook(&Request { headers: &h, query: "", body }).await.unwrap();
    assert_eq!(d.event, Some(pipeline_crm::Event::ContactCreated));
    assert_eq!(*d.reply.body, json!({}));
    // Given up, so the same delivery can be received again below.
    client.release_webhook(&d).await.unwrap();
    let c = d.customer.unwrap();
    assert_eq!((c.code.as_deref(), c.sex), (Some("5"), Some(2)), "the override's base path");
    for wrong in ["tok-2", "tok-1 ", "TOK-1", "tok-"] {
        let h = headers(&[("x-pipeline-token", wrong.into())]);
        let result = client.receive_webhook(&Request { headers: &h, query: "", body }).await;
        if wrong == "tok-1 " {
            // Surrounding whitespace is not part of a header value (RFC 9110).
            assert!(result.is_ok(), "{result:?}");
        } else {
            assert!(matches!(unverified(result), VerifyFailure::Mismatch { .. }), "{wrong}");
        }
    }
}

// --- hookbox: HMAC-SHA1 in base64 with a rotated app-wide secret, raw challenge, synthetic names ---

fn hookbox_client() -> hookbox::Client {
    hookbox::Client::builder(hookbox::Credentials::default()).config_rotating("partnerSecret", ["new-secret", "old-secret"]).build()
}

#[tokio::test]
async fn a_rotated_secret_verifies_with_either_value_and_says_which() {
    let client = hookbox_client();
    let body = br#"{"meta": {"delivery": "h-1"}}"#;
    for (n, key) in ["new-secret", "old-secret"].into_iter().enumerate() {
        let h = headers(&[("x-hookbox-signature", b64(&hmac1(key, body))), ("x-hookbox-event", "->".into())]);
        let d = client.receive_webhook(&Request { headers: &h, query: "", body }).await.unwrap();
        assert_eq!(d.verified_with.map(|m| (m.source, m.index)), Some((SecretSource::Config, n)));
        assert_eq!(d.event, Some(hookbox::Event::MinusGt), "a punctuation-only event is spelled out");
        client.release_webhook(&d).await.unwrap();
    }
    let h = headers(&[("x-hookbox-signature", b64(&hmac1("older-secret", body)))]);
    unverified(client.receive_webhook(&Request { headers: &h, query: "", body }).await);
}

#[tokio::test]
async fn an_empty_app_wide_secret_verifies_nothing() {
    let body = br#"{"meta": {"delivery": "h-2"}}"#;
    let signed_with_nothing = headers(&[("x-hookbox-signature", b64(&hmac1("", body)))]);
    // No secret configured (the definition's default is ""), or an empty one configured, as
    // `env::var(..).unwrap_or_default()` gives when the variable is missing.
    for client in [
        hookbox::Client::builder(hookbox::Credentials::default()).build(),
        hookbox::Client::builder(hookbox::Credentials::default()).config("partnerSecret", "").build(),
    ] {
        let failure = unverified(client.receive_webhook(&Request { headers: &signed_with_nothing, query: "", body }).await);
        assert!(matches!(&failure, VerifyFailure::NoSecret { key } if key == "partnerSecret"), "{failure:?}");
    }
    // An empty slot among rotating secrets is skipped; the others keep their positions.
    let client = hookbox::Client::builder(hookbox::Credentials::default()).config_rotating("partnerSecret", ["", "old-secret"]).build();
    unverified(client.receive_webhook(&Request { headers: &signed_with_nothing, query: "", body }).await);
    let h = headers(&[("x-hookbox-signature", b64(&hmac1("old-secret", body)))]);
    let d = client.receive_webhook(&Request { headers: &h, query: "", body }).await.unwrap();
    assert_eq!(d.verified_with.map(|m| (m.source, m.index)), Some((SecretSource::Config, 1)));
}

#[tokio::test]
async fn clashing_event_names_stay_distinct() {
    use hookbox::Event;
    let parsed: Vec<Event> = ["order.placed", "order_placed", "->", "Other", "else"].iter().map(|s| s.parse().unwrap()).collect();
    assert_eq!(parsed, [Event::OrderPlaced, Event::OrderPlaced2, Event::MinusGt, Event::Other2, Event::Other("else".into())]);
    for e in &parsed {
        assert_eq!(e.to_string().parse::<Event>().unwrap(), *e, "round trip");
    }
    assert_eq!(Event::Other2.trigger().map(|t| t.label), Some("Other"));
}

#[tokio::test]
async fn a_challenge_without_response_field_is_answered_with_the_raw_token() {
    let client = hookbox_client();
    let body = br#"{"type": "url_verification", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}"#;
    let d = client.receive_webhook(&Request { headers: &http::HeaderMap::new(), query: "", body }).await.unwrap();
    assert!(d.challenge);
    assert_eq!(d.reply.content_type, "text/plain; charset=utf-8");
    assert_eq!(d.reply.body_bytes(), b"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P");
    assert_eq!(serde_json::to_value(&d.reply).unwrap()["body"], "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P");
    // No token: malformed, not a crash and not an empty answer.
    let body = br#"{"type": "url_verification"}"#;
    let err = client.receive_webhook(&Request { headers: &http::HeaderMap::new(), query: "", body }).await.unwrap_err();
    assert_eq!(err.reply.status, 400);
}

#[tokio::test]
async fn customers_map_nested_fields_and_a_missing_base_path_means_no_customer() {
    let client = hookbox_client();
    let body = br#"{"meta": {"delivery": "h-7"}, "data": {"buyer": {"id": "u1", "contact": {"email": "a@b.example"}, "sex": 1.0, "state": "visitor", "born": "2000-01-02"}}}"#;
    let h = headers(&[("x-hookbox-signature", b64(&hmac1("new-secret", body))), ("x-hookbox-event", "order.placed".into())]);
    let c = client.receive_webhook(&Request { headers: &h, query: "", body }).await.unwrap().customer.unwrap();
    assert_eq!(
        *c,
        miniapp::Customer {
            code: Some("u1".into()),
            primary_email: Some("a@b.example".into()),
            sex: Some(1),
            state: Some(miniapp::CustomerState::Visitor),
            birth_date: Some("2000-01-02".into()),
            ..Default::default()
        }
    );
    let body = br#"{"meta": {"delivery": "h-8"}, "data": {"buyer": "not an object"}}"#;
    let h = headers(&[("x-hookbox-signature", b64(&hmac1("new-secret", body)))]);
    let d = client.receive_webhook(&Request { headers: &h, query: "", body }).await.unwrap();
    assert_eq!(d.customer, None);
    assert_eq!(*d.reply.body, json!({}), "no `response` block: 200 and an empty object");
    assert_eq!(d.reply.status, 200);
}

// --- Never panic, whatever arrives ---

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    /// Built once: building a client sets up its HTTP client, which a receiver never uses.
    static CLIENTS: std::sync::LazyLock<(acme_shop::Client, chatly::Client, hookbox::Client)> =
        std::sync::LazyLock::new(|| (acme(), chatly_client(Some(CHATLY_KEY)), hookbox_client()));

    fn header_pairs() -> impl Strategy<Value = Vec<(String, Vec<u8>)>> {
        let names = prop::sample::select(vec![
            "x-acme-signature",
            "x-acme-topic",
            "x-chatly-signature",
            "x-hub-signature-256",
            "x-forgehub-event",
            "x-pipeline-token",
            "x-hookbox-signature",
            "x-hookbox-event",
            "content-type",
        ]);
        prop::collection::vec((names.prop_map(str::to_string), prop::collection::vec(any::<u8>(), 0..80)), 0..5)
    }

    fn bodies() -> impl Strategy<Value = Vec<u8>> {
        prop_oneof![
            prop::collection::vec(any::<u8>(), 0..200),
            Just(order_body()),
            Just(br#"{"kind": "endpoint_check", "nonce": 1}"#.to_vec()),
            Just(br#"{"type": "url_verification", "challenge": {"a": [1]}}"#.to_vec()),
            "[{}\\[\\]\"a-z:,0-9 ]{0,120}".prop_map(String::into_bytes),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: std::env::var("MINIAPP_FUZZ_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(256), ..ProptestConfig::default() })]
        #[test]
        fn receive_webhook_always_answers(pairs in header_pairs(), query in "[a-z=&%0-9.]{0,40}", body in bodies(), sign in any::<bool>()) {
            let mut h = http::HeaderMap::new();
            if sign {
                // Signed deliveries get past verification, so extraction sees the arbitrary body.
                h.insert("x-acme-signature", http::HeaderValue::from_str(&b64(&hmac256(ACME_KEY, &body))).unwrap());
                h.insert("x-chatly-signature", http::HeaderValue::from_str(&hex::encode(hmac256(CHATLY_KEY, &body))).unwrap());
                h.insert("x-hookbox-signature", http::HeaderValue::from_str(&b64(&hmac1("new-secret", &body))).unwrap());
            }
            for (name, value) in &pairs {
                if let (Ok(n), Ok(v)) = (http::HeaderName::from_bytes(name.as_bytes()), http::HeaderValue::from_bytes(value)) {
                    h.append(n, v);
                }
            }
            let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
            rt.block_on(async {
                let request = Request { headers: &h, query: &query, body: &body };
                let (acme, chatly, hookbox) = &*CLIENTS;
                let replies = [
                    acme.receive_webhook(&request).await.map(|d| d.reply).unwrap_or_else(|r| r.reply),
                    chatly.receive_webhook(&request).await.map(|d| d.reply).unwrap_or_else(|r| r.reply),
                    hookbox.receive_webhook(&request).await.map(|d| d.reply).unwrap_or_else(|r| r.reply),
                ];
                for reply in replies {
                    prop_assert!(matches!(reply.status, 200 | 202 | 400 | 401 | 503), "{}", reply.status);
                }
                Ok(())
            })?;
        }
    }
}
