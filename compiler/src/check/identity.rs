//! docs/format.md §15.1: identity and Marketplace fields (rules 1–9; 1, 3 and 5 live in the schema).

use super::{Ctx, ptr};
use crate::codes;
use crate::diagnostic::Diagnostic;

/// Rule 2: `name` and `type` are usually the same as `ns`.
pub fn name_and_type_match_ns(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let Some(ns) = cx.ns else { return };
    for field in ["name", "type"] {
        if let Some(node) = cx.root.get(field)
            && let Some(value) = node.as_str()
            && value != ns
        {
            out.push(
                Diagnostic::new(codes::W0102, format!("`{field}` is `{value}` but `ns` is `{ns}`"), ptr(&[field]), node.span)
                    .with_help(format!("`{field}` is usually the same as `ns`: \"{ns}\"")),
            );
        }
    }
}

/// Rule 3 (submission): drafts use `status: "private"`.
pub fn status_is_private_in_submission(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    if let Some(node) = cx.root.get("status")
        && cx.options.submission
        && node.as_str() == Some("public")
    {
        out.push(
            Diagnostic::new(codes::W0103, "a submission must have `status: \"private\"`", "/status", node.span)
                .with_help("only Karzoun sets `public`, after approval"),
        );
    }
}

/// Rule 4: `version` is SemVer 2.0.
pub fn version_is_semver(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let Some(node) = cx.root.get("version") else {
        return;
    };
    let Some(v) = node.as_str() else { return };
    if let Err(e) = semver::Version::parse(v) {
        out.push(
            Diagnostic::new(codes::E0104, format!("`{v}` is not a SemVer 2.0 version: {e}"), "/version", node.span)
                .with_help("write MAJOR.MINOR.PATCH, e.g. `1.0.0`"),
        );
    }
}

/// Rule 6: `icon`, `logo`, `docsUrl` are absolute https URLs; icons and logos are SVG or PNG.
pub fn urls_are_https(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    for field in ["icon", "logo", "docsUrl"] {
        let Some(node) = cx.root.get(field) else {
            continue;
        };
        let Some(url) = node.as_str() else { continue };
        let host = url.strip_prefix("https://").map(|rest| rest.split(['/', '?', '#']).next().unwrap_or_default());
        if host.is_none_or(str::is_empty) || url.chars().any(char::is_whitespace) {
            let help = if url.starts_with("http://") {
                "use `https://`"
            } else {
                "write an absolute URL such as `https://example.com/brand/icon.svg`"
            };
            out.push(
                Diagnostic::new(codes::E0106, format!("`{field}` must be an absolute https URL, found `{url}`"), ptr(&[field]), node.span)
                    .with_help(help),
            );
            continue;
        }
        if field != "docsUrl" {
            let path = url.split(['?', '#']).next().unwrap_or_default().to_ascii_lowercase();
            if !(path.ends_with(".svg") || path.ends_with(".png")) {
                out.push(
                    Diagnostic::new(codes::W0106, format!("`{field}` should be an .svg or .png file"), ptr(&[field]), node.span)
                        .with_help("the Marketplace shows SVG and PNG images; link one of those"),
                );
            }
        }
    }
}

/// Rule 7: short description length; numbered setup steps in the description.
pub fn listing_text(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    if let Some(node) = cx.root.get("shortDescription")
        && let Some(text) = node.as_str()
        && text.chars().count() > 120
    {
        out.push(
            Diagnostic::new(
                codes::W0107,
                format!("`shortDescription` has {} characters; keep it under about 120", text.chars().count()),
                "/shortDescription",
                node.span,
            )
            .with_help("shorten it: the Marketplace card cuts longer text"),
        );
    }
    if let Some(node) = cx.root.get("description")
        && let Some(text) = node.as_str()
    {
        let numbered = text.lines().any(|l| {
            let l = l.trim_start();
            let digits = l.chars().take_while(char::is_ascii_digit).count();
            digits > 0 && l[digits..].starts_with(". ")
        });
        if !numbered {
            out.push(
                Diagnostic::new(codes::W0107, "`description` has no numbered setup steps", "/description", node.span)
                    .with_help("add Markdown steps such as `1. Create an API token`"),
            );
        }
    }
}

/// Rule 8: `youtubeId` is a bare id.
pub fn youtube_id_is_bare(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let Some(node) = cx.root.get("youtubeId") else {
        return;
    };
    let Some(id) = node.as_str() else { return };
    if id.contains('/') || id.contains('?') || id.contains('=') || id.contains('.') {
        out.push(
            Diagnostic::new(codes::W0108, format!("`youtubeId` looks like a URL: `{id}`"), "/youtubeId", node.span)
                .with_help("use the bare video id, e.g. `c9Hq3xT0aQe`"),
        );
    }
}

/// Rule 9 (submission): Karzoun-internal fields.
pub fn no_internal_fields_in_submission(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    if !cx.options.submission {
        return;
    }
    let places = [("", "provisioning"), ("/webhook", "merchantExtraction"), ("/webhook", "uninstallEvents")];
    for (parent, key) in places {
        if let Some(member) = cx.root.pointer(parent).and_then(|p| p.member(key)) {
            out.push(
                Diagnostic::new(
                    codes::W0109,
                    format!("`{key}` is a Karzoun-internal field, not part of the partner schema"),
                    format!("{parent}/{key}"),
                    member.key_span,
                )
                .with_help("remove it: the platform sets it"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::check::testing::{CHATLY, codes};

    #[test]
    fn versions_are_semver() {
        assert!(!codes(CHATLY, &[]).contains(&"E0104"));
        assert!(!codes(CHATLY, &[("/version", Some(json!("2.0.0-rc.1+build.5")))]).contains(&"E0104"));
        assert!(codes(CHATLY, &[("/version", Some(json!("1.0")))]).contains(&"E0104"));
    }

    #[test]
    fn listing_urls_are_https() {
        assert!(!codes(CHATLY, &[]).contains(&"E0106"));
        assert!(codes(CHATLY, &[("/icon", Some(json!("http://static.chatly.example/mark.svg")))]).contains(&"E0106"));
    }
}
