//! Names that collide after conversion to Rust (`E0801`). The naming scheme is the one the code
//! generator uses ([`crate::names`]), so every clash is reported before generation.

use std::collections::BTreeMap;

use super::{Ctx, items, members};
use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::names;
use crate::pointer;
use crate::source::{Node, Span};

/// One namespace of generated names.
struct Space<'a> {
    what: &'a str,
    seen: BTreeMap<String, (String, Option<Span>)>,
}

impl<'a> Space<'a> {
    fn new(what: &'a str, reserved: &[&str]) -> Self {
        Space { what, seen: reserved.iter().map(|r| (r.to_string(), (r.to_string(), None))).collect() }
    }

    /// Adds a name; returns whether it collided (and was reported).
    fn add(&mut self, rust: String, json: &str, span: Span, ptr: String, out: &mut Vec<Diagnostic>) -> bool {
        match self.seen.get(&rust) {
            // The same JSON name declared twice (e.g. a config slot that a mapping also fills).
            Some((first, Some(_))) if first == json => false,
            Some((first, first_span)) => {
                let shown = names::display(&rust);
                let message = match first_span {
                    Some(_) => format!("`{json}` and `{first}` both become the {} `{shown}`", self.what),
                    None => format!("`{json}` becomes the {} `{shown}`, which the generated code already defines", self.what),
                };
                let mut d = Diagnostic::new(codes::E0801, message, ptr, span).with_help("rename one of them");
                if let Some(s) = first_span {
                    d = d.with_label(*s, "this one converts to the same name");
                }
                out.push(d);
                true
            }
            None => {
                self.seen.insert(rust, (json.to_string(), Some(span)));
                false
            }
        }
    }
}

/// Struct fields and nested types of a parameter object schema.
fn object_schema(props: Option<&Node>, base: &str, parent: &str, types: &mut Space<'_>, out: &mut Vec<Diagnostic>) {
    let mut fields = Space::new("field", &[]);
    for m in members(props) {
        let ptr = pointer::join(base, &m.key);
        fields.add(names::snake(&m.key), &m.key, m.key_span, ptr.clone(), out);
        property_types(&m.value, &ptr, &names::nested_type(parent, &m.key), &format!("{parent}.{}", m.key), m.key_span, types, out);
    }
}

/// The types a parameter schema at `ptr` becomes: `name` for a string enum or an object with
/// properties (and its own nested types), `{name}Item` and below for an array's `items`.
fn property_types(schema: &Node, ptr: &str, name: &str, shown: &str, span: Span, types: &mut Space<'_>, out: &mut Vec<Diagnostic>) {
    let ty = schema.get("type").and_then(Node::as_str);
    let nested_props = schema.get("properties");
    let is_enum = ty == Some("string") && schema.get("enum").and_then(Node::as_array).is_some();
    if (ty == Some("object") && nested_props.is_some()) || is_enum {
        types.add(name.to_string(), shown, span, ptr.to_string(), out);
        // Enum variants are the generator's names (never a collision): see `names::variants`.
        if !is_enum {
            object_schema(nested_props, &format!("{ptr}/properties"), name, types, out);
        }
    } else if ty == Some("array")
        && let Some(items) = schema.get("items").filter(|i| i.as_object().is_some())
    {
        property_types(items, &format!("{ptr}/items"), &format!("{name}Item"), &format!("{shown}[]"), span, types, out);
    }
}

/// Sync names: each resource's import methods and record type, the fields of every record, and
/// the `Functions` methods of `compute` helpers.
fn sync(cx: &Ctx<'_>, methods: &mut Space<'_>, functions: &mut Space<'_>, out: &mut Vec<Diagnostic>) {
    // The generated `sync` module: resource records beside the shape-A record types (`…Change`,
    // which never end in `Record`) and the `SyncRecord` enum.
    let mut records = Space::new("sync record type", &["SyncRecord"]);
    let computes = |rules: Option<&Node>, base: &str, functions: &mut Space<'_>, out: &mut Vec<Diagnostic>| {
        for rule in members(rules) {
            if rule.value.get("transform").and_then(Node::as_str) == Some("compute")
                && let Some(f) = rule.value.get("fn")
                && let Some(name) = f.as_str()
            {
                let ptr = format!("{}/fn", pointer::join(base, &rule.key));
                functions.add(names::compute_method(name), &format!("compute `{name}`"), f.span, ptr, out);
            }
        }
    };
    for m in members(cx.at("/sync/resources")) {
        let ptr = pointer::join("/sync/resources", &m.key);
        let method = names::sync_method(&m.key);
        if !methods.add(method.clone(), &m.key, m.key_span, ptr.clone(), out) {
            methods.add(format!("{method}_from"), &m.key, m.key_span, ptr.clone(), out);
            records.add(names::record_type(&m.key), &m.key, m.key_span, ptr.clone(), out);
        }
        let mapping = m.value.get("apiMapping");
        let base = format!("{ptr}/apiMapping");
        let mut fields = Space::new("record field", &[]);
        for f in members(mapping) {
            fields.add(names::snake(&f.key), &f.key, f.key_span, pointer::join(&base, &f.key), out);
        }
        computes(mapping, &base, functions, out);
    }
    // Shape-A handlers of one record type fill one record: their fields share a namespace.
    let mut by_type: BTreeMap<String, Space<'_>> = BTreeMap::new();
    for h in members(cx.at("/sync/webhooks/handlers")) {
        let base = format!("{}/mapping", pointer::join("/sync/webhooks/handlers", &h.key));
        let mapping = h.value.get("mapping");
        if let Some(record_type) = h.value.get("recordType").and_then(Node::as_str) {
            let fields = by_type.entry(record_type.to_string()).or_insert_with(|| Space::new("record field", &[]));
            for f in members(mapping) {
                fields.add(names::snake(&f.key), &f.key, f.key_span, pointer::join(&base, &f.key), out);
            }
        }
        computes(mapping, &base, functions, out);
    }
}

