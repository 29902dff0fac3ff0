//! Generated code against a real HTTP server on 127.0.0.1: request chains, each body type, query
//! parameters, faults (429, 500, timeouts, malformed JSON) and the security guarantees.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may panic: that is how it fails

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use miniapp::{Error, Secret};
use miniapp_loopback::{Reply, Server, quick_retries, serve};
use miniapp_tests::relay::{self, Client, Credentials};
use serde_json::json;

const TOKEN: &str = "tok-8c1f2e-secret";

fn client(server: &Server) -> Client {
    Client::builder(Credentials { api_token: Some(Secret::new(TOKEN)) }).base_url(server.url.clone()).retry(quick_retries()).build()
}

#[tokio::test]
async fn a_three_step_chain_passes_values_between_steps() {
    let server = serve(|r, _| match r.path.as_str() {
        "/start" => Reply::json(json!({"a": "A1"})),
        "/middle" => Reply::json(json!({"b": format!("B-{}", r.json()["a"].as_str().unwrap_or("?"))})),
        "/end/B-A1" => Reply::json(json!({"result": "done", "echo": r.json()})),
        _ => Reply::status(404, "no route"),
    })
    .await;
    let out = client(&server).chain(&relay::ChainInput { seed: "s 1".into() }).await.unwrap();
    assert_eq!(out.result, Some(json!("done")));
    assert_eq!(out.echo, Some(json!({"a": "A1", "b": "B-A1", "seed": "s 1"})));
    let seen = server.requests();
    assert_eq!(
        seen.iter().map(|r| (r.method.as_str(), r.path.as_str())).collect::<Vec<_>>(),
        [("GET", "/start"), ("POST", "/middle"), ("PUT", "/end/B-A1")]
    );
    assert_eq!(seen[0].query.as_deref(), Some("seed=s+1"));
    assert!(seen.iter().all(|r| r.header("authorization") == Some(&format!("Bearer {TOKEN}"))));
}

#[tokio::test]
async fn json_bodies_are_exact_and_keep_whole_value_types() {
    let server = serve(|_, _| Reply::json(json!({"id": 1}))).await;
    let input = relay::SendJsonInput {
        text: "Ann".into(),
        count: 3.5,
        tags: Some(vec![json!("x"), json!(2)]),
        flag: None,
        mood: Some(relay::SendJsonMood::Loud),
    };
    client(&server).send_json(&input).await.unwrap();
    let r = &server.requests()[0];
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.text(), r#"{"text":"Hi Ann!","count":3.5,"tags":["x",2],"nested":{"flag":true,"mood":"loud"},"fixed":[1,"two",null]}"#);
    // Whole numbers go out as integers; a missing optional value in a string is empty.
    let input = relay::SendJsonInput { text: "Bo".into(), count: 4.0, tags: None, flag: Some(false), mood: None };
    client(&server).send_json(&input).await.unwrap();
    assert_eq!(
        server.requests()[1].text(),
        r#"{"text":"Hi Bo!","count":4,"tags":null,"nested":{"flag":false,"mood":"calm"},"fixed":[1,"two",null]}"#
    );
}

#[tokio::test]
async fn form_bodies_are_exact() {
    let server = serve(|_, _| Reply::json(json!({"id": 1}))).await;
    client(&server).send_form(&relay::SendFormInput { text: "a b&c".into(), count: Some(2.5) }).await.unwrap();
    let r = &server.requests()[0];
    assert_eq!(r.header("content-type"), Some("application/x-www-form-urlencoded"));
    assert_eq!(r.text(), "text=a+b%26c&count=2.5&kind=a%26b%3Dc");
}

#[tokio::test]
async fn multipart_bodies_are_exact() {
    let server = serve(|_, _| Reply::json(json!({"id": 1}))).await;
    client(&server).send_multipart(&relay::SendMultipartInput { name: "report.txt".into(), content: "hello\nworld".into() }).await.unwrap();
    let r = &server.requests()[0];
    let content_type = r.header("content-type").unwrap();
    let boundary = content_type.strip_prefix("multipart/form-data; boundary=").expect("the encoder's own multipart content type");
    let expected = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\nreport.txt\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nhello\nworld\r\n--{boundary}--\r\n"
    );
    assert_eq!(r.text(), expected);
}

#[tokio::test]
async fn query_parameters_are_form_encoded_and_appended() {
    let server = serve(|_, _| Reply::json(json!({"hits": 3}))).await;
    let out = client(&server).search(&relay::SearchInput { q: "rust & wasm".into(), page: Some(2.0) }).await.unwrap();
    assert_eq!(out.hits, Some(json!(3)));
    assert_eq!(server.requests()[0].query.as_deref(), Some("sort=new&q=rust+%26+wasm&page=2&limit=10"));
}

