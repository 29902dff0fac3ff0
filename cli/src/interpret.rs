//! A checked definition run with the runtime, without generating code: the descriptors a
//! generated connector declares as statics (requests, the webhook block, handler records) are
//! built here from the same lowered IR, and the same runtime functions run them. So `miniapp
//! replay` and `miniapp invoke` give what the compiled connector gives: the same requests, the
//! same verification and extraction, and outputs and records typed (leniently) the same way.
//!
//! Descriptors are leaked to `'static`, as the runtime's are: a command interprets one definition
//! and exits.

use std::sync::OnceLock;

use miniapp::rt::path::Step;
use miniapp::rt::template::{Seg, Src, Tpl, UrlSeg, UrlTemplate};
use miniapp::rt::{App, BodyType, Engine, Extract, Mapping, Method, RequestTemplate};
use miniapp::sync::{Captured, Problem};
use miniapp::webhook::spec::{ChallengeRule, CustomerAt, CustomerRule, EventRule, Loc, Spec, TransactionRule};
use miniapp::webhook::verify::{Algorithm, Encoding, Verification};
use miniapp::{Bag, CustomerField, TriggerInfo};
use miniapp_compiler::ir::sync::{Mapper, Rule, Target};
use miniapp_compiler::ir::{self, Ir, StepIr, Ty, TypeDef};
use miniapp_compiler::{facts, model, template};
use serde_json::{Map, Value};

fn text(s: &str) -> &'static str {
    Box::leak(s.to_owned().into_boxed_str())
}

fn slice<T>(items: Vec<T>) -> &'static [T] {
    Box::leak(items.into_boxed_slice())
}

fn leak<T>(value: T) -> &'static T {
    Box::leak(Box::new(value))
}

fn src(s: facts::Src) -> Src {
    match s {
        facts::Src::Var => Src::Var,
        facts::Src::Stored => Src::Stored,
        facts::Src::Config => Src::Config,
        facts::Src::System => Src::System,
    }
}

fn segs(list: &[ir::Seg]) -> &'static [Seg] {
    slice(
        list.iter()
            .map(|s| match s {
                ir::Seg::Lit(l) => Seg::Lit(text(l)),
                ir::Seg::Ref(s, k) => Seg::Ref(src(*s), text(k)),
            })
            .collect(),
    )
}

fn url(parts: &[ir::UrlPart]) -> UrlTemplate {
    let segs = parts
        .iter()
        .map(|p| match p {
            ir::UrlPart::Lit(l) => UrlSeg::Lit(text(l)),
            ir::UrlPart::Ref(ctx, s, k) => {
                let (s, k) = (src(*s), text(k));
                match ctx {
                    template::UrlContext::Origin => UrlSeg::Origin(s, k),
                    template::UrlContext::Host => UrlSeg::Host(s, k),
                    template::UrlContext::Path => UrlSeg::Path(s, k),
                    template::UrlContext::Segment => UrlSeg::Segment(s, k),
                    template::UrlContext::Query => UrlSeg::Query(s, k),
                }
            }
        })
        .collect();
    UrlTemplate { segs: slice(segs) }
}

fn tpl(t: &ir::Tpl) -> Tpl {
    match t {
        ir::Tpl::Null => Tpl::Null,
        ir::Tpl::Bool(b) => Tpl::Bool(*b),
        ir::Tpl::Num(n) => Tpl::Num(text(n)),
        ir::Tpl::Str(s) => Tpl::Str(segs(s)),
        ir::Tpl::Arr(items) => Tpl::Arr(slice(items.iter().map(tpl).collect())),
        ir::Tpl::Obj(members) => Tpl::Obj(slice(members.iter().map(|(k, v)| (text(k), tpl(v))).collect())),
    }
}

fn steps(list: &[miniapp_compiler::path::Step]) -> &'static [Step] {
    slice(
        list.iter()
            .map(|s| match s {
                miniapp_compiler::path::Step::Field(f) => Step::Field(text(f)),
                miniapp_compiler::path::Step::Index(i) => Step::Index(*i),
            })
            .collect(),
    )
}

fn pairs(list: &[(String, Vec<ir::Seg>)]) -> &'static [(&'static str, &'static [Seg])] {
    slice(list.iter().map(|(k, v)| (text(k), segs(v))).collect())
}

