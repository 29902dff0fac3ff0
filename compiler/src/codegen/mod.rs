//! Code generation: the IR becomes one Rust module (the API is described in README.md and docs/format.md).
//!
//! Output is deterministic (items in document order), uses fully qualified paths (`::miniapp::`,
//! `::std::`), documents every public item, and needs only the `miniapp` crate: serde comes
//! through `miniapp::serde`. Request templates become `static`s of the runtime's template types,
//! parsed and classified at compile time; there is no template or path parser in generated code.

mod actions;
mod app;
mod auth;
mod functions;
pub mod overview;
mod sources;
mod sync;
mod testing;
mod types;
mod webhook;

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use crate::ir::{Extract, Field, Ir, Request, Seg, Src, Tpl, Ty, UrlPart};
use crate::model;
use crate::names::ident;
use crate::path::Step as PathStep;
use crate::template::UrlContext;

fn doc(lines: &[String]) -> TokenStream {
    let lines = lines.iter().map(|l| if l.is_empty() { String::new() } else { format!(" {l}") });
    quote! { #( #[doc = #lines] )* }
}

fn src(s: Src) -> TokenStream {
    match s {
        Src::Var => quote!(Var),
        Src::Stored => quote!(Stored),
        Src::Config => quote!(Config),
        Src::System => quote!(System),
    }
}

fn segs(segs: &[Seg]) -> TokenStream {
    let items = segs.iter().map(|s| match s {
        Seg::Lit(l) => quote!(Lit(#l)),
        Seg::Ref(s, k) => {
            let s = src(*s);
            quote!(Ref(#s, #k))
        }
    });
    quote!(&[#(#items),*])
}

fn url(parts: &[UrlPart]) -> TokenStream {
    let items = parts.iter().map(|p| match p {
        UrlPart::Lit(l) => quote!(UrlSeg::Lit(#l)),
        UrlPart::Ref(ctx, s, k) => {
            let s = src(*s);
            let variant = match ctx {
                UrlContext::Origin => quote!(Origin),
                UrlContext::Host => quote!(Host),
                UrlContext::Path => quote!(Path),
                UrlContext::Segment => quote!(Segment),
                UrlContext::Query => quote!(Query),
            };
            quote!(UrlSeg::#variant(#s, #k))
        }
    });
    quote!(UrlTemplate { segs: &[#(#items),*] })
}

fn tpl(t: &Tpl) -> TokenStream {
    match t {
        Tpl::Null => quote!(Tpl::Null),
        Tpl::Bool(b) => quote!(Tpl::Bool(#b)),
        Tpl::Num(n) => quote!(Tpl::Num(#n)),
        Tpl::Str(s) => {
            let s = segs(s);
            quote!(Tpl::Str(#s))
        }
        Tpl::Arr(items) => {
            let items = items.iter().map(tpl);
            quote!(Tpl::Arr(&[#(#items),*]))
        }
        Tpl::Obj(members) => {
            let members = members.iter().map(|(k, v)| {
                let v = tpl(v);
                quote!((#k, #v))
            });
            quote!(Tpl::Obj(&[#(#members),*]))
        }
    }
}

fn path(steps: &[PathStep]) -> TokenStream {
    let items = steps.iter().map(|s| match s {
        PathStep::Field(f) => quote!(Step::Field(#f)),
        PathStep::Index(i) => {
            let i = Literal::usize_unsuffixed(*i);
            quote!(Step::Index(#i))
        }
    });
    quote!(&[#(#items),*])
}

fn request(r: &Request) -> TokenStream {
    let label = &r.label;
    let method = match r.method {
        model::Method::Get => quote!(Get),
        model::Method::Post => quote!(Post),
        model::Method::Put => quote!(Put),
        model::Method::Patch => quote!(Patch),
        model::Method::Delete => quote!(Delete),
    };
    let url = url(&r.url);
    let pairs = |pairs: &[(String, Vec<Seg>)]| {
        let items = pairs.iter().map(|(k, v)| {
            let v = segs(v);
            quote!((#k, #v))
        });
        quote!(&[#(#items),*])
    };
    let headers = pairs(&r.headers);
    let query = pairs(&r.query);
    let body_type = match r.body_type {
        model::BodyType::Json => quote!(Json),
        model::BodyType::Form => quote!(Form),
        model::BodyType::Multipart => quote!(Multipart),
    };
    let body = match &r.body {
        Some(b) => {
            let b = tpl(b);
            quote!(Some(#b))
        }
        None => quote!(None),
    };
    let object = r.mapping.object;
    let entries = r.mapping.entries.iter().map(|(k, e)| match e {
        Extract::Path(steps) => {
            let p = path(steps);
            quote!((#k, Extract::Path(#p)))
        }
        Extract::Literal(l) => quote!((#k, Extract::Literal(#l))),
    });
    let refreshable = r.refreshable;
    quote! {
        RequestTemplate {
            name: #label,
            method: Method::#method,
            url: #url,
            headers: #headers,
            query: #query,
            body_type: BodyType::#body_type,
            body: #body,
            mapping: Mapping { object: #object, entries: &[#(#entries),*] },
            refreshable: #refreshable,
        }
    }
}

fn ty(t: &Ty) -> TokenStream {
    match t {
        Ty::String => quote!(::std::string::String),
        Ty::F64 => quote!(f64),
        Ty::I64 => quote!(i64),
        Ty::Bool => quote!(bool),
        Ty::Json => quote!(::miniapp::serde_json::Value),
        Ty::JsonMap => quote!(::miniapp::serde_json::Map<::std::string::String, ::miniapp::serde_json::Value>),
        Ty::Vec(item) => {
            let item = ty(item);
            quote!(::std::vec::Vec<#item>)
        }
        Ty::SyncItems => quote!(::std::vec::Vec<::miniapp::sync::Item>),
        Ty::Named(n) => {
            let n = format_ident!("{}", n);
            quote!(#n)
        }
        Ty::Option(item) => {
            let item = ty(item);
            quote!(::std::option::Option<#item>)
        }
    }
}

/// Struct fields with serde renames (decided from the final identifier, [`crate::names::field`]);
/// optional fields are `Option`s skipped when absent, read leniently when typed from samples.
fn struct_fields(fields: &[Field]) -> TokenStream {
    let items = fields.iter().map(|f| {
        let (name, rename) = crate::names::field(&f.rust, &f.json);
        let rename = rename.map(|json| quote!(#[serde(rename = #json)]));
        let doc = doc(&f.doc);
        let t = ty(&f.ty);
        if f.required {
            quote! { #doc #rename pub #name: #t, }
        } else if f.lenient {
            quote! {
                #doc #rename
                #[serde(default, deserialize_with = "::miniapp::lenient::option", skip_serializing_if = "::std::option::Option::is_none")]
                pub #name: ::std::option::Option<#t>,
            }
        } else {
            quote! {
                #doc #rename
                #[serde(default, skip_serializing_if = "::std::option::Option::is_none")]
                pub #name: ::std::option::Option<#t>,
            }
        }
    });
    quote!(#(#items)*)
}

const SERDE: &str = "::miniapp::serde";

/// One output space: every emitter writes its block's client methods, public items, request
/// descriptors and `Functions` methods here, and [`tokens`] lays them out as one module.
#[derive(Default)]
pub(crate) struct Output {
    /// Items placed before the client: what it is built from (`Credentials`).
    pub head: Vec<TokenStream>,
    /// Methods of `impl Client`.
    pub methods: Vec<TokenStream>,
    /// Public items of the module (types, enums, impls).
    pub items: Vec<TokenStream>,
    /// Statics of the private `requests` module.
    pub statics: Vec<TokenStream>,
    /// Methods of the `Functions` trait.
    pub functions: Vec<TokenStream>,
}

/// Generates the module for a lowered definition, as tokens.
pub fn tokens(ir: &Ir) -> TokenStream {
    let mut out = Output::default();
    auth::emit(ir, &mut out);
    actions::emit(ir, &mut out);
    sources::emit(ir, &mut out);
    webhook::emit(ir, &mut out);
    sync::emit(ir, &mut out);
    types::emit(ir, &mut out);
    testing::emit(ir, &mut out);
    functions::emit(ir, &mut out);
    let has_functions = !out.functions.is_empty();
    let functions_trait = functions::trait_item(&out);
    let Output { head, methods, items, statics, .. } = out;

    let ns = &ir.ns;
    let version = &ir.version;
    let config = ir.config.iter().map(|(k, v)| quote!((#k, #v)));
    let sensitive = &ir.sensitive;
    let stored = ir.credentials.iter().map(|c| {
        let (key, hint) = (&c.json, &c.hint);
        quote!((#key, #hint))
    });
    let refresh = match &ir.auth.refresh {
        Some(r) => {
            let name = format_ident!("{}", r.static_name);
            quote!(::std::option::Option::Some(&requests::#name))
        }
        None => quote!(::std::option::Option::None),
    };
    let auto_refresh = ir.auth.auto_refresh;
    let triggers = ir.triggers.iter().map(|t| {
        let (event, label, description, icon, img) = (&t.event, &t.label, &t.description, &t.icon, &t.img);
        quote!(::miniapp::TriggerInfo { event: #event, label: #label, description: #description, icon: #icon, img: #img })
    });
    let (functions_field, parts_ty, parts_param, assemble, params, args, parts) = if has_functions {
        (
            quote!(functions: ::std::sync::Arc<dyn Functions>,),
            quote!(::std::sync::Arc<dyn Functions>),
            quote!(functions),
            quote!(Client { engine, functions }),
            quote!(, functions: impl Functions),
            quote!(, functions),
            quote!(::std::sync::Arc::new(functions) as ::std::sync::Arc<dyn Functions>),
        )
    } else {
        (TokenStream::new(), quote!(()), quote!(()), quote!(Client { engine }), TokenStream::new(), TokenStream::new(), quote!(()))
    };
    let app = app::tokens(ir, has_functions);
    let client_doc = overview::lines(ir).into_iter().map(|line| format!(" {line}"));
    quote! {
        /// The definition's namespace.
        pub const NS: &str = #ns;
        /// The definition's version.
        pub const VERSION: &str = #version;
        /// The platform's limit on action runs: 30 per 60 seconds per user per app.
        pub const ACTION_RATE_LIMIT: (usize, ::std::time::Duration) = (30, ::std::time::Duration::from_secs(60));
        /// The definition's triggers.
        pub const TRIGGERS: &[::miniapp::TriggerInfo] = &[#(#triggers),*];

        static APP: ::miniapp::rt::App = ::miniapp::rt::App {
            ns: #ns,
            config: &[#(#config),*],
            sensitive_keys: &[#(#sensitive),*],
            stored: &[#(#stored),*],
            refresh: #refresh,
            auto_refresh: #auto_refresh,
        };

        #(#head)*

        #(#[doc = #client_doc])*
        pub struct Client {
            engine: ::miniapp::rt::Engine,
            #functions_field
        }

        impl ::std::fmt::Debug for Client {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.debug_struct("Client").field("engine", &self.engine).finish_non_exhaustive()
            }
        }

        /// Builds a [`Client`]: store, base URL, HTTP client, timeouts, retries, rate limit.
        pub type ClientBuilder = ::miniapp::Builder<Client>;

        impl ::miniapp::Connector for Client {
            fn app() -> &'static ::miniapp::rt::App {
                &APP
            }
            type Parts = #parts_ty;
            fn assemble(engine: ::miniapp::rt::Engine, #parts_param: Self::Parts) -> Self {
                #assemble
            }
        }

        impl Client {
            /// A client with the default settings and an in-memory store.
            pub fn new(credentials: Credentials #params) -> Self {
                Self::builder(credentials #args).build()
            }

            /// A builder, to choose the store, base URL, HTTP client, retry policy and rate limit.
            pub fn builder(credentials: Credentials #params) -> ClientBuilder {
                ::miniapp::Builder::new(credentials.into_values(), #parts)
            }

            /// The credential store (tokens refreshed by the client are written here).
            pub fn store(&self) -> &dyn ::miniapp::Store {
                self.engine.store()
            }

            #(#methods)*
        }

        #app

        #(#items)*
        #functions_trait

        /// The definition's requests, parsed and classified at compile time.
        mod requests {
            #[allow(unused_imports)]
            use ::miniapp::rt::template::{Seg::{Lit, Ref}, Src::{Var, Stored, Config, System}, Tpl, UrlSeg, UrlTemplate};
            #[allow(unused_imports)]
            use ::miniapp::rt::{path::Step, BodyType, Extract, Mapping, Method, RequestTemplate, SourceTemplate};
            #(#statics)*
        }
    }
}