#[tokio::test]
async fn path_values_never_change_the_host_or_the_path_structure() {
    let server = serve(|r, _| Reply::json(json!({"id": 1, "path": r.path}))).await;
    let client = client(&server);
    for (value, expected_path) in [
        ("a?b", "/items/a%3Fb/detail"),
        ("#frag", "/items/%23frag/detail"),
        ("user@evil.example", "/items/user%40evil.example/detail"),
        ("évil:80", "/items/%C3%A9vil%3A80/detail"),
        ("owner/repo", "/items/owner/repo/detail"),
    ] {
        let out = client.get_item(&relay::GetItemInput { item_id: value.into() }).await.unwrap();
        assert_eq!(out.path, Some(json!(expected_path)), "{value:?}");
    }
    for value in ["../admin", "a/../../b", "//evil.example", "/abs", "x/", "", "."] {
        let err = client.get_item(&relay::GetItemInput { item_id: value.into() }).await.unwrap_err();
        assert!(matches!(err, Error::Template { .. }), "{value:?}: {err:?}");
    }
    let seen = server.requests();
    assert_eq!(seen.len(), 5, "rejected values send nothing");
    let host = server.url.host_str().unwrap();
    assert!(seen.iter().all(|r| r.header("host").is_some_and(|h| h.starts_with(host))));
}

#[tokio::test]
async fn a_line_break_in_a_header_value_is_an_error_not_a_header() {
    let server = serve(|_, _| Reply::json(json!({"id": 1}))).await;
    let err = client(&server).add_note(&relay::AddNoteInput { note: "hi\r\nX-Injected: 1".into() }).await.unwrap_err();
    assert!(matches!(err, Error::Template { .. }), "{err:?}");
    assert!(server.requests().is_empty());
    client(&server).add_note(&relay::AddNoteInput { note: "plain".into() }).await.unwrap();
    let r = &server.requests()[0];
    assert_eq!(r.header("x-note"), Some("plain"));
    assert!(r.header("x-injected").is_none());
}

#[tokio::test]
async fn a_429_waits_for_retry_after_then_succeeds() {
    let server = serve(|_, earlier| {
        if earlier.is_empty() {
            Reply::status(429, "slow down").header("retry-after", "1")
        } else {
            Reply::json(json!({"deep": {"items": [0, {"state": "ok"}]}}))
        }
    })
    .await;
    let start = Instant::now();
    let out = client(&server).status().await.unwrap();
    assert_eq!(out.state, Some(json!("ok")));
    // A lower bound the code guarantees (it sleeps the whole second after the first answer), so
    // load can only make it hold more easily.
    assert!(start.elapsed() >= Duration::from_secs(1), "waited {:?}", start.elapsed());
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn a_500_is_retried_and_then_succeeds() {
    let server =
        serve(
            |_, earlier| {
                if earlier.len() < 2 { Reply::status(500, "oops") } else { Reply::json(json!({"deep": {"items": [0, {"state": "up"}]}})) }
            },
        )
        .await;
    let out = client(&server).status().await.unwrap();
    assert_eq!(out.state, Some(json!("up")));
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn exhausted_retries_give_a_status_error_with_a_bounded_excerpt_and_no_secret() {
    let body = format!("internal error for token {TOKEN}: {}", "x".repeat(5000));
    let server = serve(move |_, _| Reply::status(503, body.clone())).await;
    let err = client(&server).status().await.unwrap_err();
    assert!(err.is_retryable());
    assert_eq!(err.status(), Some(503));
    let Error::Status { body, .. } = &err else { panic!("{err:?}") };
    assert!(body.len() <= miniapp::BODY_EXCERPT_LIMIT + 3, "{}", body.len());
    for shown in [format!("{err}"), format!("{err:?}")] {
        assert!(!shown.contains(TOKEN), "{shown}");
    }
    assert_eq!(server.requests().len(), 4, "one try and three retries");
}

#[tokio::test]
async fn a_timeout_is_a_typed_retryable_error() {
    let server = serve(|_, _| Reply::json(json!({})).after(Duration::from_secs(3))).await;
    let client = Client::builder(Credentials { api_token: Some(Secret::new(TOKEN)) })
        .base_url(server.url.clone())
        .timeout(Duration::from_millis(200))
        .retry(miniapp::RetryPolicy::none())
        .build();
    let err = client.status().await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn a_transport_error_keeps_its_cause() {
    // A port nothing listens on: the connection is refused.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}/", listener.local_addr().unwrap());
    drop(listener);
    let client = Client::builder(Credentials { api_token: Some(Secret::new(TOKEN)) })
        .base_url(base.as_str())
        .retry(miniapp::RetryPolicy::none())
        .build();
    let err = client.status().await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    let shown = err.to_string();
    assert!(shown.contains("connection refused"), "the root cause is in the message: {shown}");
    assert!(shown.contains("(GET /status)"), "{shown}");
    // The chain below it reaches the operating system's error.
    let mut cause = std::error::Error::source(&err);
    let mut kinds = Vec::new();
    while let Some(e) = cause {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            kinds.push(io.kind());
        }
        cause = e.source();
    }
    assert!(kinds.contains(&std::io::ErrorKind::ConnectionRefused), "{err:?}");
    assert!(!format!("{err:?}").contains(TOKEN));
}

/// A provider that sends its headers and the start of its body, then nothing for a minute (on a
/// thread of its own, so it stalls whatever the client's runtime does). A client whose timeout
/// did not cover the body would wait that minute and then see the connection close: a transport
/// error, not a timeout.
fn stalling_provider() -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let url = format!("http://{}/", listener.local_addr().expect("an address"));
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            std::thread::spawn(move || {
                let mut request = [0u8; 4096];
                let _ = stream.read(&mut request);
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"ok\":");
                std::thread::sleep(Duration::from_secs(60));
            });
        }
    });
    url
}

