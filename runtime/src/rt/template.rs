//! Template rendering by context (docs/format.md §6).
//!
//! The compiler parses every template once and, for URLs, classifies each placeholder by where it
//! stands (origin, host label, path, query). Rendering here only looks values up and encodes them
//! for their context, so a value can never change a URL's host, add path segments it did not
//! declare, or inject a header:
//!
//! - **origin** (a placeholder that starts the URL, e.g. `{{shopUrl}}/api`): the value must be an
//!   absolute `http(s)` URL with a host and nothing else (no user info, path, query or fragment);
//! - **host label** (`https://{{subdomain}}.example.com`): the value must be one DNS label,
//!   `^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$`;
//! - **path**: a `{{…}}` value is split on `/` and each piece is percent-encoded as a path
//!   segment (everything but RFC 3986 unreserved characters); an empty piece, `.` or `..` is an
//!   error. So `owner/name` reaches the provider as two segments (docs/format.md's GitHub
//!   `{{repository}}` case), while `../x`, `?`, `#`, `@` and `//evil.example` cannot escape. A
//!   `[[…]]` value (a stored token or id) is always exactly one segment: its `/` is encoded;
//! - **query**: form-encoded (`application/x-www-form-urlencoded`);
//! - **header values**: CR, LF and NUL are rejected; `Authorization: Basic user:pass` is
//!   base64-encoded (docs/format.md §6.6);
//! - **JSON bodies**: a string that is exactly one placeholder keeps the value's JSON type;
//!   otherwise values are stringified (numbers and booleans as JSON text, arrays and objects as
//!   compact JSON, `null` or a missing optional value as the empty string) (docs/format.md §6.5).

use std::borrow::Cow;

use base64::Engine as _;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC};
use serde_json::{Map, Value};

use super::vars::Vars;
use crate::Error;
use crate::store::Snapshot;

/// Where a placeholder's value comes from, as resolved by the compiler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Src {
    /// `{{key}}`: the call's variables (action input, earlier step outputs, function returns).
    Var,
    /// `[[key]]`: credentials, then metadata. Missing is an error.
    Stored,
    /// `{{key}}`: the install's stored values (metadata, install form), then the definition's
    /// `auth.config` defaults.
    Config,
    /// `{{key}}`: a system value (`webhookUrl`, `subdomain`, `uid`, `redirect_uri`, `code`).
    System,
}

