//! The resolved view of a definition: what the checks work out about its templates, paths and
//! stored keys, kept so that lowering ([`crate::ir`]) reads those answers instead of working them
//! out a second time (and possibly differently).
//!
//! The checks build it ([`crate::check`](mod@crate::check)): every templated string parsed with the kind of field
//! it sits in, every placeholder's source decided by one resolver, every path the checks validate
//! parsed, and the keys the store can hold. A thing the checks rejected is absent, and asking for
//! it is an error (a compiler bug, reported as a diagnostic), never a silent default.

use std::collections::BTreeMap;

use crate::path::Step;
use crate::template::UrlContext;

/// Where a placeholder's value comes from at run time. It mirrors `miniapp::rt::template::Src`:
/// the compiler does not link the runtime, and the tests compile the generated code that names
/// both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Src {
    /// The call's variables: action input, earlier step outputs, App Function returns, and the
    /// sync paging values.
    Var,
    /// `[[key]]`: the install's credentials, then its metadata.
    Stored,
    /// A `{{key}}` the store holds (form, metadata) or the definition's `auth.config`.
    Config,
    /// A system value (`webhookUrl`, `subdomain`, `uid`, and in auth `code`, `redirect_uri`).
    System,
}

/// The kind of request field a template sits in, which decides how it is rendered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// A request URL (or `sync.baseUrl`, or a sync endpoint URL).
    Url,
    /// A header value.
    Header,
    /// A `queryParams` value.
    Query,
    /// A string leaf of a request body.
    Body,
    /// A string leaf of an App Function step's `args`.
    Args,
    /// A string in the webhook block: not a template, never rendered.
    Webhook,
}

/// A piece of a template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    Lit(String),
    /// A placeholder: its source, key and (in a URL) its position.
    Ref {
        src: Src,
        key: String,
        url: Option<UrlContext>,
    },
}

/// One templated string, resolved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template {
    pub field: Field,
    pub parts: Vec<Part>,
}

/// Where a stored key comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// An `auth.config` slot.
    Config,
    /// An install-form field, with its label.
    Form(String),
    /// An output of `get_token`.
    GetToken,
    /// An output of `refresh_token`.
    Refresh,
    /// An output of a registration request.
    Registration,
    /// An output of `userDetails`: metadata.
    Metadata,
}

/// A key the store can hold, in declaration order (the same key may appear with several
/// origins; the first names it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredKey {
    pub name: String,
    pub origin: Origin,
}

/// What a path finds in its samples (docs/format.md §17), for typing what it reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observed {
    /// The values found, unified across the samples (absent where a sample has nothing).
    pub shape: crate::samples::shape::Shape,
    /// The first value found (for rustdoc, and the samples of nested fields).
    pub example: Option<serde_json::Value>,
}

impl Observed {
    /// What two paths observed together (the paths of a `coalesce`, the handlers of one record).
    pub fn unify(self, other: Observed) -> Observed {
        Observed { shape: self.shape.unify(other.shape), example: self.example.or(other.example) }
    }
}

/// The resolved view of one definition.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Facts {
    pub(crate) templates: BTreeMap<String, Template>,
    pub(crate) paths: BTreeMap<String, Vec<Step>>,
    /// Every key the store can hold: config, form, token outputs, registration outputs, then
    /// metadata.
    pub stored_keys: Vec<StoredKey>,
    /// What each path (by pointer) finds in the samples, when there are samples for it.
    pub(crate) observed: BTreeMap<String, Observed>,
    /// The samples of the layout, as (file, compact JSON): what a generated connector's mock
    /// provider answers with.
    pub samples: Vec<(String, String)>,
}

impl Facts {
    /// The template at `pointer` (the pointer of its string).
    pub fn template(&self, pointer: &str) -> Result<&Template, String> {
        self.templates.get(pointer).ok_or_else(|| format!("no checked template at `{pointer}`"))
    }

    /// What the path at `pointer` finds in its samples (`None` without samples for it).
    pub fn observed(&self, pointer: &str) -> Option<&Observed> {
        self.observed.get(pointer)
    }

    /// The path at `pointer`, as the checks parsed it.
    pub fn path(&self, pointer: &str) -> Result<&[Step], String> {
        self.paths.get(pointer).map(Vec::as_slice).ok_or_else(|| format!("no checked path at `{pointer}`"))
    }
}
