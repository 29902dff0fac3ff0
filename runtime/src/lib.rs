//! `miniapp`: the runtime that connector code generated from Karzoun MiniApp definitions links to.
//!
//! It is definition-agnostic: generated code describes its requests as static, already-parsed
//! descriptors, which this crate renders safely by context, sends with retries ([`RetryPolicy`]),
//! timeouts, rate limiting ([`RateLimiter`]) and token refresh, and maps. What you use: the
//! generated `Client` (built with a [`Builder`]), [`Error`], [`Secret`], the credential [`Store`]
//! (async and fallible; [`MemoryStore`] by default, read once per call into a [`Snapshot`]).
//! Sensitive values are [`Secret`]s that never reach `Debug`, logs or error messages. Inbound webhooks run through [`webhook`]: verification,
//! event and transaction-id extraction, de-duplication, customers ([`Customer`]), and (feature
//! `axum`) an endpoint to mount. Sync imports and real-time handlers run through [`sync`]: a
//! skipping reader maps list pages into typed records, pages are fetched as a resumable stream.
//!
//! # Features
//!
//! - `macros` (default): [`include_miniapp!`] and [`miniapp!`]. A definition's warnings are
//!   compiler warnings at the macro call; `deny_warnings` (or `#![deny(warnings)]`) makes them
//!   errors.
//! - `rustls` (default): HTTPS for the HTTP client the runtime builds (reqwest with rustls).
//!   Without it, pass a `reqwest::Client` of your own ([`Builder::http_client`]) to reach HTTPS
//!   providers.
//! - `axum`: `webhook::axum`, a webhook endpoint to mount in a router.
//! - `redis`: `redis`, the store, de-duplication and refresh lock shared by several replicas.
//! - `testing`: `testing`, the test kit, and in every generated connector a `testing` module
//!   (`MockProvider`, `sign_delivery`); turn it on in `[dev-dependencies]`.
//!
//! # Logging
//!
//! The runtime logs through [`tracing`](https://docs.rs/tracing) and never logs a secret (values
//! are not logged at all: requests are named by their template). Install a subscriber to see it;
//! the targets are the runtime's modules:
//!
//! | Target | Level | What |
//! |---|---|---|
//! | `miniapp::http::engine` | `DEBUG` | a span `miniapp.request` per request (`ns`, `request`), each response's status and attempt, each retry with its cause, each token refresh |
//! | `miniapp::http::engine` | `WARN` | tokens that could not be saved (written before the next call), a refresh lock that could not be released |
//! | `miniapp::webhook` | `DEBUG` | why a delivery was rejected (`webhook rejected`, with the verification failure), a challenge answered, a delivery that names no event |
//! | `miniapp::webhook::axum` | `DEBUG` | every delivery the endpoint refused (`install`, `status`, `reason`); see also `WebhookReceiver::on_rejection` |
//! | `miniapp::webhook::axum` | `WARN` | a handler that failed (the delivery is released), a delivery that could not be confirmed or released |
//! | `miniapp::sync::handler` | `DEBUG` | a delivery that does not fit its sync handler's mapping |
//! | `miniapp::lenient` | `WARN` | a value that does not have the type its samples showed (the field is `None`; see [`lenient`]) |
//!
//! For example, `RUST_LOG=miniapp=debug` with `tracing_subscriber::fmt().with_env_filter(…)`, or
//! `miniapp::webhook=debug` to see only why deliveries are refused.

extern crate self as miniapp;

mod app;
mod builder;
mod customer;
mod error;
mod http;
pub mod lenient;
mod random;
mod reader;
#[cfg(feature = "redis")]
pub mod redis;
#[doc(hidden)]
pub mod rt;
mod secret;
mod store;
pub mod sync;
#[cfg(test)]
mod test_support;
#[cfg(feature = "testing")]
pub mod testing;

/// Without the `testing` feature, a generated connector's `testing` module is left out.
#[cfg(not(feature = "testing"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __when_testing {
    ($($items:tt)*) => {};
}
pub mod webhook;

pub use app::{AppBuilder, Installs, Settings, Tenancy};
pub use builder::{Builder, Connector, IntoBaseUrl};
pub use customer::{Customer, CustomerField, CustomerState};
pub use error::{BODY_EXCERPT_LIMIT, Error};
pub use http::{RateLimiter, RetryPolicy, SourceOption};
pub use random::{RandomError, new_state};
pub use secret::Secret;
pub use store::{Bag, MemoryStore, RefreshLock, Snapshot, Store, StoreError, Write};
pub use webhook::TriggerInfo;

/// For implementing [`Store`] (and, later, other async traits) without adding a dependency.
pub use async_trait::async_trait;

#[cfg(feature = "macros")]
pub use miniapp_macros::{include_miniapp, miniapp};

/// Re-exported for generated code, so a connector crate needs only `miniapp` (and `serde`).
pub use reqwest::{self, Url};
pub use serde;
pub use serde_json;