/// `E0801`: every generated method, type and field name is unique where it must be.
pub fn collisions(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let mut methods = Space::new("client method", names::RESERVED_METHODS);
    let mut types = Space::new("type", names::RESERVED_TYPES);
    for m in members(cx.at("/source")) {
        methods.add(names::snake(&m.key), &m.key, m.key_span, pointer::join("/source", &m.key), out);
    }
    for (a, action) in items(cx.at("/actions")) {
        let Some(name_node) = action.get("name") else { continue };
        let Some(name) = name_node.as_str() else { continue };
        let ptr = format!("/actions/{a}/name");
        // Input and output type names derive from the same words as the method name: check them
        // (against the other types) only when the method itself is distinct.
        if !methods.add(names::snake(name), name, name_node.span, ptr.clone(), out) {
            types.add(names::input_type(name), name, name_node.span, ptr.clone(), out);
            types.add(names::output_type(name), name, name_node.span, ptr, out);
        }
        object_schema(
            action.pointer("/parameters/properties"),
            &format!("/actions/{a}/parameters/properties"),
            &names::action_prefix(name),
            &mut types,
            out,
        );
        // The result's fields: the final step's object mapping.
        if let Some((s, last)) = items(action.get("requests")).last()
            && let Some(mapping) = last.get("mapping").filter(|m| m.as_object().is_some())
        {
            let mut fields = Space::new("output field", &[]);
            for m in members(Some(mapping)) {
                fields.add(
                    names::snake(&m.key),
                    &m.key,
                    m.key_span,
                    pointer::join(&format!("/actions/{a}/requests/{s}/mapping"), &m.key),
                    out,
                );
            }
        }
    }
    let mut functions = Space::new("function method", &[]);
    for m in members(cx.at("/functions")) {
        let ptr = pointer::join("/functions", &m.key);
        if !functions.add(names::snake(&m.key), &m.key, m.key_span, ptr.clone(), out) {
            types.add(names::args_type(&m.key), &m.key, m.key_span, ptr.clone(), out);
        }
        let mut params = Space::new("argument", &[]);
        for (i, p) in items(m.value.get("params")) {
            if let Some(name) = p.as_str() {
                params.add(names::snake(name), name, p.span, format!("{ptr}/params/{i}"), out);
            }
        }
    }
    sync(cx, &mut methods, &mut functions, out);
    let mut credentials = Space::new("credentials field", &[]);
    for decl in cx.credential_keys().chain(&cx.metadata) {
        credentials.add(names::snake(decl.name), decl.name, decl.span, "/auth".to_string(), out);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::check::testing::{CHATLY, at, codes};

    #[test]
    fn actions_that_convert_to_the_same_method_collide() {
        assert!(!codes(CHATLY, &[]).contains(&"E0801"));
        let mut copy = at(CHATLY, "/actions/1");
        copy["name"] = json!("post_to_room");
        assert!(codes(CHATLY, &[("/actions/-", Some(copy))]).contains(&"E0801"), "`postToRoom` and `post_to_room`");
    }

    #[test]
    fn enum_values_are_the_generator_s_names_and_never_collide() {
        let op = json!({"type": "string", "enum": ["=", "!=", "~", "<", ">=", "self", "Self", "created_at", "createdAt", ""]});
        let found = codes(CHATLY, &[("/actions/1/parameters/properties/op", Some(op))]);
        assert!(!found.iter().any(|c| c.starts_with("E")), "{found:?}");
    }

    #[test]
    fn a_parameter_named_like_a_keyword_is_fine() {
        let found = codes(CHATLY, &[("/actions/1/parameters/properties/self", Some(json!({"type": "string"})))]);
        assert!(!found.contains(&"E0801"), "{found:?}");
    }
}
