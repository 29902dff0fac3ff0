//! Inbound webhooks (docs/format.md §10): verification, event extraction, de-duplication, customer
//! extraction and the reply, in the processing order of §10.2.
//!
//! Generated connectors with a `webhook` block have `Client::receive_webhook(&Request)`, which
//! runs [`receive`] on the definition's compiled [`Spec`]:
//!
//! 1. the body is read once: validated as JSON that `serde_json` reads into a value, with only
//!    the values the rules need captured (and, when the headers name an event with a sync
//!    handler, that handler's record);
//! 2. a URL-verification handshake (`challengeResponse`) is answered with its token;
//! 3. the signature or token is verified against the raw bytes (`verification`); a failure is a
//!    [`Rejection`] with 401; a verified body that is not such JSON is a rejection with 400;
//! 4. the event is extracted, then the transaction id (per-event `overrides` need the event),
//!    which is claimed in the [`Dedupe`] store: a confirmed duplicate is acknowledged and
//!    flagged; one claimed but not confirmed is a rejection with 503 and `Retry-After`;
//! 5. the reply is the definition's `response` (200 `{}` by default), to send once the delivery
//!    is processed (a 2xx means processed: see the `axum` module, feature `axum`);
//! 6. the customer is extracted, the matching triggers listed and the event's sync handler
//!    record mapped (docs/format.md §11.6), for the processing.

pub mod dedupe;
mod delivery;
#[doc(hidden)]
pub mod probe;
pub mod spec;
pub mod verify;

#[cfg(feature = "axum")]
pub mod axum;

pub use dedupe::{Claim, Dedupe, DedupeError, DedupeKey, MemoryDedupe};
pub use delivery::{Body, Delivery, IN_FLIGHT_RETRY_AFTER, Reason, Rejection, Reply, Request};
pub use spec::Spec;
pub use verify::{MatchedSecret, SecretSource, VerifyFailure};

use std::borrow::Cow;

use serde_json::Value;

use crate::http::Engine;
use crate::store::{Bag, Snapshot};
use spec::Inputs;

/// What the Automation Builder shows for a trigger (docs/format.md §9): the generated `TRIGGERS`,
/// and what a delivery's triggers are matched against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TriggerInfo {
    pub event: &'static str,
    pub label: &'static str,
    pub description: &'static str,
    pub icon: &'static str,
    pub img: &'static str,
}

/// Implemented by generated clients with a `webhook` block: what a receiver (such as the
/// [`axum`](crate::webhook) endpoint) needs to run deliveries through the client.
pub trait Receiver: Send + Sync + 'static {
    type Event: WebhookEvent + Send + Sync + 'static;
    /// The app's namespace (the endpoint is `/miniapps/{NS}/webhooks`).
    const NS: &'static str;
    fn engine(&self) -> &Engine;
    fn spec(&self) -> &'static Spec;
    /// Maps the record of `event`'s sync handler (docs/format.md §11.6) from its captures: the
    /// generated mappers, for connectors whose `Spec::handlers` is not empty.
    fn map_record(
        &self,
        event: &str,
        captured: crate::sync::Captured<'_>,
    ) -> Result<<Self::Event as WebhookEvent>::Record, crate::sync::Problem> {
        let _ = captured;
        Err(crate::sync::Problem::NoHandler { event: event.to_string() })
    }
}

/// Implemented by a connector's generated `Event` enum.
pub trait WebhookEvent: Sized {
    /// The records the connector's sync handlers write ([`crate::sync::NoRecord`] when it has
    /// none).
    type Record: crate::sync::HandlerRecord + serde::Serialize + Clone + std::fmt::Debug + PartialEq + Send + Sync + 'static;
    /// The event for an extracted event string (`Other` for an undeclared one).
    fn from_event(event: &str) -> Self;
    /// The event string.
    fn as_str(&self) -> &str;
}

/// For generated code: `FromStr`, `Display` and serde, all as the event string, for an `Event`
/// enum that implements [`WebhookEvent`] (written once here rather than in every connector).
#[doc(hidden)]
#[macro_export]
macro_rules! webhook_event_impls {
    ($event:ident) => {
        impl ::std::str::FromStr for $event {
            type Err = ::std::convert::Infallible;
            fn from_str(event: &str) -> ::std::result::Result<Self, Self::Err> {
                ::std::result::Result::Ok(<$event as $crate::webhook::WebhookEvent>::from_event(event))
            }
        }

        impl ::std::fmt::Display for $event {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(<$event as $crate::webhook::WebhookEvent>::as_str(self))
            }
        }

        impl $crate::serde::Serialize for $event {
            fn serialize<S: $crate::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(<$event as $crate::webhook::WebhookEvent>::as_str(self))
            }
        }

        impl<'de> $crate::serde::Deserialize<'de> for $event {
            fn deserialize<D: $crate::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let event = <::std::string::String as $crate::serde::Deserialize>::deserialize(deserializer)?;
                ::std::result::Result::Ok(<$event as $crate::webhook::WebhookEvent>::from_event(&event))
            }
        }
    };
}