fn request(r: &ir::Request) -> &'static RequestTemplate {
    let method = match r.method {
        model::Method::Get => Method::Get,
        model::Method::Post => Method::Post,
        model::Method::Put => Method::Put,
        model::Method::Patch => Method::Patch,
        model::Method::Delete => Method::Delete,
    };
    let body_type = match r.body_type {
        model::BodyType::Json => BodyType::Json,
        model::BodyType::Form => BodyType::Form,
        model::BodyType::Multipart => BodyType::Multipart,
    };
    let entries = r
        .mapping
        .entries
        .iter()
        .map(|(k, e)| {
            let e = match e {
                ir::Extract::Path(p) => Extract::Path(steps(p)),
                ir::Extract::Literal(l) => Extract::Literal(text(l)),
            };
            (text(k), e)
        })
        .collect();
    leak(RequestTemplate {
        name: text(&r.label),
        method,
        url: url(&r.url),
        headers: pairs(&r.headers),
        query: pairs(&r.query),
        body_type,
        body: r.body.as_ref().map(tpl),
        mapping: Mapping { object: r.mapping.object, entries: slice(entries) },
        refreshable: r.refreshable,
    })
}

fn customer_field(variant: &str) -> Option<CustomerField> {
    Some(match variant {
        "FirstName" => CustomerField::FirstName,
        "LastName" => CustomerField::LastName,
        "PrimaryEmail" => CustomerField::PrimaryEmail,
        "PrimaryPhone" => CustomerField::PrimaryPhone,
        "Code" => CustomerField::Code,
        "Avatar" => CustomerField::Avatar,
        "Sex" => CustomerField::Sex,
        "BirthDate" => CustomerField::BirthDate,
        "Position" => CustomerField::Position,
        "Department" => CustomerField::Department,
        "State" => CustomerField::State,
        _ => return None,
    })
}

fn loc(l: &ir::webhook::Loc) -> Loc {
    match l {
        ir::webhook::Loc::Body(slot) => Loc::Body(*slot),
        ir::webhook::Loc::Header(name) => Loc::Header(text(name)),
        ir::webhook::Loc::Query(name) => Loc::Query(text(name)),
    }
}

fn captures(list: &[(Vec<miniapp_compiler::path::Step>, ir::sync::Kind)]) -> &'static miniapp::sync::RecordSpec {
    use miniapp::sync::Kind;
    let captures = list
        .iter()
        .map(|(s, kind)| miniapp::sync::Capture {
            steps: steps(s),
            kind: match kind {
                ir::sync::Kind::Value => Kind::Value,
                ir::sync::Kind::Text => Kind::Text,
                ir::sync::Kind::Number => Kind::Number,
                ir::sync::Kind::Codes => Kind::Codes,
                ir::sync::Kind::Items => Kind::Items,
                ir::sync::Kind::Object => Kind::Object,
            },
        })
        .collect();
    leak(miniapp::sync::RecordSpec::new(slice(captures)))
}