#[tokio::test]
async fn a_body_that_stalls_times_out_like_slow_headers() {
    let base = stalling_provider();
    let builder = || {
        Client::builder(Credentials { api_token: Some(Secret::new(TOKEN)) })
            .base_url(base.as_str())
            .timeout(Duration::from_millis(300))
            .retry(miniapp::RetryPolicy::none())
    };
    // With the engine's own HTTP client, and with one the user passes (which has no timeout of
    // its own): the attempt's timeout covers the body either way.
    for client in [builder().build(), builder().http_client(miniapp::reqwest::Client::new()).build()] {
        let err = client.status().await.unwrap_err();
        assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    }
}

#[tokio::test]
async fn malformed_json_is_a_decode_error_naming_the_request() {
    let server = serve(|_, _| Reply::status(200, "{\"deep\": {\"items\": [")).await;
    let err = client(&server).status().await.unwrap_err();
    let Error::Decode { request, line, column, .. } = &err else { panic!("{err:?}") };
    assert!(request.contains("status step 1") && request.contains("/status"), "{request}");
    assert_eq!((*line, *column), (1, 20), "the end of the truncated body");
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn a_missing_credential_is_an_error_before_anything_is_sent() {
    let server = serve(|_, _| Reply::json(json!({}))).await;
    let client = Client::builder(Credentials::default()).base_url(server.url.clone()).build();
    let err = client.status().await.unwrap_err();
    assert!(matches!(&err, Error::MissingCredential { key, .. } if key == "apiToken"), "{err:?}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn secrets_never_reach_debug_output() {
    let credentials = Credentials { api_token: Some(Secret::new(TOKEN)) };
    assert!(!format!("{credentials:?}").contains(TOKEN));
    let server = serve(|_, _| Reply::json(json!({}))).await;
    let client = client(&server);
    assert!(!format!("{client:?}").contains(TOKEN));
    // A password in the base URL is a credential too.
    let mut with_password = server.url.clone();
    with_password.set_username("proxy-user").unwrap();
    with_password.set_password(Some("proxy-pass-91")).unwrap();
    let builder = Client::builder(Credentials::default()).base_url(with_password);
    assert!(!format!("{builder:?}").contains("proxy-pass-91"), "{builder:?}");
    assert!(!format!("{:?}", builder.build()).contains("proxy-pass-91"));
    client.status().await.unwrap();
    let snapshot = client.store().load().await.unwrap();
    assert_eq!(snapshot.lookup("apiToken"), Some(&json!(TOKEN)), "the store has it");
    assert!(!format!("{snapshot:?}").contains(TOKEN));
}

#[tokio::test]
async fn the_rate_limiter_spaces_action_runs() {
    let server = serve(|_, _| Reply::json(json!({"deep": {"items": [0, {"state": "ok"}]}}))).await;
    let client = Client::builder(Credentials { api_token: Some(Secret::new(TOKEN)) })
        .base_url(server.url.clone())
        .rate_limit(Some((2, Duration::from_millis(400))))
        .build();
    let start = Instant::now();
    for _ in 0..3 {
        client.status().await.unwrap();
    }
    assert!(start.elapsed() >= Duration::from_millis(380), "the third run waited: {:?}", start.elapsed());
}

// --- Hostile providers: redirects, endless bodies, retries of requests that are not idempotent ---

#[tokio::test]
async fn redirects_are_not_followed_so_credentials_never_reach_another_host() {
    let elsewhere = serve(|_, _| Reply::json(json!({"deep": {"items": [0, {"state": "stolen"}]}}))).await;
    let target = format!("{}/collect?from=relay", elsewhere.origin());
    for status in [301, 302, 303, 307, 308] {
        let target = target.clone();
        let server = serve(move |_, _| Reply::status(status, "").header("location", target.clone())).await;
        let err = client(&server).status().await.unwrap_err();
        let Error::Redirect { status: seen, location, .. } = &err else { panic!("{err:?}") };
        assert_eq!((*seen, location.as_str()), (status, elsewhere.origin().as_str()), "only the origin is reported");
        assert!(!err.is_retryable());
        assert_eq!(server.requests().len(), 1, "not retried");
        // A POST with a form body is not re-sent anywhere either.
        let err = client(&server).send_form(&relay::SendFormInput { text: "t".into(), count: None }).await.unwrap_err();
        assert!(matches!(err, Error::Redirect { .. }), "{err:?}");
    }
    assert!(elsewhere.requests().is_empty(), "the other host received nothing");
}

#[tokio::test]
async fn a_redirect_on_the_same_origin_names_its_path_so_a_missing_slash_is_obvious() {
    for location in ["/api/orders/?page=1&page_size=100", "http://127.0.0.1:{port}/api/orders/?page=1&page_size=100"] {
        let server = serve(move |req, _| {
            let port = req.header("host").and_then(|h| h.rsplit(':').next()).unwrap_or("0").to_string();
            Reply::status(301, "").header("location", location.replace("{port}", &port))
        })
        .await;
        let err = client(&server).status().await.unwrap_err();
        let Error::Redirect { location: shown, .. } = &err else { panic!("{err:?}") };
        assert_eq!(shown, "/api/orders/?page=1&page_size=100 (same origin)");
        assert!(err.to_string().contains("redirected (HTTP 301) to /api/orders/?page=1&page_size=100 (same origin)"), "{err}");
    }
}

/// A provider that answers `status` with a body that never ends (chunked, until the client goes,
/// or for at most a minute), and counts the bytes it managed to send. A client that stops reading
/// lets at most the sockets' buffers fill (a few MiB); one that reads on takes far more.
async fn endless(status: u16) -> (miniapp::Url, Arc<AtomicUsize>) {
    let sent = Arc::new(AtomicUsize::new(0));
    let counter = sent.clone();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = miniapp::Url::parse(&format!("http://{}/", listener.local_addr().unwrap())).unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let counter = counter.clone();
            tokio::spawn(async move {
                let mut request = [0u8; 4096];
                let _ = socket.read(&mut request).await;
                let head = format!("HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n");
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, "x".repeat(64 * 1024));
                // Bounded in time: at most a minute, however fast the client reads.
                let deadline = Instant::now() + Duration::from_secs(60);
                while Instant::now() < deadline && socket.write_all(chunk.as_bytes()).await.is_ok() {
                    counter.fetch_add(chunk.len(), Ordering::SeqCst);
                }
            });
        }
    });
    (url, sent)
}

