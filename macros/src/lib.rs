//! Procedural macros of miniapp-rs.
//!
//! This crate will hold `miniapp!{ ... }` and `include_miniapp!("path.json")`: thin front ends
//! that read a definition, call `miniapp-compiler` and turn its diagnostics into
//! `compile_error!`s. It exports nothing yet.
