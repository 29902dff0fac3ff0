//! A mock provider that speaks one definition: an axum server on 127.0.0.1 that answers every
//! request the connector makes (action steps, the token, refresh and user-details requests,
//! sources, sync lists paged in the definition's own style, details), from what the test sets,
//! else the definition's samples, else values made up from the mapping; that records every
//! request with its secrets masked; and that injects faults on demand.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use serde_json::{Map, Value};

use super::put;
use crate::rt::path;
use crate::rt::template::{Seg, Src, Tpl, UrlSeg, UrlTemplate};
use crate::rt::{Extract, Method, RequestTemplate, SourceTemplate};
use crate::sync::{Paging, ResourceSpec};

/// What a generated connector tells its mock about itself (generated, in its `testing` module).
#[derive(Debug)]
pub struct Description {
    /// Each action with its HTTP steps (numbered from 1).
    pub actions: &'static [(&'static str, &'static [(usize, &'static RequestTemplate)])],
    /// The auth requests by their definition name (`auth_url`, `get_token`, `refresh_token`,
    /// `userDetails`, `registrationRequests/0`, …). `auth_url` is the consent page: it redirects
    /// to the `redirect_uri` it is given with the code [`MOCK_CODE`] and the `state`.
    pub auth: &'static [(&'static str, &'static RequestTemplate)],
    pub sources: &'static [(&'static str, &'static SourceTemplate)],
    pub resources: &'static [&'static ResourceSpec],
    /// The definition's samples: (file in the samples folder, JSON text).
    pub samples: &'static [(&'static str, &'static str)],
}

/// A route of the mock: one request of the definition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Route {
    Action { action: &'static str, step: usize },
    Auth(&'static str),
    Source(&'static str),
    List(&'static str),
    Details(&'static str),
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Route::Action { action, step } => write!(f, "{action} step {step}"),
            Route::Auth(name) => write!(f, "auth {name}"),
            Route::Source(key) => write!(f, "source {key}"),
            Route::List(resource) => write!(f, "sync {resource} list"),
            Route::Details(resource) => write!(f, "sync {resource} details"),
        }
    }
}

/// A fault the mock injects, once, on the next request of a route.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// This status, with an empty JSON object.
    Status(u16),
    /// 429 with `Retry-After` in seconds.
    TooManyRequests { retry_after: u64 },
    /// 401: the connector refreshes its token (if it can) and retries.
    Unauthorized,
    /// The headers and half the body, then the connection breaks.
    Broken,
    /// The answer, after this long (use tokio's paused clock to test timeouts).
    Slow(Duration),
}

/// A request the mock received; secret values are masked (`***`): every header, query
/// parameter and body field the definition fills from credentials or config, and
/// `Authorization` always.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recorded {
    /// The route it matched, if any.
    pub route: Option<Route>,
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    /// Names lowercased.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The value of query parameter `name` (decoded).
    pub fn param(&self, name: &str) -> Option<String> {
        form_urlencoded::parse(self.query.as_deref()?.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
    }

    /// The body as JSON (`Null` when it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

#[derive(Clone, Debug)]
struct Reply {
    status: u16,
    body: Value,
}

#[derive(Default)]
struct Scripted {
    replies: HashMap<Route, Reply>,
    faults: HashMap<Route, VecDeque<Fault>>,
    records: HashMap<&'static str, Vec<Value>>,
    log: Vec<Recorded>,
}

struct Shared {
    description: &'static Description,
    origin: String,
    scripted: Mutex<Scripted>,
}

impl Shared {
    fn scripted(&self) -> std::sync::MutexGuard<'_, Scripted> {
        self.scripted.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The mock provider of one definition (see the module docs). Point a client at it with
/// `.base_url(mock.url())`: every request keeps its path and reaches the mock.
#[derive(Clone)]
pub struct Mock {
    url: crate::Url,
    shared: Arc<Shared>,
}

impl fmt::Debug for Mock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mock").field("url", &self.url.as_str()).finish_non_exhaustive()
    }
}

/// What the test sets for one route.
pub struct RouteScript<'m> {
    mock: &'m Mock,
    routes: Vec<Route>,
}

