#![allow(clippy::unwrap_used)] // a test may panic: that is how it fails

use cloudbox::testing::MockProvider;
use miniapp_example_generated_crate::{Client, Credentials, ShareFileInput, ShareFileVisibility};
use serde_json::json;

#[tokio::test]
async fn the_generated_crate_calls_its_provider() {
    let mock = MockProvider::start().await;
    mock.on_step("shareFile", 1).reply(json!({"path_lower": "/team/notes.txt", "id": "id:1"}));
    mock.on_step("shareFile", 2).reply(json!({"url": "https://cloudbox.example/s/abc", "id": "id:1"}));
    let client =
        Client::builder(Credentials { access_token: Some(miniapp::Secret::new("at")), ..Default::default() }).base_url(mock.url()).build();
    let input = ShareFileInput {
        folder: "/team".into(),
        file_name: "notes.txt".into(),
        content: "hi".into(),
        visibility: Some(ShareFileVisibility::TeamOnly),
    };
    let out = client.share_file(&input).await.unwrap();
    assert_eq!(out.url, Some(json!("https://cloudbox.example/s/abc")));
    let seen = mock.requests();
    assert!(seen[0].header("content-type").unwrap().starts_with("multipart/form-data; boundary="));
    assert_eq!(seen[1].json(), json!({"path": "/team/notes.txt", "settings": {"requested_visibility": "team_only"}}));
}
