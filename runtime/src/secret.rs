//! [`Secret`]: a string that never shows itself in `Debug`, logs or error messages.

use std::fmt;

/// A credential value (token, key, password). `Debug` prints `Secret("***")`; there is no
/// `Display`. Read it with [`Secret::expose`], on purpose, where it is sent.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Box<str>);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into().into_boxed_str())
    }

    /// The secret value. Call this only where the value is sent to the provider.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(\"***\")")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret::new(value)
    }
}

/// Reads a secret from a JSON string (e.g. credentials kept as JSON). There is deliberately no
/// `Serialize`: writing a secret out is always an explicit [`Secret::expose`].
impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret::from)
    }
}

/// For the credential store, which holds JSON values.
impl From<Secret> for serde_json::Value {
    fn from(secret: Secret) -> Self {
        serde_json::Value::String(secret.0.into_string())
    }
}