fn webhook(ir: &Ir) -> Option<&'static Spec> {
    let w = ir.webhook.as_ref()?;
    let paths = w
        .paths
        .iter()
        .map(|slot| {
            if slot.object_only {
                miniapp::webhook::probe::Capture::Object(steps(&slot.steps))
            } else {
                miniapp::webhook::probe::Capture::Value(steps(&slot.steps))
            }
        })
        .collect();
    let verification = match &w.verification {
        ir::webhook::Verification::None => Verification::None,
        ir::webhook::Verification::Hmac { sha1, header, secret_key, base64 } => Verification::Hmac {
            algorithm: if *sha1 { Algorithm::Sha1 } else { Algorithm::Sha256 },
            header: text(header),
            secret_key: text(secret_key),
            encoding: if *base64 { Encoding::Base64 } else { Encoding::Hex },
        },
        ir::webhook::Verification::HeaderToken { header, secret_key } => {
            Verification::HeaderToken { header: text(header), secret_key: text(secret_key) }
        }
    };
    let challenge = w.challenge.as_ref().map(|c| ChallengeRule {
        identify: c.identify,
        identify_value: text(&c.identify_value),
        token: c.token,
        response_field: c.response_field.as_deref().map(text),
    });
    let event = w.event.as_ref().map(|e| match e {
        ir::webhook::EventRule::Single { primary, fallback } => {
            EventRule::Single { primary: loc(primary), fallback: fallback.as_ref().map(loc) }
        }
        ir::webhook::EventRule::Composite { parts, separator } => {
            EventRule::Composite { parts: slice(parts.iter().map(loc).collect()), separator: text(separator) }
        }
    });
    let locs = |list: &[ir::webhook::Loc]| slice(list.iter().map(loc).collect());
    let transaction = w.transaction.as_ref().map(|t| TransactionRule {
        paths: locs(&t.paths),
        overrides: slice(t.overrides.iter().map(|(e, l)| (text(e), locs(l))).collect()),
        separator: t.separator.as_deref().map(text),
        generate: t.generate,
    });
    let at = |at: &ir::webhook::CustomerAt| CustomerAt {
        base: at.base,
        fields: slice(at.fields.iter().filter_map(|(v, slot)| Some((customer_field(v)?, *slot))).collect()),
    };
    let customer = w
        .customer
        .as_ref()
        .map(|c| CustomerRule { default: at(&c.default), overrides: slice(c.overrides.iter().map(|(e, a)| (text(e), at(a))).collect()) });
    let triggers = ir
        .triggers
        .iter()
        .map(|t| TriggerInfo {
            event: text(&t.event),
            label: text(&t.label),
            description: text(&t.description),
            icon: text(&t.icon),
            img: text(&t.img),
        })
        .collect();
    let handlers = ir
        .sync
        .iter()
        .flat_map(|s| s.handlers.iter().map(move |h| (s, h)))
        .map(|(s, h)| {
            let target = match &h.target {
                Target::Resource(i) => {
                    miniapp::sync::handler::TargetSpec::Resource(text(s.resources.get(*i).map_or("", |r| r.json.as_str())))
                }
                Target::RecordType(t) => miniapp::sync::handler::TargetSpec::RecordType(text(t)),
            };
            let operation = match h.operation {
                model::Operation::Create => miniapp::sync::Operation::Create,
                model::Operation::Update => miniapp::sync::Operation::Update,
                model::Operation::Upsert => miniapp::sync::Operation::Upsert,
            };
            leak(miniapp::sync::handler::HandlerSpec {
                event: text(&h.event),
                target,
                operation,
                data: steps(&h.data),
                record: captures(&h.captures),
            })
        })
        .collect::<Vec<&'static miniapp::sync::handler::HandlerSpec>>();
    Some(leak(Spec {
        paths: slice(paths),
        eager: w.eager,
        verification,
        challenge,
        event,
        transaction,
        customer,
        response_status: w.response_status,
        response_body: text(&w.response_body),
        triggers: slice(triggers),
        handlers: slice(handlers),
        probes: OnceLock::new(),
    }))
}

/// The definition, interpreted: what its connector would be.
pub struct Interpreted {
    pub ir: Ir,
    app: &'static App,
    spec: Option<&'static Spec>,
}

static CURRENT: OnceLock<(&'static App, Option<&'static Spec>, &'static Ir)> = OnceLock::new();

impl Interpreted {
    /// Builds the descriptors of a lowered definition. One per process (the runtime's
    /// descriptors are statics): a second call keeps the first.
    pub fn new(ir: Ir) -> &'static Interpreted {
        let refresh = ir.auth.refresh.as_ref().map(request);
        let app = leak(App {
            ns: text(&ir.ns),
            config: slice(ir.config.iter().map(|(k, v)| (text(k), text(v))).collect()),
            sensitive_keys: slice(ir.sensitive.iter().map(|k| text(k)).collect()),
            stored: slice(ir.credentials.iter().map(|c| (text(&c.json), text(&c.hint))).collect()),
            refresh,
            auto_refresh: ir.auth.auto_refresh,
        });
        let spec = webhook(&ir);
        let interpreted = leak(Interpreted { ir, app, spec });
        let _ = CURRENT.set((interpreted.app, interpreted.spec, &interpreted.ir));
        interpreted
    }

    /// A client of one install, with `values` as its credentials and metadata.
    pub fn client(&'static self, values: Vec<(Bag, &'static str, Value)>, base_url: Option<&str>) -> Result<Client, miniapp::Error> {
        let mut builder = miniapp::Builder::<Client>::new(values, ());
        if let Some(url) = base_url {
            builder = builder.base_url(url);
        }
        builder.try_build()
    }

    /// The bag of each key a credentials file may hold, by the definition's key names.
    pub fn credential(&self, key: &str) -> Option<(Bag, &'static str)> {
        let c = self.ir.credentials.iter().find(|c| c.json == key)?;
        Some((if c.metadata { Bag::Metadata } else { Bag::Credentials }, text(&c.json)))
    }

    pub fn has_webhook(&self) -> bool {
        self.spec.is_some()
    }
}

