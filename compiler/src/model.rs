//! The typed definition: serde types for every block of docs/format.md §3–§12.
//!
//! Both documentation revisions are accepted and normalised (docs/format.md §2): `transactionId.path`
//! becomes `paths`, both sync handler shapes are one enum, `null` optional blocks are absent.
//! Unknown keys are kept in `extra` (and reported as `W0702` by the schema). Maps keep document
//! order, so everything generated from the model is deterministic.

use indexmap::IndexMap;
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::source::Node;

/// An ordered map with string keys.
pub type Map<T> = IndexMap<String, T>;
/// Keys the model does not know, kept as they were.
pub type Extra = Map<Value>;

fn null_as_default<'de, D: Deserializer<'de>, T: Default + Deserialize<'de>>(d: D) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Definition {
    pub ns: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub label: String,
    pub description: String,
    pub short_description: String,
    pub status: Status,
    pub version: String,
    pub category: Category,
    pub icon: String,
    pub logo: String,
    pub docs_url: String,
    #[serde(default)]
    pub youtube_id: Option<String>,
    pub auth: Auth,
    #[serde(default, deserialize_with = "null_as_default")]
    pub actions: Vec<Action>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub triggers: Vec<Trigger>,
    #[serde(default)]
    pub webhook: Option<Webhook>,
    #[serde(default)]
    pub sync: Option<Sync>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub source: Map<Source>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub functions: Map<AppFunction>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub dashboard_apps: Vec<DashboardApp>,
    /// Karzoun-internal (§3.4), kept untyped.
    #[serde(default)]
    pub provisioning: Option<Value>,
    #[serde(default, rename = "$schema")]
    pub schema: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Definition {
    /// Reads the model from a spanned tree (normally one that passed the checks).
    pub fn from_node(root: &Node) -> Result<Self, serde_json::Error> {
        Self::from_json(root.to_json())
    }

    /// Reads the model from the document's JSON value.
    pub fn from_json(value: Value) -> Result<Self, serde_json::Error> {
        serde_json::from_value(value)
    }
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Public,
    Private,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Ecommerce,
    Productivity,
    Communication,
    Marketing,
    Developer,
    Payment,
    Social,
    Storage,
    Analytics,
    Crm,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
pub enum Method {
    #[serde(rename = "GET")]
    Get,
    #[serde(rename = "POST")]
    Post,
    #[serde(rename = "PUT")]
    Put,
    #[serde(rename = "PATCH")]
    Patch,
    #[serde(rename = "DELETE")]
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
pub enum BodyType {
    #[serde(rename = "json")]
    Json,
    #[serde(rename = "x-www-form-urlencoded")]
    Form,
    #[serde(rename = "formData")]
    Multipart,
}

/// One `{ name, value }` entry of an array mapping.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct NamedPath {
    pub name: String,
    pub value: String,
}

/// A response mapping (docs/format.md §7.2).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum Mapping {
    /// Persisted (auth steps) / the action's result (final step).
    Object(Map<String>),
    /// Forwarded to later steps only.
    Array(Vec<NamedPath>),
}

impl Default for Mapping {
    fn default() -> Self {
        Mapping::Object(Map::new())
    }
}

/// The shared HTTP request template (docs/format.md §4).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Request {
    pub url: String,
    pub method: Method,
    #[serde(default, deserialize_with = "null_as_default")]
    pub headers: Map<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub query_params: Map<String>,
    #[serde(default)]
    pub body_type: Option<BodyType>,
    #[serde(default)]
    pub body: Option<Value>,
    #[serde(default)]
    pub mapping: Mapping,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
