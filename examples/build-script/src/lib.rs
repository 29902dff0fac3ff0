//! Usage mode: `build.rs` generates the code with `miniapp_compiler::Generator` and the crate
//! `include!`s it. This needs no proc macro (the `miniapp` runtime is used without its `macros`
//! feature).

/// The Bookwise connector.
pub mod bookwise {
    include!(concat!(env!("OUT_DIR"), "/bookwise.rs"));
}
