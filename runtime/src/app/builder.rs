//! Building what every install shares ([`AppBuilder`]) and making each install's client from it
//! ([`Tenancy`]).

use std::sync::Arc;
use std::time::Duration;

use super::{Settings, Shared};
use crate::builder::{Connector, IntoBaseUrl};
use crate::http::RetryPolicy;
use crate::store::Store;

/// Builds what every install of a connector shares: HTTP client, retries, deadlines, rate limit,
/// app-wide config and secrets, de-duplication store, refresh lock. The generated `AppBuilder`
/// wraps it (adding a typed setter per config key); `ClientBuilder` takes the same settings.
pub struct AppBuilder<C: Connector> {
    settings: Settings,
    dedupe: Option<Arc<dyn crate::webhook::Dedupe>>,
    refresh_lock: Option<Arc<dyn crate::RefreshLock>>,
    /// Why the settings are wrong, if they are (see [`AppBuilder::try_build`]).
    misconfigured: Option<String>,
    parts: C::Parts,
}

impl<C: Connector> std::fmt::Debug for AppBuilder<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The base URL's origin only: user info in it is a credential.
        let base_url = self.settings.base_url.as_ref().map(|u| u.origin().ascii_serialization());
        f.debug_struct("AppBuilder").field("app", &C::app().ns).field("base_url", &base_url).finish_non_exhaustive()
    }
}

impl<C: Connector> AppBuilder<C> {
    /// `parts`: what the clients need besides the engine (the App Functions implementation).
    pub fn new(parts: C::Parts) -> Self {
        AppBuilder { settings: Settings::default(), dedupe: None, refresh_lock: None, misconfigured: None, parts }
    }

    /// Keep processed webhook ids here (default: an in-memory store of this app's own, shared by
    /// its installs). Across replicas, use a shared one (`miniapp::redis::RedisDedupe`).
    pub fn dedupe(mut self, dedupe: Arc<dyn crate::webhook::Dedupe>) -> Self {
        self.dedupe = Some(dedupe);
        self
    }

    /// Refresh tokens under a lock shared by every process serving an install (e.g.
    /// `miniapp::redis::RedisRefreshLock`), so that replicas refresh an install once.
    pub fn refresh_lock(mut self, lock: Arc<dyn crate::RefreshLock>) -> Self {
        self.refresh_lock = Some(lock);
        self
    }

    /// An app-wide config value (docs/format.md §5.2 `auth.config`), e.g. a partner-level webhook
    /// signing secret: one value for every tenant, supplied at run time, never committed in the
    /// definition. It overrides the definition's default for `{{key}}` and webhook secrets. The
    /// generated builder has a typed setter per key the definition names.
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

    /// Sends every request to this origin instead: scheme, host and port are replaced, path and
    /// query kept (for tests against a local server, and proxies). Takes a [`crate::Url`] or
    /// text: `.base_url("http://127.0.0.1:3000")`. Text that is not an absolute `http(s)` URL
    /// with a host makes every request fail with [`crate::Error::Config`] (nothing is sent to
    /// the real provider), and `try_build` reports it up front.
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

    /// The HTTP client (and its connection pool) of every install (default: one client shared
    /// by the whole process, following no redirects). A client you pass keeps its own redirect
    /// policy.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.settings.http = Some(client);
        self
    }

    /// The largest response body read (default 16 MiB).
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
    /// response (default 30 s); the deadline bounds all attempts together.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.settings.timeout = timeout;
        self
    }

    /// When and how often a failed request is tried again (429, 5xx, transport errors).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.settings.retry = policy;
        self
    }

    /// At most `max` action runs per `per` and install (default: 30 per 60 s); `None` disables
    /// the limit. Every client handle of one install shares its limit.
    pub fn rate_limit(mut self, limit: Option<(usize, Duration)>) -> Self {
        self.settings.rate_limit = limit;
        self
    }

    /// This app's inbound webhook URL (`{{webhookUrl}}`).
    pub fn webhook_url(mut self, url: impl Into<String>) -> Self {
        self.settings.webhook_url = Some(url.into());
        self
    }

    /// The subdomain (`{{subdomain}}`).
    pub fn subdomain(mut self, subdomain: impl Into<String>) -> Self {
        self.settings.subdomain = Some(subdomain.into());
        self
    }

    /// The OAuth redirect URI (`{{redirect_uri}}`).
    pub fn redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.settings.redirect_uri = Some(uri.into());
        self
    }

    /// Builds what the installs share. Settings that are wrong (a base URL that is not one) make
    /// every request fail with [`crate::Error::Config`]; [`AppBuilder::try_build`] says so now.
    pub fn build(self) -> Tenancy<C> {
        let shared = Shared::new(C::app(), self.settings, self.dedupe, self.refresh_lock, self.misconfigured);
        Tenancy { shared: Arc::new(shared), parts: self.parts }
    }

    /// Builds what the installs share, or says why the settings are wrong.
    pub fn try_build(self) -> Result<Tenancy<C>, crate::Error> {
        match &self.misconfigured {
            Some(message) => Err(crate::Error::Config { request: "app".to_string(), message: message.clone() }),
            None => Ok(self.build()),
        }
    }
}

