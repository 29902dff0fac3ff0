//! What one install keeps between its client handles, held by the app by install id.

use std::collections::HashMap;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::http::RateLimiter;

/// The state of one install that must outlive a client handle: two handles of one install (two
/// deliveries, two workers) share its action rate limit and its single in-flight token refresh.
#[derive(Debug)]
pub(crate) struct InstallState {
    /// The install's id (shared with the map's key: a handle of a known install allocates nothing).
    pub(crate) id: Arc<str>,
    /// At most `max` action runs per `per` for this install (Karzoun's 30 runs / 60 s / user / app).
    pub(crate) limiter: Option<RateLimiter>,
    /// Held while this install's tokens are refreshed, so concurrent 401s refresh once.
    pub(crate) refresh_lock: tokio::sync::Mutex<()>,
    /// Bumped on every successful refresh, so a request that waited on the lock sees it was done.
    pub(crate) generation: AtomicU64,
}

impl InstallState {
    /// Whether dropping this state loses nothing: no action run inside the limiter's window (a
    /// refresh in flight is held by a handle, and so is everything else).
    fn idle(&self) -> bool {
        self.limiter.as_ref().is_none_or(RateLimiter::idle)
    }
}

/// The least number of installs held before the first sweep for idle ones.
const FIRST_SWEEP: usize = 1024;

/// Each install's state, by install id. Bounded: when the map has doubled since the last sweep,
/// the states no handle holds and that are idle are dropped (amortised O(1) per install), so
/// installs served once cost nothing after their rate-limit window.
#[derive(Debug)]
pub(crate) struct InstallStates {
    rate_limit: Option<(usize, Duration)>,
    map: Mutex<Map>,
}

#[derive(Debug)]
struct Map {
    states: HashMap<Arc<str>, Arc<InstallState>>,
    /// Sweep when the map reaches this many installs.
    sweep_at: usize,
}

impl InstallStates {
    pub(crate) fn new(rate_limit: Option<(usize, Duration)>) -> Self {
        InstallStates { rate_limit, map: Mutex::new(Map { states: HashMap::new(), sweep_at: FIRST_SWEEP }) }
    }

    /// The state of `install`, made if the app holds none.
    pub(crate) fn state(&self, install: &str) -> Arc<InstallState> {
        let mut map = self.map.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(state) = map.states.get(install) {
            return state.clone();
        }
        if map.states.len() >= map.sweep_at {
            map.states.retain(|_, state| Arc::strong_count(state) > 1 || !state.idle());
            map.sweep_at = (map.states.len() * 2).max(FIRST_SWEEP);
        }
        let id: Arc<str> = install.into();
        let state = Arc::new(InstallState {
            id: id.clone(),
            limiter: self.rate_limit.map(|(max, per)| RateLimiter::new(max, per)),
            refresh_lock: tokio::sync::Mutex::new(()),
            generation: AtomicU64::new(0),
        });
        map.states.insert(id, state.clone());
        state
    }

    /// How many installs' state is held.
    pub(crate) fn len(&self) -> usize {
        self.map.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).states.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_handles_of_one_install_share_its_state_and_idle_installs_are_forgotten() {
        let installs = InstallStates::new(Some((30, Duration::from_secs(60))));
        let a = installs.state("shop-1");
        assert!(Arc::ptr_eq(&a, &installs.state("shop-1")), "one state per install");
        assert!(!Arc::ptr_eq(&a, &installs.state("shop-2")));
        // Thousands of installs served once, their handles gone: swept as the map grows.
        for i in 0..10 * FIRST_SWEEP {
            drop(installs.state(&format!("once-{i}")));
        }
        assert!(installs.len() <= FIRST_SWEEP + 2, "{} held", installs.len());
        // One still held by a handle survives every sweep, with its state.
        assert!(Arc::ptr_eq(&a, &installs.state("shop-1")));
    }
}
