//! The IR: a checked definition, resolved for code generation. Templates are parsed into
//! segments whose source (call variable, stored credential, config, system value) is decided
//! here; URL placeholders are classified by context; paths are parsed into steps; Rust names are
//! chosen ([`crate::names`]); action parameters are lowered to a type graph.
//!
//! Lowering runs only on definitions without errors, so it relies on what the checks guarantee
//! (every placeholder resolvable and well placed, every path valid, no name collisions) and
//! degrades to literal text rather than panicking if that ever does not hold.

pub mod sync;
pub mod webhook;

use crate::check::SYSTEM_VALUES;
use crate::model::{self, Definition, Mapping, Property, Step as ModelStep};
use crate::names;
use crate::path::{self, Step as PathStep};
use crate::template::{self, Scope, Segment, UrlContext};

/// Where a placeholder's value comes from (mirrors `miniapp::template::Src`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Src {
    Var,
    Stored,
    Config,
    System,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seg {
    Lit(String),
    Ref(Src, String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UrlPart {
    Lit(String),
    Ref(UrlContext, Src, String),
}

/// A JSON value whose strings are templates.
#[derive(Clone, Debug, PartialEq)]
pub enum Tpl {
    Null,
    Bool(bool),
    Num(String),
    Str(Vec<Seg>),
    Arr(Vec<Tpl>),
    Obj(Vec<(String, Tpl)>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Extract {
    Path(Vec<PathStep>),
    Literal(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct MappingIr {
    pub object: bool,
    pub entries: Vec<(String, Extract)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    /// For messages: `notifyMember step 2`, `get_token`.
    pub label: String,
    /// The name of its static: `NOTIFY_MEMBER_2`.
    pub static_name: String,
    pub method: model::Method,
    pub url: Vec<UrlPart>,
    pub headers: Vec<(String, Vec<Seg>)>,
    pub query: Vec<(String, Vec<Seg>)>,
    pub body_type: model::BodyType,
    pub body: Option<Tpl>,
    pub mapping: MappingIr,
    pub refreshable: bool,
}

/// Rust types of fields.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ty {
    String,
    F64,
    I64,
    Bool,
    Json,
    JsonMap,
    VecJson,
    /// `mapItems`: `Vec<miniapp::sync::Item>`.
    SyncItems,
    Named(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub rust: String,
    pub json: String,
    pub ty: Ty,
    pub required: bool,
    pub doc: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TypeDef {
    Struct { name: String, doc: Vec<String>, fields: Vec<Field> },
    Enum { name: String, doc: Vec<String>, variants: Vec<(String, String)> },
}

#[derive(Clone, Debug, PartialEq)]
pub enum StepIr {
    Http(Request),
    Function { json: String, method: String, args_type: String, static_name: String, args: Tpl },
}

#[derive(Clone, Debug, PartialEq)]
pub struct ActionIr {
    pub json: String,
    pub method: String,
    pub title: String,
    pub description: String,
    pub input: String,
    pub output: String,
    pub output_fields: Vec<Field>,
    /// Whether App Functions may add keys to the result.
    pub open_output: bool,
    pub steps: Vec<StepIr>,
    pub defaults_static: String,
    pub defaults: Vec<(String, Tpl)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FunctionIr {
    pub json: String,
    pub method: String,
    pub args_type: String,
    pub params: Vec<Field>,
    pub code: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SourceIr {
    pub json: String,
    pub method: String,
    pub request: Request,
    pub data: Option<Vec<PathStep>>,
    pub value: Vec<PathStep>,
    pub label: Vec<PathStep>,
}

/// Which bag a credentials field starts in, and how it is typed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CredKind {
    Secret,
    Text,
    Json,
}

#[derive(Clone, Debug, PartialEq)]
pub struct CredField {
    pub rust: String,
    pub json: String,
    pub metadata: bool,
    pub kind: CredKind,
    pub doc: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AuthIr {
    pub oauth2: bool,
    pub auth_url: Option<Request>,
    pub get_token: Option<Request>,
    pub refresh: Option<Request>,
    pub auto_refresh: bool,
    pub user_details: Option<Request>,
    pub registration: Vec<Request>,
    pub test_token: Option<Request>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Ir {
    pub ns: String,
    pub title: String,
    pub version: String,
    pub short_description: String,
    pub config: Vec<(String, String)>,
    pub sensitive: Vec<String>,
    pub credentials: Vec<CredField>,
    pub auth: AuthIr,
    pub actions: Vec<ActionIr>,
    pub types: Vec<TypeDef>,
    pub functions: Vec<FunctionIr>,
    pub sources: Vec<SourceIr>,
    pub triggers: Vec<model::Trigger>,
    /// The variants of `Event`: every event the definition names.
    pub events: Vec<webhook::EventVariant>,
    pub webhook: Option<webhook::WebhookIr>,
    pub sync: Option<sync::SyncIr>,
}

impl Ir {
    /// Whether the client needs a `Functions` implementation: App Functions or sync `compute`
    /// helpers.
    pub fn needs_functions(&self) -> bool {
        !self.functions.is_empty() || self.sync.as_ref().is_some_and(|s| !s.computes.is_empty())
    }
}

/// How `{{key}}` resolves in one place.
struct Resolver<'a> {
    vars: Vec<&'a str>,
    /// After a function step, unknown keys may be function returns.
    open_vars: bool,
    system: &'a [&'a str],
}

impl Resolver<'_> {
    fn src(&self, scope: Scope, key: &str) -> Src {
        match scope {
            template::Scope::Stored => Src::Stored,
            template::Scope::Context if self.vars.contains(&key) => Src::Var,
            template::Scope::Context if self.system.contains(&key) => Src::System,
            template::Scope::Context if self.open_vars => Src::Var,
            template::Scope::Context => Src::Config,
        }
    }

    fn segs(&self, text: &str) -> Vec<Seg> {
        template::parse(text)
            .0
            .segments
            .into_iter()
            .map(|s| match s {
                Segment::Literal(l) => Seg::Lit(l),
                Segment::Placeholder { scope, name, .. } => Seg::Ref(self.src(scope, &name), name),
            })
            .collect()
    }

    fn url(&self, text: &str) -> Vec<UrlPart> {
        let parsed = template::parse(text).0;
        let contexts = template::classify_url(&parsed).unwrap_or_default();
        let mut contexts = contexts.into_iter();
        parsed
            .segments
            .into_iter()
            .map(|s| match s {
                Segment::Literal(l) => UrlPart::Lit(l),
                Segment::Placeholder { scope, name, .. } => match contexts.next() {
                    Some(ctx) => UrlPart::Ref(ctx, self.src(scope, &name), name),
                    None => UrlPart::Ref(UrlContext::Path, self.src(scope, &name), name),
                },
            })
            .collect()
    }

    fn tpl(&self, value: &serde_json::Value) -> Tpl {
        match value {
            serde_json::Value::Null => Tpl::Null,
            serde_json::Value::Bool(b) => Tpl::Bool(*b),
            serde_json::Value::Number(n) => Tpl::Num(n.to_string()),
            serde_json::Value::String(s) => Tpl::Str(self.segs(s)),
            serde_json::Value::Array(items) => Tpl::Arr(items.iter().map(|v| self.tpl(v)).collect()),
            serde_json::Value::Object(map) => Tpl::Obj(map.iter().map(|(k, v)| (k.clone(), self.tpl(v))).collect()),
        }
    }

    fn request(&self, r: &model::Request, label: String, static_name: String, refreshable: bool) -> Request {
        let pairs = |m: &model::Map<String>| m.iter().map(|(k, v)| (k.clone(), self.segs(v))).collect();
        let body_type = r.body_type.unwrap_or(model::BodyType::Json);
        Request {
            label,
            static_name,
            method: r.method,
            url: self.url(&r.url),
            headers: pairs(&r.headers),
            query: pairs(&r.query_params),
            body_type,
            body: r.body.as_ref().filter(|b| !b.is_null()).map(|b| self.tpl(b)),
            mapping: mapping(&r.mapping),
            refreshable,
        }
    }
}

fn steps(text: &str) -> Vec<PathStep> {
    path::parse(text).map(|p| p.steps).unwrap_or_default()
}

fn mapping(m: &Mapping) -> MappingIr {
    let extract = |v: &str| if v.starts_with('$') { Extract::Path(steps(v)) } else { Extract::Literal(v.to_string()) };
    match m {
        Mapping::Object(entries) => MappingIr { object: true, entries: entries.iter().map(|(k, v)| (k.clone(), extract(v))).collect() },
        Mapping::Array(entries) => {
            MappingIr { object: false, entries: entries.iter().map(|e| (e.name.clone(), extract(&e.value))).collect() }
        }
    }
}

fn doc_lines(parts: &[Option<&str>]) -> Vec<String> {
    let mut out = Vec::new();
    for text in parts.iter().flatten() {
        if !out.is_empty() {
            out.push(String::new());
        }
        out.extend(text.lines().map(str::to_string));
    }
    out
}

fn screaming(name: &str) -> String {
    names::snake(name).to_uppercase()
}

/// Lowers parameter properties into fields, adding nested types to `types`.
fn fields(parent: &str, props: &model::Map<Property>, required: &[String], types: &mut Vec<TypeDef>) -> Vec<Field> {
    props
        .iter()
        .map(|(json, p)| {
            let ty = match p.kind.as_deref() {
                Some("string") if p.enum_values.is_some() => {
                    let name = names::nested_type(parent, json);
                    let values: Vec<&str> = p.enum_values.iter().flatten().filter_map(|v| v.as_str()).collect();
                    let variants = names::variants(values.iter().copied(), &[], "Value")
                        .into_iter()
                        .zip(values.iter().map(|v| v.to_string()))
                        .collect();
                    types.push(TypeDef::Enum {
                        name: name.clone(),
                        doc: doc_lines(&[p.title.as_deref(), p.description.as_deref()]),
                        variants,
                    });
                    Ty::Named(name)
                }
                Some("string") => Ty::String,
                Some("number") => Ty::F64,
                Some("integer") => Ty::I64,
                Some("boolean") => Ty::Bool,
                Some("array") => Ty::VecJson,
                Some("object") if !p.properties.is_empty() => {
                    let name = names::nested_type(parent, json);
                    let nested = fields(&name, &p.properties, &p.required, types);
                    types.push(TypeDef::Struct {
                        name: name.clone(),
                        doc: doc_lines(&[p.title.as_deref(), p.description.as_deref()]),
                        fields: nested,
                    });
                    Ty::Named(name)
                }
                Some("object") => Ty::JsonMap,
                _ => Ty::Json,
            };
            let mut doc = doc_lines(&[p.title.as_deref(), p.description.as_deref()]);
            if let Some(src) = &p.x_source {
                doc.push(String::new());
                let fallback = if p.x_fallback.is_some() { ", or free text when it fails" } else { "" };
                doc.push(format!("Options come from the `{src}` source (`Client::{}`){fallback}.", names::display(&names::snake(src))));
            }
            if let Some(default) = &p.default {
                doc.push(String::new());
                doc.push(format!("Default: `{default}`."));
            }
            Field { rust: names::snake(json), json: json.clone(), ty, required: required.contains(json), doc }
        })
        .collect()
}

/// Lowers a checked definition. An error here means the checks let through something lowering
/// cannot express: a compiler bug, reported as a diagnostic rather than guessed around.
pub fn lower(def: &Definition) -> Result<Ir, String> {
    let auth = &def.auth;
    let auth_system = ["code", "redirect_uri", "webhookUrl", "subdomain", "uid"];
    let auth_resolver = Resolver { vars: Vec::new(), open_vars: false, system: &auth_system };
    let request = |r: &Option<model::Request>, label: &str, name: &str| {
        r.as_ref().map(|r| auth_resolver.request(r, label.to_string(), name.to_string(), false))
    };

    let mut types = Vec::new();
    let mut actions = Vec::new();
    for action in &def.actions {
        let prefix = names::action_prefix(&action.name);
        let input = names::input_type(&action.name);
        let input_fields = fields(&prefix, &action.parameters.properties, &action.parameters.required, &mut types);
        types.push(TypeDef::Struct {
            name: input.clone(),
            doc: vec![format!("Input of [`Client::{}`].", names::display(&names::snake(&action.name)))],
            fields: input_fields,
        });
        let mut vars: Vec<&str> = action.parameters.properties.keys().map(String::as_str).collect();
        let mut open_vars = false;
        let mut steps_ir = Vec::new();
        let upper = screaming(&action.name);
        for (i, step) in action.requests.iter().enumerate() {
            let resolver = Resolver { vars: vars.clone(), open_vars, system: SYSTEM_VALUES };
            match step {
                ModelStep::Http(r) => {
                    steps_ir.push(StepIr::Http(resolver.request(
                        r,
                        format!("{} step {}", action.name, i + 1),
                        format!("{upper}_{}", i + 1),
                        true,
                    )));
                    match &r.mapping {
                        Mapping::Object(m) => vars.extend(m.keys().map(String::as_str)),
                        Mapping::Array(m) => vars.extend(m.iter().map(|e| e.name.as_str())),
                    }
                }
                ModelStep::Function { name, args } => {
                    let args_value = serde_json::Value::Object(args.iter().map(|(k, v)| (k.clone(), v.clone())).collect());
                    steps_ir.push(StepIr::Function {
                        json: name.clone(),
                        method: names::snake(name),
                        args_type: names::args_type(name),
                        static_name: format!("{upper}_{}_ARGS", i + 1),
                        args: resolver.tpl(&args_value),
                    });
                    open_vars = true;
                }
            }
        }
        let output_fields = match action.requests.last() {
            Some(ModelStep::Http(r)) => match &r.mapping {
                Mapping::Object(m) => m
                    .keys()
                    .map(|k| Field { rust: names::snake(k), json: k.clone(), ty: Ty::Json, required: false, doc: Vec::new() })
                    .collect(),
                Mapping::Array(_) => Vec::new(),
            },
            _ => Vec::new(),
        };
        let defaults = action
            .parameters
            .properties
            .iter()
            .filter_map(|(k, p)| p.default.as_ref().map(|d| (k.clone(), auth_resolver.tpl(d))))
            .collect();
        actions.push(ActionIr {
            json: action.name.clone(),
            method: names::snake(&action.name),
            title: action.title.clone(),
            description: action.description.clone(),
            input,
            output: names::output_type(&action.name),
            output_fields,
            open_output: open_vars,
            steps: steps_ir,
            defaults_static: format!("{upper}_DEFAULTS"),
            defaults,
        });
    }

    let functions = def
        .functions
        .iter()
        .map(|(json, f)| FunctionIr {
            json: json.clone(),
            method: names::snake(json),
            args_type: names::args_type(json),
            params: f
                .params
                .iter()
                .map(|p| Field { rust: names::snake(p), json: p.clone(), ty: Ty::Json, required: false, doc: Vec::new() })
                .collect(),
            code: f.code.clone(),
        })
        .collect();

    let source_resolver = Resolver { vars: Vec::new(), open_vars: false, system: SYSTEM_VALUES };
    let sources = def
        .source
        .iter()
        .map(|(json, s)| {
            let as_request = model::Request {
                url: s.url.clone(),
                method: s.method,
                headers: s.headers.clone(),
                query_params: s.query_params.clone(),
                body_type: None,
                body: None,
                mapping: Mapping::default(),
            };
            SourceIr {
                json: json.clone(),
                method: names::snake(json),
                request: source_resolver.request(&as_request, format!("source {json}"), screaming(json), true),
                data: s.data_path.as_deref().map(steps),
                value: steps(&s.value_field),
                label: steps(&s.label_field),
            }
        })
        .collect();

    // Credentials: config and form slots, credential outputs, then metadata; first occurrence wins.
    let mut credentials: Vec<CredField> = Vec::new();
    let sensitive = |k: &str| auth.sensitive_keys.iter().any(|s| s == k);
    let mut add = |json: &str, metadata: bool, text: bool, origin: &str| {
        if credentials.iter().any(|c| c.json == json) {
            return;
        }
        let kind = if sensitive(json) {
            CredKind::Secret
        } else if text {
            CredKind::Text
        } else {
            CredKind::Json
        };
        credentials.push(CredField {
            rust: names::snake(json),
            json: json.to_string(),
            metadata,
            kind,
            doc: format!("`{json}`: {origin}."),
        });
    };
    for k in auth.config.keys() {
        add(k, false, true, "an `auth.config` slot");
    }
    for (k, f) in &auth.form {
        add(k, false, true, &format!("install form field \"{}\"", f.label));
    }
    for (r, origin) in [(&auth.get_token, "stored by `get_token`"), (&auth.refresh_token, "stored by `refresh_token`")] {
        if let Some(Mapping::Object(m)) = r.as_ref().map(|r| &r.mapping) {
            for k in m.keys() {
                add(k, false, false, origin);
            }
        }
    }
    for r in &auth.registration_requests {
        if let Mapping::Object(m) = &r.mapping {
            for k in m.keys() {
                add(k, false, false, "stored by a registration request");
            }
        }
    }
    if let Some(Mapping::Object(m)) = auth.user_details.as_ref().map(|r| &r.mapping) {
        for k in m.keys() {
            add(k, true, false, "metadata from `userDetails`");
        }
    }

    Ok(Ir {
        ns: def.ns.clone(),
        title: def.title.clone(),
        version: def.version.clone(),
        short_description: def.short_description.clone(),
        config: auth.config.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| (k.clone(), v.clone())).collect(),
        sensitive: auth.sensitive_keys.clone(),
        credentials,
        auth: AuthIr {
            oauth2: auth.kind == model::AuthType::OAuth2,
            auth_url: request(&auth.auth_url, "auth_url", "AUTH_URL"),
            get_token: request(&auth.get_token, "get_token", "GET_TOKEN"),
            refresh: request(&auth.refresh_token, "refresh_token", "REFRESH_TOKEN"),
            auto_refresh: auth.auto_refresh,
            user_details: request(&auth.user_details, "userDetails", "USER_DETAILS"),
            registration: auth
                .registration_requests
                .iter()
                .enumerate()
                .map(|(i, r)| auth_resolver.request(r, format!("registration request {}", i + 1), format!("REGISTRATION_{}", i + 1), false))
                .collect(),
            test_token: request(&auth.test_token, "test_token", "TEST_TOKEN"),
        },
        actions,
        types,
        functions,
        sources,
        triggers: def.triggers.clone(),
        events: webhook::events(def),
        webhook: webhook::lower(def)?,
        sync: sync::lower(def)?,
    })
}
