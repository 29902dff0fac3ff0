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

mod builder;
mod customer;
mod error;
mod http;
mod random;
mod reader;
#[cfg(feature = "redis")]
pub mod redis;
#[doc(hidden)]
pub mod rt;
mod secret;
mod store;
pub mod sync;
pub mod webhook;

pub use builder::{Builder, Connector, IntoBaseUrl};
pub use customer::{Customer, CustomerField, CustomerState};
pub use error::{BODY_EXCERPT_LIMIT, Error};
pub use http::{RateLimiter, RetryPolicy, Settings};
pub use random::{RandomError, new_state};
pub use secret::Secret;
pub use store::{Bag, MemoryStore, RefreshLock, Snapshot, Store, StoreError, Write};

/// For implementing [`Store`] (and, later, other async traits) without adding a dependency.
pub use async_trait::async_trait;

#[cfg(feature = "macros")]
pub use miniapp_macros::{include_miniapp, miniapp};

/// Re-exported for generated code, so a connector crate needs only `miniapp` (and `serde`).
pub use reqwest::{self, Url};
pub use serde;
pub use serde_json;

/// An option of an RPC-backed dropdown (docs/format.md §12).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SourceOption {
    pub value: String,
    pub label: String,
}

/// What the Automation Builder shows for a trigger (docs/format.md §9).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TriggerInfo {
    pub event: &'static str,
    pub label: &'static str,
    pub description: &'static str,
    pub icon: &'static str,
    pub img: &'static str,
}

/// The cases each property test runs: `MINIAPP_FUZZ_CASES`, else `default`.
#[cfg(test)]
fn fuzz_cases(default: u32) -> u32 {
    std::env::var("MINIAPP_FUZZ_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(default)
}
