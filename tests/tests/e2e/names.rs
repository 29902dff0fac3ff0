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
            Reply::json(json!({"ok": true}))
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
    assert_eq!(client.field().await.unwrap().ok, Some(json!(true)), "`①` became `field`");
    assert_eq!(oddities::NS, "1abc");
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
