//! The `sync` block lowered for code generation (docs/format.md §11): each mapping compiled into a
//! table of captures (path + the form its transform needs) and the fields that read them, the
//! list and details requests of each resource, and the real-time handlers.

use super::data::{self, DataTypes};
use super::{Lower, MappingIr, Request, Seg, Src, Ty, TypeDef};
use crate::facts::{Facts, Observed};
use crate::model::{self, Definition, Handler, MappingRule, PagingStyle, Transform};
use crate::names::{self, Namespace};
use crate::path::Step;
use crate::pointer;

/// What a capture keeps (mirrors `miniapp::sync::Kind`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Value,
    Text,
    Number,
    Codes,
    Items,
    /// Only whether an object is there.
    Object,
}

/// The Rust type of a record field (always optional).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldTy {
    Value,
    String,
    F64,
    Items,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ComputeArg {
    Slot(usize),
    /// JSON text.
    Literal(String),
}

/// How a field is read from the captures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Rule {
    Value(usize),
    Text(usize),
    Number(usize),
    Codes(usize),
    Items(usize),
    Coalesce(Vec<usize>),
    Compute { function: String, method: String, args: Vec<(String, ComputeArg)>, values: Vec<usize>, record: Option<usize> },
}

impl Rule {
    pub fn ty(&self) -> FieldTy {
        match self {
            Rule::Value(_) | Rule::Coalesce(_) | Rule::Compute { .. } => FieldTy::Value,
            Rule::Text(_) | Rule::Codes(_) => FieldTy::String,
            Rule::Number(_) => FieldTy::F64,
            Rule::Items(_) => FieldTy::Items,
        }
    }
}

