//! docs/format.md §15.3: placeholders (rules 19–26), plus rule 41 (`[[...]]` in sources and sync).

use std::collections::BTreeSet;

use super::{Ctx, SYSTEM_VALUES, items, members};
use crate::codes::{self, Code};
use crate::diagnostic::Diagnostic;
use crate::facts::{Field, Part, Src, Template};
use crate::pointer;
use crate::source::Node;
use crate::template::{self, Problem, Scope, Segment, UrlContext, UrlProblem};

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
/// body leaves), with its pointer and the kind of field it sits in.
pub(crate) fn for_each_string<'a>(request: &'a Node, base: &str, f: &mut dyn FnMut(&'a Node, String, Field)) {
    for (name, field) in
        [("url", Field::Url), ("headers", Field::Header), ("queryParams", Field::Query), ("body", Field::Body), ("baseUrl", Field::Url)]
    {
        if let Some(member) = request.member(name) {
            walk_strings(&member.value, pointer::join(base, name), &mut |n, p| f(n, p, field));
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

/// A templated string, parsed once, with everything the rules and lowering need to know.
pub(crate) struct Templated<'a> {
    pub node: &'a Node,
    pub ptr: String,
    pub place: Place,
    pub field: Field,
    /// A sync endpoint URL: templated joined to `sync.baseUrl`, with its `{id}`.
    pub endpoint: bool,
    pub parsed: template::Template,
    pub problems: Vec<Problem>,
    /// For a URL without template errors: each placeholder's position, or why one cannot be
    /// filled safely.
    pub url: Option<Result<Vec<UrlContext>, UrlProblem>>,
    /// Each placeholder's source, and what is wrong with it if anything, in order.
    pub resolved: Vec<(Src, Option<Finding>)>,
}

/// What is wrong with a placeholder where it stands (the `templates` rule reports it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Finding {
    /// `[[key]]` names no stored key.
    UnknownStored,
    /// `[[key]]` in App Function args.
    CredentialToFunction,
    /// `{{key}}` produced only by this step or a later one.
    NotYetProduced { later: usize },
    /// `{{key}}` can only be an earlier App Function's return.
    FunctionReturn { step: usize },
    /// `{{key}}` is only an `auth.config` key, in an action.
    ConfigInAction,
    /// `{{key}}` resolves to nothing in an action.
    UnknownInAction,
    /// `{{key}}` resolves to nothing in an auth request.
    UnknownInAuth,
    /// `{{code}}` / `{{redirect_uri}}` where the platform does not supply it.
    NotSuppliedInAuth,
    /// `{{key}}` in a source or sync request, where no context is documented.
    Undocumented,
    /// A placeholder in the webhook block, which is never templated.
    InWebhook,
}

/// Keys an action's `{{...}}` may read, by kind.
pub(crate) struct ActionScope<'a> {
    pub name: &'a str,
    pub params: BTreeSet<&'a str>,
    /// Outputs of each step, by step index.
    pub outputs: Vec<Vec<&'a str>>,
    /// Indexes of function steps.
    pub functions: Vec<usize>,
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

/// Values the platform supplies to auth requests besides [`SYSTEM_VALUES`].
const AUTH_VALUES: &[&str] = &["redirect_uri", "code"];

/// Values a sync request's templates are rendered with (docs/format.md §11.3; `{id}` in details URLs).
const SYNC_VALUES: &[&str] = &["page", "limit", "id"];

/// The one placeholder resolver: where each `[[key]]` and `{{key}}` reads from, given where it
/// stands, and what is wrong with it. The checks report its findings; lowering uses its sources.
pub(crate) struct Resolver<'a> {
    pub stored: BTreeSet<&'a str>,
    pub config: BTreeSet<&'a str>,
    pub form: BTreeSet<&'a str>,
    pub metadata: BTreeSet<&'a str>,
    pub actions: Vec<ActionScope<'a>>,
}

impl<'a> Resolver<'a> {
    pub fn new(
        root: &'a Node,
        stored: BTreeSet<&'a str>,
        config: BTreeSet<&'a str>,
        form: BTreeSet<&'a str>,
        metadata: BTreeSet<&'a str>,
    ) -> Self {
        let actions = items(root.get("actions").filter(|n| !n.is_null())).map(|(_, a)| action_scope(a)).collect();
        Resolver { stored, config, form, metadata, actions }
    }

