//! docs/format.md §15.4: actions and sources (rules 27–42; 34, 35 and most of 39 live in the schema).

use super::{Ctx, Decl, brace, duplicates, items, members};
use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::pointer;
use crate::source::{Node, Value};

/// Rule 27: action names are unique.
pub fn action_names_unique(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let names = items(cx.at("/actions")).filter_map(|(i, a)| {
        let n = a.get("name")?;
        Some((Decl { name: n.as_str()?, span: n.span }, format!("/actions/{i}/name")))
    });
    duplicates(names, codes::E0401, "action", out);
}

/// Every property schema of an action's parameters (nested objects and arrays' `items`
/// included, the latter under their array's name), with its pointer.
fn property_schemas<'a>(props: Option<&'a Node>, base: &str, found: &mut Vec<(&'a str, &'a Node, String)>) {
    for m in members(props) {
        let mut ptr = pointer::join(base, &m.key);
        let mut schema = &m.value;
        loop {
            found.push((&m.key, schema, ptr.clone()));
            property_schemas(schema.get("properties"), &format!("{ptr}/properties"), found);
            match schema.get("items").filter(|i| i.as_object().is_some()) {
                Some(items) => {
                    schema = items;
                    ptr = format!("{ptr}/items");
                }
                None => break,
            }
        }
    }
}

/// Rules 28–30: `required` names properties; types are documented; `enum`/`default` fit the type.
pub fn parameters(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for (a, action) in items(cx.at("/actions")) {
        let Some(params) = action.get("parameters") else {
            continue;
        };
        let base = format!("/actions/{a}/parameters");
        // Rule 28: at the root and in every nested object schema.
        let mut objects = vec![(params, base.clone())];
        let mut props = Vec::new();
        property_schemas(params.get("properties"), &format!("{base}/properties"), &mut props);
        objects.extend(props.iter().map(|(_, n, p)| (*n, p.clone())));
        for (schema, ptr) in &objects {
            let declared: Vec<&str> = members(schema.get("properties")).map(|m| m.key.as_str()).collect();
            for (i, r) in items(schema.get("required")) {
                if let Some(name) = r.as_str()
                    && !declared.contains(&name)
                {
                    out.push(
                        Diagnostic::new(
                            codes::E0402,
                            format!("required parameter `{name}` is not in `properties`"),
                            format!("{ptr}/required/{i}"),
                            r.span,
                        )
                        .with_suggestion(name, declared.iter().copied())
                        .with_help("list only keys of `properties` in `required`"),
                    );
                }
            }
        }
        for (name, prop, ptr) in &props {
            let ty = prop.get("type").and_then(Node::as_str);
            // Rule 29 (W): standard JSON Schema types the docs do not document.
            if let (Some(t @ ("integer" | "null")), Some(node)) = (ty, prop.get("type")) {
                out.push(
                    Diagnostic::new(
                        codes::W0403,
                        format!("parameter `{name}` has type `{t}`, which MiniApp forms do not document"),
                        format!("{ptr}/type"),
                        node.span,
                    )
                    .with_help("use `number` (or `string`)"),
                );
            }
            // Rule 30.
            let Some(ty) = ty else { continue };
            let enum_values = prop.get("enum").and_then(Node::as_array);
            for (i, v) in enum_values.unwrap_or_default().iter().enumerate() {
                if !fits(v, ty) {
                    out.push(
                        Diagnostic::new(
                            codes::E0404,
                            format!("enum value of parameter `{name}` is a {}, not a {ty}", v.type_name()),
                            format!("{ptr}/enum/{i}"),
                            v.span,
                        )
                        .with_help("make `default` one of the `enum` values (same type, same spelling), or remove it"),
                    );
                }
            }
            if let Some(default) = prop.member("default").map(|m| &m.value) {
                if !fits(default, ty) {
                    out.push(
                        Diagnostic::new(
                            codes::E0404,
                            format!("default of parameter `{name}` is a {}, not a {ty}", default.type_name()),
                            format!("{ptr}/default"),
                            default.span,
                        )
                        .with_help("make `default` one of the `enum` values (same type, same spelling), or remove it"),
                    );
                } else if let Some(values) = enum_values
                    && !values.iter().any(|v| v.to_json() == default.to_json())
                {
                    let choices: Vec<String> = values.iter().filter_map(|v| v.as_str().map(str::to_string)).collect();
                    let mut d = Diagnostic::new(
                        codes::E0404,
                        format!("default of parameter `{name}` is not one of its `enum` values"),
                        format!("{ptr}/default"),
                        default.span,
                    )
                    .with_help("make `default` one of the `enum` values (same type, same spelling), or remove it");
                    if let Some(s) = default.as_str() {
                        d = d.with_suggestion(s, choices.iter().map(String::as_str));
                    }
                    out.push(d);
                }
            }
        }
    }
}

