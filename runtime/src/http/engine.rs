//! Executing request descriptors: rendering, sending, retrying, refreshing tokens, mapping.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::{Map, Value};
use tracing::Instrument;

use super::Call;
use super::retry::parse_retry_after;
use crate::Error;
use crate::app::Shared;
use crate::app::installs::InstallState;
use crate::error::excerpt;
use crate::rt::path;
use crate::rt::template::{self, Scope, Tpl};
use crate::rt::{App, BodyType, Extract, Method, RequestTemplate, SourceTemplate, Vars};
use crate::store::{Bag, Snapshot, Store, Write};

/// Executes an app's request templates for one install: what every install shares is in the
/// app's shared part, what this install keeps between handles in its install state (both held by
/// the app), and its store and unsaved values here.
pub struct Engine {
    shared: Arc<Shared>,
    state: Arc<InstallState>,
    store: Arc<dyn Store>,
    /// Values not yet in the store: those given to the builder, and token responses whose save
    /// failed. They are written before the next load, so none is ever dropped.
    unsaved: tokio::sync::Mutex<Vec<Write>>,
    /// Whether `unsaved` may hold anything (checked without the lock on every call).
    dirty: AtomicBool,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("app", &self.shared.app.ns)
            .field("install", &self.state.id)
            .field("base_url", &self.shared.settings.base_url.as_ref().map(|u| u.origin().ascii_serialization()))
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// The engine of `install` of the app `shared`. `initial` values (the credentials given to a
    /// client builder) are written to the store before the first request.
    pub(crate) fn new(shared: Arc<Shared>, install: &str, store: Arc<dyn Store>, initial: Vec<Write>) -> Self {
        let state = shared.installs.state(install);
        Engine { shared, state, store, dirty: AtomicBool::new(!initial.is_empty()), unsaved: tokio::sync::Mutex::new(initial) }
    }

    fn configured(&self, t: &RequestTemplate) -> Result<(), Error> {
        match &self.shared.misconfigured {
            Some(message) => Err(Error::Config { request: describe(t), message: message.clone() }),
            None => Ok(()),
        }
    }

    pub(crate) fn dedupe(&self) -> &dyn crate::webhook::Dedupe {
        &*self.shared.dedupe
    }

    /// The install this engine serves.
    pub fn install(&self) -> &str {
        &self.state.id
    }

    /// App-wide config values for `key`, current first: the builder's, else the definition's
    /// non-empty `auth.config` default.
    pub(crate) fn config_values(&self, key: &str) -> Vec<&str> {
        match self.shared.settings.config.iter().find(|(k, _)| k == key) {
            Some((_, values)) => values.iter().map(crate::Secret::expose).collect(),
            None => self.shared.app.config.iter().filter(|(k, _)| *k == key).map(|(_, v)| *v).collect(),
        }
    }

    pub fn store(&self) -> &dyn Store {
        &*self.store
    }

    /// Reads the install's credentials and metadata once (after writing any unsaved values).
    pub async fn snapshot(&self, request: &str) -> Result<Snapshot, Error> {
        self.flush(request).await?;
        let loaded = match self.store.load_now() {
            Some(loaded) => loaded,
            None => self.store.load().await,
        };
        loaded.map_err(|source| Error::Store { request: request.to_string(), source })
    }

    /// Writes the values the store does not have yet.
    async fn flush(&self, request: &str) -> Result<(), Error> {
        if !self.dirty.load(Ordering::Acquire) {
            return Ok(());
        }
        let mut unsaved = self.unsaved.lock().await;
        if !unsaved.is_empty() {
            self.store.save(&unsaved).await.map_err(|source| Error::Store { request: request.to_string(), source })?;
            unsaved.clear();
        }
        self.dirty.store(false, Ordering::Release);
        Ok(())
    }

    /// Writes a token response into `bag` in one batch. On failure the values are kept (after
    /// any older unsaved ones, so the newest win) and written before the next call.
    pub async fn save(&self, request: &str, bag: Bag, values: &Vars) -> Result<(), Error> {
        if values.is_empty() {
            return Ok(());
        }
        let mut unsaved = self.unsaved.lock().await;
        unsaved.extend(values.iter().map(|(k, v)| (bag, k.to_string(), v.clone())));
        match self.store.save(&unsaved).await {
            Ok(()) => {
                unsaved.clear();
                self.dirty.store(false, Ordering::Release);
                Ok(())
            }
            Err(source) => {
                self.dirty.store(true, Ordering::Release);
                tracing::warn!(request, error = %source, "could not save a token response; it will be written before the next call");
                Err(Error::Store { request: request.to_string(), source })
            }
        }
    }

