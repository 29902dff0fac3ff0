//! A definition's `webhook` block, compiled: static descriptors the generated code declares and
//! [`super::receive`] runs. Paths are parsed by the compiler into the [`Spec::paths`] table, read
//! from the body in one pass; rules refer to them by slot.

use std::borrow::Cow;

use serde_json::Value;

use super::TriggerInfo;
use super::probe::{Capture, Probe};
use super::verify::Verification;
use crate::customer::{Customer, CustomerField};
use crate::reader::Slot;

/// Where a value is read (docs/format.md §10.3 `source`/`path`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loc {
    /// The body, at the path in slot `n` of [`Spec::paths`].
    Body(usize),
    /// A header (case-insensitive).
    Header(&'static str),
    /// A query-string parameter.
    Query(&'static str),
}

/// `eventExtraction`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventRule {
    /// `source`/`path`, then `fallback` when the first gives an empty value.
    Single { primary: Loc, fallback: Option<Loc> },
    /// `compositeStrategy`: the non-empty parts joined with `separator`.
    Composite { parts: &'static [Loc], separator: &'static str },
}

/// `transactionId`, normalised (`path` read as `paths`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TransactionRule {
    /// Where the id is: body paths (by slot), headers or query parameters.
    pub paths: &'static [Loc],
    /// Per-event locations (`overrides`).
    pub overrides: &'static [(&'static str, &'static [Loc])],
    /// With a separator, every non-empty value joined; without, the first non-empty one.
    pub separator: Option<&'static str>,
    /// `fallback: "generate"`.
    pub generate: bool,
}

/// `challengeResponse`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChallengeRule {
    /// Slot of the top-level `identifyField`.
    pub identify: usize,
    pub identify_value: &'static str,
    /// Slot of `challengePath`.
    pub token: usize,
    pub response_field: Option<&'static str>,
}

/// Where a customer is: the slot of its base path (an [`Capture::Object`]) and the slots of its
/// fields (base path + mapping value, each a [`Capture::Value`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CustomerAt {
    pub base: usize,
    pub fields: &'static [(CustomerField, usize)],
}

/// `customerExtraction`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CustomerRule {
    pub default: CustomerAt,
    /// Per-event `overrides[event].basePath`.
    pub overrides: &'static [(&'static str, CustomerAt)],
}

impl CustomerAt {
    /// The slots this customer reads: its base path's, then its fields'.
    fn slots(&self) -> impl Iterator<Item = usize> + '_ {
        std::iter::once(self.base).chain(self.fields.iter().map(|(_, slot)| *slot))
    }

    /// Whether this customer reads the path in `slot`.
    pub(crate) fn reads(&self, slot: usize) -> bool {
        self.slots().any(|s| s == slot)
    }
}

impl CustomerRule {
    /// Where the customer of `event` is: its override, else the default.
    pub(crate) fn at(&self, event: Option<&str>) -> &CustomerAt {
        event.and_then(|e| self.overrides.iter().find(|(name, _)| *name == e)).map_or(&self.default, |(_, at)| at)
    }

    /// Every place a customer can be (the default and each override).
    fn every_at(&self) -> impl Iterator<Item = &CustomerAt> {
        std::iter::once(&self.default).chain(self.overrides.iter().map(|(_, at)| at))
    }
}

impl TransactionRule {
    /// The locations of `event`'s transaction id: its override's, else `paths`.
    pub(crate) fn locs(&self, event: Option<&str>) -> &'static [Loc] {
        event.and_then(|e| self.overrides.iter().find(|(name, _)| *name == e)).map_or(self.paths, |(_, locs)| locs)
    }

    /// Every set of locations a transaction id can be read from (`paths` and each override's).
    fn every_locs(&self) -> impl Iterator<Item = &'static [Loc]> {
        std::iter::once(self.paths).chain(self.overrides.iter().map(|(_, locs)| *locs))
    }
}

impl ChallengeRule {
    fn reads(&self, slot: usize) -> bool {
        self.identify == slot || self.token == slot
    }
}

/// A definition's `webhook` block.
#[derive(Debug)]
pub struct Spec {
    /// Every body path the rules read. The first `eager` are captured in one pass over every
    /// delivery; the rest are only read by per-event overrides, and captured in a second pass
    /// only for a delivery whose event has one (so a large override base path costs nothing to
    /// the other events).
    pub paths: &'static [Capture],
    pub eager: usize,
    pub verification: Verification,
    pub challenge: Option<ChallengeRule>,
    pub event: Option<EventRule>,
    pub transaction: Option<TransactionRule>,
    pub customer: Option<CustomerRule>,
    /// `response`: status and body (JSON text); 200 and `{}` by default.
    pub response_status: u16,
    pub response_body: &'static str,
    pub triggers: &'static [TriggerInfo],
    /// The sync handlers (docs/format.md §11.6), by event: their records are captured in the same
    /// pass when the event is known before the body is read.
    pub handlers: &'static [&'static crate::sync::handler::HandlerSpec],
    /// The paths compiled into probes, on first use.
    #[doc(hidden)]
    pub probes: std::sync::OnceLock<Probes>,
}

