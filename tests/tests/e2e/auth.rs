//! Each auth type end to end, with generated clients of the example definitions against a real
//! provider on 127.0.0.1: the OAuth 2.0 flow and token refresh (acme-shop), an API key with HTTP
//! Basic and an install-form origin (pipeline-crm), and a bearer token with an App Function step
//! (chatly).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may panic: that is how it fails

use std::collections::BTreeMap;
use std::sync::Arc;

use miniapp::{Bag, Secret, Store};
use miniapp_loopback::{Recorded, Reply, Server, quick_retries, serve};
use miniapp_tests::{AcmeFunctions, acme_shop, chatly, pipeline_crm};
use serde_json::{Value, json};

/// What the store holds now (one load).
async fn stored(store: &dyn Store, bag: Bag, key: &str) -> Option<Value> {
    store.load().await.expect("the store loads").get(bag, key).cloned()
}

fn form(r: &Recorded) -> BTreeMap<String, String> {
    form_urlencoded::parse(&r.body).into_owned().collect()
}

/// An Acme Shop provider: token endpoint (code and refresh grants), `/me`, webhook registration,
/// and an order-status endpoint that accepts only the current access token.
pub(crate) async fn acme_provider() -> Server {
    serve(|r, earlier| {
        let refreshes = earlier
            .iter()
            .filter(|e| e.path == "/oauth/token" && form(e).get("grant_type").map(String::as_str) == Some("refresh_token"))
            .count();
        match (r.method.as_str(), r.path.as_str()) {
            ("POST", "/oauth/token") => {
                let f = form(r);
                match f.get("grant_type").map(String::as_str) {
                    Some("authorization_code") if f.get("code").map(String::as_str) == Some("the-code") => {
                        Reply::json(json!({"access_token": "at-1", "refresh_token": "rt-1", "expires_in": 3600}))
                    }
                    // Slow enough that concurrent 401s pile up behind the one refresh.
                    Some("refresh_token") if f.get("refresh_token").map(String::as_str) == Some("rt-1") => {
                        Reply::json(json!({"access_token": format!("at-{}", refreshes + 2), "refresh_token": "rt-2", "expires_in": 3600}))
                            .after(std::time::Duration::from_millis(150))
                    }
                    _ => Reply::status(400, "bad grant"),
                }
            }
            ("GET", "/v3/me") if r.header("authorization") == Some("Bearer at-1") => {
                Reply::json(json!({"merchant": {"id": 42, "owner_name": "Dana", "store": {"id": "s9", "title": "Dana's"}}}))
            }
            ("POST", "/v3/stores/s9/hooks") => Reply::json(json!({"hook": {"id": "h-1", "signing_key": "whsec-77"}})),
            ("PUT", "/v3/stores/s9/orders/o-1/status") => match r.header("authorization") {
                Some("Bearer at-2") => Reply::json(json!({"order": {"status": {"code": "shipped"}, "updated_at": "2026-11-28"}})),
                _ => Reply::status(401, "expired"),
            },
            _ => Reply::status(404, format!("no route for {} {}", r.method, r.path)),
        }
    })
    .await
}

fn acme_client(server: &Server, credentials: acme_shop::Credentials) -> acme_shop::Client {
    acme_shop::Client::builder(credentials, AcmeFunctions)
        .base_url(server.url.clone())
        .redirect_uri("https://tenant.karzoun.example/miniapps/acme-shop/oauth2")
        .webhook_url("https://tenant.karzoun.example/miniapps/acme-shop/webhooks")
        .retry(quick_retries())
        .build()
}

fn oauth_app() -> acme_shop::Credentials {
    acme_shop::Credentials { client_id: Some("cid-1".into()), client_secret: Some(Secret::new("cs-secret")), ..Default::default() }
}

