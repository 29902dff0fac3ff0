//! The client-side limit on action runs.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// At most `max` action runs per `per` (the platform's limit is 30 per 60 s per user per app).
#[derive(Debug)]
pub struct RateLimiter {
    max: usize,
    per: Duration,
    starts: Mutex<VecDeque<Instant>>,
}

impl RateLimiter {
    pub fn new(max: usize, per: Duration) -> Self {
        RateLimiter { max: max.max(1), per, starts: Mutex::new(VecDeque::new()) }
    }

    /// Whether no run started within the window: the limiter remembers nothing that matters.
    pub(crate) fn idle(&self) -> bool {
        let starts = self.starts.lock().unwrap_or_else(|p| p.into_inner());
        starts.back().is_none_or(|last| last.elapsed() >= self.per)
    }

    /// Waits until another run is allowed.
    pub async fn acquire(&self) {
        loop {
            let wait = {
                let mut starts = self.starts.lock().unwrap_or_else(|p| p.into_inner());
                let now = Instant::now();
                while starts.front().is_some_and(|t| now.duration_since(*t) >= self.per) {
                    starts.pop_front();
                }
                if starts.len() < self.max {
                    starts.push_back(now);
                    return;
                }
                starts.front().map_or(Duration::ZERO, |t| self.per.saturating_sub(now.duration_since(*t)))
            };
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_rate_limiter_waits_for_the_window() {
        let limiter = RateLimiter::new(2, Duration::from_millis(200));
        let start = Instant::now();
        for _ in 0..3 {
            limiter.acquire().await;
        }
        assert!(start.elapsed() >= Duration::from_millis(190), "third run waited for the window");
    }
}
