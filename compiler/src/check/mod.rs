//! The semantic rules of docs/format.md §15: one small function per rule, grouped by block.
//!
//! Rules read the spanned tree, not the typed model, so that they run even when the schema has
//! found shape errors elsewhere: a definition with several independent defects gets all of them in
//! one run. Every accessor is tolerant (a value of the wrong type is skipped; the schema has
//! already reported it), so no rule can panic on input.
//!
//! Rules that JSON Schema expresses (required members, enums, patterns, unknown keys) live in the
//! schema and get their rule's code through the routing table in [`crate::schema`].

mod actions;
mod auth;
pub mod facts;
mod identity;
mod names;
mod placeholders;
mod samples;
mod sync;
mod webhook;

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use crate::Options;
use crate::diagnostic::Diagnostic;
use crate::path;
use crate::pointer;
use crate::source::{Member, Node, Span};
use facts::{Facts, Origin, StoredKey};

/// A rule: reads the context, pushes diagnostics.
type Rule = fn(&Ctx<'_>, &mut Vec<Diagnostic>);

/// Every rule, in docs/format.md §15 order.
const RULES: &[Rule] = &[
    identity::name_and_type_match_ns,
    identity::status_is_private_in_submission,
    identity::version_is_semver,
    identity::urls_are_https,
    identity::listing_text,
    identity::youtube_id_is_bare,
    identity::no_internal_fields_in_submission,
    auth::sensitive_keys_hold_secrets,
    auth::secrets_are_sensitive,
    auth::no_secret_values_in_submission,
    auth::refresh_token_is_used,
    auth::user_details_maps_uid,
    auth::refresh_reads_a_stored_token,
    auth::oauth_requests_need_the_oauth_type,
    placeholders::templates,
    placeholders::url_positions,
    placeholders::basic_auth_encoding,
    placeholders::single_brace_ids,
    actions::action_names_unique,
    actions::parameters,
    actions::x_sources,
    actions::mappings,
    actions::function_steps,
    actions::source_keys_and_paths,
    actions::dead_sources,
    actions::dashboard_apps,
    webhook::trigger_types,
    webhook::trigger_events_unique,
    webhook::trigger_is_custom,
    webhook::event_extraction_exists,
    webhook::composite_events_producible,
    webhook::extraction_paths,
    webhook::verification,
    webhook::transaction_id,
    webhook::customer_extraction,
    webhook::challenge_path,
    webhook::response_status,
    webhook::ecommerce,
    sync::base_url,
    sync::resources,
    sync::pagination,
    sync::paging_styles,
    sync::extensions_in_submission,
    sync::field_mappings,
    sync::handlers,
    names::collisions,
    samples::paths,
];

/// Runs every rule; returns the diagnostics and, when `facts` is asked for (code generation
/// needs it, checking alone does not), the resolved view of the document the rules built on the
/// way ([`Facts`]).
pub fn run(root: &Node, options: &Options, facts: bool) -> (Vec<Diagnostic>, Option<Facts>) {
    let cx = Ctx::new(root, options);
    let mut out = Vec::new();
    for rule in RULES {
        rule(&cx, &mut out);
    }
    (out, facts.then(|| cx.facts()))
}

/// System values every `{{...}}` context may read (docs/format.md §5.9, §6.3).
pub(crate) const SYSTEM_VALUES: &[&str] = &["webhookUrl", "subdomain", "uid"];

/// A name declared somewhere in the document, with where.
#[derive(Clone, Debug)]
pub(crate) struct Decl<'a> {
    pub name: &'a str,
    pub span: Span,
}

/// Facts about the document that several rules need, computed once.
pub(crate) struct Ctx<'a> {
    pub root: &'a Node,
    pub options: &'a Options,
    pub ns: Option<&'a str>,
    /// Keys of `auth.config`.
    pub config: Vec<Decl<'a>>,
    /// Keys of `auth.form`.
    pub form: Vec<Decl<'a>>,
    /// Object-mapping outputs of `get_token`.
    pub get_token_outputs: Vec<Decl<'a>>,
    /// Object-mapping outputs of `refresh_token`.
    pub refresh_outputs: Vec<Decl<'a>>,
    /// Object-mapping outputs of registration requests.
    pub registration_outputs: Vec<Decl<'a>>,
    /// Object-mapping outputs of `userDetails` (metadata).
    pub metadata: Vec<Decl<'a>>,
    /// Entries of `auth.sensitiveKeys`.
    pub sensitive: Vec<Decl<'a>>,
    /// `triggers[].event` values.
    pub trigger_events: Vec<Decl<'a>>,
    /// Keys of `sync.webhooks.handlers`.
    pub handler_events: Vec<Decl<'a>>,
    /// The placeholder resolver.
    pub resolver: placeholders::Resolver<'a>,
    /// Every templated string, parsed and resolved.
    pub templates: Vec<placeholders::Templated<'a>>,
    /// Every path a rule validated, by pointer.
    paths: RefCell<BTreeMap<String, Vec<path::Step>>>,
    /// What the paths find in the samples, by pointer (built by the samples rule, which runs last).
    observed: RefCell<BTreeMap<String, facts::Observed>>,
}

