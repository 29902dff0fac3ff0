//! The one error type of generated connectors.

use std::time::Duration;

/// How much of a provider's response body an error keeps.
pub const BODY_EXCERPT_LIMIT: usize = 512;

/// Everything that can go wrong when a connector talks to its provider. Messages never contain a
/// secret: request descriptions carry the method and the URL path only (no query string, no
/// headers), and body excerpts are bounded and have every known secret value masked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request could not be sent or the connection failed. `message` ends with the root
    /// cause ("error sending request: connection refused (os error 111)"); `source` is the
    /// underlying error with its whole chain (never a URL: they can carry secrets).
    #[error("{request}: transport error: {message}")]
    Transport {
        request: String,
        message: String,
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// The provider did not answer within the timeout.
    #[error("{request}: timed out")]
    Timeout { request: String },
    /// The provider answered 429 and retries were exhausted.
    #[error("{request}: rate limited by the provider")]
    RateLimited { request: String, retry_after: Option<Duration> },
    /// The provider answered 401/403 (after the refresh, when `auto_refresh` is on).
    #[error("{request}: not authorized (HTTP {status})")]
    Unauthorized { request: String, status: u16 },
    /// Any other non-2xx answer.
    #[error("{request}: HTTP {status}: {body}")]
    Status { request: String, status: u16, body: String },
    /// The provider answered with a redirect. Redirects are not followed (a credential must never
    /// reach another host). `location` is the target's path and query when it is on the request's
    /// origin (a missing trailing slash shows as such), else the target's origin only.
    #[error("{request}: redirected (HTTP {status}) to {location}; redirects are not followed")]
    Redirect { request: String, status: u16, location: String },
    /// The provider gave a URL to follow (a list's next page) on another origin (scheme, host or
    /// port) than the endpoint's. It was not requested: credentials never leave the endpoint's
    /// origin. `origin` is the given URL's origin only.
    #[error("{request}: the next page is on {origin}, another origin than the endpoint's; it was not requested")]
    ForeignUrl { request: String, origin: String },
    /// The response body is larger than the client's limit (`ClientBuilder::max_response_bytes`);
    /// it was not downloaded past the limit.
    #[error("{request}: the response is larger than {limit} bytes")]
    ResponseTooLarge { request: String, limit: usize },
    /// The response was not the JSON the definition maps.
    #[error("{request}: the response is not valid JSON at line {line}, column {column}: {message}")]
    Decode { request: String, line: usize, column: usize, message: String },
    /// The response is valid JSON but not of the shape the definition expects (e.g. a source's
    /// options are not an array).
    #[error("{request}: unexpected response: {message}")]
    UnexpectedResponse { request: String, message: String },
    /// A template could not be rendered safely (a value would change the URL's structure, a
    /// header value contains a line break, ...). Nothing was sent.
    #[error("{request}: {message}")]
    Template { request: String, message: String },
    /// A `[[key]]` the request needs is in neither the credentials nor the metadata. `origin`
    /// says where the value comes from and how to supply it (e.g. "it is metadata from
    /// `userDetails`: run `Client::user_details` or set `Credentials::workspace_id`").
    #[error("{request}: missing `{key}`: {origin}")]
    MissingCredential { request: String, key: String, origin: String },
    /// The client is misconfigured (e.g. its base URL is not an absolute `http(s)` URL); nothing
    /// was sent.
    #[error("{request}: the client is misconfigured: {message}")]
    Config { request: String, message: String },
    /// The credential store could not be read (nothing was sent) or written (the provider
    /// answered, but its tokens could not be kept). Values that could not be saved are kept by
    /// the client and written before its next call, so a rotated refresh token is never dropped:
    /// when [`Error::is_retryable`] says so, try the call again later; otherwise fix the store.
    #[error("{request}: credential store: {source}")]
    Store { request: String, source: crate::StoreError },
    /// The caller's input does not fit the action's parameters.
    #[error("invalid input: {0}")]
    Input(String),
    /// An App Function step failed.
    #[error("function `{function}` failed: {message}")]
    Function { function: String, message: String },
    /// A sync import could not read a page or a record (docs/format.md §11). `record` is the index of
    /// the record in its page; record-level problems ([`crate::sync::Problem::is_record_level`])
    /// are yielded in place of the record and the import goes on, so nothing is skipped unseen.
    #[error("sync `{resource}` page {page}{}: {problem}", record.map(|i| format!(", record {i}")).unwrap_or_default())]
    Sync { resource: String, page: u64, record: Option<usize>, problem: crate::sync::Problem },
    /// The final mapping does not fit the action's output type.
    #[error("{action}: the result does not fit the output type: {message}")]
    Output { action: String, message: String },
}

impl Error {
    /// Whether trying again later may succeed (transport failures, timeouts, 429, 5xx).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport { .. } | Error::Timeout { .. } | Error::RateLimited { .. } => true,
            Error::Status { status, .. } => *status >= 500,
            Error::Store { source, .. } => source.is_retryable(),
            _ => false,
        }
    }

    /// The HTTP status the provider answered with, if any.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Status { status, .. } | Error::Unauthorized { status, .. } | Error::Redirect { status, .. } => Some(*status),
            Error::RateLimited { .. } => Some(429),
            _ => None,
        }
    }
}

/// The encodings a secret can take in a provider's echo, longest first.
fn secret_forms(secret: &str) -> Vec<String> {
    const PATH: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
    let json = serde_json::to_string(secret).unwrap_or_default();
    let json = json.get(1..json.len().saturating_sub(1)).unwrap_or_default().to_string();
    let mut forms = vec![
        secret.to_string(),
        percent_encoding::utf8_percent_encode(secret, PATH).to_string(),
        form_urlencoded::byte_serialize(secret.as_bytes()).collect::<String>(),
        json.replace('/', "\\/"),
        json,
    ];
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    forms.dedup();
    forms
}

/// A bounded, secret-masked excerpt of a response body.
///
/// Each secret is masked in every form it can take on the way out and back: as it is,
/// percent-encoded (path and query), form-encoded, and JSON-escaped (with and without `\/`).
/// Base64 forms (HTTP Basic) are masked by passing the encoded header value as a secret.
pub(crate) fn excerpt(body: &[u8], secrets: &[String]) -> String {
    let mut text = String::from_utf8_lossy(body).into_owned();
    for s in secrets.iter().filter(|s| s.len() >= 4) {
        for form in secret_forms(s) {
            if form.len() >= 4 && text.contains(form.as_str()) {
                text = text.replace(form.as_str(), "***");
            }
        }
    }
    if text.len() > BODY_EXCERPT_LIMIT {
        let mut cut = BODY_EXCERPT_LIMIT;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push('…');
    }
    text
}
