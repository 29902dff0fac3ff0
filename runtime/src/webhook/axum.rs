//! Mounting a connector's webhook endpoint in an [axum](https://docs.rs/axum) router (feature
//! `axum`).
//!
//! ```ignore
//! let app = acme_shop::App::builder(functions).hook_signing_key(partner_secret).build();
//! let router = miniapp::webhook::axum::app_receiver(
//!     app,
//!     // The install's credential store (e.g. a `RedisStore`), or `None`: 404.
//!     move |install: Option<String>| async move { installs.store(install?).await },
//!     // Process the delivery, or hand it to a durable queue, then return Ok.
//!     |client: Arc<acme_shop::Client>, delivery| async move { jobs.enqueue(&delivery).await.map_err(Into::into) },
//! )
//! .into_router();
//! // POST /miniapps/acme-shop/webhooks and POST /miniapps/acme-shop/webhooks/{install}
//! ```
//!
//! [`receiver`] takes a closure that finds a prebuilt client instead.
//!
//! The endpoint keeps the raw body (signatures are over its bytes), refuses a body over the limit
//! with 413 before any signature work, and one that does not arrive within the read deadline with
//! 408, resolves the install's client (404 when there is none), and runs [`super::receive`].
//!
//! # The delivery guarantee: a 2xx means processed
//!
//! Providers retry a delivery until it gets a 2xx, and never after one. So the endpoint answers
//! 2xx only once the delivery is processed, and everything else with a status they retry:
//!
//! | Answer | When | What the provider does |
//! |---|---|---|
//! | the definition's `response` (2xx) | the handler returned `Ok` (the id is then confirmed); or the id was confirmed before (a duplicate); or a challenge | stops |
//! | 500 | the handler returned an error or panicked (the id is released) | retries: the retry is processed |
//! | 503, `Retry-After` | the handler is still running after the processing budget (it goes on, and confirms or releases when done); or another delivery with this id is being processed and is not confirmed yet (its worker may have died: the claim holds until its lease ends, 5 minutes by default, then the retry is processed) | retries |
//! | 503 | the credential or de-duplication store is down | retries |
//! | 401, 400, 404, 408, 413 | forged, not JSON, unknown install, too slow, too large | may retry; it changes nothing |
//!
//! Each delivery is therefore processed **at least once**: it is lost only if the provider gives up
//! retrying. It is processed **once** unless a handler's effect happened but its `Ok` did not reach
//! the confirmation (the process died in between), or a handler outlived its claim's lease (keep
//! the budget and the handler's work well under it): then a retry processes it again, so make
//! handlers idempotent on the delivery's transaction id. A handler that hands the delivery to a
//! durable queue returns as soon as the queue has it.
//!
//! Every refused delivery (413, 400, 404, and `receive`'s 401, 400 and 503) is logged at `DEBUG`
//! on the `miniapp::webhook::axum` target and given to the hook of
//! [`WebhookReceiver::on_rejection`], if any, to count or log forged and malformed deliveries:
//!
//! ```ignore
//! let router = miniapp::webhook::axum::receiver(resolve, handle)
//!     .on_rejection(|refused| metrics::counter!("webhook_refused", "status" => refused.status.to_string()).increment(1))
//!     .into_router();
//! ```

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, Request as HttpRequest, State};
use axum::response::Response;
use axum::routing::post;

use super::{DedupeKey, Delivery, Reason, Receiver, Reply, Request};

/// The default body limit: 1 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 1 << 20;
/// The default time to read a body: 10 seconds from the end of the headers.
pub const DEFAULT_BODY_DEADLINE: std::time::Duration = std::time::Duration::from_secs(10);
/// The default time a handler has before the reply: 4 seconds (under the 5 to 10 seconds
/// providers wait for an answer).
pub const DEFAULT_PROCESSING_BUDGET: std::time::Duration = std::time::Duration::from_secs(4);