/// A piece of a template string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seg {
    Lit(&'static str),
    Ref(Src, &'static str),
}

/// Where a URL placeholder stands (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UrlSeg {
    Lit(&'static str),
    Origin(Src, &'static str),
    Host(Src, &'static str),
    Path(Src, &'static str),
    /// Exactly one path segment, whatever the value holds (`/` is encoded): a sync details
    /// URL's `{id}` (docs/format.md §11.4).
    Segment(Src, &'static str),
    Query(Src, &'static str),
}

/// A URL template.
#[derive(Clone, Copy, Debug)]
pub struct UrlTemplate {
    pub segs: &'static [UrlSeg],
}

impl UrlTemplate {
    /// The URL's path as the definition writes it, with placeholders by name (`{{orderId}}`,
    /// `[[storeId]]`), never their values: how errors and traces describe a request, so they
    /// carry no secret and stay short whatever a value holds.
    pub fn path_pattern(&self) -> String {
        let mut text = String::new();
        let mut origin_end = None;
        for seg in self.segs {
            match *seg {
                UrlSeg::Lit(s) => text.push_str(s),
                UrlSeg::Origin(src, key) => {
                    text.push_str(&placeholder(src, key));
                    origin_end = Some(text.len());
                }
                UrlSeg::Host(src, key) | UrlSeg::Path(src, key) | UrlSeg::Segment(src, key) | UrlSeg::Query(src, key) => {
                    text.push_str(&placeholder(src, key))
                }
            }
        }
        let path_start = match (origin_end, text.find("://")) {
            (Some(end), _) => end,
            (None, Some(scheme)) => text[scheme + 3..].find('/').map_or(text.len(), |i| scheme + 3 + i),
            (None, None) => 0,
        };
        let path = &text[path_start..];
        let path = path.split(['?', '#']).next().unwrap_or_default();
        if path.is_empty() { "/".to_string() } else { path.to_string() }
    }
}

fn placeholder(src: Src, key: &str) -> String {
    match src {
        Src::Stored => format!("[[{key}]]"),
        _ => format!("{{{{{key}}}}}"),
    }
}

/// A JSON value whose strings are templates (docs/format.md `TemplateValue`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Tpl {
    Null,
    Bool(bool),
    /// The number's JSON text.
    Num(&'static str),
    Str(&'static [Seg]),
    Arr(&'static [Tpl]),
    Obj(&'static [(&'static str, Tpl)]),
}

/// Everything a placeholder can read.
pub struct Scope<'a> {
    pub vars: &'a Vars,
    /// The install's credentials and metadata, read once for the call.
    pub store: &'a Snapshot,
    /// App-wide config set on the client builder (current value first).
    pub overrides: &'a [(String, Vec<crate::Secret>)],
    /// The definition's `auth.config` defaults.
    pub config: &'a [(&'static str, &'static str)],
    pub system: &'a [(&'static str, String)],
    /// Where each stored key's value comes from, for the error when one is missing.
    pub origins: &'a [(&'static str, &'static str)],
}

impl Scope<'_> {
    /// The value of a placeholder, or `None` when it has none. A missing `[[key]]` is an error.
    fn value(&self, src: Src, key: &str, request: &str) -> Result<Option<Cow<'_, Value>>, Error> {
        Ok(match src {
            Src::Var => self.vars.get(key).map(Cow::Borrowed),
            Src::Stored => match self.store.lookup(key) {
                Some(v) => Some(Cow::Borrowed(v)),
                None => {
                    let origin = self
                        .origins
                        .iter()
                        .find(|(k, _)| *k == key)
                        .map_or("it is in neither the install's credentials nor its metadata".to_string(), |(_, origin)| {
                            format!("it is {origin}")
                        });
                    return Err(Error::MissingCredential { request: request.to_string(), key: key.to_string(), origin });
                }
            },
            Src::Config => match self.store.lookup(key) {
                Some(v) => Some(Cow::Borrowed(v)),
                None => match self.overrides.iter().find(|(k, _)| k == key).and_then(|(_, values)| values.first()) {
                    Some(secret) => Some(Cow::Owned(Value::String(secret.expose().to_string()))),
                    None => self.config.iter().find(|(k, _)| *k == key).map(|(_, v)| Cow::Owned(Value::String((*v).to_string()))),
                },
            },
            Src::System => self.system.iter().find(|(k, _)| *k == key).map(|(_, v)| Cow::Owned(Value::String(v.clone()))),
        })
    }

    /// §6.5: a placeholder's value as text (borrowed when it is a string already).
    fn text(&self, src: Src, key: &str, request: &str) -> Result<Cow<'_, str>, Error> {
        Ok(match self.value(src, key, request)? {
            Some(Cow::Borrowed(Value::String(s))) => Cow::Borrowed(s),
            Some(Cow::Owned(Value::String(s))) => Cow::Owned(s),
            Some(v) => Cow::Owned(stringify(&v)),
            None => Cow::Borrowed(""),
        })
    }
}

/// §6.5: how a value becomes text.
pub fn stringify(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Renders a plain template string.
pub fn render_str(segs: &[Seg], scope: &Scope<'_>, request: &str) -> Result<String, Error> {
    let mut out = String::new();
    for seg in segs {
        match seg {
            Seg::Lit(s) => out.push_str(s),
            Seg::Ref(src, key) => out.push_str(&scope.text(*src, key, request)?),
        }
    }
    Ok(out)
}

/// Renders a header value: no CR, LF or NUL; `Basic user:pass` is base64-encoded.
pub fn render_header(name: &str, segs: &[Seg], scope: &Scope<'_>, request: &str) -> Result<String, Error> {
    let value = render_str(segs, scope, request)?;
    if value.contains(['\r', '\n', '\0']) {
        return Err(Error::Template {
            request: request.to_string(),
            message: format!("the value of header `{name}` contains a line break or a NUL character"),
        });
    }
    if name.eq_ignore_ascii_case("authorization")
        && let Some(rest) = value.strip_prefix("Basic ")
        && rest.contains(':')
    {
        return Ok(format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(rest)));
    }
    Ok(value)
}

/// RFC 3986 unreserved characters stay; everything else in a path segment is encoded.
const PATH_SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

fn is_dns_label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
}

/// Where every request goes instead of the definition's origin (the client's `base_url`, for
/// tests and proxies): the scheme, host and port are replaced; the path and query are kept.
#[derive(Clone, Debug)]
struct Rebase {
    url: reqwest::Url,
    /// `scheme://host[:port]`, when the base URL has a host (written in place of a literal
    /// origin, so the URL is parsed once).
    origin: Option<String>,
}

