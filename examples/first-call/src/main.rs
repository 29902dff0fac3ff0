//! Calls the `createTicket` action of `helpdesk.json` against a test server:
//! `cargo run -p miniapp-example-first-call -- http://127.0.0.1:8080`.

mod helpdesk {
    miniapp::include_miniapp!("helpdesk.json");
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Your test server (every request goes there instead of api.helpdesk.example).
    let base = std::env::args().nth(1).unwrap_or_else(|| "http://127.0.0.1:8080".to_string());
    let credentials = helpdesk::Credentials {
        api_token: Some(miniapp::Secret::new("test-token")), // a `sensitiveKeys` entry: a Secret
        workspace_id: Some("ws-1".to_string()),              // metadata `userDetails` would store
        ..Default::default()
    };
    let client = helpdesk::Client::builder(credentials).base_url(base.as_str()).try_build()?;

    let mut input = helpdesk::CreateTicketInput::new("Printer on fire"); // the required fields
    input.tags = Some(vec!["hardware".to_string()]); // `items: {type: string}` is a Vec<String>
    let out = client.create_ticket(&input).await?; // POST {base}/v1/workspaces/ws-1/tickets
    // Outputs are `Option<serde_json::Value>`: the provider decides their JSON type.
    println!("ticket {} at {}", out.ticket_id.unwrap_or_default(), out.url.unwrap_or_default());
    Ok(())
}
