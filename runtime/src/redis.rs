//! Shared state on Redis (feature `redis`), for a connector running on several replicas:
//!
//! - [`RedisStore`]: an install's credentials and metadata, one hash per install
//!   (`miniapp:{ns}:{install}`, fields `credentials:<key>` and `metadata:<key>` holding JSON).
//!   `load` is one `HGETALL`, `save` one `HSET` of every field (atomic).
//! - [`RedisDedupe`]: webhook de-duplication. A claim is `SET … NX PX <lease>` (atomic: of two
//!   replicas given the same delivery, one wins); confirm keeps the id as processed for the
//!   retention; release deletes a claim that is still a claim (never a confirmed id).
//! - [`RedisRefreshLock`]: one token refresh per install across processes. The lock is
//!   `SET … NX PX <ttl>` with a random token and is released only by its owner (a compare-and-
//!   delete script); a replica that finds it held waits for the refreshed tokens in the store
//!   instead of refreshing again (see [`crate::RefreshLock`]).
//!
//! Every failure to reach Redis is a typed, retryable error ([`crate::StoreError`],
//! [`crate::webhook::DedupeError`]): a call fails, a delivery is answered 503, and nothing is
//! marked processed that was not. [`connect`] opens a connection manager with short timeouts
//! (it reconnects by itself when Redis comes back).

use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use serde_json::{Map, Value};

use crate::store::{Bag, Snapshot, Store, StoreError, Write};
use crate::webhook::{Claim, Dedupe, DedupeError, DedupeKey};

/// Opens a connection manager to `url` (`redis://127.0.0.1:6379/`) with timeouts fit for a
/// request path: 2 s to connect, 2 s per command. It reconnects in the background when the
/// connection drops; commands meanwhile fail with retryable errors.
pub async fn connect(url: &str) -> Result<ConnectionManager, StoreError> {
    let client = redis::Client::open(url).map_err(|e| StoreError::permanent(format!("redis: invalid URL: {}", e.category())))?;
    let config = ConnectionManagerConfig::new()
        .set_connection_timeout(Some(Duration::from_secs(2)))
        .set_response_timeout(Some(Duration::from_secs(2)))
        .set_number_of_retries(1);
    ConnectionManager::new_with_config(client, config).await.map_err(store_error)
}

/// What a Redis error says, without any value: its kind, and the server's error code.
fn describe(e: &redis::RedisError) -> String {
    match e.code() {
        Some(code) => format!("redis: {} ({code})", e.category()),
        None => format!("redis: {}", e.category()),
    }
}

fn transient(e: &redis::RedisError) -> bool {
    e.is_io_error() || e.is_connection_dropped() || e.is_connection_refusal() || e.is_timeout() || e.is_unrecoverable_error()
}

fn store_error(e: redis::RedisError) -> StoreError {
    if transient(&e) { StoreError::retryable(describe(&e)) } else { StoreError::permanent(describe(&e)) }
}

fn dedupe_error(e: &redis::RedisError) -> DedupeError {
    if transient(e) { DedupeError::retryable(describe(e)) } else { DedupeError::permanent(describe(e)) }
}

/// A key part that cannot collide with the separators: `:` and `%` are percent-encoded.
fn part(text: &str) -> String {
    text.replace('%', "%25").replace(':', "%3A")
}

/// One install's credentials and metadata in a Redis hash.
#[derive(Clone)]
pub struct RedisStore {
    conn: ConnectionManager,
    key: String,
}

impl std::fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore").field("key", &self.key).finish_non_exhaustive()
    }
}

impl RedisStore {
    /// The store of install `install` of app `ns` (use the connector's `NS`).
    pub fn new(conn: ConnectionManager, ns: &str, install: &str) -> Self {
        RedisStore { conn, key: format!("miniapp:{}:{}", part(ns), part(install)) }
    }

    /// The hash that holds the install.
    pub fn key(&self) -> &str {
        &self.key
    }
}

const CREDENTIALS: &str = "credentials:";
const METADATA: &str = "metadata:";

