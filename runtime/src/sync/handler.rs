//! Real-time sync handlers (FORMAT.md §11.6): the record a webhook delivery carries when its
//! event has a `sync.webhooks.handlers` entry.
//!
//! Shape A maps the webhook body with an inline `mapping` into a record of a `recordType`;
//! shape B maps the object at `dataPath` with a resource's `apiMapping`. Either way the delivery
//! carries a [`Handled`] under `handler`: `{resource | recordType, operation, record}`, with
//! `error` instead of `record` when the body does not fit the mapping (the delivery is still
//! acknowledged: the provider would only send the same body again).

use serde::de::Error as _;
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::{Captured, Problem, RecordSpec};
use crate::path::{self, Step};
use crate::webhook::Body;

/// What a handler does with its record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Operation {
    Create,
    Update,
    Upsert,
}

/// The record a handler writes: a resource's (shape B) or a record type's (shape A).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Target {
    /// Shape B: a key of `sync.resources`.
    Resource(String),
    /// Shape A: `order` or `abandonedCart`.
    RecordType(String),
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
            (Some(r), None) => Target::Resource(r),
            (None, Some(t)) => Target::RecordType(t),
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
    pub target: TargetSpec,
    pub operation: Operation,
    /// Where the record is in the body: shape B's `dataPath`; the root for shape A (its mapping
    /// paths are rooted in the body).
    pub data: &'static [Step],
    pub record: &'static RecordSpec,
}

/// [`Target`], as compiled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TargetSpec {
    Resource(&'static str),
    RecordType(&'static str),
}

/// Runs a handler on a delivery's body; `build` is the record's generated mapper.
pub fn handle<R>(body: &Body, spec: &'static HandlerSpec, build: impl FnOnce(Captured<'_>) -> Result<R, Problem>) -> Handled<R> {
    let target = match spec.target {
        TargetSpec::Resource(name) => Target::Resource(name.to_string()),
        TargetSpec::RecordType(name) => Target::RecordType(name.to_string()),
    };
    let outcome = match body.value() {
        Err(e) => Err(Problem::NotJson { line: e.line(), column: e.column(), message: e.to_string() }),
        Ok(value) => match path::get(&value, spec.data) {
            Some(record @ Value::Object(_)) => spec.record.map_value(record, build),
            _ => Err(Problem::NoRecord { path: path::display(spec.data) }),
        },
    };
    match outcome {
        Ok(record) => Handled { target, operation: spec.operation, record: Some(record), error: None },
        Err(problem) => {
            tracing::debug!(%problem, "sync handler: the delivery does not fit the mapping");
            Handled { target, operation: spec.operation, record: None, error: Some(problem.to_string()) }
        }
    }
}
