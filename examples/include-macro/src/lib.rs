//! Usage mode: a definition file compiled with `include_miniapp!`. The path is relative to this
//! crate's `Cargo.toml`; editing the file rebuilds the crate; a mistake in it fails the build with
//! `file:line:col`, the offending line and a caret.

/// The ForgeHub connector.
pub mod forgehub {
    miniapp::include_miniapp!("../definitions/forgehub.json", deny_warnings);
}