impl RouteScript<'_> {
    /// Answer 200 with `body` from now on (instead of the sample).
    pub fn reply(self, body: Value) -> Self {
        self.status(200, body)
    }

    /// Answer `status` with `body` from now on.
    pub fn status(self, status: u16, body: Value) -> Self {
        let mut scripted = self.mock.shared.scripted();
        for route in &self.routes {
            scripted.replies.insert(*route, Reply { status, body: body.clone() });
        }
        drop(scripted);
        self
    }

    /// Inject `fault` on the next request (faults queue up, one per request).
    pub fn fail(self, fault: Fault) -> Self {
        let mut scripted = self.mock.shared.scripted();
        for route in &self.routes {
            scripted.faults.entry(*route).or_default().push_back(fault.clone());
        }
        drop(scripted);
        self
    }
}

impl Mock {
    /// Starts the mock of `description` on 127.0.0.1 (a free port).
    pub async fn start(description: &'static Description) -> std::io::Result<Mock> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let origin = format!("http://{addr}");
        let url = crate::Url::parse(&origin).map_err(std::io::Error::other)?;
        let shared = Arc::new(Shared { description, origin, scripted: Mutex::new(Scripted::default()) });
        let app = axum::Router::new().fallback(handle).with_state(shared.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Mock { url, shared })
    }

    /// The mock's base URL (`http://127.0.0.1:PORT/`), for `base_url`.
    pub fn url(&self) -> crate::Url {
        self.url.clone()
    }

    /// The steps of action `name` (all of them; [`RouteScript`] sets what they answer).
    #[must_use = "a route does nothing until it is told to reply or fail"]
    pub fn on_action(&self, name: &str) -> RouteScript<'_> {
        let routes = self.shared.description.actions.iter().filter(|(a, _)| *a == name);
        let routes = routes.flat_map(|(a, steps)| steps.iter().map(move |(step, _)| Route::Action { action: a, step: *step })).collect();
        RouteScript { mock: self, routes }
    }

    /// Step `step` (from 1) of action `name`.
    #[must_use = "a route does nothing until it is told to reply or fail"]
    pub fn on_step(&self, name: &str, step: usize) -> RouteScript<'_> {
        let mut script = self.on_action(name);
        script.routes.retain(|r| matches!(r, Route::Action { step: s, .. } if *s == step));
        script
    }

    /// An auth request by its definition name: `get_token`, `refresh_token`, `userDetails`,
    /// `registrationRequests/0`, `test_token`.
    #[must_use = "a route does nothing until it is told to reply or fail"]
    pub fn on_auth(&self, name: &str) -> RouteScript<'_> {
        let routes = self.shared.description.auth.iter().filter(|(n, _)| *n == name).map(|(n, _)| Route::Auth(n)).collect();
        RouteScript { mock: self, routes }
    }

    /// A dropdown source.
    #[must_use = "a route does nothing until it is told to reply or fail"]
    pub fn on_source(&self, key: &str) -> RouteScript<'_> {
        let routes = self.shared.description.sources.iter().filter(|(k, _)| *k == key).map(|(k, _)| Route::Source(k)).collect();
        RouteScript { mock: self, routes }
    }

    /// The list requests of sync resource `name` (faults; its records are [`Mock::records`]).
    #[must_use = "a route does nothing until it is told to reply or fail"]
    pub fn on_list(&self, name: &str) -> RouteScript<'_> {
        let routes = self.resource(name).map(|r| Route::List(r.name)).into_iter().collect();
        RouteScript { mock: self, routes }
    }

    /// The details requests of sync resource `name`.
    #[must_use = "a route does nothing until it is told to reply or fail"]
    pub fn on_details(&self, name: &str) -> RouteScript<'_> {
        let routes = self.resource(name).map(|r| Route::Details(r.name)).into_iter().collect();
        RouteScript { mock: self, routes }
    }

    /// The records sync resource `name` lists (and details by `id`), paged the way the
    /// definition pages; without them, the records of its list sample.
    pub fn records(&self, name: &str, records: Vec<Value>) -> &Self {
        if let Some(r) = self.resource(name) {
            self.shared.scripted().records.insert(r.name, records);
        }
        self
    }

    /// Every request so far, in order, secrets masked.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.scripted().log.clone()
    }

    /// The requests of one route.
    pub fn requests_to(&self, route: Route) -> Vec<Recorded> {
        self.requests().into_iter().filter(|r| r.route == Some(route)).collect()
    }

    fn resource(&self, name: &str) -> Option<&'static ResourceSpec> {
        self.shared.description.resources.iter().find(|r| r.name == name).copied()
    }
}

/// The mock's answer to one request.
struct Answer {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Value,
}

impl Answer {
    fn json(body: Value) -> Self {
        Answer { status: 200, headers: Vec::new(), body }
    }
}

