//! Traces name each request but never carry a secret, a header or a query value.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may panic: that is how it fails

use std::io::Write;
use std::sync::{Arc, Mutex};

use miniapp::Secret;
use miniapp_loopback::{Reply, serve};
use miniapp_tests::relay::{Client, Credentials, SearchInput};
use serde_json::json;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::util::SubscriberInitExt;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn traces_name_requests_and_hide_secrets() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber =
        tracing_subscriber::fmt().with_max_level(LevelFilter::TRACE).with_ansi(false).with_writer(move || writer.clone()).finish();
    let _guard = subscriber.set_default();

    let token = "tok-trace-0451";
    let server =
        serve(move |r, _| if r.path == "/status" { Reply::status(500, format!("echo {token}")) } else { Reply::json(json!({"hits": 1})) })
            .await;
    let client = Client::builder(Credentials { api_token: Some(Secret::new(token)) })
        .base_url(server.url.clone())
        .retry(miniapp::RetryPolicy::none())
        .build();
    client.search(&SearchInput { q: "private-query-value".into(), page: None }).await.unwrap();
    let _ = client.status().await.unwrap_err();

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("miniapp.request") && logs.contains("search step 1") && logs.contains("status=500"), "{logs}");
    for secret in [token, "private-query-value", "Bearer"] {
        assert!(!logs.contains(secret), "`{secret}` leaked into traces:\n{logs}");
    }
}
