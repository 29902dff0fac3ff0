//! The `miniapp` command line's library: what its commands run, for its tests and benches.

pub mod interpret;
pub mod lsp;
pub mod run;