/// A client of the interpreted definition.
pub struct Client {
    engine: Engine,
}

static EMPTY: App = App { ns: "", config: &[], sensitive_keys: &[], stored: &[], refresh: None, auto_refresh: false };

impl miniapp::Connector for Client {
    fn app() -> &'static App {
        CURRENT.get().map_or(&EMPTY, |(app, _, _)| app)
    }
    type Parts = ();
    fn assemble(engine: Engine, _: ()) -> Self {
        Client { engine }
    }
}

/// Why an action cannot run here.
#[derive(Debug)]
pub enum InvokeError {
    NoSuchAction(String),
    /// The action calls an App Function (JavaScript), which only the platform runs.
    Function(String),
    Input(String),
    Runtime(miniapp::Error),
}

impl Client {
    /// Runs `action` with `input`, as the compiled connector's method does; the output as the
    /// compiled output type writes it (typed from samples, leniently).
    pub async fn invoke(&self, action: &str, input: &Map<String, Value>) -> Result<Value, InvokeError> {
        let Some((_, _, ir)) = CURRENT.get() else { return Err(InvokeError::NoSuchAction(action.to_string())) };
        let Some(a) = ir.actions.iter().find(|a| a.json == action) else { return Err(InvokeError::NoSuchAction(action.to_string())) };
        if let Some(TypeDef::Struct { fields, .. }) = a.input.as_ref().and_then(|name| find(&ir.types, name)) {
            let missing: Vec<&str> =
                fields.iter().filter(|f| f.required && !input.contains_key(&f.json)).map(|f| f.json.as_str()).collect();
            if !missing.is_empty() {
                return Err(InvokeError::Input(format!(
                    "the input lacks {}",
                    missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ")
                )));
            }
        }
        let defaults = slice(a.defaults.iter().map(|(k, v)| (text(k), tpl(v))).collect());
        let mut call = self.engine.begin(&a.json, input, defaults).await.map_err(InvokeError::Runtime)?;
        for step in &a.steps {
            match step {
                StepIr::Http(r) => call.step(request(r)).await.map_err(InvokeError::Runtime)?,
                StepIr::Function { json, .. } => return Err(InvokeError::Function(json.clone())),
            }
        }
        let out: Map<String, Value> = call.finish(&a.json).map_err(InvokeError::Runtime)?;
        Ok(Value::Object(typed_object(out, &a.output_fields, &ir.types)))
    }

    /// Runs one delivery through the webhook block, as `receive_webhook` does.
    pub async fn replay(
        &self,
        request: &miniapp::webhook::Request<'_>,
    ) -> Result<miniapp::webhook::Delivery<Event>, miniapp::webhook::Rejection> {
        miniapp::webhook::receive(self, request).await
    }
}

fn find<'t>(types: &'t [TypeDef], name: &str) -> Option<&'t TypeDef> {
    types.iter().find(|t| match t {
        TypeDef::Struct { name: n, .. } | TypeDef::Enum { name: n, .. } | TypeDef::Data { name: n, .. } => n == name,
    })
}

/// The fields of an object as a struct with `fields` writes them: its keys only, each value
/// read as its type (a lenient field that does not fit is left out, as `None` is).
fn typed_object(mut object: Map<String, Value>, fields: &[ir::Field], types: &[TypeDef]) -> Map<String, Value> {
    let mut out = Map::new();
    for f in fields {
        let Some(value) = object.remove(&f.json) else { continue };
        let value = if f.lenient { typed(value, &f.ty, types) } else { Some(value) };
        if let Some(value) = value.filter(|v| !v.is_null() || f.required) {
            out.insert(f.json.clone(), value);
        }
    }
    out
}

/// `value` as serde reads it into `ty` and writes it back, or `None` when it does not fit.
fn typed(value: Value, ty: &Ty, types: &[TypeDef]) -> Option<Value> {
    match (ty, value) {
        (Ty::Json, v) => Some(v),
        (Ty::String, v @ Value::String(_)) | (Ty::Bool, v @ Value::Bool(_)) | (Ty::JsonMap, v @ Value::Object(_)) => Some(v),
        (Ty::I64, Value::Number(n)) => n.as_i64().map(Value::from),
        (Ty::F64, Value::Number(n)) => n.as_f64().map(Value::from),
        (Ty::Option(_), Value::Null) => Some(Value::Null),
        (Ty::Option(t), v) => typed(v, t, types),
        (Ty::Vec(t), Value::Array(items)) => items.into_iter().map(|v| typed(v, t, types)).collect::<Option<Vec<_>>>().map(Value::Array),
        (Ty::SyncItems, v @ Value::Array(_)) => Some(v),
        (Ty::Named(name), Value::Object(object)) => match find(types, name)? {
            TypeDef::Data { fields, .. } => {
                let required_fit = fields
                    .iter()
                    .filter(|f| f.required)
                    .all(|f| object.get(&f.json).is_some_and(|v| typed(v.clone(), &f.ty, types).is_some()));
                required_fit.then(|| Value::Object(typed_object(object, fields, types)))
            }
            _ => None,
        },
        _ => None,
    }
}

