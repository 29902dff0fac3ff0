//! docs/format.md §15.6: sync (rules 59–68; 60 (E), 61 (E), 63 (E, shapes) and 66 (shapes) live in
//! the schema).

use super::{Ctx, brace, items, members};
use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::pointer;
use crate::source::Node;

const DOCUMENTED_CONTENT_TYPES: &[&str] = &["core:product", "core:customer", "ecommerce:orders"];

/// Rule 59: resources need a base URL.
pub fn base_url(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let Some(sync) = cx.at("/sync") else { return };
    if members(sync.get("resources")).next().is_some() && sync.get("baseUrl").is_none() {
        out.push(
            Diagnostic::new(codes::E0601, "`sync.resources` is not empty but `sync.baseUrl` is missing", "/sync/baseUrl", brace(sync))
                .with_help("endpoint URLs are relative to `baseUrl`, e.g. \"https://api.example.com/v1\""),
        );
    }
}

/// Rules 60, 61 and 64: names, details URLs and content types of resources.
pub fn resources(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for m in members(cx.at("/sync/resources")) {
        let base = pointer::join("/sync/resources", &m.key);
        let r = &m.value;
        if let Some(node) = r.get("name")
            && let Some(name) = node.as_str()
            && name != m.key
        {
            out.push(
                Diagnostic::new(codes::W0602, format!("resource `{}` has `name: \"{name}\"`", m.key), format!("{base}/name"), node.span)
                    .with_help(format!("use the map key: \"{}\"", m.key)),
            );
        }
        if let Some(url) = r.pointer("/endpoints/details/url")
            && let Some(text) = url.as_str()
            && !text.contains("{id}")
        {
            out.push(
                Diagnostic::new(
                    codes::W0603,
                    "the details URL has no `{id}`, so every record fetches the same URL",
                    format!("{base}/endpoints/details/url"),
                    url.span,
                )
                .with_help("put `{id}` where the record id goes, e.g. `/orders/{id}`"),
            );
        }
        if let Some(node) = r.get("contentType")
            && let Some(ct) = node.as_str()
            && !DOCUMENTED_CONTENT_TYPES.contains(&ct)
            && !looks_like_content_type(ct)
        {
            out.push(
                Diagnostic::new(
                    codes::W0606,
                    format!("content type `{ct}` is not documented and does not look like `service:type`"),
                    format!("{base}/contentType"),
                    node.span,
                )
                .with_help("content types are `service:type`, e.g. `shop:orders`")
                .with_suggestion(ct, DOCUMENTED_CONTENT_TYPES.iter().copied()),
            );
        }
        for field in ["dataProperty", "totalProperty", "nextProperty"] {
            if let Some(p) = r.pointer(&format!("/responseMapping/{field}")) {
                cx.check_path(p, &format!("{base}/responseMapping/{field}"), codes::E0602, out);
            }
        }
    }
}

/// Rule 73: a paging style has what it needs, and no key of another style.
pub fn paging_styles(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for m in members(cx.at("/sync/resources")) {
        let base = pointer::join("/sync/resources", &m.key);
        let Some(pagination) = m.value.get("pagination").filter(|p| p.as_object().is_some()) else {
            if m.value.pointer("/responseMapping/nextProperty").is_some() {
                next_without_cursor(&m.value, &base, out);
            }
            continue;
        };
        let style = pagination.get("style").and_then(Node::as_str).unwrap_or("page");
        // Which style reads each key.
        let owners = [("pageParam", "page"), ("firstPage", "page"), ("offsetParam", "offset"), ("cursorParam", "cursor")];
        for (key, owner) in owners {
            if let Some(member) = pagination.member(key)
                && owner != style
            {
                out.push(
                    Diagnostic::new(
                        codes::E0704,
                        format!("`{key}` is only read with `\"style\": \"{owner}\"`, and this resource pages with `{style}`"),
                        format!("{base}/pagination/{key}"),
                        member.key_span,
                    )
                    .with_help(format!("remove `{key}`, or set `\"style\": \"{owner}\"`")),
                );
            }
        }
        let next = m.value.pointer("/responseMapping/nextProperty");
        match (style, next) {
            ("cursor", None) => out.push(
                Diagnostic::new(
                    codes::E0704,
                    "`\"style\": \"cursor\"` needs `responseMapping.nextProperty`: where each page names the next",
                    format!("{base}/pagination/style"),
                    pagination.get("style").map_or(brace(pagination), |s| s.span),
                )
                .with_help("add e.g. `\"nextProperty\": \"next\"` (a cursor sent back in `cursorParam`, or the next page's URL)"),
            ),
            ("cursor", Some(_)) | (_, None) => {}
            (_, Some(_)) => next_without_cursor(&m.value, &base, out),
        }
    }
}

