//! Usage mode: depend on a connector crate written by `miniapp generate --crate` (here
//! `generated/cloudbox`, regenerated and checked by the test suite), like any other crate.

pub use cloudbox::{Client, Credentials, ShareFileInput, ShareFileVisibility};