/// Far more than the sockets between client and server can buffer, far less than a client that
/// reads on would take in a minute.
const READ_ON: usize = 256 << 20;

#[tokio::test]
async fn an_endless_body_is_cut_at_the_limit_with_a_typed_error() {
    let (url, sent) = endless(200).await;
    let client = Client::builder(Credentials { api_token: Some(Secret::new(TOKEN)) })
        .base_url(url)
        .retry(quick_retries())
        .max_response_bytes(1 << 20)
        .build();
    let err = client.status().await.unwrap_err();
    assert!(matches!(err, Error::ResponseTooLarge { limit, .. } if limit == 1 << 20), "{err:?}");
    assert!(!err.is_retryable(), "not downloaded again");
    let sent = sent.load(Ordering::SeqCst);
    assert!(sent < READ_ON, "stopped at the limit, not at the timeout: {sent} bytes sent");
}

#[tokio::test]
async fn an_endless_error_body_is_read_only_as_far_as_the_excerpt() {
    let (url, sent) = endless(500).await;
    let client =
        Client::builder(Credentials { api_token: Some(Secret::new(TOKEN)) }).base_url(url).retry(miniapp::RetryPolicy::none()).build();
    let err = client.status().await.unwrap_err();
    let Error::Status { status: 500, body, .. } = &err else { panic!("{err:?}") };
    assert!(body.len() <= miniapp::BODY_EXCERPT_LIMIT + 3);
    let sent = sent.load(Ordering::SeqCst);
    assert!(sent < READ_ON, "read past the excerpt: {sent} bytes sent");
}