fn next_without_cursor(resource: &Node, base: &str, out: &mut Vec<Diagnostic>) {
    if let Some(member) = resource.get("responseMapping").and_then(|r| r.member("nextProperty")) {
        out.push(
            Diagnostic::new(
                codes::E0704,
                "`nextProperty` is only read with `\"style\": \"cursor\"`",
                format!("{base}/responseMapping/nextProperty"),
                member.key_span,
            )
            .with_help("add `\"style\": \"cursor\"` to `pagination`, or remove `nextProperty`"),
        );
    }
}

/// Rule 73 (submission): the miniapp-rs extensions Karzoun's own runtime does not read, one
/// warning each.
pub fn extensions_in_submission(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    if !cx.options.submission {
        return;
    }
    // (pointer, what it is, where)
    let mut found: Vec<(String, String, crate::source::Span)> = Vec::new();
    for m in members(cx.at("/sync/resources")) {
        let base = pointer::join("/sync/resources", &m.key);
        for (parent, keys) in [
            ("pagination", &["style", "pageParam", "firstPage", "offsetParam", "cursorParam"][..]),
            ("responseMapping", &["nextProperty"][..]),
        ] {
            for key in keys {
                if let Some(member) = m.value.get(parent).and_then(|p| p.member(key)) {
                    found.push((format!("{base}/{parent}/{key}"), format!("`{parent}.{key}`"), member.key_span));
                }
            }
        }
    }
    let tx = "/webhook/transactionId";
    let mut locations: Vec<(String, &Node)> =
        cx.at(tx).and_then(|t| t.get("path")).map(|p| (format!("{tx}/path"), p)).into_iter().collect();
    locations.extend(items(cx.at(tx).and_then(|t| t.get("paths"))).map(|(i, p)| (format!("{tx}/paths/{i}"), p)));
    for o in members(cx.at(tx).and_then(|t| t.get("overrides"))) {
        let ptr = pointer::join(&format!("{tx}/overrides"), &o.key);
        locations.extend(items(o.value.get("paths")).map(|(i, p)| (format!("{ptr}/paths/{i}"), p)));
    }
    let id_location = "a `{source, path}` delivery-id location".to_string();
    found.extend(
        locations.into_iter().filter(|(_, node)| node.as_object().is_some()).map(|(ptr, node)| (ptr, id_location.clone(), node.span)),
    );
    for (ptr, what, span) in found {
        out.push(
            Diagnostic::new(codes::W0704, format!("{what} is a miniapp-rs extension: Karzoun's own runtime does not read it"), ptr, span)
                .with_help("generated connectors use it; in Karzoun the resource pages with `page=1, 2, …` and ids are read from the body"),
        );
    }
}

/// `^[a-z]+:[A-Za-z]+$`
fn looks_like_content_type(ct: &str) -> bool {
    match ct.split_once(':') {
        Some((service, ty)) => {
            !service.is_empty()
                && service.bytes().all(|b| b.is_ascii_lowercase())
                && !ty.is_empty()
                && ty.bytes().all(|b| b.is_ascii_alphabetic())
        }
        None => false,
    }
}

