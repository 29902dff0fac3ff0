//! Where an install's `credentials` and `metadata` live (docs/format.md §5.4).
//!
//! A [`Store`] is asynchronous and fallible, like every real place a platform keeps tokens (a
//! database, Redis, a secrets manager). The client reads it **once** per call into a
//! [`Snapshot`] and renders every template of that call from it; it writes back in **one batch**
//! per token response ([`Store::save`]), so an access token, a refresh token and an expiry land
//! together or not at all.

use std::fmt;
use std::sync::RwLock;

use serde_json::{Map, Value};

/// The bag a stored value belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Bag {
    /// Tokens, secrets, outputs of `get_token` / `refresh_token` / registration requests.
    Credentials,
    /// The result of `userDetails`.
    Metadata,
}

/// One value to write: its bag, its key (the definition's own spelling) and the value.
pub type Write = (Bag, String, Value);

/// Why a store could not be read or written. It reaches callers as [`crate::Error::Store`].
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct StoreError {
    message: String,
    retryable: bool,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl StoreError {
    /// A failure that will not go away by trying again (bad configuration, a rejected write).
    /// The message must not contain a stored value.
    pub fn permanent(message: impl Into<String>) -> Self {
        StoreError { message: message.into(), retryable: false, source: None }
    }

    /// A failure that may go away (a lost connection, a timeout, a busy database).
    pub fn retryable(message: impl Into<String>) -> Self {
        StoreError { message: message.into(), retryable: true, source: None }
    }

    /// Keeps the underlying error as the [`std::error::Error::source`].
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// Whether trying again later may succeed.
    pub fn is_retryable(&self) -> bool {
        self.retryable
    }
}

/// One token refresh per install across processes (docs/format.md §5.7): without it, two replicas
/// that see the same 401 both refresh, and with rotating refresh tokens the second one fails
/// and disconnects the tenant. Set one with `ClientBuilder::refresh_lock` (e.g.
/// `miniapp::redis::RedisRefreshLock`, feature `redis`).
///
/// The client takes the lock before refreshing. If another process holds it, the client waits
/// for that process's new tokens to appear in the store (re-reading it) and uses them; if it
/// takes the lock but the store already holds other tokens than the ones that got the 401,
/// another process has just refreshed, and it uses those.
#[async_trait::async_trait]
pub trait RefreshLock: Send + Sync {
    /// Takes the lock of install `install` of app `ns` for at most `ttl`: `Some(token)` when
    /// taken, `None` when another holder has it.
    async fn try_lock(&self, ns: &str, install: &str, ttl: std::time::Duration) -> Result<Option<String>, StoreError>;
    /// Releases the lock if `token` still holds it (an expired lock someone else took is left
    /// alone).
    async fn unlock(&self, ns: &str, install: &str, token: &str) -> Result<(), StoreError>;
}

/// Both bags of one install, as read by one [`Store::load`].
///
/// Cloning is cheap (the bags are shared until one side changes). `Debug` shows the keys, never
/// the values.
#[derive(Clone, Default, PartialEq)]
pub struct Snapshot {
    bags: std::sync::Arc<Bags>,
}

#[derive(Clone, Default, PartialEq)]
struct Bags {
    credentials: Map<String, Value>,
    metadata: Map<String, Value>,
}

impl Snapshot {
    pub fn new() -> Self {
        Self::default()
    }

    /// A snapshot of the two bags.
    pub fn from_bags(credentials: Map<String, Value>, metadata: Map<String, Value>) -> Self {
        Snapshot { bags: std::sync::Arc::new(Bags { credentials, metadata }) }
    }

    pub fn get(&self, bag: Bag, key: &str) -> Option<&Value> {
        self.bag(bag).get(key)
    }

    /// `[[key]]`: credentials first, then metadata (docs/format.md §5.4: credentials win).
    pub fn lookup(&self, key: &str) -> Option<&Value> {
        self.bags.credentials.get(key).or_else(|| self.bags.metadata.get(key))
    }

    pub fn bag(&self, bag: Bag) -> &Map<String, Value> {
        match bag {
            Bag::Credentials => &self.bags.credentials,
            Bag::Metadata => &self.bags.metadata,
        }
    }

    pub fn insert(&mut self, bag: Bag, key: impl Into<String>, value: Value) {
        let bags = std::sync::Arc::make_mut(&mut self.bags);
        let map = match bag {
            Bag::Credentials => &mut bags.credentials,
            Bag::Metadata => &mut bags.metadata,
        };
        map.insert(key.into(), value);
    }

    /// Applies a batch of writes, as [`Store::save`] would.
    pub fn apply(&mut self, writes: &[Write]) {
        for (bag, key, value) in writes {
            self.insert(*bag, key.clone(), value.clone());
        }
    }
}

impl fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Snapshot")
            .field("credentials", &self.bags.credentials.keys().collect::<Vec<_>>())
            .field("metadata", &self.bags.metadata.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// A credential store for one install. Implement it to keep tokens in your database:
///
/// ```
/// use miniapp::{Snapshot, Store, StoreError, Write};
///
/// struct MyDb;
///
/// #[miniapp::async_trait]
/// impl Store for MyDb {
///     async fn load(&self) -> Result<Snapshot, StoreError> {
///         // One round trip: both bags of this install.
///         Ok(Snapshot::new())
///     }
///     async fn save(&self, writes: &[Write]) -> Result<(), StoreError> {
///         // One transaction: all of `writes` or none of them.
///         let _ = writes;
///         Err(StoreError::retryable("database unavailable"))
///     }
/// }
/// ```
///
/// A call reads the store once ([`Store::load`]) before it sends anything; a token response
/// (`get_token`, `refresh_token`, registration, `userDetails`) is written back with one
/// [`Store::save`]. If a save fails, the call that produced the values fails with
/// [`crate::Error::Store`], and the client keeps the unsaved values and writes them again before
/// its next call, so a rotated refresh token is never dropped (see [`crate::Error::Store`]).
#[async_trait::async_trait]
pub trait Store: Send + Sync {
    /// Reads both bags of the install.
    async fn load(&self) -> Result<Snapshot, StoreError>;

    /// Writes a batch of values atomically (all or none).
    async fn save(&self, writes: &[Write]) -> Result<(), StoreError>;

    /// What [`Store::load`] answers, when the store has it at hand without waiting (a store in
    /// memory): the client then skips the boxed future of `load`, on every call and delivery.
    /// `None`, the default, means "call `load`".
    fn load_now(&self) -> Option<Result<Snapshot, StoreError>> {
        None
    }
}

/// The default in-memory store. Its `Debug` shows keys, never values.
#[derive(Default)]
pub struct MemoryStore {
    values: RwLock<Snapshot>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// A store holding `values` (a generated `Credentials::into_values()`).
    pub fn with_values<'k>(values: impl IntoIterator<Item = (Bag, &'k str, Value)>) -> Self {
        let store = Self::new();
        for (bag, key, value) in values {
            store.set(bag, key, value);
        }
        store
    }

    /// The current value of a key (no `await`: for tests and for inspection).
    pub fn get(&self, bag: Bag, key: &str) -> Option<Value> {
        self.read().get(bag, key).cloned()
    }

    /// Sets a value directly.
    pub fn set(&self, bag: Bag, key: &str, value: Value) {
        self.values.write().unwrap_or_else(|poisoned| poisoned.into_inner()).insert(bag, key, value);
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Snapshot> {
        self.values.read().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[async_trait::async_trait]
impl Store for MemoryStore {
    async fn load(&self) -> Result<Snapshot, StoreError> {
        Ok(self.read().clone())
    }

    fn load_now(&self) -> Option<Result<Snapshot, StoreError>> {
        Some(Ok(self.read().clone()))
    }

    async fn save(&self, writes: &[Write]) -> Result<(), StoreError> {
        self.values.write().unwrap_or_else(|poisoned| poisoned.into_inner()).apply(writes);
        Ok(())
    }
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("MemoryStore").field(&*self.read()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn credentials_win_over_metadata_and_debug_hides_values() {
        let mut s = Snapshot::new();
        s.insert(Bag::Metadata, "storeId", json!("m"));
        assert_eq!(s.lookup("storeId"), Some(&json!("m")));
        s.apply(&[(Bag::Credentials, "storeId".into(), json!("c")), (Bag::Credentials, "token".into(), json!("s3cr3t"))]);
        assert_eq!(s.lookup("storeId"), Some(&json!("c")));
        assert_eq!(s.get(Bag::Metadata, "storeId"), Some(&json!("m")));
        let shown = format!("{s:?}");
        assert!(shown.contains("token") && !shown.contains("s3cr3t"), "{shown}");
    }

    #[tokio::test]
    async fn the_memory_store_saves_batches_and_loads_them() {
        let store = MemoryStore::new();
        store.save(&[(Bag::Credentials, "a".into(), json!(1)), (Bag::Metadata, "b".into(), json!(2))]).await.expect("saves");
        let snap = store.load().await.expect("loads");
        assert_eq!((snap.lookup("a"), snap.lookup("b")), (Some(&json!(1)), Some(&json!(2))));
        assert_eq!(store.get(Bag::Metadata, "b"), Some(json!(2)));
        assert!(!format!("{store:?}").contains('1'));
    }

    #[test]
    fn store_errors_say_whether_to_retry() {
        assert!(StoreError::retryable("down").is_retryable());
        let e = StoreError::permanent("rejected").with_source(std::io::Error::other("disk"));
        assert!(!e.is_retryable());
        assert!(std::error::Error::source(&e).is_some());
    }
}