    pub fn resolve(&self, scope: Scope, name: &str, place: Place) -> (Src, Option<Finding>) {
        match (scope, place) {
            (_, Place::Webhook) => (Src::Config, Some(Finding::InWebhook)),
            (Scope::Stored, Place::FunctionArgs { .. }) => (Src::Stored, Some(Finding::CredentialToFunction)),
            (Scope::Stored, _) if !self.stored.contains(name) => (Src::Stored, Some(Finding::UnknownStored)),
            (Scope::Stored, _) => (Src::Stored, None),
            (Scope::Context, Place::Source) if SYSTEM_VALUES.contains(&name) => (Src::System, Some(Finding::Undocumented)),
            (Scope::Context, Place::Source) => (Src::Config, Some(Finding::Undocumented)),
            (Scope::Context, Place::Sync) if SYNC_VALUES.contains(&name) => (Src::Var, Some(Finding::Undocumented)),
            (Scope::Context, Place::Sync) if SYSTEM_VALUES.contains(&name) => (Src::System, Some(Finding::Undocumented)),
            (Scope::Context, Place::Sync) => (Src::Config, Some(Finding::Undocumented)),
            (Scope::Context, Place::Auth(which)) => {
                if AUTH_VALUES.contains(&name) || SYSTEM_VALUES.contains(&name) {
                    let supplied = match name {
                        "code" => which == "get_token",
                        "redirect_uri" => matches!(which, "auth_url" | "get_token"),
                        _ => true,
                    };
                    (Src::System, (!supplied).then_some(Finding::NotSuppliedInAuth))
                } else if self.config.contains(name) || self.form.contains(name) {
                    (Src::Config, None)
                } else {
                    (Src::Config, Some(Finding::UnknownInAuth))
                }
            }
            (Scope::Context, Place::Step { action, step } | Place::FunctionArgs { action, step }) => {
                let Some(scope) = self.actions.get(action) else { return (Src::Config, Some(Finding::UnknownInAction)) };
                self.in_action(name, step, scope)
            }
        }
    }

    /// Action `{{key}}`, in this order: a parameter or an earlier step's output (a call
    /// variable); a system value; a metadata or install-form key (the store); then, after an App
    /// Function step, the function's return (unknowable, a call variable); an `auth.config` key.
    fn in_action(&self, name: &str, step: usize, scope: &ActionScope<'_>) -> (Src, Option<Finding>) {
        let earlier = scope.outputs.iter().take(step).flatten().any(|k| *k == name);
        if scope.params.contains(name) || earlier {
            return (Src::Var, None);
        }
        if SYSTEM_VALUES.contains(&name) {
            return (Src::System, None);
        }
        if self.metadata.contains(name) || self.form.contains(name) {
            return (Src::Config, None);
        }
        if let Some(later) = scope.outputs.iter().enumerate().skip(step).find(|(_, keys)| keys.contains(&name)).map(|(i, _)| i) {
            return (Src::Var, Some(Finding::NotYetProduced { later }));
        }
        if let Some(&f) = scope.functions.iter().find(|&&f| f < step) {
            return (Src::Var, Some(Finding::FunctionReturn { step: f }));
        }
        if self.config.contains(name) {
            return (Src::Config, Some(Finding::ConfigInAction));
        }
        (Src::Config, Some(Finding::UnknownInAction))
    }
}

/// The help for a `{{key}}` that names a stored key: the other bracket.
fn stored_hint(r: &Resolver<'_>, name: &str, d: Diagnostic) -> Diagnostic {
    if r.stored.contains(name) {
        let span = d.span;
        d.with_help(format!("`{name}` is stored with the install, read with double brackets: write `[[{name}]]`")).with_fix(
            format!("Write `[[{name}]]`"),
            span,
            format!("{{{{{name}}}}}"),
            format!("[[{name}]]"),
        )
    } else {
        d
    }
}