/// A spec's paths compiled for reading bodies.
#[derive(Debug)]
pub struct Probes {
    /// The paths every delivery needs.
    pub(crate) eager: Probe,
    /// The eager paths but the event's: for a delivery whose event is known before its body is
    /// read (and needs no override path).
    pub(crate) known: Probe,
    /// The paths only per-event overrides read.
    pub(crate) overrides: Probe,
    /// Both, in slot order: for a delivery whose event is known before its body is read.
    pub(crate) all: Probe,
    /// Per handler (in `Spec::handlers` order): both, then the handler's record captures.
    pub(crate) handlers: Vec<Probe>,
    /// `response_body`, parsed.
    pub(crate) response_body: Value,
    /// The header names the rules read, parsed once (a lookup by `&str` parses the name each time).
    pub(crate) header_names: Vec<(&'static str, http::HeaderName)>,
}

impl Probes {
    /// The value of header `name` (case-insensitive).
    pub(crate) fn header<'h>(&self, headers: &'h http::HeaderMap, name: &'static str) -> Option<&'h http::HeaderValue> {
        match self.header_names.iter().find(|(n, _)| *n == name) {
            Some((_, parsed)) => headers.get(parsed),
            None => headers.get(name),
        }
    }
}

/// What one delivery offers the rules: the captured body values, the headers and the query.
pub(crate) struct Inputs<'a> {
    pub captured: &'a [Slot],
    pub headers: &'a http::HeaderMap,
    pub query: &'a str,
    pub probes: &'a Probes,
}

/// Text of an extracted value (docs/format.md §10.3 proposed): strings as they are, other values as
/// their JSON text; `null` and `""` are empty.
fn text(value: &Value) -> Option<Cow<'_, str>> {
    match value {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(Cow::Borrowed(s)),
        other => Some(Cow::Owned(other.to_string())),
    }
}

impl Spec {
    /// The probes of the eager paths, of the override paths, and of both.
    pub(crate) fn probes(&self) -> &Probes {
        self.probes.get_or_init(|| {
            let (eager, rest) = self.paths.split_at(self.eager.min(self.paths.len()));
            Probes {
                eager: Probe::new(eager),
                known: Probe::with(eager, |slot| self.read_beyond_event(slot), &[]),
                overrides: Probe::new(rest),
                all: Probe::new(self.paths),
                // The event is known: its paths and its handler's record, nothing for other events.
                handlers: self
                    .handlers
                    .iter()
                    .map(|h| Probe::with(self.paths, |slot| self.reads(h.event, slot), h.record.captures))
                    .collect(),
                response_body: serde_json::from_str(self.response_body).unwrap_or_else(|_| Value::Object(serde_json::Map::new())),
                header_names: self.header_names(),
            }
        })
    }

    /// Every header name the rules read, parsed (a name that does not parse is looked up as text).
    fn header_names(&self) -> Vec<(&'static str, http::HeaderName)> {
        let event: Vec<Loc> = match self.event {
            Some(EventRule::Single { primary, fallback }) => std::iter::once(primary).chain(fallback).collect(),
            Some(EventRule::Composite { parts, .. }) => parts.to_vec(),
            None => Vec::new(),
        };
        let ids = self.transaction.iter().flat_map(|t| t.every_locs()).flatten().copied();
        let headers = event.into_iter().chain(ids).filter_map(|loc| match loc {
            Loc::Header(name) => Some(name),
            _ => None,
        });
        let mut names: Vec<&'static str> = self.verification.header().into_iter().chain(headers).collect();
        names.dedup();
        names.into_iter().filter_map(|name| http::HeaderName::from_bytes(name.as_bytes()).ok().map(|parsed| (name, parsed))).collect()
    }

