//! The IR: a checked definition, resolved for code generation. Templates are parsed into
//! segments whose source (call variable, stored credential, config, system value) is decided
//! here; URL placeholders are classified by context; paths are parsed into steps; Rust names are
//! chosen ([`crate::names`]); action parameters are lowered to a type graph.
//!
//! Lowering runs only on definitions without errors, so it relies on what the checks guarantee
//! (every placeholder resolvable and well placed, every path valid, no name collisions) and
//! degrades to literal text rather than panicking if that ever does not hold.

mod data;
pub mod sync;
pub mod webhook;

use crate::facts::{Facts, Origin, Part};
use crate::model::{self, Definition, Mapping, Property, Step as ModelStep};
use crate::names::{self, Namespace};
use crate::path::Step as PathStep;
use crate::pointer;
use crate::template::UrlContext;

pub use crate::facts::Src;

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

impl Request {
    /// One line saying what the request sends: `PUT https://api.example/orders/{{orderId}}`.
    pub fn summary(&self) -> String {
        let url: String = self
            .url
            .iter()
            .map(|p| match p {
                UrlPart::Lit(l) => l.clone(),
                UrlPart::Ref(_, Src::Stored, k) => format!("[[{k}]]"),
                UrlPart::Ref(_, _, k) => format!("{{{{{k}}}}}"),
            })
            .collect();
        format!("{} {url}", self.method.as_str())
    }
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
    /// A list of the given element type.
    Vec(Box<Ty>),
    /// `mapItems`: `Vec<miniapp::sync::Item>`.
    SyncItems,
    Named(String),
    /// `Option<T>`, where it is not a field's own optionality (the items of a `Vec`).
    Option(Box<Ty>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    pub rust: String,
    pub json: String,
    pub ty: Ty,
    pub required: bool,
    pub doc: Vec<String>,
    /// The parameter's `default`, as the field's type writes it.
    pub default: Option<Init>,
    /// Typed from samples: an optional field whose value of another type reads as `None`
    /// (`miniapp::lenient`).
    pub lenient: bool,
}

/// A parameter default, typed.
#[derive(Clone, Debug, PartialEq)]
pub enum Init {
    Text(String),
    F64(f64),
    I64(i64),
    Bool(bool),
    /// A variant of the field's string enum (its Rust name).
    Variant(String),
    /// Any other value, as JSON text (read into the field's type).
    Json(String),
}

#[derive(Clone, Debug, PartialEq)]
pub enum TypeDef {
    /// A parameter object; `constructor` gives it `new(required fields)` (and `Default` when
    /// nothing is required).
    Struct { name: String, doc: Vec<String>, fields: Vec<Field>, constructor: bool },
    /// A string enum: (variant, value) pairs, and the variant of the parameter's `default`.
    Enum { name: String, doc: Vec<String>, variants: Vec<(String, String)>, default: Option<String> },
    /// An object of the provider's data, typed from samples (docs/format.md §17).
    Data { name: String, doc: Vec<String>, fields: Vec<Field> },
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
    /// The input type; `None` for an action without parameters (its method takes none).
    pub input: Option<String>,
    pub output: String,
    pub output_fields: Vec<Field>,
    /// The result's field of keys App Functions return, when the action calls any.
    pub returned: Option<String>,
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
    /// Where the value comes from and how to supply it, for the error when it is missing.
    pub hint: String,
}

/// An app-wide config key with a typed setter on the generated `AppBuilder`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppSetting {
    pub json: String,
    /// `partner_secret`.
    pub setter: String,
    /// `partner_secret_rotating`, for a sensitive key (a secret is what gets rotated).
    pub rotating: Option<String>,
    /// Where the definition names it, for the rustdoc.
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
    /// The config keys the generated `AppBuilder` has a typed setter for.
    pub app_settings: Vec<AppSetting>,
    pub auth: AuthIr,
    pub actions: Vec<ActionIr>,
    pub types: Vec<TypeDef>,
    pub functions: Vec<FunctionIr>,
    pub sources: Vec<SourceIr>,
    /// The definition's samples (file, JSON text), for the mock provider of the `testing` module.
    pub samples: Vec<(String, String)>,
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

/// Lowering reads templates and paths from the checks' resolved view ([`Facts`]), by the pointer
/// of the string they were written in.
struct Lower<'f> {
    facts: &'f Facts,
}

