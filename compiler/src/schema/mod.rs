//! Structural validation against the published JSON Schema (`schema/miniapp.schema.json`).
//!
//! The schema is the single description of the document's shape: editors use it, and so do we.
//! Each validation error becomes a located [`Diagnostic`]. Which code it gets depends on where it
//! is: a routing table maps (pointer pattern, kind of error) to the docs/format.md §15 rule that the
//! constraint implements, so that, say, a bad `category` is `E0105` rather than a generic "not
//! one of the allowed values". Tagged unions are written as `if`/`then` in the schema, so errors
//! are reported against the variant the tag selects.

use std::sync::OnceLock;

use jsonschema::error::ValidationErrorKind;
use serde_json::Value as Json;

use crate::codes::{self, Code};
use crate::diagnostic::Diagnostic;
use crate::pointer;
use crate::source::{Node, Span};

/// The schema text, as published by `miniapp schema`.
pub const SCHEMA: &str = include_str!("../../schema/miniapp.schema.json");

struct Compiled {
    json: Json,
    validator: Option<jsonschema::Validator>,
}

fn compiled() -> &'static Compiled {
    static COMPILED: OnceLock<Compiled> = OnceLock::new();
    COMPILED.get_or_init(|| {
        // The schema is a constant of this crate and a unit test proves it compiles; should that
        // ever break, validation is skipped rather than panicking on a user's input.
        let json: Json = serde_json::from_str(SCHEMA).unwrap_or(Json::Null);
        let validator = jsonschema::options().with_draft(jsonschema::Draft::Draft202012).build(&json).ok();
        Compiled { json, validator }
    })
}

/// The parsed schema (for `miniapp schema` and tests).
pub fn schema_json() -> &'static Json {
    &compiled().json
}

/// Which kinds of schema error a route applies to.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Any,
    /// Anything but an unknown key (unknown keys stay `W0702` unless routed explicitly).
    Shape,
    /// A value that is present but wrong (neither a missing member nor an unknown key).
    Value,
    Required,
    Unknown,
}

/// Routes: the first whose pattern matches the diagnostic's pointer (and whose kind matches) wins.
/// `*` matches one pointer token, `**` any number of tokens.
const ROUTES: &[(&str, Kind, Code)] = &[
    ("/ns", Kind::Value, codes::E0101),
    ("/status", Kind::Value, codes::E0103),
    ("/category", Kind::Value, codes::E0105),
    ("/auth/type", Kind::Value, codes::E0201),
    ("/auth/authorizationUrl", Kind::Unknown, codes::E0201),
    ("/auth/tokenUrl", Kind::Unknown, codes::E0201),
    ("/auth/scopes", Kind::Unknown, codes::E0201),
    ("/auth/auth_url", Kind::Required, codes::E0205),
    ("/auth/get_token", Kind::Required, codes::E0205),
    ("/auth/refresh_token", Kind::Required, codes::E0206),
    ("/auth/registrationRequests/*/url", Kind::Any, codes::E0207),
    ("/auth/registrationRequests/*/method", Kind::Any, codes::E0207),
    ("/auth/*/url", Kind::Any, codes::E0207),
    ("/auth/*/method", Kind::Any, codes::E0207),
    ("/actions/*/parameters/type", Kind::Any, codes::E0402),
    ("/actions/*/parameters/**/properties/*/type", Kind::Shape, codes::E0403),
    ("/actions/*/parameters/**/x-fallback", Kind::Any, codes::E0407),
    ("/actions/*/renderStrategy", Kind::Any, codes::E0408),
    ("/actions/*/requests/*/type", Kind::Any, codes::E0412),
    ("/actions/*/requests/*/mapping", Kind::Required, codes::E0409),
    ("/actions/*/requests/*/mapping/**", Kind::Shape, codes::E0410),
    ("/actions/*/requests/*/url", Kind::Any, codes::E0409),
    ("/actions/*/requests/*/method", Kind::Any, codes::E0409),
    ("/actions/*/requests/*/bodyType", Kind::Any, codes::E0409),
    ("/source/*/**", Kind::Shape, codes::E0413),
    ("/triggers/*/*", Kind::Required, codes::E0503),
    ("/webhook/eventExtraction/**/source", Kind::Any, codes::E0506),
    ("/webhook/verification/**", Kind::Shape, codes::E0508),
    ("/webhook/transactionId/**", Kind::Shape, codes::E0511),
    ("/webhook/customerExtraction/mapping/*", Kind::Unknown, codes::E0512),
    ("/webhook/challengeResponse/*", Kind::Required, codes::E0514),
    ("/webhook/response/statusCode", Kind::Value, codes::E0515),
    ("/sync/resources/*/endpoints/details", Kind::Required, codes::E0603),
    ("/sync/resources/*/pagination/style", Kind::Shape, codes::E0704),
    ("/sync/resources/*/pagination/pageParam", Kind::Shape, codes::E0704),
    ("/sync/resources/*/pagination/firstPage", Kind::Shape, codes::E0704),
    ("/sync/resources/*/pagination/offsetParam", Kind::Shape, codes::E0704),
    ("/sync/resources/*/pagination/cursorParam", Kind::Shape, codes::E0704),
    ("/sync/resources/*/pagination/**", Kind::Shape, codes::E0604),
    ("/sync/resources/*/apiMapping/*/**", Kind::Shape, codes::E0605),
    ("/sync/webhooks/handlers/*/mapping/code", Kind::Required, codes::E0608),
    ("/sync/webhooks/handlers/*/mapping/*/**", Kind::Shape, codes::E0605),
    ("/sync/webhooks/handlers/*/**", Kind::Any, codes::E0608),
    ("/sync/resources/*/**", Kind::Shape, codes::E0602),
];

