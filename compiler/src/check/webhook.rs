//! docs/format.md §15.5: triggers, webhook and events (rules 43–58; 45 (E), 50 (most), 54 (E), 56 and
//! 57 (E) live in the schema).

use super::{Ctx, Decl, brace, duplicates, items, members};
use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::pointer;
use crate::source::Node;

/// Rule 43: trigger types are `miniapps:{ns}`.
pub fn trigger_types(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let Some(ns) = cx.ns else { return };
    let expected = format!("miniapps:{ns}");
    for (i, t) in items(cx.at("/triggers")) {
        if let Some(node) = t.get("type")
            && let Some(ty) = node.as_str()
            && ty != expected
        {
            out.push(
                Diagnostic::new(codes::E0501, format!("trigger type `{ty}` does not match `ns`"), format!("/triggers/{i}/type"), node.span)
                    .with_help(format!("write \"{expected}\"")),
            );
        }
    }
}

/// Rule 44: trigger events are unique.
pub fn trigger_events_unique(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let events = items(cx.at("/triggers")).filter_map(|(i, t)| {
        let e = t.get("event")?;
        Some((Decl { name: e.as_str()?, span: e.span }, format!("/triggers/{i}/event")))
    });
    duplicates(events, codes::E0502, "trigger event", out);
}

/// Rule 45 (W): `isCustom` is false.
pub fn trigger_is_custom(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for (i, t) in items(cx.at("/triggers")) {
        if let Some(node) = t.get("isCustom").filter(|n| n.as_bool() == Some(true)) {
            out.push(
                Diagnostic::new(
                    codes::W0503,
                    "`isCustom: true` has no documented meaning; standard triggers use `false`",
                    format!("/triggers/{i}/isCustom"),
                    node.span,
                )
                .with_help("write `\"isCustom\": false` unless the platform told you otherwise"),
            );
        }
    }
}

/// Rule 46: triggers need an event extraction; a webhook needs a consumer.
pub fn event_extraction_exists(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let webhook = cx.at("/webhook");
    let has_triggers = items(cx.at("/triggers")).next().is_some();
    if has_triggers && webhook.and_then(|w| w.get("eventExtraction")).is_none() {
        let span = match (webhook, cx.root.member("triggers")) {
            (Some(w), _) => brace(w),
            (None, Some(t)) => t.key_span,
            (None, None) => brace(cx.root),
        };
        out.push(
            Diagnostic::new(
                codes::E0504,
                "triggers are declared but `webhook.eventExtraction` is missing, so no event name can ever be extracted",
                "/webhook/eventExtraction",
                span,
            )
            .with_help("add `webhook.eventExtraction`, e.g. { \"source\": \"header\", \"path\": \"X-Event-Type\" }"),
        );
    }
    if let Some(member) = cx.root.member("webhook").filter(|m| !m.value.is_null())
        && !has_triggers
        && cx.handler_events.is_empty()
    {
        out.push(
            Diagnostic::new(
                codes::W0504,
                "`webhook` is configured but there are no triggers and no sync handlers to receive its events",
                "/webhook",
                member.key_span,
            )
            .with_help("declare the events it receives in `triggers` (or `sync.webhooks.handlers`), or remove the `webhook` block"),
        );
    }
}

/// Rule 47: with a composite extraction, every trigger's event can come out of it. The non-empty
/// parts are joined (empty ones are skipped), so an event of `k` separator-delimited segments comes
/// from `k` of the parts, each non-empty: it is reachable when it has no empty segment and no more
/// segments than there are parts (a part's value is taken not to contain the separator).
/// `push` from `X-GitHub-Event` + `$.action` is the header alone; `issues.opened` is both.
pub fn composite_events_producible(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let Some(composite) = cx.at("/webhook/eventExtraction/compositeStrategy") else {
        return;
    };
    let Some(separator) = composite.get("separator").and_then(Node::as_str).filter(|s| !s.is_empty()) else {
        return;
    };
    let parts = items(composite.get("parts")).count();
    for (i, t) in items(cx.at("/triggers")) {
        let Some(node) = t.get("event") else { continue };
        let Some(event) = node.as_str() else { continue };
        let Some(why) = unreachable_composite(event, separator, parts) else { continue };
        out.push(
            Diagnostic::new(
                codes::W0505,
                format!("event `{event}` cannot come out of the composite extraction: {why}"),
                format!("/triggers/{i}/event"),
                node.span,
            )
            .with_help(
                "the event is the non-empty parts joined with the separator: make the trigger's event look like that, or change the parts",
            )
            .with_label(composite.span, "the extraction joins its parts here"),
        );
    }
}

