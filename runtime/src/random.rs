//! Randomness: OAuth `state` values, and ids that only need to be unique.

/// The operating system's random source failed, so no unguessable value could be made.
#[derive(Debug, thiserror::Error)]
#[error("the operating system's random source failed: {0}")]
pub struct RandomError(getrandom::Error);

/// A fresh, unguessable OAuth `state` (128 bits from the operating system, hex). Fails rather than
/// fall back to a weaker generator: a guessable `state` defeats its purpose (CSRF protection).
pub fn new_state() -> Result<String, RandomError> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(RandomError)?;
    Ok(hex(&bytes))
}

/// A 128-bit id that only needs to be unique, never secret (a generated webhook transaction id, a
/// lock owner's token): from the operating system, or if that fails from a seeded generator.
pub(crate) fn unique_id() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::fill(&mut bytes).is_err() {
        bytes.iter_mut().for_each(|b| *b = fastrand::u8(..));
    }
    hex(&bytes)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_and_ids_are_random_hex() {
        let (a, b) = (new_state().unwrap_or_default(), new_state().unwrap_or_default());
        assert_eq!(a.len(), 32);
        assert_ne!(a, b);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        let (x, y) = (unique_id(), unique_id());
        assert_eq!(x.len(), 32);
        assert_ne!(x, y);
    }
}