/// What `auth` fields people assume, and what the format uses instead (docs/format.md §5.1).
const AUTH_FALSE_FRIENDS: &[(&str, &str)] = &[
    ("authorizationUrl", "the authorize URL is the `url` of the `auth_url` request"),
    ("tokenUrl", "token requests are `get_token` and `refresh_token`, full request templates"),
    ("scopes", "the scope is one string in `config.scope`, inserted through `{{scope}}`"),
];

fn glob(pattern: &[&str], tokens: &[String]) -> bool {
    match (pattern.split_first(), tokens.split_first()) {
        (None, None) => true,
        (Some((&"**", rest)), _) => glob(rest, tokens) || (!tokens.is_empty() && glob(pattern, &tokens[1..])),
        (Some((p, prest)), Some((t, trest))) => (*p == "*" || p == t) && glob(prest, trest),
        _ => false,
    }
}

fn route(ptr: &str, kind: Kind, fallback: Code) -> Code {
    let tokens: Vec<String> = pointer::tokens(ptr).collect();
    ROUTES
        .iter()
        .find(|(pattern, k, _)| {
            let kind_ok = match k {
                Kind::Any => true,
                Kind::Shape => kind != Kind::Unknown,
                Kind::Value => kind != Kind::Unknown && kind != Kind::Required,
                other => *other == kind,
            };
            kind_ok && glob(&pattern.split('/').skip(1).collect::<Vec<_>>(), &tokens)
        })
        .map_or(fallback, |(_, _, code)| *code)
}

/// Walks the schema along a keyword location, following `$ref`s.
fn schema_at<'a>(root: &'a Json, location: &str) -> Option<&'a Json> {
    let mut node = root;
    for token in pointer::tokens(location) {
        node = if token == "$ref" {
            let target = node.get("$ref")?.as_str()?.strip_prefix('#')?;
            root.pointer(target)?
        } else {
            match node {
                Json::Object(map) => map.get(&token)?,
                Json::Array(items) => items.get(pointer::index(&token)?)?,
                _ => return None,
            }
        };
    }
    Some(node)
}

/// The last token of a pointer, for messages ("`category`"); array indexes name their parent.
fn field_name(ptr: &str) -> String {
    let tokens: Vec<String> = pointer::tokens(ptr).collect();
    match tokens.iter().rev().find(|t| pointer::index(t).is_none()) {
        Some(t) => format!("`{t}`"),
        None => "the document".to_string(),
    }
}

