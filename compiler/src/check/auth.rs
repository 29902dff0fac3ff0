//! docs/format.md §15.2: auth and secrets (rules 10–18; 10, 14 (E), 15 and 16 live in the schema).

use super::{Ctx, brace, members};
use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::pointer;
use crate::template::Scope;

/// Rule 11: every sensitive key names something that can hold a secret.
pub fn sensitive_keys_hold_secrets(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let holders: Vec<&str> = cx.credential_keys().map(|d| d.name).collect();
    for (i, decl) in cx.sensitive.iter().enumerate() {
        if !holders.contains(&decl.name) {
            out.push(
                Diagnostic::new(
                    codes::W0202,
                    format!("sensitive key `{}` is not a config key, form field or credential output", decl.name),
                    format!("/auth/sensitiveKeys/{i}"),
                    decl.span,
                )
.with_help("list only keys that hold a secret: an `auth.config` or `auth.form` key, or an output of `get_token`, `refresh_token` or a registration request")
                .with_suggestion(decl.name, holders.iter().copied()),
            );
        }
    }
}

/// Whether a key name looks like it holds a secret (docs/format.md §15 rule 12).
pub fn looks_secret(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.ends_with("token") || k.ends_with("secret") || k.ends_with("key") || k.contains("password")
}

/// Rule 12: secret-looking keys are listed in `sensitiveKeys`.
///
/// The webhook signing secret is left to `W0509`, which reports it at `secretKey`.
pub fn secrets_are_sensitive(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let secret_key = cx.at("/webhook/verification/secretKey").and_then(|n| n.as_str());
    let password_fields: Vec<&str> = members(cx.at("/auth/form"))
        .filter(|m| m.value.get("type").and_then(|t| t.as_str()) == Some("password"))
        .map(|m| m.key.as_str())
        .collect();
    let mut reported: Vec<&str> = Vec::new();
    let places = [
        ("/auth/config", &cx.config),
        ("/auth/form", &cx.form),
        ("/auth/get_token/mapping", &cx.get_token_outputs),
        ("/auth/refresh_token/mapping", &cx.refresh_outputs),
    ];
    let registration = cx.registration_outputs.iter().map(|d| ("/auth/registrationRequests", d));
    let all = places.iter().flat_map(|(p, decls)| decls.iter().map(move |d| (*p, d))).chain(registration);
    for (parent, decl) in all {
        let name = decl.name;
        let secret = looks_secret(name) || password_fields.contains(&name);
        if secret && !cx.is_sensitive(name) && Some(name) != secret_key && !reported.contains(&name) {
            reported.push(name);
            let ptr = if parent == "/auth/registrationRequests" { parent.to_string() } else { pointer::join(parent, name) };
            out.push(
                Diagnostic::new(
                    codes::W0203,
                    format!("`{name}` looks like a secret but is not listed in `auth.sensitiveKeys`"),
                    ptr,
                    decl.span,
                )
                .with_help(format!("add \"{name}\" to `auth.sensitiveKeys` so it never reaches the browser"))
                .with_fix(
                    format!("Add `{name}` to `auth.sensitiveKeys`"),
                    sensitive_insertion(cx, name).0,
                    "",
                    sensitive_insertion(cx, name).1,
                ),
            );
        }
    }
}

/// Where and what to insert to add `name` to `auth.sensitiveKeys`: after its last entry, into the
/// empty array, or a new member at the start of `auth`.
fn sensitive_insertion(cx: &Ctx<'_>, name: &str) -> (crate::source::Span, String) {
    let quoted = serde_json::Value::String(name.to_string()).to_string();
    let at = |offset: usize| crate::source::Span::new(offset, offset);
    match cx.at("/auth/sensitiveKeys").and_then(|k| k.as_array().map(|items| (k, items))) {
        Some((_, [.., last])) => (at(last.span.end), format!(", {quoted}")),
        Some((array, [])) => (at(array.span.start + 1), quoted),
        None => (at(cx.at("/auth").map_or(0, |a| a.span.start + 1)), format!("\"sensitiveKeys\": [{quoted}], ")),
    }
}

/// Rule 13 (submission): no values for sensitive config keys.
pub fn no_secret_values_in_submission(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    if !cx.options.submission {
        return;
    }
    for m in members(cx.at("/auth/config")) {
        if cx.is_sensitive(&m.key) && m.value.as_str().is_some_and(|v| !v.is_empty()) {
            out.push(
                Diagnostic::new(
                    codes::W0204,
                    format!("sensitive config key `{}` has a value in a submission", m.key),
                    pointer::join("/auth/config", &m.key),
                    m.value.span,
                )
                .with_help("submissions carry no production secrets: leave it \"\" (a public OAuth app's client credentials are allowed)"),
            );
        }
    }
}

/// Rule 14 (W): a refresh token is obtained but never used.
pub fn refresh_token_is_used(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let Some(decl) = cx.get_token_outputs.iter().find(|d| d.name.to_ascii_lowercase().starts_with("refresh")) else {
        return;
    };
    let has_request = cx.at("/auth/refresh_token").is_some();
    let auto = match cx.at("/auth/auto_refresh") {
        None => false,
        Some(node) => match node.as_bool() {
            Some(flag) => flag,
            // Not a boolean: the schema reports that, and this rule has nothing to add.
            None => return,
        },
    };
    if !has_request || !auto {
        let (missing, help) = match (has_request, auto) {
            (true, _) => ("`auto_refresh` is not `true`", "set `\"auto_refresh\": true` so expired tokens are renewed"),
            (false, true) => ("there is no `refresh_token` request", "add a `refresh_token` request that sends the stored refresh token"),
            (false, false) => (
                "there is no `refresh_token` request",
                "add a `refresh_token` request and `\"auto_refresh\": true` so expired tokens are renewed",
            ),
        };
        out.push(
            Diagnostic::new(
                codes::W0205,
                format!("`get_token` stores `{}`, but {missing}", decl.name),
                pointer::join("/auth/get_token/mapping", decl.name),
                decl.span,
            )
            .with_help(help),
        );
    }
}

