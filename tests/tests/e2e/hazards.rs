//! A definition holding every naming hazard the generator meets (`tests/fixtures/hazards.json`):
//! an operator enum, enum values `self` and `""`, values differing only in case or punctuation, a
//! parameter `self`, an action named like the registration requests, a final output key
//! `returned` beside App Function returns, and a body field named `url` holding a placeholder. It
//! checks clean, generates, compiles (this file is the proof), and sends exactly the definition's
//! names and values.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may panic: that is how it fails

use miniapp::Secret;
use miniapp::serde_json::{Map, Value};
use miniapp_loopback::{Reply, serve};
use miniapp_tests::hazards::{self, Client, Credentials, SearchField, SearchInput, SearchOp, SummarizeArgs};
use serde_json::json;

struct Summary;

impl hazards::Functions for Summary {
    fn summarize(&self, args: SummarizeArgs) -> Result<Map<String, Value>, String> {
        let count = args.items.as_ref().and_then(Value::as_array).map_or(0, Vec::len);
        Ok(json!({"count": count}).as_object().cloned().unwrap_or_default())
    }
}

fn client(url: &miniapp::Url) -> Client {
    let credentials = Credentials { api_token: Some(Secret::new("t0k")), workspace_id: Some("ws-1".into()), ..Credentials::default() };
    Client::builder(credentials, Summary).base_url(url.clone()).rate_limit(None).build()
}

#[tokio::test]
async fn every_naming_hazard_reaches_the_provider_with_the_definition_s_names() {
    let server = serve(|r, _| match r.path.as_str() {
        "/search" => Reply::json(json!({"items": [1, 2, 3]})),
        "/workspaces/ws-1/summary" => Reply::json(json!({"returned": "yes", "total": 7})),
        "/registration" => Reply::json(json!({"id": "reg-1"})),
        "/hooks" => Reply::json(json!({"id": "hook-1"})),
        other => Reply::status(404, format!("unexpected {other}")),
    })
    .await;
    let client = client(&server.url);
    let cases = [
        (SearchOp::Eq, "="),
        (SearchOp::NotEq, "!="),
        (SearchOp::Tilde, "~"),
        (SearchOp::Lt, "<"),
        (SearchOp::GtEq, ">="),
        (SearchOp::Self2, "self"),
        (SearchOp::Empty, ""),
    ];
    let fields = [(SearchField::CreatedAt, "created_at"), (SearchField::CreatedAt2, "createdAt"), (SearchField::CreatedAt3, "created-at")];
    for ((op, wire_op), (field, wire_field)) in cases.into_iter().zip(fields.into_iter().cycle()) {
        let input = SearchInput { op, field, self_: "me".into(), order_id: Some("42".into()) };
        let out = client.search(&input).await.unwrap();
        let requests = server.requests();
        let search = &requests[requests.len() - 2];
        assert_eq!(search.path, "/search");
        assert_eq!(
            search.json(),
            json!({"op": wire_op, "field": wire_field, "self": "me", "link": {"url": "orders/42"}}),
            "the body field `url` is a body value, not a request URL"
        );
        // After the App Function step, the metadata key still reads the stored value.
        let summary = requests.last().unwrap();
        assert_eq!(summary.path, "/workspaces/ws-1/summary");
        assert_eq!(summary.header("x-workspace"), Some("ws-1"));
        assert_eq!(summary.json(), json!({"workspace": "ws-1", "who": "ws-1"}));
        // The output key `returned` is the definition's: the final step's mapping replaced the
        // function's keys, so the output has no field for them.
        assert_eq!(out, hazards::SearchOutput { returned: Some(json!("yes")), total: Some(json!(7)) });
        // The input type reads and writes the definition's own names.
        assert_eq!(serde_json::to_value(&input).unwrap(), json!({"op": wire_op, "field": wire_field, "self": "me", "orderId": "42"}));
        assert_eq!(serde_json::from_value::<SearchInput>(serde_json::to_value(&input).unwrap()).unwrap(), input);
    }
    // The action `registration` and the registration requests are distinct.
    assert_eq!(client.registration().await.unwrap().id, Some(json!("reg-1")));
    client.register().await.unwrap();
    assert!(server.requests().iter().any(|r| r.path == "/hooks" && r.method == "POST"));
    assert_eq!(client.store().load().await.unwrap().lookup("hookId"), Some(&json!("hook-1")));
}

#[test]
fn inputs_are_built_from_their_required_fields_with_the_definition_s_defaults() {
    use miniapp_tests::chatly::{NotifyMemberInput, NotifyMemberUrgency};
    let input = NotifyMemberInput::new("m-1", "hi");
    assert_eq!(input.member_id, "m-1");
    assert_eq!(input.message, "hi");
    assert_eq!(input.urgency, Some(NotifyMemberUrgency::Normal), "the parameter's `default`");
    assert_eq!(input.silent, Some(false), "the parameter's `default`");
    assert_eq!(input.tags, None, "no default: unset");
    assert_eq!(NotifyMemberUrgency::default(), NotifyMemberUrgency::Normal, "an enum default is the enum's `Default`");
    assert_eq!(SearchInput::new(SearchOp::Eq, SearchField::CreatedAt, "x").order_id, None, "optional without a default: unset");
    let search = SearchInput::new(SearchOp::Lt, SearchField::CreatedAt, "me");
    assert_eq!(serde_json::to_value(&search).unwrap(), json!({"op": "<", "field": "created_at", "self": "me"}));
}
