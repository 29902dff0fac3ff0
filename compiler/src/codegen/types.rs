//! The types emitter: action inputs and the nested structs and string enums of their parameters.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{Output, SERDE, doc, struct_fields};
use crate::ir::{Ir, TypeDef};

/// Every parameter type, as public items.
pub(super) fn emit(ir: &Ir, out: &mut Output) {
    out.items.extend(ir.types.iter().map(type_def));
}

fn type_def(d: &TypeDef) -> TokenStream {
    match d {
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
    }
}