pub enum AuthType {
    #[serde(rename = "bearer_token")]
    BearerToken,
    #[serde(rename = "apikey")]
    ApiKey,
    #[serde(rename = "oauth2")]
    OAuth2,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum FormFieldType {
    Text,
    Password,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct FormField {
    #[serde(rename = "type")]
    pub kind: FormFieldType,
    pub label: String,
    #[serde(default)]
    pub placeholder: Option<String>,
    #[serde(default)]
    pub required: bool,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Auth {
    #[serde(rename = "type")]
    pub kind: AuthType,
    #[serde(default)]
    pub sensitive_keys: Vec<String>,
    #[serde(default)]
    pub config: Map<String>,
    #[serde(default)]
    pub user_details: Option<Request>,
    #[serde(default, rename = "get_token")]
    pub get_token: Option<Request>,
    #[serde(default, rename = "refresh_token")]
    pub refresh_token: Option<Request>,
    /// Default `false` (docs/format.md §5.2 proposed).
    #[serde(default, rename = "auto_refresh")]
    pub auto_refresh: bool,
    #[serde(default, rename = "auth_url")]
    pub auth_url: Option<Request>,
    #[serde(default)]
    pub registration_requests: Vec<Request>,
    #[serde(default)]
    pub form: Map<FormField>,
    #[serde(default, rename = "test_token")]
    pub test_token: Option<Request>,
}

/// An action's `parameters` (a JSON Schema subset, docs/format.md §8.3).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct Parameters {
    #[serde(default)]
    pub required: Vec<String>,
    #[serde(default)]
    pub properties: Map<Property>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Property {
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, rename = "enum")]
    pub enum_values: Option<Vec<Value>>,
    #[serde(default)]
    pub default: Option<Value>,
    #[serde(default, rename = "x-source")]
    pub x_source: Option<String>,
    #[serde(default, rename = "x-fallback")]
    pub x_fallback: Option<String>,
    #[serde(default)]
    pub required: Vec<String>,
    #[serde(default)]
    pub properties: Map<Property>,
    /// An array's `items`: the schema of its elements, or `true`/`false`.
    #[serde(default)]
    pub items: Option<Items>,
    /// Other standard JSON Schema keywords, passed through.
    #[serde(flatten)]
    pub extra: Extra,
}

/// An array parameter's `items`.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum Items {
    /// Every element follows this schema.
    Schema(Box<Property>),
    /// `true` (any element) or `false` (none).
    Any(bool),
}

/// A step of an action pipeline (docs/format.md §8.4).
#[derive(Clone, Debug, PartialEq)]
#[expect(clippy::large_enum_variant, reason = "almost every step is HTTP; boxing would allocate per step and save nothing")]
pub enum Step {
    Http(Request),
    Function { name: String, args: Map<Value> },
}