/// What a missing member belongs to, as a reader names it: "action `createTicket`", "step 2 of
/// action `createTicket`", "trigger `ticket.created`", "resource `orders`", "`auth.get_token`".
fn owner(root: &Node, at: &str) -> String {
    let tokens: Vec<String> = pointer::tokens(at).collect();
    let name_of = |ptr: &str, key: &str| root.pointer(ptr).and_then(|n| n.get(key)).and_then(Node::as_str).map(str::to_string);
    match tokens.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        [] => "the definition".to_string(),
        ["actions", i] => match name_of(at, "name") {
            Some(name) => format!("action `{name}`"),
            None => format!("action {}", pointer::index(i).map_or(0, |n| n + 1)),
        },
        ["actions", a, "requests", s] => {
            let action = name_of(&format!("/actions/{a}"), "name").map_or_else(|| format!("action {a}"), |n| format!("action `{n}`"));
            format!("step {} of {action}", pointer::index(s).map_or(0, |n| n + 1))
        }
        ["triggers", i] => match name_of(at, "event") {
            Some(event) => format!("trigger `{event}`"),
            None => format!("trigger {}", pointer::index(i).map_or(0, |n| n + 1)),
        },
        ["sync", "resources", key] => format!("resource `{key}`"),
        ["sync", "webhooks", "handlers", key] => format!("handler `{key}`"),
        ["source", key] => format!("source `{key}`"),
        ["functions", key] => format!("function `{key}`"),
        ["dashboardApps", i] => match name_of(at, "key") {
            Some(key) => format!("dashboard app `{key}`"),
            None => format!("dashboard app {}", pointer::index(i).map_or(0, |n| n + 1)),
        },
        path => {
            let shown: Vec<&str> = path.iter().copied().filter(|t| pointer::index(t).is_none()).collect();
            format!("`{}`", shown.join("."))
        }
    }
}

/// A `$ref`'d schema, followed.
fn resolve_ref<'a>(root: &'a Json, schema: &'a Json) -> &'a Json {
    schema.get("$ref").and_then(Json::as_str).and_then(|r| r.strip_prefix('#')).and_then(|r| root.pointer(r)).unwrap_or(schema)
}

/// An example value for a missing member, as JSON text.
fn example_value(name: &str, schema: Option<&Json>, root: &Node) -> String {
    let ns = root.get("ns").and_then(Node::as_str).unwrap_or("your-app");
    let known = match name {
        "title" => Some("\"Create a ticket\"".to_string()),
        "label" => Some("\"Helpdesk\"".to_string()),
        "description" => Some("\"What it does, in one sentence\"".to_string()),
        "shortDescription" => Some("\"One line for the Marketplace card\"".to_string()),
        "name" => Some("\"createTicket\"".to_string()),
        "event" => Some("\"ticket.created\"".to_string()),
        "type" if schema.and_then(|s| s.get("pattern")).is_some() => Some(format!("\"miniapps:{ns}\"")),
        "url" => Some("\"https://api.example.com/v1/tickets\"".to_string()),
        "method" => Some("\"GET\"".to_string()),
        "mapping" => Some("{ \"id\": \"$.id\" }".to_string()),
        "version" => Some("\"1.0.0\"".to_string()),
        "icon" | "logo" => Some(format!("\"https://{ns}.example/{name}.svg\"")),
        "img" => Some("\"automation3.svg\"".to_string()),
        "docsUrl" => Some(format!("\"https://{ns}.example/docs\"")),
        "contentType" => Some(format!("\"{ns}:orders\"")),
        "auth_url" => Some("{ \"url\": \"https://login.example.com/oauth/authorize?client_id={{client_id}}&redirect_uri={{redirect_uri}}\", \"method\": \"GET\" }".to_string()),
        "get_token" | "refresh_token" => Some("{ \"url\": \"https://login.example.com/oauth/token\", \"method\": \"POST\", \"bodyType\": \"x-www-form-urlencoded\", \"body\": { … }, \"mapping\": { \"accessToken\": \"$.access_token\" } }".to_string()),
        "details" | "list" => Some("{ \"url\": \"/orders/{id}\", \"method\": \"GET\" }".to_string()),
        "headerName" => Some("\"X-Signature\"".to_string()),
        "secretKey" => Some("\"webhookSecret\"".to_string()),
        "paths" => Some("[\"$.id\"]".to_string()),
        "path" => Some("\"$.id\"".to_string()),
        _ => None,
    };
    if let Some(known) = known {
        return known;
    }
    let Some(schema) = schema else { return "…".to_string() };
    if let Some(first) = schema.get("examples").and_then(Json::as_array).and_then(|e| e.first()) {
        return first.to_string();
    }
    if let Some(value) = schema.get("const") {
        return value.to_string();
    }
    if let Some(first) = schema.get("enum").and_then(Json::as_array).and_then(|e| e.first()) {
        return first.to_string();
    }
    let ty = match schema.get("type") {
        Some(Json::String(t)) => t.as_str(),
        Some(Json::Array(ts)) => ts.iter().filter_map(Json::as_str).find(|t| *t != "null").unwrap_or("string"),
        _ => "string",
    };
    match ty {
        "boolean" => "false".to_string(),
        "integer" | "number" => "1".to_string(),
        "object" => "{}".to_string(),
        "array" => "[]".to_string(),
        _ => "\"…\"".to_string(),
    }
}