/// An event of the interpreted definition: its string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event(String);

impl miniapp::webhook::WebhookEvent for Event {
    type Record = Record;
    fn from_event(event: &str) -> Self {
        Event(event.to_string())
    }
    fn as_str(&self) -> &str {
        &self.0
    }
}

miniapp::webhook_event_impls!(Event);

/// A record a sync handler writes, as the compiled record type writes it.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Record(Value);

impl miniapp::sync::HandlerRecord for Record {
    fn from_target(_: &miniapp::sync::Target, record: Value) -> Result<Self, serde_json::Error> {
        Ok(Record(record))
    }
}

impl miniapp::webhook::Receiver for Client {
    type Event = Event;
    const NS: &'static str = "miniapp";
    fn engine(&self) -> &Engine {
        &self.engine
    }
    fn spec(&self) -> &'static Spec {
        static NONE: OnceLock<&'static Spec> = OnceLock::new();
        match CURRENT.get().and_then(|(_, spec, _)| *spec) {
            Some(spec) => spec,
            None => NONE.get_or_init(|| {
                leak(Spec {
                    paths: &[],
                    eager: 0,
                    verification: Verification::None,
                    challenge: None,
                    event: None,
                    transaction: None,
                    customer: None,
                    response_status: 200,
                    response_body: "{}",
                    triggers: &[],
                    handlers: &[],
                    probes: OnceLock::new(),
                })
            }),
        }
    }
    fn map_record(&self, event: &str, captured: Captured<'_>) -> Result<Record, Problem> {
        let Some((_, _, ir)) = CURRENT.get() else { return Err(Problem::NoHandler { event: event.to_string() }) };
        let Some(sync) = &ir.sync else { return Err(Problem::NoHandler { event: event.to_string() }) };
        let Some(h) = sync.handlers.iter().find(|h| h.event == event) else { return Err(Problem::NoHandler { event: event.to_string() }) };
        let mapper = match &h.target {
            Target::Resource(i) => sync.resources.get(*i).map(|r| &r.mapper),
            Target::RecordType(_) => h.mapper.as_ref(),
        };
        let Some(mapper) = mapper else { return Err(Problem::NoHandler { event: event.to_string() }) };
        map(mapper, sync, captured).map(Record)
    }
}

/// A record mapped as the generated mapper maps it, written as its record type writes it.
fn map(m: &Mapper, sync: &ir::sync::SyncIr, mut c: Captured<'_>) -> Result<Value, Problem> {
    let record = sync.records.iter().find(|r| r.name == m.record);
    let mut out = Map::new();
    for (key, rule) in &m.fields {
        let field = record.and_then(|r| r.fields.iter().find(|f| f.json == *key));
        let k = text(key);
        let value: Option<Value> = match rule {
            Rule::Value(s) => c.value(*s),
            Rule::Text(s) | Rule::Codes(s) => c.text(*s, k)?.map(Value::String),
            Rule::Number(s) => c.number(*s).map(Value::from),
            Rule::Items(s) => {
                c.items(*s, k)?.map(|items| Value::Array(items.iter().filter_map(|i| i.object().ok()).map(Value::Object).collect()))
            }
            Rule::Coalesce(slots) => c.coalesce(slots),
            Rule::Compute { function, .. } => {
                return Err(Problem::Compute {
                    field: k,
                    function: text(function),
                    message: "compute functions run only in a compiled connector".into(),
                });
            }
        };
        let value = match field.and_then(|f| f.typed.as_ref()) {
            Some(ty) => value.and_then(|v| typed(v, ty, &sync.types)),
            None => value,
        };
        if let Some(v) = value.filter(|v| !v.is_null()) {
            out.insert(key.clone(), v);
        }
    }
    Ok(Value::Object(out))
}
