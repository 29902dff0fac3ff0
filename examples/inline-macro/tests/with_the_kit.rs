#![allow(clippy::unwrap_used)] // a test may panic: that is how it fails

use miniapp_example_inline::status_page::testing::MockProvider;
use miniapp_example_inline::status_page::{Client, Credentials, OpenIncidentImpact, OpenIncidentInput};
use serde_json::json;

#[tokio::test]
async fn the_inline_connector_calls_its_provider() {
    let mock = MockProvider::start().await;
    mock.on_action("openIncident").reply(json!({"incident": {"id": "inc-1", "shortlink": "https://stat.us/1"}}));
    let client = Client::builder(Credentials { api_token: Some(miniapp::Secret::new("t0k")) }).base_url(mock.url()).build();
    let out = client
        .open_incident(&OpenIncidentInput { page: "main".into(), title: "API down".into(), impact: Some(OpenIncidentImpact::Major) })
        .await
        .unwrap();
    assert_eq!(out.incident_id, Some(json!("inc-1")));
    let r = &mock.requests()[0];
    assert_eq!((r.method.as_str(), r.path.as_str()), ("POST", "/pages/main/incidents"));
    assert_eq!(r.json(), json!({"name": "API down", "impact": "major"}));
    assert_eq!(r.header("authorization"), Some("Bearer ***"), "recorded with the token masked");
}