#[tokio::test]
async fn the_oauth_flow_authorizes_exchanges_the_code_and_registers() {
    let server = acme_provider().await;
    let client = acme_client(&server, oauth_app());

    let state = miniapp::new_state().unwrap();
    let url = client.authorize_url(&state).await.unwrap();
    assert_eq!(url.path(), "/oauth/authorize");
    let query: BTreeMap<String, String> = url.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    assert_eq!(query.get("client_id").map(String::as_str), Some("cid-1"));
    assert_eq!(query.get("response_type").map(String::as_str), Some("code"));
    assert_eq!(query.get("scope").map(String::as_str), Some("orders:read customers:read catalog:read"), "the config default");
    assert_eq!(query.get("redirect_uri").map(String::as_str), Some("https://tenant.karzoun.example/miniapps/acme-shop/oauth2"));
    assert_eq!(query.get("state"), Some(&state));

    client.connect("the-code").await.unwrap();

    let token = &server.hits("/oauth/token")[0];
    assert_eq!(token.header("content-type"), Some("application/x-www-form-urlencoded"));
    assert_eq!(
        form(token),
        BTreeMap::from([
            ("grant_type".into(), "authorization_code".into()),
            ("code".into(), "the-code".into()),
            ("redirect_uri".into(), "https://tenant.karzoun.example/miniapps/acme-shop/oauth2".into()),
            ("client_id".into(), "cid-1".into()),
            ("client_secret".into(), "cs-secret".into()),
        ])
    );
    let hook = &server.hits("/v3/stores/s9/hooks")[0];
    assert_eq!(hook.header("authorization"), Some("Bearer at-1"));
    assert_eq!(hook.json()["target"], "https://tenant.karzoun.example/miniapps/acme-shop/webhooks");
    let store = client.store();
    assert_eq!(stored(store, Bag::Credentials, "accessToken").await, Some(json!("at-1")));
    assert_eq!(stored(store, Bag::Metadata, "storeId").await, Some(json!("s9")));
    assert_eq!(stored(store, Bag::Metadata, "uid").await, Some(json!(42)));
    assert_eq!(stored(store, Bag::Credentials, "hookSigningKey").await, Some(json!("whsec-77")));
}

fn connected() -> acme_shop::Credentials {
    acme_shop::Credentials {
        access_token: Some(Secret::new("at-1")),
        refresh_token: Some(Secret::new("rt-1")),
        store_id: Some("s9".into()),
        ..oauth_app()
    }
}

pub(crate) fn status_input() -> acme_shop::UpdateOrderStatusInput {
    acme_shop::UpdateOrderStatusInput { order_id: "o-1".into(), status_id: "shipped".into(), note: None, notify_shopper: None }
}

#[tokio::test]
async fn a_401_refreshes_the_token_once_and_retries() {
    let server = acme_provider().await;
    let client = acme_client(&server, connected());
    let out = client.update_order_status(&status_input()).await.unwrap();
    assert_eq!(out.status.as_deref(), Some("shipped"));
    let refreshes = server.hits("/oauth/token");
    assert_eq!(refreshes.len(), 1);
    assert_eq!(form(&refreshes[0]).get("refresh_token").map(String::as_str), Some("rt-1"));
    let attempts: Vec<_> =
        server.hits("/v3/stores/s9/orders").iter().map(|r| r.header("authorization").unwrap_or_default().to_string()).collect();
    assert_eq!(attempts, ["Bearer at-1", "Bearer at-2"]);
    assert_eq!(stored(client.store(), Bag::Credentials, "accessToken").await, Some(json!("at-2")), "the refreshed token is stored");
    assert_eq!(stored(client.store(), Bag::Credentials, "refreshToken").await, Some(json!("rt-2")));
}

#[tokio::test]
async fn twenty_concurrent_401s_trigger_exactly_one_refresh() {
    let server = acme_provider().await;
    let client = Arc::new(acme_client(&server, connected()));
    let calls: Vec<_> = (0..20)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.update_order_status(&status_input()).await })
        })
        .collect();
    for call in calls {
        assert_eq!(call.await.unwrap().unwrap().status.as_deref(), Some("shipped"));
    }
    assert_eq!(server.hits("/oauth/token").len(), 1, "one refresh for all");
    assert_eq!(server.hits("/v3/stores/s9/orders").iter().filter(|r| r.header("authorization") == Some("Bearer at-2")).count(), 20);
}