impl Rebase {
    fn new(url: reqwest::Url) -> Self {
        let origin = url.host_str().map(|host| match url.port() {
            Some(port) => format!("{}://{host}:{port}", url.scheme()),
            None => format!("{}://{host}", url.scheme()),
        });
        Rebase { url, origin }
    }

    /// Moves a parsed URL to the base's origin.
    fn apply(&self, url: &mut reqwest::Url) {
        let _ = url.set_scheme(self.url.scheme());
        let _ = url.set_host(self.url.host_str());
        let _ = url.set_port(self.url.port());
    }

    fn holds(&self, url: &reqwest::Url) -> bool {
        url.scheme() == self.url.scheme() && url.host_str() == self.url.host_str() && url.port() == self.url.port()
    }
}

/// Where one client's requests go: the definition's origins, or the base URL's (scheme, host
/// and port replaced; path and query kept). It keeps each literal origin parsed (by template),
/// so a request whose origin the definition writes parses only its path and query.
#[derive(Debug, Default)]
pub struct Target {
    rebase: Option<Rebase>,
    /// The parsed origin of each template whose origin is a literal, by the address of its
    /// (static) segments.
    origins: std::sync::RwLock<crate::rt::ByAddress<reqwest::Url>>,
}

impl Target {
    pub fn new(base: Option<reqwest::Url>) -> Self {
        Target { rebase: base.map(Rebase::new), origins: Default::default() }
    }

    /// The parsed origin `text` of template `url` (parsed on first use).
    fn origin(&self, url: &UrlTemplate, text: &str) -> Option<reqwest::Url> {
        let key = url.segs.as_ptr() as usize;
        if let Some(origin) = self.origins.read().unwrap_or_else(|p| p.into_inner()).get(&key) {
            return Some(origin.clone());
        }
        let origin = reqwest::Url::parse(text).ok().filter(|o| o.path() == "/" && o.query().is_none() && o.fragment().is_none())?;
        self.origins.write().unwrap_or_else(|p| p.into_inner()).insert(key, origin.clone());
        Some(origin)
    }
}

/// Renders a URL; the result is parsed, so it is always a valid absolute URL.
pub fn render_url(url: &UrlTemplate, scope: &Scope<'_>, request: &str) -> Result<reqwest::Url, Error> {
    render_url_to(url, scope, request, &Target::default())
}

/// Renders a URL for `target`'s origin. When the definition writes its origin as a plain literal
/// that the path follows (the common case), the origin is taken parsed from `target` and only
/// the path and query are rendered and parsed: no value can reach the authority.
/// Whether `value` can be one path segment: not empty, `.` or `..` (which would change the path).
pub(crate) fn is_segment(value: &str) -> bool {
    !(value.is_empty() || value == "." || value == "..")
}

pub fn render_url_to(url: &UrlTemplate, scope: &Scope<'_>, request: &str, target: &Target) -> Result<reqwest::Url, Error> {
    let fixed = !url.segs.iter().any(|s| matches!(s, UrlSeg::Origin(..) | UrlSeg::Host(..)));
    if let (true, Some(UrlSeg::Lit(first))) = (fixed, url.segs.first())
        && let Some(WrittenOrigin { end, .. }) = written_origin(first)
        && first[end..].starts_with('/')
    {
        let origin = match &target.rebase {
            None => Some(&first[..end]),
            Some(rebase) => rebase.origin.as_deref(),
        };
        if let Some(origin) = origin.and_then(|text| target.origin(url, text)) {
            let mut tail = String::with_capacity(96);
            tail.push_str(&first[end..]);
            for seg in &url.segs[1..] {
                push_seg(seg, scope, request, &mut tail)?;
            }
            // A fragment, or a C0 control or space at the end (which a whole parse trims): the
            // whole URL is parsed instead.
            if !tail.contains('#') && tail.bytes().last().is_some_and(|b| b > b' ') {
                let (path, query) = match tail.split_once('?') {
                    Some((path, query)) => (path, Some(query)),
                    None => (tail.as_str(), None),
                };
                let mut rendered = origin;
                rendered.set_path(path);
                rendered.set_query(query);
                return Ok(rendered);
            }
        }
    }
    render_whole(url, scope, request, target.rebase.as_ref())
}