async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 16 << 20).await.map(|b| b.to_vec()).unwrap_or_default();
    let method = parts.method.as_str().to_string();
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().map(str::to_string);
    let found = route(shared.description, &method, &path, query.as_deref().unwrap_or(""), &body);
    let recorded = Recorded {
        route: found.map(|(r, _)| r),
        method,
        path: path.clone(),
        query: query.clone().map(|q| mask_query(&q, found.map(|(_, t)| t))),
        headers: parts.headers.iter().map(|(n, v)| (n.as_str().to_string(), mask_header(n.as_str(), v, found.map(|(_, t)| t)))).collect(),
        body: mask_body(&body, found.map(|(_, t)| t)),
    };
    let fault = {
        let mut scripted = shared.scripted();
        scripted.log.push(recorded);
        found.and_then(|(r, _)| scripted.faults.get_mut(&r).and_then(VecDeque::pop_front))
    };
    let mut broken = false;
    match fault {
        Some(Fault::Status(status)) => return respond(Answer { status, headers: Vec::new(), body: Value::Object(Map::new()) }, false),
        Some(Fault::TooManyRequests { retry_after }) => {
            let answer = Answer { status: 429, headers: vec![("retry-after", retry_after.to_string())], body: Value::Object(Map::new()) };
            return respond(answer, false);
        }
        Some(Fault::Unauthorized) => {
            return respond(Answer { status: 401, headers: Vec::new(), body: serde_json::json!({"error": "invalid_token"}) }, false);
        }
        Some(Fault::Broken) => broken = true,
        Some(Fault::Slow(delay)) => tokio::time::sleep(delay).await,
        None => {}
    }
    let answer = match found {
        None => Answer { status: 404, headers: Vec::new(), body: serde_json::json!({"error": "the definition has no request here"}) },
        Some((route, template)) => answer(&shared, route, template, &path, query.as_deref().unwrap_or("")),
    };
    respond(answer, broken)
}

fn respond(answer: Answer, broken: bool) -> Response {
    let text = answer.body.to_string();
    let mut response = Response::builder().status(answer.status).header("content-type", "application/json");
    for (name, value) in &answer.headers {
        response = response.header(*name, value);
    }
    let body = if broken {
        let half = text.as_bytes()[..text.len() / 2].to_vec();
        let chunks: Vec<Result<Vec<u8>, std::io::Error>> = vec![Ok(half), Err(std::io::Error::other("connection dropped"))];
        response = response.header("content-length", text.len().to_string());
        Body::from_stream(futures_util::stream::iter(chunks))
    } else {
        Body::from(text)
    };
    response.body(body).unwrap_or_else(|_| Response::new(Body::empty()))
}

/// The request of the definition that `method path?query` is, the most specific one.
fn route(d: &'static Description, method: &str, path: &str, query: &str, body: &[u8]) -> Option<(Route, &'static RequestTemplate)> {
    let actions = d.actions.iter().flat_map(|(a, steps)| steps.iter().map(move |(s, t)| (Route::Action { action: a, step: *s }, *t)));
    let auth = d.auth.iter().map(|(n, t)| (Route::Auth(n), *t));
    let sources = d.sources.iter().map(|(k, s)| (Route::Source(k), &s.request));
    let lists = d.resources.iter().map(|r| (Route::List(r.name), &r.list));
    let details = d.resources.iter().filter_map(|r| r.details.as_ref().map(|t| (Route::Details(r.name), t)));
    let all = actions.chain(auth).chain(sources).chain(lists).chain(details);
    let mut best: Option<(usize, Route, &'static RequestTemplate)> = None;
    for (r, t) in all.filter(|(_, t)| method_name(t.method) == method) {
        // The first of equally good routes wins (the definition's order).
        if let Some(s) = score(t, path, query, body)
            && best.is_none_or(|(b, _, _)| s > b)
        {
            best = Some((s, r, t));
        }
    }
    best.map(|(_, r, t)| (r, t))
}

fn method_name(m: Method) -> &'static str {
    match m {
        Method::Get => "GET",
        Method::Post => "POST",
        Method::Put => "PUT",
        Method::Patch => "PATCH",
        Method::Delete => "DELETE",
    }
}

/// A piece of a URL path pattern.
#[derive(Debug)]
enum Piece {
    Lit(String),
    /// A placeholder: any text (`slash`: `/` included).
    Any {
        slash: bool,
    },
}