impl Lower<'_> {
    fn segs(&self, ptr: &str) -> Result<Vec<Seg>, String> {
        let t = self.facts.template(ptr)?;
        Ok(t.parts
            .iter()
            .map(|p| match p {
                Part::Lit(l) => Seg::Lit(l.clone()),
                Part::Ref { src, key, .. } => Seg::Ref(*src, key.clone()),
            })
            .collect())
    }

    fn url(&self, ptr: &str) -> Result<Vec<UrlPart>, String> {
        let t = self.facts.template(ptr)?;
        t.parts
            .iter()
            .map(|p| match p {
                Part::Lit(l) => Ok(UrlPart::Lit(l.clone())),
                Part::Ref { src, key, url: Some(ctx) } => Ok(UrlPart::Ref(*ctx, *src, key.clone())),
                Part::Ref { key, .. } => Err(format!("`{key}` at `{ptr}` has no checked URL position")),
            })
            .collect()
    }

    /// A JSON value whose strings are the templates at `ptr` and below.
    fn tpl(&self, ptr: &str, value: &serde_json::Value) -> Result<Tpl, String> {
        Ok(match value {
            serde_json::Value::String(_) => Tpl::Str(self.segs(ptr)?),
            serde_json::Value::Array(items) => {
                Tpl::Arr(items.iter().enumerate().map(|(i, v)| self.tpl(&pointer::join(ptr, i.to_string()), v)).collect::<Result<_, _>>()?)
            }
            serde_json::Value::Object(map) => {
                Tpl::Obj(map.iter().map(|(k, v)| Ok((k.clone(), self.tpl(&pointer::join(ptr, k), v)?))).collect::<Result<_, String>>()?)
            }
            other => literal(other),
        })
    }

    fn pairs(&self, base: &str, m: &model::Map<String>) -> Result<Vec<(String, Vec<Seg>)>, String> {
        m.keys().map(|k| Ok((k.clone(), self.segs(&pointer::join(base, k))?))).collect()
    }

    /// The request written at `base`.
    fn request(&self, base: &str, r: &model::Request, label: String, static_name: String, refreshable: bool) -> Result<Request, String> {
        let body_type = r.body_type.unwrap_or(model::BodyType::Json);
        Ok(Request {
            label,
            static_name,
            method: r.method,
            url: self.url(&format!("{base}/url"))?,
            headers: self.pairs(&format!("{base}/headers"), &r.headers)?,
            query: self.pairs(&format!("{base}/queryParams"), &r.query_params)?,
            body_type,
            body: r.body.as_ref().filter(|b| !b.is_null()).map(|b| self.tpl(&format!("{base}/body"), b)).transpose()?,
            mapping: self.mapping(&format!("{base}/mapping"), &r.mapping)?,
            refreshable,
        })
    }

    fn path(&self, ptr: &str) -> Result<Vec<PathStep>, String> {
        self.facts.path(ptr).map(<[PathStep]>::to_vec)
    }

    /// A mapping value: a path (`$…`, as the checks parsed it) or literal text.
    fn extract(&self, ptr: &str, value: &str) -> Result<Extract, String> {
        Ok(if value.starts_with('$') { Extract::Path(self.path(ptr)?) } else { Extract::Literal(value.to_string()) })
    }

    fn mapping(&self, base: &str, m: &Mapping) -> Result<MappingIr, String> {
        Ok(match m {
            Mapping::Object(entries) => MappingIr {
                object: true,
                entries: entries
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), self.extract(&pointer::join(base, k), v)?)))
                    .collect::<Result<_, String>>()?,
            },
            Mapping::Array(entries) => MappingIr {
                object: false,
                entries: entries
                    .iter()
                    .enumerate()
                    .map(|(i, e)| Ok((e.name.clone(), self.extract(&format!("{base}/{i}/value"), &e.value)?)))
                    .collect::<Result<_, String>>()?,
            },
        })
    }
}

