//! What `receive_webhook` returns: an accepted [`Delivery`] or a [`Rejection`], each with the
//! [`Reply`] to send to the provider. Both serialize (camelCase keys), so a receiver can
//! acknowledge at once and hand the delivery to a queue.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::dedupe::DedupeKey;
use super::verify::{MatchedSecret, VerifyFailure};
use crate::Customer;

/// An inbound HTTP request, as received.
#[derive(Clone, Copy, Debug)]
pub struct Request<'a> {
    pub headers: &'a http::HeaderMap,
    /// The raw query string (without `?`), `""` when there is none.
    pub query: &'a str,
    /// The raw body bytes, exactly as received (signatures are computed over them).
    pub body: &'a [u8],
}

/// The HTTP answer to send to the provider.
///
/// The content type and the definition's `response` body are borrowed from the compiled
/// definition (`Cow::Borrowed`): a reply costs no copy of them. Both read as `&str` and `&Value`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reply {
    pub status: u16,
    /// `application/json` or `text/plain; charset=utf-8`.
    pub content_type: Cow<'static, str>,
    /// The JSON value of a JSON reply; the text (a JSON string) of a `text/plain` one.
    pub body: Cow<'static, Value>,
    /// Seconds for a `Retry-After` header: when the provider should come back (a delivery whose
    /// id another worker is still processing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u32>,
}

pub(crate) const JSON: &str = "application/json";
pub(crate) const TEXT: &str = "text/plain; charset=utf-8";

impl Reply {
    pub fn json(status: u16, body: Value) -> Self {
        Reply { status, content_type: Cow::Borrowed(JSON), body: Cow::Owned(body), retry_after: None }
    }

    /// A JSON reply of a value that lives as long as the program (a compiled definition's).
    pub fn json_static(status: u16, body: &'static Value) -> Self {
        Reply { status, content_type: Cow::Borrowed(JSON), body: Cow::Borrowed(body), retry_after: None }
    }

    pub fn text(status: u16, text: String) -> Self {
        Reply { status, content_type: Cow::Borrowed(TEXT), body: Cow::Owned(Value::String(text)), retry_after: None }
    }

    /// Whether the body is JSON (otherwise it is text).
    pub fn is_json(&self) -> bool {
        self.content_type == JSON
    }

    /// The bytes of the body.
    pub fn body_bytes(&self) -> Vec<u8> {
        match (&*self.body, self.is_json()) {
            (Value::String(text), false) => text.as_bytes().to_vec(),
            (value, _) => value.to_string().into_bytes(),
        }
    }
}

/// A delivery's body: JSON validated on receipt, kept as the bytes the provider sent. It
/// serializes as that JSON value; read it with [`Body::parse`] or [`Body::value`].
#[derive(Clone, PartialEq, Eq)]
pub struct Body(Box<[u8]>);

impl Body {
    /// The bytes as received.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The body as any deserializable type (e.g. a struct of the fields you need).
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.0)
    }

    /// The body as a JSON tree.
    pub fn value(&self) -> Result<Value, serde_json::Error> {
        self.parse()
    }

    pub(crate) fn new(bytes: &[u8]) -> Self {
        Body(bytes.into())
    }
}

/// Shows the size only: a body can carry personal data.
impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Body({} bytes)", self.0.len())
    }
}

impl Serialize for Body {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let raw: &serde_json::value::RawValue = serde_json::from_slice(&self.0).map_err(serde::ser::Error::custom)?;
        raw.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Body {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = Box::<serde_json::value::RawValue>::deserialize(d)?;
        Ok(Body(raw.get().as_bytes().into()))
    }
}

