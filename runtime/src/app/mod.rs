//! What every install of a connector shares, and what each install keeps between its handles.
//!
//! A platform serves many installs (tenants) of one connector in one process. What they share —
//! the HTTP client and its connection pool, the [`Settings`], the App Functions, the
//! de-duplication store and the cross-process refresh lock — is built once, in a [`Shared`]; the
//! generated `App` holds it, and `App::install(id, store)` makes a client that is a handle of a
//! few words: the shared part, the install's store and its [`installs::InstallState`] (its action
//! rate limit and its single in-flight token refresh), which the `Shared` keeps by install id so
//! that every handle of one install shares it, and forgets once it is idle.

mod builder;
pub(crate) mod installs;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

pub use builder::{AppBuilder, Tenancy};

use crate::http::{Engine, RetryPolicy};
use crate::rt::App;
use crate::rt::template::Target;
use crate::store::{Store, Write};

/// What every install of a connector is configured with (set with the generated `AppBuilder`, or
/// `ClientBuilder` for one install).
#[derive(Clone, Debug)]
pub struct Settings {
    /// Send every request to this origin instead (scheme, host and port are replaced; path and
    /// query kept). For tests and proxies.
    pub base_url: Option<reqwest::Url>,
    /// The longest one attempt may take, sending to the last byte of the response (default 30 s).
    pub timeout: Duration,
    pub retry: RetryPolicy,
    /// `Some((max, per))`: at most `max` action runs per `per`.
    pub rate_limit: Option<(usize, Duration)>,
    /// This app's inbound webhook URL (`{{webhookUrl}}`).
    pub webhook_url: Option<String>,
    /// The tenant's subdomain (`{{subdomain}}`).
    pub subdomain: Option<String>,
    /// The OAuth redirect URI (`{{redirect_uri}}`).
    pub redirect_uri: Option<String>,
    /// The HTTP client. The default one, shared by every app of the process, follows no redirects
    /// (a 3xx is [`crate::Error::Redirect`]), so a credential never reaches another host; a client
    /// you pass keeps its own policy.
    pub http: Option<reqwest::Client>,
    /// The largest response body read (default 16 MiB); a larger one is
    /// [`crate::Error::ResponseTooLarge`], and is not downloaded past the limit.
    pub max_response_bytes: usize,
    /// One deadline for a whole request, across its attempts and the waits between them
    /// (default 60 s); each attempt also has `timeout`.
    pub deadline: Duration,
    /// App-wide config values (e.g. a partner-level webhook signing secret), current first,
    /// overriding the definition's `auth.config` defaults.
    pub config: Vec<(String, Vec<crate::Secret>)>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            base_url: None,
            timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            rate_limit: Some((30, Duration::from_secs(60))),
            webhook_url: None,
            subdomain: None,
            redirect_uri: None,
            http: None,
            max_response_bytes: 16 << 20,
            deadline: Duration::from_secs(60),
            config: Vec::new(),
        }
    }
}

/// Makes the client of one install: implemented by each generated `App` (and by [`Tenancy`]), so
/// a webhook receiver ([`crate::webhook::axum::app_receiver`]) or a worker can serve every install
/// of an app.
pub trait Installs: Clone + Send + Sync + 'static {
    /// The generated `Client`.
    type Client;
    /// The client of `install`, whose credentials live in `store`.
    fn install(&self, install: &str, store: Arc<dyn Store>) -> Self::Client;
}

impl<C: crate::Connector + 'static> Installs for Tenancy<C> {
    type Client = C;
    fn install(&self, install: &str, store: Arc<dyn Store>) -> C {
        Tenancy::install(self, install, store)
    }
}

/// What every install of one connector shares. Built once per app (by the generated
/// `AppBuilder`, or by a `ClientBuilder` for its one install).
pub(crate) struct Shared {
    pub(crate) app: &'static App,
    /// The HTTP client, or why it could not be built (reported by every request, never a panic).
    pub(crate) http: Result<reqwest::Client, String>,
    pub(crate) settings: Settings,
    /// Where processed webhook transaction ids live.
    pub(crate) dedupe: Arc<dyn crate::webhook::Dedupe>,
    /// The lock that makes one refresh per install across processes, if any.
    pub(crate) refresh_lock: Option<Arc<dyn crate::RefreshLock>>,
    /// Why the app is misconfigured (a base URL that is not one), reported by every request.
    pub(crate) misconfigured: Option<String>,
    /// Where requests go instead of the definition's origin (`Settings::base_url`).
    pub(crate) target: Target,
    /// Each install's state, by install id.
    pub(crate) installs: installs::InstallStates,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The base URL's origin only: user info in it is a credential.
        let base_url = self.settings.base_url.as_ref().map(|u| u.origin().ascii_serialization());
        f.debug_struct("Shared")
            .field("app", &self.app.ns)
            .field("base_url", &base_url)
            .field("installs", &self.installs.len())
            .finish_non_exhaustive()
    }
}

impl Shared {
    pub(crate) fn new(
        app: &'static App,
        mut settings: Settings,
        dedupe: Option<Arc<dyn crate::webhook::Dedupe>>,
        refresh_lock: Option<Arc<dyn crate::RefreshLock>>,
        misconfigured: Option<String>,
    ) -> Self {
        let http = match settings.http.take() {
            Some(client) => Ok(client),
            None => default_http(),
        };
        let installs = installs::InstallStates::new(settings.rate_limit);
        let target = Target::new(settings.base_url.clone());
        Shared {
            app,
            http,
            settings,
            dedupe: dedupe.unwrap_or_else(|| Arc::new(crate::webhook::MemoryDedupe::default())),
            refresh_lock,
            misconfigured,
            target,
            installs,
        }
    }

    /// The engine of one install: a handle on this app, the install's state and its store.
    pub(crate) fn engine(self: &Arc<Self>, install: &str, store: Arc<dyn Store>, initial: Vec<Write>) -> Engine {
        Engine::new(self.clone(), install, store, initial)
    }
}

/// The HTTP client of every app that was given none: one per process, so installs and apps share
/// its connection pool and TLS configuration (building one costs about a millisecond and 100 KB).
/// It follows no redirects and sends no `Referer`; timeouts are the engine's own (per attempt
/// and per call).
fn default_http() -> Result<reqwest::Client, String> {
    static CLIENT: OnceLock<Result<reqwest::Client, String>> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .referer(false)
                .build()
                .map_err(|e| e.without_url().to_string())
        })
        .clone()
}
