#![allow(clippy::unwrap_used)] // a test may panic: that is how it fails

use miniapp_example_build_script::bookwise::testing::MockProvider;
use miniapp_example_build_script::bookwise::{BookAppointmentCustomer, BookAppointmentInput, Client, Credentials};
use serde_json::json;

#[tokio::test]
async fn the_build_script_connector_calls_its_provider() {
    let mock = MockProvider::start().await;
    mock.on_action("bookAppointment").reply(json!({"booking": {"id": "b-1", "links": {"confirmation": "https://bw.example/b-1"}}}));
    let credentials =
        Credentials { personal_token: Some(miniapp::Secret::new("pt")), organization_id: Some("org-3".into()), ..Default::default() };
    let client = Client::builder(credentials).base_url(mock.url()).build();
    let input = BookAppointmentInput {
        service_id: "svc-1".into(),
        starts_at: "2026-12-01T10:00:00Z".into(),
        duration_minutes: None,
        customer: BookAppointmentCustomer { name: "Ann".into(), email: "ann@example.com".into(), phone: None },
        send_reminder: None,
    };
    let out = client.book_appointment(&input).await.unwrap();
    assert_eq!(out.booking_id, Some(json!("b-1")));
    let r = &mock.requests()[0];
    assert_eq!(r.path, "/v1/organizations/org-3/bookings");
    assert_eq!(
        r.json(),
        json!({"service_id": "svc-1", "start": "2026-12-01T10:00:00Z", "duration": 30, "customer": {"name": "Ann", "email": "ann@example.com"}, "reminder": true})
    );
}
