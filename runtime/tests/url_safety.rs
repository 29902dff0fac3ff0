//! Whatever a placeholder's value, a rendered URL keeps the template's host, its literal path
//! prefix and suffix, and its query keys (docs/format.md §6.7).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may panic: that is how it fails

use miniapp::rt::Vars;
use miniapp::rt::template::{Scope, Src, Target, UrlSeg, UrlTemplate, render_url, render_url_to};
use miniapp::{Snapshot, Url};
use proptest::prelude::*;
use serde_json::Value;

const TEMPLATE: UrlTemplate = UrlTemplate {
    segs: &[
        UrlSeg::Lit("https://"),
        UrlSeg::Host(Src::Var, "sub"),
        UrlSeg::Lit(".api.example/v1/items/"),
        UrlSeg::Path(Src::Var, "id"),
        UrlSeg::Lit("/detail?q="),
        UrlSeg::Query(Src::Var, "q"),
        UrlSeg::Lit("&fixed=1"),
    ],
};

fn render(sub: &str, id: &str, q: &str) -> Result<Url, miniapp::Error> {
    let mut vars = Vars::new();
    vars.insert("sub", Value::String(sub.into()));
    vars.insert("id", Value::String(id.into()));
    vars.insert("q", Value::String(q.into()));
    let store = Snapshot::new();
    render_url(&TEMPLATE, &Scope { vars: &vars, store: &store, overrides: &[], config: &[], system: &[], origins: &[] }, "prop")
}

/// A template whose origin is written, sent to a test server's origin instead.
const FIXED: UrlTemplate = UrlTemplate {
    segs: &[
        UrlSeg::Lit("https://api.example/v1/items/"),
        UrlSeg::Path(Src::Var, "id"),
        UrlSeg::Lit("/detail?q="),
        UrlSeg::Query(Src::Var, "q"),
    ],
};

fn render_rebased(id: &str, q: &str) -> Result<Url, miniapp::Error> {
    let vars: Vars = [("id", Value::String(id.into())), ("q", Value::String(q.into()))].into_iter().collect();
    let store = Snapshot::new();
    let target = Target::new(Some(Url::parse("http://127.0.0.1:8080/ignored").unwrap()));
    let scope = Scope { vars: &vars, store: &store, overrides: &[], config: &[], system: &[], origins: &[] };
    render_url_to(&FIXED, &scope, "prop", &target)
}

fn nasty() -> impl Strategy<Value = String> {
    prop_oneof![
        "[\\PC]{0,24}",
        prop::collection::vec(
            prop::sample::select(vec![
                "/",
                "..",
                ".",
                "?",
                "#",
                "@",
                ":",
                "%",
                "%2e",
                "%2F",
                "\\",
                "//",
                "evil.example",
                "a",
                " ",
                "&",
                "="
            ]),
            0..8
        )
        .prop_map(|parts| parts.concat()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn values_never_change_the_host_or_the_url_structure(sub in nasty(), id in nasty(), q in nasty()) {
        if let Ok(url) = render(&sub, &id, &q) {
            let host = format!("{}.api.example", sub.to_ascii_lowercase());
            prop_assert_eq!(url.host_str(), Some(host.as_str()));
            prop_assert!(url.path().starts_with("/v1/items/") && url.path().ends_with("/detail"), "{}", url);
            let inner = &url.path()["/v1/items/".len()..url.path().len() - "/detail".len()];
            prop_assert_eq!(inner.split('/').count(), id.split('/').count(), "one segment per `/`-separated piece: {}", url);
            prop_assert!(inner.split('/').all(|s| !s.is_empty() && s != "." && s != ".."));
            let keys: Vec<String> = url.query_pairs().map(|(k, _)| k.into_owned()).collect();
            prop_assert_eq!(keys, vec!["q".to_string(), "fixed".to_string()]);
            let q_value = url.query_pairs().next().map(|(_, v)| v.into_owned());
            prop_assert_eq!(q_value.as_deref(), Some(q.as_str()), "the query value round-trips");
            prop_assert_eq!(url.fragment(), None);
            prop_assert_eq!(url.username(), "");
        }
    }

    #[test]
    fn a_rebased_url_keeps_the_base_origin_and_the_written_path(id in nasty(), q in nasty()) {
        let plain = {
            let vars: Vars = [("id", Value::String(id.clone())), ("q", Value::String(q.clone()))].into_iter().collect();
            let store = Snapshot::new();
            render_url(&FIXED, &Scope { vars: &vars, store: &store, overrides: &[], config: &[], system: &[], origins: &[] }, "prop")
        };
        match (render_rebased(&id, &q), plain) {
            (Ok(url), Ok(plain)) => {
                prop_assert_eq!(url.origin().ascii_serialization(), "http://127.0.0.1:8080");
                prop_assert_eq!(url.path(), plain.path(), "the path is the one the definition's origin gets");
                prop_assert_eq!(url.query(), plain.query());
                prop_assert!(url.path().starts_with("/v1/items/") && url.path().ends_with("/detail"), "{}", url);
            }
            (Err(_), Err(_)) => {}
            (rebased, plain) => prop_assert!(false, "rebased {:?}, plain {:?}", rebased, plain),
        }
    }

    #[test]
    fn only_dns_labels_are_accepted_as_hosts(sub in nasty()) {
        let ok = render(&sub, "x", "").is_ok();
        let label = !sub.is_empty() && sub.len() <= 63 && sub.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') && !sub.starts_with('-') && !sub.ends_with('-');
        prop_assert_eq!(ok, label, "{:?}", sub);
    }
}
