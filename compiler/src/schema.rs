//! Structural validation against the published JSON Schema (`schema/miniapp.schema.json`).
//!
//! The schema is the single description of the document's shape: editors use it, and so do we.
//! Each validation error becomes a located [`Diagnostic`]. Which code it gets depends on where it
//! is: a routing table maps (pointer pattern, kind of error) to the FORMAT.md §15 rule that the
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
pub const SCHEMA: &str = include_str!("../schema/miniapp.schema.json");

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
    ("/sync/resources/*/pagination/**", Kind::Shape, codes::E0604),
    ("/sync/resources/*/apiMapping/*/**", Kind::Shape, codes::E0605),
    ("/sync/webhooks/handlers/*/mapping/code", Kind::Required, codes::E0608),
    ("/sync/webhooks/handlers/*/mapping/*/**", Kind::Shape, codes::E0605),
    ("/sync/webhooks/handlers/*/**", Kind::Any, codes::E0608),
    ("/sync/resources/*/**", Kind::Shape, codes::E0602),
];

/// What `auth` fields people assume, and what the format uses instead (FORMAT.md §0.3).
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
                let owner = if at.is_empty() { "the definition".to_string() } else { field_name(&at) };
                // A missing member is reported at the `{` of its object.
                let brace = Span::new(node.span.start, node.span.start + 1);
                out.push(Diagnostic::new(code, format!("{owner} is missing the required member `{name}`"), ptr, brace));
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
                    } else {
                        d = d.with_suggestion(key, declared.iter().copied());
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
                out.push(d);
            }
            ValidationErrorKind::Constant { expected_value } => {
                let code = route(&at, Kind::Shape, codes::E0012);
                out.push(Diagnostic::new(
                    code,
                    format!("{} must be {}, found {}", field_name(&at), show(expected_value), show(&node.to_json())),
                    &at,
                    node.span,
                ));
            }
            ValidationErrorKind::Type { .. } => {
                let code = route(&at, Kind::Shape, codes::E0010);
                let expected = expected_types(schema_at(&compiled.json, &schema_path));
                out.push(Diagnostic::new(
                    code,
                    format!("{} must be {expected}, found {}", field_name(&at), node.type_name()),
                    &at,
                    node.span,
                ));
            }
            ValidationErrorKind::Pattern { pattern } => {
                let code = route(&at, Kind::Shape, codes::E0013);
                let mut d = Diagnostic::new(
                    code,
                    format!("{} {} does not match `{pattern}`", field_name(&at), show(&node.to_json())),
                    &at,
                    node.span,
                );
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
                out.push(Diagnostic::new(code, message, &at, node.span));
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