/// Rule 17: `userDetails.mapping` defines `uid`.
pub fn user_details_maps_uid(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let Some(mapping) = cx.at("/auth/userDetails/mapping") else {
        return;
    };
    if mapping.as_object().is_some() && mapping.member("uid").is_none() {
        out.push(
            Diagnostic::new(codes::W0208, "`userDetails.mapping` does not define `uid`", "/auth/userDetails/mapping/uid", brace(mapping))
                .with_help("map the provider's user id: \"uid\": \"$.id\""),
        );
    }
}

/// Rule 18: `refresh_token` reads a stored key that `get_token` (or config) provides.
pub fn refresh_reads_a_stored_token(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let Some(request) = cx.at("/auth/refresh_token") else {
        return;
    };
    if request.as_object().is_none() {
        return;
    }
    let stored = cx.stored_keys();
    // Every `[[key]]` the request reads: (key, span, pointer).
    let reads: Vec<(String, crate::source::Span, String)> = cx
        .templates
        .iter()
        .filter(|t| t.place == super::placeholders::Place::Auth("refresh_token"))
        .flat_map(|t| {
            t.parsed
                .placeholders()
                .filter(|(s, _, _)| *s == Scope::Stored)
                .map(|(_, n, r)| (n.to_string(), t.node.sub_span(r), t.ptr.clone()))
                .collect::<Vec<_>>()
        })
        .collect();
    if reads.iter().any(|(k, _, _)| !stored.contains(k.as_str())) {
        return; // unresolvable keys are E0301's to report
    }
    let providers: Vec<&str> = cx.get_token_outputs.iter().chain(&cx.config).map(|d| d.name).collect();
    if reads.iter().any(|(k, _, _)| providers.contains(&k.as_str())) {
        return;
    }
    let help = "send the refresh token that `get_token` stored, e.g. \"refresh_token\": \"[[refreshToken]]\"";
    match reads.first() {
        None => out.push(
            Diagnostic::new(
                codes::E0209,
                "`refresh_token` reads no stored token (no `[[key]]` placeholder)",
                "/auth/refresh_token",
                brace(request),
            )
            .with_help(help),
        ),
        Some((key, span, ptr)) => {
            let message = format!("`refresh_token` reads `[[{key}]]`, which neither `get_token.mapping` nor `auth.config` provides");
            out.push(Diagnostic::new(codes::E0209, message, ptr.as_str(), *span).with_help(help));
        }
    }
}

/// `W0210`: OAuth 2.0 requests (`auth_url`, a `get_token` reading `{{code}}`/`{{redirect_uri}}`)
/// under a type that never runs the OAuth flow.
pub fn oauth_requests_need_the_oauth_type(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let Some(kind) = cx.at("/auth/type") else { return };
    let Some(ty) = kind.as_str().filter(|t| *t != "oauth2") else { return };
    let mut found: Vec<&str> = Vec::new();
    if cx.at("/auth/auth_url").is_some() {
        found.push("`auth_url`");
    }
    let reads_code = cx.templates.iter().any(|t| {
        t.place == super::placeholders::Place::Auth("get_token")
            && t.parsed.placeholders().any(|(s, n, _)| s == Scope::Context && matches!(n, "code" | "redirect_uri"))
    });
    if reads_code {
        found.push("a `get_token` that reads `{{code}}`");
    }
    if found.is_empty() {
        return;
    }
    out.push(
        Diagnostic::new(
            codes::W0210,
            format!(
                "{} {} to the OAuth 2.0 flow, but `auth.type` is `{ty}`",
                found.join(" and "),
                if found.len() == 1 { "belongs" } else { "belong" }
            ),
            "/auth/type",
            kind.span,
        )
        .with_help("set `\"type\": \"oauth2\"` to get `authorize_url()`, `exchange_code()` and the OAuth install; or remove them"),
    );
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::check::testing::{ACME, CHATLY, codes};

    #[test]
    fn a_sensitive_key_must_hold_something() {
        assert!(!codes(CHATLY, &[]).contains(&"W0202"));
        assert!(codes(CHATLY, &[("/auth/sensitiveKeys/-", Some(json!("ghostKey")))]).contains(&"W0202"));
    }

    #[test]
    fn refresh_reads_a_token_that_get_token_stored() {
        assert!(!codes(ACME, &[]).contains(&"E0209"));
        // `storeId` is metadata (from `userDetails`), not something `get_token` stored.
        let found = codes(ACME, &[("/auth/refresh_token/body/refresh_token", Some(json!("[[storeId]]")))]);
        assert!(found.contains(&"E0209"), "{found:?}");
    }

    #[test]
    fn oauth_requests_need_the_oauth_type() {
        assert!(!codes(CHATLY, &[]).contains(&"W0210"));
        assert!(!codes(ACME, &[]).contains(&"W0210"), "an oauth2 app");
        let auth_url = json!({"url": "https://login.chatly.example/authorize?redirect_uri={{redirect_uri}}", "method": "GET"});
        assert!(codes(CHATLY, &[("/auth/auth_url", Some(auth_url))]).contains(&"W0210"));
    }
}
