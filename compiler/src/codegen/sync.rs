//! The sync emitter (docs/format.md §11): record types, their mappers, the `SyncRecord` enum of
//! handler records, the compiled `ResourceSpec` / `HandlerSpec` descriptors, and the client's
//! `sync_<resource>` / `sync_<resource>_from` imports.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::{Output, SERDE, path, request, struct_fields};
use crate::ir::sync::{ComputeArg, FieldTy, HandlerIr, Kind, Mapper, Paging, ResourceIr, Rule, SyncIr, Target};
use crate::ir::{Field, Ir, Ty};
use crate::model::Operation;
use crate::names::ident;

fn option(value: Option<TokenStream>) -> TokenStream {
    match value {
        Some(v) => quote!(::std::option::Option::Some(#v)),
        None => quote!(::std::option::Option::None),
    }
}

fn uses_functions(m: &Mapper) -> bool {
    m.fields.iter().any(|(_, r)| matches!(r, Rule::Compute { .. }))
}

/// A call of a mapper: `map_catalog(c)` or, when it computes, `map_orders(c, &*self.functions)`.
fn call(m: &Mapper, captured: TokenStream) -> TokenStream {
    let f = format_ident!("{}", m.function);
    if uses_functions(m) { quote!(#f(#captured, &*self.functions)) } else { quote!(#f(#captured)) }
}

fn field_ty(ty: FieldTy) -> Ty {
    match ty {
        FieldTy::Value => Ty::Json,
        FieldTy::String => Ty::String,
        FieldTy::F64 => Ty::F64,
        FieldTy::Items => Ty::SyncItems,
    }
}

/// The mapper function of one mapping, filling its record type.
fn mapper_fn(sync: &SyncIr, m: &Mapper) -> TokenStream {
    let f = format_ident!("{}", m.function);
    let record = format_ident!("{}", m.record);
    let Some(ty) = sync.records.iter().find(|r| r.name == m.record) else { return TokenStream::new() };
    let slot = |s: &usize| Literal::usize_unsuffixed(*s);
    let mut set = Vec::new();
    for (key, rule) in &m.fields {
        let Some(field) = ty.fields.iter().find(|f| f.json == *key) else { continue };
        let name = ident(&field.rust);
        let k = key.as_str();
        let value = match rule {
            Rule::Value(s) => {
                let s = slot(s);
                quote!(c.value(#s))
            }
            Rule::Items(s) if field.typed.is_some() => {
                let s = slot(s);
                quote!(::miniapp::lenient::items(c.items(#s, #k)?, #k))
            }
            Rule::Text(s) => {
                let s = slot(s);
                quote!(c.text(#s, #k)?)
            }
            Rule::Number(s) => {
                let s = slot(s);
                quote!(c.number(#s))
            }
            Rule::Codes(s) => {
                let s = slot(s);
                quote!(c.codes(#s, #k)?)
            }
            Rule::Items(s) => {
                let s = slot(s);
                quote!(c.items(#s, #k)?)
            }
            Rule::Coalesce(slots) => {
                let slots = slots.iter().map(slot);
                quote!(c.coalesce(&[#(#slots),*]))
            }
            Rule::Compute { function, method, args, values, record } => {
                let m = ident(method);
                let args = args.iter().map(|(name, arg)| match arg {
                    ComputeArg::Slot(s) => {
                        let s = slot(s);
                        quote!((#name, ::miniapp::sync::ComputeArg::Slot(#s)))
                    }
                    ComputeArg::Literal(json) => quote!((#name, ::miniapp::sync::ComputeArg::Literal(#json))),
                });
                let values = values.iter().map(slot);
                let record = option(record.as_ref().map(|s| {
                    let s = slot(s);
                    quote!(#s)
                }));
                quote!(::miniapp::sync::computed(#k, #function, functions.#m(&c.compute_input(&[#(#args),*], &[#(#values),*], #record)))?)
            }
        };
        // A shape-A field that handlers map to different types is a JSON value; a value typed
        // from samples is read leniently.
        let value = if field.typed.is_some() && matches!(rule, Rule::Value(_) | Rule::Coalesce(_)) {
            quote!(::miniapp::lenient::value(#value, #k))
        } else if field.ty == FieldTy::Value && rule.ty() != FieldTy::Value {
            quote!(#value.map(::miniapp::serde_json::Value::from))
        } else {
            value
        };
        set.push(quote!(#name: #value,));
    }
    let rest = (set.len() < ty.fields.len()).then(|| quote!(..::std::default::Default::default()));
    let functions = uses_functions(m).then(|| quote!(, functions: &dyn Functions));
    let mutable = (!m.fields.is_empty()).then(|| quote!(mut));
    let doc = format!(" Maps one captured record into a [`sync::{}`].", m.record);
    quote! {
        #[doc = #doc]
        fn #f(#mutable c: ::miniapp::sync::Captured<'_> #functions) -> ::std::result::Result<sync::#record, ::miniapp::sync::Problem> {
            ::std::result::Result::Ok(sync::#record { #(#set)* #rest })
        }
    }
}

/// Record types, the `SyncRecord` enum and the mappers.
/// The `sync` module of records and mappers, the client's imports, the sync descriptors and the
/// `compute` methods of `Functions`.
pub(super) fn emit(ir: &Ir, out: &mut Output) {
    out.items.push(items(ir));
    out.methods.push(methods(ir));
    out.statics.push(statics(ir));
    let computes = ir.sync.iter().flat_map(|s| &s.computes).map(|(function, method)| {
        let m = ident(method);
        let d = format!(" The `{function}` sync `compute` helper: the field's value from the record's values (`null` for none).");
        quote! {
            #[doc = #d]
            fn #m(&self, input: &::miniapp::sync::ComputeInput) -> ::std::result::Result<::miniapp::serde_json::Value, ::std::string::String>;
        }
    });
    out.functions.extend(computes);
}

fn items(ir: &Ir) -> TokenStream {
    let Some(sync) = &ir.sync else { return TokenStream::new() };
    let records = sync.records.iter().map(|r| {
        let name = format_ident!("{}", r.name);
        let doc = super::doc(&r.doc);
        let fields: Vec<Field> = r
            .fields
            .iter()
            .map(|f| Field {
                rust: f.rust.clone(),
                json: f.json.clone(),
                ty: f.typed.clone().unwrap_or_else(|| field_ty(f.ty)),
                required: false,
                doc: vec![f.doc.clone()],
                default: None,
                lenient: f.typed.is_some(),
            })
            .collect();
        let fields = struct_fields(&fields);
        quote! {
            #doc
            #[derive(Clone, Debug, Default, PartialEq, ::miniapp::serde::Serialize, ::miniapp::serde::Deserialize)]
            #[serde(crate = #SERDE)]
            pub struct #name { #fields }
        }
    });
    let types = sync.types.iter().map(super::types::type_def);
    let mappers = sync.resources.iter().map(|r| &r.mapper).chain(sync.handlers.iter().filter_map(|h| h.mapper.as_ref()));
    let mappers = mappers.map(|m| mapper_fn(sync, m));
    let map_pages = sync.resources.iter().map(|r| {
        let record = format_ident!("{}", r.mapper.record);
        let spec = format_ident!("{}", r.static_name);
        let f = format_ident!("{}", r.mapper.function);
        let (param, build) = if uses_functions(&r.mapper) {
            (quote!(, functions: &dyn Functions), quote!(|c| #f(c, functions)))
        } else {
            (TokenStream::new(), quote!(#f))
        };
        let d = format!(
            " Maps one `{}` list page (the bytes of a list response) as an import does: each record, or the problem that keeps it from mapping, in order, and the page's total.",
            r.json
        );
        quote! {
            impl sync::#record {
                #[doc = #d]
                pub fn map_page(page: &[u8] #param) -> ::std::result::Result<::miniapp::sync::MappedPage<Self>, ::miniapp::sync::Problem> {
                    ::miniapp::sync::map_page(page, &requests::#spec, #build)
                }
            }
        }
    });
    let handled = (!sync.handled.is_empty()).then(|| {
        let variants = sync.handled.iter().map(|(v, target)| {
            let v = format_ident!("{}", v);
            let d = match target {
                Target::Resource(i) => format!(" A `{}` record (shape B handlers).", sync.resources[*i].json),
                Target::RecordType(t) => format!(" A `{t}` record (shape A handlers)."),
            };
            quote!(#[doc = #d] #v(#v),)
        });
        let arms = sync.handled.iter().map(|(v, target)| {
            let v = format_ident!("{}", v);
            let pattern = match target {
                Target::Resource(i) => {
                    let name = &sync.resources[*i].json;
                    quote!(::miniapp::sync::Target::Resource(name) if name == #name)
                }
                Target::RecordType(t) => quote!(::miniapp::sync::Target::RecordType(name) if name == #t),
            };
            quote!(#pattern => ::miniapp::serde_json::from_value(record).map(SyncRecord::#v),)
        });
        quote! {
            /// A record a sync handler writes (docs/format.md §11.6), as [`miniapp::webhook::Delivery::handler`]
            /// carries it.
            #[derive(Clone, Debug, PartialEq, ::miniapp::serde::Serialize)]
            #[serde(crate = #SERDE, untagged)]
            pub enum SyncRecord { #(#variants)* }

            impl ::miniapp::sync::HandlerRecord for SyncRecord {
                fn from_target(
                    target: &::miniapp::sync::Target,
                    record: ::miniapp::serde_json::Value,
                ) -> ::std::result::Result<Self, ::miniapp::serde_json::Error> {
                    match target {
                        #(#arms)*
                        _ => ::std::result::Result::Err(<::miniapp::serde_json::Error as ::miniapp::serde::de::Error>::custom(
                            "no sync handler writes this target",
                        )),
                    }
                }
            }
        }
    });
    quote! {
        /// The sync records (docs/format.md §11): one per resource, one per record type that
        /// real-time handlers write, and the `SyncRecord` a webhook delivery carries.
        pub mod sync {
            #(#records)*
            #(#types)*
            #handled
        }
        #(#map_pages)*
        #(#mappers)*
    }
}

/// The `Record` type of the `Event` enum's `WebhookEvent` impl.
pub fn record_type(ir: &Ir) -> TokenStream {
    match &ir.sync {
        Some(s) if !s.handled.is_empty() => quote!(sync::SyncRecord),
        _ => quote!(::miniapp::sync::NoRecord),
    }
}

/// `Receiver::map_record`, when handlers exist.
pub fn map_record(ir: &Ir) -> TokenStream {
    let Some(sync) = ir.sync.as_ref().filter(|s| !s.handlers.is_empty()) else { return TokenStream::new() };
    let arms = sync.handlers.iter().filter_map(|h: &HandlerIr| {
        let event = &h.event;
        let mapper = match (&h.mapper, &h.target) {
            (Some(m), _) => m,
            (None, Target::Resource(i)) => &sync.resources[*i].mapper,
            (None, Target::RecordType(_)) => return None,
        };
        let record = format_ident!("{}", h.variant);
        let map = call(mapper, quote!(captured));
        Some(quote!(#event => #map.map(sync::SyncRecord::#record),))
    });
    quote! {
        fn map_record(
            &self,
            event: &str,
            captured: ::miniapp::sync::Captured<'_>,
        ) -> ::std::result::Result<sync::SyncRecord, ::miniapp::sync::Problem> {
            match event {
                #(#arms)*
                other => ::std::result::Result::Err(::miniapp::sync::Problem::NoHandler { event: other.to_string() }),
            }
        }
    }
}

/// The handlers, for the webhook `Spec`: `&[&HANDLER_ORDER_PLACED, ...]`.
pub fn handler_refs(ir: &Ir) -> TokenStream {
    let handlers = ir.sync.iter().flat_map(|s| &s.handlers).map(|h| format_ident!("{}", h.static_name));
    quote!(&[#(&#handlers),*])
}

/// How a resource's import pages and when it ends, in one sentence of its method's rustdoc.
fn paging_doc(r: &ResourceIr) -> String {
    let total = match &r.total {
        Some(_) => "the records reach the total the pages report, or a page is empty",
        None => "a page is empty or the page after the last is not found",
    };
    let path = |steps: &[crate::path::Step]| crate::path::Path { rooted: true, steps: steps.to_vec() }.to_string();
    match &r.paging {
        Paging::Pages { param, first } => format!("Pages are numbered from {first} in `{param}`; the import ends when {total}."),
        Paging::Offset { param } => {
            format!("Each page is asked for at `{param}` = the records already read; the import ends when {total}.")
        }
        Paging::Cursor { next, param: Some(param) } => format!(
            "Each page names the next at `{}`: a cursor sent back in `{param}`, or a URL; the import ends on a page that names none.",
            path(next)
        ),
        Paging::Cursor { next, param: None } => {
            format!("Each page gives the next page's URL at `{}`; the import ends on a page that gives none.", path(next))
        }
        Paging::Link => "The next page is the `Link` header's `rel=\"next\"` URL; the import ends on a page without one.".to_string(),
    }
}

/// The client's imports.
fn methods(ir: &Ir) -> TokenStream {
    let Some(sync) = &ir.sync else { return TokenStream::new() };
    let methods = sync.resources.iter().map(|r| {
        let m = ident(&r.method);
        let from = ident(&format!("{}_from", r.method));
        let record = format_ident!("{}", r.mapper.record);
        let record = quote!(sync::#record);
        let spec = format_ident!("{}", r.static_name);
        let f = format_ident!("{}", r.mapper.function);
        let build = if uses_functions(&r.mapper) { quote!(move |c| #f(c, &*self.functions)) } else { quote!(#f) };
        let docs = super::doc(&[
            format!("Imports the `{}` resource: a stream of [`sync::{}`]s, page by page.", r.json, r.mapper.record),
            String::new(),
            format!("{} {}", r.doc.first().cloned().unwrap_or_default(), paging_doc(r)),
            String::new(),
            "See [`miniapp::sync`] for the stop rules, drift, errors and resuming.".to_string(),
        ]);
        let from_doc = format!(
            " Continues an interrupted `{}` import from a [`miniapp::sync::Checkpoint`] (taken with `Import::checkpoint`), with no gap.",
            r.json
        );
        quote! {
            #docs
            pub fn #m(&self) -> ::miniapp::sync::Import<'_, #record> {
                ::miniapp::sync::Import::new(&self.engine, &requests::#spec, ::std::option::Option::None, #build)
            }

            #[doc = #from_doc]
            pub fn #from(&self, checkpoint: ::miniapp::sync::Checkpoint) -> ::miniapp::sync::Import<'_, #record> {
                ::miniapp::sync::Import::new(&self.engine, &requests::#spec, ::std::option::Option::Some(checkpoint), #build)
            }
        }
    });
    quote!(#(#methods)*)
}

fn captures(list: &[(Vec<crate::path::Step>, Kind)]) -> TokenStream {
    let items = list.iter().map(|(steps, kind)| {
        let steps = path(steps);
        let kind = match kind {
            Kind::Value => quote!(Value),
            Kind::Text => quote!(Text),
            Kind::Number => quote!(Number),
            Kind::Codes => quote!(Codes),
            Kind::Items => quote!(Items),
            Kind::Object => quote!(Object),
        };
        quote!(::miniapp::sync::Capture { steps: #steps, kind: ::miniapp::sync::Kind::#kind })
    });
    quote!(::miniapp::sync::RecordSpec::new(&[#(#items),*]))
}

fn num<T: ToString>(value: Option<T>, suffix: &str) -> TokenStream {
    option(value.map(|v| {
        let lit: TokenStream = format!("{}{suffix}", v.to_string()).parse().unwrap_or_default();
        lit
    }))
}

/// The descriptors, inside `mod requests`.
fn statics(ir: &Ir) -> TokenStream {
    let Some(sync) = &ir.sync else { return TokenStream::new() };
    let rate = option(sync.rate_per_second.map(|r| {
        let r = Literal::f64_suffixed(r);
        quote!(#r)
    }));
    let timeout = num(sync.timeout_ms, "u64");
    let resources = sync.resources.iter().map(|r| {
        let name = format_ident!("{}", r.static_name);
        let json = &r.json;
        let list = request(&r.list);
        let details = option(r.details.as_ref().map(request));
        let sends_limit = r.sends_limit;
        let default_limit = num(r.default_limit, "u64");
        let max_limit = num(r.max_limit, "u64");
        let data = path(&r.data);
        let total = option(r.total.as_deref().map(path));
        let record = captures(&r.mapper.captures);
        let paging = match &r.paging {
            Paging::Pages { first, .. } => quote!(::miniapp::sync::Paging::Pages { first: #first }),
            Paging::Offset { .. } => quote!(::miniapp::sync::Paging::Offset),
            Paging::Cursor { next, param } => {
                let next = path(next);
                let param = option(param.as_ref().map(|p| quote!(#p)));
                quote!(::miniapp::sync::Paging::Cursor { next: #next, param: #param })
            }
            Paging::Link => quote!(::miniapp::sync::Paging::Link),
        };
        let code = num(r.code, "usize");
        quote! {
            pub(super) static #name: ::miniapp::sync::ResourceSpec = ::miniapp::sync::ResourceSpec {
                name: #json,
                list: #list,
                paging: #paging,
                details: #details,
                sends_limit: #sends_limit,
                default_limit: #default_limit,
                max_limit: #max_limit,
                data: #data,
                total: #total,
                record: #record,
                code: #code,
                rate_per_second: #rate,
                timeout_ms: #timeout,
            };
        }
    });
    let handlers = sync.handlers.iter().map(|h| {
        let name = format_ident!("{}", h.static_name);
        let record_name = format_ident!("{}", h.record_static);
        let record = captures(&h.captures);
        let event = &h.event;
        let target = match &h.target {
            Target::Resource(i) => {
                let n = &sync.resources[*i].json;
                quote!(::miniapp::sync::handler::TargetSpec::Resource(#n))
            }
            Target::RecordType(t) => quote!(::miniapp::sync::handler::TargetSpec::RecordType(#t)),
        };
        let operation = match h.operation {
            Operation::Create => quote!(Create),
            Operation::Update => quote!(Update),
            Operation::Upsert => quote!(Upsert),
        };
        let data = path(&h.data);
        quote! {
            pub(super) static #record_name: ::miniapp::sync::RecordSpec = #record;
            pub(super) static #name: ::miniapp::sync::handler::HandlerSpec = ::miniapp::sync::handler::HandlerSpec {
                event: #event,
                target: #target,
                operation: ::miniapp::sync::Operation::#operation,
                data: #data,
                record: &#record_name,
            };
        }
    });
    quote! {
        #(#resources)*
        #(#handlers)*
    }
}