#[async_trait::async_trait]
impl Store for RedisStore {
    async fn load(&self) -> Result<Snapshot, StoreError> {
        let mut conn = self.conn.clone();
        let fields: Vec<(String, String)> = redis::cmd("HGETALL").arg(&self.key).query_async(&mut conn).await.map_err(store_error)?;
        let (mut credentials, mut metadata) = (Map::new(), Map::new());
        for (field, text) in fields {
            let (bag, key) = match (field.strip_prefix(CREDENTIALS), field.strip_prefix(METADATA)) {
                (Some(key), _) => (&mut credentials, key),
                (None, Some(key)) => (&mut metadata, key),
                // Not ours (another tool writes into the hash): left alone.
                (None, None) => continue,
            };
            // The message names the field, never its content.
            let value: Value = serde_json::from_str(&text)
                .map_err(|_| StoreError::permanent(format!("redis: `{}` field `{field}` is not JSON", self.key)))?;
            bag.insert(key.to_string(), value);
        }
        Ok(Snapshot::from_bags(credentials, metadata))
    }

    async fn save(&self, writes: &[Write]) -> Result<(), StoreError> {
        if writes.is_empty() {
            return Ok(());
        }
        let mut cmd = redis::cmd("HSET");
        cmd.arg(&self.key);
        for (bag, key, value) in writes {
            let prefix = match bag {
                Bag::Credentials => CREDENTIALS,
                Bag::Metadata => METADATA,
            };
            cmd.arg(format!("{prefix}{key}")).arg(value.to_string());
        }
        let mut conn = self.conn.clone();
        cmd.query_async::<i64>(&mut conn).await.map_err(store_error)?;
        Ok(())
    }
}

/// Webhook de-duplication on Redis: one key per transaction id,
/// `miniapp:{ns}:{install}:dedupe:{id}` (an id over 128 bytes is replaced by `sha256:` and its
/// SHA-256 in hex, which no shorter id's key can be).
#[derive(Clone)]
pub struct RedisDedupe {
    conn: ConnectionManager,
    lease: Duration,
    retention: Duration,
}

impl std::fmt::Debug for RedisDedupe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisDedupe").field("lease", &self.lease).field("retention", &self.retention).finish_non_exhaustive()
    }
}

/// Claims `KEYS[1]` (`ARGV[1]`, for `ARGV[2]` milliseconds) unless it is held: `new`, or what
/// holds it (`claimed` or `done`), in one step.
const CLAIM: &str = "if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 'new' end return redis.call('GET', KEYS[1])";

/// Deletes `KEYS[1]` only while it holds `ARGV[1]`.
const DELETE_IF: &str = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end";

const CLAIMED: &str = "claimed";
const DONE: &str = "done";

impl RedisDedupe {
    /// A claim holds for 5 minutes (the processing lease); a confirmed id is remembered for 24
    /// hours (the same defaults as [`crate::webhook::MemoryDedupe`]).
    pub fn new(conn: ConnectionManager) -> Self {
        Self::with_ttls(conn, Duration::from_secs(5 * 60), Duration::from_secs(24 * 60 * 60))
    }

    /// `lease`: how long a claim holds before another delivery of the id may take it (a worker
    /// that crashed); `retention`: how long a processed id is remembered.
    pub fn with_ttls(conn: ConnectionManager, lease: Duration, retention: Duration) -> Self {
        RedisDedupe { conn, lease, retention }
    }