/// What a `{{key}}` would read where a `[[key]]` stands, if anything: "a parameter of action
/// `x`", "an output of step 1", "a system value".
fn context_kind(r: &Resolver<'_>, place: Place, name: &str) -> Option<String> {
    if SYSTEM_VALUES.contains(&name) || (matches!(place, Place::Auth(_)) && AUTH_VALUES.contains(&name)) {
        return Some("a system value".to_string());
    }
    let (Place::Step { action, step } | Place::FunctionArgs { action, step }) = place else { return None };
    let scope = r.actions.get(action)?;
    if scope.params.contains(name) {
        return Some(format!("a parameter of action `{}`", scope.name));
    }
    let produced = scope.outputs.iter().take(step).position(|keys| keys.contains(&name))?;
    Some(format!("an output of step {}", produced + 1))
}

/// `baseUrl` + a sync endpoint URL (relative to it, docs/format.md §11.1; an absolute one stands
/// alone), with each `{id}` written `{{id}}`.
pub(crate) fn endpoint_url(base: &str, url: &str) -> String {
    let joined = if url.starts_with("http://") || url.starts_with("https://") || url.starts_with("{{") {
        url.to_string()
    } else {
        format!("{}/{}", base.trim_end_matches('/'), url.trim_start_matches('/'))
    };
    let mut out = String::with_capacity(joined.len() + 2);
    let mut rest = joined.as_str();
    while let Some(i) = rest.find("{id}") {
        let doubled = rest[..i].ends_with('{') && rest[i + 4..].starts_with('}');
        out.push_str(&rest[..i]);
        out.push_str(if doubled { "{id}" } else { "{{id}}" });
        rest = &rest[i + 4..];
    }
    out.push_str(rest);
    out
}

/// Every templated string in the document, parsed and resolved (computed once, in [`Ctx`]).
pub(crate) fn templated_strings<'a>(root: &'a Node, resolver: &Resolver<'_>) -> Vec<Templated<'a>> {
    let at = |ptr: &str| root.pointer(ptr).filter(|n| !n.is_null());
    // (node, pointer, place, field, whether it is a sync endpoint URL)
    let mut found: Vec<(&'a Node, String, Place, Field, bool)> = Vec::new();
    let add = |node: Option<&'a Node>, base: &str, place: Place, found: &mut Vec<_>| {
        if let Some(node) = node {
            for_each_string(node, base, &mut |n, p, field| found.push((n, p, place, field, false)));
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
                    let place = Place::FunctionArgs { action: a, step: s };
                    walk_strings(args, format!("{base}/args"), &mut |n, p| found.push((n, p, place, Field::Args, false)));
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
                    found.push((&url.value, p, Place::Sync, Field::Url, true));
                }
            }
        }
    }
    if let Some(webhook) = at("/webhook") {
        walk_strings(webhook, "/webhook".into(), &mut |n, p| found.push((n, p, Place::Webhook, Field::Webhook, false)));
    }
    found
        .into_iter()
        .filter_map(|(node, ptr, place, field, endpoint)| Some(Templated::new(node, ptr, place, field, endpoint, node.as_str()?, resolver)))
        .collect()
}

impl<'a> Templated<'a> {
    fn new(node: &'a Node, ptr: String, place: Place, field: Field, endpoint: bool, text: &str, resolver: &Resolver<'_>) -> Self {
        let (parsed, problems) = template::parse(text);
        // A stray closer is only a warning: the template is still classified.
        let errors = problems.iter().any(|p| !matches!(p, Problem::Stray { .. }));
        let url = (field == Field::Url && !errors).then(|| template::classify_url(&parsed));
        let resolved = parsed.placeholders().map(|(scope, name, _)| resolver.resolve(scope, name, place)).collect();
        Templated { node, ptr, place, field, endpoint, parsed, problems, url, resolved }
    }

    /// What lowering reads for this string. A sync endpoint URL is templated joined to
    /// `sync.baseUrl` (`base` here), with its `{id}` written `{{id}}`.
    pub fn lowered(&self, base: Option<&str>, resolver: &Resolver<'_>) -> Template {
        match (self.endpoint, self.node.as_str()) {
            (true, Some(text)) => {
                let composed = endpoint_url(base.unwrap_or_default(), text);
                Templated::new(self.node, self.ptr.clone(), self.place, self.field, true, &composed, resolver).resolved()
            }
            _ => self.resolved(),
        }
    }

