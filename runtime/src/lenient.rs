//! Lenient reading of fields typed from samples.
//!
//! With samples (`<definition>.samples/`), an action output field, a record field without a
//! transform, a `coalesce` and `mapItems` items get the Rust type the samples show (`String`,
//! `i64`, nested structs, …). A real response can disagree with its samples: a provider sends an
//! id as a number one day and a string the next, or `null` where a sample had an object. Such a
//! value never fails the call, the import or the delivery: the field is `None` and a `WARN` event
//! is logged on the target `miniapp::lenient` with the field, the type the samples showed and the
//! kind of value found (never the value: it is provider data). Fields the response adds are
//! ignored; fields it lacks are `None`.
//!
//! Inside a nested struct, a field every sample had (a `String`, not an `Option<String>`) is read
//! strictly, and a value that does not fit it makes the nearest optional field that holds the
//! struct `None` (with the warning): a struct is either what its samples promised or absent.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::sync::Item;

/// `#[serde(deserialize_with = "::miniapp::lenient::option")]` on an `Option<T>` field typed from
/// samples: `None` for `null`, and for a value that is not a `T` (logged).
pub fn option<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let value = Value::deserialize(d)?;
    Ok(read(value, None))
}

/// A mapped value (`None` when absent) as the field's type, or `None` (logged) when it is not one.
pub fn value<T: DeserializeOwned>(value: Option<Value>, field: &'static str) -> Option<T> {
    value.and_then(|v| read(v, Some(field)))
}

/// `mapItems` items as the item type the samples show: `None` (logged) when one of them is not one.
pub fn items<T: DeserializeOwned>(items: Option<Vec<Item>>, field: &'static str) -> Option<Vec<T>> {
    let items = items?;
    let mut typed = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        match item.parse::<T>() {
            Ok(t) => typed.push(t),
            Err(e) => {
                tracing::warn!(
                    target: "miniapp::lenient",
                    field,
                    index,
                    expected = std::any::type_name::<T>(),
                    problem = ?e.classify(),
                    line = e.line(),
                    column = e.column(),
                    "a `mapItems` item does not have the type its samples showed; the field is None"
                );
                return None;
            }
        }
    }
    Some(typed)
}

fn read<T: DeserializeOwned>(value: Value, field: Option<&'static str>) -> Option<T> {
    if value.is_null() {
        return None;
    }
    let found = kind(&value);
    match T::deserialize(value) {
        Ok(t) => Some(t),
        Err(_) => {
            tracing::warn!(
                target: "miniapp::lenient",
                field = field.unwrap_or("?"),
                expected = std::any::type_name::<T>(),
                found,
                "a value does not have the type its samples showed; the field is None"
            );
            None
        }
    }
}

/// What kind of JSON value `v` is, for messages (never its content); numbers say whether they
/// have a fraction, the usual disagreement with an `i64` sample.
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Number(n) if n.is_f64() => "a number with a fraction",
        Value::Number(_) => "an integer",
        other => crate::reader::kind_of(other),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde::Deserialize;
    use serde_json::json;

    use super::*;

    #[derive(Debug, Default, Deserialize, PartialEq)]
    struct Order {
        id: i64,
        #[serde(default, deserialize_with = "option")]
        note: Option<String>,
    }

    #[derive(Debug, Default, Deserialize, PartialEq)]
    struct Output {
        #[serde(default, deserialize_with = "option")]
        total: Option<f64>,
        #[serde(default, deserialize_with = "option")]
        order: Option<Order>,
    }

    #[test]
    fn a_value_of_another_type_is_none_and_the_rest_reads() {
        let out: Output = serde_json::from_value(json!({"total": "12.5", "order": {"id": 7, "note": 3}, "extra": [1]})).unwrap();
        assert_eq!(out, Output { total: None, order: Some(Order { id: 7, note: None }) });
        let out: Output = serde_json::from_value(json!({"total": 12, "order": null})).unwrap();
        assert_eq!(out, Output { total: Some(12.0), order: None });
    }

    #[test]
    fn a_nested_struct_missing_a_required_field_is_none() {
        let out: Output = serde_json::from_value(json!({"total": 1.5, "order": {"note": "n"}})).unwrap();
        assert_eq!(out, Output { total: Some(1.5), order: None });
        let out: Output = serde_json::from_value(json!({"order": {"id": "7"}})).unwrap();
        assert_eq!(out.order, None);
    }

    #[test]
    fn mapped_values_and_items() {
        assert_eq!(value::<i64>(Some(json!(3)), "n"), Some(3));
        assert_eq!(value::<i64>(Some(json!("3")), "n"), None);
        assert_eq!(value::<i64>(None, "n"), None);
        let items = vec![Item::from_object(json!({"id": 1}).as_object().unwrap()).unwrap()];
        assert_eq!(super::items::<Order>(Some(items), "items"), Some(vec![Order { id: 1, note: None }]));
        let bad = vec![Item::from_object(json!({"id": 1}).as_object().unwrap()).unwrap(), Item::from_object(&Default::default()).unwrap()];
        assert_eq!(super::items::<Order>(Some(bad), "items"), None);
    }
}
