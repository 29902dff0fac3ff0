//! Real-time sync handlers (docs/format.md §11.6): the record a webhook delivery carries when its
//! event has a `sync.webhooks.handlers` entry.
//!
//! Shape A maps the webhook body with an inline `mapping` into a record of a `recordType`;
//! shape B maps the object at `dataPath` with a resource's `apiMapping`. Either way the delivery
//! carries a [`Handled`] under `handler`: `{resource | recordType, operation, record}`, with
//! `error` instead of `record` when the body does not fit the mapping (the delivery is still
//! acknowledged: the provider would only send the same body again). The record's values are
//! captured in the delivery's one pass over its body when the event is known from the headers.

use serde::de::Error as _;
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use std::borrow::Cow;

use super::{Captured, Problem, RecordSpec, Slot};
use crate::rt::path::{self, Step};

/// What a handler does with its record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Operation {
    Create,
    Update,
    Upsert,
}

/// The record a handler writes: a resource's (shape B) or a record type's (shape A). The name is
/// borrowed from the compiled definition.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// Shape B: a key of `sync.resources`.
    Resource(Cow<'static, str>),
    /// Shape A: `order` or `abandonedCart`.
    RecordType(Cow<'static, str>),
}

/// A handler's outcome, as a delivery carries it under `handler`.
#[derive(Clone, Debug, PartialEq)]
pub struct Handled<R> {
    pub target: Target,
    pub operation: Operation,
    /// The mapped record; `None` when the body does not fit the mapping (see `error`).
    pub record: Option<R>,
    /// Why there is no record.
    pub error: Option<String>,
}

/// Implemented by a connector's generated `Record` enum (one variant per resource and record
/// type its handlers write): reads a record back for its target.
pub trait HandlerRecord: Sized {
    fn from_target(target: &Target, record: Value) -> Result<Self, serde_json::Error>;
}

/// The record type of a connector without handlers: there is never one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NoRecord {}

impl HandlerRecord for NoRecord {
    fn from_target(_: &Target, _: Value) -> Result<Self, serde_json::Error> {
        Err(serde_json::Error::custom("this connector has no sync handlers"))
    }
}

impl<R: Serialize> Serialize for Handled<R> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        match &self.target {
            Target::Resource(name) => map.serialize_entry("resource", name)?,
            Target::RecordType(name) => map.serialize_entry("recordType", name)?,
        }
        map.serialize_entry("operation", &self.operation)?;
        map.serialize_entry("record", &self.record)?;
        if let Some(error) = &self.error {
            map.serialize_entry("error", error)?;
        }
        map.end()
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawHandled {
    resource: Option<String>,
    record_type: Option<String>,
    operation: Operation,
    #[serde(default)]
    record: Option<Value>,
    #[serde(default)]
    error: Option<String>,
}

impl<'de, R: HandlerRecord> Deserialize<'de> for Handled<R> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = RawHandled::deserialize(d)?;
        let target = match (raw.resource, raw.record_type) {
            (Some(r), None) => Target::Resource(Cow::Owned(r)),
            (None, Some(t)) => Target::RecordType(Cow::Owned(t)),
            _ => return Err(D::Error::custom("a handler names exactly one of `resource` and `recordType`")),
        };
        let record = match raw.record {
            None | Some(Value::Null) => None,
            Some(value) => Some(R::from_target(&target, value).map_err(D::Error::custom)?),
        };
        Ok(Handled { target, operation: raw.operation, record, error: raw.error })
    }
}

/// A handler, compiled.
#[derive(Debug)]
pub struct HandlerSpec {
    /// The event it handles.
    pub event: &'static str,
    pub target: TargetSpec,
    pub operation: Operation,
    /// Where the record is in the body, for messages: shape B's `dataPath`; the root for shape A.
    pub data: &'static [Step],
    /// The record's captures, rooted in the body (shape B's `dataPath` + its resource's paths;
    /// shape A's own paths), then one [`crate::sync::Kind::Object`] capture at `data`.
    pub record: &'static RecordSpec,
}

/// [`Target`], as compiled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetSpec {
    Resource(&'static str),
    RecordType(&'static str),
}

/// The outcome of a handler whose record could not be read from the body at all (`why`): no
/// record, and the reason under `error`, as for a body that does not fit the mapping.
pub(crate) fn unreadable<R>(spec: &'static HandlerSpec, why: &dyn std::fmt::Display) -> Handled<R> {
    tracing::debug!(event = spec.event, %why, "sync handler: the record could not be read");
    Handled { target: target(spec), operation: spec.operation, record: None, error: Some(format!("the record could not be read: {why}")) }
}

fn target(spec: &HandlerSpec) -> Target {
    match spec.target {
        TargetSpec::Resource(name) => Target::Resource(Cow::Borrowed(name)),
        TargetSpec::RecordType(name) => Target::RecordType(Cow::Borrowed(name)),
    }
}

/// The outcome of a handler whose captures are `slots`; `map` is the record's generated mapper.
pub(crate) fn outcome<R>(
    spec: &'static HandlerSpec,
    slots: &mut [Slot],
    map: impl FnOnce(Captured<'_>) -> Result<R, Problem>,
) -> Handled<R> {
    let target = target(spec);
    let n = spec.record.captures.len().min(slots.len());
    // The last capture says whether an object is at `data`.
    let found = matches!(slots.get(n.wrapping_sub(1)), Some(Slot::Value(Value::Object(_))));
    let result =
        if found { map(Captured::new(&mut slots[..n], spec.record)) } else { Err(Problem::NoRecord { path: path::display(spec.data) }) };
    match result {
        Ok(record) => Handled { target, operation: spec.operation, record: Some(record), error: None },
        Err(problem) => {
            tracing::debug!(event = spec.event, %problem, "sync handler: the delivery does not fit the mapping");
            Handled { target, operation: spec.operation, record: None, error: Some(problem.to_string()) }
        }
    }
}
