//! FORMAT.md §15.3: placeholders (rules 19–26), plus rule 41 (`[[...]]` in sources and sync).

use std::collections::BTreeSet;

use super::{Ctx, SYSTEM_VALUES, items, members};
use crate::codes::{self, Code};
use crate::diagnostic::Diagnostic;
use crate::pointer;
use crate::source::Node;
use crate::template::{self, Problem, Scope};

/// Where a template sits, which decides what its placeholders may read.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Place {
    /// An auth request: `auth_url`, `get_token`, `refresh_token`, registration, `userDetails`, `test_token`.
    Auth(&'static str),
    /// An HTTP step of action `action`, step `step`.
    Step {
        action: usize,
        step: usize,
    },
    /// The `args` of a function step.
    FunctionArgs {
        action: usize,
        step: usize,
    },
    Source,
    Sync,
    /// Strings in the webhook block (not templates; placeholders there are only flagged).
    Webhook,
}

/// Calls `f` on every string leaf of a request's templated fields (url, header and query values,
/// body leaves), with its pointer.
pub(crate) fn for_each_string<'a>(request: &'a Node, base: &str, f: &mut dyn FnMut(&'a Node, String)) {
    for field in ["url", "headers", "queryParams", "body", "baseUrl"] {
        if let Some(member) = request.member(field) {
            walk_strings(&member.value, pointer::join(base, field), f);
        }
    }
}

fn walk_strings<'a>(node: &'a Node, ptr: String, f: &mut dyn FnMut(&'a Node, String)) {
    if let Some(ms) = node.as_object() {
        for m in ms {
            walk_strings(&m.value, pointer::join(&ptr, &m.key), f);
        }
    } else if let Some(items) = node.as_array() {
        for (i, item) in items.iter().enumerate() {
            walk_strings(item, pointer::join(&ptr, i.to_string()), f);
        }
    } else if node.as_str().is_some() {
        f(node, ptr);
    }
}

/// A templated string: the string node, its pointer, and where it sits.
pub(crate) type Templated<'a> = (&'a Node, String, Place);

/// Every templated string in the document, with its place (computed once, in [`Ctx`]).
pub(crate) fn templated_strings<'a>(root: &'a Node) -> Vec<Templated<'a>> {
    let at = |ptr: &str| root.pointer(ptr).filter(|n| !n.is_null());
    let mut found = Vec::new();
    let add = |node: Option<&'a Node>, base: &str, place: Place, found: &mut Vec<_>| {
        if let Some(node) = node {
            for_each_string(node, base, &mut |n, p| found.push((n, p, place)));
        }
    };
    for name in ["auth_url", "get_token", "refresh_token", "userDetails", "test_token"] {
        let base = format!("/auth/{name}");
        add(at(&base), &base, Place::Auth(name), &mut found);
    }
    for (i, r) in items(at("/auth/registrationRequests")) {
        add(Some(r), &format!("/auth/registrationRequests/{i}"), Place::Auth("registrationRequests"), &mut found);
    }
    for (a, action) in items(at("/actions")) {
        for (s, step) in items(action.get("requests")) {
            let base = format!("/actions/{a}/requests/{s}");
            if step.get("type").and_then(Node::as_str) == Some("function") {
                if let Some(args) = step.get("args") {
                    walk_strings(args, format!("{base}/args"), &mut |n, p| found.push((n, p, Place::FunctionArgs { action: a, step: s })));
                }
            } else {
                add(Some(step), &base, Place::Step { action: a, step: s }, &mut found);
            }
        }
    }
    for m in members(at("/source")) {
        add(Some(&m.value), &pointer::join("/source", &m.key), Place::Source, &mut found);
    }
    if let Some(sync) = at("/sync") {
        add(Some(sync), "/sync", Place::Sync, &mut found);
        for m in members(sync.get("resources")) {
            for e in members(m.value.get("endpoints")) {
                if let Some(url) = e.value.member("url") {
                    let p = format!("/sync/resources/{}/endpoints/{}/url", pointer::escape(&m.key), pointer::escape(&e.key));
                    found.push((&url.value, p, Place::Sync));
                }
            }
        }
    }
    if let Some(webhook) = at("/webhook") {
        walk_strings(webhook, "/webhook".into(), &mut |n, p| found.push((n, p, Place::Webhook)));
    }
    found
}