/// Renders a URL as one text and parses it (origins set by placeholders, unusual literals).
fn render_whole(url: &UrlTemplate, scope: &Scope<'_>, request: &str, rebase: Option<&Rebase>) -> Result<reqwest::Url, Error> {
    let fail = |message: String| Error::Template { request: request.to_string(), message };
    // The written origin, when no placeholder may set it: the rendered URL must keep it.
    let fixed = !url.segs.iter().any(|s| matches!(s, UrlSeg::Origin(..) | UrlSeg::Host(..)));
    let written = match url.segs.first() {
        Some(UrlSeg::Lit(first)) if fixed => written_origin(first),
        _ => None,
    };
    // The base's origin is written in place of the literal one.
    let swapped = match (rebase, written) {
        (Some(Rebase { origin: Some(origin), .. }), Some(written)) => Some((origin.as_str(), written.end)),
        _ => None,
    };
    let mut out = String::with_capacity(128);
    for (i, seg) in url.segs.iter().enumerate() {
        match (seg, swapped) {
            (UrlSeg::Lit(s), Some((origin, rest))) if i == 0 => {
                out.push_str(origin);
                out.push_str(&s[rest..]);
            }
            _ => push_seg(seg, scope, request, &mut out)?,
        }
    }
    let mut rendered = reqwest::Url::parse(&out).map_err(|e| fail(format!("the rendered URL is invalid: {e}")))?;
    if swapped.is_none()
        && let Some(rebase) = rebase
    {
        rebase.apply(&mut rendered);
    }
    // Defence in depth: when no placeholder may set the origin, the rendered URL must have the
    // origin the definition wrote (or the base's), whatever the values were.
    if fixed && let Some(UrlSeg::Lit(first)) = url.segs.first() {
        let same = match (rebase, written) {
            (Some(rebase), _) => rebase.holds(&rendered),
            // The written origin is the literal's own text in the common case (already
            // normalized): compared as text, without parsing the literal on every call.
            (None, Some(w)) => rendered.scheme() == w.scheme && rendered.host_str() == Some(w.host) && rendered.port() == w.port,
            (None, None) => reqwest::Url::parse(first).is_ok_and(|w| w.origin() == rendered.origin()),
        };
        if !same {
            return Err(fail("the rendered URL's origin differs from the definition's; nothing was sent".to_string()));
        }
    }
    Ok(rendered)
}

/// Appends one segment of a URL template, its value encoded for where it stands (module docs).
fn push_seg(seg: &UrlSeg, scope: &Scope<'_>, request: &str, out: &mut String) -> Result<(), Error> {
    let fail = |message: String| Error::Template { request: request.to_string(), message };
    match *seg {
        UrlSeg::Lit(s) => out.push_str(s),
        UrlSeg::Origin(src, key) => {
            let value = scope.text(src, key, request)?;
            let parsed = reqwest::Url::parse(&value).map_err(|_| fail(format!("`{key}` is not an absolute URL")))?;
            let bare = matches!(parsed.path(), "" | "/") && parsed.query().is_none() && parsed.fragment().is_none();
            if !matches!(parsed.scheme(), "http" | "https")
                || parsed.host_str().is_none()
                || !parsed.username().is_empty()
                || parsed.password().is_some()
                || !bare
            {
                return Err(fail(format!(
                    "`{key}` must be an http(s) origin such as `https://shop.example`, with no path, query or user info"
                )));
            }
            out.push_str(parsed.as_str().trim_end_matches('/'));
        }
        UrlSeg::Host(src, key) => {
            let value = scope.text(src, key, request)?;
            if !is_dns_label(&value) {
                return Err(fail(format!("`{key}` must be a single DNS label (letters, digits and inner hyphens)")));
            }
            out.push_str(&value);
        }
        UrlSeg::Path(src @ Src::Stored, key) | UrlSeg::Segment(src, key) => {
            // A stored value (a token, an id) is one segment: its `/` is encoded, never a
            // separator, so a secret is never split across the path.
            let value = scope.text(src, key, request)?;
            if !is_segment(&value) {
                return Err(fail(format!("`{key}` cannot be used as a path segment (empty, `.` or `..`)")));
            }
            out.extend(percent_encoding::utf8_percent_encode(&value, PATH_SEGMENT));
        }
        UrlSeg::Path(src, key) => {
            let value = scope.text(src, key, request)?;
            if !value.contains('/') {
                // One segment (the common case).
                if !is_segment(&value) {
                    return Err(fail(format!("`{key}` cannot be used as a path segment (empty, `.` or `..`)")));
                }
                out.extend(percent_encoding::utf8_percent_encode(&value, PATH_SEGMENT));
                return Ok(());
            }
            if !value.split('/').all(is_segment) {
                return Err(fail(format!(
                    "`{key}` cannot be used as a path segment (empty, `.`, `..`, or a leading, trailing or double `/`)"
                )));
            }
            for (n, piece) in value.split('/').enumerate() {
                if n > 0 {
                    out.push('/');
                }
                out.extend(percent_encoding::utf8_percent_encode(piece, PATH_SEGMENT));
            }
        }
        UrlSeg::Query(src, key) => {
            let value = scope.text(src, key, request)?;
            out.extend(form_urlencoded::byte_serialize(value.as_bytes()));
        }
    }
    Ok(())
}

