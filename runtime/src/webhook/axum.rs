//! Mounting a connector's webhook endpoint in an [axum](https://docs.rs/axum) router (feature
//! `axum`).
//!
//! ```ignore
//! let router = miniapp::webhook::axum::receiver(
//!     |install: Option<String>| async move { clients.get(install.as_deref()?).cloned() },
//!     |client: Arc<acme_shop::Client>, delivery| async move { queue.send(delivery).await.map_err(Into::into) },
//! )
//! .into_router();
//! // POST /miniapps/acme-shop/webhooks and POST /miniapps/acme-shop/webhooks/{install}
//! ```
//!
//! The endpoint keeps the raw body (signatures are over its bytes), refuses a body over the limit
//! with 413 before any signature work, resolves the install's client (404 when there is none),
//! and replies at once with what [`super::receive`] says. Each accepted, new delivery is then
//! handed to the handler on its own task; the delivery's transaction id is confirmed when the
//! handler returns `Ok` and released when it fails, so the provider's retry is processed again.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{Path, Request as HttpRequest, State};
use axum::response::Response;
use axum::routing::post;

use super::{DedupeKey, Delivery, Receiver, Reply, Request};

/// The default body limit: 1 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 1 << 20;

/// The error a delivery handler returns.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;
type Resolve<C> = dyn Fn(Option<String>) -> BoxFuture<Option<Arc<C>>> + Send + Sync;
type Handle<C> = dyn Fn(Arc<C>, Delivery<<C as Receiver>::Event>) -> BoxFuture<Result<(), BoxError>> + Send + Sync;

/// A connector's webhook endpoint, ready to become an axum [`axum::Router`].
pub struct WebhookReceiver<C: Receiver> {
    resolve: Arc<Resolve<C>>,
    handle: Arc<Handle<C>>,
    body_limit: usize,
}

impl<C: Receiver> Clone for WebhookReceiver<C> {
    fn clone(&self) -> Self {
        WebhookReceiver { resolve: self.resolve.clone(), handle: self.handle.clone(), body_limit: self.body_limit }
    }
}

/// A webhook endpoint for connector `C`:
/// - `resolve(install)` finds the client of an install (`None` in the path without an install id;
///   answer `None` for an unknown install: 404);
/// - `handle(client, delivery)` processes an accepted, new delivery after the reply was sent.
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
        body_limit: DEFAULT_BODY_LIMIT,
    }
}

impl<C: Receiver> WebhookReceiver<C> {
    /// The largest body accepted (default 1 MiB); a larger one is answered 413 unread.
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
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

    async fn serve(self, install: Option<String>, request: HttpRequest) -> Response {
        let declared = request.headers().get(http::header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
        if declared.is_some_and(|n| n > self.body_limit as u64) {
            return plain(413, "payload too large");
        }
        let (parts, body) = request.into_parts();
        let bytes = match axum::body::to_bytes(body, self.body_limit).await {
            Ok(bytes) => bytes,
            Err(e) => {
                let too_large = std::error::Error::source(&e)
                    .is_some_and(|s| s.downcast_ref::<http_body_util::LengthLimitError>().is_some())
                    || e.to_string().contains("length limit");
                return if too_large { plain(413, "payload too large") } else { plain(400, "the body could not be read") };
            }
        };
        let Some(client) = (self.resolve)(install).await else {
            return plain(404, "unknown install");
        };
        let request = Request { headers: &parts.headers, query: parts.uri.query().unwrap_or(""), body: &bytes };
        match super::receive(&*client, &request).await {
            Err(rejection) => respond(&rejection.reply),
            Ok(delivery) => {
                let reply = respond(&delivery.reply);
                if delivery.is_new() {
                    let handle = self.handle.clone();
                    tokio::spawn(async move {
                        // The key outlives the delivery, which the handler takes.
                        let claimed = delivery.dedupe_key().map(|k| (k.ns.to_string(), k.install.to_string(), k.id.to_string()));
                        let outcome = handle(client.clone(), delivery).await;
                        let Some((ns, install, id)) = &claimed else { return };
                        let key = DedupeKey { ns, install, id };
                        let dedupe = client.engine().dedupe();
                        let settled = match &outcome {
                            Ok(()) => super::dedupe::confirm(dedupe, &key).await,
                            Err(error) => {
                                tracing::warn!(ns = C::NS, %error, "webhook processing failed; released for the provider's retry");
                                super::dedupe::release(dedupe, &key).await
                            }
                        };
                        if let Err(error) = settled {
                            tracing::warn!(ns = C::NS, %error, "could not settle a webhook delivery");
                        }
                    });
                }
                reply
            }
        }
    }
}

fn respond(reply: &Reply) -> Response {
    let mut response = Response::new(Body::from(reply.body_bytes()));
    *response.status_mut() = http::StatusCode::from_u16(reply.status).unwrap_or(http::StatusCode::OK);
    if let Ok(value) = http::HeaderValue::from_str(&reply.content_type) {
        response.headers_mut().insert(http::header::CONTENT_TYPE, value);
    }
    response
}

fn plain(status: u16, error: &str) -> Response {
    respond(&Reply::json(status, serde_json::json!({ "error": error })))
}