    /// Its parts, each placeholder with its source and (in a URL) position. A sync endpoint's
    /// `{{id}}` is one path segment.
    fn resolved(&self) -> Template {
        let mut contexts = match &self.url {
            Some(Ok(contexts)) => contexts.clone().into_iter(),
            _ => Vec::new().into_iter(),
        };
        let mut resolved = self.resolved.iter();
        let parts = self
            .parsed
            .segments
            .iter()
            .map(|s| match s {
                Segment::Literal(l) => Part::Lit(l.clone()),
                Segment::Placeholder { name, .. } => {
                    let src = resolved.next().map_or(Src::Config, |(src, _)| *src);
                    let mut url = if self.field == Field::Url { contexts.next() } else { None };
                    if self.endpoint && name == "id" && src == Src::Var && url == Some(UrlContext::Path) {
                        url = Some(UrlContext::Segment);
                    }
                    Part::Ref { src, key: name.clone(), url }
                }
            })
            .collect();
        Template { field: self.field, parts }
    }
}

/// Rules 19–24 and 41: every placeholder is well-formed and resolvable where it stands.
pub fn templates(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let r = &cx.resolver;
    for t in &cx.templates {
        let (node, ptr) = (t.node, t.ptr.as_str());
        for problem in &t.problems {
            let d = match problem.clone() {
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
                        .with_help("if it is the end of a placeholder, add the opening brackets; if it is literal text, nothing is wrong")
                }
            };
            out.push(d);
        }
        for ((scope, name, range), (_, finding)) in t.parsed.placeholders().zip(&t.resolved) {
            let Some(finding) = finding else { continue };
            let span = node.sub_span(range);
            let shown = match scope {
                Scope::Context => format!("{{{{{name}}}}}"),
                Scope::Stored => format!("[[{name}]]"),
            };
            let d = match *finding {
                Finding::InWebhook => {
                    Diagnostic::new(codes::W0305, format!("placeholder `{shown}` in the webhook block is never resolved"), ptr, span)
                        .with_help("webhook strings are read as written; put the value itself there")
                }
                Finding::CredentialToFunction => {
                    Diagnostic::new(codes::E0302, format!("`{shown}` passes a credential to an App Function"), ptr, span)
                        .with_help("functions never receive credentials; call the API in an HTTP step and pass its mapped output")
                }
                Finding::UnknownStored => {
                    let code: Code = if matches!(t.place, Place::Source | Place::Sync) { codes::E0415 } else { codes::E0301 };
                    let d = Diagnostic::new(code, format!("`{shown}` names no credentials or metadata key"), ptr, span);
                    match context_kind(r, t.place, name) {
                        // The other bracket: `[[text]]` for an action parameter.
                        Some(what) => d.with_help(format!("`{name}` is {what}, read with double braces: write `{{{{{name}}}}}`")),
                        None => d.with_suggestion(name, r.stored.iter().copied()).with_help(
                            "`[[key]]` reads what the install stores: keys of `auth.config` and `auth.form`, and the object mappings of `get_token`, `refresh_token`, registration requests and `userDetails`",
                        ),
                    }
                }
                Finding::Undocumented => {
                    let d = Diagnostic::new(
                        codes::W0305,
                        format!("`{shown}` is not documented in {} requests", if t.place == Place::Source { "source" } else { "sync" }),
                        ptr,
                        span,
                    );
                    // A key the install stores (`{{accessToken}}`): say which brackets read it.
                    if r.stored.contains(name) {
                        stored_hint(r, name, d)
                    } else {
                        d.with_help("source and sync requests have no documented `{{…}}` values besides the system values; use a `[[key]]` the install stores, or a literal")
                    }
                }
                Finding::UnknownInAuth => {
                    let Place::Auth(which) = t.place else { continue };
                    let candidates =
                        r.config.iter().chain(&r.form).copied().chain(SYSTEM_VALUES.iter().copied()).chain(AUTH_VALUES.iter().copied());
                    let d = Diagnostic::new(
                        codes::E0304,
                        format!("`{shown}` in `{which}` is not an `auth.config` key, an install-form key or a system value"),
                        ptr,
                        span,
                    );
                    stored_hint(r, name, d).with_suggestion(name, candidates)
                }
                Finding::NotSuppliedInAuth => {
                    let Place::Auth(which) = t.place else { continue };
                    Diagnostic::new(codes::W0304, format!("`{shown}` is not supplied in `{which}`"), ptr, span)
                        .with_help("`{{code}}` exists only in `get_token`; `{{redirect_uri}}` only in `auth_url` and `get_token`")
                }
                Finding::NotYetProduced { later } => {
                    let (Place::Step { step, .. } | Place::FunctionArgs { step, .. }) = t.place else { continue };
                    let message = if later == step {
                        format!("`{shown}` is read by step {} before that step's own response produces it", step + 1)
                    } else {
                        format!("`{shown}` is read by step {} but produced only by step {}", step + 1, later + 1)
                    };
                    Diagnostic::new(codes::E0303, message, ptr, span)
                        .with_help("steps run in order: a step can read only the outputs of earlier steps")
                }
                Finding::FunctionReturn { step } => Diagnostic::new(
                    codes::W0303,
                    format!("`{shown}` can only come from the return value of the function in step {}, which cannot be checked", step + 1),
                    ptr,
                    span,
                )
                .with_help("if the function returns it, this is fine; if not, declare it as a parameter or map it in an earlier step"),
                Finding::ConfigInAction => {
                    let d = Diagnostic::new(
                        codes::W0303,
                        format!(
                            "`{shown}` is only an `auth.config` key; config is documented as a source for registration requests, not actions"
                        ),
                        ptr,
                        span,
                    );
                    stored_hint(r, name, d)
                }
                Finding::UnknownInAction => {
                    let (Place::Step { action, step } | Place::FunctionArgs { action, step }) = t.place else { continue };
                    let Some(scope) = r.actions.get(action) else { continue };
                    let candidates = scope
                        .params
                        .iter()
                        .copied()
                        .chain(scope.outputs.iter().take(step).flatten().copied())
                        .chain(SYSTEM_VALUES.iter().copied())
                        .chain(r.metadata.iter().copied())
                        .chain(r.form.iter().copied());
                    let d = Diagnostic::new(
                        codes::E0303,
                        format!(
                            "`{shown}` in action `{}` is not a parameter, an earlier step's output, a metadata key or a system value",
                            scope.name
                        ),
                        ptr,
                        span,
                    );
                    stored_hint(r, name, d).with_suggestion(name, candidates)
                }
            };
            out.push(d);
        }
    }
}

