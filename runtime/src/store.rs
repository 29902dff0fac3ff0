//! Where an install's `credentials` and `metadata` live (FORMAT.md §5.4).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::RwLock;

use serde_json::Value;

/// The bag a stored value belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Bag {
    /// Tokens, secrets, outputs of `get_token` / `refresh_token` / registration requests.
    Credentials,
    /// The result of `userDetails`.
    Metadata,
}

/// A credential store. Implement it to keep tokens in your database; refreshed tokens are written
/// back through [`Store::set`], so they are never lost. `[[key]]` reads credentials, then
/// metadata (credentials win).
pub trait Store: Send + Sync {
    fn get(&self, bag: Bag, key: &str) -> Option<Value>;
    fn set(&self, bag: Bag, key: &str, value: Value);

    /// `[[key]]`: credentials first, then metadata.
    fn lookup(&self, key: &str) -> Option<Value> {
        self.get(Bag::Credentials, key).or_else(|| self.get(Bag::Metadata, key))
    }
}

/// The default in-memory store. Its `Debug` shows keys, never values.
#[derive(Default)]
pub struct MemoryStore {
    values: RwLock<BTreeMap<(Bag, String), Value>>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }
}

impl Store for MemoryStore {
    fn get(&self, bag: Bag, key: &str) -> Option<Value> {
        let values = self.values.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        values.get(&(bag, key.to_string())).cloned()
    }

    fn set(&self, bag: Bag, key: &str, value: Value) {
        let mut values = self.values.write().unwrap_or_else(|poisoned| poisoned.into_inner());
        values.insert((bag, key.to_string()), value);
    }
}

impl fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let values = self.values.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        f.debug_set().entries(values.keys().map(|(bag, key)| format!("{bag:?}.{key}"))).finish()
    }
}