    pub fn app(&self) -> &'static App {
        self.shared.app
    }

    /// Starts an action run: waits for the rate limiter, then seeds the variables with the input
    /// and the parameters' defaults.
    pub async fn begin(&self, action: &str, input: &impl Serialize, defaults: &[(&'static str, Tpl)]) -> Result<Call<'_>, Error> {
        if let Some(limiter) = &self.state.limiter {
            limiter.acquire().await;
        }
        let snapshot = self.snapshot(action).await?;
        let system = self.system(&[], &snapshot);
        let mut vars = Vars::from_fields(input).map_err(Error::Input)?;
        vars.retain(|_, v| {
            whole_numbers_as_integers(v);
            !v.is_null()
        });
        for (key, default) in defaults {
            if !vars.contains_key(key) {
                let value = template::render_value(default, &self.scope(&Vars::new(), &snapshot, &system), key)?;
                vars.insert(*key, value);
            }
        }
        Ok(Call { engine: self, vars, result: Vars::new(), pending: None, snapshot, system })
    }

    fn system(&self, extra: &[(&'static str, String)], snapshot: &Snapshot) -> Vec<(&'static str, String)> {
        let mut system: Vec<(&'static str, String)> = extra.to_vec();
        let s = &self.shared.settings;
        for (k, v) in [("webhookUrl", &s.webhook_url), ("subdomain", &s.subdomain), ("redirect_uri", &s.redirect_uri)] {
            if let Some(v) = v {
                system.push((k, v.clone()));
            }
        }
        if let Some(uid) = snapshot.get(Bag::Metadata, "uid") {
            system.push(("uid", template::stringify(uid)));
        }
        system
    }

    pub(super) fn scope<'a>(&'a self, vars: &'a Vars, snapshot: &'a Snapshot, system: &'a [(&'static str, String)]) -> Scope<'a> {
        Scope {
            vars,
            store: snapshot,
            overrides: &self.shared.settings.config,
            config: self.shared.app.config,
            system,
            origins: self.shared.app.stored,
        }
    }

    /// The values of every sensitive key, to mask them in error excerpts.
    fn secrets(&self, snapshot: &Snapshot) -> Vec<String> {
        let stored = self.shared.app.sensitive_keys.iter().filter_map(|k| snapshot.lookup(k)).map(template::stringify);
        let config = self.shared.settings.config.iter().flat_map(|(_, values)| values.iter().map(|v| v.expose().to_string()));
        stored.chain(config).collect()
    }

    /// The values of the headers built from a secret (`Basic base64(id:secret)`, `Bearer …`),
    /// whole and without their scheme, to mask them in error excerpts whatever encoding they got.
    /// Rendered again only when an excerpt is made.
    fn header_masks(&self, t: &RequestTemplate, scope: &Scope<'_>) -> Vec<String> {
        let secret = |segs: &[template::Seg]| {
            segs.iter().any(|s| matches!(s, template::Seg::Ref(_, key) if self.shared.app.sensitive_keys.contains(key)))
        };
        let mut masks = Vec::new();
        for (name, segs) in t.headers.iter().filter(|(_, segs)| secret(segs)) {
            if let Ok(value) = template::render_header(name, segs, scope, t.name) {
                masks.extend(value.split_once(' ').map(|(_, credential)| credential.to_string()));
                masks.push(value);
            }
        }
        masks
    }

    /// Renders only the URL of a request (e.g. the OAuth authorize URL).
    pub async fn render_url(&self, t: &RequestTemplate, extra: &[(&'static str, String)]) -> Result<reqwest::Url, Error> {
        self.configured(t)?;
        let snapshot = self.snapshot(t.name).await?;
        let system = self.system(extra, &snapshot);
        template::render_url_to(&t.url, &self.scope(&Vars::new(), &snapshot, &system), t.name, &self.shared.target)
    }

    fn build(
        &self,
        t: &RequestTemplate,
        vars: &Vars,
        snapshot: &Snapshot,
        system: &[(&'static str, String)],
        at: At<'_>,
    ) -> Result<reqwest::RequestBuilder, Error> {
        self.configured(t)?;
        let scope = self.scope(vars, snapshot, system);
        let mut url = template::render_url_to(&t.url, &scope, t.name, &self.shared.target)?;
        if !t.query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for (k, v) in t.query {
                pairs.append_pair(k, &template::render_str(v, &scope, t.name)?);
            }
        }
        let url = at.apply(url, || describe(t))?;
        let http = match &self.shared.http {
            Ok(http) => http,
            Err(message) => {
                let message = format!("the HTTP client could not be built: {message}");
                return Err(Error::Transport { request: describe(t), message, source: None });
            }
        };
        let mut req = http.request(t.method.as_reqwest(), url);
        let mut has_content_type = false;
        for (name, segs) in t.headers {
            if name.eq_ignore_ascii_case("content-type") {
                if t.body_type == BodyType::Multipart {
                    continue; // the multipart boundary must come from the encoder
                }
                has_content_type = true;
            }
            req = req.header(*name, template::render_header(name, segs, &scope, t.name)?);
        }
        // A JSON object or array is written straight from the template.
        if t.body_type == BodyType::Json
            && let Some(tpl @ (Tpl::Obj([_, ..]) | Tpl::Arr(_))) = &t.body
        {
            let mut bytes = Vec::with_capacity(256);
            template::write_json(tpl, &scope, t.name, &mut bytes)?;
            if !has_content_type {
                req = req.header("content-type", "application/json");
            }
            return Ok(req.body(bytes));
        }
        let body = match &t.body {
            Some(tpl) => template::render_value(tpl, &scope, t.name)?,
            None => Value::Null,
        };
        let empty = match &body {
            Value::Null => true,
            Value::Object(m) => m.is_empty() && matches!(t.method, Method::Get | Method::Delete),
            _ => false,
        };
        if !empty {
            req = match t.body_type {
                BodyType::Json => {
                    let bytes =
                        serde_json::to_vec(&body).map_err(|e| Error::Template { request: t.name.into(), message: e.to_string() })?;
                    if !has_content_type {
                        req = req.header("content-type", "application/json");
                    }
                    req.body(bytes)
                }
                BodyType::Form => {
                    let mut form = form_urlencoded::Serializer::new(String::new());
                    for (k, v) in body.as_object().into_iter().flatten().filter(|(_, v)| !v.is_null()) {
                        form.append_pair(k, &template::stringify(v));
                    }
                    if !has_content_type {
                        req = req.header("content-type", "application/x-www-form-urlencoded");
                    }
                    req.body(form.finish())
                }
                BodyType::Multipart => {
                    let mut form = reqwest::multipart::Form::new();
                    for (k, v) in body.as_object().into_iter().flatten().filter(|(_, v)| !v.is_null()) {
                        form = form.text(k.clone(), template::stringify(v));
                    }
                    req.multipart(form)
                }
            };
        }
        Ok(req)
    }

    /// Sends a request (with retries and, for refreshable requests, one refresh after a 401) and
    /// applies its mapping.
    ///
    /// `snapshot` is the call's view of the store; it is read again after a refresh.
    pub async fn execute(
        &self,
        t: &RequestTemplate,
        vars: &Vars,
        snapshot: &mut Snapshot,
        extra: &[(&'static str, String)],
    ) -> Result<Vars, Error> {
        let body = self.fetch_bytes(t, vars, snapshot, extra, None).await?;
        if !t.mapping.entries.iter().any(|(_, e)| matches!(e, Extract::Path(_))) {
            return Ok(t.mapping.apply(&Value::Null));
        }
        t.mapping.read(&body).map_err(|e| Error::Decode {
            request: describe(t),
            line: e.line(),
            column: e.column(),
            message: e.message().to_string(),
        })
    }

    /// Sends a request and returns its JSON response.
    pub async fn fetch(
        &self,
        t: &RequestTemplate,
        vars: &Vars,
        snapshot: &mut Snapshot,
        extra: &[(&'static str, String)],
    ) -> Result<Value, Error> {
        let body = self.fetch_bytes(t, vars, snapshot, extra, None).await?;
        decode(&body, t)
    }

    /// Sends a request (retries, refresh, deadline as for [`Engine::fetch`]) and returns the
    /// bytes of its 2xx body, unparsed. `timeout` replaces the client's per-attempt timeout.
    pub async fn fetch_bytes(
        &self,
        t: &RequestTemplate,
        vars: &Vars,
        snapshot: &mut Snapshot,
        extra: &[(&'static str, String)],
        timeout: Option<Duration>,
    ) -> Result<Vec<u8>, Error> {
        let span = tracing::debug_span!("miniapp.request", ns = self.shared.app.ns, request = t.name);
        self.fetch_inner(t, vars, snapshot, extra, timeout, At::Template).instrument(span).await.map(|(body, _)| body)
    }

    /// [`Engine::fetch_bytes`] for a page of a list: the request goes where `at` says, and the
    /// response's headers come back with its body (a `Link` header names the next page).
    pub(crate) async fn fetch_at(
        &self,
        t: &RequestTemplate,
        vars: &Vars,
        snapshot: &mut Snapshot,
        timeout: Option<Duration>,
        at: At<'_>,
    ) -> Result<(Vec<u8>, http::HeaderMap), Error> {
        let span = tracing::debug_span!("miniapp.request", ns = self.shared.app.ns, request = t.name);
        self.fetch_inner(t, vars, snapshot, &[], timeout, at).instrument(span).await
    }

    /// Fetches an RPC dropdown source (docs/format.md §12): the array at `data` (the whole response
    /// when absent), each item mapped to `{ value, label }`; items without a value are skipped.
    pub async fn source(&self, s: &SourceTemplate) -> Result<Vec<super::SourceOption>, Error> {
        let mut snapshot = self.snapshot(s.request.name).await?;
        let response = self.fetch(&s.request, &Vars::new(), &mut snapshot, &[]).await?;
        let items = match s.data {
            Some(steps) => path::get(&response, steps),
            None => Some(&response),
        };
        let Some(Value::Array(items)) = items else {
            let at = s.data.map_or_else(|| "$".to_string(), path::display);
            return Err(Error::UnexpectedResponse {
                request: s.request.name.to_string(),
                message: format!("the options at `{at}` are not an array"),
            });
        };
        Ok(items
            .iter()
            .filter_map(|item| {
                let value = path::get(item, s.value).filter(|v| !v.is_null())?;
                let label = path::get(item, s.label).map_or_else(|| template::stringify(value), template::stringify);
                Some(super::SourceOption { value: template::stringify(value), label })
            })
            .collect())
    }

    async fn fetch_inner(
        &self,
        t: &RequestTemplate,
        vars: &Vars,
        snapshot: &mut Snapshot,
        extra: &[(&'static str, String)],
        timeout: Option<Duration>,
        at: At<'_>,
    ) -> Result<(Vec<u8>, http::HeaderMap), Error> {
        let timeout = timeout.unwrap_or(self.shared.settings.timeout);
        let mut system = self.system(extra, snapshot);
        let mut attempt = 0u32;
        let mut refreshed = false;
        // Values to mask in error excerpts besides the current secrets and what the request's
        // headers carry: the tokens a refresh replaced.
        let mut masks = Vec::new();
        let policy = &self.shared.settings.retry;
        let idempotent = !matches!(t.method, Method::Post | Method::Patch) || policy.retry_non_idempotent;
        let deadline = Instant::now() + self.shared.settings.deadline;
        loop {
            let generation = self.state.generation.load(Ordering::SeqCst);
            let req = self.build(t, vars, snapshot, &system, at)?;
            // What errors say the request was (built only when one is).
            let described = || describe(t);
            let remaining = deadline.saturating_duration_since(Instant::now());
            if remaining.is_zero() {
                return Err(Error::Timeout { request: described() });
            }
            // The attempt ends at its timeout or the deadline, whichever comes first: headers
            // and body alike (one timer, armed only while the attempt waits).
            let until = tokio::time::Instant::now() + remaining.min(timeout);
            // The failure, whether the provider cannot have acted on the request, and how long
            // it asked us to wait.
            let (failure, unsent, retry_after) = match before(until, req.send()).await {
                Err(failure) => failure.error(described()),
                Ok(mut resp) => {
                    let status = resp.status().as_u16();
                    let retry_after = parse_retry_after(resp.headers());
                    tracing::debug!(status, attempt, "response");
                    if (200..300).contains(&status) {
                        let limit = self.shared.settings.max_response_bytes;
                        // A slow or broken body is a failure like a slow or broken header: the
                        // same retry rules apply.
                        let headers = std::mem::take(resp.headers_mut());
                        match before(until, read_limited(&mut resp, limit)).await {
                            Ok(Some(body)) => return Ok((body, headers)),
                            Ok(None) => return Err(Error::ResponseTooLarge { request: described(), limit }),
                            Err(failure) => failure.error(described()),
                        }
                    } else {
                        if (300..400).contains(&status) {
                            let location = resp
                                .headers()
                                .get(reqwest::header::LOCATION)
                                .and_then(|l| l.to_str().ok())
                                .and_then(|l| resp.url().join(l).ok())
                                .map_or_else(|| "an unreadable location".to_string(), |u| redirect_target(resp.url(), &u));
                            return Err(Error::Redirect { request: described(), status, location });
                        }
                        if status == 401 && t.refreshable && self.shared.app.auto_refresh && !refreshed {
                            refreshed = true;
                            masks.extend(self.secrets(snapshot));
                            // The rare paths (this one and the error excerpt below) are boxed: a
                            // call's future, moved whole when it is spawned or blocked on, keeps
                            // only a pointer for them.
                            Box::pin(self.refresh(generation, snapshot)).await?;
                            // The new token is in the store (or about to be written there).
                            *snapshot = Box::pin(self.snapshot(t.name)).await?;
                            system = self.system(extra, snapshot);
                            continue;
                        }
                        match status {
                            401 | 403 => return Err(Error::Unauthorized { request: described(), status }),
                            429 => (Error::RateLimited { request: described(), retry_after }, true, retry_after),
                            _ => {
                                // Only what the excerpt keeps is downloaded; the connection is dropped.
                                let body = Box::pin(read_prefix(&mut resp, crate::BODY_EXCERPT_LIMIT * 2, until)).await;
                                let unsent = status == 503 && retry_after.is_some();
                                let mut secrets = self.secrets(snapshot);
                                secrets.extend(masks.iter().cloned());
                                secrets.extend(self.header_masks(t, &self.scope(vars, snapshot, &system)));
                                (Error::Status { request: described(), status, body: excerpt(&body, &secrets) }, unsent, retry_after)
                            }
                        }
                    }
                }
            };
            if failure.is_retryable() && (idempotent || unsent) && attempt < policy.max_retries {
                let delay = retry_after.map_or_else(|| policy.backoff(attempt), |d| d.min(policy.max_delay));
                // A wait that would end past the deadline is not worth starting.
                if Instant::now() + delay < deadline {
                    tracing::debug!(attempt, error = %failure, "retrying");
                    tokio::time::sleep(delay).await;
                    attempt += 1;
                    continue;
                }
            }
            return Err(failure);
        }
    }

    /// Runs the refresh request once for all the requests that saw a 401 with token generation
    /// `seen` (made from the store as `used`), and saves its object mapping in the credentials
    /// (one batch). With a cross-process lock, one refresh per install across processes.
    ///
    /// If the save fails, this returns [`Error::Store`]; the new tokens are kept by the engine and
    /// written before its next call (waiting requests then use them without refreshing again).
    async fn refresh(&self, seen: u64, used: &Snapshot) -> Result<(), Error> {
        let _guard = self.state.refresh_lock.lock().await;
        if self.state.generation.load(Ordering::SeqCst) != seen {
            return Ok(()); // another request refreshed while we waited
        }
        let Some(t) = self.shared.app.refresh else { return Ok(()) };
        let Some(shared) = &self.shared.refresh_lock else { return self.refresh_now(t).await };
        let store_error = |source| Error::Store { request: t.name.to_string(), source };
        let (ns, install) = (self.shared.app.ns, self.install());
        // The lock outlives the refresh request with all its retries.
        let ttl = self.shared.settings.deadline + Duration::from_secs(5);
        let started = Instant::now();
        let mut wait = Duration::from_millis(20);
        loop {
            // Tokens other than the ones that got the 401: another process has refreshed.
            let refreshed_elsewhere = |now: &Snapshot| now.bag(Bag::Credentials) != used.bag(Bag::Credentials);
            match shared.try_lock(ns, install, ttl).await.map_err(store_error)? {
                Some(token) => {
                    let outcome = match self.snapshot(t.name).await {
                        Ok(now) if refreshed_elsewhere(&now) => {
                            self.state.generation.fetch_add(1, Ordering::SeqCst);
                            Ok(())
                        }
                        Ok(_) => self.refresh_now(t).await,
                        Err(e) => Err(e),
                    };
                    if let Err(error) = shared.unlock(ns, install, &token).await {
                        tracing::warn!(%error, "could not release the refresh lock; it expires by itself");
                    }
                    return outcome;
                }
                None => {
                    // Another process is refreshing: wait for its tokens.
                    if started.elapsed() > ttl {
                        return Err(Error::Timeout { request: format!("{} (waiting for another process's refresh)", t.name) });
                    }
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(Duration::from_millis(200));
                    if refreshed_elsewhere(&self.snapshot(t.name).await?) {
                        self.state.generation.fetch_add(1, Ordering::SeqCst);
                        return Ok(());
                    }
                }
            }
        }
    }

    /// Runs the refresh request and saves its tokens.
    async fn refresh_now(&self, t: &'static RequestTemplate) -> Result<(), Error> {
        let mut snapshot = self.snapshot(t.name).await?;
        let out = Box::pin(self.execute(t, &Vars::new(), &mut snapshot, &[])).await?;
        // The provider has issued new tokens: from now on they are the ones to use, saved or not.
        self.state.generation.fetch_add(1, Ordering::SeqCst);
        self.save(t.name, Bag::Credentials, &out).await?;
        tracing::debug!("token refreshed");
        Ok(())
    }

    /// Runs the refresh request now (e.g. on a schedule).
    pub async fn force_refresh(&self) -> Result<(), Error> {
        let current = self.snapshot("refresh_token").await?;
        self.refresh(self.state.generation.load(Ordering::SeqCst), &current).await
    }

    /// Runs an auth request (`get_token`, `userDetails`, a registration request, `test_token`) and
    /// persists its object mapping into `bag` when given.
    pub async fn run_auth(
        &self,
        t: &RequestTemplate,
        bag: Option<Bag>,
        extra: &[(&'static str, String)],
    ) -> Result<Map<String, Value>, Error> {
        let mut snapshot = self.snapshot(t.name).await?;
        let out = self.execute(t, &Vars::new(), &mut snapshot, extra).await?;
        if let Some(bag) = bag {
            self.save(t.name, bag, &out).await?;
        }
        Ok(out.into_map())
    }
}

/// `number` parameters are `f64` in Rust; a whole value such as `2.0` is sent as `2`, as the
/// JSON the provider expects (in URLs, forms and JSON bodies alike).
fn whole_numbers_as_integers(value: &mut Value) {
    match value {
        Value::Number(n) if n.is_f64() => {
            if let Some(f) = n.as_f64()
                && f.fract() == 0.0
                && f.abs() < 9_007_199_254_740_992.0
            {
                *value = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(whole_numbers_as_integers),
        Value::Object(map) => map.values_mut().for_each(whole_numbers_as_integers),
        _ => {}
    }
}

/// Why an attempt got no (whole) response: its time ran out, or the transport failed.
enum Failure {
    Elapsed,
    Failed(reqwest::Error),
}

impl From<reqwest::Error> for Failure {
    fn from(e: reqwest::Error) -> Self {
        Failure::Failed(e)
    }
}

impl Failure {
    /// The error for `request`, whether the provider cannot have acted on it (the connection
    /// was never made), and no `Retry-After`.
    fn error(self, request: String) -> (Error, bool, Option<Duration>) {
        match self {
            Failure::Elapsed => (Error::Timeout { request }, false, None),
            Failure::Failed(e) if e.is_timeout() => (Error::Timeout { request }, false, None),
            Failure::Failed(e) => {
                let unsent = e.is_connect();
                (transport(request, e), unsent, None)
            }
        }
    }
}

/// A transport error that keeps its cause: the message names the root cause ("connection
/// refused"), and `source()` is the whole chain. The URL is dropped first (its query may hold a
/// secret); the causes below reqwest's error (hyper's, the OS's) carry none.
fn transport(request: String, e: reqwest::Error) -> Error {
    let e = e.without_url();
    let mut message = e.to_string();
    let mut root: &(dyn std::error::Error + 'static) = &e;
    while let Some(next) = root.source() {
        root = next;
    }
    if !std::ptr::addr_eq(root, &e) {
        message = format!("{message}: {}", lowercase_first(&root.to_string()));
    }
    Error::Transport { request, message, source: Some(Box::new(e)) }
}

/// "Connection refused (os error 111)" reads as "connection refused (os error 111)" after a colon.
fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_lowercase().chain(chars).collect()).unwrap_or_default()
}

/// `work`, unless `until` comes first.
async fn before<T, E: Into<Failure>>(until: tokio::time::Instant, work: impl Future<Output = Result<T, E>>) -> Result<T, Failure> {
    tokio::time::timeout_at(until, work).await.map_err(|_| Failure::Elapsed)?.map_err(Into::into)
}

/// The body, unless it is longer than `limit` bytes (then `None`, and the rest is not read).
async fn read_limited(resp: &mut reqwest::Response, limit: usize) -> Result<Option<Vec<u8>>, Failure> {
    if resp.content_length().is_some_and(|n| n > limit as u64) {
        return Ok(None);
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        if body.len() + chunk.len() > limit {
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(body))
}

/// At most the first `limit` bytes of a body; a read error or the time running out ends it early.
async fn read_prefix(resp: &mut reqwest::Response, limit: usize, until: tokio::time::Instant) -> Vec<u8> {
    let mut body = Vec::new();
    while body.len() < limit {
        match tokio::time::timeout_at(until, resp.chunk()).await {
            Ok(Ok(Some(chunk))) => body.extend_from_slice(&chunk[..chunk.len().min(limit - body.len())]),
            _ => break,
        }
    }
    body
}

fn decode(body: &[u8], t: &RequestTemplate) -> Result<Value, Error> {
    serde_json::from_slice(body).map_err(|e| Error::Decode {
        request: describe(t),
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })
}

/// How errors name a request: its name, method and path pattern (never values).
fn describe(t: &RequestTemplate) -> String {
    format!("{} ({} {})", t.name, t.method, t.url.path_pattern())
}

/// Where a request goes: its template's URL, or, for a list's later pages, that URL changed as
/// the provider said.
#[derive(Clone, Copy, Debug)]
pub(crate) enum At<'a> {
    /// The template's URL.
    Template,
    /// The template's URL with query parameter `.0` set to `.1` (a cursor).
    Param(&'a str, &'a str),
    /// A URL the provider gave (absolute, or relative to the template's URL), which must keep the
    /// template URL's origin: credentials never go anywhere else.
    Url(&'a str),
}

impl At<'_> {
    fn apply(self, mut url: reqwest::Url, request: impl Fn() -> String) -> Result<reqwest::Url, Error> {
        match self {
            At::Template => Ok(url),
            At::Param(name, value) => {
                let kept: Vec<(String, String)> =
                    url.query_pairs().filter(|(k, _)| k != name).map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
                url.query_pairs_mut().clear().extend_pairs(kept).append_pair(name, value);
                Ok(url)
            }
            At::Url(given) => {
                let Ok(next) = url.join(given) else {
                    return Err(Error::UnexpectedResponse {
                        request: request(),
                        message: "the next-page URL the provider gave is not a URL".to_string(),
                    });
                };
                if next.origin() != url.origin() {
                    return Err(Error::ForeignUrl { request: request(), origin: next.origin().ascii_serialization() });
                }
                Ok(next)
            }
        }
    }
}

/// What a redirect error shows of its target: the path and query when it stays on the request's
/// origin (so `/api/orders` → `/api/orders/` says "add the slash"), only the origin otherwise.
fn redirect_target(from: &reqwest::Url, to: &reqwest::Url) -> String {
    if to.origin() != from.origin() {
        return to.origin().ascii_serialization();
    }
    match to.query() {
        Some(query) => format!("{}?{query} (same origin)", to.path()),
        None => format!("{} (same origin)", to.path()),
    }
}