/// Why `event` cannot be the non-empty ones of `parts` parts joined with `separator`, if it cannot.
fn unreachable_composite(event: &str, separator: &str, parts: usize) -> Option<String> {
    let segments: Vec<&str> = event.split(separator).collect();
    if event.is_empty() || segments.iter().any(|s| s.is_empty()) {
        return Some(format!("empty parts are skipped, so the joined event never has an empty piece around `{separator}`"));
    }
    (segments.len() > parts).then(|| format!("it has {} pieces between `{separator}`, and there are only {parts} parts", segments.len()))
}

/// Rules 48 and 49: extraction locations are valid; composite makes `source`/`path` moot.
pub fn extraction_paths(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let Some(ex) = cx.at("/webhook/eventExtraction") else {
        return;
    };
    let base = "/webhook/eventExtraction";
    let mut locations: Vec<(&Node, String)> = vec![(ex, base.to_string())];
    if let Some(f) = ex.get("fallback") {
        locations.push((f, format!("{base}/fallback")));
    }
    locations.extend(items(ex.pointer("/compositeStrategy/parts")).map(|(i, p)| (p, format!("{base}/compositeStrategy/parts/{i}"))));
    for (loc, ptr) in locations {
        let (Some(source), Some(path)) = (loc.get("source").and_then(Node::as_str), loc.get("path")) else {
            continue;
        };
        let ptr = format!("{ptr}/path");
        match source {
            "body" => {
                cx.check_path(path, &ptr, codes::E0506, out);
            }
            "header" | "query" if path.as_str().is_some_and(|p| p.starts_with('$')) => {
                let what = if source == "header" { "header" } else { "query parameter" };
                out.push(
                    Diagnostic::new(
                        codes::W0506,
                        format!("a {source} extraction takes the plain {what} name, not a `$` path"),
                        ptr,
                        path.span,
                    )
                    .with_help("write the header name only, e.g. `X-Event-Type`; headers are matched case-insensitively"),
                );
            }
            _ => {}
        }
    }
    if ex.member("compositeStrategy").is_some() {
        for key in ["source", "path"] {
            if let Some(m) = ex.member(key) {
                out.push(
                    Diagnostic::new(
                        codes::W0507,
                        format!("`{key}` is ignored because `compositeStrategy` is present"),
                        pointer::join(base, key),
                        m.key_span,
                    )
                    .with_help("remove `source` and `path`, or remove `compositeStrategy`"),
                );
            }
        }
    }
}

/// Rules 50–52: verification details, the secret's origin, and the review's expectations.
pub fn verification(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let Some(webhook) = cx.at("/webhook") else {
        return;
    };
    let v = webhook.get("verification");
    let ty = v.and_then(|v| v.get("type")).and_then(Node::as_str);
    // Rule 50: `encoding` applies to HMAC types only.
    if let (Some(v), Some(t @ ("header-token" | "none"))) = (v, ty)
        && let Some(m) = v.member("encoding")
    {
        out.push(
            Diagnostic::new(
                codes::E0508,
                format!("`encoding` applies to HMAC verification only, not `{t}`"),
                "/webhook/verification/encoding",
                m.key_span,
            )
            .with_help("remove `encoding`: a header token is compared as it is"),
        );
    }
    // Rule 51: the secret can be found.
    if let Some(node) = v.and_then(|v| v.get("secretKey"))
        && let Some(key) = node.as_str()
        && ty != Some("none")
    {
        let holders: Vec<&str> =
            cx.config.iter().chain(&cx.form).chain(&cx.get_token_outputs).chain(&cx.registration_outputs).map(|d| d.name).collect();
        if !holders.contains(&key) {
            out.push(
                Diagnostic::new(
                    codes::E0509,
                    format!("`secretKey` names `{key}`, which is not an `auth.config` or `auth.form` key nor a credential output"),
                    "/webhook/verification/secretKey",
                    node.span,
                )
                .with_suggestion(key, holders.iter().copied())
                .with_help(format!(
                    "a per-install secret (each tenant has its own) comes from the install: add `\"{key}\"` to `auth.form`, or map it from `get_token` or a registration request"
                ))
                .with_help(format!(
                    "a secret shared by every install (a partner-level signing secret) is an `auth.config` slot left empty in the definition, `\"{key}\": \"\"`, and set at run time with `ClientBuilder::config`"
                )),
            );
        } else if !cx.is_sensitive(key) {
            out.push(
                Diagnostic::new(
                    codes::W0509,
                    format!("the webhook signing secret `{key}` is not listed in `auth.sensitiveKeys`"),
                    "/webhook/verification/secretKey",
                    node.span,
                )
                .with_help(format!("add `\"{key}\"` to `auth.sensitiveKeys`, so it is a `Secret` that never reaches logs or errors")),
            );
        }
    }
    // Rule 52.
    if cx.options.submission {
        match (v, ty) {
            (None, _) => {
                if let Some(m) = cx.root.member("webhook") {
                    out.push(
                        Diagnostic::new(codes::W0510, "inbound webhooks are not verified", "/webhook/verification", m.key_span)
                            .with_help("add `verification` with `hmac-sha256` where the provider supports it")
                            .with_help("add a `verification` block, so forged deliveries are rejected"),
                    );
                }
            }
            (Some(v), Some("none")) => {
                if let Some(t) = v.get("type") {
                    out.push(
                        Diagnostic::new(
                            codes::W0510,
                            "`verification.type: \"none\"` accepts forged deliveries",
                            "/webhook/verification/type",
                            t.span,
                        )
                        .with_help("add a `verification` block, so forged deliveries are rejected"),
                    );
                }
            }
            _ => {}
        }
    }
    if let Some(m) = v.and_then(|v| v.member("timestampHeader")) {
        out.push(
            Diagnostic::new(
                codes::W0510,
                "`timestampHeader` has no documented semantics: it is neither signed nor checked for freshness",
                "/webhook/verification/timestampHeader",
                m.key_span,
            )
            .with_help("see docs/format.md §16 item 32; the header is kept in the model but not used")
            .with_help("add a `verification` block, so forged deliveries are rejected"),
        );
    }
}

