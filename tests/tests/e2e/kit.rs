//! The test kit (`miniapp` feature `testing`): every bundled example's generated `MockProvider`
//! serves its actions and its imports (every page style the examples use, and a resume), records
//! requests with their secrets masked and injects faults; `sign_delivery` makes deliveries that
//! `receive_webhook` verifies, for every verification and extraction shape the examples use.

use futures_util::StreamExt as _;
use miniapp::testing::{Fault, Route};
use miniapp::{RetryPolicy, Secret};
use miniapp_tests::{AcmeFunctions, acme_shop, bookwise, chatly, cloudbox, forgehub, pipeline_crm};
use serde_json::{Value, json};

fn input<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("a valid input")
}

fn acme(mock: &acme_shop::testing::MockProvider) -> acme_shop::Client {
    let credentials = acme_shop::Credentials {
        client_id: Some("cid-1".into()),
        client_secret: Some(Secret::new("cs-secret-1")),
        access_token: Some(Secret::new("at-secret-1")),
        refresh_token: Some(Secret::new("rt-secret-1")),
        hook_signing_key: Some(Secret::new("whsec-1")),
        store_id: Some("s9".into()),
        ..Default::default()
    };
    acme_shop::Client::builder(credentials, AcmeFunctions).base_url(mock.url()).build()
}

#[tokio::test]
async fn acme_actions_answer_from_the_samples_unless_the_test_says_otherwise() {
    let mock = acme_shop::testing::MockProvider::start().await;
    let client = acme(&mock);
    let out = client.update_order_status(&acme_shop::UpdateOrderStatusInput::new("o-17", "shipped")).await.unwrap();
    assert_eq!(out.status.as_deref(), Some("shipped"), "from actions/updateOrderStatus/1.json");
    let note = client.add_order_note(&acme_shop::AddOrderNoteInput::new("A-1017", "wrap it")).await.unwrap();
    assert_eq!((note.note_id, note.order_id.as_deref()), (Some(88), Some("o-17")), "two steps, two samples");
    let step_2 = mock.requests_to(Route::Action { action: "addOrderNote", step: 2 });
    assert_eq!(step_2[0].path, "/v3/stores/s9/orders/o-17/notes", "step 2 used the id step 1 answered");

    mock.on_action("updateOrderStatus").reply(json!({"order": {"status": {"code": "cancelled"}}}));
    let out = client.update_order_status(&acme_shop::UpdateOrderStatusInput::new("o-17", "cancelled")).await.unwrap();
    assert_eq!((out.status.as_deref(), out.updated_at), (Some("cancelled"), None));
    let coupon = client.create_coupon(&acme_shop::CreateCouponInput::new("SPRING", 10.0)).await.unwrap();
    assert_eq!(coupon.coupon_id.as_deref(), Some("cp-5521"));
    let statuses = client.rpc_order_statuses().await.unwrap();
    assert_eq!(statuses.iter().map(|o| o.value.as_str()).collect::<Vec<_>>(), ["paid", "shipped"]);
}

#[tokio::test]
async fn an_oauth_install_completes_against_the_mock() {
    let mock = acme_shop::testing::MockProvider::start().await;
    let credentials =
        acme_shop::Credentials { client_id: Some("cid-1".into()), client_secret: Some(Secret::new("cs-secret-1")), ..Default::default() };
    let client = acme_shop::Client::builder(credentials, AcmeFunctions).base_url(mock.url()).build();
    client.connect("code-1").await.unwrap();
    let routes: Vec<_> = mock.requests().iter().map(|r| r.route).collect();
    assert_eq!(routes, [Some(Route::Auth("get_token")), Some(Route::Auth("userDetails")), Some(Route::Auth("registrationRequests/0"))]);
    assert_eq!(mock.requests()[0].param_in_body("code").as_deref(), Some("code-1"), "a system value, not a secret");
    client.update_order_status(&acme_shop::UpdateOrderStatusInput::new("o-17", "shipped")).await.unwrap();
    let last = mock.requests().pop().unwrap();
    assert_eq!(last.path, "/v3/stores/st-9/orders/o-17/status", "the store id the user-details sample gave");
}

