//! The `testing` module of a generated connector (the runtime's feature `testing`): the mock
//! provider of this definition and its signed deliveries, built from the same request
//! descriptors the client sends and the definition's samples.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::Output;
use crate::ir::{Ir, StepIr};

pub(super) fn emit(ir: &Ir, out: &mut Output) {
    out.items.push(module(ir));
}

fn module(ir: &Ir) -> TokenStream {
    let statik = |name: &str| {
        let name = format_ident!("{}", name);
        quote!(&super::requests::#name)
    };
    let actions = ir.actions.iter().map(|a| {
        let name = &a.json;
        let steps = a.steps.iter().enumerate().filter_map(|(i, s)| match s {
            StepIr::Http(r) => {
                let (step, at) = (i + 1, statik(&r.static_name));
                Some(quote!((#step, #at)))
            }
            StepIr::Function { .. } => None,
        });
        quote!((#name, &[#(#steps),*]))
    });
    let auth = [
        ("auth_url", &ir.auth.auth_url),
        ("get_token", &ir.auth.get_token),
        ("refresh_token", &ir.auth.refresh),
        ("userDetails", &ir.auth.user_details),
        ("test_token", &ir.auth.test_token),
    ]
    .into_iter()
    .filter_map(|(name, r)| r.as_ref().map(|r| (name.to_string(), r)))
    .chain(ir.auth.registration.iter().enumerate().map(|(i, r)| (format!("registrationRequests/{i}"), r)))
    .map(|(name, r)| {
        let at = statik(&r.static_name);
        quote!((#name, #at))
    });
    let sources = ir.sources.iter().map(|s| {
        let (key, at) = (&s.json, statik(&s.request.static_name));
        quote!((#key, #at))
    });
    let resources = ir.sync.iter().flat_map(|s| &s.resources).map(|r| statik(&r.static_name));
    let samples = ir.samples.iter().map(|(file, json)| quote!((#file, #json)));
    let sign = ir.webhook.as_ref().map(|_| {
        quote! {
            /// A delivery of `event` with `body`, exactly as this connector's webhook block verifies and
            /// reads it: the event where the extraction reads it, a fresh delivery id where
            /// `transactionId` reads one (when `body` has none), the signature (or token) made with
            /// `secret`. `receive_webhook(&delivery.request())` verifies it and yields `event`.
            pub fn sign_delivery(secret: &str, event: &super::Event, body: ::miniapp::serde_json::Value) -> SignedDelivery {
                ::miniapp::testing::sign(&super::requests::WEBHOOK, secret, event.as_str(), body)
            }

            /// A delivery of `event` with exactly the bytes `body`, signed: for bodies that are not JSON
            /// or must keep their bytes. The event is sent where a header or the query carries it.
            pub fn sign_raw(secret: &str, event: &super::Event, body: ::std::vec::Vec<u8>) -> SignedDelivery {
                ::miniapp::testing::sign_raw(&super::requests::WEBHOOK, secret, event.as_str(), body)
            }

            /// [`sign_delivery`], with the HMAC signature prefixed by its algorithm (`sha256=…`), as
            /// GitHub-style providers send it.
            pub fn sign_delivery_prefixed(secret: &str, event: &super::Event, body: ::miniapp::serde_json::Value) -> SignedDelivery {
                sign_delivery(secret, event, body).prefixed(&super::requests::WEBHOOK)
            }
        }
    });
    quote! {
        ::miniapp::__when_testing! {
            /// The test kit of this connector (the `miniapp` feature `testing`): `MockProvider`, a
            /// provider on 127.0.0.1 that answers every request of the definition (from what a
            /// test sets, else the samples), and signed deliveries for `receive_webhook`.
            pub mod testing {
                pub use ::miniapp::testing::{Fault, Recorded, Route, SignedDelivery};

                static DESCRIPTION: ::miniapp::testing::Description = ::miniapp::testing::Description {
                    actions: &[#(#actions),*],
                    auth: &[#(#auth),*],
                    sources: &[#(#sources),*],
                    resources: &[#(#resources),*],
                    samples: &[#(#samples),*],
                };

                /// The provider of this definition, mocked on 127.0.0.1: point a client at it with
                /// `.base_url(mock.url())`. It derefs to [`miniapp::testing::Mock`]: `on_action`,
                /// `on_step`, `on_auth`, `on_source`, `records`, `requests`, faults.
                #[derive(Clone, Debug)]
                pub struct MockProvider(::miniapp::testing::Mock);

                impl MockProvider {
                    /// Starts the mock on a free port of 127.0.0.1.
                    ///
                    /// # Panics
                    ///
                    /// When 127.0.0.1 cannot be bound: a test cannot go on without it
                    /// ([`MockProvider::try_start`] says why instead).
                    #[allow(clippy::panic)]
                    pub async fn start() -> Self {
                        match Self::try_start().await {
                            ::std::result::Result::Ok(mock) => mock,
                            ::std::result::Result::Err(e) => panic!("the mock provider cannot listen on 127.0.0.1: {e}"),
                        }
                    }

                    /// Starts the mock on a free port of 127.0.0.1, or says why it cannot.
                    pub async fn try_start() -> ::std::io::Result<Self> {
                        ::miniapp::testing::Mock::start(&DESCRIPTION).await.map(MockProvider)
                    }
                }

                impl ::std::ops::Deref for MockProvider {
                    type Target = ::miniapp::testing::Mock;
                    fn deref(&self) -> &::miniapp::testing::Mock {
                        &self.0
                    }
                }

                #sign
            }
        }
    }
}
