//! Proving the sender (docs/format.md §10.5): HMAC-SHA256 / HMAC-SHA1 over the raw body bytes, a
//! header token, or nothing. Every comparison is constant-time; every failure is a rejection.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use hmac::{KeyInit, Mac};
use subtle::ConstantTimeEq;

/// The HMAC hash (`verification.type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algorithm {
    Sha256,
    Sha1,
}

/// How the signature in the header is encoded (`verification.encoding`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// Hexadecimal, either case (the default).
    Hex,
    /// Base64, standard or URL-safe alphabet, padded or not.
    Base64,
}

/// A definition's `verification` block, compiled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verification {
    /// `none`: every delivery is accepted.
    None,
    /// `hmac-sha256` / `hmac-sha1`: the header carries the HMAC of the raw body, keyed by the secret.
    Hmac { algorithm: Algorithm, header: &'static str, secret_key: &'static str, encoding: Encoding },
    /// `header-token`: the header carries the secret itself.
    HeaderToken { header: &'static str, secret_key: &'static str },
}

impl Verification {
    /// The header that carries the signature or the token, if any.
    pub fn header(&self) -> Option<&'static str> {
        match self {
            Verification::None => None,
            Verification::Hmac { header, .. } | Verification::HeaderToken { header, .. } => Some(header),
        }
    }

    /// The name of the secret this verification needs, if any.
    pub fn secret_key(&self) -> Option<&'static str> {
        match self {
            Verification::None => None,
            Verification::Hmac { secret_key, .. } | Verification::HeaderToken { secret_key, .. } => Some(secret_key),
        }
    }
}

/// Where the secret that verified a delivery was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SecretSource {
    /// The install's credentials (a per-tenant secret).
    Credentials,
    /// The app-wide config (`ClientBuilder::config`, then the definition's `auth.config`).
    Config,
}

/// Which secret verified a delivery: its source and its position among the rotating values
/// (0 is the current one; 1 and more are previous ones, still accepted). Watch for deliveries
/// verified with `index > 0` to know when an old secret can be retired.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct MatchedSecret {
    pub source: SecretSource,
    pub index: usize,
}

/// Why a delivery was not verified. Each one is answered with 401.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum VerifyFailure {
    #[error("the `{header}` header is missing")]
    MissingHeader { header: String },
    #[error("the `{header}` header is empty")]
    EmptyHeader { header: String },
    #[error("the signature in `{header}` cannot be decoded")]
    Undecodable { header: String },
    #[error("no secret `{key}` in the install's credentials or the app's config")]
    NoSecret { key: String },
    #[error("the signature in `{header}` does not match")]
    Mismatch { header: String },
}

/// Base64 in any of its common forms: standard or URL-safe alphabet, with or without padding.
const STANDARD: GeneralPurpose =
    GeneralPurpose::new(&base64::alphabet::STANDARD, GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent));
const URL_SAFE: GeneralPurpose =
    GeneralPurpose::new(&base64::alphabet::URL_SAFE, GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent));

/// The longest signature decoded (an HMAC-SHA256 tag is 32 bytes; a longer one cannot match).
const MAX_SIGNATURE: usize = 64;

/// Decodes a signature into `buffer`: the decoded bytes, or `None` when it does not decode. One
/// too long to be a tag decodes as nothing (it matches no secret).
fn decode<'b>(signature: &str, encoding: Encoding, buffer: &'b mut [u8; MAX_SIGNATURE]) -> Option<&'b [u8]> {
    let len = match encoding {
        Encoding::Hex => {
            let len = signature.len() / 2;
            let Some(out) = buffer.get_mut(..len) else { return Some(&[]) };
            hex::decode_to_slice(signature, out).ok()?;
            len
        }
        Encoding::Base64 => {
            if base64::decoded_len_estimate(signature.len()) > MAX_SIGNATURE {
                return Some(&[]);
            }
            STANDARD.decode_slice(signature, buffer).or_else(|_| URL_SAFE.decode_slice(signature, buffer)).ok()?
        }
    };
    buffer.get(..len)
}

fn hmac_matches(algorithm: Algorithm, key: &[u8], body: &[u8], signature: &[u8]) -> bool {
    // `new_from_slice` accepts keys of any length for HMAC; a failure would be a rejection.
    match algorithm {
        Algorithm::Sha256 => hmac::Hmac::<sha2::Sha256>::new_from_slice(key).is_ok_and(|mut mac| {
            mac.update(body);
            mac.verify_slice(signature).is_ok()
        }),
        Algorithm::Sha1 => hmac::Hmac::<sha1::Sha1>::new_from_slice(key).is_ok_and(|mut mac| {
            mac.update(body);
            mac.verify_slice(signature).is_ok()
        }),
    }
}