/// Keys an action's `{{...}}` may read, by kind.
struct ActionScope<'a> {
    name: &'a str,
    params: BTreeSet<&'a str>,
    /// Outputs of each step, by step index.
    outputs: Vec<Vec<&'a str>>,
    /// Indexes of function steps.
    functions: Vec<usize>,
}

fn action_scope<'a>(action: &'a Node) -> ActionScope<'a> {
    let params = members(action.pointer("/parameters/properties")).map(|m| m.key.as_str()).collect();
    let mut outputs = Vec::new();
    let mut functions = Vec::new();
    for (s, step) in items(action.get("requests")) {
        let mut keys = Vec::new();
        match step.get("mapping") {
            Some(m) if m.as_object().is_some() => keys.extend(members(Some(m)).map(|m| m.key.as_str())),
            Some(m) => keys.extend(items(Some(m)).filter_map(|(_, e)| e.get("name").and_then(Node::as_str))),
            None => {}
        }
        if step.get("type").and_then(Node::as_str) == Some("function") {
            functions.push(s);
        }
        outputs.push(keys);
    }
    let name = action.get("name").and_then(Node::as_str).unwrap_or("?");
    ActionScope { name, params, outputs, functions }
}

/// Rules 19–24 and 41: every placeholder is well-formed and resolvable where it stands.
pub fn templates(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let stored = cx.stored_keys();
    let config: BTreeSet<&str> = cx.config.iter().map(|d| d.name).collect();
    let form: BTreeSet<&str> = cx.form.iter().map(|d| d.name).collect();
    let metadata: BTreeSet<&str> = cx.metadata.iter().map(|d| d.name).collect();
    let actions: Vec<Option<ActionScope<'_>>> = items(cx.at("/actions")).map(|(_, a)| Some(action_scope(a))).collect();

    for (node, ptr, place) in cx.templates.iter().map(|(n, p, pl)| (*n, p.as_str(), *pl)) {
        let Some(text) = node.as_str() else { continue };
        let (parsed, problems) = template::parse(text);
        for problem in problems {
            let d = match problem {
                Problem::Unclosed { range, opener } => {
                    let closer = if opener == "{{" { "}}" } else { "]]" };
                    Diagnostic::new(codes::E0306, format!("`{opener}` is never closed"), ptr, node.sub_span(range))
                        .with_help(format!("close the placeholder with `{closer}`"))
                }
                Problem::BadName { range, name } => {
                    let trimmed = name.trim();
                    let mut d =
                        Diagnostic::new(codes::E0306, format!("`{}` is not a valid placeholder name", name), ptr, node.sub_span(range));
                    d = if trimmed != name && template::is_ident(trimmed) {
                        d.with_help(format!("remove the spaces: `{trimmed}`"))
                    } else {
                        d.with_help("placeholder names are identifiers (`[A-Za-z_][A-Za-z0-9_]*`): no dots, spaces or filters")
                    };
                    d
                }
                Problem::Stray { range, closer } => {
                    Diagnostic::new(codes::W0306, format!("`{closer}` has no matching opener"), ptr, node.sub_span(range))
                }
            };
            out.push(d);
        }
        for (scope, name, range) in parsed.placeholders() {
            let span = node.sub_span(range);
            match (scope, place) {
                (_, Place::Webhook) => {
                    let shown = match scope {
                        Scope::Context => format!("{{{{{name}}}}}"),
                        Scope::Stored => format!("[[{name}]]"),
                    };
                    out.push(Diagnostic::new(
                        codes::W0305,
                        format!("placeholder `{shown}` in the webhook block is never resolved"),
                        ptr,
                        span,
                    ));
                }
                (Scope::Stored, Place::FunctionArgs { .. }) => {
                    out.push(
                        Diagnostic::new(codes::E0302, format!("`[[{name}]]` passes a credential to an App Function"), ptr, span)
                            .with_help("functions never receive credentials; call the API in an HTTP step and pass its mapped output"),
                    );
                }
                (Scope::Stored, _) if !stored.contains(name) => {
                    let code: Code = if matches!(place, Place::Source | Place::Sync) { codes::E0415 } else { codes::E0301 };
                    out.push(
                        Diagnostic::new(code, format!("`[[{name}]]` names no credentials or metadata key"), ptr, span)
                            .with_suggestion(name, stored.iter().copied())
                            .with_help("stored keys come from `auth.config`, `auth.form`, and the object mappings of `get_token`, `refresh_token`, registration requests and `userDetails`"),
                    );
                }
                (Scope::Stored, _) => {}
                (Scope::Context, Place::Source | Place::Sync) => {
                    out.push(Diagnostic::new(
                        codes::W0305,
                        format!(
                            "`{{{{{name}}}}}` is not documented in {} requests",
                            if place == Place::Source { "source" } else { "sync" }
                        ),
                        ptr,
                        span,
                    ));
                }
                (Scope::Context, Place::Auth(which)) => {
                    let system = matches!(name, "redirect_uri" | "code") || SYSTEM_VALUES.contains(&name);
                    if !(config.contains(name) || form.contains(name) || system) {
                        let candidates =
                            config.iter().chain(&form).copied().chain(SYSTEM_VALUES.iter().copied()).chain(["redirect_uri", "code"]);
                        out.push(
                            Diagnostic::new(
                                codes::E0304,
                                format!("`{{{{{name}}}}}` in `{which}` is not an `auth.config` key, an install-form key or a system value"),
                                ptr,
                                span,
                            )
                            .with_suggestion(name, candidates),
                        );
                    } else if (name == "code" && which != "get_token")
                        || (name == "redirect_uri" && !matches!(which, "auth_url" | "get_token"))
                    {
                        out.push(
                            Diagnostic::new(codes::W0304, format!("`{{{{{name}}}}}` is not supplied in `{which}`"), ptr, span)
                                .with_help("`{{code}}` exists only in `get_token`; `{{redirect_uri}}` only in `auth_url` and `get_token`"),
                        );
                    }
                }
                (Scope::Context, Place::Step { action, step } | Place::FunctionArgs { action, step }) => {
                    let Some(Some(scope)) = actions.get(action) else {
                        continue;
                    };
                    resolve_in_action(name, span, ptr, step, scope, &config, &form, &metadata, out);
                }
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn resolve_in_action(
    name: &str,
    span: crate::source::Span,
    ptr: &str,
    step: usize,
    scope: &ActionScope<'_>,
    config: &BTreeSet<&str>,
    form: &BTreeSet<&str>,
    metadata: &BTreeSet<&str>,
    out: &mut Vec<Diagnostic>,
) {
    let earlier = scope.outputs.iter().take(step).flatten().any(|k| *k == name);
    if scope.params.contains(name) || earlier || SYSTEM_VALUES.contains(&name) || metadata.contains(name) || form.contains(name) {
        return;
    }
    if let Some(later) = scope.outputs.iter().enumerate().skip(step).find(|(_, keys)| keys.contains(&name)).map(|(i, _)| i) {
        let message = if later == step {
            format!("`{{{{{name}}}}}` is read by step {} before that step's own response produces it", step + 1)
        } else {
            format!("`{{{{{name}}}}}` is read by step {} but produced only by step {}", step + 1, later + 1)
        };
        out.push(
            Diagnostic::new(codes::E0303, message, ptr, span)
                .with_help("steps run in order: a step can read only the outputs of earlier steps"),
        );
        return;
    }
    if let Some(&f) = scope.functions.iter().find(|&&f| f < step) {
        out.push(Diagnostic::new(
            codes::W0303,
            format!("`{{{{{name}}}}}` can only come from the return value of the function in step {}, which cannot be checked", f + 1),
            ptr,
            span,
        ));
        return;
    }
    if config.contains(name) {
        out.push(Diagnostic::new(
            codes::W0303,
            format!(
                "`{{{{{name}}}}}` is only an `auth.config` key; config is documented as a source for registration requests, not actions"
            ),
            ptr,
            span,
        ));
        return;
    }
    let candidates = scope
        .params
        .iter()
        .copied()
        .chain(scope.outputs.iter().take(step).flatten().copied())
        .chain(SYSTEM_VALUES.iter().copied())
        .chain(metadata.iter().copied())
        .chain(form.iter().copied());
    out.push(
        Diagnostic::new(
            codes::E0303,
            format!(
                "`{{{{{name}}}}}` in action `{}` is not a parameter, an earlier step's output, a metadata key or a system value",
                scope.name
            ),
            ptr,
            span,
        )
        .with_suggestion(name, candidates),
    );
}

/// `E0309`: URL placeholders stand only where a value cannot change the request's host
/// (FORMAT.md §6.7). Sync endpoint URLs are relative to `sync.baseUrl` and are not checked here.
pub fn url_positions(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for (node, ptr, place) in cx.templates.iter().map(|(n, p, pl)| (*n, p.as_str(), *pl)) {
        let is_url = ptr.ends_with("/url") || ptr == "/sync/baseUrl";
        if !is_url || place == Place::Webhook || ptr.contains("/endpoints/") {
            continue;
        }
        let Some(text) = node.as_str() else { continue };
        let (parsed, problems) = template::parse(text);
        if !problems.is_empty() {
            continue; // E0306 reports those
        }
        match template::classify_url(&parsed) {
            Err(problem) => {
                let span = if problem.range.is_empty() { node.span } else { node.sub_span(problem.range) };
                out.push(Diagnostic::new(codes::E0309, problem.message, ptr, span));
            }
            Ok(contexts) => {
                for ((_, key, range), context) in parsed.placeholders().zip(contexts) {
                    if matches!(context, template::UrlContext::Path | template::UrlContext::Query) && cx.is_sensitive(key) {
                        let place = if context == template::UrlContext::Path { "path" } else { "query" };
                        out.push(
                            Diagnostic::new(
                                codes::W0310,
                                format!("the sensitive key `{key}` is sent in the URL's {place}"),
                                ptr,
                                node.sub_span(range),
                            )
                            .with_help("send it in a header if the provider accepts one (e.g. `Authorization: Bearer [[key]]`)"),
                        );
                    }
                }
            }
        }
    }
}

/// Rule 25: `Authorization: Basic X` where X will not be encoded.
pub fn basic_auth_encoding(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for (node, ptr, _) in cx.templates.iter().map(|(n, p, pl)| (*n, p.as_str(), *pl)) {
        let is_auth_header = ptr.rsplit('/').next().is_some_and(|k| k.eq_ignore_ascii_case("authorization")) && ptr.contains("/headers/");
        let Some(value) = node.as_str().filter(|_| is_auth_header) else {
            continue;
        };
        let Some(rest) = value.strip_prefix("Basic ") else {
            continue;
        };
        if rest.contains(':') {
            continue;
        }
        let (parsed, _) = template::parse(rest);
        if parsed.is_whole_value() {
            out.push(
                Diagnostic::new(codes::W0307, format!("`Basic {rest}` is sent unchanged (no `:`), not base64-encoded"), ptr, node.span)
                    .with_help(format!("if the key is a username with an empty password, keep the trailing colon: `Basic {rest}:`")),
            );
        } else if parsed.placeholders().next().is_none() && !is_base64(rest) {
            out.push(Diagnostic::new(codes::W0307, format!("`Basic {rest}` is neither `user:pass` nor base64"), ptr, node.span));
        }
    }
}

fn is_base64(s: &str) -> bool {
    !s.is_empty()
        && s.len().is_multiple_of(4)
        && s.trim_end_matches('=').bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}

/// Rule 26: `{id}` tokens outside `sync.resources.*.endpoints.details.url`.
pub fn single_brace_ids(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for (node, ptr, place) in cx.templates.iter().map(|(n, p, pl)| (*n, p.as_str(), *pl)) {
        if place == Place::Webhook || (ptr.starts_with("/sync/resources/") && ptr.ends_with("/endpoints/details/url")) {
            continue;
        }
        let Some(text) = node.as_str() else { continue };
        for range in template::single_brace_tokens(text) {
            out.push(
                Diagnostic::new(
                    codes::W0308,
                    format!("`{}` is replaced only in a sync details URL; here it is sent literally", &text[range.clone()]),
                    ptr,
                    node.sub_span(range),
                )
                .with_help("use a `{{placeholder}}`"),
            );
        }
    }
}
