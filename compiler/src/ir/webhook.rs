//! The `webhook` block lowered for code generation (docs/format.md §10): the event enum's variants,
//! every body path parsed once into a table of slots, header names lowercased, defaults applied.

use crate::facts::Facts;
use crate::model::{self, Definition, EventLocation, EventSource, IdLocation, SignatureEncoding, VerificationType};
use crate::names;
use crate::path::Step;
use crate::pointer;

/// One variant of the generated `Event` enum.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventVariant {
    pub rust: String,
    pub event: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Loc {
    Body(usize),
    Header(String),
    Query(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EventRule {
    Single { primary: Loc, fallback: Option<Loc> },
    Composite { parts: Vec<Loc>, separator: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransactionRule {
    pub paths: Vec<Loc>,
    pub overrides: Vec<(String, Vec<Loc>)>,
    pub separator: Option<String>,
    pub generate: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChallengeRule {
    pub identify: usize,
    pub identify_value: String,
    pub token: usize,
    pub response_field: Option<String>,
}

/// A customer's base path slot and its fields' slots (base path + mapping value).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomerAt {
    pub base: usize,
    /// `miniapp::CustomerField` variant → slot.
    pub fields: Vec<(&'static str, usize)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomerRule {
    pub default: CustomerAt,
    pub overrides: Vec<(String, CustomerAt)>,
}

/// A body path the rules read: its value, or only whether an object is there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slot {
    pub steps: Vec<Step>,
    pub object_only: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verification {
    None,
    Hmac { sha1: bool, header: String, secret_key: String, base64: bool },
    HeaderToken { header: String, secret_key: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookIr {
    /// The body paths the rules read, each once: first those every delivery needs, then those
    /// only per-event overrides read.
    pub paths: Vec<Slot>,
    /// How many of `paths` every delivery needs.
    pub eager: usize,
    pub verification: Verification,
    pub challenge: Option<ChallengeRule>,
    pub event: Option<EventRule>,
    pub transaction: Option<TransactionRule>,
    pub customer: Option<CustomerRule>,
    pub response_status: u16,
    /// JSON text.
    pub response_body: String,
}

/// The events a definition names, each once, in document order: trigger events, then the keys of
/// `transactionId.overrides`, `customerExtraction.overrides` and `sync.webhooks.handlers`.
pub fn events(def: &Definition) -> Vec<EventVariant> {
    let mut events: Vec<&str> = Vec::new();
    let webhook = def.webhook.as_ref();
    let names = def
        .triggers
        .iter()
        .map(|t| t.event.as_str())
        .chain(webhook.and_then(|w| w.transaction_id.as_ref()).into_iter().flat_map(|t| t.overrides.keys().map(String::as_str)))
        .chain(webhook.and_then(|w| w.customer_extraction.as_ref()).into_iter().flat_map(|c| c.overrides.keys().map(String::as_str)))
        .chain(def.sync.as_ref().into_iter().flat_map(|s| s.webhooks.handlers.keys().map(String::as_str)));
    for name in names {
        if !events.contains(&name) {
            events.push(name);
        }
    }
    let rust = names::event_variants(events.iter().copied());
    events.into_iter().zip(rust).map(|(event, rust)| EventVariant { rust, event: event.to_string() }).collect()
}

/// The body paths of one delivery, each read once (as the checks parsed them).
struct Slots<'f> {
    facts: &'f Facts,
    paths: Vec<Slot>,
}

impl Slots<'_> {
    /// The slot of `steps`; a value capture wins over an object-only one at the same path.
    fn add(&mut self, steps: Vec<Step>, object_only: bool) -> usize {
        match self.paths.iter().position(|p| p.steps == steps) {
            Some(i) => {
                self.paths[i].object_only &= object_only;
                i
            }
            None => {
                self.paths.push(Slot { steps, object_only });
                self.paths.len() - 1
            }
        }
    }

    /// The slot of the path written at `ptr`.
    fn path(&mut self, ptr: &str) -> Result<usize, String> {
        let steps = self.facts.path(ptr)?.to_vec();
        Ok(self.add(steps, false))
    }

    /// A customer at the base path written at `base`: the base only as "is an object there",
    /// each field by its own path inside it (as the checks read it).
    fn customer(&mut self, base: &str, mapping: &model::Map<String>) -> Result<CustomerAt, String> {
        let base_steps = self.facts.path(base)?.to_vec();
        let slot = self.add(base_steps.clone(), true);
        let fields = mapping
            .keys()
            .map(|key| {
                let variant = customer_field(key).ok_or_else(|| format!("customerExtraction: unknown customer field `{key}`"))?;
                let inner = self.facts.path(&pointer::join("/webhook/customerExtraction/mapping", key))?;
                let steps = base_steps.iter().chain(inner).cloned().collect();
                Ok((variant, self.add(steps, false)))
            })
            .collect::<Result<_, String>>()?;
        Ok(CustomerAt { base: slot, fields })
    }

    /// An event location written at `ptr`.
    fn loc(&mut self, ptr: &str, loc: &EventLocation) -> Result<Loc, String> {
        Ok(match loc.source {
            EventSource::Body => Loc::Body(self.path(&format!("{ptr}/path"))?),
            EventSource::Header => Loc::Header(loc.path.to_ascii_lowercase()),
            EventSource::Query => Loc::Query(loc.path.clone()),
        })
    }
}

fn customer_field(key: &str) -> Option<&'static str> {
    Some(match key {
        "firstName" => "FirstName",
        "lastName" => "LastName",
        "primaryEmail" => "PrimaryEmail",
        "primaryPhone" => "PrimaryPhone",
        "code" => "Code",
        "avatar" => "Avatar",
        "sex" => "Sex",
        "birthDate" => "BirthDate",
        "position" => "Position",
        "department" => "Department",
        "state" => "State",
        _ => return None,
    })
}

/// Lowers the `webhook` block, if any.
pub fn lower(def: &Definition, facts: &Facts) -> Result<Option<WebhookIr>, String> {
    let Some(w) = &def.webhook else { return Ok(None) };
    let mut slots = Slots { facts, paths: Vec::new() };

    let verification = match &w.verification {
        None => Verification::None,
        Some(v) => {
            let header = v.header_name.as_deref().unwrap_or_default().to_ascii_lowercase();
            let secret_key = v.secret_key.clone().unwrap_or_default();
            match v.kind {
                VerificationType::None => Verification::None,
                VerificationType::HmacSha256 | VerificationType::HmacSha1 => Verification::Hmac {
                    sha1: v.kind == VerificationType::HmacSha1,
                    header,
                    secret_key,
                    base64: v.encoding == SignatureEncoding::Base64,
                },
                VerificationType::HeaderToken => Verification::HeaderToken { header, secret_key },
            }
        }
    };

    let challenge = match &w.challenge_response {
        None => None,
        Some(c) => Some(ChallengeRule {
            // `identifyField` is a top-level field name (docs/format.md §10.6).
            identify: slots.add(vec![Step::Field(c.identify_field.clone())], false),
            identify_value: c.identify_value.clone(),
            token: slots.path("/webhook/challengeResponse/challengePath")?,
            response_field: c.response_field.clone(),
        }),
    };

    let event = match &w.event_extraction {
        None => None,
        Some(ex) => match (&ex.composite_strategy, ex.source, &ex.path) {
            (Some(c), _, _) => Some(EventRule::Composite {
                parts: c
                    .parts
                    .iter()
                    .enumerate()
                    .map(|(i, p)| slots.loc(&format!("/webhook/eventExtraction/compositeStrategy/parts/{i}"), p))
                    .collect::<Result<_, _>>()?,
                separator: c.separator.clone(),
            }),
            (None, Some(source), Some(path)) => {
                let primary = slots.loc("/webhook/eventExtraction", &EventLocation { source, path: path.clone() })?;
                let fallback = ex.fallback.as_ref().map(|f| slots.loc("/webhook/eventExtraction/fallback", f)).transpose()?;
                Some(EventRule::Single { primary, fallback })
            }
            (None, _, _) => return Err("eventExtraction has neither `source`/`path` nor `compositeStrategy`".to_string()),
        },
    };

    // Every delivery reads the default paths; only some events read their overrides' paths,
    // which get the slots after `eager`.
    // `path` (one) is read as `paths: [path]`; a `{source, path}` location reads a header, the
    // query, or the body at its `path`.
    let tx_paths = |slots: &mut Slots<'_>, base: &str, locations: &[IdLocation]| {
        locations
            .iter()
            .enumerate()
            .map(|(i, location)| {
                let listed = format!("{base}/paths/{i}");
                let ptr = if facts.path(&listed).is_ok() || facts.path(&format!("{listed}/path")).is_ok() {
                    listed
                } else {
                    format!("{base}/path")
                };
                match location {
                    IdLocation::Path(_) => Ok(Loc::Body(slots.path(&ptr)?)),
                    IdLocation::At(at) => slots.loc(&ptr, at),
                }
            })
            .collect::<Result<Vec<_>, _>>()
    };
    let tx_base = "/webhook/transactionId";
    let tx_default = w.transaction_id.as_ref().map(|t| tx_paths(&mut slots, tx_base, &t.paths)).transpose()?;
    let customer_default =
        w.customer_extraction.as_ref().map(|c| slots.customer("/webhook/customerExtraction/basePath", &c.mapping)).transpose()?;
    let eager = slots.paths.len();

    let transaction = match (&w.transaction_id, tx_default) {
        (Some(t), Some(default)) => {
            let overrides = t
                .overrides
                .iter()
                .map(|(event, o)| {
                    let base = pointer::join(&format!("{tx_base}/overrides"), event);
                    Ok((event.clone(), tx_paths(&mut slots, &base, &o.paths)?))
                })
                .collect::<Result<_, String>>()?;
            Some(TransactionRule { paths: default, overrides, separator: t.separator.clone(), generate: t.generate_fallback })
        }
        _ => None,
    };

    let customer = match (&w.customer_extraction, customer_default) {
        (Some(c), Some(default)) => {
            let overrides = c
                .overrides
                .iter()
                .map(|(event, _)| {
                    let base = format!("{}/basePath", pointer::join("/webhook/customerExtraction/overrides", event));
                    Ok((event.clone(), slots.customer(&base, &c.mapping)?))
                })
                .collect::<Result<_, String>>()?;
            Some(CustomerRule { default, overrides })
        }
        _ => None,
    };

    let (response_status, response_body) = match &w.response {
        None => (200, "{}".to_string()),
        Some(model::WebhookResponse { status_code, body }) => {
            (*status_code, body.as_ref().map_or_else(|| "{}".to_string(), serde_json::Value::to_string))
        }
    };

    Ok(Some(WebhookIr { paths: slots.paths, eager, verification, challenge, event, transaction, customer, response_status, response_body }))
}
