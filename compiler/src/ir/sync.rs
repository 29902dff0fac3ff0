//! The `sync` block lowered for code generation (FORMAT.md §11): each mapping compiled into a
//! table of captures (path + the form its transform needs) and the fields that read them, the
//! list and details requests of each resource, and the real-time handlers.

use super::{MappingIr, Request, Resolver, Seg, Src, UrlPart};
use crate::check::SYSTEM_VALUES;
use crate::model::{self, Definition, Handler, MappingRule, Transform};
use crate::names;
use crate::path::{self, Step};
use crate::template::UrlContext;

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
    pub data: Vec<Step>,
    pub total: Option<Vec<Step>>,
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
    pub rate_per_second: Option<f64>,
    pub timeout_ms: Option<u64>,
}

fn parse(text: &str, what: &str) -> Result<Vec<Step>, String> {
    path::parse(text).map(|p| p.steps).map_err(|e| format!("{what}: invalid path `{text}`: {e}"))
}

/// Compiles one mapping. `what` names it in messages.
fn mapper(rules: &model::Map<MappingRule>, function: String, record: String, what: &str) -> Result<Mapper, String> {
    let mut captures: Vec<(Vec<Step>, Kind)> = Vec::new();
    let mut cap = |text: &str, kind: Kind| -> Result<usize, String> {
        captures.push((parse(text, what)?, kind));
        Ok(captures.len() - 1)
    };
    let mut fields = Vec::new();
    for (key, rule) in rules {
        let rule = match rule {
            MappingRule::Path(p) => Rule::Value(cap(p, Kind::Value)?),
            MappingRule::Rule { path, paths, transform, function, args } => {
                let all: Vec<&String> = path.iter().chain(paths).collect();
                let first = || all.first().copied().ok_or_else(|| format!("{what}: `{key}` has no `path`"));
                match transform {
                    None => Rule::Value(cap(first()?, Kind::Value)?),
                    Some(Transform::ToString) => Rule::Text(cap(first()?, Kind::Text)?),
                    Some(Transform::ToNumberOrNull) => Rule::Number(cap(first()?, Kind::Number)?),
                    Some(Transform::JoinCodes) => Rule::Codes(cap(first()?, Kind::Codes)?),
                    Some(Transform::MapItems) => Rule::Items(cap(first()?, Kind::Items)?),
                    Some(Transform::Coalesce) => Rule::Coalesce(all.iter().map(|p| cap(p, Kind::Value)).collect::<Result<_, _>>()?),
                    Some(Transform::Compute) => {
                        let name = function.clone().ok_or_else(|| format!("{what}: compute `{key}` has no `fn`"))?;
                        let mut compute_args = Vec::new();
                        for (arg, value) in args.iter().flat_map(|a| a.as_object()).flatten() {
                            let arg_value = match value {
                                serde_json::Value::String(p) => ComputeArg::Slot(cap(p, Kind::Value)?),
                                other => ComputeArg::Literal(other.to_string()),
                            };
                            compute_args.push((arg.clone(), arg_value));
                        }
                        let values = all.iter().map(|p| cap(p, Kind::Value)).collect::<Result<Vec<_>, _>>()?;
                        let whole = compute_args.is_empty() && values.is_empty();
                        let record = if whole { Some(cap("$", Kind::Value)?) } else { None };
                        Rule::Compute { method: names::compute_method(&name), function: name, args: compute_args, values, record }
                    }
                }
            }
        };
        fields.push((key.clone(), rule));
    }
    Ok(Mapper { function, captures, fields, record })
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
        .map(|((key, rule), (_, r))| RecordField {
            rust: names::snake(key),
            json: key.clone(),
            ty: r.ty(),
            doc: format!("`{key}`: {}.", describe(rule)),
        })
        .collect()
}

/// `{id}` (FORMAT.md §11.4) as the template placeholder `{{id}}`.
fn id_placeholder(url: &str) -> String {
    let mut out = String::with_capacity(url.len() + 2);
    let mut rest = url;
    while let Some(i) = rest.find("{id}") {
        let doubled = rest[..i].ends_with('{') && rest[i + 4..].starts_with('}');
        out.push_str(&rest[..i]);
        out.push_str(if doubled { "{id}" } else { "{{id}}" });
        rest = &rest[i + 4..];
    }
    out.push_str(rest);
    out
}

/// `baseUrl` + an endpoint URL (relative to it, FORMAT.md §11.1; an absolute one stands alone).
fn endpoint_url(base: &str, url: &str) -> String {
    if url.starts_with("http://") || url.starts_with("https://") || url.starts_with("{{") {
        return url.to_string();
    }
    format!("{}/{}", base.trim_end_matches('/'), url.trim_start_matches('/'))
}

