#![allow(clippy::unwrap_used)] // a test may panic: that is how it fails

use miniapp_example_include::forgehub::testing::MockProvider;
use miniapp_example_include::forgehub::{Client, CreateIssueInput, Credentials};
use serde_json::json;

#[tokio::test]
async fn the_included_connector_calls_its_provider() {
    let mock = MockProvider::start().await;
    mock.on_action("createIssue").reply(json!({"number": 7, "html_url": "https://forgehub.example/octo/hello/issues/7"}));
    let client = Client::builder(Credentials { access_token: Some(miniapp::Secret::new("gho_x")), ..Default::default() })
        .base_url(mock.url())
        .build();
    let input = CreateIssueInput { repository: "octo/hello".into(), title: "Crash".into(), body: None, labels: Some(vec![json!("bug")]) };
    let out = client.create_issue(&input).await.unwrap();
    assert_eq!(out.issue_number, Some(json!(7)));
    let r = &mock.requests()[0];
    assert_eq!(r.path, "/repos/octo/hello/issues", "`owner/name` is two path segments");
    assert_eq!(r.json(), json!({"title": "Crash", "body": null, "labels": ["bug"]}));
}