/// A JSON value as a template with no placeholders (parameter defaults are values, not
/// templates: docs/format.md §8.3).
fn literal(value: &serde_json::Value) -> Tpl {
    match value {
        serde_json::Value::Null => Tpl::Null,
        serde_json::Value::Bool(b) => Tpl::Bool(*b),
        serde_json::Value::Number(n) => Tpl::Num(n.to_string()),
        serde_json::Value::String(s) => Tpl::Str(vec![Seg::Lit(s.clone())]),
        serde_json::Value::Array(items) => Tpl::Arr(items.iter().map(literal).collect()),
        serde_json::Value::Object(map) => Tpl::Obj(map.iter().map(|(k, v)| (k.clone(), literal(v))).collect()),
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
            let (ty, variant_default) = property_ty(&names::nested_type(parent, json), p, types);
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
            let default = p.default.as_ref().map(|d| match (&ty, d) {
                (Ty::Named(_), _) if variant_default.is_some() => Init::Variant(variant_default.clone().unwrap_or_default()),
                (Ty::String, serde_json::Value::String(s)) => Init::Text(s.clone()),
                (Ty::F64, serde_json::Value::Number(n)) if n.as_f64().is_some() => Init::F64(n.as_f64().unwrap_or_default()),
                (Ty::I64, serde_json::Value::Number(n)) if n.as_i64().is_some() => Init::I64(n.as_i64().unwrap_or_default()),
                (Ty::Bool, serde_json::Value::Bool(b)) => Init::Bool(*b),
                (_, other) => Init::Json(other.to_string()),
            });
            Field { rust: names::snake(json), json: json.clone(), ty, required: required.contains(json), doc, default, lenient: false }
        })
        .collect()
}

/// The Rust type of a parameter schema; a string enum or an object with properties becomes the
/// type `name` (added to `types`), and an array's elements are typed by its `items` (their own
/// types named `{name}Item`). Also the variant of an enum's `default`.
fn property_ty(name: &str, p: &Property, types: &mut Vec<TypeDef>) -> (Ty, Option<String>) {
    let doc = || doc_lines(&[p.title.as_deref(), p.description.as_deref()]);
    let ty = match p.kind.as_deref() {
        Some("string") if p.enum_values.is_some() => {
            let values: Vec<&str> = p.enum_values.iter().flatten().filter_map(|v| v.as_str()).collect();
            let variants: Vec<(String, String)> =
                names::variants(values.iter().copied(), &[]).into_iter().zip(values.iter().map(|v| v.to_string())).collect();
            let default =
                p.default.as_ref().and_then(|d| d.as_str()).and_then(|d| variants.iter().find(|(_, v)| v == d)).map(|(r, _)| r.clone());
            types.push(TypeDef::Enum { name: name.to_string(), doc: doc(), variants, default: default.clone() });
            return (Ty::Named(name.to_string()), default);
        }
        Some("string") => Ty::String,
        Some("number") => Ty::F64,
        Some("integer") => Ty::I64,
        Some("boolean") => Ty::Bool,
        Some("array") => match &p.items {
            Some(model::Items::Schema(item)) => Ty::Vec(Box::new(property_ty(&format!("{name}Item"), item, types).0)),
            _ => Ty::Vec(Box::new(Ty::Json)),
        },
        Some("object") if !p.properties.is_empty() => {
            let nested = fields(name, &p.properties, &p.required, types);
            types.push(TypeDef::Struct { name: name.to_string(), doc: doc(), fields: nested, constructor: true });
            Ty::Named(name.to_string())
        }
        Some("object") => Ty::JsonMap,
        _ => Ty::Json,
    };
    (ty, None)
}

