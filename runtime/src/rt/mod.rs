//! What generated code links to and a user never calls: the static descriptors a connector
//! declares its requests with (parsed and classified at compile time), the template and path
//! types inside them, and the engine that runs them.
//!
//! Generated requests are data, not code: each is a `static` [`RequestTemplate`] that the one
//! [`Engine`] renders, sends, retries and maps, so every connector shares one audited
//! implementation of URL safety, secret masking, retries and refresh (docs/decisions.md, "Code
//! generation and the runtime"). These items follow the compiler, not semver.

pub mod path;
mod request;
pub mod template;
mod vars;

pub use crate::http::{Call, Engine};
pub use request::{App, BodyType, Extract, Mapping, Method, RequestTemplate, SourceTemplate};
pub use vars::Vars;

/// What is kept by the address of a static descriptor (a mapping's entries, a URL's segments):
/// a static slice's address identifies it.
pub(crate) type ByAddress<V> = std::collections::HashMap<usize, V>;
