//! Shapes: what the samples show of a value, unified across samples (the inference of
//! json_typegen and F# Data's type providers, on the values a definition's paths find).
//!
//! A [`Shape`] is a kind and whether the value may be missing. Unifying two shapes keeps what both
//! allow: an integer and a number with a fraction are a float, a key one object lacks is optional,
//! `null` makes a value optional, and kinds that conflict (a string and an object) are [`Kind::Any`]:
//! plain JSON.

use serde_json::Value;

/// What the samples show of a value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shape {
    pub kind: Kind,
    /// Some sample lacks the value or holds `null`.
    pub optional: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Nothing seen but `null`s, absences or the items of empty arrays.
    Unknown,
    Bool,
    /// Integers only (that fit an `i64`).
    Int,
    /// Numbers, some with a fraction (or beyond `i64`).
    Float,
    Str,
    /// An array, with the shape of its items.
    Array(Box<Shape>),
    /// An object: its keys in the order they were first seen.
    Object(Vec<(String, Shape)>),
    /// Values of conflicting kinds.
    Any,
}

impl Shape {
    /// A value no sample has.
    pub fn absent() -> Shape {
        Shape { kind: Kind::Unknown, optional: true }
    }

    /// The shape of one value.
    pub fn of(value: &Value) -> Shape {
        let kind = match value {
            Value::Null => return Shape::absent(),
            Value::Bool(_) => Kind::Bool,
            Value::Number(n) if n.is_i64() => Kind::Int,
            Value::Number(_) => Kind::Float,
            Value::String(_) => Kind::Str,
            Value::Array(items) => Kind::Array(Box::new(
                items.iter().map(Shape::of).reduce(Shape::unify).unwrap_or(Shape { kind: Kind::Unknown, optional: false }),
            )),
            Value::Object(map) => Kind::Object(map.iter().map(|(k, v)| (k.clone(), Shape::of(v))).collect()),
        };
        Shape { kind, optional: false }
    }

    /// The shape that admits both.
    pub fn unify(self, other: Shape) -> Shape {
        let optional = self.optional || other.optional;
        let kind = match (self.kind, other.kind) {
            (Kind::Unknown, k) | (k, Kind::Unknown) => k,
            (Kind::Int, Kind::Float) | (Kind::Float, Kind::Int) => Kind::Float,
            (Kind::Array(a), Kind::Array(b)) => Kind::Array(Box::new(a.unify(*b))),
            (Kind::Object(a), Kind::Object(b)) => Kind::Object(merge(a, b)),
            (a, b) if a == b => a,
            _ => Kind::Any,
        };
        Shape { kind, optional }
    }
}

/// The keys of both objects; a key one of them lacks is optional.
fn merge(a: Vec<(String, Shape)>, mut b: Vec<(String, Shape)>) -> Vec<(String, Shape)> {
    let mut out = Vec::with_capacity(a.len().max(b.len()));
    for (key, shape) in a {
        match b.iter().position(|(k, _)| *k == key) {
            Some(i) => {
                let (_, other) = b.remove(i);
                out.push((key, shape.unify(other)));
            }
            None => out.push((key, Shape { optional: true, ..shape })),
        }
    }
    out.extend(b.into_iter().map(|(key, shape)| (key, Shape { optional: true, ..shape })));
    out
}

#[cfg(test)]
#[allow(clippy::panic)] // a test may panic: that is how it fails
mod tests {
    use serde_json::json;

    use super::*;

    fn all(values: &[Value]) -> Shape {
        values.iter().map(Shape::of).reduce(Shape::unify).unwrap_or_else(Shape::absent)
    }

    fn req(kind: Kind) -> Shape {
        Shape { kind, optional: false }
    }

    fn opt(kind: Kind) -> Shape {
        Shape { kind, optional: true }
    }

    #[test]
    fn scalars() {
        assert_eq!(all(&[json!("a"), json!("b")]), req(Kind::Str));
        assert_eq!(all(&[json!(1), json!(2)]), req(Kind::Int));
        assert_eq!(all(&[json!(1), json!(2.5)]), req(Kind::Float));
        assert_eq!(all(&[json!(u64::MAX)]), req(Kind::Float));
        assert_eq!(all(&[json!(true)]), req(Kind::Bool));
        assert_eq!(all(&[json!(1), json!("1")]), req(Kind::Any));
    }

    #[test]
    fn null_and_absence_make_optional() {
        assert_eq!(all(&[json!(null)]), opt(Kind::Unknown));
        assert_eq!(all(&[json!("a"), json!(null)]), opt(Kind::Str));
        assert_eq!(Shape::of(&json!(3)).unify(Shape::absent()), opt(Kind::Int));
    }

    #[test]
    fn objects_with_different_keys() {
        let s = all(&[json!({"id": 1, "sku": "a"}), json!({"id": 2.5, "qty": 3, "sku": null})]);
        assert_eq!(
            s,
            req(Kind::Object(vec![("id".into(), req(Kind::Float)), ("sku".into(), opt(Kind::Str)), ("qty".into(), opt(Kind::Int)),]))
        );
    }

    #[test]
    fn arrays() {
        assert_eq!(all(&[json!([])]), req(Kind::Array(Box::new(req(Kind::Unknown)))));
        assert_eq!(all(&[json!([]), json!(["a"])]), req(Kind::Array(Box::new(req(Kind::Str)))));
        assert_eq!(all(&[json!([1, null])]), req(Kind::Array(Box::new(opt(Kind::Int)))));
        let lines = all(&[json!([{"a": 1}, {"b": "x"}])]);
        assert_eq!(lines, req(Kind::Array(Box::new(req(Kind::Object(vec![("a".into(), opt(Kind::Int)), ("b".into(), opt(Kind::Str))]))))));
        assert_eq!(all(&[json!([1]), json!({"a": 1})]), req(Kind::Any));
    }

    #[test]
    fn deep_nesting() {
        let mut deep = json!(1);
        for _ in 0..40 {
            deep = json!({ "a": [deep] });
        }
        let mut s = Shape::of(&deep);
        for _ in 0..40 {
            let Kind::Object(mut fields) = s.kind else { panic!("an object") };
            let Kind::Array(item) = fields.remove(0).1.kind else { panic!("an array") };
            s = *item;
        }
        assert_eq!(s, req(Kind::Int));
    }
}