/// The path of a URL template as a pattern: its origin and query left out.
fn pattern(url: &UrlTemplate) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut in_path = false;
    for seg in url.segs {
        match seg {
            UrlSeg::Lit(text) => {
                let mut text: &str = text;
                if !in_path {
                    let after_scheme = text.find("://").map_or(0, |i| i + 3);
                    match text[after_scheme..].find('/') {
                        Some(i) => text = &text[after_scheme + i..],
                        None => continue,
                    }
                    in_path = true;
                }
                if let Some(q) = text.find('?') {
                    pieces.push(Piece::Lit(text[..q].to_string()));
                    return pieces;
                }
                pieces.push(Piece::Lit(text.to_string()));
            }
            UrlSeg::Origin(..) | UrlSeg::Host(..) => {}
            UrlSeg::Path(..) if in_path => pieces.push(Piece::Any { slash: true }),
            UrlSeg::Segment(..) if in_path => pieces.push(Piece::Any { slash: false }),
            UrlSeg::Path(..) | UrlSeg::Segment(..) => {}
            UrlSeg::Query(..) => return pieces,
        }
    }
    pieces
}

/// Whether `path` fits `pieces`; the number of literal characters matched.
fn matches(pieces: &[Piece], path: &str) -> Option<usize> {
    match pieces.split_first() {
        None => path.is_empty().then_some(0),
        Some((Piece::Lit(lit), rest)) => path.strip_prefix(lit.as_str()).and_then(|p| matches(rest, p)).map(|n| n + lit.len()),
        // A placeholder holds at least one character (`/` only where it may).
        Some((Piece::Any { slash }, rest)) => (1..=path.len())
            .filter(|&i| path.is_char_boundary(i))
            .take_while(|&i| *slash || !path[..i].contains('/'))
            .find_map(|i| matches(rest, &path[i..])),
    }
}

/// How well a request fits a template: literal path characters, then literal query parameters
/// and body fields (a refresh's `grant_type=refresh_token` against the token request's own);
/// `None` when it does not fit.
fn score(t: &RequestTemplate, path: &str, query: &str, body: &[u8]) -> Option<usize> {
    let path_score = matches(&pattern(&t.url), path)?;
    let mut literal_params = 0;
    if let Some(Tpl::Obj(fields)) = t.body {
        let json: Option<Map<String, Value>> = serde_json::from_slice(body).ok();
        for (name, value) in fields {
            let Tpl::Str([Seg::Lit(literal)]) = value else { continue };
            let sent = match &json {
                Some(json) => json.get(*name).and_then(Value::as_str).map(str::to_string),
                None => form_urlencoded::parse(body).find(|(k, _)| k == name).map(|(_, v)| v.into_owned()),
            };
            match sent {
                Some(sent) if sent == *literal => literal_params += 1,
                Some(_) => return None,
                None => {}
            }
        }
    }
    for (name, segs) in t.query {
        if let [Seg::Lit(value)] = segs {
            let sent = form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
            if sent.as_deref() != Some(*value) {
                return None;
            }
            literal_params += 1;
        }
    }
    Some(literal_params * 10_000 + path_score)
}

/// Whether a template string carries a stored value or config (a credential, a client secret).
fn secret(segs: &[Seg]) -> bool {
    segs.iter().any(|s| matches!(s, Seg::Ref(Src::Stored | Src::Config, _)))
}

const MASK: &str = "***";

fn mask_header(name: &str, value: &http::HeaderValue, t: Option<&RequestTemplate>) -> String {
    let text = String::from_utf8_lossy(value.as_bytes()).into_owned();
    let templated = t.and_then(|t| t.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name))).map(|(_, segs)| *segs);
    match templated {
        // The literal text the definition writes stays (`Bearer `), the values go.
        Some(segs) if secret(segs) => segs.iter().map(|s| if let Seg::Lit(l) = s { *l } else { MASK }).collect(),
        _ if name.eq_ignore_ascii_case("authorization") || name.eq_ignore_ascii_case("proxy-authorization") => MASK.to_string(),
        _ => text,
    }
}