/// Rule 53: `path` xor `paths`; paths parse; overrides are for declared events.
pub fn transaction_id(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let Some(tx) = cx.at("/webhook/transactionId") else {
        return;
    };
    if tx.as_object().is_none() {
        return;
    }
    let base = "/webhook/transactionId";
    match (tx.member("path"), tx.member("paths")) {
        (Some(_), Some(paths)) => out.push(
            Diagnostic::new(codes::E0511, "`transactionId` has both `path` and `paths`", format!("{base}/paths"), paths.key_span)
                .with_help("keep one: `path` (site revision) is read as `paths: [path]`"),
        ),
        (None, None) => out.push(
            Diagnostic::new(codes::E0511, "`transactionId` has neither `path` nor `paths`", format!("{base}/paths"), brace(tx))
                .with_help("add `\"paths\": [\"$.id\"]` with the path of the delivery id"),
        ),
        _ => {}
    }
    if let Some(p) = tx.get("path") {
        id_location(cx, p, &format!("{base}/path"), out);
    }
    for (i, p) in items(tx.get("paths")) {
        id_location(cx, p, &format!("{base}/paths/{i}"), out);
    }
    let events = cx.declared_events();
    for m in members(tx.get("overrides")) {
        let ptr = pointer::join(&format!("{base}/overrides"), &m.key);
        for (i, p) in items(m.value.get("paths")) {
            id_location(cx, p, &format!("{ptr}/paths/{i}"), out);
        }
        override_is_declared(&events, m, ptr, codes::W0511, out);
    }
}

/// Rule 53: one place a delivery id is read: a body path, or `{source, path}` (a header name that
/// is an HTTP token, a query key, or a body path). A plain string that names a header is read from
/// the body, which is almost never meant: it is flagged with the fix.
fn id_location(cx: &Ctx<'_>, node: &Node, ptr: &str, out: &mut Vec<Diagnostic>) {
    if let Some(text) = node.as_str() {
        if looks_like_header(text) {
            out.push(
                Diagnostic::new(codes::W0517, format!("`{text}` is read as a body field, but it looks like a header name"), ptr, node.span)
                    .with_help(format!("to read the header, write `{{\"source\": \"header\", \"path\": \"{text}\"}}`")),
            );
        }
        cx.check_path(node, ptr, codes::E0511, out);
        return;
    }
    let (Some(source), Some(path)) = (node.get("source").and_then(Node::as_str), node.get("path")) else {
        return;
    };
    let at = format!("{ptr}/path");
    match (source, path.as_str()) {
        ("body", _) => {
            cx.check_path(path, &at, codes::E0511, out);
        }
        ("header", Some(name)) if http_token(name).is_err() => {
            let message = match http_token(name) {
                Err(Some(c)) => format!("header name `{name}` contains {c:?}, which a header name cannot"),
                _ => "the header name is empty".to_string(),
            };
            out.push(
                Diagnostic::new(codes::E0511, message, at, path.span)
                    .with_help("write the header's name only, e.g. `X-GitHub-Delivery`; names are matched case-insensitively"),
            );
        }
        ("query", Some("")) => out.push(
            Diagnostic::new(codes::E0511, "the query parameter name is empty", at, path.span)
                .with_help("write the parameter's name, e.g. `delivery_id`"),
        ),
        _ => {}
    }
}

