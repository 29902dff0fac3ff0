//! The compile-pass cases of the macros: every example definition through `include_miniapp!`
//! with `deny_warnings`, and an inline definition through `miniapp!`. They are compiled as part
//! of the workspace (not by trybuild, whose nested build would start from nothing), so they reuse
//! what the workspace already built.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may panic: that is how it fails

macro_rules! includes {
    ($($module:ident => $file:literal),* $(,)?) => {
        $(
            mod $module {
                miniapp::include_miniapp!($file, deny_warnings);
            }
        )*

        #[test]
        fn every_example_definition_expands_with_warnings_denied() {
            $(assert_eq!($module::NS.replace('-', "_"), stringify!($module));)*
        }
    };
}

includes! {
    acme_shop => "../../examples/definitions/acme-shop.json",
    bookwise => "../../examples/definitions/bookwise.json",
    chatly => "../../examples/definitions/chatly.json",
    cloudbox => "../../examples/definitions/cloudbox.json",
    forgehub => "../../examples/definitions/forgehub.json",
    pipeline_crm => "../../examples/definitions/pipeline-crm.json",
}

mod tiny {
    miniapp::miniapp! {
        "ns": "tiny",
        "name": "tiny",
        "type": "tiny",
        "title": "Tiny",
        "label": "Tiny",
        "description": "A tiny app.\n\n## Setup\n1. Paste a token.",
        "shortDescription": "Tiny",
        "status": "private",
        "version": "1.0.0",
        "category": "developer",
        "icon": "https://tiny.example/icon.svg",
        "logo": "https://tiny.example/logo.svg",
        "docsUrl": "https://tiny.example/docs",
        "auth": { "type": "bearer_token", "sensitiveKeys": ["apiToken"], "config": { "apiToken": "" } }
    }
}

#[test]
fn an_inline_definition_expands() {
    let client = tiny::Client::new(tiny::Credentials::default());
    let _ = client.store();
    assert_eq!(tiny::NS, "tiny");
}

/// Samples named explicitly: chatly has no `chatly.samples/`, so only the option can type its
/// output (`samples/` is beside this crate's `Cargo.toml`).
mod chatly_typed {
    miniapp::include_miniapp!("../../examples/definitions/chatly.json", samples = "samples/chatly");
}

mod tiny_typed {
    miniapp::miniapp! {
        samples = "samples/tiny";
        "ns": "tiny-typed",
        "name": "tiny-typed",
        "type": "tiny-typed",
        "title": "Tiny typed",
        "label": "Tiny typed",
        "description": "A tiny app.\n\n## Setup\n1. Paste a token.",
        "shortDescription": "Tiny typed",
        "status": "private",
        "version": "1.0.0",
        "category": "developer",
        "icon": "https://tiny.example/icon.svg",
        "logo": "https://tiny.example/logo.svg",
        "docsUrl": "https://tiny.example/docs",
        "auth": { "type": "bearer_token", "sensitiveKeys": ["apiToken"], "config": { "apiToken": "" } },
        "actions": [{
            "name": "ping",
            "title": "Ping",
            "description": "Asks whether the service is up",
            "parameters": { "type": "object", "properties": {} },
            "requests": [{
                "url": "https://tiny.example/ping",
                "method": "GET",
                "headers": { "Authorization": "Bearer [[apiToken]]" },
                "mapping": { "ok": "$.ok", "at": "$.at" }
            }]
        }]
    }
}

#[test]
fn samples_given_to_the_macros_type_the_outputs() {
    // These assignments compile only if the samples were read: without them the fields are JSON.
    let post: Option<i64> = chatly_typed::PostToRoomOutput::default().post_id;
    let ping = tiny_typed::PingOutput::default();
    let (ok, at): (Option<bool>, Option<f64>) = (ping.ok, ping.at);
    assert_eq!((post, ok, at), (None, None, None));
}
