//! Retrying failed requests: the policy, its backoff, and `Retry-After`.

use std::time::Duration;

/// Retries with exponential backoff and full jitter on transport errors, timeouts, 429 and 5xx,
/// honouring `Retry-After` (capped at `max_delay`).
///
/// GET, PUT and DELETE are idempotent and retried on any of these. POST and PATCH are retried only
/// when the provider cannot have acted on the request (the connection was refused, 429, or 503
/// with `Retry-After`), so a `createCoupon` is never sent twice after a 500 or a timeout, unless
/// `retry_non_idempotent` says the provider de-duplicates.
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    pub max_retries: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// Retry POST and PATCH like the idempotent methods (default `false`).
    pub retry_non_idempotent: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(30),
            retry_non_idempotent: false,
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy { max_retries: 0, ..Self::default() }
    }

    pub(super) fn backoff(&self, attempt: u32) -> Duration {
        let exp = self.base_delay.saturating_mul(2u32.saturating_pow(attempt)).min(self.max_delay);
        let millis = u64::try_from(exp.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(fastrand::u64(0..=millis))
    }
}

/// A `Retry-After` header in seconds (the HTTP-date form is not used by the providers we know).
pub(super) fn parse_retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim();
    value.parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_is_bounded_and_jittered() {
        let p = RetryPolicy {
            max_retries: 5,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(400),
            ..Default::default()
        };
        for attempt in 0..10 {
            assert!(p.backoff(attempt) <= Duration::from_millis(400));
        }
        let samples: std::collections::BTreeSet<_> = (0..50).map(|_| p.backoff(3)).collect();
        assert!(samples.len() > 1, "jitter varies the delay");
    }
}