/// Types each action output field that reads a path from what the path finds in its samples
/// (docs/format.md §17), with the structs of its objects among the module's types.
fn type_outputs(
    facts: &Facts,
    actions: &mut [ActionIr],
    paths: &[Vec<(usize, String)>],
    functions: &[FunctionIr],
    types: &mut Vec<TypeDef>,
) {
    let taken: Vec<String> = types
        .iter()
        .map(|t| match t {
            TypeDef::Struct { name, .. } | TypeDef::Enum { name, .. } | TypeDef::Data { name, .. } => name.clone(),
        })
        .chain(actions.iter().map(|a| a.output.clone()))
        .chain(functions.iter().map(|f| f.args_type.clone()))
        .collect();
    let mut space = Namespace::new(taken.iter().map(String::as_str).chain(names::RESERVED_TYPES.iter().copied()));
    let mut data = data::DataTypes { space: &mut space, types, made: Vec::new() };
    for (action, paths) in actions.iter_mut().zip(paths) {
        for (i, at) in paths {
            let (Some(observed), Some(field)) = (facts.observed(at), action.output_fields.get_mut(*i)) else { continue };
            if let Some(ty) = data.observed(observed, &action.output, &field.json) {
                field.ty = ty;
                field.lenient = true;
                if let Some(example) = &observed.example {
                    field.doc.push(format!("Sample: `{}`.", data::doc_example(example)));
                }
            }
        }
    }
}