/// Lowers the `sync` block, if it has resources or handlers.
pub fn lower(def: &Definition) -> Result<Option<SyncIr>, String> {
    let Some(sync) = &def.sync else { return Ok(None) };
    if sync.resources.is_empty() && sync.webhooks.handlers.is_empty() {
        return Ok(None);
    }
    let resolver = Resolver { vars: vec!["page", "limit", "id"], open_vars: false, system: SYSTEM_VALUES };
    let base = sync.base_url.clone().unwrap_or_default();
    let headers: Vec<(String, Vec<Seg>)> = sync.headers.iter().map(|(k, v)| (k.clone(), resolver.segs(v))).collect();
    let var = |name: &str| vec![Seg::Ref(Src::Var, name.to_string())];
    let request = |label: String, static_name: String, method: model::Method, url: &str, query: Vec<(String, Vec<Seg>)>| {
        let mut url = resolver.url(&id_placeholder(&endpoint_url(&base, url)));
        for part in &mut url {
            if let UrlPart::Ref(ctx @ UrlContext::Path, Src::Var, key) = part
                && key == "id"
            {
                *ctx = UrlContext::Segment;
            }
        }
        Request {
            label,
            static_name,
            method,
            url,
            headers: headers.clone(),
            query,
            body_type: model::BodyType::Json,
            body: None,
            mapping: MappingIr { object: false, entries: Vec::new() },
            refreshable: true,
        }
    };

    let mut records = Vec::new();
    let mut resources = Vec::new();
    for (key, r) in &sync.resources {
        let upper = names::snake(key).to_uppercase();
        let record = names::record_type(key);
        let m = mapper(&r.api_mapping, format!("map_{}", names::snake(key)), record.clone(), &format!("resource `{key}`"))?;
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
        query.push(("page".to_string(), var("page")));
        let list = request(format!("sync {key} list"), format!("SYNC_{upper}_LIST"), r.endpoints.list.method, &r.endpoints.list.url, query);
        let details = match (&r.endpoints.details, r.expand_details) {
            (Some(d), true) => Some(request(format!("sync {key} details"), format!("SYNC_{upper}_DETAILS"), d.method, &d.url, Vec::new())),
            _ => None,
        };
        let rm = &r.response_mapping;
        resources.push(ResourceIr {
            json: key.clone(),
            method: names::sync_method(key),
            static_name: format!("SYNC_{upper}"),
            doc,
            mapper: m,
            list,
            details,
            sends_limit,
            default_limit,
            max_limit: p.max_limit,
            data: rm.data_property.as_deref().map(|d| parse(d, "dataProperty")).transpose()?.unwrap_or_default(),
            total: rm.total_property.as_deref().map(|t| parse(t, "totalProperty")).transpose()?,
        });
    }

    // Shape A: one record type per `recordType`, the union of its handlers' fields (a field two
    // handlers map to different types is a JSON value).
    let mut changes: Vec<(String, RecordType)> = Vec::new();
    let mut handlers = Vec::new();
    let mut handled: Vec<(String, Target)> = Vec::new();
    for (event, h) in &sync.webhooks.handlers {
        let upper = names::snake(event).to_uppercase();
        let static_name = format!("HANDLER_{upper}");
        match h {
            Handler::Resource { resource, operation, data_path } => {
                let index = resources
                    .iter()
                    .position(|r| r.json == *resource)
                    .ok_or_else(|| format!("handler `{event}`: unknown resource `{resource}`"))?;
                let variant = resources[index].mapper.record.clone();
                if !handled.iter().any(|(v, _)| *v == variant) {
                    handled.push((variant.clone(), Target::Resource(index)));
                }
                let data = parse(data_path, "dataPath")?;
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
                let m = mapper(mapping, format!("map_{}", names::snake(event)), name.clone(), &format!("handler `{event}`"))?;
                let fields = record_fields(mapping, &m);
                match changes.iter_mut().find(|(t, _)| t == rt) {
                    None => {
                        let doc = vec![format!("A `{rt}` record written by sync handlers (FORMAT.md §11.6): the union of their mappings.")];
                        changes.push((rt.to_string(), RecordType { name: name.clone(), doc, fields }));
                        handled.push((name.clone(), Target::RecordType(rt.to_string())));
                    }
                    Some((_, union)) => {
                        for f in fields {
                            match union.fields.iter_mut().find(|u| u.json == f.json) {
                                Some(u) if u.ty != f.ty => u.ty = FieldTy::Value,
                                Some(_) => {}
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
    let config = &sync.sync_configuration;
    Ok(Some(SyncIr {
        resources,
        handlers,
        records,
        handled,
        computes,
        rate_per_second: config.rate_limit_per_second,
        timeout_ms: config.timeout,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_placeholders() {
        assert_eq!(id_placeholder("/shoppers/{id}"), "/shoppers/{{id}}");
        assert_eq!(id_placeholder("/shoppers/{{id}}/x/{id}"), "/shoppers/{{id}}/x/{{id}}");
        assert_eq!(endpoint_url("https://a.example/v3/", "/items"), "https://a.example/v3/items");
        assert_eq!(endpoint_url("https://a.example/v3", "items"), "https://a.example/v3/items");
    }
}