impl<'a> Ctx<'a> {
    fn new(root: &'a Node, options: &'a Options) -> Self {
        let auth = root.get("auth");
        let outputs = |name: &str| object_mapping_keys(auth.and_then(|a| a.get(name)));
        let registration_outputs: Vec<Decl<'a>> =
            items(auth.and_then(|a| a.get("registrationRequests"))).flat_map(|(_, r)| object_mapping_keys(Some(r))).collect();
        let sensitive =
            items(auth.and_then(|a| a.get("sensitiveKeys"))).filter_map(|(_, n)| Some(Decl { name: n.as_str()?, span: n.span })).collect();
        let trigger_events = items(root.get("triggers"))
            .filter_map(|(_, t)| {
                let e = t.get("event")?;
                Some(Decl { name: e.as_str()?, span: e.span })
            })
            .collect();
        let handler_events = members(root.pointer("/sync/webhooks/handlers")).map(|m| Decl { name: &m.key, span: m.key_span }).collect();
        let config = keys(auth.and_then(|a| a.get("config")));
        let form = keys(auth.and_then(|a| a.get("form")));
        let get_token_outputs = outputs("get_token");
        let refresh_outputs = outputs("refresh_token");
        let metadata = outputs("userDetails");
        let names = |decls: &[&[Decl<'a>]]| decls.iter().flat_map(|d| d.iter()).map(|d| d.name).collect::<BTreeSet<_>>();
        let stored = names(&[&config, &form, &get_token_outputs, &refresh_outputs, &registration_outputs, &metadata]);
        let resolver = placeholders::Resolver::new(root, stored, names(&[&config]), names(&[&form]), names(&[&metadata]));
        let templates = placeholders::templated_strings(root, &resolver);
        Ctx {
            root,
            options,
            ns: root.get("ns").and_then(Node::as_str),
            config,
            form,
            get_token_outputs,
            refresh_outputs,
            registration_outputs,
            metadata,
            sensitive,
            trigger_events,
            handler_events,
            resolver,
            templates,
            paths: RefCell::new(BTreeMap::new()),
            observed: RefCell::new(BTreeMap::new()),
        }
    }

    /// The resolved view lowering reads: templates (all but the webhook block's strings), the
    /// paths the rules validated, and the stored keys with their origins.
    fn facts(&self) -> Facts {
        let base = self.at("/sync/baseUrl").and_then(Node::as_str);
        let templates = self
            .templates
            .iter()
            .filter(|t| t.field != facts::Field::Webhook)
            .map(|t| (t.ptr.clone(), t.lowered(base, &self.resolver)))
            .collect();
        let form_label = |name: &str| {
            self.at(&pointer::join("/auth/form", name)).and_then(|f| f.get("label")).and_then(Node::as_str).unwrap_or(name).to_string()
        };
        let stored_keys = self
            .config
            .iter()
            .map(|d| (d, Origin::Config))
            .chain(self.form.iter().map(|d| (d, Origin::Form(form_label(d.name)))))
            .chain(self.get_token_outputs.iter().map(|d| (d, Origin::GetToken)))
            .chain(self.refresh_outputs.iter().map(|d| (d, Origin::Refresh)))
            .chain(self.registration_outputs.iter().map(|d| (d, Origin::Registration)))
            .chain(self.metadata.iter().map(|d| (d, Origin::Metadata)))
            .map(|(d, origin)| StoredKey { name: d.name.to_string(), origin })
            .collect();
        let samples = self.options.samples.iter().flat_map(|s| &s.samples).map(|s| (s.file.clone(), s.value.to_string())).collect();
        Facts { templates, paths: self.paths.take(), stored_keys, observed: self.observed.take(), samples }
    }

    /// Records how lowering reads the path at `ptr`.
    pub fn record_path(&self, ptr: &str, steps: Vec<path::Step>) {
        self.paths.borrow_mut().insert(ptr.to_string(), steps);
    }

    /// Checks a path string and records it for lowering; on a syntax error, returns a diagnostic
    /// pointing into the string.
    pub fn check_path(&self, node: &Node, ptr: &str, code: crate::codes::Code, out: &mut Vec<Diagnostic>) -> Option<path::Path> {
        let text = node.as_str()?;
        match path::parse(text) {
            Ok(p) => {
                self.record_path(ptr, p.steps.clone());
                Some(p)
            }
            Err(e) => {
                let span = node.sub_span(e.offset..(e.offset + 1).min(text.len()).max(e.offset));
                out.push(
                    Diagnostic::new(code, format!("invalid path `{text}`: {}", e.message), ptr, span)
                        .with_help("paths use `$`, `.field` and `[index]` steps, e.g. `$.data.items[0].id`"),
                );
                None
            }
        }
    }

    /// A node by pointer, with `null` treated as absent.
    pub fn at(&self, ptr: &str) -> Option<&'a Node> {
        self.root.pointer(ptr).filter(|n| !n.is_null())
    }

    /// Keys that can exist in `credentials` (docs/format.md §15 rule 19).
    pub fn credential_keys(&self) -> impl Iterator<Item = &Decl<'a>> {
        self.config.iter().chain(&self.form).chain(&self.get_token_outputs).chain(&self.refresh_outputs).chain(&self.registration_outputs)
    }