/// Rule 62: page limits are consistent, and batches fit in pages.
pub fn pagination(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let batch = cx.at("/sync/syncConfiguration/batchSize");
    for m in members(cx.at("/sync/resources")) {
        let base = pointer::join("/sync/resources", &m.key);
        let (Some(default), Some(max)) = (m.value.pointer("/pagination/defaultLimit"), m.value.pointer("/pagination/maxLimit")) else {
            continue;
        };
        let (Some(d), Some(x)) = (default.as_f64(), max.as_f64()) else {
            continue;
        };
        if d > x {
            out.push(
                Diagnostic::new(
                    codes::E0604,
                    format!("`defaultLimit` ({d}) is larger than `maxLimit` ({x})"),
                    format!("{base}/pagination/defaultLimit"),
                    default.span,
                )
                .with_help("lower `defaultLimit` to at most `maxLimit`, or raise `maxLimit` if the provider allows it")
                .with_label(max.span, "the largest page size"),
            );
        }
        if let Some(b) = batch
            && let Some(size) = b.as_f64()
            && size > x
        {
            out.push(
                Diagnostic::new(
                    codes::W0604,
                    format!("`batchSize` ({size}) is larger than resource `{}`'s `maxLimit` ({x})", m.key),
                    "/sync/syncConfiguration/batchSize",
                    b.span,
                )
                .with_help("lower `syncConfiguration.batchSize` to at most the smallest `maxLimit`")
                .with_label(max.span, "the largest page of this resource"),
            );
        }
    }
}

/// Every field-mapping rule: (rule node, pointer, whether it reads a webhook body).
fn mapping_rules<'a>(cx: &Ctx<'a>) -> Vec<(&'a Node, String, bool)> {
    let mut found = Vec::new();
    for m in members(cx.at("/sync/resources")) {
        for rule in members(m.value.get("apiMapping")) {
            found.push((
                &rule.value,
                format!("{}/apiMapping/{}", pointer::join("/sync/resources", &m.key), pointer::escape(&rule.key)),
                false,
            ));
        }
    }
    for h in members(cx.at("/sync/webhooks/handlers")) {
        for rule in members(h.value.get("mapping")) {
            found.push((
                &rule.value,
                format!("{}/mapping/{}", pointer::join("/sync/webhooks/handlers", &h.key), pointer::escape(&rule.key)),
                true,
            ));
        }
    }
    found
}

/// Rules 63 and 67: paths of field-mapping rules parse and are rooted the right way; `compute`
/// functions are documented (submission).
pub fn field_mappings(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for (rule, ptr, webhook) in mapping_rules(cx) {
        let mut paths: Vec<(&Node, String)> = Vec::new();
        if rule.as_str().is_some() {
            paths.push((rule, ptr.clone()));
        }
        if let Some(p) = rule.get("path") {
            paths.push((p, format!("{ptr}/path")));
        }
        paths.extend(items(rule.get("paths")).map(|(i, p)| (p, format!("{ptr}/paths/{i}"))));
        // `compute` arguments that are strings are paths too (docs/decisions.md, §16.44).
        paths.extend(
            members(rule.get("args"))
                .filter(|a| a.value.as_str().is_some())
                .map(|a| (&a.value, pointer::join(&format!("{ptr}/args"), &a.key))),
        );
        for (node, p) in paths {
            let Some(parsed) = cx.check_path(node, &p, codes::E0605, out) else {
                continue;
            };
            if webhook && !parsed.rooted {
                out.push(
                    Diagnostic::new(codes::W0609, "a handler mapping reads the webhook body; start the path with `$`", p, node.span)
                        .with_help(format!("write `{parsed}`"))
                        .with_help("drop the leading `$`: `$.id` becomes `id`"),
                );
            } else if !webhook && parsed.rooted {
                out.push(
                    Diagnostic::new(codes::W0609, "`apiMapping` paths read one record; write them without `$`", p, node.span)
                        .with_help("drop the leading `$`: `$.id` becomes `id`"),
                );
            }
        }
        if cx.options.submission
            && rule.get("transform").and_then(Node::as_str) == Some("compute")
            && let Some(f) = rule.get("fn")
        {
            out.push(
                Diagnostic::new(
                    codes::W0605,
                    format!("compute function `{}` must be documented in the submission package", f.as_str().unwrap_or_default()),
                    format!("{ptr}/fn"),
                    f.span,
                )
                .with_help("document the function in the submission (what it computes from which fields)"),
            );
        }
    }
}

