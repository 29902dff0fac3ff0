//! The API a new user meets, on a definition written from scratch (`tests/fixtures/helpdesk.json`):
//! typed array items, typed metadata, `base_url` from text, an action without parameters, and
//! errors that say what to do.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may panic: that is how it fails

use miniapp::{Error, Secret};
use miniapp_loopback::{Reply, serve};
use miniapp_tests::helpdesk::{
    Client, CreateTicketChannelsItem, CreateTicketInput, CreateTicketPriority, CreateTicketWatchersItem, Credentials,
};
use serde_json::json;

fn credentials(workspace: Option<&str>) -> Credentials {
    Credentials { api_token: Some(Secret::new("tok-1")), workspace_id: workspace.map(str::to_string), ..Credentials::default() }
}

#[tokio::test]
async fn typed_items_typed_metadata_a_text_base_url_and_an_action_without_parameters() {
    let server = serve(|r, _| match r.path.as_str() {
        "/v1/me" => Reply::json(json!({"user": {"id": 7, "name": "Kim"}, "workspace": {"id": "ws-9"}})),
        "/v1/workspaces/ws-1/tickets" => Reply::json(json!({"ticket": {"id": "t-1"}})),
        other => Reply::status(404, format!("unexpected {other}")),
    })
    .await;
    // The test server's address, as text: no `Url` to build.
    let base = format!("http://127.0.0.1:{}", server.url.port().unwrap());
    let client = Client::builder(credentials(Some("ws-1"))).base_url(base.as_str()).rate_limit(None).try_build().unwrap();

    // No parameters: no input argument.
    assert_eq!(client.who_am_i().await.unwrap().name, Some(json!("Kim")));

    let mut input = CreateTicketInput::new("Printer on fire");
    input.tags = Some(vec!["hardware".into(), "urgent".into()]);
    input.scores = Some(vec![1.0, 2.5]);
    input.channels = Some(vec![CreateTicketChannelsItem::Email, CreateTicketChannelsItem::Chat]);
    input.watchers = Some(vec![CreateTicketWatchersItem { email: "a@b.example".into(), name: None }]);
    assert_eq!(input.priority, Some(CreateTicketPriority::Normal), "the parameter's default");
    let out = client.create_ticket(&input).await.unwrap();
    assert_eq!(out.ticket_id, Some(json!("t-1")));
    let sent = server.requests().last().unwrap().clone();
    assert_eq!(sent.path, "/v1/workspaces/ws-1/tickets", "typed metadata in the URL");
    assert_eq!(sent.header("authorization"), Some("Bearer tok-1"));
    assert_eq!(
        sent.json(),
        json!({
            "subject": "Printer on fire",
            "tags": ["hardware", "urgent"],
            "scores": [1, 2.5],
            "priority": "normal",
            "channels": ["email", "chat"],
            "watchers": [{"email": "a@b.example"}]
        })
    );
}

#[tokio::test]
async fn a_missing_metadata_key_says_where_it_comes_from() {
    let server = serve(|r, _| match r.path.as_str() {
        "/v1/me" => Reply::json(json!({"user": {"id": 7, "name": "Kim"}, "workspace": {"id": "ws-9"}})),
        _ => Reply::json(json!({"ticket": {"id": "t-2"}})),
    })
    .await;
    let client = Client::builder(credentials(None)).base_url(&server.url).rate_limit(None).build();
    let err = client.create_ticket(&CreateTicketInput::new("x")).await.unwrap_err();
    assert!(matches!(&err, Error::MissingCredential { key, .. } if key == "workspaceId"), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("metadata from `userDetails`: run `Client::user_details` or set `Credentials::workspace_id`"), "{message}");
    assert!(server.requests().is_empty(), "nothing was sent");
    // Running `userDetails` stores the metadata; then the call goes through.
    client.user_details().await.unwrap();
    let out = client.create_ticket(&CreateTicketInput::new("x")).await.unwrap();
    assert_eq!(out.ticket_id, Some(json!("t-2")));
    assert_eq!(server.requests().last().unwrap().path, "/v1/workspaces/ws-9/tickets");
}

#[tokio::test]
async fn a_base_url_that_is_not_one_is_a_typed_error_and_nothing_is_sent() {
    for bad in ["127.0.0.1:8080", "localhost:8080", "ftp://files.example", "not a url"] {
        let err = Client::builder(credentials(Some("ws-1"))).base_url(bad).try_build().unwrap_err();
        assert!(matches!(&err, Error::Config { .. }), "{bad}: {err:?}");
        assert!(err.to_string().contains("http://127.0.0.1:3000"), "the message shows the expected form: {err}");
        assert!(!err.to_string().contains(bad), "the text is not repeated (it could hold credentials): {err}");
        // `build` keeps going, and every request fails the same way before anything is sent.
        let client = Client::builder(credentials(Some("ws-1"))).base_url(bad).build();
        assert!(matches!(client.who_am_i().await, Err(Error::Config { .. })), "{bad}");
    }
}
