//! The end-to-end tests, one module per subject, in one test binary: each module links the whole
//! runtime, so one binary instead of twelve saves the links and their disk. Run one subject with
//! `cargo test -p miniapp-tests --test e2e webhooks::`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may panic: that is how it fails

mod auth;
mod corpus;
mod deliveries;
mod first_hour;
mod generated;
mod hazards;
mod kit;
mod mutants;
mod names;
mod paging;
mod redis;
mod requests;
mod samples;
mod sync;
mod tenants;
mod tracing;
mod webhooks;