/// The error a delivery handler returns.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;
type Resolve<C> = dyn Fn(Option<String>) -> BoxFuture<Option<Arc<C>>> + Send + Sync;
type Handle<C> = dyn Fn(Arc<C>, Delivery<<C as Receiver>::Event>) -> BoxFuture<Result<(), BoxError>> + Send + Sync;
type OnRejection = dyn Fn(&Refused<'_>) + Send + Sync;

/// Why the endpoint refused a delivery.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// The body is larger than the limit (413); it was not read past it.
    #[error("the body is larger than the limit")]
    TooLarge,
    /// The body could not be read (400): the sender broke off or sent a malformed body.
    #[error("the body could not be read")]
    Unreadable,
    /// The body did not arrive within the read deadline (408): a sender that trickles its body
    /// would otherwise hold a connection and up to the body limit of memory for as long as it
    /// likes.
    #[error("the body did not arrive in time")]
    TooSlow,
    /// No client for the install in the path (404).
    #[error("unknown install")]
    UnknownInstall,
    /// [`super::receive`] refused it: not verified (401), not JSON (400), or a store was
    /// unavailable (503).
    #[error(transparent)]
    Rejected(Reason),
}

/// A refused delivery, as the hook of [`WebhookReceiver::on_rejection`] sees it.
#[derive(Clone, Copy, Debug)]
pub struct Refused<'a> {
    /// The install id in the path, if any.
    pub install: Option<&'a str>,
    /// The status the endpoint answered with.
    pub status: u16,
    pub refusal: &'a Refusal,
}

/// A connector's webhook endpoint, ready to become an axum [`axum::Router`].
pub struct WebhookReceiver<C: Receiver> {
    resolve: Arc<Resolve<C>>,
    handle: Arc<Handle<C>>,
    on_rejection: Option<Arc<OnRejection>>,
    body_limit: usize,
    body_deadline: std::time::Duration,
    processing_budget: std::time::Duration,
}

impl<C: Receiver> Clone for WebhookReceiver<C> {
    fn clone(&self) -> Self {
        WebhookReceiver {
            resolve: self.resolve.clone(),
            handle: self.handle.clone(),
            on_rejection: self.on_rejection.clone(),
            body_limit: self.body_limit,
            body_deadline: self.body_deadline,
            processing_budget: self.processing_budget,
        }
    }
}

/// A webhook endpoint for connector `C`:
/// - `resolve(install)` finds the client of an install (`None` in the path without an install id;
///   answer `None` for an unknown install: 404);
/// - `handle(client, delivery)` processes an accepted, new delivery (or hands it to a durable
///   queue) before the reply: `Ok` is answered 2xx, an error or a panic 500 (see the [module
///   docs](self) for the guarantee).
pub fn receiver<C, R, RF, H, HF>(resolve: R, handle: H) -> WebhookReceiver<C>
where
    C: Receiver,
    R: Fn(Option<String>) -> RF + Send + Sync + 'static,
    RF: Future<Output = Option<Arc<C>>> + Send + 'static,
    H: Fn(Arc<C>, Delivery<C::Event>) -> HF + Send + Sync + 'static,
    HF: Future<Output = Result<(), BoxError>> + Send + 'static,
{
    WebhookReceiver {
        resolve: Arc::new(move |install| Box::pin(resolve(install))),
        handle: Arc::new(move |client, delivery| Box::pin(handle(client, delivery))),
        on_rejection: None,
        body_limit: DEFAULT_BODY_LIMIT,
        body_deadline: DEFAULT_BODY_DEADLINE,
        processing_budget: DEFAULT_PROCESSING_BUDGET,
    }
}

