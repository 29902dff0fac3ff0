//! Talking to the provider: the engine that runs request descriptors, one action run ([`Call`]),
//! retries and the rate limit.

mod call;
mod engine;
mod rate_limit;
mod retry;

pub use call::Call;
pub(crate) use engine::At;
pub use engine::{Engine, Settings};
pub use rate_limit::RateLimiter;
pub use retry::RetryPolicy;