/// Whether a header name is an HTTP token (RFC 9110, "Tokens"): `Err` with the first character that
/// is not (`None` when the name is empty).
fn http_token(name: &str) -> Result<(), Option<char>> {
    const SPECIALS: &str = "!#$%&'*+-.^_`|~";
    match name.chars().find(|c| !(c.is_ascii_alphanumeric() || SPECIALS.contains(*c))) {
        _ if name.is_empty() => Err(None),
        Some(c) => Err(Some(c)),
        None => Ok(()),
    }
}

/// A string that reads as a header name rather than a body field: `X-GitHub-Delivery`,
/// `Webhook-Id` (hyphenated words, each capitalised, or an `X-` prefix), never a path.
fn looks_like_header(text: &str) -> bool {
    if text.contains(['$', '.', '[', ' ']) || !text.contains('-') || http_token(text).is_err() {
        return false;
    }
    let x_prefixed = text.len() > 2 && text[..2].eq_ignore_ascii_case("x-");
    x_prefixed || text.split('-').all(|word| word.starts_with(|c: char| c.is_ascii_uppercase()))
}

/// Rules 54 and 55: `code` is mapped; base paths parse; overrides are for declared events.
pub fn customer_extraction(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let Some(ce) = cx.at("/webhook/customerExtraction") else {
        return;
    };
    let base = "/webhook/customerExtraction";
    if let Some(mapping) = ce.get("mapping")
        && mapping.as_object().is_some()
        && mapping.member("code").is_none()
    {
        out.push(
            Diagnostic::new(
                codes::W0512,
                "`customerExtraction.mapping` does not map `code`, which is used to match existing customers",
                format!("{base}/mapping/code"),
                brace(mapping),
            )
            .with_help("map the provider's customer id: `\"code\": \"id\"`"),
        );
    }
    if let Some(p) = ce.get("basePath") {
        cx.check_path(p, &format!("{base}/basePath"), codes::E0512, out);
    }
    // A mapping value is a path inside the base object (`first_name`, `address.city`); one that
    // is not a path is a plain key (docs/decisions.md, §10.8).
    for m in members(ce.get("mapping")) {
        if let Some(text) = m.value.as_str() {
            let steps = crate::path::parse(text).map_or_else(|_| vec![crate::path::Step::Field(text.to_string())], |p| p.steps);
            cx.record_path(&pointer::join(&format!("{base}/mapping"), &m.key), steps);
        }
    }
    let events = cx.declared_events();
    for m in members(ce.get("overrides")) {
        let ptr = pointer::join(&format!("{base}/overrides"), &m.key);
        if let Some(p) = m.value.get("basePath") {
            cx.check_path(p, &format!("{ptr}/basePath"), codes::E0512, out);
        }
        override_is_declared(&events, m, ptr, codes::W0513, out);
    }
}

/// Rules 53 and 55 (W): an `overrides` key names an event that a trigger or handler declares.
fn override_is_declared(
    events: &std::collections::BTreeSet<&str>,
    m: &crate::source::Member,
    ptr: String,
    code: codes::Code,
    out: &mut Vec<Diagnostic>,
) {
    if !events.contains(m.key.as_str()) {
        let message = format!("override for `{}`, which no trigger or sync handler declares", m.key);
        out.push(
            Diagnostic::new(code, message, ptr, m.key_span)
                .with_suggestion(&m.key, events.iter().copied())
                .with_help("an override applies only to an event some trigger or `sync.webhooks.handlers` key declares"),
        );
    }
}

/// Rule 56: the challenge path parses.
pub fn challenge_path(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    if let Some(p) = cx.at("/webhook/challengeResponse/challengePath") {
        cx.check_path(p, "/webhook/challengeResponse/challengePath", codes::E0514, out);
    }
}