/// A URL literal's origin, read as text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct WrittenOrigin<'a> {
    scheme: &'a str,
    host: &'a str,
    /// An explicit, non-default port.
    port: Option<u16>,
    /// Where the origin ends in the literal.
    end: usize,
}

/// The origin of a URL literal, read as text; `None` when the text is not in the normalized form
/// a parse would give (user info, upper case, escapes, non-ASCII, IPv6), so the caller compares
/// parsed origins instead.
fn written_origin(literal: &str) -> Option<WrittenOrigin<'_>> {
    let colon = literal.bytes().position(|b| b == b':')?;
    let (scheme, rest) = (&literal[..colon], literal[colon..].strip_prefix("://")?);
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let end = scheme.len() + 3 + authority.len();
    let plain = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) => (host, Some(port.parse::<u16>().ok()?)),
        None => (authority, None),
    };
    let default_port = match scheme {
        "http" => 80,
        "https" => 443,
        _ => return None,
    };
    (plain(host) && port != Some(default_port)).then_some(WrittenOrigin { scheme, host, port, end })
}

/// Renders a template value straight into its JSON text, as [`render_value`] then
/// `serde_json::to_writer` would, without building the value first.
pub fn write_json(tpl: &Tpl, scope: &Scope<'_>, request: &str, out: &mut Vec<u8>) -> Result<(), Error> {
    fn write<T: serde::Serialize + ?Sized>(value: &T, out: &mut Vec<u8>, request: &str) -> Result<(), Error> {
        serde_json::to_writer(out, value).map_err(|e| Error::Template { request: request.to_string(), message: e.to_string() })
    }
    match tpl {
        Tpl::Null => out.extend_from_slice(b"null"),
        Tpl::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Tpl::Num(n) => write(&serde_json::from_str::<Value>(n).unwrap_or(Value::Null), out, request)?,
        Tpl::Str([Seg::Ref(src, key)]) => match scope.value(*src, key, request)? {
            Some(value) => write(&*value, out, request)?,
            None => out.extend_from_slice(b"null"),
        },
        Tpl::Str(segs) => write(&render_str(segs, scope, request)?, out, request)?,
        Tpl::Arr(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_json(item, scope, request, out)?;
            }
            out.push(b']');
        }
        Tpl::Obj(members) => {
            out.push(b'{');
            for (i, (key, item)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write(key, out, request)?;
                out.push(b':');
                write_json(item, scope, request, out)?;
            }
            out.push(b'}');
        }
    }
    Ok(())
}

