//! The `webhook` block lowered for code generation (FORMAT.md §10): the event enum's variants,
//! every body path parsed once into a table of slots, header names lowercased, defaults applied.

use crate::model::{self, Definition, EventLocation, EventSource, SignatureEncoding, VerificationType};
use crate::names;
use crate::path::{self, Step};

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
    pub paths: Vec<usize>,
    pub overrides: Vec<(String, Vec<usize>)>,
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

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomerRule {
    pub base: usize,
    pub overrides: Vec<(String, usize)>,
    /// `miniapp::CustomerField` variant → path inside the base object.
    pub fields: Vec<(&'static str, Vec<Step>)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verification {
    None,
    Hmac { sha1: bool, header: String, secret_key: String, base64: bool },
    HeaderToken { header: String, secret_key: String },
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookIr {
    /// The body paths the rules read, each once.
    pub paths: Vec<Vec<Step>>,
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

/// The body paths of one delivery, each parsed once.
#[derive(Default)]
struct Slots {
    paths: Vec<Vec<Step>>,
}

impl Slots {
    fn add(&mut self, steps: Vec<Step>) -> usize {
        match self.paths.iter().position(|p| *p == steps) {
            Some(i) => i,
            None => {
                self.paths.push(steps);
                self.paths.len() - 1
            }
        }
    }

    /// A path the checks have validated; one that does not parse is a compiler bug, reported.
    fn path(&mut self, text: &str, what: &str) -> Result<usize, String> {
        let parsed = path::parse(text).map_err(|e| format!("{what}: invalid path `{text}`: {e}"))?;
        Ok(self.add(parsed.steps))
    }

    fn loc(&mut self, loc: &EventLocation) -> Result<Loc, String> {
        Ok(match loc.source {
            EventSource::Body => Loc::Body(self.path(&loc.path, "eventExtraction")?),
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
pub fn lower(def: &Definition) -> Result<Option<WebhookIr>, String> {
    let Some(w) = &def.webhook else { return Ok(None) };
    let mut slots = Slots::default();

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
            // `identifyField` is a top-level field name (FORMAT.md §10.6).
            identify: slots.add(vec![Step::Field(c.identify_field.clone())]),
            identify_value: c.identify_value.clone(),
            token: slots.path(&c.challenge_path, "challengeResponse.challengePath")?,
            response_field: c.response_field.clone(),
        }),
    };

    let event = match &w.event_extraction {
        None => None,
        Some(ex) => match (&ex.composite_strategy, ex.source, &ex.path) {
            (Some(c), _, _) => Some(EventRule::Composite {
                parts: c.parts.iter().map(|p| slots.loc(p)).collect::<Result<_, _>>()?,
                separator: c.separator.clone(),
            }),
            (None, Some(source), Some(path)) => {
                let primary = slots.loc(&EventLocation { source, path: path.clone() })?;
                let fallback = ex.fallback.as_ref().map(|f| slots.loc(f)).transpose()?;
                Some(EventRule::Single { primary, fallback })
            }
            (None, _, _) => return Err("eventExtraction has neither `source`/`path` nor `compositeStrategy`".to_string()),
        },
    };

    let transaction = match &w.transaction_id {
        None => None,
        Some(t) => {
            let mut paths = |list: &[String]| list.iter().map(|p| slots.path(p, "transactionId")).collect::<Result<Vec<_>, _>>();
            let default = paths(&t.paths)?;
            let overrides = t.overrides.iter().map(|(event, o)| Ok((event.clone(), paths(&o.paths)?))).collect::<Result<_, String>>()?;
            Some(TransactionRule { paths: default, overrides, separator: t.separator.clone(), generate: t.generate_fallback })
        }
    };

    let customer = match &w.customer_extraction {
        None => None,
        Some(c) => {
            let base = slots.path(&c.base_path, "customerExtraction.basePath")?;
            let overrides = c
                .overrides
                .iter()
                .map(|(event, o)| Ok((event.clone(), slots.path(&o.base_path, "customerExtraction.overrides")?)))
                .collect::<Result<_, String>>()?;
            let fields = c
                .mapping
                .iter()
                .map(|(key, field)| {
                    let variant = customer_field(key).ok_or_else(|| format!("customerExtraction: unknown customer field `{key}`"))?;
                    // A mapping value is a path inside the base object (`first_name`,
                    // `address.city`); one that is not a path is a plain key.
                    let steps = path::parse(field).map_or_else(|_| vec![Step::Field(field.clone())], |p| p.steps);
                    Ok((variant, steps))
                })
                .collect::<Result<_, String>>()?;
            Some(CustomerRule { base, overrides, fields })
        }
    };

    let (response_status, response_body) = match &w.response {
        None => (200, "{}".to_string()),
        Some(model::WebhookResponse { status_code, body }) => {
            (*status_code, body.as_ref().map_or_else(|| "{}".to_string(), serde_json::Value::to_string))
        }
    };

    Ok(Some(WebhookIr { paths: slots.paths, verification, challenge, event, transaction, customer, response_status, response_body }))
}
