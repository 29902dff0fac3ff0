//! De-duplication of deliveries (docs/format.md §10.4): claim, then confirm or release.
//!
//! A delivery with a transaction id is **claimed** before it is acknowledged. The claim holds
//! for a processing lease; the worker that processes the delivery then **confirms** it (the id
//! is remembered as processed for the retention period) or **releases** it (processing failed:
//! the provider's next retry is processed again). A claim whose worker vanished expires with its
//! lease, so a crash costs at most one lease of delay, never a lost delivery. The guarantee is
//! at-least-once processing with duplicates suppressed.

use std::collections::{HashMap, VecDeque, hash_map};
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use siphasher::sip128::{Hasher128, SipHasher13};

/// The scope of a transaction id: the app's namespace, the install, the id (borrowed from the
/// delivery: a key costs nothing to make).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
pub struct DedupeKey<'a> {
    pub ns: &'a str,
    pub install: &'a str,
    pub id: &'a str,
}

/// The outcome of a claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Claim {
    /// Nobody has processed this id, or is processing it: process it, then confirm or release.
    New,
    /// Processed already (confirmed): acknowledge and do nothing.
    Duplicate,
    /// Claimed by another delivery whose processing has neither been confirmed nor released (it
    /// is running, or its worker died and the claim holds until its lease ends): not processed
    /// yet, so answer with a status the provider retries, never the acknowledgement.
    InFlight,
}

/// Why the de-duplication state could not be read or written. The delivery is answered with 503
/// (so the provider retries it later) and nothing is marked processed.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct DedupeError {
    message: String,
    retryable: bool,
}

impl DedupeError {
    pub fn retryable(message: impl Into<String>) -> Self {
        DedupeError { message: message.into(), retryable: true }
    }

    pub fn permanent(message: impl Into<String>) -> Self {
        DedupeError { message: message.into(), retryable: false }
    }

    pub fn is_retryable(&self) -> bool {
        self.retryable
    }
}