/// The candidate secrets for `key` (docs/format.md §10.5): the install's credentials first (a string,
/// or an array of strings for a rotating secret, current first); otherwise the app-wide config
/// (`ClientBuilder::config` / `config_rotating`, then the definition's `auth.config` default).
fn secrets<'a>(engine: &'a Engine, snapshot: &'a Snapshot, key: &str) -> Candidates<'a> {
    let candidate = |(i, s): (usize, &'a str)| (SecretSource::Credentials, i, s);
    let from_credentials = match snapshot.get(Bag::Credentials, key) {
        // The common case, one secret, needs no list.
        Some(Value::String(s)) if !s.is_empty() => return Candidates::One(candidate((0, s.as_str()))),
        Some(Value::Array(items)) => {
            items.iter().filter_map(Value::as_str).enumerate().filter(|(_, s)| !s.is_empty()).map(candidate).collect()
        }
        _ => Vec::new(),
    };
    if !from_credentials.is_empty() {
        return Candidates::Many(from_credentials);
    }
    // An empty value is no secret (a missing environment variable read with `unwrap_or_default`,
    // the definition's `""` default): it never verifies anything. Positions stay those given.
    let from_config = engine.config_values(key).into_iter().enumerate().filter(|(_, s)| !s.is_empty());
    Candidates::Many(from_config.map(|(i, s)| (SecretSource::Config, i, s)).collect())
}

/// The candidate secrets of a delivery: where each is from, its position, the secret.
enum Candidates<'a> {
    One((SecretSource, usize, &'a str)),
    Many(Vec<(SecretSource, usize, &'a str)>),
}

impl<'a> Candidates<'a> {
    fn as_slice(&self) -> &[(SecretSource, usize, &'a str)] {
        match self {
            Candidates::One(one) => std::slice::from_ref(one),
            Candidates::Many(many) => many,
        }
    }
}

/// Runs a client's compiled webhook [`Spec`] on one delivery. Never panics: every input gets a
/// [`Delivery`] or a [`Rejection`], each with its reply.
pub async fn receive<C: Receiver + ?Sized>(client: &C, request: &Request<'_>) -> Result<Delivery<C::Event>, Rejection> {
    let (engine, spec) = (client.engine(), client.spec());
    let probes = spec.probes();
    // When the headers already name the event, one pass also reads what it alone needs: its
    // overrides' paths and its sync handler's record.
    let early = spec.event_before_body(request.headers, request.query);
    let early_handler = spec.handler(early.as_deref());
    let one_pass = early_handler.is_some() || spec.needs_second_pass(early.as_deref());
    let probe = match early_handler {
        Some((i, _)) => &probes.handlers[i],
        None if one_pass => &probes.all,
        None if early.is_some() => &probes.known,
        None => &probes.eager,
    };
    // The rules' values, and (after them) the early handler's record captures.
    let captured = probe.read_body(request.body);
    let ns = engine.app().ns;
    let delivery = |reply: delivery::Reply| Delivery {
        ns: Cow::Borrowed(ns),
        install: engine.install().to_string(),
        event: None,
        transaction_id: None,
        generated_id: false,
        duplicate: false,
        claimed: false,
        challenge: false,
        verified_with: None,
        customer: None,
        triggers: Vec::new(),
        handler: None,
        body: delivery::Body::new(request.body),
        reply,
    };

    // 2. The handshake.
    if let (Some(rule), Ok(captured)) = (&spec.challenge, &captured) {
        let inputs = Inputs { captured, headers: request.headers, query: request.query, probes };
        if let Some(token) = inputs.challenge(rule) {
            let Some(token) = token.cloned() else {
                return Err(Rejection::new(Reason::MalformedBody { message: "the challenge has no token".into() }));
            };
            let reply = match rule.response_field {
                Some(field) => Reply::json(200, Value::Object([(field.to_string(), token)].into_iter().collect())),
                None => Reply::text(200, crate::rt::template::stringify(&token)),
            };
            tracing::debug!(ns, "webhook challenge answered");
            return Ok(Delivery { challenge: true, ..delivery(reply) });
        }
    }

    // 3. Verification, over the raw bytes.
    let verified_with = match spec.verification.secret_key() {
        None => None,
        Some(key) => {
            let snapshot = engine
                .snapshot("webhook")
                .await
                .map_err(|e| Rejection::new(Reason::Unavailable { message: format!("credential store: {e}") }))?;
            let candidates = secrets(engine, &snapshot, key);
            let header = spec.verification.header().and_then(|name| probes.header(request.headers, name));
            match verify::verify(&spec.verification, header, request.body, candidates.as_slice()) {
                Ok(matched) => matched,
                Err(failure) => {
                    tracing::debug!(ns, %failure, "webhook rejected");
                    return Err(Rejection::new(Reason::Unverified { failure }));
                }
            }
        }
    };
    let malformed = |e: probe::Error| Rejection::new(Reason::MalformedBody { message: e.to_string() });
    let mut captured = captured.map_err(malformed)?;

    // 4. Event, transaction id, de-duplication.
    // Read before the body when the rule allows it (the same answer); otherwise now.
    let event = early.or_else(|| {
        spec.event
            .as_ref()
            .and_then(|rule| Inputs { captured: &captured, headers: request.headers, query: request.query, probes }.event(rule))
            // Owned: the captures are taken apart below.
            .map(|event| Cow::Owned(event.into_owned()))
    });
    if !one_pass && spec.needs_second_pass(event.as_deref()) {
        let mut more = probes.overrides.read(request.body).map_err(malformed)?;
        captured.append(&mut more);
    }
    let inputs = Inputs { captured: &captured, headers: request.headers, query: request.query, probes };
    let (transaction_id, generated_id) = match &spec.transaction {
        None => (None, false),
        Some(rule) => match inputs.transaction_id(rule, event.as_deref()) {
            // Taken from its slot unless the customer reads it too.
            Some(found) => {
                let shared = |slot| spec.customer.is_some_and(|c| c.at(event.as_deref()).reads(slot));
                (Some(found.into_text(&mut captured, shared)), false)
            }
            None if rule.generate => (Some(crate::random::unique_id()), true),
            None => (None, false),
        },
    };
    let mut duplicate = false;
    let mut claimed = false;
    if let (Some(id), false) = (&transaction_id, generated_id) {
        let key = DedupeKey { ns, install: engine.install(), id };
        match dedupe::claim(engine.dedupe(), &key).await {
            Ok(Claim::New) => claimed = true,
            Ok(Claim::Duplicate) => duplicate = true,
            // Not processed yet: a 2xx now would drop the delivery if that worker fails.
            Ok(Claim::InFlight) => return Err(Rejection::new(Reason::InFlight)),
            Err(e) => return Err(Rejection::new(Reason::Unavailable { message: format!("de-duplication store: {e}") })),
        }
    }

    // 5. The reply; 6. what processing needs: the customer, the triggers, and the record of the
    // event's sync handler (docs/format.md §11.6).
    let reply = Reply::json_static(spec.response_status, &probes.response_body);
    let (customer, triggers, handler) = if duplicate {
        (None, Vec::new(), None)
    } else {
        let customer = spec.customer.as_ref().and_then(|rule| spec::customer(&mut captured, rule, event.as_deref()));
        let triggers = spec.triggers.iter().filter(|t| Some(t.event) == event.as_deref()).map(|t| Cow::Borrowed(t.event)).collect();
        let handler = match spec.handler(event.as_deref()) {
            None => None,
            Some((_, h)) => {
                // Read in the first pass when the event was known then; otherwise now. The id is
                // claimed by now: a record that cannot be read is the handler's error, and the
                // delivery is kept (never a rejection that would leave the claim held).
                let mut late;
                let slots: Result<&mut [crate::reader::Slot], probe::Error> = match early_handler {
                    Some(_) => {
                        let at = captured.len().min(spec.paths.len());
                        Ok(&mut captured[at..])
                    }
                    None => match h.record.read_slots(request.body) {
                        Ok(slots) => {
                            late = slots;
                            Ok(&mut late[..])
                        }
                        Err(e) => Err(e),
                    },
                };
                Some(Box::new(match slots {
                    Ok(slots) => crate::sync::handler::outcome(h, slots, |c| client.map_record(h.event, c)),
                    Err(e) => crate::sync::handler::unreadable(h, &e),
                }))
            }
        };
        (customer, triggers, handler)
    };
    if event.is_none() {
        tracing::debug!(ns, "webhook delivery names no event; acknowledged, nothing to run");
    }
    Ok(Delivery {
        event: event.as_deref().map(<C::Event as WebhookEvent>::from_event),
        transaction_id,
        generated_id,
        duplicate,
        claimed,
        verified_with,
        customer,
        triggers,
        handler,
        ..delivery(reply)
    })
}

/// Marks a claimed delivery processed (no-op for one that is not claimed).
pub async fn confirm<E: WebhookEvent>(engine: &Engine, delivery: &Delivery<E>) -> Result<(), DedupeError> {
    match delivery.dedupe_key() {
        Some(key) => dedupe::confirm(engine.dedupe(), &key).await,
        None => Ok(()),
    }
}

/// Releases a claimed delivery whose processing failed, so the provider's retry is processed.
pub async fn release<E: WebhookEvent>(engine: &Engine, delivery: &Delivery<E>) -> Result<(), DedupeError> {
    match delivery.dedupe_key() {
        Some(key) => dedupe::release(engine.dedupe(), &key).await,
        None => Ok(()),
    }
}