fn mask_query(query: &str, t: Option<&RequestTemplate>) -> String {
    let hidden = |name: &str| t.is_some_and(|t| t.query.iter().any(|(n, segs)| *n == name && secret(segs)));
    let pairs = form_urlencoded::parse(query.as_bytes()).map(|(k, v)| {
        let v = if hidden(&k) { MASK.into() } else { v };
        (k, v)
    });
    form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

fn mask_body(body: &[u8], t: Option<&RequestTemplate>) -> String {
    let text = String::from_utf8_lossy(body).into_owned();
    let Some(Tpl::Obj(fields)) = t.and_then(|t| t.body) else { return text };
    let hidden: Vec<&str> = fields.iter().filter(|(_, v)| matches!(v, Tpl::Str(segs) if secret(segs))).map(|(k, _)| *k).collect();
    if hidden.is_empty() {
        return text;
    }
    if let Ok(Value::Object(mut json)) = serde_json::from_str::<Value>(&text) {
        for key in hidden {
            if let Some(v) = json.get_mut(key) {
                *v = Value::String(MASK.into());
            }
        }
        return Value::Object(json).to_string();
    }
    let pairs: Vec<(String, String)> = form_urlencoded::parse(body)
        .map(|(k, v)| {
            let v = if hidden.contains(&k.as_ref()) { MASK.to_string() } else { v.into_owned() };
            (k.into_owned(), v)
        })
        .collect();
    form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

/// The samples of one thing: `actions/a/1.json`, or every file of the folder `actions/a/1/`.
fn samples(d: &Description, stem: &str) -> Vec<Value> {
    d.samples
        .iter()
        .filter(|(file, _)| *file == format!("{stem}.json") || file.starts_with(&format!("{stem}/")))
        .filter_map(|(_, text)| serde_json::from_str(text).ok())
        .collect()
}

/// A response made up from a mapping: `mock-<key>` at each path it reads.
fn made_up(t: &RequestTemplate) -> Value {
    let mut body = Value::Object(Map::new());
    for (key, extract) in t.mapping.entries {
        if let Extract::Path(steps) = extract {
            let value = if key.to_ascii_lowercase().contains("expire") { Value::from(3600) } else { Value::String(format!("mock-{key}")) };
            put(&mut body, steps, value);
        }
    }
    body
}

fn answer(shared: &Shared, route: Route, t: &'static RequestTemplate, path: &str, query: &str) -> Answer {
    let d = shared.description;
    if let Some(reply) = shared.scripted().replies.get(&route) {
        return Answer { status: reply.status, headers: Vec::new(), body: reply.body.clone() };
    }
    let first = |stem: &str| samples(d, stem).into_iter().next();
    match route {
        Route::Action { action, step } => Answer::json(first(&format!("actions/{action}/{step}")).unwrap_or_else(|| made_up(t))),
        Route::Auth("auth_url") => {
            // The consent page, consented: back to `redirect_uri` with a code and the `state`.
            let param = |name: &str| form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned());
            let Some(back) = param("redirect_uri") else {
                return Answer { status: 400, headers: Vec::new(), body: serde_json::json!({"error": "no redirect_uri"}) };
            };
            let mut to = form_urlencoded::Serializer::new(String::new());
            to.append_pair("code", MOCK_CODE);
            if let Some(state) = param("state") {
                to.append_pair("state", &state);
            }
            let separator = if back.contains('?') { '&' } else { '?' };
            Answer { status: 302, headers: vec![("location", format!("{back}{separator}{}", to.finish()))], body: Value::Null }
        }
        Route::Auth(name) => {
            let stem = match name {
                "get_token" | "refresh_token" => Some("auth/get_token"),
                "userDetails" => Some("auth/user_details"),
                _ => None,
            };
            Answer::json(stem.and_then(first).unwrap_or_else(|| made_up(t)))
        }
        Route::Source(key) => Answer::json(first(&format!("sources/{key}")).unwrap_or_else(|| {
            let source = d.sources.iter().find(|(k, _)| *k == key).map(|(_, s)| *s);
            let options: Vec<Value> = (1..=2)
                .map(|i| {
                    let mut option = Value::Object(Map::new());
                    if let Some(s) = source {
                        put(&mut option, s.value, Value::String(format!("option-{i}")));
                        put(&mut option, s.label, Value::String(format!("Option {i}")));
                    }
                    option
                })
                .collect();
            let mut body = Value::Null;
            put(&mut body, source.and_then(|s| s.data).unwrap_or_default(), Value::Array(options));
            body
        })),
        Route::List(name) => list(shared, name, path, query),
        Route::Details(name) => details(shared, name, path),
    }
}

/// The records a resource lists: the test's, else its list samples'.
fn records_of(shared: &Shared, r: &ResourceSpec) -> Vec<Value> {
    if let Some(records) = shared.scripted().records.get(r.name) {
        return records.clone();
    }
    samples(shared.description, &format!("sync/{}/list", r.name))
        .iter()
        .filter_map(|page| path::get(page, r.data).and_then(Value::as_array).cloned())
        .flatten()
        .collect()
}

/// The query parameter a list request sends variable `var` in.
fn param_of(t: &RequestTemplate, var: &str) -> Option<&'static str> {
    t.query.iter().find(|(_, segs)| matches!(segs, [Seg::Ref(Src::Var, v)] if *v == var)).map(|(n, _)| *n)
}