/// Where processed transaction ids live. Implement it on shared storage to de-duplicate across
/// replicas; [`MemoryDedupe`] serves one process.
#[async_trait::async_trait]
pub trait Dedupe: Send + Sync {
    /// Atomically claims `key` unless it is processed or claimed (and the claim has not expired).
    async fn claim(&self, key: &DedupeKey<'_>) -> Result<Claim, DedupeError>;
    /// Marks a claimed `key` processed: later deliveries with it are duplicates.
    async fn confirm(&self, key: &DedupeKey<'_>) -> Result<(), DedupeError>;
    /// Gives a claim up (processing failed): the next delivery with `key` is processed.
    async fn release(&self, key: &DedupeKey<'_>) -> Result<(), DedupeError>;

    /// What [`Dedupe::claim`] answers, when the store can answer without waiting (a store in
    /// memory): the receiver then skips the boxed future of `claim`. `None`, the default, means
    /// "call `claim`". The same holds for [`Dedupe::confirm_now`] and [`Dedupe::release_now`].
    fn claim_now(&self, key: &DedupeKey<'_>) -> Option<Result<Claim, DedupeError>> {
        let _ = key;
        None
    }

    /// [`Dedupe::confirm`], answered without waiting (see [`Dedupe::claim_now`]).
    fn confirm_now(&self, key: &DedupeKey<'_>) -> Option<Result<(), DedupeError>> {
        let _ = key;
        None
    }

    /// [`Dedupe::release`], answered without waiting (see [`Dedupe::claim_now`]).
    fn release_now(&self, key: &DedupeKey<'_>) -> Option<Result<(), DedupeError>> {
        let _ = key;
        None
    }
}

/// [`Dedupe::claim`] of `store`, answered through [`Dedupe::claim_now`] when it can be.
pub(crate) async fn claim(store: &dyn Dedupe, key: &DedupeKey<'_>) -> Result<Claim, DedupeError> {
    match store.claim_now(key) {
        Some(claimed) => claimed,
        None => store.claim(key).await,
    }
}

/// [`Dedupe::confirm`] of `store`, answered through [`Dedupe::confirm_now`] when it can be.
pub(crate) async fn confirm(store: &dyn Dedupe, key: &DedupeKey<'_>) -> Result<(), DedupeError> {
    match store.confirm_now(key) {
        Some(confirmed) => confirmed,
        None => store.confirm(key).await,
    }
}

/// [`Dedupe::release`] of `store`, answered through [`Dedupe::release_now`] when it can be.
pub(crate) async fn release(store: &dyn Dedupe, key: &DedupeKey<'_>) -> Result<(), DedupeError> {
    match store.release_now(key) {
        Some(released) => released,
        None => store.release(key).await,
    }
}

/// A key as the in-memory store holds it: its 128-bit SipHash-1-3, keyed with random keys drawn
/// for each store. Holding no text, an entry costs no allocation; a sender who cannot see the
/// keys cannot choose ids that collide, and two ids are taken for one with a probability of
/// about 2⁻¹²⁸ per pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Fingerprint {
    hash: u64,
    check: u64,
}

impl Hash for Fingerprint {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

/// The keyed hasher of a store's fingerprints.
struct Keys(SipHasher13);

impl Keys {
    fn new() -> Self {
        let mut key = [0u8; 16];
        if getrandom::fill(&mut key).is_err() {
            key.iter_mut().for_each(|b| *b = fastrand::u8(..));
        }
        let [k0, k1] = [&key[..8], &key[8..]].map(|half| half.iter().fold(0u64, |k, &b| k << 8 | u64::from(b)));
        Keys(SipHasher13::new_with_keys(k0, k1))
    }

    /// `key`'s fingerprint. Each part is followed by a byte that UTF-8 never holds, so no two
    /// keys hash the same input.
    fn of(&self, key: &DedupeKey<'_>) -> Fingerprint {
        let mut hasher = self.0;
        for part in [key.ns, key.install] {
            hasher.write(part.as_bytes());
            hasher.write_u8(0xff);
        }
        hasher.write(key.id.as_bytes());
        let hash = hasher.finish128();
        Fingerprint { hash: hash.h1, check: hash.h2 }
    }
}

/// The map's hasher: a fingerprint's `hash` is a keyed hash already, so it is used as it is.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is called (see `Fingerprint`'s `Hash`); this keeps any other input sound.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    processed: bool,
    expires: Instant,
    /// The entry's record in its expiry queue (an older record of the key is stale).
    seq: u64,
}

/// A record of an expiry queue: when the entry of `key` set with `seq` expires.
#[derive(Debug)]
struct Expiry {
    expires: Instant,
    seq: u64,
    key: Fingerprint,
}

/// The ids held, by their fingerprints.
///
/// Every claim holds for the same lease and every processed id for the same retention, so each
/// kind of entry expires in the order it was set: two queues (claims, processed ids) are the
/// expiry index, appended to in O(1). An entry updated or removed leaves its old record behind;
/// a record is live while its `seq` is the entry's. Stale records are dropped when they reach a
/// queue's front, and all at once when they outnumber the live ones.
#[derive(Default)]
struct State {
    entries: HashMap<Fingerprint, Entry, BuildHasherDefault<Prehashed>>,
    claims: VecDeque<Expiry>,
    processed: VecDeque<Expiry>,
    seq: u64,
}

impl State {
    /// Marks `key` processed until `expires` (updated in place when the map holds it).
    fn confirm(&mut self, key: Fingerprint, expires: Instant) {
        let seq = self.next_seq();
        match self.entries.get_mut(&key) {
            Some(entry) => Self::renew(&mut self.claims, &mut self.processed, entry, true, expires, seq),
            None => {
                self.entries.insert(key, Entry { processed: true, expires, seq });
            }
        }
        self.record(Expiry { expires, seq, key }, true);
    }

    /// Claims `key` until `expires` unless it is held and not expired at `now`.
    /// Room for `key` within `capacity`: expired entries go first, then the ones closest to
    /// expiry. Nothing goes when `key` is already held.
    fn make_room(&mut self, key: Fingerprint, now: Instant, capacity: usize) {
        if self.entries.len() >= capacity && !self.entries.contains_key(&key) {
            self.purge(now);
            while self.entries.len() >= capacity && self.pop_first() {}
        }
    }

    fn claim(&mut self, key: Fingerprint, now: Instant, expires: Instant) -> Claim {
        let seq = self.next_seq();
        match self.entries.entry(key) {
            hash_map::Entry::Occupied(held) if held.get().expires > now => {
                return if held.get().processed { Claim::Duplicate } else { Claim::InFlight };
            }
            // Expired: claimed anew.
            hash_map::Entry::Occupied(mut held) => Self::renew(&mut self.claims, &mut self.processed, held.get_mut(), false, expires, seq),
            hash_map::Entry::Vacant(vacant) => {
                vacant.insert(Entry { processed: false, expires, seq });
            }
        }
        self.record(Expiry { expires, seq, key }, false);
        Claim::New
    }

    fn next_seq(&mut self) -> u64 {
        self.seq += 1;
        self.seq
    }

    /// Sets a held entry, dropping its expiry record when that is the newest of its queue (a
    /// delivery claimed, then confirmed or released before the next one is claimed).
    fn renew(claims: &mut VecDeque<Expiry>, processed: &mut VecDeque<Expiry>, entry: &mut Entry, done: bool, expires: Instant, seq: u64) {
        Self::forget_newest(claims, processed, entry);
        *entry = Entry { processed: done, expires, seq };
    }

    /// Appends the expiry record of an entry just set; compacts the queues when stale records
    /// outnumber the live ones.
    fn record(&mut self, record: Expiry, processed: bool) {
        let queue = if processed { &mut self.processed } else { &mut self.claims };
        queue.push_back(record);
        if self.claims.len() + self.processed.len() > 2 * self.entries.len() + 64 {
            self.compact();
        }
    }

    /// Drops `entry`'s record when it is the newest of its queue (a delivery claimed, then
    /// confirmed or released before the next one is claimed): no stale record is left behind.
    fn forget_newest(claims: &mut VecDeque<Expiry>, processed: &mut VecDeque<Expiry>, entry: &Entry) {
        let queue = if entry.processed { processed } else { claims };
        if queue.back().is_some_and(|record| record.seq == entry.seq) {
            queue.pop_back();
        }
    }

    /// Whether `record` is its entry's current one.
    fn live(entries: &HashMap<Fingerprint, Entry, BuildHasherDefault<Prehashed>>, record: &Expiry) -> bool {
        entries.get(&record.key).is_some_and(|entry| entry.seq == record.seq)
    }

    /// Drops every stale record.
    fn compact(&mut self) {
        let entries = &self.entries;
        self.claims.retain(|record| Self::live(entries, record));
        self.processed.retain(|record| Self::live(entries, record));
    }

    /// Drops the stale records at the queues' fronts.
    fn settle(&mut self) {
        for queue in [&mut self.claims, &mut self.processed] {
            while queue.front().is_some_and(|record| !Self::live(&self.entries, record)) {
                queue.pop_front();
            }
        }
    }

    /// The queue whose live front expires first; `None` when no entry is held.
    fn first(&mut self) -> Option<&mut VecDeque<Expiry>> {
        self.settle();
        match (self.claims.front(), self.processed.front()) {
            (Some(c), Some(p)) if p.expires < c.expires => Some(&mut self.processed),
            (Some(_), _) => Some(&mut self.claims),
            (None, Some(_)) => Some(&mut self.processed),
            (None, None) => None,
        }
    }

    /// Removes the entry closest to expiry; `false` when there is none.
    fn pop_first(&mut self) -> bool {
        let Some(record) = self.first().and_then(VecDeque::pop_front) else { return false };
        self.entries.remove(&record.key);
        true
    }

    /// Removes the expired entries.
    fn purge(&mut self, now: Instant) {
        while self.first().and_then(|queue| queue.front()).is_some_and(|record| record.expires <= now) {
            self.pop_first();
        }
    }
}

/// An in-memory [`Dedupe`] for one process, bounded in time and size.
///
/// - a claim holds for `lease` (default 5 minutes), then expires if neither confirmed nor
///   released (the worker crashed: the provider's retry is processed);
/// - a processed id is remembered for `retention` (default 24 hours; providers retry for
///   minutes to a few days);
/// - at most `capacity` ids (default 100 000) are kept: expired ones are dropped first, then the
///   one closest to expiry. An id forgotten early lets one retry through again (processed twice,
///   never lost).
///
/// Ids are held as 128-bit keyed fingerprints (SipHash-1-3 with keys drawn for each store), not as
/// text: a claim allocates nothing, and a sender cannot choose ids that collide.
///
/// Share one `Arc<MemoryDedupe>` between the clients of a process
/// (`ClientBuilder::dedupe`); use a shared store (Redis) across replicas.
pub struct MemoryDedupe {
    state: Mutex<State>,
    keys: Keys,
    lease: Duration,
    retention: Duration,
    capacity: usize,
}

impl Default for MemoryDedupe {
    fn default() -> Self {
        MemoryDedupe::new(Duration::from_secs(5 * 60), Duration::from_secs(24 * 60 * 60), 100_000)
    }
}

impl std::fmt::Debug for MemoryDedupe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryDedupe")
            .field("ids", &self.len())
            .field("lease", &self.lease)
            .field("retention", &self.retention)
            .field("capacity", &self.capacity)
            .finish()
    }
}