    /// Keys readable as `[[key]]`: credentials, then metadata.
    pub fn stored_keys(&self) -> BTreeSet<&'a str> {
        self.credential_keys().chain(&self.metadata).map(|d| d.name).collect()
    }

    /// Events that some trigger or handler declares.
    pub fn declared_events(&self) -> BTreeSet<&'a str> {
        self.trigger_events.iter().chain(&self.handler_events).map(|d| d.name).collect()
    }

    pub fn is_sensitive(&self, key: &str) -> bool {
        self.sensitive.iter().any(|d| d.name == key)
    }
}

/// The members of an object node (nothing for other values).
pub(crate) fn members(node: Option<&Node>) -> impl Iterator<Item = &Member> {
    node.and_then(Node::as_object).unwrap_or_default().iter()
}

/// The items of an array node with their index (nothing for other values).
pub(crate) fn items(node: Option<&Node>) -> impl Iterator<Item = (usize, &Node)> {
    node.and_then(Node::as_array).unwrap_or_default().iter().enumerate()
}

fn keys(node: Option<&Node>) -> Vec<Decl<'_>> {
    members(node).map(|m| Decl { name: &m.key, span: m.key_span }).collect()
}

/// The output keys of a request's object mapping.
fn object_mapping_keys(request: Option<&Node>) -> Vec<Decl<'_>> {
    keys(request.and_then(|r| r.get("mapping")).filter(|m| m.as_object().is_some()))
}

/// The span of a node's first character (the `{` of an object), for "missing member" diagnostics.
pub(crate) fn brace(node: &Node) -> Span {
    Span::new(node.span.start, node.span.start + 1)
}

/// Reports the second and later occurrences of each name, with a label at the first.
pub(crate) fn duplicates<'a>(
    decls: impl IntoIterator<Item = (Decl<'a>, String)>,
    code: crate::codes::Code,
    what: &str,
    out: &mut Vec<Diagnostic>,
) {
    let mut seen: Vec<Decl<'a>> = Vec::new();
    for (decl, ptr) in decls {
        if let Some(first) = seen.iter().find(|d| d.name == decl.name) {
            out.push(
                Diagnostic::new(code, format!("{what} `{}` is defined more than once", decl.name), ptr, decl.span)
                    .with_label(first.span, "first defined here")
                    .with_help("rename one of them, or remove the copy"),
            );
        } else {
            seen.push(decl);
        }
    }
}

/// Pointer helper: `ptr(&["actions", "0", "name"])`.
pub(crate) fn ptr(tokens: &[&str]) -> String {
    pointer::from_tokens(tokens)
}

/// Helpers for the rules' unit tests: a bundled example, edited, checked.
#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may panic: that is how it fails
pub(crate) mod testing {
    use serde_json::Value;

    /// A bundled example with actions, sources, a function step, triggers and a webhook block.
    pub const CHATLY: &str = include_str!("../../../examples/definitions/chatly.json");
    /// A bundled example with OAuth, sync resources and handlers.
    pub const ACME: &str = include_str!("../../../examples/definitions/acme-shop.json");

    /// `base` with each `(pointer, value)` applied: `Some` sets (a last token `-` appends to an
    /// array), `None` removes.
    pub fn edited(base: &str, edits: &[(&str, Option<Value>)]) -> Vec<u8> {
        let mut doc: Value = serde_json::from_str(base).expect("the example is JSON");
        for (ptr, value) in edits {
            let (parent, last) = ptr.rsplit_once('/').expect("a pointer");
            let last = last.replace("~1", "/").replace("~0", "~");
            match doc.pointer_mut(parent).expect("the parent exists") {
                Value::Object(map) => match value {
                    Some(v) => {
                        map.insert(last, v.clone());
                    }
                    None => {
                        map.shift_remove(&last);
                    }
                },
                Value::Array(items) => match (value, last.as_str()) {
                    (Some(v), "-") => items.push(v.clone()),
                    (Some(v), i) => items[i.parse::<usize>().expect("an index")] = v.clone(),
                    (None, i) => {
                        items.remove(i.parse::<usize>().expect("an index"));
                    }
                },
                other => panic!("cannot edit inside {other}"),
            }
        }
        serde_json::to_vec_pretty(&doc).expect("serializes")
    }

    /// The codes `check` reports for `base` with `edits` applied.
    pub fn codes(base: &str, edits: &[(&str, Option<Value>)]) -> Vec<&'static str> {
        crate::check(&edited(base, edits), &crate::Options::default()).diagnostics.iter().map(|d| d.code.id).collect()
    }

    /// The value at `ptr` in `base`, for copying a part of an example.
    pub fn at(base: &str, ptr: &str) -> Value {
        let doc: Value = serde_json::from_str(base).expect("the example is JSON");
        doc.pointer(ptr).cloned().expect("the pointer exists")
    }
}