/// How to write a value of the expected type (a string where a boolean or number belongs gets
/// its value back without quotes).
fn type_help(schema_type: Option<&Json>, found: &Node) -> String {
    let expected: Vec<&str> = match schema_type {
        Some(Json::String(t)) => vec![t.as_str()],
        Some(Json::Array(ts)) => ts.iter().filter_map(Json::as_str).collect(),
        _ => Vec::new(),
    };
    let text = found.as_str().map(str::trim);
    if expected.contains(&"boolean") {
        return match text {
            Some(t @ ("true" | "false")) => format!("write `{t}` without quotes"),
            _ => "write `true` or `false`, without quotes".to_string(),
        };
    }
    if expected.contains(&"integer") || expected.contains(&"number") {
        return match text.filter(|t| t.parse::<f64>().is_ok()) {
            Some(t) => format!("write `{t}` without quotes"),
            None => "write a number without quotes, e.g. `100`".to_string(),
        };
    }
    match expected.first().copied() {
        Some("string") => "put the value in double quotes".to_string(),
        Some("object") => "write a JSON object: `{ \"key\": value }`".to_string(),
        Some("array") => "write a JSON array: `[ … ]`".to_string(),
        _ => "see `miniapp schema` for the expected shape".to_string(),
    }
}

fn show(value: &Json) -> String {
    match value {
        Json::String(s) => format!("`{s}`"),
        other => format!("`{other}`"),
    }
}

fn expected_types(schema_type: Option<&Json>) -> String {
    let article = |t: &str| match t {
        "object" | "array" | "integer" => format!("an {t}"),
        "null" => "null".to_string(),
        _ => format!("a {t}"),
    };
    match schema_type {
        Some(Json::String(t)) => article(t),
        Some(Json::Array(ts)) => ts.iter().filter_map(Json::as_str).map(article).collect::<Vec<_>>().join(" or "),
        _ => "another type".to_string(),
    }
}