/// Renders a template value into JSON, keeping the type of whole-value placeholders. A missing
/// optional value is `null` in a whole-value position.
pub fn render_value(tpl: &Tpl, scope: &Scope<'_>, request: &str) -> Result<Value, Error> {
    Ok(match tpl {
        Tpl::Null => Value::Null,
        Tpl::Bool(b) => Value::Bool(*b),
        Tpl::Num(n) => serde_json::from_str(n).unwrap_or(Value::Null),
        Tpl::Str([Seg::Ref(src, key)]) => scope.value(*src, key, request)?.map(Cow::into_owned).unwrap_or(Value::Null),
        Tpl::Str(segs) => Value::String(render_str(segs, scope, request)?),
        Tpl::Arr(items) => Value::Array(items.iter().map(|t| render_value(t, scope, request)).collect::<Result<_, _>>()?),
        Tpl::Obj(members) => {
            let mut map = Map::with_capacity(members.len());
            for (k, t) in members.iter() {
                map.insert((*k).to_string(), render_value(t, scope, request)?);
            }
            Value::Object(map)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Bag;
    use serde_json::json;

    fn with_scope<T>(vars: Value, f: impl FnOnce(&Scope<'_>) -> T) -> T {
        let mut store = Snapshot::new();
        store.insert(Bag::Credentials, "token", json!("s3cr3t"));
        let vars: Vars = vars.as_object().cloned().unwrap_or_default().into_iter().collect();
        let system = [("subdomain", "acme".to_string())];
        let scope = Scope { vars: &vars, store: &store, overrides: &[], config: &[("scope", "read write")], system: &system, origins: &[] };
        f(&scope)
    }

    const REPO_URL: UrlTemplate = UrlTemplate {
        segs: &[
            UrlSeg::Lit("https://api.forge.example/repos/"),
            UrlSeg::Path(Src::Var, "repo"),
            UrlSeg::Lit("/issues?q="),
            UrlSeg::Query(Src::Var, "q"),
        ],
    };

    #[test]
    fn written_origins_are_read_as_text_only_when_normalized() {
        let origin = |scheme, host, port, end| Some(WrittenOrigin { scheme, host, port, end });
        assert_eq!(written_origin("https://api.example.com/v1/x"), origin("https", "api.example.com", None, 23));
        assert_eq!(written_origin("http://127.0.0.1:8080"), origin("http", "127.0.0.1", Some(8080), 21));
        for odd in ["https://API.example.com/", "https://u@api.example.com/", "https://api.example.com:443/", "https://[::1]/", "ftp://x/"]
        {
            assert_eq!(written_origin(odd), None, "{odd}");
        }
    }

    #[test]
    fn path_values_keep_their_slashes_as_segments_and_cannot_escape() {
        with_scope(json!({"repo": "octo cat/héllo", "q": "a&b=c d"}), |s| {
            let url = render_url(&REPO_URL, s, "test").expect("renders");
            assert_eq!(url.as_str(), "https://api.forge.example/repos/octo%20cat/h%C3%A9llo/issues?q=a%26b%3Dc+d");
        });
        for evil in ["../admin", "a/../b", "/abs", "a//b", "x/", "", "."] {
            with_scope(json!({"repo": evil, "q": ""}), |s| {
                assert!(matches!(render_url(&REPO_URL, s, "test"), Err(Error::Template { .. })), "{evil:?} accepted");
            });
        }
        for tricky in ["a?b", "a#b", "user@evil.example", "evil.example:443", "%2e%2e", "a\\b"] {
            with_scope(json!({"repo": tricky, "q": ""}), |s| {
                let url = render_url(&REPO_URL, s, "test").expect("encoded, not rejected");
                assert_eq!(url.host_str(), Some("api.forge.example"), "{tricky:?}");
                assert!(url.path().starts_with("/repos/") && url.path().ends_with("/issues"), "{tricky:?} → {url}");
                assert_eq!(url.query(), Some("q="), "{tricky:?}");
                assert_eq!(url.fragment(), None);
            });
        }
    }

    #[test]
    fn a_kept_origin_gives_the_url_a_whole_parse_gives() {
        const TEMPLATES: &[UrlTemplate] = &[
            REPO_URL,
            UrlTemplate {
                segs: &[UrlSeg::Lit("https://api.example.com/v1/./a/../b/"), UrlSeg::Path(Src::Var, "repo"), UrlSeg::Lit("/x y?a=1&b=é")],
            },
            UrlTemplate {
                segs: &[
                    UrlSeg::Lit("http://127.0.0.1:8080/"),
                    UrlSeg::Segment(Src::Var, "repo"),
                    UrlSeg::Lit("?q="),
                    UrlSeg::Query(Src::Var, "q"),
                ],
            },
            UrlTemplate { segs: &[UrlSeg::Lit("https://api.example.com/"), UrlSeg::Path(Src::Var, "repo"), UrlSeg::Lit("#frag")] },
            UrlTemplate { segs: &[UrlSeg::Lit("https://api.example.com/v1?"), UrlSeg::Query(Src::Var, "q")] },
            UrlTemplate {
                segs: &[UrlSeg::Lit("https://api.example.com/a\\b/\tc/"), UrlSeg::Path(Src::Var, "repo"), UrlSeg::Lit("/x?y= \n")],
            },
            UrlTemplate { segs: &[UrlSeg::Lit("https://api.example.com/"), UrlSeg::Path(Src::Var, "repo"), UrlSeg::Lit(" ")] },
            UrlTemplate {
                segs: &[UrlSeg::Lit("https://api.example.com/%zz/"), UrlSeg::Path(Src::Var, "repo"), UrlSeg::Lit("?a=%zz\u{1}")],
            },
        ];
        for base in [None, Some("http://127.0.0.1:9/base/path"), Some("https://proxy.example")] {
            let target = Target::new(base.map(|b| reqwest::Url::parse(b).expect("a URL")));
            for t in TEMPLATES {
                for (repo, q) in [("octo/cat", "a b&c"), ("x%2e", "#?"), ("é", ""), ("..", "x")] {
                    with_scope(json!({"repo": repo, "q": q}), |s| {
                        // Twice: the origin is parsed the first time, then kept.
                        for _ in 0..2 {
                            let kept = render_url_to(t, s, "t", &target).map(|u| u.to_string()).map_err(|e| e.to_string());
                            let whole = render_whole(t, s, "t", target.rebase.as_ref()).map(|u| u.to_string()).map_err(|e| e.to_string());
                            assert_eq!(kept, whole, "{t:?} {repo:?} {q:?} {base:?}");
                        }
                    });
                }
            }
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: crate::test_support::fuzz_cases(2000), ..Default::default() })]

        /// Whatever the literals and values, a kept origin gives the URL a whole parse gives.
        #[test]
        fn a_kept_origin_agrees_with_a_whole_parse(
            head in "/[a-z/ %?#.\\\\\t\n\u{1}é~-]{0,10}",
            tail in "[a-z/ %?#.\\\\\t\n\u{1}é~&=-]{0,10}",
            value in "[a-z/ %?#.\\\\@:é-]{0,8}",
            rebased in proptest::bool::ANY,
        ) {
            let first: &'static str = Box::leak(format!("https://api.example.com{head}").into_boxed_str());
            let tail: &'static str = Box::leak(tail.into_boxed_str());
            let segs: &'static [UrlSeg] = Box::leak(Box::new([UrlSeg::Lit(first), UrlSeg::Path(Src::Var, "repo"), UrlSeg::Lit(tail)]));
            let t = UrlTemplate { segs };
            let target = Target::new(rebased.then(|| reqwest::Url::parse("http://127.0.0.1:9").expect("a URL")));
            with_scope(json!({"repo": value}), |s| {
                let kept = render_url_to(&t, s, "t", &target).map(|u| u.to_string()).map_err(|e| e.to_string());
                let whole = render_whole(&t, s, "t", target.rebase.as_ref()).map(|u| u.to_string()).map_err(|e| e.to_string());
                proptest::prop_assert_eq!(kept, whole);
                Ok(())
            })?;
        }
    }

    #[test]
    fn a_rendered_url_keeps_the_written_origin_even_if_the_classification_was_wrong() {
        // As if a compiler had classified the placeholder of `https:///{{x}}/v1` as a path.
        const EMPTY_HOST: UrlTemplate = UrlTemplate { segs: &[UrlSeg::Lit("https:///"), UrlSeg::Path(Src::Var, "x"), UrlSeg::Lit("/v1")] };
        with_scope(json!({"x": "evil.example"}), |s| {
            assert!(matches!(render_url(&EMPTY_HOST, s, "t"), Err(Error::Template { .. })));
        });
    }

    #[test]
    fn a_stored_value_in_a_path_is_always_one_segment() {
        const BOT: UrlTemplate =
            UrlTemplate { segs: &[UrlSeg::Lit("https://api.chat.example/bot"), UrlSeg::Path(Src::Stored, "token"), UrlSeg::Lit("/send")] };
        let mut store = Snapshot::new();
        store.insert(crate::store::Bag::Credentials, "token", json!("12:ab/cd+ef"));
        let vars = Vars::new();
        let scope = Scope { vars: &vars, store: &store, overrides: &[], config: &[], system: &[], origins: &[] };
        assert_eq!(render_url(&BOT, &scope, "t").map(|u| u.path().to_string()).ok().as_deref(), Some("/bot12%3Aab%2Fcd%2Bef/send"));
        for bad in ["", ".", ".."] {
            store.insert(crate::store::Bag::Credentials, "token", json!(bad));
            let scope = Scope { vars: &vars, store: &store, overrides: &[], config: &[], system: &[], origins: &[] };
            assert!(render_url(&BOT, &scope, "t").is_err(), "{bad:?}");
        }
    }

    #[test]
    fn requests_are_described_by_their_path_pattern_never_by_values() {
        assert_eq!(REPO_URL.path_pattern(), "/repos/{{repo}}/issues");
        const BOT: UrlTemplate = UrlTemplate {
            segs: &[UrlSeg::Lit("https://api.chat.example/bot"), UrlSeg::Path(Src::Stored, "apiKey"), UrlSeg::Lit("/send?x=1")],
        };
        assert_eq!(BOT.path_pattern(), "/bot[[apiKey]]/send");
        const ORIGIN: UrlTemplate = UrlTemplate { segs: &[UrlSeg::Origin(Src::Var, "shop"), UrlSeg::Lit("/api/ping")] };
        assert_eq!(ORIGIN.path_pattern(), "/api/ping");
        const BARE: UrlTemplate = UrlTemplate { segs: &[UrlSeg::Lit("https://api.example")] };
        assert_eq!(BARE.path_pattern(), "/");
    }

    #[test]
    fn host_labels_and_origins_are_validated() {
        const HOST: UrlTemplate =
            UrlTemplate { segs: &[UrlSeg::Lit("https://"), UrlSeg::Host(Src::System, "subdomain"), UrlSeg::Lit(".shop.example/x")] };
        with_scope(json!({}), |s| {
            assert_eq!(render_url(&HOST, s, "t").map(|u| u.to_string()).ok().as_deref(), Some("https://acme.shop.example/x"))
        });
        const ORIGIN: UrlTemplate = UrlTemplate { segs: &[UrlSeg::Origin(Src::Var, "shop"), UrlSeg::Lit("/api/ping")] };
        with_scope(json!({"shop": "https://shop.example:8443/"}), |s| {
            assert_eq!(render_url(&ORIGIN, s, "t").map(|u| u.to_string()).ok().as_deref(), Some("https://shop.example:8443/api/ping"));
        });
        for bad in ["https://shop.example/x", "https://u:p@shop.example", "ftp://shop.example", "shop.example", "https://shop.example?x=1"]
        {
            with_scope(json!({"shop": bad}), |s| assert!(render_url(&ORIGIN, s, "t").is_err(), "{bad}"));
        }
    }

    #[test]
    fn headers_reject_line_breaks_and_encode_basic() {
        with_scope(json!({"v": "x\r\nX-Injected: 1", "user": "ck", "pass": "cs"}), |s| {
            assert!(matches!(render_header("X-Note", &[Seg::Ref(Src::Var, "v")], s, "t"), Err(Error::Template { .. })));
            let basic = render_header(
                "authorization",
                &[Seg::Lit("Basic "), Seg::Ref(Src::Var, "user"), Seg::Lit(":"), Seg::Ref(Src::Var, "pass")],
                s,
                "t",
            );
            assert_eq!(basic.ok().as_deref(), Some("Basic Y2s6Y3M="));
            let pre = render_header("Authorization", &[Seg::Lit("Basic "), Seg::Lit("Y2s6Y3M=")], s, "t");
            assert_eq!(pre.ok().as_deref(), Some("Basic Y2s6Y3M="));
            let bearer = render_header("Authorization", &[Seg::Lit("Bearer "), Seg::Ref(Src::Stored, "token")], s, "t");
            assert_eq!(bearer.ok().as_deref(), Some("Bearer s3cr3t"));
            assert!(matches!(
                render_header("Authorization", &[Seg::Ref(Src::Stored, "nope")], s, "t"),
                Err(Error::MissingCredential { .. })
            ));
        });
    }

    #[test]
    fn json_bodies_keep_whole_value_types() {
        const BODY: Tpl = Tpl::Obj(&[
            ("tags", Tpl::Str(&[Seg::Ref(Src::Var, "tags")])),
            ("silent", Tpl::Str(&[Seg::Ref(Src::Var, "silent")])),
            ("text", Tpl::Str(&[Seg::Lit("["), Seg::Ref(Src::Var, "n"), Seg::Lit("] "), Seg::Ref(Src::Var, "missing")])),
            ("absent", Tpl::Str(&[Seg::Ref(Src::Var, "missing")])),
            ("scope", Tpl::Str(&[Seg::Ref(Src::Config, "scope")])),
            ("fixed", Tpl::Arr(&[Tpl::Num("1.5"), Tpl::Bool(true), Tpl::Null])),
        ]);
        with_scope(json!({"tags": ["a", "b"], "silent": false, "n": 3}), |s| {
            let v = render_value(&BODY, s, "t").expect("renders");
            assert_eq!(
                v,
                json!({"tags": ["a", "b"], "silent": false, "text": "[3] ", "absent": null, "scope": "read write", "fixed": [1.5, true, null]})
            );
            let mut text = Vec::new();
            write_json(&BODY, s, "t", &mut text).expect("writes");
            assert_eq!(text, serde_json::to_vec(&v).expect("serializes"), "{}", String::from_utf8_lossy(&text));
        });
    }
}