/// Lowers a checked definition, reading templates and paths from what the checks resolved. An
/// error here means the checks let through something lowering cannot express: a compiler bug,
/// reported as a diagnostic rather than guessed around.
pub fn lower(def: &Definition, facts: &Facts) -> Result<Ir, String> {
    let auth = &def.auth;
    let lower = Lower { facts };
    // Every `static` of the generated `requests` module, in one namespace.
    let mut statics = Namespace::new(["WEBHOOK"]);
    let request = |r: &Option<model::Request>, label: &str, name: &str, statics: &mut Namespace| {
        r.as_ref()
            .map(|r| lower.request(&format!("/auth/{label}"), r, label.to_string(), statics.claim(name.to_string()), false))
            .transpose()
    };
    let auth_ir = AuthIr {
        oauth2: auth.kind == model::AuthType::OAuth2,
        auth_url: request(&auth.auth_url, "auth_url", "AUTH_URL", &mut statics)?,
        get_token: request(&auth.get_token, "get_token", "GET_TOKEN", &mut statics)?,
        refresh: request(&auth.refresh_token, "refresh_token", "REFRESH_TOKEN", &mut statics)?,
        auto_refresh: auth.auto_refresh,
        user_details: request(&auth.user_details, "userDetails", "USER_DETAILS", &mut statics)?,
        registration: auth
            .registration_requests
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let label = format!("registration request {}", i + 1);
                lower.request(&format!("/auth/registrationRequests/{i}"), r, label, statics.claim(format!("REGISTRATION_{}", i + 1)), false)
            })
            .collect::<Result<_, _>>()?,
        test_token: request(&auth.test_token, "test_token", "TEST_TOKEN", &mut statics)?,
    };

    let mut types = Vec::new();
    let mut actions = Vec::new();
    // The output fields that read a path, by action: (field index, the path's pointer).
    let mut output_paths: Vec<Vec<(usize, String)>> = Vec::new();
    for (a, action) in def.actions.iter().enumerate() {
        let prefix = names::action_prefix(&action.name);
        let input = names::input_type(&action.name);
        let input_fields = fields(&prefix, &action.parameters.properties, &action.parameters.required, &mut types);
        let input = (!input_fields.is_empty()).then(|| {
            types.push(TypeDef::Struct {
                name: input.clone(),
                doc: vec![format!("Input of [`Client::{}`].", names::display(&names::snake(&action.name)))],
                fields: input_fields,
                constructor: true,
            });
            input
        });
        let mut steps_ir = Vec::new();
        let upper = screaming(&action.name);
        for (i, step) in action.requests.iter().enumerate() {
            let base = format!("/actions/{a}/requests/{i}");
            match step {
                ModelStep::Http(r) => {
                    let label = format!("{} step {}", action.name, i + 1);
                    steps_ir.push(StepIr::Http(lower.request(&base, r, label, statics.claim(format!("{upper}_{}", i + 1)), true)?));
                }
                ModelStep::Function { name, args } => {
                    let args_value = serde_json::Value::Object(args.iter().map(|(k, v)| (k.clone(), v.clone())).collect());
                    steps_ir.push(StepIr::Function {
                        json: name.clone(),
                        method: names::snake(name),
                        args_type: names::args_type(name),
                        static_name: statics.claim(format!("{upper}_{}_ARGS", i + 1)),
                        args: lower.tpl(&format!("{base}/args"), &args_value)?,
                    });
                }
            }
        }
        let final_mapping = match action.requests.last() {
            Some(ModelStep::Http(r)) => match &r.mapping {
                Mapping::Object(m) => Some((action.requests.len() - 1, m)),
                Mapping::Array(_) => None,
            },
            _ => None,
        };
        let output_fields: Vec<Field> = final_mapping
            .iter()
            .flat_map(|(s, m)| {
                m.iter().map(move |(k, v)| {
                    let doc = if v.starts_with('$') {
                        format!("Read from `{v}` in the response of step {}.", s + 1)
                    } else {
                        format!("Always `{v}`.")
                    };
                    Field {
                        rust: names::snake(k),
                        json: k.clone(),
                        ty: Ty::Json,
                        required: false,
                        doc: vec![doc],
                        default: None,
                        lenient: false,
                    }
                })
            })
            .collect();
        output_paths.push(
            final_mapping
                .iter()
                .flat_map(|(s, m)| {
                    m.iter()
                        .enumerate()
                        .filter(|(_, (_, v))| v.starts_with('$'))
                        .map(move |(i, (k, _))| (i, pointer::join(&format!("/actions/{a}/requests/{s}/mapping"), k)))
                })
                .collect(),
        );
        // App Function returns reach the result only after the last step whose object mapping
        // replaces it. Their field is the generator's name: it yields to an output key.
        let last_object = action.requests.iter().rposition(|s| matches!(s, ModelStep::Http(r) if matches!(r.mapping, Mapping::Object(_))));
        let open_output =
            action.requests.iter().enumerate().any(|(i, s)| matches!(s, ModelStep::Function { .. }) && last_object.is_none_or(|l| i > l));
        let returned = open_output.then(|| {
            let mut fields = Namespace::new(output_fields.iter().map(|f| f.rust.as_str()));
            fields.claim("returned".to_string())
        });
        let defaults =
            action.parameters.properties.iter().filter_map(|(k, p)| p.default.as_ref().map(|d| (k.clone(), literal(d)))).collect();
        actions.push(ActionIr {
            json: action.name.clone(),
            method: names::snake(&action.name),
            title: action.title.clone(),
            description: action.description.clone(),
            input,
            output: names::output_type(&action.name),
            output_fields,
            returned,
            steps: steps_ir,
            defaults_static: statics.claim(format!("{upper}_DEFAULTS")),
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
                .map(|p| Field {
                    rust: names::snake(p),
                    json: p.clone(),
                    ty: Ty::Json,
                    required: false,
                    doc: Vec::new(),
                    default: None,
                    lenient: false,
                })
                .collect(),
            code: f.code.clone(),
        })
        .collect::<Vec<FunctionIr>>();
    type_outputs(facts, &mut actions, &output_paths, &functions, &mut types);

    let sources = def
        .source
        .iter()
        .map(|(json, s)| {
            let base = pointer::join("/source", json);
            let as_request = model::Request {
                url: s.url.clone(),
                method: s.method,
                headers: s.headers.clone(),
                query_params: s.query_params.clone(),
                body_type: None,
                body: None,
                mapping: Mapping::default(),
            };
            Ok(SourceIr {
                json: json.clone(),
                method: names::snake(json),
                request: lower.request(
                    &base,
                    &as_request,
                    format!("source {json}"),
                    statics.claim(format!("SOURCE_{}", screaming(json))),
                    true,
                )?,
                data: s.data_path.as_ref().map(|_| lower.path(&format!("{base}/dataPath"))).transpose()?,
                value: lower.path(&format!("{base}/valueField"))?,
                label: lower.path(&format!("{base}/labelField"))?,
            })
        })
        .collect::<Result<_, String>>()?;

    // Credentials: config and form slots, credential outputs, then metadata; first occurrence wins.
    let mut credentials: Vec<CredField> = Vec::new();
    for key in &facts.stored_keys {
        if credentials.iter().any(|c| c.json == key.name) {
            continue;
        }
        // Config and form values are text; so is metadata (what `userDetails` maps is an id or
        // a name; docs/decisions.md). Token outputs keep their JSON type.
        let text = matches!(key.origin, Origin::Config | Origin::Form(_) | Origin::Metadata);
        let kind = if auth.sensitive_keys.contains(&key.name) {
            CredKind::Secret
        } else if text {
            CredKind::Text
        } else {
            CredKind::Json
        };
        let origin = match &key.origin {
            Origin::Config => "an `auth.config` slot".to_string(),
            Origin::Form(label) => format!("install form field \"{label}\""),
            Origin::GetToken => "stored by `get_token`".to_string(),
            Origin::Refresh => "stored by `refresh_token`".to_string(),
            Origin::Registration => "stored by a registration request".to_string(),
            Origin::Metadata => "metadata from `userDetails`".to_string(),
        };
        let rust = names::snake(&key.name);
        let field = format!("`Credentials::{}`", names::display(&rust));
        let hint = match &key.origin {
            Origin::Config => format!("an `auth.config` value: set {field} (or `ClientBuilder::config` for an app-wide value)"),
            Origin::Form(label) => format!("the install form's \"{label}\" field: set {field}"),
            Origin::GetToken => format!("stored by `get_token`: complete the install (`Client::connect`) or set {field}"),
            Origin::Refresh => format!("stored by `refresh_token`: run `Client::refresh_token` or set {field}"),
            Origin::Registration => format!("stored by the registration requests: run `Client::register` or set {field}"),
            Origin::Metadata => format!("metadata from `userDetails`: run `Client::user_details` or set {field}"),
        };
        credentials.push(CredField {
            rust,
            json: key.name.clone(),
            metadata: key.origin == Origin::Metadata,
            kind,
            doc: format!("`{}`: {origin}.", key.name),
            hint,
        });
    }

    Ok(Ir {
        ns: def.ns.clone(),
        title: def.title.clone(),
        version: def.version.clone(),
        short_description: def.short_description.clone(),
        config: auth.config.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| (k.clone(), v.clone())).collect(),
        sensitive: auth.sensitive_keys.clone(),
        credentials,
        app_settings: app_settings(def),
        auth: auth_ir,
        actions,
        types,
        functions,
        sources,
        samples: facts.samples.clone(),
        triggers: def.triggers.clone(),
        events: webhook::events(def),
        webhook: webhook::lower(def, facts)?,
        sync: sync::lower(def, facts, &mut statics)?,
    })
}