/// `E0309`: URL placeholders stand only where a value cannot change the request's host
/// (docs/format.md §6.7). Sync endpoint URLs are relative to `sync.baseUrl` and are not checked here.
pub fn url_positions(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for t in &cx.templates {
        let (node, ptr, parsed) = (t.node, t.ptr.as_str(), &t.parsed);
        // Templates with problems are E0306's (W0306's) to report; sync endpoints are relative.
        let Some(url) = t.url.as_ref().filter(|_| t.problems.is_empty() && !t.endpoint) else { continue };
        match url {
            Err(problem) => {
                let span = if problem.range.is_empty() { node.span } else { node.sub_span(problem.range.clone()) };
                out.push(Diagnostic::new(codes::E0309, problem.message.clone(), ptr, span)
.with_help("URL placeholders may fill a whole path segment, a query value, a whole host label (`https://{{subdomain}}.example.com`) or the whole origin (`{{shopUrl}}/api`); nothing else can be checked to keep the request on its host"));
            }
            Ok(contexts) => {
                for ((_, key, range), &context) in parsed.placeholders().zip(contexts) {
                    if matches!(context, UrlContext::Path | UrlContext::Query) && cx.is_sensitive(key) {
                        let place = if context == UrlContext::Path { "path" } else { "query" };
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
    for t in &cx.templates {
        let (node, ptr) = (t.node, t.ptr.as_str());
        let is_auth_header = t.field == Field::Header && ptr.rsplit('/').next().is_some_and(|k| k.eq_ignore_ascii_case("authorization"));
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
            out.push(
                Diagnostic::new(codes::W0307, format!("`Basic {rest}` is neither `user:pass` nor base64"), ptr, node.span)
                    .with_help("write `user:password` (it is base64-encoded for you), or the base64 text itself"),
            );
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
    for t in &cx.templates {
        let (node, ptr) = (t.node, t.ptr.as_str());
        if t.place == Place::Webhook || (t.endpoint && ptr.ends_with("/endpoints/details/url")) {
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may panic: that is how it fails
mod tests {
    use serde_json::json;

    use super::*;
    use crate::check::testing::{CHATLY, codes, edited};

    #[test]
    fn sync_endpoints_join_the_base_and_template_their_id() {
        assert_eq!(endpoint_url("https://a.example/v3/", "/items"), "https://a.example/v3/items");
        assert_eq!(endpoint_url("https://a.example/v3", "items/{id}"), "https://a.example/v3/items/{{id}}");
        assert_eq!(endpoint_url("https://a.example", "https://b.example/x/{{id}}/y/{id}"), "https://b.example/x/{{id}}/y/{{id}}");
    }

    #[test]
    fn stored_keys_must_exist() {
        assert!(!codes(CHATLY, &[]).contains(&"E0301"));
        let found = codes(CHATLY, &[("/actions/1/requests/0/headers/Authorization", Some(json!("Bearer [[apiTokn]]")))]);
        assert!(found.contains(&"E0301"), "{found:?}");
    }

    #[test]
    fn url_placeholders_never_choose_the_host_but_a_body_field_named_url_is_no_url() {
        assert!(!codes(CHATLY, &[]).contains(&"E0309"));
        let url = json!("https://api{{roomId}}.chatly.example/v1/rooms");
        assert!(codes(CHATLY, &[("/actions/1/requests/0/url", Some(url))]).contains(&"E0309"));
        let body = json!({"link": {"url": "orders/{{roomId}}"}});
        let found = codes(CHATLY, &[("/actions/1/requests/0/body", Some(body))]);
        assert!(!found.contains(&"E0309"), "{found:?}");
    }

    #[test]
    fn after_a_function_step_a_metadata_key_still_reads_the_store() {
        let step = json!({
            "url": "https://api.chatly.example/v1/workspaces/{{workspaceId}}/tickets/{{ticketId}}",
            "method": "GET",
            "headers": {"Authorization": "Bearer [[apiToken]]", "X-Workspace": "{{workspaceId}}"},
            "mapping": {"ok": "$.ok"}
        });
        let bytes = edited(CHATLY, &[("/actions/2/requests/-", Some(step))]);
        let generated = crate::generate(&bytes, &crate::Options::default()).unwrap();
        let facts = generated.report.facts.unwrap();
        let header = facts.template("/actions/2/requests/2/headers/X-Workspace").unwrap();
        assert_eq!(header.parts, [Part::Ref { src: Src::Config, key: "workspaceId".into(), url: None }], "metadata: the store");
        let url = facts.template("/actions/2/requests/2/url").unwrap();
        let refs: Vec<_> = url
            .parts
            .iter()
            .filter_map(|p| if let Part::Ref { src, key, url } = p { Some((*src, key.as_str(), *url)) } else { None })
            .collect();
        assert_eq!(
            refs,
            [(Src::Config, "workspaceId", Some(UrlContext::Path)), (Src::Var, "ticketId", Some(UrlContext::Path))],
            "a key only a function can return is a call variable"
        );
    }

    #[test]
    fn only_sync_endpoint_urls_are_joined_to_the_base_url() {
        // A body field that happens to be called `endpoints` is a body value, not a sync endpoint.
        let body = json!({"endpoints": {"url": "rooms/{{roomId}}"}});
        let bytes = edited(CHATLY, &[("/actions/1/requests/0/body", Some(body))]);
        let generated = crate::generate(&bytes, &crate::Options::default()).unwrap();
        let facts = generated.report.facts.unwrap();
        let t = facts.template("/actions/1/requests/0/body/endpoints/url").unwrap();
        assert_eq!(t.field, Field::Body);
        assert_eq!(t.parts, [Part::Lit("rooms/".into()), Part::Ref { src: Src::Var, key: "roomId".into(), url: None }]);
    }
}