#[tokio::test]
async fn without_auto_refresh_a_401_is_an_unauthorized_error() {
    let server = serve(|_, _| Reply::status(401, "no")).await;
    // pipeline-crm has no refresh request: a 401 is final.
    let credentials = pipeline_crm::Credentials {
        key_id: Some(Secret::new("ck")),
        key_secret: Some(Secret::new("cs")),
        region: Some("eu".into()),
        ..Default::default()
    };
    let client = pipeline_crm::Client::builder(credentials).base_url(server.url.clone()).build();
    let input = pipeline_crm::UpsertContactInput {
        email: "a@b.example".into(),
        first_name: None,
        last_name: None,
        owner_id: None,
        lifecycle: None,
    };
    let err = client.upsert_contact(&input).await.unwrap_err();
    assert!(matches!(err, miniapp::Error::Unauthorized { status: 401, .. }), "{err:?}");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn an_api_key_install_uses_basic_auth_and_the_shop_address_from_the_form() {
    let server = serve(|r, _| match r.path.as_str() {
        "/api/v2/ping" => Reply::json(json!({"ok": true})),
        "/api/v2/account" => Reply::json(json!({"account": {"id": "acc-1", "company": "Pipes", "region": "eu"}})),
        "/v2/contacts/upsert" => Reply::json(json!({"contact": {"id": "c-1"}, "created": true})),
        _ => Reply::status(404, "no route"),
    })
    .await;
    let credentials = pipeline_crm::Credentials {
        shop_url: Some(server.origin()),
        key_id: Some(Secret::new("ck_live")),
        key_secret: Some(Secret::new("cs_live")),
        ..Default::default()
    };
    // No base-URL override: `{{shopUrl}}` itself points at the provider.
    let client = pipeline_crm::Client::new(credentials);
    assert_eq!(
        client.test_token().await.unwrap(),
        serde_json::from_value::<serde_json::Map<String, Value>>(json!({"reachable": true, "connected": "true"})).unwrap()
    );
    client.connect().await.unwrap();
    let ping = &server.hits("/api/v2/ping")[0];
    assert_eq!(ping.header("authorization"), Some("Basic Y2tfbGl2ZTpjc19saXZl"), "base64(ck_live:cs_live)");
    assert_eq!(ping.query.as_deref(), Some("limit=1"));
    assert_eq!(stored(client.store(), Bag::Metadata, "region").await, Some(json!("eu")));

    // An action on the API host, reading `[[region]]` from the metadata.
    let client = pipeline_crm::Client::builder(pipeline_crm::Credentials {
        key_id: Some(Secret::new("ck_live")),
        key_secret: Some(Secret::new("cs_live")),
        region: Some("eu".into()),
        ..Default::default()
    })
    .base_url(server.url.clone())
    .build();
    let input = pipeline_crm::UpsertContactInput {
        email: "a@b.example".into(),
        first_name: Some("Ada".into()),
        last_name: None,
        owner_id: None,
        lifecycle: Some(pipeline_crm::UpsertContactLifecycle::Customer),
    };
    let out = client.upsert_contact(&input).await.unwrap();
    assert_eq!(out.contact_id, Some(json!("c-1")));
    let upsert = &server.hits("/v2/contacts/upsert")[0];
    assert_eq!(upsert.query.as_deref(), Some("match=email"));
    assert_eq!(
        upsert.json(),
        json!({"email": "a@b.example", "first_name": "Ada", "last_name": null, "owner_id": null, "stage": "customer", "region": "eu"})
    );
}

#[tokio::test]
async fn an_origin_placeholder_cannot_smuggle_a_path_or_user_info() {
    let server = serve(|_, _| Reply::json(json!({"ok": true}))).await;
    for shop in [format!("{}/evil", server.origin()), "https://user:pw@shop.example".to_string(), "javascript:alert(1)".to_string()] {
        let client = pipeline_crm::Client::new(pipeline_crm::Credentials {
            shop_url: Some(shop.clone()),
            key_id: Some(Secret::new("k")),
            key_secret: Some(Secret::new("s")),
            ..Default::default()
        });
        let err = client.test_token().await.unwrap_err();
        assert!(matches!(err, miniapp::Error::Template { .. }), "{shop}: {err:?}");
    }
    assert!(server.requests().is_empty());
}

struct Tickets;

impl chatly::Functions for Tickets {
    fn first_open(&self, args: chatly::FirstOpenArgs) -> Result<serde_json::Map<String, Value>, String> {
        let tickets = args.tickets.ok_or("no tickets")?;
        let open = tickets.as_array().into_iter().flatten().find(|t| t["state"] == "open");
        let mut out = serde_json::Map::new();
        out.insert("found".into(), json!(open.is_some()));
        out.insert("ticketId".into(), open.map_or(Value::Null, |t| t["id"].clone()));
        Ok(out)
    }
}

#[tokio::test]
async fn a_bearer_token_client_runs_http_and_app_function_steps() {
    let server = serve(|r, _| match r.path.as_str() {
        "/v1/whoami" => Reply::json(json!({"account": {"id": "u-1", "display_name": "Kim", "workspace_id": "w-5"}})),
        "/v1/members/m-1/tickets" => Reply::json(json!({"tickets": [{"id": 1, "state": "closed"}, {"id": 2, "state": "open"}]})),
        "/v1/private-rooms" => Reply::json(json!({"room": {"id": "r-9"}})),
        "/v1/rooms/r-9/posts" => Reply::json(json!({"post": {"id": "p-1", "created_at": "now"}})),
        _ => Reply::status(404, "no route"),
    })
    .await;
    let client = chatly::Client::builder(chatly::Credentials { api_token: Some(Secret::new("chat-token")), ..Default::default() }, Tickets)
        .base_url(server.url.clone())
        .build();
    client.connect().await.unwrap();
    assert_eq!(stored(client.store(), Bag::Metadata, "workspaceId").await, Some(json!("w-5")));

    let out = client.find_open_ticket(&chatly::FindOpenTicketInput { member_id: "m-1".into() }).await.unwrap();
    assert_eq!(out.returned.get("found"), Some(&json!(true)));
    assert_eq!(out.returned.get("ticketId"), Some(&json!(2)));

    let input = chatly::NotifyMemberInput {
        member_id: "m-1".into(),
        message: "hello".into(),
        urgency: None,
        silent: Some(true),
        tags: Some(vec![json!("vip")]),
    };
    let out = client.notify_member(&input).await.unwrap();
    assert_eq!(out.post_id, Some(json!("p-1")));
    assert_eq!(server.hits("/v1/private-rooms")[0].json(), json!({"with": "m-1", "workspace": "w-5"}), "[[workspaceId]] from the metadata");
    assert_eq!(
        server.hits("/v1/rooms/r-9/posts")[0].json(),
        json!({"text": "[normal] hello", "silent": true, "tags": ["vip"]}),
        "the default, and typed whole values"
    );
    assert!(server.requests().iter().all(|r| r.header("authorization") == Some("Bearer chat-token")));
}

#[tokio::test]
async fn a_failing_app_function_aborts_the_action_with_its_message() {
    struct Failing;
    impl chatly::Functions for Failing {
        fn first_open(&self, _: chatly::FirstOpenArgs) -> Result<serde_json::Map<String, Value>, String> {
            Err("the sandbox said no".into())
        }
    }
    let server = serve(|_, _| Reply::json(json!({"tickets": []}))).await;
    let client = chatly::Client::builder(chatly::Credentials { api_token: Some(Secret::new("t")), ..Default::default() }, Failing)
        .base_url(server.url.clone())
        .build();
    let err = client.find_open_ticket(&chatly::FindOpenTicketInput { member_id: "m".into() }).await.unwrap_err();
    assert!(
        matches!(&err, miniapp::Error::Function { function, message } if function == "firstOpen" && message == "the sandbox said no"),
        "{err:?}"
    );
}

#[tokio::test]
async fn sources_fetch_dropdown_options() {
    let server = serve(|_, _| Reply::json(json!({"items": [{"id": "m1", "profile": {"display_name": "Ann"}}, {"id": 7, "profile": {}}, {"profile": {"display_name": "no id"}}]}))).await;
    let client = chatly::Client::builder(chatly::Credentials { api_token: Some(Secret::new("t")), ..Default::default() }, Tickets)
        .base_url(server.url.clone())
        .build();
    let options = client.rpc_members().await.unwrap();
    assert_eq!(
        options,
        [miniapp::SourceOption { value: "m1".into(), label: "Ann".into() }, miniapp::SourceOption { value: "7".into(), label: "7".into() }]
    );
    assert_eq!(server.requests()[0].query.as_deref(), Some("limit=500&active=true"));
}

#[tokio::test]
async fn a_source_whose_options_are_not_an_array_is_an_unexpected_response() {
    let server = serve(|_, _| Reply::json(json!({"items": {"id": "not a list"}}))).await;
    let client = chatly::Client::builder(chatly::Credentials { api_token: Some(Secret::new("t")), ..Default::default() }, Tickets)
        .base_url(server.url.clone())
        .build();
    let err = client.rpc_members().await.unwrap_err();
    assert!(matches!(&err, miniapp::Error::UnexpectedResponse { message, .. } if message.contains("$.items")), "{err:?}");
}

#[tokio::test]
async fn a_custom_store_receives_refreshed_tokens() {
    let server = acme_provider().await;
    let store = Arc::new(miniapp::MemoryStore::new());
    let client = acme_shop::Client::builder(connected(), AcmeFunctions).store(store.clone()).base_url(server.url.clone()).build();
    client.update_order_status(&status_input()).await.unwrap();
    assert_eq!(store.get(Bag::Credentials, "accessToken"), Some(json!("at-2")));
}

#[tokio::test]
async fn refresh_token_refreshes_on_demand() {
    let server = acme_provider().await;
    let client = acme_client(&server, connected());
    client.refresh_token().await.unwrap();
    assert_eq!(stored(client.store(), Bag::Credentials, "accessToken").await, Some(json!("at-2")));
    assert_eq!(server.hits("/oauth/token").len(), 1);
    assert!(server.hits("/v3/").is_empty(), "no action was needed to refresh");
}

// ---------------------------------------------------------------------------------------------
// The credential store: async, fallible, read once per call, written once per token response.

/// A store that counts its calls, can be made to fail, and yields on every call (like a database).
#[derive(Default)]
struct TestStore {
    inner: miniapp::MemoryStore,
    loads: std::sync::atomic::AtomicUsize,
    saves: std::sync::atomic::AtomicUsize,
    fail_loads: std::sync::atomic::AtomicBool,
    /// How many of the next saves fail.
    failing_saves: std::sync::atomic::AtomicUsize,
    delay: std::time::Duration,
}

impl TestStore {
    fn holding(credentials: &[(&str, &str)], metadata: &[(&str, Value)]) -> Self {
        let store = TestStore::default();
        for (k, v) in credentials {
            store.inner.set(Bag::Credentials, k, json!(v));
        }
        for (k, v) in metadata {
            store.inner.set(Bag::Metadata, k, v.clone());
        }
        store
    }

    fn counts(&self) -> (usize, usize) {
        use std::sync::atomic::Ordering::SeqCst;
        (self.loads.load(SeqCst), self.saves.load(SeqCst))
    }
}

#[miniapp::async_trait]
impl Store for TestStore {
    async fn load(&self) -> Result<miniapp::Snapshot, miniapp::StoreError> {
        use std::sync::atomic::Ordering::SeqCst;
        self.loads.fetch_add(1, SeqCst);
        tokio::time::sleep(self.delay).await;
        if self.fail_loads.load(SeqCst) {
            return Err(miniapp::StoreError::retryable("connection refused"));
        }
        self.inner.load().await
    }

    async fn save(&self, writes: &[miniapp::Write]) -> Result<(), miniapp::StoreError> {
        use std::sync::atomic::Ordering::SeqCst;
        self.saves.fetch_add(1, SeqCst);
        tokio::time::sleep(self.delay).await;
        if self.failing_saves.fetch_update(SeqCst, SeqCst, |n| n.checked_sub(1)).is_ok() {
            return Err(miniapp::StoreError::retryable("write timed out"));
        }
        self.inner.save(writes).await
    }
}

fn acme_with(server: &Server, store: Arc<TestStore>) -> acme_shop::Client {
    acme_shop::Client::builder(acme_shop::Credentials::default(), AcmeFunctions)
        .store(store)
        .base_url(server.url.clone())
        .retry(quick_retries())
        .rate_limit(None)
        .build()
}

fn installed() -> TestStore {
    TestStore::holding(
        &[("accessToken", "at-1"), ("refreshToken", "rt-1"), ("client_id", "cid-1"), ("client_secret", "cs-secret")],
        &[("storeId", json!("s9"))],
    )
}

#[tokio::test]
async fn an_action_reads_the_store_once_and_a_token_response_is_one_save() {
    let server = acme_provider().await;
    let store = Arc::new(installed());
    let client = acme_with(&server, store.clone());
    // A 401, one refresh, then the retry: the call's own load, the refresh's load, the reload
    // after the refresh; one save of the three refreshed values together.
    client.update_order_status(&status_input()).await.unwrap();
    assert_eq!(store.counts(), (3, 1));
    assert_eq!(store.inner.get(Bag::Credentials, "expiresIn"), Some(json!(3600)));
    // Now the token is good: one load for the whole call, however many placeholders it renders
    // (`[[accessToken]]`, `[[storeId]]`, the secrets masked in errors), and no save.
    client.update_order_status(&status_input()).await.unwrap();
    assert_eq!(store.counts(), (4, 1));
}

#[tokio::test]
async fn a_failed_load_is_a_typed_error_before_anything_is_sent() {
    let server = acme_provider().await;
    let store = Arc::new(installed());
    store.fail_loads.store(true, std::sync::atomic::Ordering::SeqCst);
    let client = acme_with(&server, store.clone());
    let err = client.update_order_status(&status_input()).await.unwrap_err();
    assert!(matches!(&err, miniapp::Error::Store { request, .. } if request == "updateOrderStatus"), "{err:?}");
    assert!(err.is_retryable());
    let err = client.rpc_order_statuses().await.unwrap_err();
    assert!(matches!(err, miniapp::Error::Store { .. }), "{err:?}");
    assert!(client.authorize_url("s").await.is_err());
    assert!(server.requests().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn a_refreshed_token_that_cannot_be_saved_fails_the_call_and_is_written_before_the_next() {
    let server = acme_provider().await;
    let store = Arc::new(installed());
    store.failing_saves.store(1, std::sync::atomic::Ordering::SeqCst);
    let client = acme_with(&server, store.clone());
    let err = client.update_order_status(&status_input()).await.unwrap_err();
    assert!(matches!(&err, miniapp::Error::Store { request, .. } if request == "refresh_token"), "{err:?}");
    assert!(err.is_retryable(), "the caller is told to try again");
    assert!(!err.to_string().contains("at-2") && !format!("{err:?}").contains("rt-2"), "no token in the error");
    assert_eq!(store.inner.get(Bag::Credentials, "accessToken"), Some(json!("at-1")), "not reported as refreshed");
    assert_eq!(server.hits("/oauth/token").len(), 1);

    // The next call first writes the kept tokens, then uses them: no second refresh (the
    // provider has rotated `rt-1` away), and the order update succeeds at once.
    let out = client.update_order_status(&status_input()).await.unwrap();
    assert_eq!(out.status.as_deref(), Some("shipped"));
    assert_eq!(store.inner.get(Bag::Credentials, "accessToken"), Some(json!("at-2")));
    assert_eq!(store.inner.get(Bag::Credentials, "refreshToken"), Some(json!("rt-2")));
    assert_eq!(server.hits("/oauth/token").len(), 1, "refreshed once in all");
}

#[tokio::test]
async fn refresh_token_reports_a_failed_save() {
    let server = acme_provider().await;
    let store = Arc::new(installed());
    store.failing_saves.store(usize::MAX, std::sync::atomic::Ordering::SeqCst);
    let client = acme_with(&server, store.clone());
    assert!(matches!(client.refresh_token().await, Err(miniapp::Error::Store { .. })));
    assert_eq!(store.inner.get(Bag::Credentials, "accessToken"), Some(json!("at-1")));
    // While the store refuses writes, calls fail instead of using stale tokens.
    assert!(matches!(client.update_order_status(&status_input()).await, Err(miniapp::Error::Store { .. })));
}

#[tokio::test]
async fn a_slow_store_under_twenty_concurrent_401s_refreshes_once() {
    let server = acme_provider().await;
    let store = Arc::new(TestStore { delay: std::time::Duration::from_millis(5), ..installed() });
    let client = Arc::new(acme_with(&server, store.clone()));
    let calls: Vec<_> = (0..20)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.update_order_status(&status_input()).await })
        })
        .collect();
    let all = tokio::time::timeout(std::time::Duration::from_secs(20), async {
        for call in calls {
            assert_eq!(call.await.unwrap().unwrap().status.as_deref(), Some("shipped"));
        }
    });
    all.await.expect("no deadlock");
    assert_eq!(server.hits("/oauth/token").len(), 1, "one refresh for all");
    assert_eq!(store.counts().1, 1, "one save");
}