/// Whether a JSON value has a JSON Schema type.
fn fits(value: &Node, ty: &str) -> bool {
    match (&value.value, ty) {
        (Value::String { .. }, "string")
        | (Value::Bool(_), "boolean")
        | (Value::Array(_), "array")
        | (Value::Object(_), "object")
        | (Value::Null, "null") => true,
        (Value::Number(_), "number") => true,
        (Value::Number(n), "integer") => n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0),
        _ => false,
    }
}

/// Every `x-source` in the actions' parameters: (value node, pointer, property schema).
fn x_source_refs<'a>(cx: &Ctx<'a>) -> Vec<(&'a Node, String, &'a Node)> {
    let mut found = Vec::new();
    for (a, action) in items(cx.at("/actions")) {
        let mut props = Vec::new();
        property_schemas(action.pointer("/parameters/properties"), &format!("/actions/{a}/parameters/properties"), &mut props);
        for (_, prop, ptr) in props {
            if let Some(src) = prop.get("x-source") {
                found.push((src, format!("{ptr}/x-source"), prop));
            }
        }
    }
    found
}

/// Rules 31 and 33: `x-source` names a source; it comes with `x-fallback: "input"`.
pub fn x_sources(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let sources: Vec<&str> = members(cx.at("/source")).map(|m| m.key.as_str()).collect();
    for (src, ptr, prop) in x_source_refs(cx) {
        let Some(key) = src.as_str() else { continue };
        if !sources.contains(&key) {
            out.push(
                Diagnostic::new(codes::E0405, format!("`x-source` names `{key}`, which is not a key of `source`"), &ptr, src.span)
                    .with_suggestion(key, sources.iter().copied())
                    .with_help("`x-source` names a key of the top-level `source` object"),
            );
        }
        if prop.member("x-fallback").is_none() {
            let field = ptr.trim_end_matches("/x-source");
            out.push(
                Diagnostic::new(
                    codes::W0407,
                    format!("field with `x-source: \"{key}\"` has no `x-fallback`"),
                    format!("{field}/x-fallback"),
                    src.span,
                )
                .with_help("add \"x-fallback\": \"input\" so users can type a value when the source fails")
                .with_fix(
                    "Add `\"x-fallback\": \"input\"`",
                    crate::source::Span::new(prop.span.start + 1, prop.span.start + 1),
                    "",
                    "\"x-fallback\": \"input\", ",
                ),
            );
        }
    }
}