    /// The event, when the rule reads it from headers or the query alone (so it is known
    /// before the body is read, and one pass can take its overrides' paths too).
    pub(crate) fn event_before_body<'a>(&'a self, headers: &'a http::HeaderMap, query: &'a str) -> Option<Cow<'a, str>> {
        let inputs = Inputs { captured: &[], headers, query, probes: self.probes() };
        let outside_body = |loc: &Loc| !matches!(loc, Loc::Body(_));
        match self.event.as_ref()? {
            EventRule::Single { primary, .. } if outside_body(primary) => inputs.read(*primary),
            rule @ EventRule::Composite { parts, .. } if parts.iter().all(outside_body) => inputs.event(rule),
            _ => None,
        }
    }

    /// The handler of `event` and its index, if it has one.
    pub(crate) fn handler(&self, event: Option<&str>) -> Option<(usize, &'static crate::sync::handler::HandlerSpec)> {
        let event = event?;
        self.handlers.iter().enumerate().find(|(_, h)| h.event == event).map(|(i, h)| (i, *h))
    }

    /// Whether a delivery of `event`, known before its body is read, reads the path in `slot`:
    /// the handshake's, and the transaction id's and the customer's for this event (its override,
    /// else the default). The event's own paths are not read: it is known.
    fn reads(&self, event: &str, slot: usize) -> bool {
        self.challenge.is_some_and(|c| c.reads(slot))
            || self.transaction.is_some_and(|t| t.locs(Some(event)).contains(&Loc::Body(slot)))
            || self.customer.is_some_and(|c| c.at(Some(event)).reads(slot))
    }

    /// Whether a rule other than the event's reads the path in `slot` (for some event).
    fn read_beyond_event(&self, slot: usize) -> bool {
        self.challenge.is_some_and(|c| c.reads(slot))
            || self.transaction.is_some_and(|t| t.every_locs().any(|locs| locs.contains(&Loc::Body(slot))))
            || self.customer.is_some_and(|c| c.every_at().any(|at| at.reads(slot)))
    }

    /// Whether `event` has an override that reads a path outside the eager ones.
    pub(crate) fn needs_second_pass(&self, event: Option<&str>) -> bool {
        // The defaults' paths are all eager: only an override can read a later one.
        let late = |slot: usize| slot >= self.eager;
        self.transaction.is_some_and(|t| t.locs(event).iter().any(|loc| matches!(loc, Loc::Body(s) if late(*s))))
            || self.customer.is_some_and(|c| c.at(event).slots().any(late))
    }
}

impl<'a> Inputs<'a> {
    fn slot(&self, slot: usize) -> Option<&'a Value> {
        match self.captured.get(slot)? {
            Slot::Value(value) => Some(value),
            Slot::Null => Some(&Value::Null),
            _ => None,
        }
    }

    /// The non-empty text at a location (borrowed from the request where it is there as is).
    pub fn read(&self, loc: Loc) -> Option<Cow<'a, str>> {
        match loc {
            Loc::Body(slot) => self.slot(slot).and_then(text),
            Loc::Header(name) => self
                .probes
                .header(self.headers, name)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(Cow::Borrowed),
            Loc::Query(name) => {
                form_urlencoded::parse(self.query.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v).filter(|v| !v.is_empty())
            }
        }
    }

    pub fn event(&self, rule: &EventRule) -> Option<Cow<'a, str>> {
        match rule {
            EventRule::Single { primary, fallback } => self.read(*primary).or_else(|| fallback.and_then(|f| self.read(f))),
            EventRule::Composite { parts, separator } => {
                let parts: Vec<Cow<'a, str>> = parts.iter().filter_map(|p| self.read(*p)).collect();
                (!parts.is_empty()).then(|| Cow::Owned(parts.join(separator)))
            }
        }
    }

    /// The transaction id: the string in one body slot (for the caller to take), or a text made
    /// of several values, of a non-string one, or of a header or query value.
    pub fn transaction_id(&self, rule: &TransactionRule, event: Option<&str>) -> Option<Found> {
        let mut values = rule.locs(event).iter().filter_map(|&loc| self.read(loc).map(|t| (loc, t)));
        let (loc, first) = values.next()?;
        let separator = rule.separator.filter(|_| values.clone().next().is_some());
        match (separator, loc, first) {
            (Some(separator), _, first) => Some(Found::Text(values.fold(first.into_owned(), |mut id, (_, value)| {
                id.push_str(separator);
                id.push_str(&value);
                id
            }))),
            (None, Loc::Body(slot), Cow::Borrowed(_)) => Some(Found::Slot(slot)),
            (None, _, first) => Some(Found::Text(first.into_owned())),
        }
    }

    /// The challenge token, when this delivery is the handshake.
    pub fn challenge(&self, rule: &ChallengeRule) -> Option<Option<&Value>> {
        let is_challenge = matches!(self.slot(rule.identify), Some(Value::String(s)) if s == rule.identify_value);
        is_challenge.then(|| self.slot(rule.token))
    }
}

