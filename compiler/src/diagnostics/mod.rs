//! What the checks report: diagnostics ([`diagnostic`]), the registry of their stable codes
//! ([`codes`]), "did you mean" suggestions, and the renderers (`rustc`-style text, JSON, SARIF:
//! [`render`]).

pub mod codes;
pub mod diagnostic;
pub mod render;
pub(crate) mod suggest;
