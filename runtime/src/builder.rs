//! One client builder for every generated connector (so none of them repeats it).

use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::http::{Engine, RetryPolicy, Settings};
use crate::rt::App;
use crate::store::{Bag, MemoryStore, Store};

/// Implemented by each generated `Client`.
pub trait Connector: Sized {
    /// What the definition declares.
    const APP: &'static App;
    /// What the client needs besides the engine (e.g. the App Functions implementation).
    type Parts;
    fn assemble(engine: Engine, parts: Self::Parts) -> Self;
}

/// Builds a generated `Client`: credentials, store, base-URL override, HTTP client, retry policy,
/// rate limit and the system values (`webhookUrl`, `subdomain`, `redirect_uri`).
pub struct Builder<C: Connector> {
    values: Vec<(Bag, &'static str, Value)>,
    store: Option<Arc<dyn Store>>,
    dedupe: Option<Arc<dyn crate::webhook::Dedupe>>,
    refresh_lock: Option<Arc<dyn crate::RefreshLock>>,
    settings: Settings,
    parts: C::Parts,
    _client: PhantomData<fn() -> C>,
}

impl<C: Connector> std::fmt::Debug for Builder<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The base URL's origin only: user info in it is a credential.
        let base_url = self.settings.base_url.as_ref().map(|u| u.origin().ascii_serialization());
        f.debug_struct("Builder").field("app", &C::APP.ns).field("base_url", &base_url).finish_non_exhaustive()
    }
}

impl<C: Connector> Builder<C> {
    /// `values` are the initial credentials and metadata (written into the store on `build`).
    pub fn new(values: Vec<(Bag, &'static str, Value)>, parts: C::Parts) -> Self {
        Builder { values, store: None, dedupe: None, refresh_lock: None, settings: Settings::default(), parts, _client: PhantomData }
    }

    /// Keep credentials in your own store (refreshed tokens are written back to it). Pass
    /// `Credentials::default()` to the builder when the store already holds the install.
    pub fn store(mut self, store: Arc<dyn Store>) -> Self {
        self.store = Some(store);
        self
    }

    /// The install this client serves: it scopes webhook de-duplication (default `default`).
    pub fn install(mut self, id: impl Into<String>) -> Self {
        self.settings.install = id.into();
        self
    }

    /// Keep processed webhook ids here (default: an in-memory store of this client's own). Share
    /// one store between the clients of every install; across replicas, use a shared one.
    pub fn dedupe(mut self, dedupe: Arc<dyn crate::webhook::Dedupe>) -> Self {
        self.dedupe = Some(dedupe);
        self
    }

    /// Refresh tokens under a lock shared by every process serving the install (e.g.
    /// `miniapp::redis::RedisRefreshLock`), so that replicas refresh an install once.
    pub fn refresh_lock(mut self, lock: Arc<dyn crate::RefreshLock>) -> Self {
        self.refresh_lock = Some(lock);
        self
    }

    /// An app-wide config value (FORMAT.md §5.2 `auth.config`), e.g. a partner-level webhook
    /// signing secret: one value for every tenant, supplied at run time, never committed in the
    /// definition. It overrides the definition's default for `{{key}}` and webhook secrets.
    pub fn config(self, key: impl Into<String>, value: impl Into<crate::Secret>) -> Self {
        self.config_rotating(key, [value])
    }

    /// A config value being rotated: `[current, previous, ...]`. Templates use the current one;
    /// webhook deliveries verify against any of them, and say which one matched.
    pub fn config_rotating<S: Into<crate::Secret>>(mut self, key: impl Into<String>, values: impl IntoIterator<Item = S>) -> Self {
        let key = key.into();
        let values: Vec<crate::Secret> = values.into_iter().map(Into::into).collect();
        self.settings.config.retain(|(k, _)| *k != key);
        self.settings.config.push((key, values));
        self
    }

    /// Send every request to this origin (tests, proxies).
    pub fn base_url(mut self, url: crate::Url) -> Self {
        self.settings.base_url = Some(url);
        self
    }

    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.settings.http = Some(client);
        self
    }

    /// The largest response body the client reads (default 16 MiB).
    pub fn max_response_bytes(mut self, limit: usize) -> Self {
        self.settings.max_response_bytes = limit;
        self
    }

    /// One deadline per request across its attempts and the waits between them (default 60 s);
    /// a `Retry-After` that would end past it is not waited for.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.settings.deadline = deadline;
        self
    }

    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.settings.timeout = timeout;
        self
    }

    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.settings.retry = policy;
        self
    }

    /// At most `max` action runs per `per` (default: 30 per 60 s); `None` disables the limit.
    pub fn rate_limit(mut self, limit: Option<(usize, Duration)>) -> Self {
        self.settings.rate_limit = limit;
        self
    }

    pub fn webhook_url(mut self, url: impl Into<String>) -> Self {
        self.settings.webhook_url = Some(url.into());
        self
    }

    pub fn subdomain(mut self, subdomain: impl Into<String>) -> Self {
        self.settings.subdomain = Some(subdomain.into());
        self
    }

    pub fn redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.settings.redirect_uri = Some(uri.into());
        self
    }

    /// Builds the client. The credentials given to [`Builder::new`] are written to the store
    /// (in one batch) before the client's first request; they replace what the store holds
    /// under the same keys.
    pub fn build(self) -> C {
        let store = self.store.unwrap_or_else(|| Arc::new(MemoryStore::new()));
        let initial = self.values.into_iter().map(|(bag, key, value)| (bag, key.to_string(), value)).collect();
        let mut engine = Engine::new(C::APP, store, self.settings, initial);
        if let Some(dedupe) = self.dedupe {
            engine = engine.with_dedupe(dedupe);
        }
        if let Some(lock) = self.refresh_lock {
            engine = engine.with_refresh_lock(lock);
        }
        C::assemble(engine, self.parts)
    }
}
