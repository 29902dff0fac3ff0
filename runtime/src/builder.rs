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
    /// Why the settings are wrong, if they are (see [`Builder::try_build`]).
    misconfigured: Option<String>,
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
        Builder {
            values,
            store: None,
            dedupe: None,
            refresh_lock: None,
            settings: Settings::default(),
            misconfigured: None,
            parts,
            _client: PhantomData,
        }
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

    /// An app-wide config value (docs/format.md §5.2 `auth.config`), e.g. a partner-level webhook
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
    /// Sends every request to this origin instead: scheme, host and port are replaced, path and
    /// query kept (for tests against a local server, and proxies). Takes a [`crate::Url`] or
    /// text: `.base_url("http://127.0.0.1:3000")`. Text that is not an absolute `http(s)` URL
    /// with a host makes every request fail with [`crate::Error::Config`] (nothing is sent to
    /// the real provider), and [`Builder::try_build`] reports it up front.
    pub fn base_url(mut self, url: impl IntoBaseUrl) -> Self {
        match url.into_base_url() {
            Ok(url) => {
                self.settings.base_url = Some(url);
                self.misconfigured = None;
            }
            Err(message) => self.misconfigured = Some(format!("invalid base URL: {message}")),
        }
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

    /// The longest one attempt may take, from sending the request to the last byte of its
    /// response (default 30 s); the deadline ([`Builder::deadline`]) bounds all attempts together.
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
        let misconfigured = self.misconfigured;
        let store = self.store.unwrap_or_else(|| Arc::new(MemoryStore::new()));
        let initial = self.values.into_iter().map(|(bag, key, value)| (bag, key.to_string(), value)).collect();
        let mut engine = Engine::new(C::APP, store, self.settings, initial);
        if let Some(dedupe) = self.dedupe {
            engine = engine.with_dedupe(dedupe);
        }
        if let Some(lock) = self.refresh_lock {
            engine = engine.with_refresh_lock(lock);
        }
        if let Some(message) = misconfigured {
            engine = engine.misconfigured(message);
        }
        C::assemble(engine, self.parts)
    }

    /// Builds the client, or says why its settings are wrong (e.g. a base URL that is not one)
    /// instead of letting every request fail.
    pub fn try_build(self) -> Result<C, crate::Error> {
        match &self.misconfigured {
            Some(message) => Err(crate::Error::Config { request: "client".to_string(), message: message.clone() }),
            None => Ok(self.build()),
        }
    }
}

/// What [`Builder::base_url`] accepts: a [`crate::Url`], or text parsed as one.
pub trait IntoBaseUrl {
    /// The URL, or why the text is not an absolute `http(s)` URL with a host.
    fn into_base_url(self) -> Result<crate::Url, String>;
}

impl IntoBaseUrl for crate::Url {
    fn into_base_url(self) -> Result<crate::Url, String> {
        Ok(self)
    }
}

impl IntoBaseUrl for &crate::Url {
    fn into_base_url(self) -> Result<crate::Url, String> {
        Ok(self.clone())
    }
}

impl IntoBaseUrl for &str {
    fn into_base_url(self) -> Result<crate::Url, String> {
        // The text is not repeated in the message: it could carry credentials (`user:pass@`).
        let url = crate::Url::parse(self).map_err(|e| format!("it does not parse ({e}); write e.g. `http://127.0.0.1:3000`"))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none_or(str::is_empty) {
            return Err("it is not an absolute http(s) URL with a host; write e.g. `http://127.0.0.1:3000`".to_string());
        }
        Ok(url)
    }
}

impl IntoBaseUrl for String {
    fn into_base_url(self) -> Result<crate::Url, String> {
        self.as_str().into_base_url()
    }
}

impl IntoBaseUrl for &String {
    fn into_base_url(self) -> Result<crate::Url, String> {
        self.as_str().into_base_url()
    }
}