/// Rule 57 (W): the acknowledgement is 2xx.
pub fn response_status(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    if let Some(node) = cx.at("/webhook/response/statusCode")
        && let Some(code) = node.as_f64()
        && (100.0..600.0).contains(&code)
        && !(200.0..300.0).contains(&code)
    {
        out.push(
            Diagnostic::new(
                codes::W0515,
                format!("acknowledging with {code} makes providers treat deliveries as failed and retry them"),
                "/webhook/response/statusCode",
                node.span,
            )
            .with_help("use 200 (or 202)"),
        );
    }
}

/// Rule 58: `webhook.ecommerce` is deprecated, and never the only commerce mechanism.
pub fn ecommerce(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let Some(m) = cx.at("/webhook").and_then(|w| w.member("ecommerce")).filter(|m| !m.value.is_null()) else {
        return;
    };
    if cx.at("/sync").is_none() {
        out.push(
            Diagnostic::new(
                codes::E0516,
                "`webhook.ecommerce` is deprecated and there is no `sync` block to replace it",
                "/webhook/ecommerce",
                m.key_span,
            )
            .with_help("new submissions use `sync.resources` and `sync.webhooks.handlers`"),
        );
    } else {
        out.push(
            Diagnostic::new(codes::W0516, "`webhook.ecommerce` is deprecated; `sync` replaces it", "/webhook/ecommerce", m.key_span)
                .with_help("move the event handling to `sync.webhooks.handlers`"),
        );
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::check::testing::{CHATLY, at, codes};

    #[test]
    fn trigger_events_are_unique() {
        assert!(!codes(CHATLY, &[]).contains(&"E0502"));
        let mut copy = at(CHATLY, "/triggers/0");
        copy["label"] = json!("Again");
        assert!(codes(CHATLY, &[("/triggers/-", Some(copy))]).contains(&"E0502"));
    }

    #[test]
    fn trigger_types_name_the_app() {
        assert!(!codes(CHATLY, &[]).contains(&"E0501"));
        assert!(codes(CHATLY, &[("/triggers/0/type", Some(json!("miniapps:other")))]).contains(&"E0501"));
    }

    #[test]
    fn a_composite_reaches_every_non_empty_subset_of_its_parts() {
        use super::unreachable_composite;
        // GitHub: `X-GitHub-Event` joined with `$.action` by `.`.
        for event in ["push", "ping", "issues.opened"] {
            assert_eq!(unreachable_composite(event, ".", 2), None, "{event}");
        }
        assert!(unreachable_composite("pull_request.review.submitted", ".", 2).is_some_and(|why| why.contains("3 pieces")));
        for event in ["", ".opened", "issues.", "issues..opened"] {
            assert!(unreachable_composite(event, ".", 2).is_some_and(|why| why.contains("empty")), "{event:?}");
        }
        let github = json!({ "parts": [{ "source": "header", "path": "X-GitHub-Event" }, { "source": "body", "path": "$.action" }], "separator": "." });
        let mut push = at(CHATLY, "/triggers/0");
        push["event"] = json!("push");
        let edits = [("/webhook/eventExtraction", Some(json!({ "compositeStrategy": github }))), ("/triggers/-", Some(push))];
        assert!(!codes(CHATLY, &edits).contains(&"W0505"), "a header-only event is reachable");
    }

    #[test]
    fn delivery_ids_are_read_from_headers_the_query_or_the_body() {
        let tx = |paths: serde_json::Value| codes(CHATLY, &[("/webhook/transactionId", Some(json!({ "paths": paths })))]);
        let header = json!({ "source": "header", "path": "X-GitHub-Delivery" });
        assert!(!tx(json!([header.clone()])).iter().any(|c| c.starts_with("E05") || *c == "W0517"));
        assert!(!tx(json!([header, "$.hook.id", { "source": "query", "path": "delivery" }])).contains(&"E0511"), "mixing is allowed");
        assert!(tx(json!(["X-GitHub-Delivery"])).contains(&"W0517"), "a plain string naming a header is a body path");
        assert!(tx(json!(["Webhook-Id"])).contains(&"W0517"));
        assert!(!tx(json!(["delivery-id", "$.id", "id"])).contains(&"W0517"), "body fields stay quiet");
        assert!(tx(json!([{ "source": "header", "path": "X GitHub: Delivery" }])).contains(&"E0511"), "not an HTTP token");
        assert!(tx(json!([{ "source": "header", "path": "" }])).contains(&"E0511"));
        assert!(tx(json!([{ "source": "body", "path": "$.a[" }])).contains(&"E0511"), "a body location's path is checked");
        assert!(tx(json!([{ "source": "cookie", "path": "id" }])).contains(&"E0511"), "the schema knows the sources");
    }
}