/// Verifies a delivery against the candidate secrets (current first). Returns which one matched.
/// `value` is the value of the verification's header (see [`Verification::header`]), if the
/// delivery has it.
pub fn verify(
    verification: &Verification,
    value: Option<&http::HeaderValue>,
    body: &[u8],
    secrets: &[(SecretSource, usize, &str)],
) -> Result<Option<MatchedSecret>, VerifyFailure> {
    let (header, secret_key) = match verification {
        Verification::None => return Ok(None),
        Verification::Hmac { header, secret_key, .. } | Verification::HeaderToken { header, secret_key } => (*header, *secret_key),
    };
    let value = value.ok_or_else(|| VerifyFailure::MissingHeader { header: header.to_string() })?;
    let value = value.as_bytes().trim_ascii();
    if value.is_empty() {
        return Err(VerifyFailure::EmptyHeader { header: header.to_string() });
    }
    if secrets.is_empty() {
        return Err(VerifyFailure::NoSecret { key: secret_key.to_string() });
    }
    let found = match verification {
        Verification::None => None,
        Verification::Hmac { algorithm, encoding, .. } => {
            let text = std::str::from_utf8(value).map_err(|_| VerifyFailure::Undecodable { header: header.to_string() })?;
            let text = text.strip_prefix("sha256=").or_else(|| text.strip_prefix("sha1=")).unwrap_or(text);
            let mut buffer = [0; MAX_SIGNATURE];
            let signature =
                decode(text, *encoding, &mut buffer).ok_or_else(|| VerifyFailure::Undecodable { header: header.to_string() })?;
            secrets.iter().find(|(_, _, s)| hmac_matches(*algorithm, s.as_bytes(), body, signature))
        }
        Verification::HeaderToken { .. } => secrets.iter().find(|(_, _, s)| bool::from(s.as_bytes().ct_eq(value))),
    };
    match found {
        Some((source, index, _)) => Ok(Some(MatchedSecret { source: *source, index: *index })),
        None => Err(VerifyFailure::Mismatch { header: header.to_string() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(name: &'static str, value: &str) -> http::HeaderMap {
        let mut h = http::HeaderMap::new();
        h.insert(name, http::HeaderValue::from_str(value).expect("a header value"));
        h
    }

    fn sign(key: &str, body: &[u8]) -> Vec<u8> {
        let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(key.as_bytes()).expect("any key");
        mac.update(body);
        mac.finalize().into_bytes().to_vec()
    }

    const HMAC: Verification =
        Verification::Hmac { algorithm: Algorithm::Sha256, header: "x-sig", secret_key: "k", encoding: Encoding::Hex };

    #[test]
    fn hmac_accepts_the_right_signature_only() {
        let secrets = [(SecretSource::Config, 0, "whsec")];
        let sig = hex::encode(sign("whsec", b"{}"));
        assert_eq!(
            verify(&HMAC, headers("x-sig", &sig).get("x-sig"), b"{}", &secrets),
            Ok(Some(MatchedSecret { source: SecretSource::Config, index: 0 }))
        );
        assert!(matches!(verify(&HMAC, headers("x-sig", &sig).get("x-sig"), b"{ }", &secrets), Err(VerifyFailure::Mismatch { .. })));
        assert!(matches!(verify(&HMAC, headers("x-sig", "zz").get("x-sig"), b"{}", &secrets), Err(VerifyFailure::Undecodable { .. })));
        assert!(matches!(verify(&HMAC, headers("x-sig", " ").get("x-sig"), b"{}", &secrets), Err(VerifyFailure::EmptyHeader { .. })));
        assert!(matches!(verify(&HMAC, headers("x-other", &sig).get("x-sig"), b"{}", &secrets), Err(VerifyFailure::MissingHeader { .. })));
        assert!(matches!(verify(&HMAC, headers("x-sig", &sig).get("x-sig"), b"{}", &[]), Err(VerifyFailure::NoSecret { .. })));
        assert_eq!(verify(&Verification::None, None, b"", &[]), Ok(None));
        // Longer than any tag: decoded into no bytes, it matches no secret.
        let long = "ab".repeat(100);
        assert!(matches!(verify(&HMAC, headers("x-sig", &long).get("x-sig"), b"{}", &secrets), Err(VerifyFailure::Mismatch { .. })));
        const B64: Verification =
            Verification::Hmac { algorithm: Algorithm::Sha256, header: "x-sig", secret_key: "k", encoding: Encoding::Base64 };
        let long = "QUJD".repeat(40);
        assert!(matches!(verify(&B64, headers("x-sig", &long).get("x-sig"), b"{}", &secrets), Err(VerifyFailure::Mismatch { .. })));
    }
}
