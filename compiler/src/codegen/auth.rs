//! The auth emitter (docs/format.md §5): the `Credentials` type, the install-flow methods of the
//! client (`authorize_url`, `exchange_code`, `connect`, …) and their request descriptors.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{Output, SERDE, ident, request};
use crate::ir::{CredKind, Ir, Request};

/// Credentials, the auth methods, and the statics of the auth requests.
pub(super) fn emit(ir: &Ir, out: &mut Output) {
    out.head.push(credentials(ir));
    out.methods.push(auth_methods(ir));
    let a = &ir.auth;
    for r in [&a.auth_url, &a.get_token, &a.refresh, &a.user_details, &a.test_token].into_iter().flatten().chain(&a.registration) {
        out.statics.push(request_static(r));
    }
}

/// A request's descriptor, documented with the request it sends.
pub(super) fn request_static(r: &Request) -> TokenStream {
    let name = format_ident!("{}", r.static_name);
    let body = request(r);
    let d = format!(" `{}`: {}", r.label, r.summary());
    quote!(#[doc = #d] pub(super) static #name: RequestTemplate = #body;)
}

fn credentials(ir: &Ir) -> TokenStream {
    let fields = ir.credentials.iter().map(|c| {
        let name = ident(&c.rust);
        let d = format!(" {}", c.doc);
        let t = match c.kind {
            CredKind::Secret => quote!(::miniapp::Secret),
            CredKind::Text => quote!(::std::string::String),
            CredKind::Json => quote!(::miniapp::serde_json::Value),
        };
        let json = &c.json;
        quote!(#[doc = #d] #[serde(rename = #json, default)] pub #name: ::std::option::Option<#t>,)
    });
    let values = ir.credentials.iter().map(|c| {
        let name = ident(&c.rust);
        let json = &c.json;
        let bag = if c.metadata { quote!(Metadata) } else { quote!(Credentials) };
        let value = match c.kind {
            CredKind::Json => quote!(self.#name),
            CredKind::Secret | CredKind::Text => quote!(self.#name.map(::miniapp::serde_json::Value::from)),
        };
        quote!((::miniapp::Bag::#bag, #json, #value),)
    });
    quote! {
        /// The credentials and metadata of one connected account (docs/format.md §5.4). Sensitive keys
        /// are [`miniapp::Secret`]s. Unset fields are looked up in the store, then in the
        /// definition's `auth.config` defaults.
        ///
        /// An install kept as JSON reads in one call: `serde_json::from_str::<Credentials>(json)`
        /// with the definition's own key names (`{"accessToken": "…"}`); an unknown key is an
        /// error that names it.
        #[derive(Clone, Debug, Default, ::miniapp::serde::Deserialize)]
        #[serde(crate = #SERDE, deny_unknown_fields)]
        pub struct Credentials { #(#fields)* }

        impl Credentials {
            /// The values to put in the store, with their bag.
            pub fn into_values(self) -> ::std::vec::Vec<(::miniapp::Bag, &'static str, ::miniapp::serde_json::Value)> {
                [#(#values)*]
                    .into_iter().filter_map(|(bag, key, value)| ::std::option::Option::Some((bag, key, value?))).collect()
            }

            /// An in-memory store holding these credentials, for `App::install(id, store)`.
            pub fn into_store(self) -> ::std::sync::Arc<dyn ::miniapp::Store> {
                ::std::sync::Arc::new(::miniapp::MemoryStore::with_values(self.into_values()))
            }
        }
    }
}

fn auth_methods(ir: &Ir) -> TokenStream {
    let a = &ir.auth;
    let mut out = TokenStream::new();
    let run = |r: &Request, bag: TokenStream, extra: TokenStream| {
        let name = format_ident!("{}", r.static_name);
        quote!(self.engine.run_auth(&requests::#name, #bag, #extra).await?;)
    };
    if let Some(r) = &a.auth_url {
        let name = format_ident!("{}", r.static_name);
        out.extend(quote! {
            /// The provider's authorization URL (`auth_url`), with `state` appended for CSRF
            /// protection. Make `state` with [`miniapp::new_state`] and check it on the callback.
            pub async fn authorize_url(&self, state: &str) -> ::std::result::Result<::miniapp::Url, ::miniapp::Error> {
                let mut url = self.engine.render_url(&requests::#name, &[]).await?;
                url.query_pairs_mut().append_pair("state", state);
                ::std::result::Result::Ok(url)
            }
        });
    }
    let get_token = a.get_token.as_ref().map(|r| {
        let extra = if a.oauth2 { quote!(&[("code", code.to_string())]) } else { quote!(&[]) };
        run(r, quote!(::std::option::Option::Some(::miniapp::Bag::Credentials)), extra)
    });
    if a.oauth2
        && let Some(step) = &get_token
    {
        out.extend(quote! {
            /// Exchanges an authorization `code` for tokens (`get_token`) and stores them.
            pub async fn exchange_code(&self, code: &str) -> ::std::result::Result<(), ::miniapp::Error> {
                #step
                ::std::result::Result::Ok(())
            }
        });
    }
    if a.refresh.is_some() {
        out.extend(quote! {
            /// Runs `refresh_token` now and stores the new tokens.
            pub async fn refresh_token(&self) -> ::std::result::Result<(), ::miniapp::Error> {
                self.engine.force_refresh().await
            }
        });
    }
    let details = a.user_details.as_ref().map(|r| run(r, quote!(::std::option::Option::Some(::miniapp::Bag::Metadata)), quote!(&[])));
    if let Some(step) = &details {
        out.extend(quote! {
            /// Runs `userDetails` and stores its mapping in the metadata.
            pub async fn user_details(&self) -> ::std::result::Result<(), ::miniapp::Error> {
                #step
                ::std::result::Result::Ok(())
            }
        });
    }
    let registration: Vec<TokenStream> =
        a.registration.iter().map(|r| run(r, quote!(::std::option::Option::Some(::miniapp::Bag::Credentials)), quote!(&[]))).collect();
    if !registration.is_empty() {
        out.extend(quote! {
            /// Runs the registration requests in order (e.g. registering the webhook URL) and
            /// stores their mappings in the credentials.
            pub async fn register(&self) -> ::std::result::Result<(), ::miniapp::Error> {
                #(#registration)*
                ::std::result::Result::Ok(())
            }
        });
    }
    if let Some(r) = &a.test_token {
        let name = format_ident!("{}", r.static_name);
        out.extend(quote! {
            /// Runs the connection test (`test_token`) and returns its mapping.
            pub async fn test_token(&self) -> ::std::result::Result<::miniapp::serde_json::Map<::std::string::String, ::miniapp::serde_json::Value>, ::miniapp::Error> {
                self.engine.run_auth(&requests::#name, ::std::option::Option::None, &[]).await
            }
        });
    }
    // The install flow (docs/format.md §5.5, §5.6).
    let test = a.test_token.as_ref().map(|r| run(r, quote!(::std::option::Option::None), quote!(&[])));
    let (param, doc) = if a.oauth2 {
        (quote!(code: &str), " Completes an OAuth install: exchanges `code`, then runs `userDetails` and the registration requests.")
    } else {
        (
            TokenStream::new(),
            " Completes an install: runs `get_token` and `test_token` (when defined), `userDetails`, then the registration requests.",
        )
    };
    out.extend(quote! {
        #[doc = #doc]
        pub async fn connect(&self, #param) -> ::std::result::Result<(), ::miniapp::Error> {
            #get_token
            #test
            #details
            #(#registration)*
            ::std::result::Result::Ok(())
        }
    });
    out
}