#[tokio::test]
async fn credentials_given_to_the_builder_are_written_once_before_the_first_call() {
    let server = acme_provider().await;
    let store = Arc::new(TestStore::default());
    let client =
        acme_shop::Client::builder(connected(), AcmeFunctions).store(store.clone()).base_url(server.url.clone()).rate_limit(None).build();
    assert_eq!(store.counts(), (0, 0), "building does not touch the store");
    client.rpc_order_statuses().await.unwrap_err(); // 404 from this provider: the request was sent
    assert_eq!(store.counts(), (1, 1));
    assert_eq!(store.inner.get(Bag::Metadata, "storeId"), Some(json!("s9")));
    assert_eq!(server.hits("/v3/stores/s9/order-statuses")[0].header("authorization"), Some("Bearer at-1"));
}

#[test]
fn credentials_load_from_json_with_the_definitions_key_names() {
    let c: acme_shop::Credentials = serde_json::from_value(json!({
        "accessToken": "at-9", "refreshToken": "rt-9", "storeId": "s9", "client_id": "cid", "expiresIn": 3600
    }))
    .unwrap();
    assert_eq!(c.access_token.as_ref().map(Secret::expose), Some("at-9"));
    assert_eq!(c.store_id.as_deref(), Some("s9"));
    assert_eq!(c.client_id.as_deref(), Some("cid"));
    assert_eq!(c.expires_in, Some(json!(3600)));
    assert!(!format!("{c:?}").contains("at-9"), "secrets stay secret");
    let err = serde_json::from_value::<acme_shop::Credentials>(json!({"accessToken": "x", "acessToken": "y"})).unwrap_err();
    assert!(err.to_string().contains("unknown field `acessToken`"), "{err}");
    assert!(serde_json::from_value::<acme_shop::Credentials>(json!({"access_token": "x"})).is_err(), "Rust names are not keys");
}