/// A webhook endpoint for every install of `app` (a generated `App`):
/// - `store(install)` finds the credential store of an install (`None` in the path without an
///   install id, which is served as install `default`; answer `None` for an unknown install: 404);
/// - the delivery's client is `app.install(install, store)`: a handle of a few words on what the
///   installs share, made in microseconds (no HTTP client, no TLS configuration is built);
/// - `handle(client, delivery)` processes the delivery as for [`receiver`].
pub fn app_receiver<A, S, SF, H, HF>(app: A, store: S, handle: H) -> WebhookReceiver<A::Client>
where
    A: crate::Installs,
    A::Client: Receiver,
    S: Fn(Option<String>) -> SF + Send + Sync + 'static,
    SF: Future<Output = Option<Arc<dyn crate::Store>>> + Send + 'static,
    H: Fn(Arc<A::Client>, Delivery<<A::Client as Receiver>::Event>) -> HF + Send + Sync + 'static,
    HF: Future<Output = Result<(), BoxError>> + Send + 'static,
{
    let store = Arc::new(store);
    receiver(
        move |install: Option<String>| {
            let (app, store) = (app.clone(), store.clone());
            async move {
                let id = install.clone().unwrap_or_else(|| "default".to_string());
                let store = store(install).await?;
                Some(Arc::new(app.install(&id, store)))
            }
        },
        handle,
    )
}

impl<C: Receiver> WebhookReceiver<C> {
    /// The largest body accepted (default 1 MiB); a larger one is answered 413 unread.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// How long the whole body may take to arrive once the headers are in (default 10 s); a
    /// slower one is answered 408 and its connection closed. Together with the body limit it
    /// bounds what a slow sender can hold: at most `body_limit` bytes for at most this long.
    pub fn body_deadline(mut self, deadline: std::time::Duration) -> Self {
        self.body_deadline = deadline;
        self
    }

    /// How long a handler may run before the reply (default 4 s). A handler still running then is
    /// answered 503 with `Retry-After` and goes on; it confirms (or releases) the delivery when it
    /// ends, and the provider's retry is then a duplicate (or processed again).
    pub fn processing_budget(mut self, budget: std::time::Duration) -> Self {
        self.processing_budget = budget;
        self
    }

    /// Calls `hook` for every refused delivery (before the reply is sent: keep it quick), with
    /// the install, the status and why. The reason never holds a secret.
    pub fn on_rejection(mut self, hook: impl Fn(&Refused<'_>) + Send + Sync + 'static) -> Self {
        self.on_rejection = Some(Arc::new(hook));
        self
    }

    /// `POST /miniapps/{ns}/webhooks` and `POST /miniapps/{ns}/webhooks/{install}`.
    pub fn into_router<S: Clone + Send + Sync + 'static>(self) -> axum::Router<S> {
        let base = format!("/miniapps/{}/webhooks", C::NS);
        axum::Router::new()
            .route(&base, post(|State(r): State<Self>, request: HttpRequest| async move { r.serve(None, request).await }))
            .route(
                &format!("{base}/{{install}}"),
                post(|State(r): State<Self>, Path(install): Path<String>, request: HttpRequest| async move {
                    r.serve(Some(install), request).await
                }),
            )
            .with_state(self)
    }

    /// The reply to a refused delivery, after telling the log and the hook.
    fn refuse(&self, install: Option<&str>, refusal: Refusal, reply: &Reply) -> Response {
        let refused = Refused { install, status: reply.status, refusal: &refusal };
        tracing::debug!(ns = C::NS, install, status = reply.status, reason = %refusal, "webhook delivery refused");
        if let Some(hook) = &self.on_rejection {
            hook(&refused);
        }
        respond(reply)
    }

