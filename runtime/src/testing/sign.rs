//! Signed test deliveries: a body and the headers and query a definition's webhook block reads,
//! signed the way its verification checks (Svix's `Webhook::sign`, for any definition).

use base64::Engine as _;
use hmac::{KeyInit, Mac};
use serde_json::Value;

use crate::webhook::Request;
use crate::webhook::probe::Capture;
use crate::webhook::spec::{EventRule, Loc, Spec};
use crate::webhook::verify::{Algorithm, Encoding, Verification};

/// A delivery as the provider would send it: everything a receiver reads.
#[derive(Clone, Debug)]
pub struct SignedDelivery {
    pub headers: http::HeaderMap,
    /// The query string (without `?`), `""` when the definition reads nothing from it.
    pub query: String,
    /// The raw body: what the signature covers.
    pub body: Vec<u8>,
}

impl SignedDelivery {
    /// The request to pass to `receive_webhook`.
    pub fn request(&self) -> Request<'_> {
        Request { headers: &self.headers, query: &self.query, body: &self.body }
    }

    /// The same delivery with its HMAC signature prefixed by the algorithm (`sha256=…`,
    /// `sha1=…`), as GitHub-style providers send it. Verification accepts both forms.
    pub fn prefixed(mut self, spec: &Spec) -> Self {
        if let Verification::Hmac { algorithm, header, .. } = spec.verification
            && let Some(value) = self.headers.get(header).and_then(|v| v.to_str().ok())
        {
            let prefix = if algorithm == Algorithm::Sha256 { "sha256=" } else { "sha1=" };
            if let Ok(value) = http::HeaderValue::from_str(&format!("{prefix}{value}")) {
                self.headers.insert(header, value);
            }
        }
        self
    }

    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

/// Builds a delivery of `event` with `body` for the webhook block `spec`: the event where the
/// extraction reads it (a header, the query, the body at its path; each part of a composite
/// where that part is read), a fresh delivery id where `transactionId` reads one when `body` has
/// none, and the signature (or token) the verification checks, made with `secret`.
pub fn sign(spec: &'static Spec, secret: &str, event: &str, body: Value) -> SignedDelivery {
    let mut d = Draft { spec, headers: http::HeaderMap::new(), query: Vec::new(), body };
    match spec.event {
        Some(EventRule::Single { primary, .. }) => d.put(primary, Some(event)),
        Some(EventRule::Composite { parts, separator }) => {
            // The event's pieces go to the parts in order (the last part takes the rest); the
            // parts left over are emptied, so they add nothing to the joined event.
            let mut pieces: Vec<&str> = if separator.is_empty() { vec![event] } else { event.splitn(parts.len(), separator).collect() };
            pieces.resize(parts.len(), "");
            for (part, piece) in parts.iter().zip(pieces) {
                d.put(*part, Some(piece).filter(|p| !p.is_empty()));
            }
        }
        None => {}
    }
    if let Some(rule) = spec.transaction {
        let locs = rule.locs(Some(event));
        if let (false, Some(first)) = (locs.iter().any(|loc| d.has(*loc)), locs.first()) {
            let id = format!("delivery-{:016x}", fastrand::u64(..));
            d.put(*first, Some(&id));
        }
    }
    let Draft { headers, query, body, .. } = d;
    finish(spec, secret, headers, query, serde_json::to_vec(&body).unwrap_or_default())
}

/// Builds a delivery of `event` with exactly the bytes `body` (not JSON, or JSON written some
/// particular way): the event where the extraction reads it from a header or the query (a body
/// path cannot be written without changing the bytes), and the signature over the bytes.
pub fn sign_raw(spec: &'static Spec, secret: &str, event: &str, body: Vec<u8>) -> SignedDelivery {
    let mut d = Draft { spec, headers: http::HeaderMap::new(), query: Vec::new(), body: Value::Null };
    match spec.event {
        Some(EventRule::Single { primary: primary @ (Loc::Header(_) | Loc::Query(_)), .. }) => d.put(primary, Some(event)),
        Some(EventRule::Single { fallback: Some(fallback @ (Loc::Header(_) | Loc::Query(_))), .. }) => d.put(fallback, Some(event)),
        _ => {}
    }
    let Draft { headers, query, .. } = d;
    finish(spec, secret, headers, query, body)
}

/// Signs `body` as `spec`'s verification checks, into the headers.
fn finish(spec: &Spec, secret: &str, mut headers: http::HeaderMap, query: Vec<(String, String)>, body: Vec<u8>) -> SignedDelivery {
    match spec.verification {
        Verification::None => {}
        Verification::Hmac { algorithm, header, encoding, .. } => {
            let mac = match algorithm {
                Algorithm::Sha256 => hmac::Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).map(|mut m| {
                    m.update(&body);
                    m.finalize().into_bytes().to_vec()
                }),
                Algorithm::Sha1 => hmac::Hmac::<sha1::Sha1>::new_from_slice(secret.as_bytes()).map(|mut m| {
                    m.update(&body);
                    m.finalize().into_bytes().to_vec()
                }),
            }
            .unwrap_or_default();
            let signature = match encoding {
                Encoding::Hex => hex::encode(mac),
                Encoding::Base64 => base64::engine::general_purpose::STANDARD.encode(mac),
            };
            insert(&mut headers, header, &signature);
        }
        Verification::HeaderToken { header, .. } => insert(&mut headers, header, secret),
    }
    let query = form_urlencoded::Serializer::new(String::new()).extend_pairs(&query).finish();
    SignedDelivery { headers, query, body }
}

/// A delivery being put together.
struct Draft {
    spec: &'static Spec,
    headers: http::HeaderMap,
    query: Vec<(String, String)>,
    body: Value,
}

impl Draft {
    fn steps(&self, slot: usize) -> &'static [crate::rt::path::Step] {
        match self.spec.paths.get(slot) {
            Some(Capture::Value(steps) | Capture::Object(steps)) => steps,
            None => &[],
        }
    }

    /// Puts `value` where `loc` reads (`None`: a body path is emptied, nothing is sent else).
    fn put(&mut self, loc: Loc, value: Option<&str>) {
        match (loc, value) {
            (Loc::Header(name), Some(v)) => insert(&mut self.headers, name, v),
            (Loc::Query(name), Some(v)) => self.query.push((name.to_string(), v.to_string())),
            (Loc::Header(_) | Loc::Query(_), None) => {}
            (Loc::Body(slot), v) => {
                let steps = self.steps(slot);
                super::put(&mut self.body, steps, v.map_or(Value::Null, |v| Value::String(v.to_string())));
            }
        }
    }

    /// Whether `loc` already holds a value.
    fn has(&self, loc: Loc) -> bool {
        match loc {
            Loc::Body(slot) => crate::rt::path::get(&self.body, self.steps(slot)).is_some_and(|v| !v.is_null() && v != ""),
            Loc::Header(name) => self.headers.contains_key(name),
            Loc::Query(name) => self.query.iter().any(|(k, _)| k == name),
        }
    }
}

fn insert(headers: &mut http::HeaderMap, name: &str, value: &str) {
    if let (Ok(name), Ok(value)) = (http::HeaderName::from_bytes(name.as_bytes()), http::HeaderValue::from_str(value)) {
        headers.insert(name, value);
    }
}