/// The authorization code the mock's consent page gives.
pub const MOCK_CODE: &str = "mock-code";

/// The cursor parameter of cursor pages named by URL and of `Link` pages.
const CURSOR: &str = "mock_cursor";

fn list(shared: &Shared, name: &str, path: &str, query: &str) -> Answer {
    let Some(r) = shared.description.resources.iter().find(|r| r.name == name) else { return Answer::json(Value::Null) };
    let records = records_of(shared, r);
    let param = |name: Option<&str>| {
        let name = name?;
        form_urlencoded::parse(query.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
    };
    let size = param(param_of(&r.list, "limit"))
        .and_then(|s| s.parse::<usize>().ok())
        .or(r.default_limit.map(|l| l as usize))
        .unwrap_or(100)
        .clamp(1, r.max_limit.map_or(usize::MAX, |m| m as usize));
    let start = match r.paging {
        Paging::Pages { first } => {
            let page = param(param_of(&r.list, "page")).and_then(|p| p.parse::<u64>().ok()).unwrap_or(first);
            page.saturating_sub(first) as usize * size
        }
        Paging::Offset => param(param_of(&r.list, "offset")).and_then(|o| o.parse().ok()).unwrap_or(0),
        Paging::Cursor { param: Some(p), .. } => param(Some(p)).and_then(|c| c.trim_start_matches('c').parse().ok()).unwrap_or(0),
        Paging::Cursor { param: None, .. } | Paging::Link => param(Some(CURSOR)).and_then(|c| c.parse().ok()).unwrap_or(0),
    };
    let page: Vec<Value> = records.iter().skip(start).take(size).cloned().collect();
    let next = start + page.len();
    let more = next < records.len() && !page.is_empty();
    let next_url = || {
        let pairs = form_urlencoded::parse(query.as_bytes()).filter(|(k, _)| k != CURSOR);
        let query = form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).append_pair(CURSOR, &next.to_string()).finish();
        format!("{}{path}?{query}", shared.origin)
    };
    let mut body = Value::Null;
    put(&mut body, r.data, Value::Array(page));
    if let Some(total) = r.total {
        put(&mut body, total, Value::from(records.len()));
    }
    let mut headers = Vec::new();
    match r.paging {
        Paging::Cursor { next: at, param } => {
            let value = match (more, param) {
                (false, _) => Value::Null,
                (true, Some(_)) => Value::String(format!("c{next}")),
                (true, None) => Value::String(next_url()),
            };
            put(&mut body, at, value);
        }
        Paging::Link if more => headers.push(("link", format!("<{}>; rel=\"next\"", next_url()))),
        _ => {}
    }
    Answer { status: 200, headers, body }
}

fn details(shared: &Shared, name: &str, path: &str) -> Answer {
    let Some(r) = shared.description.resources.iter().find(|r| r.name == name) else { return Answer::json(Value::Null) };
    let id =
        path.rsplit('/').next().map(|id| percent_encoding::percent_decode_str(id).decode_utf8_lossy().into_owned()).unwrap_or_default();
    let same = |v: &Value| match v {
        Value::String(s) => *s == id,
        Value::Number(n) => n.to_string() == id,
        _ => false,
    };
    let listed = records_of(shared, r).into_iter().find(|record| record.get("id").is_some_and(same));
    let sample = samples(shared.description, &format!("sync/{name}/details")).into_iter().next();
    match (listed, sample) {
        // The sample's shape, with what the list says of this record and its id where the
        // record's `code` is read.
        (Some(Value::Object(listed)), Some(Value::Object(mut sample))) => {
            let id = listed.get("id").cloned().unwrap_or(Value::Null);
            sample.extend(listed);
            let mut record = Value::Object(sample);
            if let Some(code) = r.code.and_then(|slot| r.record.captures.get(slot)) {
                put(&mut record, code.steps, id);
            }
            Answer::json(record)
        }
        (Some(listed), _) => Answer::json(listed),
        (None, _) => Answer { status: 404, headers: Vec::new(), body: serde_json::json!({"detail": "Not found."}) },
    }
}