// ---------------------------------------------------------------------------------------------
// Secrets echoed back by a provider are masked in every encoding they can take.

#[tokio::test]
async fn echoed_secrets_are_masked_in_every_encoding() {
    // The Basic header of an API-key install, echoed in a 400.
    let server = serve(|r, _| Reply::status(400, format!("bad auth {}", r.header("authorization").unwrap_or_default()))).await;
    let client = pipeline_crm::Client::new(pipeline_crm::Credentials {
        shop_url: Some(server.origin()),
        key_id: Some(Secret::new("ck_live")),
        key_secret: Some(Secret::new("cs_live")),
        ..Default::default()
    });
    let err = client.test_token().await.unwrap_err();
    for shown in [err.to_string(), format!("{err:?}")] {
        assert!(!shown.contains("Y2tfbGl2ZTpjc19saXZl") && !shown.contains("cs_live"), "{shown}");
    }

    // A form-encoded client secret, echoed as sent, and JSON-escaped with `\/`.
    const SECRET: &str = "cs_a+b/c=d&e";
    for echo in ["form", "json"] {
        let server = serve(move |r, _| {
            let body = if echo == "form" {
                r.text()
            } else {
                format!("{{\"got\": {}}}", serde_json::to_string(&form(r)).unwrap().replace('/', "\\/"))
            };
            Reply::status(400, format!("invalid_client: {body}"))
        })
        .await;
        let client = acme_client(
            &server,
            acme_shop::Credentials { client_id: Some("cid".into()), client_secret: Some(Secret::new(SECRET)), ..Default::default() },
        );
        let err = client.exchange_code("the-code").await.unwrap_err();
        let miniapp::Error::Status { body, .. } = &err else { panic!("{err:?}") };
        assert!(body.contains("***"), "{body}");
        for form in ["cs_a%2Bb%2Fc%3Dd%26e", "cs_a+b\\/c=d&e", SECRET] {
            assert!(!body.contains(form), "{echo}: {form} in {body}");
        }
    }
}

#[tokio::test]
async fn a_token_replaced_by_a_refresh_is_masked_too() {
    let server = serve(|r, _| match (r.method.as_str(), r.path.as_str()) {
        ("POST", "/oauth/token") => Reply::json(json!({"access_token": "at-NEW-2", "refresh_token": "rt-2"})),
        (_, p) if p.ends_with("/status") => match r.header("authorization") {
            Some("Bearer at-OLD-1") => Reply::status(401, "expired"),
            _ => Reply::status(500, "trace: old=at-OLD-1 new=at-NEW-2"),
        },
        _ => Reply::status(404, "no route"),
    })
    .await;
    let credentials = acme_shop::Credentials { access_token: Some(Secret::new("at-OLD-1")), ..connected() };
    let client =
        acme_shop::Client::builder(credentials, AcmeFunctions).base_url(server.url.clone()).retry(miniapp::RetryPolicy::none()).build();
    let err = client.update_order_status(&status_input()).await.unwrap_err();
    let shown = err.to_string();
    assert!(shown.contains("old=*** new=***"), "{shown}");
}
