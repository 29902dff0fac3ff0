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

/// What is kept by the address of a static descriptor (a mapping's entries, a URL's segments).
pub(crate) type ByAddress<V> = std::collections::HashMap<usize, V, BuildAddressHasher>;

/// Hashes the address of a static slice: one multiplication (the keys are few, not chosen by
/// anyone, and looked up on every call).
#[derive(Clone, Copy, Default)]
pub(crate) struct BuildAddressHasher;

#[derive(Default)]
pub(crate) struct AddressHasher(u64);

impl std::hash::BuildHasher for BuildAddressHasher {
    type Hasher = AddressHasher;

    fn build_hasher(&self) -> AddressHasher {
        AddressHasher(0)
    }
}

impl std::hash::Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(*b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_usize(&mut self, n: usize) {
        // Fibonacci hashing: the high bits hashbrown uses get every bit of the address.
        self.0 = (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}