    /// The key of an id. A short id is written escaped (`part`: never a raw `:`), a long one as
    /// `sha256:<hex>`, with a raw `:` no escaped id holds: no id can take another's key.
    fn key(key: &DedupeKey<'_>) -> String {
        let id = if key.id.len() > 128 {
            use sha2::Digest as _;
            format!("sha256:{}", hex::encode(sha2::Sha256::digest(key.id.as_bytes())))
        } else {
            part(key.id)
        };
        format!("miniapp:{}:{}:dedupe:{id}", part(key.ns), part(key.install))
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

#[async_trait::async_trait]
impl Dedupe for RedisDedupe {
    async fn claim(&self, key: &DedupeKey<'_>) -> Result<Claim, DedupeError> {
        let mut conn = self.conn.clone();
        let held: Option<String> = redis::Script::new(CLAIM)
            .key(Self::key(key))
            .arg(CLAIMED)
            .arg(millis(self.lease))
            .invoke_async(&mut conn)
            .await
            .map_err(|e| dedupe_error(&e))?;
        Ok(match held.as_deref() {
            Some("new") => Claim::New,
            Some(DONE) => Claim::Duplicate,
            // Claimed, or (a value not ours) not known to be processed.
            _ => Claim::InFlight,
        })
    }

    async fn confirm(&self, key: &DedupeKey<'_>) -> Result<(), DedupeError> {
        let mut conn = self.conn.clone();
        redis::cmd("SET")
            .arg(Self::key(key))
            .arg(DONE)
            .arg("PX")
            .arg(millis(self.retention))
            .query_async::<()>(&mut conn)
            .await
            .map_err(|e| dedupe_error(&e))
    }

    async fn release(&self, key: &DedupeKey<'_>) -> Result<(), DedupeError> {
        let mut conn = self.conn.clone();
        redis::Script::new(DELETE_IF)
            .key(Self::key(key))
            .arg(CLAIMED)
            .invoke_async::<i64>(&mut conn)
            .await
            .map(drop)
            .map_err(|e| dedupe_error(&e))
    }
}

/// One refresh per install across processes: `miniapp:{ns}:{install}:refresh`.
#[derive(Clone)]
pub struct RedisRefreshLock {
    conn: ConnectionManager,
}

impl std::fmt::Debug for RedisRefreshLock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisRefreshLock").finish_non_exhaustive()
    }
}

impl RedisRefreshLock {
    pub fn new(conn: ConnectionManager) -> Self {
        RedisRefreshLock { conn }
    }

    fn key(ns: &str, install: &str) -> String {
        format!("miniapp:{}:{}:refresh", part(ns), part(install))
    }
}

#[async_trait::async_trait]
impl crate::RefreshLock for RedisRefreshLock {
    async fn try_lock(&self, ns: &str, install: &str, ttl: Duration) -> Result<Option<String>, StoreError> {
        let token = crate::random::unique_id();
        let mut conn = self.conn.clone();
        let set: Option<String> = redis::cmd("SET")
            .arg(Self::key(ns, install))
            .arg(&token)
            .arg("NX")
            .arg("PX")
            .arg(millis(ttl))
            .query_async(&mut conn)
            .await
            .map_err(store_error)?;
        Ok(set.map(|_| token))
    }

    async fn unlock(&self, ns: &str, install: &str, token: &str) -> Result<(), StoreError> {
        let mut conn = self.conn.clone();
        redis::Script::new(DELETE_IF)
            .key(Self::key(ns, install))
            .arg(token)
            .invoke_async::<i64>(&mut conn)
            .await
            .map(drop)
            .map_err(store_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_parts_cannot_forge_separators_and_long_ids_are_hashed() {
        assert_eq!(part("a:b%c"), "a%3Ab%25c");
        let key = |id: &str| RedisDedupe::key(&DedupeKey { ns: "acme-shop", install: "s:9", id });
        assert_eq!(key("ord-1"), "miniapp:acme-shop:s%3A9:dedupe:ord-1");
        // An install named `x:dedupe` cannot reach another install's keys.
        assert_ne!(key("a"), RedisDedupe::key(&DedupeKey { ns: "acme-shop", install: "s", id: "9:dedupe:a" }));
        let long = key(&"x".repeat(1000));
        assert!(long.len() < 120 && long.contains(":dedupe:sha256:"), "{long}");
        assert_eq!(long, key(&"x".repeat(1000)));
        // A short id that spells a long one's key (in either form) has a key of its own.
        let digest = long.rsplit(':').next().unwrap_or_default().to_string();
        for forged in [format!("sha256:{digest}"), format!("sha256-{digest}")] {
            assert_ne!(key(&forged), long, "{forged}");
        }
    }
}
