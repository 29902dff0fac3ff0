//! Test-only crate: see `tests/trybuild.rs`.
