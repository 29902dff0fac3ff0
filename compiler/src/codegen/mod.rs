//! Code generation: the IR becomes one Rust module (see ARCHITECTURE.md §4 for the API).
//!
//! Output is deterministic (items in document order), uses fully qualified paths (`::miniapp::`,
//! `::std::`), documents every public item, and needs only the `miniapp` crate: serde comes
//! through `miniapp::serde`. Request templates become `static`s of the runtime's template types,
//! parsed and classified at compile time; there is no template or path parser in generated code.

mod sync;
mod webhook;

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use crate::ir::{ActionIr, CredKind, Extract, Field, Ir, Request, Seg, Src, StepIr, Tpl, Ty, TypeDef, UrlPart};
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
        Ty::VecJson => quote!(::std::vec::Vec<::miniapp::serde_json::Value>),
        Ty::SyncItems => quote!(::std::vec::Vec<::miniapp::sync::Item>),
        Ty::Named(n) => {
            let n = format_ident!("{}", n);
            quote!(#n)
        }
    }
}

/// Struct fields with serde renames; optional fields are `Option`s skipped when absent.
fn struct_fields(fields: &[Field]) -> TokenStream {
    let items = fields.iter().map(|f| {
        let name = ident(&f.rust);
        let json = &f.json;
        let rename = (f.rust != f.json).then(|| quote!(#[serde(rename = #json)]));
        let doc = doc(&f.doc);
        let t = ty(&f.ty);
        if f.required {
            quote! { #doc #rename pub #name: #t, }
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

fn types(defs: &[TypeDef]) -> TokenStream {
    let items = defs.iter().map(|d| match d {
        TypeDef::Struct { name, doc: lines, fields } => {
            let name = format_ident!("{}", name);
            let doc = doc(lines);
            let fields = struct_fields(fields);
            quote! {
                #doc
                #[derive(Clone, Debug, PartialEq, ::miniapp::serde::Serialize, ::miniapp::serde::Deserialize)]
                #[serde(crate = #SERDE)]
                pub struct #name { #fields }
            }
        }
        TypeDef::Enum { name, doc: lines, variants } => {
            let name = format_ident!("{}", name);
            let doc = doc(lines);
            let variants = variants.iter().map(|(rust, json)| {
                let v = format_ident!("{}", rust);
                let d = format!(" `{json}`");
                quote!(#[doc = #d] #[serde(rename = #json)] #v,)
            });
            quote! {
                #doc
                #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, ::miniapp::serde::Serialize, ::miniapp::serde::Deserialize)]
                #[serde(crate = #SERDE)]
                pub enum #name { #(#variants)* }
            }
        }
    });
    quote!(#(#items)*)
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
        /// The credentials and metadata of one connected account (FORMAT.md §5.4). Sensitive keys
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
        }
    }
}

fn action(a: &ActionIr) -> TokenStream {
    let method = ident(&a.method);
    let input = format_ident!("{}", a.input);
    let output = format_ident!("{}", a.output);
    let defaults = format_ident!("{}", a.defaults_static);
    let json = &a.json;
    let docs = doc(&[format!("{} — {}", a.title, a.description), String::new(), format!("Runs the `{}` action.", a.json)]);
    let steps = a.steps.iter().map(|s| match s {
        StepIr::Http(r) => {
            let name = format_ident!("{}", r.static_name);
            quote!(call.step(&requests::#name).await?;)
        }
        StepIr::Function { json, method, args_type, static_name, .. } => {
            let m = ident(method);
            let args_type = format_ident!("{}", args_type);
            let args = format_ident!("{}", static_name);
            quote! {
                let args: #args_type = call.args(#json, &requests::#args)?;
                let returned = self.functions.#m(args).map_err(|message| ::miniapp::Error::Function { function: #json.to_string(), message })?;
                call.merge(returned);
            }
        }
    });
    quote! {
        #docs
        pub async fn #method(&self, input: &#input) -> ::std::result::Result<#output, ::miniapp::Error> {
            let mut call = self.engine.begin(#json, input, requests::#defaults).await?;
            #(#steps)*
            call.finish(#json)
        }
    }
}

fn output_type(a: &ActionIr) -> TokenStream {
    let name = format_ident!("{}", a.output);
    let fields = struct_fields(&a.output_fields);
    let returned = a.open_output.then(|| {
        quote! {
            /// Keys returned by App Function steps.
            #[serde(flatten)]
            pub returned: ::miniapp::serde_json::Map<::std::string::String, ::miniapp::serde_json::Value>,
        }
    });
    let d = format!(" Result of [`Client::{}`]: the final step's object mapping.", crate::names::display(&a.method));
    quote! {
        #[doc = #d]
        #[derive(Clone, Debug, Default, PartialEq, ::miniapp::serde::Serialize, ::miniapp::serde::Deserialize)]
        #[serde(crate = #SERDE)]
        pub struct #name { #fields #returned }
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
    // The install flow (FORMAT.md §5.5, §5.6).
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

fn statics(ir: &Ir) -> TokenStream {
    let mut items = Vec::new();
    let a = &ir.auth;
    for r in [&a.auth_url, &a.get_token, &a.refresh, &a.user_details, &a.test_token].into_iter().flatten().chain(&a.registration) {
        let name = format_ident!("{}", r.static_name);
        let body = request(r);
        items.push(quote!(pub(super) static #name: RequestTemplate = #body;));
    }
    for action in &ir.actions {
        let defaults = format_ident!("{}", action.defaults_static);
        let entries = action.defaults.iter().map(|(k, v)| {
            let v = tpl(v);
            quote!((#k, #v))
        });
        items.push(quote!(pub(super) static #defaults: &[(&str, Tpl)] = &[#(#entries),*];));
        for step in &action.steps {
            match step {
                StepIr::Http(r) => {
                    let name = format_ident!("{}", r.static_name);
                    let body = request(r);
                    items.push(quote!(pub(super) static #name: RequestTemplate = #body;));
                }
                StepIr::Function { static_name, args, .. } => {
                    let name = format_ident!("{}", static_name);
                    let args = tpl(args);
                    items.push(quote!(pub(super) static #name: Tpl = #args;));
                }
            }
        }
    }
    for s in &ir.sources {
        let name = format_ident!("{}", s.request.static_name);
        let req = request(&s.request);
        let data = match &s.data {
            Some(d) => {
                let d = path(d);
                quote!(Some(#d))
            }
            None => quote!(None),
        };
        let value = path(&s.value);
        let label = path(&s.label);
        items.push(
            quote!(pub(super) static #name: SourceTemplate = SourceTemplate { request: #req, data: #data, value: #value, label: #label };),
        );
    }
    let webhook = webhook::statics(ir);
    let sync = sync::statics(ir);
    quote! {
        /// The definition's requests, parsed and classified at compile time.
        mod requests {
            #[allow(unused_imports)]
            use ::miniapp::template::{Seg::{Lit, Ref}, Src::{Var, Stored, Config, System}, Tpl, UrlSeg, UrlTemplate};
            #[allow(unused_imports)]
            use ::miniapp::{path::Step, BodyType, Extract, Mapping, Method, RequestTemplate, SourceTemplate};
            #(#items)*
            #webhook
            #sync
        }
    }
}

fn functions(ir: &Ir) -> TokenStream {
    if !ir.needs_functions() {
        return TokenStream::new();
    }
    let methods = ir.functions.iter().map(|f| {
        let m = ident(&f.method);
        let args = format_ident!("{}", f.args_type);
        let params: Vec<&str> = f.params.iter().map(|p| p.json.as_str()).collect();
        let lines = [
            format!("The `{}({})` App Function.", f.json, params.join(", ")),
            String::new(),
            "Return a plain JSON object; its keys join the action's variables and result. The definition's JavaScript:".to_string(),
            String::new(),
            "```js".to_string(),
            f.code.clone(),
            "```".to_string(),
        ];
        let d = doc(&lines);
        quote! {
            #d
            fn #m(&self, args: #args) -> ::std::result::Result<::miniapp::serde_json::Map<::std::string::String, ::miniapp::serde_json::Value>, ::std::string::String>;
        }
    });
    let computes = ir.sync.iter().flat_map(|s| &s.computes).map(|(function, method)| {
        let m = ident(method);
        let d = format!(
            " The `{function}` sync `compute` helper (FORMAT.md §11.5): the field's value from the record's values (`null` for none)."
        );
        quote! {
            #[doc = #d]
            fn #m(&self, input: &::miniapp::sync::ComputeInput) -> ::std::result::Result<::miniapp::serde_json::Value, ::std::string::String>;
        }
    });
    let args = ir.functions.iter().map(|f| {
        let name = format_ident!("{}", f.args_type);
        let fields = struct_fields(&f.params);
        let d = format!(" Arguments of the `{}` App Function.", f.json);
        quote! {
            #[doc = #d]
            #[derive(Clone, Debug, Default, PartialEq, ::miniapp::serde::Serialize, ::miniapp::serde::Deserialize)]
            #[serde(crate = #SERDE)]
            pub struct #name { #fields }
        }
    });
    quote! {
        /// The functions this definition names but cannot define in Rust: the App Functions
        /// (FORMAT.md §8.5) its actions call and the `compute` helpers (§11.5) its sync mappings
        /// call. Implement this trait and pass it to [`Client::new`].
        pub trait Functions: ::std::marker::Send + ::std::marker::Sync + 'static {
            #(#methods)*
            #(#computes)*
        }
        #(#args)*
    }
}

/// Generates the module for a lowered definition, as tokens.
pub fn tokens(ir: &Ir) -> TokenStream {
    let ns = &ir.ns;
    let version = &ir.version;
    let has_functions = ir.needs_functions();
    let config = ir.config.iter().map(|(k, v)| quote!((#k, #v)));
    let sensitive = &ir.sensitive;
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
    let creds = credentials(ir);
    let auth = auth_methods(ir);
    let actions = ir.actions.iter().map(action);
    let outputs = ir.actions.iter().map(output_type);
    let sources = ir.sources.iter().map(|s| {
        let m = ident(&s.method);
        let name = format_ident!("{}", s.request.static_name);
        let d = format!(" Options of the `{}` dropdown source.", s.json);
        quote! {
            #[doc = #d]
            pub async fn #m(&self) -> ::std::result::Result<::std::vec::Vec<::miniapp::SourceOption>, ::miniapp::Error> {
                self.engine.source(&requests::#name).await
            }
        }
    });
    let input_types = types(&ir.types);
    let function_items = functions(ir);
    let request_statics = statics(ir);
    let webhook_items = webhook::items(ir);
    let webhook_methods = webhook::methods(ir);
    let sync_items = sync::items(ir);
    let sync_methods = sync::methods(ir);
    let client_doc = format!(" A {} client for one connected account.", ir.title);
    quote! {
        /// The definition's namespace.
        pub const NS: &str = #ns;
        /// The definition's version.
        pub const VERSION: &str = #version;
        /// The platform's limit on action runs: 30 per 60 seconds per user per app (FORMAT.md §8.6).
        pub const ACTION_RATE_LIMIT: (usize, ::std::time::Duration) = (30, ::std::time::Duration::from_secs(60));
        /// The definition's triggers (FORMAT.md §9).
        pub const TRIGGERS: &[::miniapp::TriggerInfo] = &[#(#triggers),*];

        static APP: ::miniapp::App = ::miniapp::App {
            ns: #ns,
            config: &[#(#config),*],
            sensitive_keys: &[#(#sensitive),*],
            refresh: #refresh,
            auto_refresh: #auto_refresh,
        };

        #creds

        #[doc = #client_doc]
        ///
        /// Actions wait for the platform rate limit, retry transient failures, and (with
        /// `auto_refresh`) refresh the token once after a 401.
        pub struct Client {
            engine: ::miniapp::Engine,
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
            const APP: &'static ::miniapp::App = &APP;
            type Parts = #parts_ty;
            fn assemble(engine: ::miniapp::Engine, #parts_param: Self::Parts) -> Self {
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

            #auth
            #(#actions)*
            #(#sources)*
            #webhook_methods
            #sync_methods
        }

        #webhook_items
        #sync_items
        #(#outputs)*
        #input_types
        #function_items
        #request_statics
    }
}

/// Makes every doc attribute's text safe to print as a comment ([`crate::names::doc_text`]).
struct SafeDocs;

impl syn::visit_mut::VisitMut for SafeDocs {
    fn visit_attribute_mut(&mut self, attr: &mut syn::Attribute) {
        if attr.path().is_ident("doc")
            && let syn::Meta::NameValue(nv) = &mut attr.meta
            && let syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(text), .. }) = &mut nv.value
        {
            let safe = crate::names::doc_text(&text.value());
            if safe != text.value() {
                *text = syn::LitStr::new(&safe, text.span());
            }
        }
    }
}

/// Generates the module for a lowered definition, formatted.
pub fn format(ir: &Ir) -> Result<String, String> {
    let mut file: syn::File = syn::parse2(tokens(ir)).map_err(|e| format!("generated code does not parse: {e}"))?;
    syn::visit_mut::VisitMut::visit_file_mut(&mut SafeDocs, &mut file);
    Ok(prettyplease::unparse(&file))
}