#[tokio::test]
async fn a_post_is_not_sent_again_after_a_500_but_is_after_a_429() {
    let server = serve(|_, _| Reply::status(500, "boom")).await;
    let err = client(&server).send_json(&json_input()).await.unwrap_err();
    assert_eq!(err.status(), Some(500));
    assert_eq!(server.requests().len(), 1, "a POST may have been acted on: sent once");

    // 429, or 503 with Retry-After: the provider did not act on it, so it is sent again.
    let server = serve(|_, earlier| match earlier.len() {
        0 => Reply::status(429, "slow down").header("retry-after", "0"),
        1 => Reply::status(503, "maintenance").header("retry-after", "0"),
        _ => Reply::json(json!({"id": "m-1"})),
    })
    .await;
    let out = client(&server).send_json(&json_input()).await.unwrap();
    assert_eq!(out.id, Some(json!("m-1")));
    assert_eq!(server.requests().len(), 3);

    // Opting in for a provider that de-duplicates POSTs.
    let server = serve(|_, earlier| if earlier.is_empty() { Reply::status(500, "boom") } else { Reply::json(json!({"id": "m-2"})) }).await;
    let opted = Client::builder(Credentials { api_token: Some(Secret::new(TOKEN)) })
        .base_url(server.url.clone())
        .retry(miniapp::RetryPolicy { retry_non_idempotent: true, ..quick_retries() })
        .build();
    assert_eq!(opted.send_json(&json_input()).await.unwrap().id, Some(json!("m-2")));
    assert_eq!(server.requests().len(), 2);
}

fn json_input() -> relay::SendJsonInput {
    relay::SendJsonInput { text: "hi".into(), count: 1.0, tags: None, flag: None, mood: None }
}

#[tokio::test]
async fn error_messages_describe_the_request_by_its_template_and_stay_small() {
    let server = serve(|_, _| Reply::status(500, "no")).await;
    let client = Client::builder(Credentials { api_token: Some(Secret::new(TOKEN)) })
        .base_url(server.url.clone())
        .retry(miniapp::RetryPolicy::none())
        .build();
    let huge = "v".repeat(16 << 10);
    let err = client.get_item(&relay::GetItemInput { item_id: huge.clone() }).await.unwrap_err();
    let shown = err.to_string();
    assert!(shown.contains("(GET /items/{{itemId}}/detail)"), "{shown}");
    assert!(shown.len() < 300, "{} bytes", shown.len());
    assert_eq!(server.requests()[0].path.len(), "/items//detail".len() + huge.len(), "the value itself was sent");
}

#[tokio::test]
async fn one_deadline_bounds_a_call_across_attempts_and_waits() {
    // A Retry-After beyond the deadline is not waited for: the call ends at once, not after the
    // hour's wait (capped at the policy's hour-long `max_delay`) nor when the half-hour deadline
    // runs out. The guard is a minute: only a wait can reach it.
    let server = serve(|_, _| Reply::status(429, "later").header("retry-after", "999999")).await;
    let client = Client::builder(Credentials { api_token: Some(Secret::new(TOKEN)) })
        .base_url(server.url.clone())
        .retry(miniapp::RetryPolicy { max_delay: Duration::from_secs(3600), ..quick_retries() })
        .deadline(Duration::from_secs(1800))
        .build();
    let err = tokio::time::timeout(Duration::from_secs(60), client.status()).await.expect("not waited for").unwrap_err();
    assert!(matches!(err, Error::RateLimited { .. }), "{err:?}");
    assert_eq!(server.requests().len(), 1);

    // Slow answers: every attempt times out, and all of them together stop at the deadline. Each
    // attempt lasts its full 300 ms timeout (a lower bound load cannot break), so a 1 s deadline
    // leaves room for at most four of the eleven the policy allows.
    let server = serve(|_, _| Reply::json(json!({})).after(Duration::from_secs(3600))).await;
    let client = Client::builder(Credentials { api_token: Some(Secret::new(TOKEN)) })
        .base_url(server.url.clone())
        .retry(miniapp::RetryPolicy { max_retries: 10, ..quick_retries() })
        .timeout(Duration::from_millis(300))
        .deadline(Duration::from_secs(1))
        .build();
    let start = Instant::now();
    let err = client.status().await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
    assert!(start.elapsed() >= Duration::from_secs(1), "stopped before the deadline: {:?}", start.elapsed());
    assert!((1..=4).contains(&server.requests().len()), "{} attempts", server.requests().len());
}
