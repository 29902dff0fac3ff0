//! The generated `App` and `AppBuilder`: what every install of the connector shares, built once,
//! and `App::install(id, store)`, which makes one install's `Client` as a handle on it.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::ir::Ir;

/// `App`, `AppBuilder` and their impls. `functions`: whether the connector needs a `Functions`
/// implementation (the one argument of `App::builder`).
pub fn tokens(ir: &Ir, functions: bool) -> TokenStream {
    let (param, parts) = if functions {
        (quote!(functions: impl Functions), quote!(::std::sync::Arc::new(functions) as ::std::sync::Arc<dyn Functions>))
    } else {
        (TokenStream::new(), quote!(()))
    };
    let setters = ir.app_settings.iter().map(|s| {
        let (json, setter) = (&s.json, format_ident!("{}", s.setter));
        let doc = format!(" The app-wide value of {}, for every install: `.config({json:?}, value)` with the key checked at compile time.", s.doc);
        let rotating = s.rotating.as_ref().map(|rotating| {
            let rotating = format_ident!("{rotating}");
            let doc = format!(" {} being rotated: `[current, previous, ...]` (see [`AppBuilder::config_rotating`]).", s.doc);
            quote! {
                #[doc = #doc]
                pub fn #rotating<S: ::std::convert::Into<::miniapp::Secret>>(self, values: impl ::std::iter::IntoIterator<Item = S>) -> Self {
                    self.config_rotating(#json, values)
                }
            }
        });
        quote! {
            #[doc = #doc]
            pub fn #setter(self, value: impl ::std::convert::Into<::miniapp::Secret>) -> Self {
                self.config(#json, value)
            }

            #rotating
        }
    });
    quote! {
        /// What every install of this connector shares, built once per process: the HTTP client
        /// and its connection pool, the settings, the App Functions, the app-wide config and
        /// secrets, the de-duplication store and the refresh lock. [`App::install`] makes the
        /// [`Client`] of one install, a handle that costs a few words; every handle of one install
        /// shares its action rate limit and its token refresh. Cloning an `App` is cheap.
        #[derive(Clone, Debug)]
        pub struct App {
            inner: ::miniapp::Tenancy<Client>,
        }

        /// Builds an [`App`]: HTTP client, retries, deadlines, rate limit, app-wide config (a typed
        /// setter per config key the definition names), de-duplication store, refresh lock.
        #[derive(Debug)]
        pub struct AppBuilder {
            inner: ::miniapp::AppBuilder<Client>,
        }

        impl App {
            /// A builder of what every install shares.
            pub fn builder(#param) -> AppBuilder {
                AppBuilder { inner: ::miniapp::AppBuilder::new(#parts) }
            }

            /// The client of `install`, whose credentials are read from and written to `store`
            /// (for a `miniapp::redis::RedisStore`, the store of that install).
            pub fn install(&self, install: &str, store: ::std::sync::Arc<dyn ::miniapp::Store>) -> Client {
                self.inner.install(install, store)
            }

            /// How many installs' state (rate limit, token refresh) the app holds: those with a
            /// live client or a recent action run; idle ones are forgotten as installs come.
            pub fn installs_held(&self) -> usize {
                self.inner.installs_held()
            }
        }

        impl ::miniapp::Installs for App {
            type Client = Client;
            fn install(&self, install: &str, store: ::std::sync::Arc<dyn ::miniapp::Store>) -> Client {
                App::install(self, install, store)
            }
        }

        impl AppBuilder {
            ::miniapp::app_settings!(inner);

            #(#setters)*

            /// Builds the app. A setting that is wrong (a base URL that is not one) makes every
            /// request fail with `miniapp::Error::Config`; [`AppBuilder::try_build`] says so now.
            pub fn build(self) -> App {
                App { inner: self.inner.build() }
            }

            /// Builds the app, or says why its settings are wrong.
            pub fn try_build(self) -> ::std::result::Result<App, ::miniapp::Error> {
                self.inner.try_build().map(|inner| App { inner })
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test may panic: that is how it fails
mod tests {
    use serde_json::json;

    use crate::check::testing::{CHATLY, edited};

    fn code(edits: &[(&str, Option<serde_json::Value>)]) -> String {
        let generated =
            crate::generate(&edited(CHATLY, edits), &crate::Options::default()).unwrap_or_else(|r| panic!("{:?}", r.diagnostics));
        generated.code.split_whitespace().collect()
    }

    #[test]
    fn every_config_key_gets_a_typed_setter_that_never_shadows_the_builders_own() {
        // `eventSecret` is sensitive (and the webhook's secret): a setter and a rotating one.
        let plain = code(&[]);
        for setter in ["pubfnevent_secret(self,", "pubfnevent_secret_rotating<", "pubfnapi_token(self,"] {
            assert!(plain.contains(setter), "{setter}");
        }
        assert!(plain.contains("self.config(\"eventSecret\",value)"), "the setter sets the definition's key");
        // A config key named like a builder method gets the next free name; a plain one no
        // rotating setter.
        let config = json!({ "apiToken": "", "eventSecret": "", "timeout": "30", "region": "eu" });
        let named = code(&[("/auth/config", Some(config))]);
        assert!(named.contains("pubfntimeout_2(self,") && named.contains("self.config(\"timeout\",value)"), "never `timeout`");
        assert!(named.contains("pubfnregion(self,") && !named.contains("pubfnregion_rotating"), "not sensitive: no rotation");
    }
}