#[tokio::test]
async fn the_consent_page_sends_the_user_back_with_a_code_and_the_state() {
    let mock = acme_shop::testing::MockProvider::start().await;
    let credentials =
        acme_shop::Credentials { client_id: Some("cid-1".into()), client_secret: Some(Secret::new("cs-1")), ..Default::default() };
    let client =
        acme_shop::Client::builder(credentials, AcmeFunctions).base_url(mock.url()).redirect_uri("https://tenant.example/oauth2").build();
    let url = client.authorize_url("state-7").await.unwrap();
    let http = miniapp::reqwest::Client::builder().redirect(miniapp::reqwest::redirect::Policy::none()).build().unwrap();
    let answer = http.get(url).send().await.unwrap();
    assert_eq!(answer.status(), 302, "{:?}", mock.requests());
    let back = miniapp::Url::parse(answer.headers()["location"].to_str().unwrap()).unwrap();
    assert_eq!((back.host_str(), back.path()), (Some("tenant.example"), "/oauth2"));
    let params: std::collections::HashMap<_, _> = back.query_pairs().into_owned().collect();
    assert_eq!((params["code"].as_str(), params["state"].as_str()), (miniapp::testing::MOCK_CODE, "state-7"));
    client.connect(&params["code"]).await.unwrap();
    assert_eq!(mock.requests_to(Route::Auth("get_token"))[0].param_in_body("code").as_deref(), Some(miniapp::testing::MOCK_CODE));
}

#[tokio::test]
async fn recorded_requests_mask_every_secret() {
    let mock = acme_shop::testing::MockProvider::start().await;
    let client = acme(&mock);
    mock.on_action("updateOrderStatus").fail(Fault::Unauthorized);
    client.update_order_status(&acme_shop::UpdateOrderStatusInput::new("o-17", "shipped")).await.unwrap();
    let requests = mock.requests();
    let routes: Vec<_> = requests.iter().map(|r| r.route).collect();
    let status = Some(Route::Action { action: "updateOrderStatus", step: 1 });
    assert_eq!(routes, [status, Some(Route::Auth("refresh_token")), status], "a 401, the refresh, the retry");
    let all = format!("{requests:?}");
    for secret in ["at-secret-1", "rt-secret-1", "cs-secret-1", "mock-accessToken"] {
        assert!(!all.contains(secret), "`{secret}` is recorded: {all}");
    }
    assert_eq!(requests[0].header("authorization"), Some("Bearer ***"));
    let refresh = &requests[1];
    assert_eq!((refresh.param_in_body("client_secret"), refresh.param_in_body("refresh_token")), (Some("***".into()), Some("***".into())));
    assert_eq!(refresh.param_in_body("grant_type").as_deref(), Some("refresh_token"), "literal values stay");
}

trait FormBody {
    fn param_in_body(&self, name: &str) -> Option<String>;
}

