//! What the unit tests share.

/// The cases each property test runs: `MINIAPP_FUZZ_CASES`, else `default`.
pub(crate) fn fuzz_cases(default: u32) -> u32 {
    std::env::var("MINIAPP_FUZZ_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(default)
}
