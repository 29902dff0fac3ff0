//! A definition full of names and text that are hard to turn into Rust (`tests/fixtures/
//! oddities.json`): it checks clean, generates, compiles without a warning (this file is the
//! proof), and sends exactly the JSON names and values the definition declares.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may panic: that is how it fails

use miniapp::Secret;
use miniapp_loopback::{Reply, serve};
use miniapp_tests::oddities::{self, AInput, AOp, Client, Credentials};
use serde_json::json;

#[tokio::test]
async fn operator_enums_and_unicode_names_reach_the_provider_exactly() {
    let server = serve(|r, _| {
        if r.method == "POST" {
            Reply::json(json!({"count": r.json()["op"].as_str().map(str::len)}))
        } else {
            Reply::json(json!({"ok": [1, 2.5, null]}))
        }
    })
    .await;
    let client = Client::builder(Credentials { api_token: Some(Secret::new("t")) }).base_url(server.url.clone()).rate_limit(None).build();
    let cases = [
        (AOp::Eq, "="),
        (AOp::NotEq, "!="),
        (AOp::Tilde, "~"),
        (AOp::GtEq, ">="),
        (AOp::Self2, "self"),
        (AOp::Self3, "Self"),
        (AOp::CreatedAt, "created_at"),
        (AOp::CreatedAt2, "createdAt"),
        (AOp::Empty, ""),
    ];
    for (op, wire) in cases {
        let input = AInput { op, x: Some("half".into()), n٣abc: None };
        client.a(&input).await.unwrap();
        let sent = server.requests().last().unwrap().json();
        assert_eq!(sent, json!({"op": wire, "all": format!("{wire} and more")}));
        // The input type reads and writes the definition's own names.
        let as_json = serde_json::to_value(&input).unwrap();
        assert_eq!(as_json, json!({"op": wire, "x½": "half"}));
    }
    assert_eq!(client.field().await.unwrap().ok, Some(vec![Some(1.0), Some(2.5), None]), "`①` became `field`, typed from its sample");
    assert_eq!(oddities::NS, "1abc");
}

/// `oddities.samples/actions/a²/1.json` has keys that are keywords, not identifiers, empty, or
/// that collide once converted: the struct typed from it names them all and reads and writes the
/// provider's own keys.
#[tokio::test]
async fn a_sample_with_hostile_keys_types_a_struct_that_reads_and_writes_them() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/oddities.samples/actions/a\u{b2}/1.json");
    let sample: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let answer = sample.clone();
    let server = serve(move |_, _| Reply::json(answer.clone())).await;
    let client = Client::builder(Credentials { api_token: Some(Secret::new("t")) }).base_url(server.url.clone()).rate_limit(None).build();
    let input = AInput { op: AOp::Eq, x: None, n٣abc: None };
    let count: oddities::AOutputCount = client.a(&input).await.unwrap().count.expect("typed from the sample");
    assert_eq!((count.r#type, count.self_.as_str(), count.n2fa, count.content_type.as_str()), (1, "x", true, "text/plain"));
    assert_eq!((count.field, count.order_id, count.order_id_2, count.self_2), (0, 1, 2, 4.5));
    assert_eq!(count.super_[1].r#mod.as_deref(), Some("m"));
    assert_eq!(count.super_[0].crate_, 1);
    assert_eq!(count.deep.deeper.deepest[0][0].n, 1);
    assert_eq!(count.mixed, vec![json!(1), json!("one")], "conflicting kinds stay JSON");
    let mut written = serde_json::to_value(&count).unwrap();
    written["a b"] = serde_json::Value::Null;
    assert_eq!(written, sample["count"], "the provider's own keys, written back");
}

#[test]
fn the_crate_for_a_namespace_that_starts_with_a_digit_has_a_valid_name() {
    let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/oddities.json")).unwrap();
    let generated = miniapp_compiler::generate(&bytes, &miniapp_compiler::Options::default()).unwrap();
    let files = miniapp_compiler::scaffold::crate_files(&generated, Some("miniapp = { path = \"../runtime\" }"));
    let cargo = &files.iter().find(|(p, _)| p.ends_with("Cargo.toml")).unwrap().1;
    assert!(cargo.contains("name = \"connector-1abc\""), "{cargo}");
    let lib = &files.iter().find(|(p, _)| p.ends_with("lib.rs")).unwrap().1;
    assert!(!lib.contains('\r') && lib.lines().take(2).all(|l| l.starts_with("//!")), "{lib}");
    assert!(!generated.code.contains('\r') && !generated.code.contains('\u{202e}') && !generated.code.contains('\u{2066}'));
}
