//! The README's first call, run against a loopback server.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may panic: that is how it fails

use miniapp_loopback::{Reply, serve};
use serde_json::json;

#[tokio::test]
async fn the_first_call_creates_a_ticket_on_the_test_server() {
    let server = serve(|r, _| {
        if r.path == "/v1/workspaces/ws-1/tickets" && r.header("authorization") == Some("Bearer test-token") {
            Reply::json(json!({"ticket": {"id": "t-1", "html_url": "https://helpdesk.example/t/1"}}))
        } else {
            Reply::status(404, "unexpected")
        }
    })
    .await;
    let base = server.url.as_str().trim_end_matches('/').to_string();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_miniapp-example-first-call")).arg(base).output()
    })
    .await
    .unwrap()
    .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "ticket \"t-1\" at \"https://helpdesk.example/t/1\"\n");
    let sent = server.requests().last().unwrap().json();
    assert_eq!(sent, json!({"subject": "Printer on fire", "priority": "normal", "tags": ["hardware"]}));
}

#[test]
fn the_readme_shows_this_example_as_it_is() {
    let readme = include_str!("../../../README.md");
    let main = include_str!("../src/main.rs");
    assert!(readme.contains(main), "README.md must show examples/first-call/src/main.rs verbatim");
    assert!(readme.contains("tokio = { version = \"1\", features = [\"macros\", \"rt-multi-thread\"] }"));
}