/// An accepted delivery (docs/format.md §10.2). Send [`Delivery::reply`] at once; process the rest
/// afterwards, unless it is a `duplicate` or a `challenge`.
///
/// When [`Delivery::claimed`] is true, the transaction id is claimed in the de-duplication store:
/// after processing, confirm it (`Client::confirm_webhook`), or release it on failure
/// (`Client::release_webhook`) so the provider's retry is processed again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Delivery<E: super::WebhookEvent> {
    /// The app's namespace.
    pub ns: Cow<'static, str>,
    /// The install the delivery was received for (the client's install id).
    pub install: String,
    /// The event (docs/format.md §10.3), or `None` when the delivery names none.
    pub event: Option<E>,
    /// The transaction id (docs/format.md §10.4), when the definition declares one and it was found
    /// (or generated).
    pub transaction_id: Option<String>,
    /// Whether the transaction id was generated (`fallback: "generate"`): no de-duplication.
    pub generated_id: bool,
    /// Whether the id was processed (or is being processed) already: acknowledge only.
    pub duplicate: bool,
    /// Whether the id is claimed and must be confirmed or released after processing.
    pub claimed: bool,
    /// Whether this was the URL-verification handshake (docs/format.md §10.6): answer, nothing else.
    pub challenge: bool,
    /// Which secret verified the delivery (`None` for `verification: none` and challenges).
    pub verified_with: Option<MatchedSecret>,
    /// The customer (docs/format.md §10.8), when the definition extracts one and it was found.
    pub customer: Option<Box<Customer>>,
    /// The event strings of the triggers whose automations run (docs/format.md §9).
    pub triggers: Vec<Cow<'static, str>>,
    /// The sync handler's outcome (docs/format.md §11.6), when the event has a handler: the record to
    /// write and what to do with it. Absent for duplicates and handshakes.
    #[serde(default = "Option::default", skip_serializing_if = "Option::is_none")]
    pub handler: Option<Box<crate::sync::Handled<E::Record>>>,
    /// The body, as received.
    pub body: Body,
    /// What to answer.
    pub reply: Reply,
}

impl<E: super::WebhookEvent> Delivery<E> {
    /// Whether this delivery is to be processed (not a duplicate, not a handshake).
    pub fn is_new(&self) -> bool {
        !self.duplicate && !self.challenge
    }

    /// The de-duplication key of a claimed delivery.
    pub fn dedupe_key(&self) -> Option<DedupeKey<'_>> {
        let id = self.transaction_id.as_deref().filter(|_| self.claimed)?;
        Some(DedupeKey { ns: &self.ns, install: &self.install, id })
    }
}

/// Why a delivery was refused.
#[derive(Clone, Debug, PartialEq, thiserror::Error, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Reason {
    /// The signature or token did not verify (401).
    #[error("not verified: {failure}")]
    Unverified { failure: VerifyFailure },
    /// The verified body is not one JSON value (400).
    #[error("the body is not JSON: {message}")]
    MalformedBody { message: String },
    /// The credential or de-duplication store failed (503: the provider retries later).
    #[error("unavailable: {message}")]
    Unavailable { message: String },
    /// Another delivery with the same transaction id is being processed and has not been
    /// confirmed (503 with `Retry-After`: once it is confirmed, the retry is acknowledged as a
    /// duplicate; if its worker died, the retry is processed when the claim's lease ends).
    #[error("a delivery with this id is being processed")]
    InFlight,
}

/// The `Retry-After` (seconds) of a delivery whose id is being processed elsewhere.
pub const IN_FLIGHT_RETRY_AFTER: u32 = 30;

/// A refused delivery: the reason, and the reply to send.
#[derive(Clone, Debug, PartialEq, thiserror::Error, Serialize, Deserialize)]
#[error("webhook rejected: {reason}")]
#[serde(rename_all = "camelCase")]
pub struct Rejection {
    pub reason: Reason,
    pub reply: Reply,
}

impl Rejection {
    pub(crate) fn new(reason: Reason) -> Self {
        let (status, message) = match &reason {
            Reason::Unverified { .. } => (401, "unauthorized"),
            Reason::MalformedBody { .. } => (400, "the body is not JSON"),
            Reason::Unavailable { .. } => (503, "temporarily unavailable"),
            Reason::InFlight => (503, "being processed; retry later"),
        };
        let retry_after = matches!(reason, Reason::InFlight).then_some(IN_FLIGHT_RETRY_AFTER);
        // The reply says as little as possible: the reason stays on our side.
        Rejection { reason, reply: Reply { retry_after, ..Reply::json(status, serde_json::json!({ "error": message })) } }
    }
}