/// What every install of connector `C` shares, built once: the generated `App` wraps it, and
/// [`Tenancy::install`] makes one install's client.
pub struct Tenancy<C: Connector> {
    shared: Arc<Shared>,
    parts: C::Parts,
}

impl<C: Connector> Clone for Tenancy<C> {
    fn clone(&self) -> Self {
        Tenancy { shared: self.shared.clone(), parts: self.parts.clone() }
    }
}

impl<C: Connector> std::fmt::Debug for Tenancy<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tenancy").field("shared", &self.shared).finish_non_exhaustive()
    }
}

impl<C: Connector> Tenancy<C> {
    /// The client of `install`, reading and writing its credentials in `store`: a handle on what
    /// the installs share (no HTTP client, no TLS configuration is built), the install's state
    /// (rate limit, in-flight refresh: shared by every handle of the install), and the store.
    pub fn install(&self, install: &str, store: Arc<dyn Store>) -> C {
        C::assemble(self.shared.engine(install, store, Vec::new()), self.parts.clone())
    }

    /// The client of `install` with `initial` values written to its store before its first
    /// request (what `ClientBuilder` does with its credentials).
    pub(crate) fn install_with(&self, install: &str, store: Arc<dyn Store>, initial: Vec<crate::store::Write>) -> C {
        C::assemble(self.shared.engine(install, store, initial), self.parts.clone())
    }

    /// How many installs' state (rate limit, refresh) the app holds now: installs with a live
    /// handle or an action run within the rate-limit window, plus idle ones not yet swept.
    pub fn installs_held(&self) -> usize {
        self.shared.installs.len()
    }
}

/// The setters of [`AppBuilder`], forwarded by a builder that holds one in field `$inner` (the
/// generated `AppBuilder`, and `ClientBuilder`): one list, so both builders take the same
/// settings.
#[doc(hidden)]
#[macro_export]
macro_rules! app_settings {
    ($inner:ident) => {
        $crate::app_settings!(@forward $inner;
            /// See [`miniapp::AppBuilder::dedupe`]: where processed webhook ids are kept.
            dedupe(dedupe: ::std::sync::Arc<dyn $crate::webhook::Dedupe>);
            /// See [`miniapp::AppBuilder::refresh_lock`]: one refresh per install across processes.
            refresh_lock(lock: ::std::sync::Arc<dyn $crate::RefreshLock>);
            /// See [`miniapp::AppBuilder::config`]: an app-wide config value.
            config(key: impl ::std::convert::Into<::std::string::String>, value: impl ::std::convert::Into<$crate::Secret>);
            /// See [`miniapp::AppBuilder::base_url`]: send every request to this origin instead.
            base_url(url: impl $crate::IntoBaseUrl);
            /// See [`miniapp::AppBuilder::http_client`]: the HTTP client and its pool.
            http_client(client: $crate::reqwest::Client);
            /// See [`miniapp::AppBuilder::max_response_bytes`]: the largest response body read.
            max_response_bytes(limit: usize);
            /// See [`miniapp::AppBuilder::deadline`]: one deadline per request, all attempts.
            deadline(deadline: ::std::time::Duration);
            /// See [`miniapp::AppBuilder::timeout`]: the longest one attempt may take.
            timeout(timeout: ::std::time::Duration);
            /// See [`miniapp::AppBuilder::retry`]: when a failed request is tried again.
            retry(policy: $crate::RetryPolicy);
            /// See [`miniapp::AppBuilder::rate_limit`]: action runs per install.
            rate_limit(limit: ::std::option::Option<(usize, ::std::time::Duration)>);
            /// See [`miniapp::AppBuilder::webhook_url`]: `{{webhookUrl}}`.
            webhook_url(url: impl ::std::convert::Into<::std::string::String>);
            /// See [`miniapp::AppBuilder::subdomain`]: `{{subdomain}}`.
            subdomain(subdomain: impl ::std::convert::Into<::std::string::String>);
            /// See [`miniapp::AppBuilder::redirect_uri`]: `{{redirect_uri}}`.
            redirect_uri(uri: impl ::std::convert::Into<::std::string::String>);
        );

        /// See [`miniapp::AppBuilder::config_rotating`]: a config value being rotated, current first.
        pub fn config_rotating<S: ::std::convert::Into<$crate::Secret>>(
            mut self,
            key: impl ::std::convert::Into<::std::string::String>,
            values: impl ::std::iter::IntoIterator<Item = S>,
        ) -> Self {
            self.$inner = self.$inner.config_rotating(key, values);
            self
        }
    };
    (@forward $inner:ident; $($(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty),*);)*) => {
        $(
            $(#[$doc])*
            pub fn $name(mut self, $($arg: $ty),*) -> Self {
                self.$inner = self.$inner.$name($($arg),*);
                self
            }
        )*
    };
}