/// One mapping (an `apiMapping`, or a shape-A handler's `mapping`), compiled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mapper {
    /// The mapper function's name: `map_catalog`.
    pub function: String,
    pub captures: Vec<(Vec<Step>, Kind)>,
    /// Karzoun field → rule, in the mapping's order.
    pub fields: Vec<(String, Rule)>,
    /// What each field's paths find in the samples (docs/format.md §17), by field.
    pub observed: Vec<Option<Observed>>,
    /// The record type it fills.
    pub record: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordField {
    pub rust: String,
    pub json: String,
    pub ty: FieldTy,
    /// Where the value comes from, for the rustdoc.
    pub doc: String,
    /// What the samples show of it (a bare path, a `coalesce` or `mapItems`).
    pub observed: Option<Observed>,
    /// The type the samples give it (read leniently), instead of `ty`'s.
    pub typed: Option<Ty>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordType {
    pub name: String,
    pub doc: Vec<String>,
    pub fields: Vec<RecordField>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ResourceIr {
    pub json: String,
    /// `sync_catalog`.
    pub method: String,
    /// `SYNC_CATALOG`.
    pub static_name: String,
    pub doc: Vec<String>,
    pub mapper: Mapper,
    pub list: Request,
    pub details: Option<Request>,
    pub sends_limit: bool,
    pub default_limit: Option<u64>,
    pub max_limit: Option<u64>,
    pub paging: Paging,
    pub data: Vec<Step>,
    pub total: Option<Vec<Step>>,
    /// The capture the record's `code` is read from, when it is one path.
    pub code: Option<usize>,
}

/// How a list is paged (mirrors `miniapp::sync::Paging`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Paging {
    /// `param`: the page-number parameter.
    Pages {
        param: String,
        first: u64,
    },
    Offset {
        param: String,
    },
    Cursor {
        next: Vec<Step>,
        param: Option<String>,
    },
    Link,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// Index into `SyncIr::resources`.
    Resource(usize),
    RecordType(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HandlerIr {
    pub event: String,
    /// `HANDLER_ORDER_PLACED`.
    pub static_name: String,
    /// The static of its record mapping.
    pub record_static: String,
    pub target: Target,
    pub operation: model::Operation,
    pub data: Vec<Step>,
    /// Shape A's own mapper (shape B uses its resource's).
    pub mapper: Option<Mapper>,
    /// The record's captures rooted in the webhook body (shape B: `dataPath` + the resource's
    /// paths), then an object capture at `data`.
    pub captures: Vec<(Vec<Step>, Kind)>,
    /// The `SyncRecord` variant (= the record type's name).
    pub variant: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SyncIr {
    pub resources: Vec<ResourceIr>,
    pub handlers: Vec<HandlerIr>,
    /// Every record type: one per resource, one per shape-A record type (the union of its
    /// handlers' fields).
    pub records: Vec<RecordType>,
    /// The `SyncRecord` variants (record type names) and their targets, for handlers.
    pub handled: Vec<(String, Target)>,
    /// `compute` functions: (fn name, `Functions` method).
    pub computes: Vec<(String, String)>,
    /// The structs of record fields typed from samples, in the `sync` module.
    pub types: Vec<TypeDef>,
    pub rate_per_second: Option<f64>,
    pub timeout_ms: Option<u64>,
}

/// Compiles the mapping written at `base` (its paths as the checks parsed them). `what` names it
/// in messages.
fn mapper(
    facts: &Facts,
    base: &str,
    rules: &model::Map<MappingRule>,
    function: String,
    record: String,
    what: &str,
) -> Result<Mapper, String> {
    let mut captures: Vec<(Vec<Step>, Kind)> = Vec::new();
    // A capture of the path at `ptr`, or (`None`) of the whole record.
    let mut cap = |ptr: Option<&str>, kind: Kind| -> Result<usize, String> {
        captures.push((ptr.map(|p| facts.path(p)).transpose()?.unwrap_or_default().to_vec(), kind));
        Ok(captures.len() - 1)
    };
    let mut fields = Vec::new();
    let mut observed = Vec::new();
    for (key, rule) in rules {
        let at = pointer::join(base, key);
        // What the samples show of the field: its one path, or its `coalesce` paths together.
        let seen = |ptrs: &[String]| ptrs.iter().filter_map(|p| facts.observed(p).cloned()).reduce(Observed::unify);
        observed.push(match rule {
            MappingRule::Path(_) => seen(std::slice::from_ref(&at)),
            MappingRule::Rule { path, paths, transform: None | Some(Transform::MapItems), .. } if path.is_some() || paths.len() == 1 => {
                seen(&[if path.is_some() { format!("{at}/path") } else { format!("{at}/paths/0") }])
            }
            MappingRule::Rule { paths, transform: Some(Transform::Coalesce), .. } => {
                seen(&(0..paths.len()).map(|i| format!("{at}/paths/{i}")).collect::<Vec<_>>())
            }
            _ => None,
        });
        let rule = match rule {
            MappingRule::Path(_) => Rule::Value(cap(Some(&at), Kind::Value)?),
            MappingRule::Rule { path, paths, transform, function, args } => {
                let all: Vec<String> =
                    path.iter().map(|_| format!("{at}/path")).chain((0..paths.len()).map(|i| format!("{at}/paths/{i}"))).collect();
                let first = || all.first().map(|p| Some(p.as_str())).ok_or_else(|| format!("{what}: `{key}` has no `path`"));
                match transform {
                    None => Rule::Value(cap(first()?, Kind::Value)?),
                    Some(Transform::ToString) => Rule::Text(cap(first()?, Kind::Text)?),
                    Some(Transform::ToNumberOrNull) => Rule::Number(cap(first()?, Kind::Number)?),
                    Some(Transform::JoinCodes) => Rule::Codes(cap(first()?, Kind::Codes)?),
                    Some(Transform::MapItems) => Rule::Items(cap(first()?, Kind::Items)?),
                    Some(Transform::Coalesce) => Rule::Coalesce(all.iter().map(|p| cap(Some(p), Kind::Value)).collect::<Result<_, _>>()?),
                    Some(Transform::Compute) => {
                        let name = function.clone().ok_or_else(|| format!("{what}: compute `{key}` has no `fn`"))?;
                        let mut compute_args = Vec::new();
                        for (arg, value) in args.iter().flat_map(|a| a.as_object()).flatten() {
                            let arg_value = match value {
                                serde_json::Value::String(_) => {
                                    ComputeArg::Slot(cap(Some(&pointer::join(&format!("{at}/args"), arg)), Kind::Value)?)
                                }
                                other => ComputeArg::Literal(other.to_string()),
                            };
                            compute_args.push((arg.clone(), arg_value));
                        }
                        let values = all.iter().map(|p| cap(Some(p), Kind::Value)).collect::<Result<Vec<_>, _>>()?;
                        let whole = compute_args.is_empty() && values.is_empty();
                        let record = if whole { Some(cap(None, Kind::Value)?) } else { None };
                        Rule::Compute { method: names::compute_method(&name), function: name, args: compute_args, values, record }
                    }
                }
            }
        };
        fields.push((key.clone(), rule));
    }
    Ok(Mapper { function, captures, fields, observed, record })
}

fn describe(rule: &MappingRule) -> String {
    match rule {
        MappingRule::Path(p) => format!("`{p}`"),
        MappingRule::Rule { path, paths, transform, function, .. } => {
            let at: Vec<String> = path.iter().chain(paths).map(|p| format!("`{p}`")).collect();
            let t = transform.map(|t| format!("{t:?}")).unwrap_or_default();
            let t = match t.as_str() {
                "" => String::new(),
                "Compute" => format!(", `compute` with `{}`", function.as_deref().unwrap_or_default()),
                other => {
                    let mut c = other.chars();
                    let lower: String = c.next().map(|f| f.to_ascii_lowercase()).into_iter().chain(c).collect();
                    format!(", `{lower}`")
                }
            };
            format!("{}{t}", if at.is_empty() { "the record".to_string() } else { at.join(" or ") })
        }
    }
}

fn record_fields(rules: &model::Map<MappingRule>, mapper: &Mapper) -> Vec<RecordField> {
    rules
        .iter()
        .zip(&mapper.fields)
        .zip(&mapper.observed)
        .map(|(((key, rule), (_, r)), observed)| RecordField {
            rust: names::snake(key),
            json: key.clone(),
            ty: r.ty(),
            doc: format!("`{key}`: {}.", describe(rule)),
            observed: observed.clone(),
            typed: None,
        })
        .collect()
}

/// Types the record fields the samples show (docs/format.md §17): a bare path, a `coalesce` and
/// the items of `mapItems`. Returns the structs they need, for the `sync` module.
fn type_records(records: &mut [RecordType]) -> Vec<TypeDef> {
    let taken: Vec<String> = records.iter().map(|r| r.name.clone()).collect();
    let mut space = Namespace::new(taken.iter().map(String::as_str).chain(["SyncRecord"]));
    let mut types = Vec::new();
    let mut data = DataTypes { space: &mut space, types: &mut types, made: Vec::new() };
    for record in records {
        for f in &mut record.fields {
            let Some(observed) = &f.observed else { continue };
            f.typed = match f.ty {
                FieldTy::Value => data.observed(observed, &record.name, &f.json),
                FieldTy::Items => data.items(observed, &record.name, &f.json).map(|t| Ty::Vec(Box::new(t))),
                FieldTy::String | FieldTy::F64 => None,
            };
            if let (Some(_), Some(example)) = (&f.typed, &observed.example) {
                f.doc.push_str(&format!(" Sample: `{}`.", data::doc_example(example)));
            }
        }
    }
    types
}

/// Lowers the `sync` block, if it has resources or handlers.
pub fn lower(def: &Definition, facts: &Facts, statics: &mut Namespace) -> Result<Option<SyncIr>, String> {
    let Some(sync) = &def.sync else { return Ok(None) };
    if sync.resources.is_empty() && sync.webhooks.handlers.is_empty() {
        return Ok(None);
    }
    let lower = Lower { facts };
    let headers: Vec<(String, Vec<Seg>)> = lower.pairs("/sync/headers", &sync.headers)?;
    let var = |name: &str| vec![Seg::Ref(Src::Var, name.to_string())];
    // An endpoint URL is templated joined to `baseUrl`, as the checks resolved it.
    let request = |label: String, static_name: String, method: model::Method, url_ptr: String, query: Vec<(String, Vec<Seg>)>| {
        Ok::<_, String>(Request {
            label,
            static_name,
            method,
            url: lower.url(&url_ptr)?,
            headers: headers.clone(),
            query,
            body_type: model::BodyType::Json,
            body: None,
            mapping: MappingIr { object: false, entries: Vec::new() },
            refreshable: true,
        })
    };

    let mut records = Vec::new();
    let mut resources = Vec::new();
    for (key, r) in &sync.resources {
        let upper = names::snake(key).to_uppercase();
        let endpoint = |name: &str| format!("/sync/resources/{}/endpoints/{name}/url", pointer::escape(key));
        let record = names::record_type(key);
        let at = pointer::join("/sync/resources", key);
        let m = mapper(
            facts,
            &format!("{at}/apiMapping"),
            &r.api_mapping,
            format!("map_{}", names::snake(key)),
            record.clone(),
            &format!("resource `{key}`"),
        )?;
        let title = r.display_name.as_deref().unwrap_or(key);
        let mut doc = vec![format!("A `{key}` record ({}): {title}.", r.content_type)];
        if let Some(d) = &r.description {
            doc.push(String::new());
            doc.push(d.clone());
        }
        records.push(RecordType { name: record, doc: doc.clone(), fields: record_fields(&r.api_mapping, &m) });
        let p = &r.pagination;
        let default_limit = match (p.default_limit, p.max_limit) {
            (Some(d), Some(max)) => Some(d.min(max)),
            (d, _) => d,
        };
        let sends_limit = p.param_name.is_some() && (default_limit.is_some() || p.max_limit.is_some());
        let mut query = Vec::new();
        if let (true, Some(param)) = (sends_limit, &p.param_name) {
            query.push((param.clone(), var("limit")));
        }
        let paging = match p.style {
            PagingStyle::Page => {
                let param = p.page_param.clone().unwrap_or_else(|| "page".to_string());
                query.push((param.clone(), var("page")));
                Paging::Pages { param, first: p.first_page.unwrap_or(1) }
            }
            PagingStyle::Offset => {
                let param = p.offset_param.clone().unwrap_or_else(|| "offset".to_string());
                query.push((param.clone(), var("offset")));
                Paging::Offset { param }
            }
            PagingStyle::Cursor => {
                Paging::Cursor { next: facts.path(&format!("{at}/responseMapping/nextProperty"))?.to_vec(), param: p.cursor_param.clone() }
            }
            PagingStyle::Link => Paging::Link,
        };
        let static_name = statics.claim(format!("SYNC_{upper}"));
        let list = request(
            format!("sync {key} list"),
            statics.claim(format!("{static_name}_LIST")),
            r.endpoints.list.method,
            endpoint("list"),
            query,
        )?;
        let details = match (&r.endpoints.details, r.expand_details) {
            (Some(d), true) => Some(request(
                format!("sync {key} details"),
                statics.claim(format!("{static_name}_DETAILS")),
                d.method,
                endpoint("details"),
                Vec::new(),
            )?),
            _ => None,
        };
        let rm = &r.response_mapping;
        let code = m.fields.iter().find(|(field, _)| field == "code").and_then(|(_, rule)| match rule {
            Rule::Value(slot) | Rule::Text(slot) | Rule::Number(slot) | Rule::Codes(slot) => Some(*slot),
            _ => None,
        });
        resources.push(ResourceIr {
            json: key.clone(),
            method: names::sync_method(key),
            static_name,
            doc,
            mapper: m,
            list,
            details,
            sends_limit,
            default_limit,
            max_limit: p.max_limit,
            code,
            paging,
            data: rm
                .data_property
                .as_ref()
                .map(|_| facts.path(&format!("{at}/responseMapping/dataProperty")))
                .transpose()?
                .unwrap_or_default()
                .to_vec(),
            total: rm
                .total_property
                .as_ref()
                .map(|_| facts.path(&format!("{at}/responseMapping/totalProperty")).map(<[Step]>::to_vec))
                .transpose()?,
        });
    }

    // Shape A: one record type per `recordType`, the union of its handlers' fields (a field two
    // handlers map to different types is a JSON value).
    let mut changes: Vec<(String, RecordType)> = Vec::new();
    let mut handlers = Vec::new();
    let mut handled: Vec<(String, Target)> = Vec::new();
    for (event, h) in &sync.webhooks.handlers {
        let at = pointer::join("/sync/webhooks/handlers", event);
        let upper = names::snake(event).to_uppercase();
        let static_name = statics.claim(format!("HANDLER_{upper}"));
        let record_static = statics.claim(format!("{static_name}_RECORD"));
        match h {
            Handler::Resource { resource, operation, .. } => {
                let index = resources
                    .iter()
                    .position(|r| r.json == *resource)
                    .ok_or_else(|| format!("handler `{event}`: unknown resource `{resource}`"))?;
                let variant = resources[index].mapper.record.clone();
                if !handled.iter().any(|(v, _)| *v == variant) {
                    handled.push((variant.clone(), Target::Resource(index)));
                }
                let data = facts.path(&format!("{at}/dataPath"))?.to_vec();
                let mut captures: Vec<(Vec<Step>, Kind)> = resources[index]
                    .mapper
                    .captures
                    .iter()
                    .map(|(steps, kind)| (data.iter().chain(steps).cloned().collect(), *kind))
                    .collect();
                captures.push((data.clone(), Kind::Object));
                handlers.push(HandlerIr {
                    event: event.clone(),
                    static_name,
                    record_static,
                    target: Target::Resource(index),
                    operation: *operation,
                    data,
                    mapper: None,
                    captures,
                    variant,
                });
            }
            Handler::Inline { record_type, operation, mapping } => {
                let rt = match record_type {
                    model::RecordType::Order => "order",
                    model::RecordType::AbandonedCart => "abandonedCart",
                };
                let name = names::change_type(rt);
                let m = mapper(
                    facts,
                    &format!("{at}/mapping"),
                    mapping,
                    format!("map_{}", names::snake(event)),
                    name.clone(),
                    &format!("handler `{event}`"),
                )?;
                let fields = record_fields(mapping, &m);
                match changes.iter_mut().find(|(t, _)| t == rt) {
                    None => {
                        let doc =
                            vec![format!("A `{rt}` record written by sync handlers (docs/format.md §11.6): the union of their mappings.")];
                        changes.push((rt.to_string(), RecordType { name: name.clone(), doc, fields }));
                        handled.push((name.clone(), Target::RecordType(rt.to_string())));
                    }
                    Some((_, union)) => {
                        for f in fields {
                            match union.fields.iter_mut().find(|u| u.json == f.json) {
                                Some(u) if u.ty != f.ty => {
                                    u.ty = FieldTy::Value;
                                    u.observed = None;
                                }
                                Some(u) => {
                                    u.observed = match (u.observed.take(), f.observed) {
                                        (Some(a), Some(b)) => Some(a.unify(b)),
                                        (a, b) => a.or(b),
                                    };
                                }
                                None => union.fields.push(f),
                            }
                        }
                    }
                }
                let mut captures = m.captures.clone();
                captures.push((Vec::new(), Kind::Object));
                handlers.push(HandlerIr {
                    event: event.clone(),
                    static_name,
                    record_static,
                    target: Target::RecordType(rt.to_string()),
                    operation: *operation,
                    data: Vec::new(),
                    mapper: Some(m),
                    captures,
                    variant: name,
                });
            }
        }
    }
    // A union field keeps one doc line per mapping: say it comes from the handlers.
    for (_, change) in &mut changes {
        for f in &mut change.fields {
            f.doc = format!("`{}`, as the handlers map it.", f.json);
        }
    }
    records.extend(changes.into_iter().map(|(_, r)| r));

    let mut computes: Vec<(String, String)> = Vec::new();
    let mappers = resources.iter().map(|r| &r.mapper).chain(handlers.iter().filter_map(|h| h.mapper.as_ref()));
    for m in mappers {
        for (_, rule) in &m.fields {
            if let Rule::Compute { function, method, .. } = rule
                && !computes.iter().any(|(f, _)| f == function)
            {
                computes.push((function.clone(), method.clone()));
            }
        }
    }
    let types = type_records(&mut records);
    let config = &sync.sync_configuration;
    Ok(Some(SyncIr {
        resources,
        handlers,
        records,
        handled,
        computes,
        types,
        rate_per_second: config.rate_limit_per_second,
        timeout_ms: config.timeout,
    }))
}