/// Rules 36 and 37: mapping entries have unique names and valid paths; the pipeline convention.
pub fn mappings(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    // Path syntax of every request mapping (auth requests too): values starting with `$` are
    // paths; other values are literals (docs/format.md §7.3).
    let mut requests: Vec<(&Node, String)> = Vec::new();
    for name in ["auth_url", "get_token", "refresh_token", "userDetails", "test_token"] {
        if let Some(r) = cx.at(&format!("/auth/{name}")) {
            requests.push((r, format!("/auth/{name}")));
        }
    }
    requests.extend(items(cx.at("/auth/registrationRequests")).map(|(i, r)| (r, format!("/auth/registrationRequests/{i}"))));
    for (a, action) in items(cx.at("/actions")) {
        requests.extend(items(action.get("requests")).map(|(s, r)| (r, format!("/actions/{a}/requests/{s}"))));
    }
    for (request, base) in &requests {
        let Some(mapping) = request.get("mapping") else {
            continue;
        };
        let code = codes::E0410;
        if mapping.as_object().is_some() {
            for m in members(Some(mapping)) {
                if m.value.as_str().is_some_and(|v| v.starts_with('$')) {
                    cx.check_path(&m.value, &pointer::join(&format!("{base}/mapping"), &m.key), code, out);
                }
            }
        } else {
            let names = items(Some(mapping)).filter_map(|(i, e)| {
                let n = e.get("name")?;
                Some((Decl { name: n.as_str()?, span: n.span }, format!("{base}/mapping/{i}/name")))
            });
            duplicates(names, codes::E0410, "mapping output", out);
            for (i, e) in items(Some(mapping)) {
                if let Some(v) = e.get("value").filter(|v| v.as_str().is_some_and(|s| s.starts_with('$'))) {
                    cx.check_path(v, &format!("{base}/mapping/{i}/value"), code, out);
                }
            }
        }
    }
    // Rule 37: intermediate HTTP steps forward (array), the final step returns (object).
    for (a, action) in items(cx.at("/actions")) {
        let steps: Vec<(usize, &Node)> = items(action.get("requests")).collect();
        let last = steps.len().saturating_sub(1);
        for &(s, step) in &steps {
            if step.get("type").and_then(Node::as_str) == Some("function") {
                continue;
            }
            let Some(mapping) = step.get("mapping") else {
                continue;
            };
            let ptr = format!("/actions/{a}/requests/{s}/mapping");
            if s < last && mapping.as_object().is_some_and(|m| !m.is_empty()) {
                out.push(Diagnostic::new(
                    codes::W0411,
                    format!(
                        "step {} of {} uses an object mapping; intermediate steps usually forward values with an array mapping",
                        s + 1,
                        steps.len()
                    ),
                    ptr,
                    brace(mapping),
                )
.with_help("use an array mapping (`[{\"name\": …, \"value\": …}]`) to pass values on; the object mapping of the last step is the result"));
            } else if s == last && s > 0 && mapping.as_array().is_some() {
                out.push(
                    Diagnostic::new(
                        codes::W0411,
                        "the final step uses an array mapping, so the action returns nothing; use an object mapping for its result",
                        ptr,
                        brace(mapping),
                    )
                    .with_help("make the last step's mapping an object: its keys are the action's result"),
                );
            }
        }
    }
}

/// Rule 38: function steps name an App Function; their args match its params.
pub fn function_steps(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let functions = cx.at("/functions");
    let names: Vec<&str> = members(functions).map(|m| m.key.as_str()).collect();
    for (a, action) in items(cx.at("/actions")) {
        for (s, step) in items(action.get("requests")) {
            if step.get("type").and_then(Node::as_str) != Some("function") {
                continue;
            }
            let base = format!("/actions/{a}/requests/{s}");
            let Some(name_node) = step.get("name") else {
                continue;
            };
            let Some(name) = name_node.as_str() else {
                continue;
            };
            let Some(function) = functions.and_then(|f| f.get(name)) else {
                out.push(
                    Diagnostic::new(
                        codes::E0412,
                        format!("function step names `{name}`, which is not a key of `functions`"),
                        format!("{base}/name"),
                        name_node.span,
                    )
                    .with_suggestion(name, names.iter().copied())
                    .with_help("declare the function under the top-level `functions` object, with its `params` and `code`"),
                );
                continue;
            };
            let params: Vec<&str> = items(function.get("params")).filter_map(|(_, p)| p.as_str()).collect();
            let args = step.get("args");
            for m in members(args) {
                if !params.contains(&m.key.as_str()) {
                    out.push(
                        Diagnostic::new(
                            codes::W0412,
                            format!("argument `{}` is not a parameter of function `{name}`", m.key),
                            pointer::join(&format!("{base}/args"), &m.key),
                            m.key_span,
                        )
                        .with_suggestion(&m.key, params.iter().copied())
                        .with_help("pass only the function's declared `params`"),
                    );
                }
            }
            for p in &params {
                if args.and_then(|a| a.member(p)).is_none() {
                    let at = args.map_or(brace(step), brace);
                    out.push(
                        Diagnostic::new(
                            codes::W0412,
                            format!("function `{name}` parameter `{p}` gets no argument (it will be `undefined`)"),
                            pointer::join(&format!("{base}/args"), p),
                            at,
                        )
                        .with_help("pass every declared parameter in `args` (a missing one is `undefined` in the function)"),
                    );
                }
            }
        }
    }
}

