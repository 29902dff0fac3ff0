//! The test kit (feature `testing`): what a connector's users need to test their code against it
//! without writing a provider, and what every generated connector's `testing` module is made of.
//!
//! - [`Mock`]: a provider on 127.0.0.1 that speaks the definition (the generated
//!   `testing::MockProvider` starts it with the connector's own description): every action
//!   step, the token, refresh and user-details requests, sources, and each sync resource's list
//!   (paged in the definition's own style, with its `dataProperty` and `totalProperty`) and
//!   details. It answers with what the test sets ([`Mock::on_action`]…`.reply(json)`,
//!   [`Mock::records`]), else the definition's samples, else values made up from the mapping;
//!   records every request with its secrets masked ([`Mock::requests`]); and injects
//!   [`Fault`]s: a status, a 429 with `Retry-After`, a 401 (the connector refreshes), a broken
//!   connection, a slow answer.
//! - [`sign`] (the generated `testing::sign_delivery(secret, &Event, body)`): a delivery signed
//!   and addressed exactly as the definition's webhook block verifies and extracts it.
//!
//! ```ignore
//! let mock = acme_shop::testing::MockProvider::start().await;
//! mock.on_action("updateOrderStatus").reply(serde_json::json!({"order": {"status": {"code": "shipped"}}}));
//! let client = acme_shop::Client::builder(credentials, Helpers).base_url(mock.url()).build();
//! assert_eq!(client.update_order_status(&input).await?.status.as_deref(), Some("shipped"));
//!
//! let delivery = acme_shop::testing::sign_delivery("whsec", &acme_shop::Event::OrderPlaced, body);
//! let received = client.receive_webhook(&delivery.request()).await?;
//! ```

mod mock;
mod sign;

pub use mock::{Description, Fault, MOCK_CODE, Mock, Recorded, Route, RouteScript};
pub use sign::{SignedDelivery, sign, sign_raw};

use serde_json::{Map, Value};

use crate::rt::path::Step;

/// Expands to its items when the runtime's `testing` feature is on, to nothing otherwise: how a
/// generated connector has a `testing` module only in the builds that ask for it.
#[cfg(feature = "testing")]
#[doc(hidden)]
#[macro_export]
macro_rules! __when_testing {
    ($($items:tt)*) => { $($items)* };
}

/// Writes `value` at `steps` in `at`, making the objects and arrays on the way.
pub(crate) fn put(at: &mut Value, steps: &[Step], value: Value) {
    let Some((first, rest)) = steps.split_first() else {
        *at = value;
        return;
    };
    let child = match first {
        Step::Field(name) => {
            if !at.is_object() {
                *at = Value::Object(Map::new());
            }
            let Value::Object(object) = at else { return };
            object.entry(name.to_string()).or_insert(Value::Null)
        }
        Step::Index(i) => {
            if !at.is_array() {
                *at = Value::Array(Vec::new());
            }
            let Value::Array(items) = at else { return };
            if items.len() <= *i {
                items.resize(*i + 1, Value::Null);
            }
            let Some(item) = items.get_mut(*i) else { return };
            item
        }
    };
    put(child, rest, value);
}