impl FormBody for miniapp::testing::Recorded {
    fn param_in_body(&self, name: &str) -> Option<String> {
        form_urlencoded::parse(self.body.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
    }
}

#[tokio::test]
async fn each_fault_has_the_runtimes_documented_effect() {
    let mock = acme_shop::testing::MockProvider::start().await;
    let status = || acme_shop::UpdateOrderStatusInput::new("o-17", "shipped");
    // 429 with Retry-After: waited out, then retried (a lower bound only: never timed from above).
    let client = acme(&mock);
    mock.on_action("updateOrderStatus").fail(Fault::TooManyRequests { retry_after: 1 });
    let before = std::time::Instant::now();
    assert!(client.update_order_status(&status()).await.is_ok());
    assert!(before.elapsed() >= std::time::Duration::from_secs(1), "Retry-After was honoured");
    assert_eq!(mock.requests_to(Route::Action { action: "updateOrderStatus", step: 1 }).len(), 2);
    // 500 without retries: a typed status error.
    let once = acme_shop::Client::builder(
        acme_shop::Credentials { access_token: Some(Secret::new("a")), store_id: Some("s9".into()), ..Default::default() },
        AcmeFunctions,
    )
    .base_url(mock.url())
    .retry(RetryPolicy::none())
    .build();
    mock.on_action("updateOrderStatus").fail(Fault::Status(500));
    assert_eq!(once.update_order_status(&status()).await.unwrap_err().status(), Some(500));
    // A connection that breaks in the body: a transport error, never a partial result.
    mock.on_action("updateOrderStatus").fail(Fault::Broken);
    assert!(matches!(once.update_order_status(&status()).await, Err(miniapp::Error::Transport { .. })));
    // A slow answer: the client's timeout.
    let impatient = acme_shop::Client::builder(
        acme_shop::Credentials { access_token: Some(Secret::new("a")), store_id: Some("s9".into()), ..Default::default() },
        AcmeFunctions,
    )
    .base_url(mock.url())
    .retry(RetryPolicy::none())
    .timeout(std::time::Duration::from_millis(300))
    .build();
    mock.on_action("updateOrderStatus").fail(Fault::Slow(std::time::Duration::from_secs(60)));
    assert!(matches!(impatient.update_order_status(&status()).await, Err(miniapp::Error::Timeout { .. })));
    // Faults are used once each: the next call is answered.
    assert!(once.update_order_status(&status()).await.is_ok());
}

/// Imports `records` from the mock in one go, and again from a checkpoint taken after `stop`
/// records: every record exactly once, in order.
macro_rules! import_and_resume {
    ($client:expr, $sync:ident, $sync_from:ident, $total:expr, $stop:expr) => {{
        let all: Vec<_> = $client.$sync().map(|r| r.unwrap().code).collect().await;
        assert_eq!(all.len(), $total);
        let mut import = $client.$sync();
        let mut first = Vec::new();
        while first.len() < $stop {
            first.push(import.next().await.unwrap().unwrap().code);
        }
        let checkpoint = serde_json::to_string(import.checkpoint()).unwrap();
        drop(import);
        let rest: Vec<_> = $client.$sync_from(serde_json::from_str(&checkpoint).unwrap()).map(|r| r.unwrap().code).collect().await;
        first.extend(rest);
        assert_eq!(first, all, "resumed with no gap and no repeat");
        all
    }};
}

#[tokio::test]
async fn acme_imports_page_by_page_number_with_details_and_resume() {
    let mock = acme_shop::testing::MockProvider::start().await;
    let client = acme(&mock);
    // From the samples: the orders list and the shoppers' details.
    let orders: Vec<_> = client.sync_orders().map(|r| r.unwrap()).collect().await;
    assert_eq!(orders.iter().map(|o| o.code.clone().unwrap()).collect::<Vec<_>>(), ["1017", "1018"]);
    let shoppers: Vec<_> = client.sync_shoppers().map(|r| r.unwrap()).collect().await;
    assert_eq!(
        shoppers.iter().map(|s| (s.code.clone().unwrap(), s.first_name.clone())).collect::<Vec<_>>(),
        [("981".to_string(), Some("Dana".to_string())), ("982".to_string(), Some("Dana".to_string()))]
    );
    // From the test: 253 items, 50 a page.
    mock.records("catalog", (1..=253).map(|i| json!({"item_id": i, "title": format!("Item {i}"), "pricing": {"list": i}})).collect());
    let codes = import_and_resume!(client, sync_catalog, sync_catalog_from, 253, 120);
    assert_eq!(codes.first().cloned().flatten().as_deref(), Some("1"));
    let pages: Vec<_> = mock.requests_to(Route::List("catalog")).iter().map(|r| r.param("page").unwrap()).collect();
    assert_eq!(&pages[..7], ["1", "2", "3", "4", "5", "6", "1"], "six pages (the last empty confirms the end), then the second import");
}

fn pipeline(mock: &pipeline_crm::testing::MockProvider) -> pipeline_crm::Client {
    let credentials = pipeline_crm::Credentials {
        shop_url: Some("https://crm.example".into()),
        key_id: Some(Secret::new("kid")),
        key_secret: Some(Secret::new("ksecret")),
        hook_token: Some(Secret::new("hook-token")),
        ..Default::default()
    };
    pipeline_crm::Client::builder(credentials).base_url(mock.url()).build()
}

#[tokio::test]
async fn pipeline_imports_by_offset_and_by_cursor_and_resumes() {
    let mock = pipeline_crm::testing::MockProvider::start().await;
    let client = pipeline(&mock);
    mock.records("contacts", (1..=230).map(|i| json!({"id": i, "email": format!("c{i}@example.com")})).collect());
    import_and_resume!(client, sync_contacts, sync_contacts_from, 230, 150);
    let offsets: Vec<_> = mock.requests_to(Route::List("contacts")).iter().map(|r| r.param("skip").unwrap()).take(3).collect();
    assert_eq!(offsets, ["0", "100", "200"]);
    mock.records("deals", (1..=230).map(|i| json!({"id": format!("d{i}"), "title": format!("Deal {i}")})).collect());
    import_and_resume!(client, sync_deals, sync_deals_from, 230, 101);
    let cursors: Vec<_> = mock.requests_to(Route::List("deals")).iter().map(|r| r.param("cursor")).take(3).collect();
    assert_eq!(cursors, [None, Some("c100".to_string()), Some("c200".to_string())]);
}

fn forge(mock: &forgehub::testing::MockProvider) -> forgehub::Client {
    forgehub::Client::builder(forgehub::Credentials { access_token: Some(Secret::new("gho-1")), ..Default::default() })
        .base_url(mock.url())
        .build()
}

#[tokio::test]
async fn forgehub_imports_by_link_header_and_resumes() {
    let mock = forgehub::testing::MockProvider::start().await;
    let client = forge(&mock);
    mock.records("issues", (1..=250).map(|i| json!({"id": i, "number": i, "title": format!("Issue {i}"), "state": "open"})).collect());
    import_and_resume!(client, sync_issues, sync_issues_from, 250, 199);
    let requests = mock.requests_to(Route::List("issues"));
    assert_eq!(requests[0].param("per_page").as_deref(), Some("100"));
    assert_eq!(requests[1].param("mock_cursor").as_deref(), Some("100"), "the second page is the Link header's");
}

#[derive(Clone, Copy)]
struct NoTickets;

impl chatly::Functions for NoTickets {
    fn first_open(&self, _: chatly::FirstOpenArgs) -> Result<serde_json::Map<String, Value>, String> {
        Ok(serde_json::Map::new())
    }
}

#[tokio::test]
async fn every_action_and_source_of_every_example_answers_from_its_mock() {
    let mock = acme_shop::testing::MockProvider::start().await;
    let client = acme(&mock);
    client.update_order_status(&input(json!({"orderId": "o", "statusId": "s"}))).await.unwrap();
    client.create_coupon(&input(json!({"code": "C", "amount": 1}))).await.unwrap();
    client.add_order_note(&input(json!({"orderNumber": "A-1", "text": "t"}))).await.unwrap();
    client.rpc_products().await.unwrap();

    let mock = bookwise::testing::MockProvider::start().await;
    let client = bookwise::Client::builder(bookwise::Credentials { personal_token: Some(Secret::new("p")), ..Default::default() })
        .base_url(mock.url())
        .build();
    client.connect().await.unwrap();
    let booked = client
        .book_appointment(&input(
            json!({"serviceId": "s", "startsAt": "2026-12-06T10:00:00Z", "customer": {"name": "N", "email": "n@example.com"}}),
        ))
        .await
        .unwrap();
    assert!(serde_json::to_value(&booked).unwrap().as_object().is_some_and(|o| !o.is_empty()), "made up from the mapping: {booked:?}");
    client.cancel_booking(&input(json!({"bookingId": "b"}))).await.unwrap();
    client.attach_intake_file(&input(json!({"bookingId": "b", "fileName": "f.txt", "content": "x"}))).await.unwrap();
    assert_eq!(client.rpc_services().await.unwrap().len(), 2, "two made-up options");

    let mock = chatly::testing::MockProvider::start().await;
    let client = chatly::Client::builder(chatly::Credentials { api_token: Some(Secret::new("t")), ..Default::default() }, NoTickets)
        .base_url(mock.url())
        .build();
    client.connect().await.unwrap();
    client.notify_member(&input(json!({"memberId": "m", "message": "hi"}))).await.unwrap();
    client.post_to_room(&input(json!({"roomId": "r", "text": "hi"}))).await.unwrap();
    client.find_open_ticket(&input(json!({"memberId": "m"}))).await.unwrap();
    client.rpc_members().await.unwrap();
    client.rpc_rooms().await.unwrap();

    let mock = cloudbox::testing::MockProvider::start().await;
    let client = cloudbox::Client::builder(cloudbox::Credentials::default()).base_url(mock.url()).build();
    client.connect("code").await.unwrap();
    client.create_folder(&input(json!({"path": "/a"}))).await.unwrap();
    client.share_file(&input(json!({"folder": "/a", "fileName": "f", "content": "x"}))).await.unwrap();

    let mock = forgehub::testing::MockProvider::start().await;
    let client = forgehub::Client::builder(forgehub::Credentials::default()).base_url(mock.url()).build();
    client.connect("code").await.unwrap();
    client.create_issue(&input(json!({"repository": "o/r", "title": "t"}))).await.unwrap();
    client.close_issue(&input(json!({"repository": "o/r", "issueNumber": 3}))).await.unwrap();
    client.rpc_repositories().await.unwrap();
    client.rpc_labels().await.unwrap();

    let mock = pipeline_crm::testing::MockProvider::start().await;
    let client = pipeline(&mock);
    client.connect().await.unwrap();
    client.upsert_contact(&input(json!({"email": "a@example.com"}))).await.unwrap();
    client.create_deal(&input(json!({"contactEmail": "a@example.com", "pipelineId": "p", "title": "t"}))).await.unwrap();
    client.rpc_pipelines().await.unwrap();
    client.rpc_owners().await.unwrap();
    assert!(mock.requests().iter().all(|r| r.route.is_some()), "every request is one of the definition's: {:?}", mock.requests());
}

#[tokio::test]
async fn signed_deliveries_verify_and_yield_their_event_for_every_example() {
    // acme-shop: HMAC-SHA256 in base64, the event in a header, the id in the body.
    let mock = acme_shop::testing::MockProvider::start().await;
    let client = acme(&mock);
    for event in [acme_shop::Event::OrderPlaced, acme_shop::Event::CartAbandoned] {
        for signed in [
            acme_shop::testing::sign_delivery("whsec-1", &event, json!({"payload": {}})),
            acme_shop::testing::sign_delivery_prefixed("whsec-1", &event, json!({})),
        ] {
            let d = client.receive_webhook(&signed.request()).await.unwrap();
            assert_eq!(d.event.as_ref(), Some(&event));
            assert!(d.transaction_id.as_deref().is_some_and(|id| id.starts_with("delivery-")) && !d.generated_id, "a fresh id in the body");
        }
    }
    let forged = acme_shop::testing::sign_delivery("another-secret", &acme_shop::Event::OrderPlaced, json!({}));
    assert!(client.receive_webhook(&forged.request()).await.is_err(), "a wrong secret is refused");

    // bookwise: HMAC-SHA1 in hex, the event in a header.
    let client = bookwise::Client::builder(bookwise::Credentials { signing_secret: Some(Secret::new("bw")), ..Default::default() }).build();
    for signed in [
        bookwise::testing::sign_delivery("bw", &bookwise::Event::BookingCreated, json!({})),
        bookwise::testing::sign_delivery_prefixed("bw", &bookwise::Event::BookingCreated, json!({})),
    ] {
        assert_eq!(client.receive_webhook(&signed.request()).await.unwrap().event, Some(bookwise::Event::BookingCreated));
    }

    // chatly: HMAC-SHA256 in hex, the event at a body path.
    let client =
        chatly::Client::builder(chatly::Credentials { event_secret: Some(Secret::new("ch")), ..Default::default() }, NoTickets).build();
    let event = chatly::Event::MessagePosted;
    let signed = chatly::testing::sign_delivery("ch", &event, json!({"event": {"user": "u-1"}}));
    assert_eq!(signed.json()["event"], json!({"user": "u-1", "type": event.as_str()}), "written into the body, the rest kept");
    assert_eq!(client.receive_webhook(&signed.request()).await.unwrap().event, Some(event));

    // forgehub: a composite event (a header and a body field), the id in a header.
    let client = forgehub::Client::builder(forgehub::Credentials { webhook_secret: Some(Secret::new("fh")), ..Default::default() }).build();
    for event in [forgehub::Event::PushReceived, forgehub::Event::IssuesOpened] {
        let signed = forgehub::testing::sign_delivery("fh", &event, json!({"action": "stale", "repository": {"id": 1}}));
        let d = client.receive_webhook(&signed.request()).await.unwrap();
        assert_eq!(d.event, Some(event), "{:?}", signed.headers);
        assert!(signed.headers.get("x-forgehub-delivery").is_some() && !d.generated_id);
    }

    // pipeline-crm: a header token, the event in the body.
    let client = pipeline(&pipeline_crm::testing::MockProvider::start().await);
    let signed = pipeline_crm::testing::sign_delivery("hook-token", &pipeline_crm::Event::DealWon, json!({}));
    assert_eq!(client.receive_webhook(&signed.request()).await.unwrap().event, Some(pipeline_crm::Event::DealWon));
    let wrong = pipeline_crm::testing::sign_delivery("not-it", &pipeline_crm::Event::DealWon, json!({}));
    assert!(client.receive_webhook(&wrong.request()).await.is_err());
}

/// HMAC-SHA256 and -SHA1, hex and base64, plain and prefixed; ids in a header, in the body, made
/// up when the body has none; the event in a header, the query fallback, a composite.
#[tokio::test]
async fn the_signature_matrix_and_every_place_an_id_or_an_event_is_read() {
    use miniapp_tests::{github, hookbox, shopify};
    // SHA-256, hex, a composite event, the id in a header.
    let client = github::Client::builder(github::Credentials { webhook_secret: Some(Secret::new("gh")), ..Default::default() }).build();
    for event in [github::Event::Push, github::Event::Ping, github::Event::IssuesOpened] {
        for signed in [
            github::testing::sign_delivery("gh", &event, json!({"zen": "x"})),
            github::testing::sign_delivery_prefixed("gh", &event, json!({})),
        ] {
            let d = client.receive_webhook(&signed.request()).await.unwrap();
            assert_eq!(d.event.as_ref(), Some(&event));
            assert_eq!(d.transaction_id.as_deref(), signed.headers.get("x-github-delivery").and_then(|v| v.to_str().ok()));
        }
    }
    // SHA-256, base64, the id in a header.
    let client = shopify::Client::builder(shopify::Credentials { webhook_secret: Some(Secret::new("sh")), ..Default::default() }).build();
    for signed in [
        shopify::testing::sign_delivery("sh", &shopify::Event::OrdersCreate, json!({"id": 1})),
        shopify::testing::sign_delivery_prefixed("sh", &shopify::Event::OrdersCreate, json!({"id": 1})),
    ] {
        let d = client.receive_webhook(&signed.request()).await.unwrap();
        assert_eq!((d.event.as_ref(), d.duplicate), (Some(&shopify::Event::OrdersCreate), false));
        client.confirm_webhook(&d).await.unwrap();
        // The same delivery again is a duplicate: the id is the header's, stable.
        assert!(client.receive_webhook(&signed.request()).await.unwrap().duplicate);
    }
    // SHA-1, base64, the id at a body path: kept when the body has one, made up when not.
    let client = hookbox::Client::builder(hookbox::Credentials { partner_secret: Some(Secret::new("hb")), ..Default::default() }).build();
    for signed in [
        hookbox::testing::sign_delivery("hb", &hookbox::Event::OrderPlaced, json!({"meta": {"delivery": "d-1"}})),
        hookbox::testing::sign_delivery_prefixed("hb", &hookbox::Event::OrderPlaced, json!({})),
    ] {
        let d = client.receive_webhook(&signed.request()).await.unwrap();
        assert_eq!(d.event, Some(hookbox::Event::OrderPlaced));
        assert_eq!(d.transaction_id.as_deref(), signed.json()["meta"]["delivery"].as_str());
    }
    let kept = hookbox::testing::sign_delivery("hb", &hookbox::Event::OrderPlaced, json!({"meta": {"delivery": "d-1"}}));
    assert_eq!(kept.json()["meta"]["delivery"], "d-1");
    // SHA-1, hex (bookwise) is in `signed_deliveries_verify_and_yield_their_event_for_every_example`.
}