/// The keys an app-wide value can be set for, each with a typed setter (and one for rotating values
/// when the key is sensitive): every `auth.config` key, then the webhook's `secretKey` if it is
/// not one of them. Setter names never shadow the
/// builder's own methods (`timeout` → `timeout_2`).
fn app_settings(def: &Definition) -> Vec<AppSetting> {
    let secret = def.webhook.as_ref().and_then(|w| w.verification.as_ref()).and_then(|v| v.secret_key.as_deref());
    let mut keys: Vec<(&str, &str)> = def.auth.config.keys().map(|k| (k.as_str(), "`auth.config`")).collect();
    if let Some(secret) = secret.filter(|s| !s.is_empty() && !keys.iter().any(|(k, _)| k == s)) {
        keys.push((secret, "the webhook's `verification.secretKey`"));
    }
    let mut space = names::Namespace::new(names::APP_BUILDER_METHODS.iter().copied());
    keys.into_iter()
        .map(|(key, from)| {
            let setter = space.claim(names::snake(key));
            let sensitive = def.auth.sensitive_keys.iter().any(|k| k == key);
            let rotating = sensitive.then(|| space.claim(format!("{setter}_rotating")));
            let doc = if secret == Some(key) && from == "`auth.config`" {
                format!("`{key}` (`auth.config`, the webhook's `verification.secretKey`)")
            } else {
                format!("`{key}` ({from})")
            };
            AppSetting { json: key.to_string(), setter, rotating, doc }
        })
        .collect()
}