impl MemoryDedupe {
    pub fn new(lease: Duration, retention: Duration, capacity: usize) -> Self {
        MemoryDedupe { state: Mutex::new(State::default()), keys: Keys::new(), lease, retention, capacity: capacity.max(1) }
    }

    /// How many ids are held (claimed or processed, expired ones included until purged).
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl MemoryDedupe {
    fn claim_sync(&self, key: &DedupeKey<'_>) -> Claim {
        let (key, lease, capacity) = (self.keys.of(key), self.lease, self.capacity);
        let mut state = self.lock();
        // Read under the lock, so the expiry queues stay in order.
        let now = Instant::now();
        state.make_room(key, now, capacity);
        state.claim(key, now, now + lease)
    }

    fn confirm_sync(&self, key: &DedupeKey<'_>) {
        let key = self.keys.of(key);
        let mut state = self.lock();
        let now = Instant::now();
        // A confirmation whose claim was evicted (or never made) adds an entry: the bound holds
        // for it too.
        state.make_room(key, now, self.capacity);
        state.confirm(key, now + self.retention);
    }

    fn release_sync(&self, key: &DedupeKey<'_>) {
        let key = self.keys.of(key);
        let mut state = self.lock();
        // Only a claim is given up: a processed id stays processed. (The claim's expiry record
        // goes too when it is the newest; otherwise it is stale from now on.)
        if let hash_map::Entry::Occupied(held) = state.entries.entry(key)
            && !held.get().processed
        {
            let entry = held.remove();
            let State { claims, processed, .. } = &mut *state;
            State::forget_newest(claims, processed, &entry);
        }
    }
}

#[async_trait::async_trait]
impl Dedupe for MemoryDedupe {
    async fn claim(&self, key: &DedupeKey<'_>) -> Result<Claim, DedupeError> {
        Ok(self.claim_sync(key))
    }