/// Validates the document and returns its structural diagnostics (unsorted). `instance` is
/// `root.to_json()`, passed in so the caller can reuse it.
pub fn validate(root: &Node, instance: &Json) -> Vec<Diagnostic> {
    let compiled = compiled();
    let Some(validator) = &compiled.validator else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for error in validator.iter_errors(instance) {
        let at = error.instance_path().as_str().to_string();
        let schema_path = error.schema_path().as_str().to_string();
        let Some(node) = root.pointer(&at) else {
            continue;
        };
        match error.kind() {
            ValidationErrorKind::Required { property } => {
                let name = property.as_str().unwrap_or_default();
                let ptr = pointer::join(&at, name);
                let code = route(&ptr, Kind::Required, codes::E0011);
                // A missing member is reported at the `{` of its object.
                let brace = Span::new(node.span.start, node.span.start + 1);
                // The error's schema path ends at the `required` keyword; its object schema is one up.
                let object_schema = schema_path.strip_suffix("/required").unwrap_or(&schema_path);
                let member_schema = schema_at(&compiled.json, object_schema)
                    .map(|s| resolve_ref(&compiled.json, s))
                    .and_then(|s| s.get("properties"))
                    .and_then(|p| p.get(name))
                    .map(|m| resolve_ref(&compiled.json, m));
                let example = match (name, root.pointer(&at).and_then(|n| n.get("name")).and_then(Node::as_str)) {
                    ("title", Some(owner_name)) => format!("\"{}\"", crate::names::title(owner_name)),
                    _ => example_value(name, member_schema, root),
                };
                out.push(
                    Diagnostic::new(code, format!("{} is missing `{name}`", owner(root, &at)), ptr, brace)
                        .with_help(format!("add `\"{name}\": {example}`")),
                );
            }
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                let declared: Vec<&str> = schema_at(&compiled.json, &schema_path)
                    .and_then(|_| schema_at(&compiled.json, schema_path.rsplit_once('/').map_or("", |(p, _)| p)))
                    .and_then(|s| s.get("properties"))
                    .and_then(Json::as_object)
                    .map(|m| m.keys().map(String::as_str).collect())
                    .unwrap_or_default();
                for key in unexpected {
                    let Some(member) = node.member(key) else {
                        continue;
                    };
                    let ptr = pointer::join(&at, key);
                    let code = route(&ptr, Kind::Unknown, codes::W0702);
                    let mut d = Diagnostic::new(
                        code,
                        format!("unknown key `{key}` in {}", if at.is_empty() { "the definition".into() } else { field_name(&at) }),
                        ptr,
                        member.key_span,
                    );
                    if let Some((_, hint)) = AUTH_FALSE_FRIENDS.iter().find(|(k, _)| k == key).filter(|_| at == "/auth") {
                        d.message = format!("`{key}` is not an auth field (it is not an alias either)");
                        d = d.with_help(*hint);
                    } else if code == codes::E0608 {
                        d.message = format!("`{key}` does not belong to this handler shape");
                        d = d.with_help("a handler is either shape A (`recordType`, `operation` create|update, `mapping`) or shape B (`resource`, `operation` upsert, `dataPath`), never a mix");
                    } else if code == codes::E0512 {
                        d.message = format!("`{key}` is not a Karzoun customer field");
                        d = d.with_suggestion(key, declared.iter().copied());
                        if d.help.is_empty() {
                            let list = declared.iter().map(|f| format!("`{f}`")).collect::<Vec<_>>().join(", ");
                            d = d.with_help(format!("the customer fields are {list}"));
                        }
                    } else {
                        d = d.with_suggestion(key, declared.iter().copied());
                    }
                    if d.help.is_empty() {
                        d = d.with_help("remove it, or check its spelling against `miniapp schema`");
                    }
                    out.push(d);
                }
            }
            ValidationErrorKind::Enum { options } => {
                let allowed: Vec<&str> = options.as_array().map(|a| a.iter().filter_map(Json::as_str).collect()).unwrap_or_default();
                let code = route(&at, Kind::Shape, codes::E0012);
                let list = allowed.iter().map(|a| format!("`{a}`")).collect::<Vec<_>>().join(", ");
                let mut d = Diagnostic::new(
                    code,
                    format!("{} is not a valid {}; expected one of {list}", show(&node.to_json()), field_name(&at)),
                    &at,
                    node.span,
                );
                if let Some(found) = node.as_str() {
                    if at == "/auth/type" && found.eq_ignore_ascii_case("api_key") {
                        d = d.with_help("the documented API-key type is `apikey` (or `bearer_token`); `api_key` is not an alias");
                    } else {
                        d = d.with_suggestion(found, allowed.iter().copied());
                    }
                }
                if d.help.is_empty() {
                    d = d.with_help("the list is closed: use one of these values exactly (case matters)");
                }
                out.push(d);
            }
            ValidationErrorKind::Constant { expected_value } => {
                let code = route(&at, Kind::Shape, codes::E0012);
                out.push(
                    Diagnostic::new(
                        code,
                        format!("{} must be {}, found {}", field_name(&at), show(expected_value), show(&node.to_json())),
                        &at,
                        node.span,
                    )
                    .with_help(format!("write `{expected_value}`")),
                );
            }
            ValidationErrorKind::Type { .. } => {
                let code = route(&at, Kind::Shape, codes::E0010);
                let schema_type = schema_at(&compiled.json, &schema_path);
                let expected = expected_types(schema_type);
                out.push(
                    Diagnostic::new(code, format!("{} must be {expected}, found {}", field_name(&at), node.type_name()), &at, node.span)
                        .with_help(type_help(schema_type, node)),
                );
            }
            ValidationErrorKind::Pattern { pattern } => {
                let code = route(&at, Kind::Shape, codes::E0013);
                let mut d = Diagnostic::new(
                    code,
                    format!("{} {} does not match `{pattern}`", field_name(&at), show(&node.to_json())),
                    &at,
                    node.span,
                );
                if code != codes::E0101 {
                    d = d.with_help("the value must match the pattern as a whole");
                }
                if code == codes::E0101 {
                    d.message = format!("`ns` {} is not lowercase kebab-case", show(&node.to_json()));
                    d = d.with_help(format!(
                        "use lowercase letters, digits and single hyphens, e.g. `{}`",
                        kebab(node.as_str().unwrap_or_default())
                    ));
                }
                out.push(d);
            }
            other => {
                let code = route(&at, Kind::Shape, codes::E0013);
                let message = match other {
                    ValidationErrorKind::Minimum { limit } => {
                        format!("{} must be at least {limit}", field_name(&at))
                    }
                    ValidationErrorKind::Maximum { limit } => {
                        format!("{} must be at most {limit}", field_name(&at))
                    }
                    ValidationErrorKind::ExclusiveMinimum { limit } => {
                        format!("{} must be greater than {limit}", field_name(&at))
                    }
                    ValidationErrorKind::MinItems { limit } => {
                        format!("{} must have at least {limit} item{}", field_name(&at), if *limit == 1 { "" } else { "s" })
                    }
                    _ => format!("{}: {}", field_name(&at), error),
                };
                let help = match other {
                    ValidationErrorKind::MinItems { .. } => "add the missing items".to_string(),
                    _ if at.ends_with("/rateLimitPerSecond") => {
                        "give requests per second (e.g. `5`), or leave the key out for no limit".to_string()
                    }
                    _ if at.ends_with("/statusCode") => {
                        "use an HTTP status the provider expects as an acknowledgement, usually `200`".to_string()
                    }
                    _ => "change the value to fit the limit".to_string(),
                };
                out.push(Diagnostic::new(code, message, &at, node.span).with_help(help));
            }
        }
    }
    out
}

