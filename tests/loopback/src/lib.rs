//! A provider on 127.0.0.1 for end-to-end tests and examples: it records every request exactly as
//! received and answers with what the test scripts.

#![allow(clippy::expect_used)] // test support: a broken server is a failed test

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;

/// A request as the server received it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    /// The raw (still percent-encoded) path.
    pub path: String,
    pub query: Option<String>,
    /// Header names lowercased.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// When the request arrived.
    pub at: Instant,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("the request body is JSON")
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The value of query parameter `name` (decoded).
    pub fn param(&self, name: &str) -> Option<String> {
        let query = self.query.as_deref()?;
        form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
    }
}

/// What the server answers.
#[derive(Clone, Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: String,
    pub delay: Duration,
    /// Send the headers and half the body, then break the connection.
    pub broken: bool,
    /// Hold the answer until the server has had this many requests in flight at once (for at
    /// most a minute), so a test of concurrency does not depend on how fast the client is.
    pub held_until_in_flight: usize,
}

impl Reply {
    pub fn json(value: serde_json::Value) -> Self {
        Reply {
            status: 200,
            headers: vec![("content-type", "application/json".into())],
            body: value.to_string(),
            delay: Duration::ZERO,
            broken: false,
            held_until_in_flight: 0,
        }
    }

    pub fn status(status: u16, body: impl Into<String>) -> Self {
        Reply { status, headers: Vec::new(), body: body.into(), delay: Duration::ZERO, broken: false, held_until_in_flight: 0 }
    }

    /// A 200 whose connection breaks in the middle of the body.
    pub fn broken(value: serde_json::Value) -> Self {
        Reply { broken: true, ..Reply::json(value) }
    }

    pub fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    pub fn after(mut self, delay: Duration) -> Self {
        self.delay = delay;
        self
    }

    /// Answer only once `n` requests have been in flight at once (or a minute has passed).
    pub fn held_until_in_flight(mut self, n: usize) -> Self {
        self.held_until_in_flight = n;
        self
    }
}

type Script = dyn Fn(&Recorded, &[Recorded]) -> Reply + Send + Sync;

struct Shared {
    log: Mutex<Vec<Recorded>>,
    script: Box<Script>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    /// Connections accepted.
    connections: AtomicUsize,
}

/// A running server.
pub struct Server {
    pub url: miniapp::Url,
    shared: Arc<Shared>,
}

impl Server {
    /// Every request received so far, in order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.log.lock().expect("log").clone()
    }

    /// The requests whose path starts with `prefix`.
    pub fn hits(&self, prefix: &str) -> Vec<Recorded> {
        self.requests().into_iter().filter(|r| r.path.starts_with(prefix)).collect()
    }

    /// How many connections the server accepted (a client that keeps its connections alive and
    /// shares its pool opens few).
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// The most requests the server was answering at once.
    pub fn max_in_flight(&self) -> usize {
        self.shared.max_in_flight.load(Ordering::SeqCst)
    }

    /// The server's origin as text (`http://127.0.0.1:PORT`).
    pub fn origin(&self) -> String {
        self.url.as_str().trim_end_matches('/').to_string()
    }
}

async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 1 << 20).await.map(|b| b.to_vec()).unwrap_or_default();
    let recorded = Recorded {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        headers: parts.headers.iter().map(|(n, v)| (n.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned())).collect(),
        body,
        at: Instant::now(),
    };
    let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    shared.max_in_flight.fetch_max(now, Ordering::SeqCst);
    let reply = {
        let mut log = shared.log.lock().expect("log");
        let reply = (shared.script)(&recorded, &log);
        log.push(recorded);
        reply
    };
    let held_since = Instant::now();
    while shared.max_in_flight.load(Ordering::SeqCst) < reply.held_until_in_flight && held_since.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    if !reply.delay.is_zero() {
        // (A zero sleep would still wait for the timer's next tick, about a millisecond.)
        tokio::time::sleep(reply.delay).await;
    }
    shared.in_flight.fetch_sub(1, Ordering::SeqCst);
    let mut response = Response::builder().status(reply.status);
    for (name, value) in &reply.headers {
        response = response.header(*name, value);
    }
    if reply.broken {
        let half = reply.body.as_bytes()[..reply.body.len() / 2].to_vec();
        let chunks: Vec<Result<Vec<u8>, std::io::Error>> = vec![Ok(half), Err(std::io::Error::other("connection dropped"))];
        let length = reply.body.len().to_string();
        return response
            .header("content-length", length)
            .body(Body::from_stream(futures_util::stream::iter(chunks)))
            .expect("a valid response");
    }
    response.body(Body::from(reply.body)).expect("a valid response")
}

/// Starts a server on 127.0.0.1 with a script: `(request, earlier requests) -> reply`.
pub async fn serve(script: impl Fn(&Recorded, &[Recorded]) -> Reply + Send + Sync + 'static) -> Server {
    let shared = Arc::new(Shared {
        log: Mutex::new(Vec::new()),
        script: Box::new(script),
        in_flight: AtomicUsize::new(0),
        max_in_flight: AtomicUsize::new(0),
        connections: AtomicUsize::new(0),
    });
    let app = axum::Router::new().fallback(handle).with_state(shared.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1");
    let addr = listener.local_addr().expect("local address");
    let counter = shared.clone();
    let listener = axum::serve::ListenerExt::tap_io(listener, move |_| {
        counter.connections.fetch_add(1, Ordering::SeqCst);
    });
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Server { url: miniapp::Url::parse(&format!("http://{addr}/")).expect("server url"), shared }
}

/// A retry policy fast enough for tests.
pub fn quick_retries() -> miniapp::RetryPolicy {
    miniapp::RetryPolicy { max_retries: 3, base_delay: Duration::from_millis(10), max_delay: Duration::from_secs(5), ..Default::default() }
}