/// Rules 65, 66 and 68: handlers pair with triggers, reference resources, and are verified.
pub fn handlers(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let Some(handlers) = cx.at("/sync/webhooks/handlers") else {
        return;
    };
    let events: Vec<&str> = cx.trigger_events.iter().map(|d| d.name).collect();
    let resources: Vec<&str> = members(cx.at("/sync/resources")).map(|m| m.key.as_str()).collect();
    for h in members(Some(handlers)) {
        let base = pointer::join("/sync/webhooks/handlers", &h.key);
        if !events.contains(&h.key.as_str()) {
            out.push(
                Diagnostic::new(codes::E0607, format!("handler `{}` has no trigger with that `event`", h.key), &base, h.key_span)
                    .with_suggestion(&h.key, events.iter().copied())
                    .with_help("pair every handler with a trigger whose `event` is identical"),
            );
        }
        if let Some(r) = h.value.get("resource")
            && let Some(name) = r.as_str()
            && !resources.contains(&name)
        {
            out.push(
                Diagnostic::new(
                    codes::E0608,
                    format!("handler `{}` names resource `{name}`, which is not a key of `sync.resources`", h.key),
                    format!("{base}/resource"),
                    r.span,
                )
                .with_help(format!(
                    "a shape-B handler maps its record with a resource's `apiMapping`: name one of {}",
                    resources.iter().map(|r| format!("`{r}`")).collect::<Vec<_>>().join(", ")
                ))
                .with_suggestion(name, resources.iter().copied()),
            );
        }
        if let Some(p) = h.value.get("dataPath") {
            cx.check_path(p, &format!("{base}/dataPath"), codes::E0608, out);
        }
    }
    let ty = cx.at("/webhook/verification/type").and_then(Node::as_str);
    if members(Some(handlers)).next().is_some()
        && matches!(ty, None | Some("none"))
        && let Some(m) = cx.at("/sync/webhooks").and_then(|w| w.member("handlers"))
    {
        out.push(
            Diagnostic::new(
                codes::W0610,
                "sync handlers write records from webhooks that are not verified",
                "/sync/webhooks/handlers",
                m.key_span,
            )
            .with_help("configure `webhook.verification` (e.g. `hmac-sha256`)"),
        );
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::check::testing::{ACME, codes};

    #[test]
    fn the_default_page_size_is_within_the_maximum() {
        assert!(!codes(ACME, &[]).contains(&"E0604"));
        assert!(codes(ACME, &[("/sync/resources/orders/pagination/defaultLimit", Some(json!(500)))]).contains(&"E0604"));
    }

    #[test]
    fn resources_need_a_base_url() {
        assert!(!codes(ACME, &[]).contains(&"E0601"));
        assert!(codes(ACME, &[("/sync/baseUrl", None)]).contains(&"E0601"));
    }

    #[test]
    fn compute_arguments_are_checked_paths() {
        let found = codes(ACME, &[("/sync/resources/orders/apiMapping/channel/args/source", Some(json!("a[")))]);
        assert!(found.contains(&"E0605"), "{found:?}");
    }

    #[test]
    fn paging_styles_have_what_they_need() {
        let at = "/sync/resources/orders";
        let with = |pagination: serde_json::Value, next: Option<&str>| {
            let mut edits = vec![(format!("{at}/pagination"), Some(pagination))];
            if let Some(next) = next {
                edits.push((format!("{at}/responseMapping/nextProperty"), Some(json!(next))));
            }
            let edits: Vec<(&str, Option<serde_json::Value>)> = edits.iter().map(|(p, v)| (p.as_str(), v.clone())).collect();
            codes(ACME, &edits)
        };
        let ok = |c: Vec<&str>| !c.iter().any(|c| c.starts_with("E07") || *c == "W0704");
        assert!(ok(with(json!({ "paramName": "page_size", "pageParam": "p", "firstPage": 0 }), None)));
        assert!(ok(with(json!({ "style": "offset", "offsetParam": "skip", "paramName": "limit", "defaultLimit": 50 }), None)));
        assert!(ok(with(json!({ "style": "cursor", "cursorParam": "after" }), Some("meta.next_cursor"))));
        assert!(ok(with(json!({ "style": "cursor" }), Some("next"))), "a next URL needs no parameter");
        assert!(ok(with(json!({ "style": "link", "paramName": "limit", "maxLimit": 250 }), None)));
        assert!(with(json!({ "style": "cursor" }), None).contains(&"E0704"), "a cursor needs nextProperty");
        assert!(with(json!({ "style": "link", "pageParam": "p" }), None).contains(&"E0704"), "a key of another style");
        assert!(with(json!({ "offsetParam": "skip" }), None).contains(&"E0704"));
        assert!(with(json!({}), Some("next")).contains(&"E0704"), "nextProperty without the cursor style");
        assert!(with(json!({ "style": "pages" }), None).contains(&"E0704"), "an unknown style");
        assert!(with(json!({ "style": "cursor" }), Some("$.a[")).contains(&"E0602"), "the next path is checked");
    }

    #[test]
    fn extensions_are_flagged_once_each_in_a_submission() {
        let edits = [
            ("/sync/resources/orders/pagination/style", Some(json!("cursor"))),
            ("/sync/resources/orders/responseMapping/nextProperty", Some(json!("next"))),
        ];
        let doc = crate::check::testing::edited(ACME, &edits);
        let submission = crate::Options { submission: true, ..Default::default() };
        let flagged: Vec<String> = crate::check(&doc, &submission)
            .diagnostics
            .iter()
            .filter(|d| d.code.id == "W0704" && d.pointer.contains("/orders/"))
            .map(|d| d.pointer.clone())
            .collect();
        assert_eq!(flagged, ["/sync/resources/orders/pagination/style", "/sync/resources/orders/responseMapping/nextProperty"]);
        assert!(!codes(ACME, &edits).contains(&"W0704"), "only in a submission");
        let catalog =
            crate::check(&doc, &submission).diagnostics.iter().filter(|d| d.pointer.starts_with("/sync/resources/catalog/")).count();
        assert_eq!(catalog, 2, "the example's explicit `pageParam` and `firstPage` are extensions too");
        let header = json!({ "paths": [{ "source": "header", "path": "X-Acme-Delivery" }, "$.id"] });
        let doc = crate::check::testing::edited(ACME, &[("/webhook/transactionId", Some(header))]);
        let messages: Vec<(String, String)> = crate::check(&doc, &submission)
            .diagnostics
            .iter()
            .filter(|d| d.code.id == "W0704" && d.pointer.starts_with("/webhook"))
            .map(|d| (d.pointer.clone(), d.message.clone()))
            .collect();
        assert_eq!(messages.len(), 1, "the object, not the plain path: {messages:?}");
        assert_eq!(messages[0].0, "/webhook/transactionId/paths/0");
        assert!(messages[0].1.starts_with("a `{source, path}` delivery-id location"), "{messages:?}");
    }
}