/// A value found for a rule: a slot's string, or a text made of values.
pub(crate) enum Found {
    Slot(usize),
    Text(String),
}

impl Found {
    /// The text: a slot's string is taken from `captured`, or copied when `shared` (a later rule
    /// reads the slot too).
    pub(crate) fn into_text(self, captured: &mut [Slot], shared: impl Fn(usize) -> bool) -> String {
        match self {
            Found::Text(text) => text,
            Found::Slot(slot) => match captured.get_mut(slot) {
                Some(Slot::Value(Value::String(text))) if shared(slot) => text.clone(),
                Some(Slot::Value(Value::String(text))) => std::mem::take(text),
                _ => String::new(),
            },
        }
    }
}

/// The customer of a delivery (docs/format.md §10.8), taking its values out of `captured` (read it
/// last).
pub(crate) fn customer(captured: &mut [Slot], rule: &CustomerRule, event: Option<&str>) -> Option<Box<Customer>> {
    let at = rule.at(event);
    // No object at the base path: no customer (docs/format.md §10.8 proposed).
    if !matches!(captured.get(at.base), Some(Slot::Value(Value::Object(_)))) {
        return None;
    }
    let mut customer = Box::<Customer>::default();
    for (n, (field, slot)) in at.fields.iter().enumerate() {
        let shared = at.fields[n + 1..].iter().any(|(_, s)| s == slot);
        let value = captured.get_mut(*slot).and_then(|v| {
            let v = if shared { v.clone() } else { std::mem::take(v) };
            match v {
                Slot::Value(value) => Some(value),
                Slot::Null => Some(Value::Null),
                _ => None,
            }
        });
        if let Some(value) = value {
            customer.set(*field, value);
        }
    }
    Some(customer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    use crate::rt::path::Step;

    const PATH: Capture = Capture::Value(&[Step::Field("x")]);

    /// Slots: 0 the event's body path, 1 the transaction id, 2 the default customer's base and
    /// 3 its field (all eager); 4 `b`'s transaction id; 5 and 6 `c`'s customer.
    fn spec() -> Spec {
        Spec {
            paths: &[PATH; 7],
            eager: 4,
            verification: super::super::verify::Verification::None,
            challenge: None,
            event: Some(EventRule::Single { primary: Loc::Header("x-event"), fallback: Some(Loc::Body(0)) }),
            transaction: Some(TransactionRule {
                paths: &[Loc::Body(1)],
                overrides: &[("b", &[Loc::Body(4)])],
                separator: None,
                generate: false,
            }),
            customer: Some(CustomerRule {
                default: CustomerAt { base: 2, fields: &[(CustomerField::Code, 3)] },
                overrides: &[("c", CustomerAt { base: 5, fields: &[(CustomerField::Code, 6)] })],
            }),
            response_status: 200,
            response_body: "{}",
            triggers: &[],
            handlers: &[],
            probes: std::sync::OnceLock::new(),
        }
    }

    #[test]
    fn an_event_known_before_the_body_reads_only_its_own_paths() {
        let spec = spec();
        let read = |event: &str| (0..7).filter(|&slot| spec.reads(event, slot)).collect::<Vec<_>>();
        assert_eq!(read("a"), [1, 2, 3], "the defaults, not the event's own path nor any override");
        assert_eq!(read("b"), [2, 3, 4], "its transaction override replaces the default path");
        assert_eq!(read("c"), [1, 5, 6], "its customer override replaces the default customer");
        let known: Vec<_> = (0..7).filter(|&slot| spec.read_beyond_event(slot)).collect();
        assert_eq!(known, [1, 2, 3, 4, 5, 6], "every path but the event's");
        let second: Vec<_> = [None, Some("a"), Some("b"), Some("c")].into_iter().map(|e| spec.needs_second_pass(e)).collect();
        assert_eq!(second, [false, false, true, true], "only overrides read paths after the eager ones");
    }

    #[test]
    fn a_found_string_is_taken_unless_a_later_rule_reads_its_slot() {
        let mut captured = vec![Slot::Value(json!("ord-1")), Slot::Value(json!("cus-9"))];
        assert_eq!(Found::Slot(0).into_text(&mut captured, |_| false), "ord-1");
        assert_eq!(captured[0], Slot::Value(json!("")), "taken");
        assert_eq!(Found::Slot(1).into_text(&mut captured, |slot| slot == 1), "cus-9");
        assert_eq!(captured[1], Slot::Value(json!("cus-9")), "copied: the customer reads it");
        assert_eq!(Found::Text("a#b".into()).into_text(&mut captured, |_| false), "a#b");
    }
}
