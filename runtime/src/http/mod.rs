//! Talking to the provider: the engine that runs request descriptors, one action run ([`Call`]),
//! retries and the rate limit.

mod call;
mod engine;
mod rate_limit;
mod retry;

pub use call::Call;
pub(crate) use engine::At;
pub use engine::Engine;
pub use rate_limit::RateLimiter;
pub use retry::RetryPolicy;

/// An option of an RPC-backed dropdown (docs/format.md §12), as `Client::<source>()` returns it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SourceOption {
    pub value: String,
    pub label: String,
}
