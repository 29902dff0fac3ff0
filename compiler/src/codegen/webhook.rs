//! The webhook emitter (docs/format.md §9, §10): the `Event` enum, the compiled `webhook::Spec`
//! descriptor, and the client's `receive_webhook` / `confirm_webhook` / `release_webhook`.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::{Output, path};
use crate::ir::Ir;
use crate::ir::webhook::{CustomerAt, EventRule, Loc, Verification, WebhookIr};

/// The `Event` enum, the webhook methods of the client and the webhook descriptor.
pub(super) fn emit(ir: &Ir, out: &mut Output) {
    out.items.push(items(ir));
    out.methods.push(methods(ir));
    out.statics.push(statics(ir));
}

/// The `Event` enum and its impls (only for definitions with a `webhook` block).
fn items(ir: &Ir) -> TokenStream {
    if ir.webhook.is_none() {
        return TokenStream::new();
    }
    let variants = ir.events.iter().map(|e| {
        let v = format_ident!("{}", e.rust);
        let d = format!(" `{}`", e.event);
        quote!(#[doc = #d] #v,)
    });
    let as_str = ir.events.iter().map(|e| {
        let v = format_ident!("{}", e.rust);
        let s = &e.event;
        quote!(Event::#v => #s,)
    });
    let from_str = ir.events.iter().map(|e| {
        let v = format_ident!("{}", e.rust);
        let s = &e.event;
        quote!(#s => Event::#v,)
    });
    let doc = format!(" An event of the `{}` webhook: one variant per event the definition names.", ir.ns);
    let record = super::sync::record_type(ir);
    let handler = super::sync::map_record(ir);
    quote! {
        #[doc = #doc]
        ///
        /// It reads and writes as its event string (`FromStr`, `Display`, serde, from
        /// `miniapp::webhook_event_impls!`); an event the definition does not declare is `Other`.
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        pub enum Event {
            #(#variants)*
            /// An event the definition does not declare.
            Other(::std::string::String),
        }

        impl Event {
            /// The event string.
            pub fn as_str(&self) -> &str {
                match self {
                    #(#as_str)*
                    Event::Other(event) => event,
                }
            }

            /// The trigger this event fires, if one declares it.
            pub fn trigger(&self) -> ::std::option::Option<&'static ::miniapp::TriggerInfo> {
                TRIGGERS.iter().find(|t| t.event == self.as_str())
            }
        }

        impl ::miniapp::webhook::WebhookEvent for Event {
            type Record = #record;
            fn from_event(event: &str) -> Self {
                match event {
                    #(#from_str)*
                    other => Event::Other(other.to_string()),
                }
            }
            fn as_str(&self) -> &str {
                Event::as_str(self)
            }
        }

        ::miniapp::webhook_event_impls!(Event);

        impl ::miniapp::webhook::Receiver for Client {
            type Event = Event;
            const NS: &'static str = NS;
            fn engine(&self) -> &::miniapp::rt::Engine {
                &self.engine
            }
            fn spec(&self) -> &'static ::miniapp::webhook::Spec {
                &requests::WEBHOOK
            }
            #handler
        }
    }
}

/// The client's webhook methods.
fn methods(ir: &Ir) -> TokenStream {
    if ir.webhook.is_none() {
        return TokenStream::new();
    }
    let has_handlers = ir.sync.as_ref().is_some_and(|s| !s.handlers.is_empty());
    let handlers_doc = has_handlers.then(|| {
        quote! {
            ///
            /// A new delivery whose event has a sync handler carries its record in `handler`.
        }
    });
    quote! {
        /// Receives one webhook delivery (docs/format.md §10.2): answers a URL-verification
        /// handshake, verifies the signature over the raw body, extracts the event and the
        /// transaction id, claims the id for de-duplication, extracts the customer, and lists the
        /// triggers to run. A new delivery ([`miniapp::webhook::Delivery::is_new`]) is processed
        /// first, then confirmed and answered with its reply; on failure it is released and
        /// answered 500, so the provider's retry is processed. A duplicate, a challenge and a
        /// [`miniapp::webhook::Rejection`] (it carries its own reply) are answered at once.
        #handlers_doc
        pub async fn receive_webhook(
            &self,
            request: &::miniapp::webhook::Request<'_>,
        ) -> ::std::result::Result<::miniapp::webhook::Delivery<Event>, ::miniapp::webhook::Rejection> {
            ::miniapp::webhook::receive(self, request).await
        }

        /// Marks a processed delivery done: the provider's retries of it are duplicates.
        pub async fn confirm_webhook(
            &self,
            delivery: &::miniapp::webhook::Delivery<Event>,
        ) -> ::std::result::Result<(), ::miniapp::webhook::DedupeError> {
            ::miniapp::webhook::confirm(&self.engine, delivery).await
        }

        /// Gives up a delivery whose processing failed: the provider's next retry is processed.
        pub async fn release_webhook(
            &self,
            delivery: &::miniapp::webhook::Delivery<Event>,
        ) -> ::std::result::Result<(), ::miniapp::webhook::DedupeError> {
            ::miniapp::webhook::release(&self.engine, delivery).await
        }
    }
}

fn loc(l: &Loc) -> TokenStream {
    match l {
        Loc::Body(slot) => {
            let slot = Literal::usize_unsuffixed(*slot);
            quote!(::miniapp::webhook::spec::Loc::Body(#slot))
        }
        Loc::Header(name) => quote!(::miniapp::webhook::spec::Loc::Header(#name)),
        Loc::Query(name) => quote!(::miniapp::webhook::spec::Loc::Query(#name)),
    }
}

fn option(value: Option<TokenStream>) -> TokenStream {
    match value {
        Some(v) => quote!(::std::option::Option::Some(#v)),
        None => quote!(::std::option::Option::None),
    }
}

/// The `WEBHOOK` descriptor, inside `mod requests`.
fn statics(ir: &Ir) -> TokenStream {
    let Some(w) = &ir.webhook else { return TokenStream::new() };
    let handlers = super::sync::handler_refs(ir);
    let WebhookIr { paths, eager, verification, challenge, event, transaction, customer, response_status, response_body } = w;
    let paths = paths.iter().map(|slot| {
        let steps = path(&slot.steps);
        if slot.object_only {
            quote!(::miniapp::webhook::probe::Capture::Object(#steps))
        } else {
            quote!(::miniapp::webhook::probe::Capture::Value(#steps))
        }
    });
    let eager = Literal::usize_unsuffixed(*eager);
    let response_status = Literal::u16_unsuffixed(*response_status);
    let verification = match verification {
        Verification::None => quote!(::miniapp::webhook::verify::Verification::None),
        Verification::Hmac { sha1, header, secret_key, base64 } => {
            let algorithm = if *sha1 { quote!(Sha1) } else { quote!(Sha256) };
            let encoding = if *base64 { quote!(Base64) } else { quote!(Hex) };
            quote!(::miniapp::webhook::verify::Verification::Hmac {
                algorithm: ::miniapp::webhook::verify::Algorithm::#algorithm,
                header: #header,
                secret_key: #secret_key,
                encoding: ::miniapp::webhook::verify::Encoding::#encoding,
            })
        }
        Verification::HeaderToken { header, secret_key } => {
            quote!(::miniapp::webhook::verify::Verification::HeaderToken { header: #header, secret_key: #secret_key })
        }
    };
    let challenge = option(challenge.as_ref().map(|c| {
        let (identify, token) = (Literal::usize_unsuffixed(c.identify), Literal::usize_unsuffixed(c.token));
        let value = &c.identify_value;
        let field = option(c.response_field.as_ref().map(|f| quote!(#f)));
        quote!(::miniapp::webhook::spec::ChallengeRule { identify: #identify, identify_value: #value, token: #token, response_field: #field })
    }));
    let event = option(event.as_ref().map(|e| match e {
        EventRule::Single { primary, fallback } => {
            let primary = loc(primary);
            let fallback = option(fallback.as_ref().map(loc));
            quote!(::miniapp::webhook::spec::EventRule::Single { primary: #primary, fallback: #fallback })
        }
        EventRule::Composite { parts, separator } => {
            let parts = parts.iter().map(loc);
            quote!(::miniapp::webhook::spec::EventRule::Composite { parts: &[#(#parts),*], separator: #separator })
        }
    }));
    let transaction = option(transaction.as_ref().map(|t| {
        let locs = |list: &[crate::ir::webhook::Loc]| {
            let list = list.iter().map(loc);
            quote!(&[#(#list),*])
        };
        let default = locs(&t.paths);
        let overrides = t.overrides.iter().map(|(event, s)| {
            let s = locs(s);
            quote!((#event, #s))
        });
        let separator = option(t.separator.as_ref().map(|s| quote!(#s)));
        let generate = t.generate;
        quote!(::miniapp::webhook::spec::TransactionRule {
            paths: #default,
            overrides: &[#(#overrides),*],
            separator: #separator,
            generate: #generate,
        })
    }));
    let customer_at = |at: &CustomerAt| {
        let base = Literal::usize_unsuffixed(at.base);
        let fields = at.fields.iter().map(|(variant, slot)| {
            let v = format_ident!("{}", variant);
            let slot = Literal::usize_unsuffixed(*slot);
            quote!((::miniapp::CustomerField::#v, #slot))
        });
        quote!(::miniapp::webhook::spec::CustomerAt { base: #base, fields: &[#(#fields),*] })
    };
    let customer = option(customer.as_ref().map(|c| {
        let default = customer_at(&c.default);
        let overrides = c.overrides.iter().map(|(event, at)| {
            let at = customer_at(at);
            quote!((#event, #at))
        });
        quote!(::miniapp::webhook::spec::CustomerRule { default: #default, overrides: &[#(#overrides),*] })
    }));
    quote! {
        /// The `webhook` block, compiled (docs/format.md §10).
        pub(super) static WEBHOOK: ::miniapp::webhook::Spec = ::miniapp::webhook::Spec {
            paths: &[#(#paths),*],
            eager: #eager,
            verification: #verification,
            challenge: #challenge,
            event: #event,
            transaction: #transaction,
            customer: #customer,
            response_status: #response_status,
            response_body: #response_body,
            triggers: super::TRIGGERS,
            handlers: #handlers,
            probes: ::std::sync::OnceLock::new(),
        };
    }
}
