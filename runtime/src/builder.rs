//! One client builder for every generated connector (so none of them repeats it).

use std::marker::PhantomData;
use std::sync::Arc;

use serde_json::Value;

use crate::app::AppBuilder;
use crate::http::Engine;
use crate::rt::App;
use crate::store::{Bag, MemoryStore, Store};

/// Implemented by each generated `Client`.
pub trait Connector: Sized {
    /// What the definition declares (a static of the generated code; built at run time by a
    /// tool that interprets a definition).
    fn app() -> &'static App;
    /// What the client needs besides the engine (e.g. the App Functions implementation), shared
    /// by every install's client.
    type Parts: Clone + Send + Sync + 'static;
    fn assemble(engine: Engine, parts: Self::Parts) -> Self;
}

/// Builds a generated `Client` for one install: its credentials, store and install id, and the
/// settings an [`AppBuilder`] takes. For many installs in one process, build the generated `App`
/// once and make each install's client with `App::install`: this builder makes an app of one.
pub struct Builder<C: Connector> {
    values: Vec<(Bag, &'static str, Value)>,
    store: Option<Arc<dyn Store>>,
    install: String,
    app: AppBuilder<C>,
    _client: PhantomData<fn() -> C>,
}

impl<C: Connector> std::fmt::Debug for Builder<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Builder").field("install", &self.install).field("app", &self.app).finish_non_exhaustive()
    }
}

impl<C: Connector> Builder<C> {
    /// `values` are the initial credentials and metadata (written into the store on `build`).
    pub fn new(values: Vec<(Bag, &'static str, Value)>, parts: C::Parts) -> Self {
        Builder { values, store: None, install: "default".to_string(), app: AppBuilder::new(parts), _client: PhantomData }
    }

    /// Keep credentials in your own store (refreshed tokens are written back to it). Pass
    /// `Credentials::default()` to the builder when the store already holds the install.
    pub fn store(mut self, store: Arc<dyn Store>) -> Self {
        self.store = Some(store);
        self
    }

    /// The install this client serves: it scopes webhook de-duplication (default `default`).
    pub fn install(mut self, id: impl Into<String>) -> Self {
        self.install = id.into();
        self
    }

    crate::app_settings!(app);

    /// Builds the client. The credentials given to [`Builder::new`] are written to the store
    /// (in one batch) before the client's first request; they replace what the store holds
    /// under the same keys.
    pub fn build(self) -> C {
        let store = self.store.unwrap_or_else(|| Arc::new(MemoryStore::new()));
        let initial = self.values.into_iter().map(|(bag, key, value)| (bag, key.to_string(), value)).collect();
        self.app.build().install_with(&self.install, store, initial)
    }

    /// Builds the client, or says why its settings are wrong (e.g. a base URL that is not one)
    /// instead of letting every request fail.
    pub fn try_build(self) -> Result<C, crate::Error> {
        let store = self.store.unwrap_or_else(|| Arc::new(MemoryStore::new()));
        let initial = self.values.into_iter().map(|(bag, key, value)| (bag, key.to_string(), value)).collect();
        let app = self.app.try_build().map_err(|e| match e {
            crate::Error::Config { message, .. } => crate::Error::Config { request: "client".to_string(), message },
            other => other,
        })?;
        Ok(app.install_with(&self.install, store, initial))
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
