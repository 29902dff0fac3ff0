//! Types from samples (docs/format.md §17): the Rust type of a value from what its samples show
//! ([`Shape`]), with a struct for each object, named from its owner and key through
//! [`crate::names`].
//!
//! Every field typed this way is read leniently (`miniapp::lenient`): an optional field holding
//! a value of another type is `None` (logged), never a failed call. A nested field every sample
//! has (and never `null`) is required, and a value that does not fit it makes the nearest
//! optional field that holds its struct `None`.

use serde_json::Value;

use super::{Field, Ty, TypeDef};
use crate::facts::Observed;
use crate::names::{self, Namespace};
use crate::samples::shape::{Kind, Shape};
use crate::samples::walk;

/// Builds data types into one module's namespace.
pub(crate) struct DataTypes<'a> {
    /// The module's type names (claimed as structs are added).
    pub space: &'a mut Namespace,
    /// Where the structs go.
    pub types: &'a mut Vec<TypeDef>,
    /// The structs made so far, by the shape they were made from: objects of the same shape (the
    /// lines of an order in the list and in the webhook) share one struct.
    pub made: Vec<(Shape, String)>,
}

impl DataTypes<'_> {
    /// The type of the value a path observed, for the field `key` of `owner`; `None` when the
    /// samples say nothing useful (only `null`s, or conflicting kinds): the field stays JSON.
    pub fn observed(&mut self, observed: &Observed, owner: &str, key: &str) -> Option<Ty> {
        match observed.shape.kind {
            Kind::Unknown | Kind::Any => None,
            _ => Some(self.ty(&observed.shape, observed.example.as_ref(), owner, key)),
        }
    }

    /// The type of the items of an array a path observed (`mapItems`): a struct when they are
    /// objects.
    pub fn items(&mut self, observed: &Observed, owner: &str, key: &str) -> Option<Ty> {
        let Kind::Array(item) = &observed.shape.kind else { return None };
        if !matches!(item.kind, Kind::Object(ref fields) if !fields.is_empty()) {
            return None;
        }
        let example = observed.example.as_ref().and_then(|v| v.as_array()).and_then(|a| a.first());
        Some(self.strukt(item, example, names::element_type(owner, key), format!("An item of `{key}`")))
    }

    fn ty(&mut self, shape: &Shape, example: Option<&Value>, owner: &str, key: &str) -> Ty {
        match &shape.kind {
            Kind::Unknown | Kind::Any => Ty::Json,
            Kind::Bool => Ty::Bool,
            Kind::Int => Ty::I64,
            Kind::Float => Ty::F64,
            Kind::Str => Ty::String,
            Kind::Array(item) => {
                let example = example.and_then(Value::as_array).and_then(|a| a.iter().find(|v| !v.is_null()));
                let t = match &item.kind {
                    Kind::Object(fields) if !fields.is_empty() => {
                        self.strukt(item, example, names::element_type(owner, key), format!("An item of `{key}`"))
                    }
                    _ => self.ty(item, example, owner, key),
                };
                let t = if item.optional && t != Ty::Json { Ty::Option(Box::new(t)) } else { t };
                Ty::Vec(Box::new(t))
            }
            Kind::Object(fields) if fields.is_empty() => Ty::JsonMap,
            Kind::Object(_) => self.strukt(shape, example, names::data_type(owner, key), format!("`{key}`")),
        }
    }

    /// A struct for an object shape, named `name` (or the next free name).
    fn strukt(&mut self, shape: &Shape, example: Option<&Value>, name: String, what: String) -> Ty {
        let Kind::Object(keys) = &shape.kind else { return Ty::Json };
        let same = |(made, _): &&(Shape, String)| made.kind == shape.kind;
        if let Some((_, name)) = self.made.iter().find(same) {
            return Ty::Named(name.clone());
        }
        let name = self.space.claim(name);
        self.made.push((shape.clone(), name.clone()));
        let mut rust = Namespace::new(std::iter::empty());
        let mut fields = Vec::with_capacity(keys.len());
        for (json, field_shape) in keys {
            let value = example.and_then(|e| e.get(json)).filter(|v| !v.is_null());
            let ty = self.ty(field_shape, value, &name, json);
            let required = !field_shape.optional && ty != Ty::Json;
            let mut doc = format!("`{json}`.");
            if let Some(v) = value {
                doc.push_str(&format!(" Sample: `{}`.", doc_example(v)));
            }
            fields.push(Field {
                rust: rust.claim(names::snake(json)),
                json: json.clone(),
                ty,
                required,
                doc: vec![doc],
                default: None,
                lenient: !required,
            });
        }
        let doc = vec![format!("{what}, as the samples show it (the fields some sample lacks or holds `null` in are optional).")];
        self.types.push(TypeDef::Data { name: name.clone(), doc, fields });
        Ty::Named(name)
    }
}

/// A sample value for a rustdoc code span (no backticks in it).
pub(crate) fn doc_example(v: &Value) -> String {
    walk::example(v).replace('`', "'")
}