    async fn serve(self, install: Option<String>, request: HttpRequest) -> Response {
        let too_large = || Reply::json(413, serde_json::json!({ "error": "payload too large" }));
        let declared = request.headers().get(http::header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        if declared.is_some_and(|n| n > self.body_limit as u64) {
            return self.refuse(install.as_deref(), Refusal::TooLarge, &too_large());
        }
        let (parts, body) = request.into_parts();
        let read = tokio::time::timeout(self.body_deadline, axum::body::to_bytes(body, self.body_limit)).await;
        let Ok(read) = read else {
            let reply = Reply::json(408, serde_json::json!({ "error": "the body did not arrive in time" }));
            let mut response = self.refuse(install.as_deref(), Refusal::TooSlow, &reply);
            response.headers_mut().insert(http::header::CONNECTION, http::HeaderValue::from_static("close"));
            return response;
        };
        let bytes = match read {
            Ok(bytes) => bytes,
            Err(e) => {
                let over = std::error::Error::source(&e).is_some_and(|s| s.downcast_ref::<http_body_util::LengthLimitError>().is_some())
                    || e.to_string().contains("length limit");
                return if over {
                    self.refuse(install.as_deref(), Refusal::TooLarge, &too_large())
                } else {
                    let reply = Reply::json(400, serde_json::json!({ "error": "the body could not be read" }));
                    self.refuse(install.as_deref(), Refusal::Unreadable, &reply)
                };
            }
        };
        let Some(client) = (self.resolve)(install.clone()).await else {
            let reply = Reply::json(404, serde_json::json!({ "error": "unknown install" }));
            return self.refuse(install.as_deref(), Refusal::UnknownInstall, &reply);
        };
        let request = Request { headers: &parts.headers, query: parts.uri.query().unwrap_or(""), body: &bytes };
        match super::receive(&*client, &request).await {
            Err(rejection) => self.refuse(install.as_deref(), Refusal::Rejected(rejection.reason), &rejection.reply),
            Ok(delivery) if !delivery.is_new() => respond(&delivery.reply),
            Ok(delivery) => self.process(client, delivery).await,
        }
    }

    /// Runs the handler on a new delivery and answers with how it went: the definition's reply
    /// once it is processed, 500 when it failed, 503 while it is still running after the budget.
    async fn process(&self, client: Arc<C>, delivery: Delivery<C::Event>) -> Response {
        let reply = delivery.reply.clone();
        let (done, outcome) = tokio::sync::oneshot::channel();
        let handle = self.handle.clone();
        // The handler and the settling run on a task of their own: a handler that outlives the
        // budget still confirms (or releases) its delivery when it ends.
        tokio::spawn(async move {
            // The key outlives the delivery, which the handler takes.
            let claimed = delivery.dedupe_key().map(|k| (k.ns.to_string(), k.install.to_string(), k.id.to_string()));
            // On a task of its own too, so that a panic is an outcome like an error.
            let processed = match tokio::spawn(handle(client.clone(), delivery)).await {
                Ok(Ok(())) => true,
                Ok(Err(error)) => {
                    tracing::warn!(ns = C::NS, %error, "webhook processing failed; answered 500 and released for the provider's retry");
                    false
                }
                Err(error) => {
                    tracing::warn!(ns = C::NS, %error, "webhook handler panicked; answered 500 and released for the provider's retry");
                    false
                }
            };
            if let Some((ns, install, id)) = &claimed {
                let key = DedupeKey { ns, install, id };
                let dedupe = client.engine().dedupe();
                let settled =
                    if processed { super::dedupe::confirm(dedupe, &key).await } else { super::dedupe::release(dedupe, &key).await };
                if let Err(error) = settled {
                    // Unconfirmed, the claim holds until its lease ends: a retry is then
                    // processed again (at least once); unreleased, the same.
                    tracing::warn!(ns = C::NS, %error, "could not settle a webhook delivery");
                }
            }
            let _ = done.send(processed);
        });
        match tokio::time::timeout(self.processing_budget, outcome).await {
            Ok(Ok(true)) => respond(&reply),
            Ok(_) => respond(&Reply::json(500, serde_json::json!({ "error": "processing failed" }))),
            Err(_) => respond(&Reply {
                retry_after: Some(super::IN_FLIGHT_RETRY_AFTER),
                ..Reply::json(503, serde_json::json!({ "error": "still processing; retry later" }))
            }),
        }
    }
}

fn respond(reply: &Reply) -> Response {
    let mut response = Response::new(Body::from(reply.body_bytes()));
    *response.status_mut() = http::StatusCode::from_u16(reply.status).unwrap_or(http::StatusCode::OK);
    if let Ok(value) = http::HeaderValue::from_str(&reply.content_type) {
        response.headers_mut().insert(http::header::CONTENT_TYPE, value);
    }
    if let Some(seconds) = reply.retry_after {
        response.headers_mut().insert(http::header::RETRY_AFTER, http::HeaderValue::from(seconds));
    }
    response
}