    async fn confirm(&self, key: &DedupeKey<'_>) -> Result<(), DedupeError> {
        self.confirm_sync(key);
        Ok(())
    }

    async fn release(&self, key: &DedupeKey<'_>) -> Result<(), DedupeError> {
        self.release_sync(key);
        Ok(())
    }

    fn claim_now(&self, key: &DedupeKey<'_>) -> Option<Result<Claim, DedupeError>> {
        Some(Ok(self.claim_sync(key)))
    }

    fn confirm_now(&self, key: &DedupeKey<'_>) -> Option<Result<(), DedupeError>> {
        self.confirm_sync(key);
        Some(Ok(()))
    }

    fn release_now(&self, key: &DedupeKey<'_>) -> Option<Result<(), DedupeError>> {
        self.release_sync(key);
        Some(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(id: &str) -> DedupeKey<'_> {
        DedupeKey { ns: "app", install: "i-1", id }
    }

    #[tokio::test]
    async fn claim_confirm_release() {
        let d = MemoryDedupe::default();
        assert_eq!(d.claim(&key("a")).await.ok(), Some(Claim::New));
        assert_eq!(d.claim(&key("a")).await.ok(), Some(Claim::InFlight), "claimed, not confirmed");
        d.release(&key("a")).await.ok();
        assert_eq!(d.claim(&key("a")).await.ok(), Some(Claim::New), "released: processed again");
        d.confirm(&key("a")).await.ok();
        d.release(&key("a")).await.ok();
        assert_eq!(d.claim(&key("a")).await.ok(), Some(Claim::Duplicate), "a processed id stays processed");
        let other_install = DedupeKey { install: "i-2", ..key("a") };
        let tricky = DedupeKey { ns: "app1", install: ":i-", id: "a" };
        assert_eq!(d.claim(&tricky).await.ok(), Some(Claim::New), "keys are unambiguous");
        assert_eq!(d.claim(&other_install).await.ok(), Some(Claim::New), "ids are scoped by install");
    }

    #[test]
    fn fingerprints_are_keyed_per_store_and_keep_the_parts_apart() {
        let (a, b) = (Keys::new(), Keys::new());
        let k = DedupeKey { ns: "app", install: "i-1", id: "a" };
        assert_eq!(a.of(&k), a.of(&k));
        assert_ne!(a.of(&k), b.of(&k), "each store draws its own keys");
        // The same bytes split differently are different keys.
        let moved = [DedupeKey { ns: "app", install: "i-1a", id: "" }, DedupeKey { ns: "appi-1", install: "", id: "a" }];
        for other in moved {
            assert_ne!(a.of(&k), a.of(&other), "{other:?}");
        }
    }

    #[tokio::test]
    async fn leases_expire_and_capacity_is_bounded() {
        let d = MemoryDedupe::new(Duration::from_millis(20), Duration::from_secs(60), 3);
        assert_eq!(d.claim(&key("crashed")).await.ok(), Some(Claim::New));
        tokio::time::sleep(Duration::from_millis(30)).await;
        assert_eq!(d.claim(&key("crashed")).await.ok(), Some(Claim::New), "an expired claim is claimable");
        for id in ["b", "c", "d", "e"] {
            d.claim(&key(id)).await.ok();
            d.confirm(&key(id)).await.ok();
        }
        assert!(d.len() <= 3, "{}", d.len());
        assert_eq!(d.claim(&key("e")).await.ok(), Some(Claim::Duplicate), "the newest are kept");
    }

    #[tokio::test]
    async fn confirmations_without_a_held_claim_stay_within_capacity() {
        let d = MemoryDedupe::new(Duration::from_secs(60), Duration::from_secs(3600), 3);
        for id in ["a", "b", "c", "d", "e"] {
            d.confirm(&key(id)).await.ok();
            assert!(d.len() <= 3, "{} entries after confirming {id}", d.len());
        }
        assert_eq!(d.claim(&key("e")).await.ok(), Some(Claim::Duplicate), "the newest are kept");
    }

    #[tokio::test]
    async fn the_entry_closest_to_expiry_is_evicted_first() {
        // Claims hold for a minute, processed ids for an hour: at capacity, the oldest claim
        // goes before processed ids set earlier than it.
        let d = MemoryDedupe::new(Duration::from_secs(60), Duration::from_secs(3600), 3);
        for id in ["p1", "p2"] {
            d.claim(&key(id)).await.ok();
            d.confirm(&key(id)).await.ok();
        }
        assert_eq!(d.claim(&key("c1")).await.ok(), Some(Claim::New));
        assert_eq!(d.claim(&key("c2")).await.ok(), Some(Claim::New), "c1 is evicted");
        assert_eq!(d.len(), 3);
        assert_eq!(d.claim(&key("p1")).await.ok(), Some(Claim::Duplicate), "processed ids are kept");
        assert_eq!(d.claim(&key("p2")).await.ok(), Some(Claim::Duplicate));
        assert_eq!(d.claim(&key("c2")).await.ok(), Some(Claim::InFlight), "the newer claim is kept");
        assert_eq!(d.claim(&key("c1")).await.ok(), Some(Claim::New), "the evicted claim is forgotten");
    }

    #[tokio::test]
    async fn stale_expiry_records_do_not_accumulate() {
        let d = MemoryDedupe::default();
        d.claim(&key("kept")).await.ok();
        d.confirm(&key("kept")).await.ok();
        for _ in 0..10_000 {
            assert_eq!(d.claim(&key("retried")).await.ok(), Some(Claim::New));
            d.release(&key("retried")).await.ok();
        }
        let (entries, records) = {
            let state = d.lock();
            (state.entries.len(), state.claims.len() + state.processed.len())
        };
        assert_eq!(entries, 1);
        assert!(records <= 2 * entries + 64 + 1, "{records} expiry records for {entries} entries");
        // Interleaved: a claim released after the next one was made leaves a stale record.
        for n in 0..10_000 {
            let (a, b) = (format!("a{n}"), format!("b{n}"));
            d.claim(&key(&a)).await.ok();
            d.claim(&key(&b)).await.ok();
            d.release(&key(&a)).await.ok();
            d.confirm(&key(&b)).await.ok();
        }
        let (entries, records) = {
            let state = d.lock();
            (state.entries.len(), state.claims.len() + state.processed.len())
        };
        assert_eq!(entries, 10_001);
        assert!(records <= 2 * entries + 64 + 1, "{records} expiry records for {entries} entries");
        assert_eq!(d.claim(&key("b9999")).await.ok(), Some(Claim::Duplicate));
        assert_eq!(d.claim(&key("a9999")).await.ok(), Some(Claim::New));
        assert_eq!(d.claim(&key("kept")).await.ok(), Some(Claim::Duplicate), "compaction keeps live records");
    }
}