/// Rules 32 and 39: source keys start with `rpc_`; `dataPath` is present; paths parse.
pub fn source_keys_and_paths(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for m in members(cx.at("/source")) {
        let base = pointer::join("/source", &m.key);
        if !m.key.starts_with("rpc_") {
            out.push(
                Diagnostic::new(codes::E0406, format!("source key `{}` does not start with `rpc_`", m.key), &base, m.key_span)
                    .with_help(format!("rename it to `rpc_{}` (and every `x-source` that names it)", m.key)),
            );
        }
        if m.value.as_object().is_none() {
            continue;
        }
        if m.value.member("dataPath").is_none() {
            out.push(
                Diagnostic::new(
                    codes::W0413,
                    format!("source `{}` has no `dataPath`; the whole response is taken as the options array", m.key),
                    format!("{base}/dataPath"),
                    brace(&m.value),
                )
                .with_help("add `\"dataPath\"` with the path of the options array if the response wraps it (e.g. `\"data.items\"`)"),
            );
        }
        for field in ["dataPath", "valueField", "labelField"] {
            if let Some(node) = m.value.get(field) {
                cx.check_path(node, &format!("{base}/{field}"), codes::E0413, out);
            }
        }
        for v in members(m.value.get("valueFields")) {
            cx.check_path(&v.value, &pointer::join(&format!("{base}/valueFields"), &v.key), codes::E0413, out);
        }
    }
}

/// Rule 40: sources that no `x-source` references.
pub fn dead_sources(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let used: Vec<&str> = x_source_refs(cx).iter().filter_map(|(n, _, _)| n.as_str()).collect();
    let declared: Vec<&str> = members(cx.at("/source")).map(|m| m.key.as_str()).collect();
    // While an `x-source` names no source (E0405), which sources are used is not known yet.
    if used.iter().any(|u| !declared.contains(u)) {
        return;
    }
    for m in members(cx.at("/source")) {
        if !used.contains(&m.key.as_str()) {
            out.push(
                Diagnostic::new(
                    codes::W0414,
                    format!("source `{}` is not used by any `x-source`", m.key),
                    pointer::join("/source", &m.key),
                    m.key_span,
                )
                .with_help(format!("point a parameter at it with `\"x-source\": \"{}\"`, or remove it", m.key)),
            );
        }
    }
}

/// Rule 42: dashboard app keys are unique; `allowedActions` name actions.
pub fn dashboard_apps(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let apps = cx.at("/dashboardApps");
    let keys = items(apps).filter_map(|(i, app)| {
        let k = app.get("key")?;
        Some((Decl { name: k.as_str()?, span: k.span }, format!("/dashboardApps/{i}/key")))
    });
    duplicates(keys, codes::E0416, "dashboard app key", out);
    let actions: Vec<&str> = items(cx.at("/actions")).filter_map(|(_, a)| a.get("name")?.as_str()).collect();
    for (i, app) in items(apps) {
        for (j, entry) in items(app.get("allowedActions")) {
            if let Some(name) = entry.as_str()
                && !actions.contains(&name)
            {
                out.push(
                    Diagnostic::new(
                        codes::W0416,
                        format!("`allowedActions` names `{name}`, which is not an action"),
                        format!("/dashboardApps/{i}/allowedActions/{j}"),
                        entry.span,
                    )
                    .with_suggestion(name, actions.iter().copied())
                    .with_help("name an action of `actions`"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::check::testing::{CHATLY, at, codes};

    #[test]
    fn action_names_are_unique() {
        assert!(!codes(CHATLY, &[]).contains(&"E0401"));
        assert!(codes(CHATLY, &[("/actions/-", Some(at(CHATLY, "/actions/1")))]).contains(&"E0401"));
    }

    #[test]
    fn required_parameters_are_properties() {
        assert!(!codes(CHATLY, &[]).contains(&"E0402"));
        assert!(codes(CHATLY, &[("/actions/1/parameters/required/-", Some(json!("nowhere")))]).contains(&"E0402"));
    }
}