impl<'de> Deserialize<'de> for Step {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(d)?;
        if value.get("type").and_then(Value::as_str) == Some("function") {
            #[derive(Deserialize)]
            struct F {
                name: String,
                #[serde(default)]
                args: Map<Value>,
            }
            let f: F = serde_json::from_value(value).map_err(serde::de::Error::custom)?;
            Ok(Step::Function { name: f.name, args: f.args })
        } else {
            serde_json::from_value(value).map(Step::Http).map_err(serde::de::Error::custom)
        }
    }
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Action {
    pub name: String,
    pub title: String,
    pub description: String,
    /// Only `auto` exists; default `auto` (docs/format.md §8.1 proposed).
    #[serde(default)]
    pub render_strategy: Option<String>,
    #[serde(default)]
    pub parameters: Parameters,
    pub requests: Vec<Step>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct AppFunction {
    pub params: Vec<String>,
    pub code: String,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Trigger {
    #[serde(rename = "type")]
    pub kind: String,
    pub event: String,
    pub img: String,
    pub icon: String,
    pub label: String,
    pub description: String,
    pub is_custom: bool,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum EventSource {
    Body,
    Header,
    Query,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct EventLocation {
    pub source: EventSource,
    pub path: String,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct CompositeStrategy {
    pub parts: Vec<EventLocation>,
    pub separator: String,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct EventExtraction {
    #[serde(default)]
    pub source: Option<EventSource>,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub fallback: Option<EventLocation>,
    /// When present, `source`/`path` are ignored (docs/format.md §10.3).
    #[serde(default)]
    pub composite_strategy: Option<CompositeStrategy>,
}

/// Where a delivery id is (docs/format.md §10.4): a body path, or `{ source, path }` as in
/// `eventExtraction` (a header or query value; a miniapp-rs extension).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum IdLocation {
    Path(String),
    At(EventLocation),
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct PathsOverride {
    pub paths: Vec<IdLocation>,
}

/// De-duplication (docs/format.md §10.4), normalised: `path: P` is read as `paths: [P]`.
#[derive(Clone, Debug, PartialEq)]
pub struct TransactionId {
    pub paths: Vec<IdLocation>,
    pub separator: Option<String>,
    /// `fallback: "generate"`.
    pub generate_fallback: bool,
    pub overrides: Map<PathsOverride>,
}

impl<'de> Deserialize<'de> for TransactionId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Raw {
            #[serde(default)]
            path: Option<IdLocation>,
            #[serde(default)]
            paths: Vec<IdLocation>,
            #[serde(default)]
            separator: Option<String>,
            #[serde(default)]
            fallback: Option<String>,
            #[serde(default)]
            overrides: Map<PathsOverride>,
        }
        let raw = Raw::deserialize(d)?;
        let mut paths = raw.paths;
        if let Some(p) = raw.path {
            paths.insert(0, p);
        }
        Ok(TransactionId {
            paths,
            separator: raw.separator,
            generate_fallback: raw.fallback.as_deref() == Some("generate"),
            overrides: raw.overrides,
        })
    }
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
pub enum VerificationType {
    #[serde(rename = "hmac-sha256")]
    HmacSha256,
    #[serde(rename = "hmac-sha1")]
    HmacSha1,
    #[serde(rename = "header-token")]
    HeaderToken,
    #[serde(rename = "none")]
    None,
}

#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum SignatureEncoding {
    #[default]
    Hex,
    Base64,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Verification {
    #[serde(rename = "type")]
    pub kind: VerificationType,
    #[serde(default)]
    pub header_name: Option<String>,
    #[serde(default)]
    pub secret_key: Option<String>,
    /// Kept, but its semantics are undocumented (docs/format.md §16 item 32).
    #[serde(default)]
    pub timestamp_header: Option<String>,
    #[serde(default)]
    pub encoding: SignatureEncoding,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ChallengeResponse {
    pub identify_field: String,
    pub identify_value: String,
    pub challenge_path: String,
    #[serde(default)]
    pub response_field: Option<String>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct WebhookResponse {
    /// Default 200 (docs/format.md §10.7 proposed).
    #[serde(default = "default_status")]
    pub status_code: u16,
    #[serde(default)]
    pub body: Option<Value>,
}

fn default_status() -> u16 {
    200
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct BasePathOverride {
    pub base_path: String,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CustomerExtraction {
    pub base_path: String,
    /// Karzoun customer field → field name in the object at `basePath`.
    pub mapping: Map<String>,
    #[serde(default)]
    pub overrides: Map<BasePathOverride>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Webhook {
    #[serde(default)]
    pub event_extraction: Option<EventExtraction>,
    #[serde(default)]
    pub transaction_id: Option<TransactionId>,
    #[serde(default)]
    pub verification: Option<Verification>,
    #[serde(default)]
    pub challenge_response: Option<ChallengeResponse>,
    #[serde(default)]
    pub response: Option<WebhookResponse>,
    #[serde(default)]
    pub customer_extraction: Option<CustomerExtraction>,
    /// Deprecated (§10.9), kept untyped.
    #[serde(default)]
    pub ecommerce: Option<Value>,
    /// Karzoun-internal (§3.4), kept untyped.
    #[serde(default)]
    pub merchant_extraction: Option<Value>,
    #[serde(default)]
    pub uninstall_events: Option<Value>,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum Transform {
    ToString,
    ToNumberOrNull,
    Coalesce,
    Compute,
    MapItems,
    JoinCodes,
}

/// A field-mapping rule (docs/format.md §11.5).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum MappingRule {
    Path(String),
    Rule {
        #[serde(default)]
        path: Option<String>,
        #[serde(default)]
        paths: Vec<String>,
        #[serde(default)]
        transform: Option<Transform>,
        #[serde(default, rename = "fn")]
        function: Option<String>,
        #[serde(default)]
        args: Option<Value>,
    },
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Endpoint {
    pub url: String,
    pub method: Method,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Endpoints {
    pub list: Endpoint,
    #[serde(default)]
    pub details: Option<Endpoint>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Pagination {
    #[serde(default)]
    pub param_name: Option<String>,
    #[serde(default)]
    pub default_limit: Option<u64>,
    #[serde(default)]
    pub max_limit: Option<u64>,
    /// miniapp-rs extensions (docs/format.md §11.3): how pages are named.
    #[serde(default)]
    pub style: PagingStyle,
    /// The page-number parameter (`page`).
    #[serde(default)]
    pub page_param: Option<String>,
    /// The first page's number (1).
    #[serde(default)]
    pub first_page: Option<u64>,
    /// The offset parameter (`offset`).
    #[serde(default)]
    pub offset_param: Option<String>,
    /// The parameter a cursor is sent back in.
    #[serde(default)]
    pub cursor_param: Option<String>,
}

/// `pagination.style` (a miniapp-rs extension; `page` when absent).
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum PagingStyle {
    #[default]
    Page,
    Offset,
    Cursor,
    Link,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ResponseMapping {
    #[serde(default)]
    pub data_property: Option<String>,
    #[serde(default)]
    pub total_property: Option<String>,
    /// Where a page names the next one (cursor paging, a miniapp-rs extension).
    #[serde(default)]
    pub next_property: Option<String>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Resource {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    pub content_type: String,
    #[serde(default)]
    pub expand_details: bool,
    pub endpoints: Endpoints,
    #[serde(default)]
    pub pagination: Pagination,
    #[serde(default)]
    pub response_mapping: ResponseMapping,
    pub api_mapping: Map<MappingRule>,
    #[serde(default)]
    pub icon: Option<String>,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum RecordType {
    Order,
    AbandonedCart,
}

#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Operation {
    Create,
    Update,
    Upsert,
}

/// A real-time sync handler: both documented shapes (docs/format.md §11.6) as one enum.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(untagged)]
pub enum Handler {
    /// Shape B: reuse a resource's `apiMapping` on the object at `dataPath`.
    Resource {
        resource: String,
        operation: Operation,
        #[serde(rename = "dataPath")]
        data_path: String,
    },
    /// Shape A: an inline mapping.
    Inline {
        #[serde(rename = "recordType")]
        record_type: RecordType,
        operation: Operation,
        mapping: Map<MappingRule>,
    },
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
pub struct SyncWebhooks {
    #[serde(default)]
    pub handlers: Map<Handler>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct SyncConfiguration {
    #[serde(default)]
    pub enabled: Option<bool>,
    #[serde(default)]
    pub batch_size: Option<u64>,
    #[serde(default)]
    pub rate_limit_per_second: Option<f64>,
    /// Milliseconds (docs/format.md §11.2 proposed).
    #[serde(default)]
    pub timeout: Option<u64>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Sync {
    #[serde(default)]
    pub base_url: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub headers: Map<String>,
    #[serde(default)]
    pub sync_configuration: SyncConfiguration,
    #[serde(default)]
    pub resources: Map<Resource>,
    #[serde(default)]
    pub webhooks: SyncWebhooks,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Source {
    pub url: String,
    pub method: Method,
    #[serde(default, deserialize_with = "null_as_default")]
    pub headers: Map<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub query_params: Map<String>,
    /// Absent: the response itself is the array (docs/format.md §12 proposed).
    #[serde(default)]
    pub data_path: Option<String>,
    pub value_field: String,
    pub label_field: String,
    #[serde(default)]
    pub value_fields: Map<String>,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct DashboardApp {
    pub key: String,
    pub name: String,
    pub iframe_url: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub icon: Option<String>,
    #[serde(default)]
    pub allowed_actions: Vec<String>,
    #[serde(default)]
    pub default_status: Option<String>,
}
