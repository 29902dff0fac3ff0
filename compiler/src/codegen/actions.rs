//! The actions emitter (docs/format.md §8): per action, its client method, its output type and the
//! descriptors of its steps, emitted together.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::auth::request_static;
use super::{Output, SERDE, doc, ident, struct_fields, tpl};
use crate::ir::{ActionIr, Ir, StepIr};

/// Every action: method, output type, statics.
pub(super) fn emit(ir: &Ir, out: &mut Output) {
    for a in &ir.actions {
        out.methods.push(action(a));
        out.items.push(output_type(a));
        let defaults = format_ident!("{}", a.defaults_static);
        let entries = a.defaults.iter().map(|(k, v)| {
            let v = tpl(v);
            quote!((#k, #v))
        });
        out.statics.push(quote!(pub(super) static #defaults: &[(&str, Tpl)] = &[#(#entries),*];));
        for step in &a.steps {
            match step {
                StepIr::Http(r) => out.statics.push(request_static(r)),
                StepIr::Function { static_name, args, .. } => {
                    let name = format_ident!("{}", static_name);
                    let args = tpl(args);
                    out.statics.push(quote!(pub(super) static #name: Tpl = #args;));
                }
            }
        }
    }
}

fn action(a: &ActionIr) -> TokenStream {
    let method = ident(&a.method);
    // An action without parameters takes no input (and sends an empty one).
    let (param, input) = match &a.input {
        Some(name) => {
            let ty = format_ident!("{}", name);
            (quote!(, input: &#ty), quote!(input))
        }
        None => (TokenStream::new(), quote!(&::miniapp::serde_json::Map::new())),
    };
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
        pub async fn #method(&self #param) -> ::std::result::Result<#output, ::miniapp::Error> {
            let mut call = self.engine.begin(#json, #input, requests::#defaults).await?;
            #(#steps)*
            call.finish(#json)
        }
    }
}

fn output_type(a: &ActionIr) -> TokenStream {
    let name = format_ident!("{}", a.output);
    let fields = struct_fields(&a.output_fields);
    let returned = a.returned.as_deref().map(|field| {
        let field = ident(field);
        quote! {
            /// Keys returned by App Function steps.
            #[serde(flatten)]
            pub #field: ::miniapp::serde_json::Map<::std::string::String, ::miniapp::serde_json::Value>,
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