/// A best-effort kebab-case version of a name, for help lines.
fn kebab(name: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && prev_lower {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        } else {
            if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
            prev_lower = false;
        }
    }
    let trimmed = out.trim_matches('-').to_string();
    if trimmed.is_empty() { "acme-shop".to_string() } else { trimmed }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::parse;

    fn diags(text: &str) -> Vec<(String, String)> {
        let root = parse(text).root.unwrap_or_else(|| panic!("syntax error in test input"));
        validate(&root, &root.to_json()).into_iter().map(|d| (d.code.id.to_string(), d.pointer)).collect()
    }

    #[test]
    fn the_schema_compiles() {
        assert!(compiled().validator.is_some());
        assert_eq!(schema_json()["$schema"], "https://json-schema.org/draft/2020-12/schema");
    }

    #[test]
    fn globs() {
        let t = |s: &str| pointer::tokens(s).collect::<Vec<_>>();
        assert!(glob(&["a", "**", "c"], &t("/a/c")));
        assert!(glob(&["a", "**", "c"], &t("/a/b/x/c")));
        assert!(!glob(&["a", "*", "c"], &t("/a/c")));
        assert!(glob(&["a", "*"], &t("/a/b")));
    }

    #[test]
    fn errors_are_routed_to_rule_codes() {
        let d = diags(r#"{"auth": {"type": "oauth2", "tokenUrl": "x"}, "category": "chat"}"#);
        assert!(d.contains(&("E0105".into(), "/category".into())), "{d:?}");
        assert!(d.contains(&("E0205".into(), "/auth/auth_url".into())), "{d:?}");
        assert!(d.contains(&("E0205".into(), "/auth/get_token".into())), "{d:?}");
        assert!(d.contains(&("E0201".into(), "/auth/tokenUrl".into())), "{d:?}");
        assert!(d.contains(&("E0011".into(), "/ns".into())), "{d:?}");
    }

    #[test]
    fn unions_report_against_the_selected_variant() {
        let d = diags(
            r#"{"sync": {"webhooks": {"handlers": {"a": {"resource": "r", "operation": "create", "dataPath": "$.d", "mapping": {}}}}}}"#,
        );
        let sync: Vec<_> = d.iter().filter(|(_, p)| p.starts_with("/sync")).collect();
        assert_eq!(
            sync,
            vec![
                &("E0608".to_string(), "/sync/webhooks/handlers/a/operation".to_string()),
                &("E0608".to_string(), "/sync/webhooks/handlers/a/mapping".to_string())
            ]
        );
    }

    #[test]
    fn kebab_help() {
        assert_eq!(kebab("AcmeShop"), "acme-shop");
        assert_eq!(kebab("my_app 2"), "my-app-2");
        assert_eq!(kebab("Bad NS"), "bad-ns");
        assert_eq!(kebab("myAPIKey"), "my-apikey");
    }
}
