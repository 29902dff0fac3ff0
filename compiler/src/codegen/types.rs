//! The types emitter: action inputs and the nested structs and string enums of their parameters,
//! each struct with a constructor from its required fields and its parameters' defaults.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};

use super::{Output, SERDE, doc, struct_fields, ty};
use crate::ir::{Field, Init, Ir, Ty, TypeDef};
use crate::names;

/// Every parameter type and every type of the provider's data, as public items.
pub(super) fn emit(ir: &Ir, out: &mut Output) {
    out.items.extend(ir.types.iter().map(type_def));
}

/// One type: a struct, a string enum, or a struct of the provider's data (typed from samples).
pub(super) fn type_def(d: &TypeDef) -> TokenStream {
    match d {
        TypeDef::Data { name, doc: lines, fields } => {
            let ident = format_ident!("{}", name);
            let doc = doc(lines);
            let body = struct_fields(fields);
            quote! {
                #doc
                #[derive(Clone, Debug, Default, PartialEq, ::miniapp::serde::Serialize, ::miniapp::serde::Deserialize)]
                #[serde(crate = #SERDE)]
                pub struct #ident { #body }
            }
        }
        TypeDef::Struct { name, doc: lines, fields, constructor } => {
            let ident = format_ident!("{}", name);
            let doc = doc(lines);
            let body = struct_fields(fields);
            let constructor = constructor.then(|| new_fn(name, fields));
            quote! {
                #doc
                #[derive(Clone, Debug, PartialEq, ::miniapp::serde::Serialize, ::miniapp::serde::Deserialize)]
                #[serde(crate = #SERDE)]
                pub struct #ident { #body }
                #constructor
            }
        }
        TypeDef::Enum { name, doc: lines, variants, default } => {
            let name = format_ident!("{}", name);
            let doc = doc(lines);
            let derive_default = default.as_ref().map(|_| quote!(Default,));
            let variants = variants.iter().map(|(rust, json)| {
                let v = format_ident!("{}", rust);
                let d = format!(" `{json}`");
                let is_default = (default.as_deref() == Some(rust.as_str())).then(|| quote!(#[default]));
                quote!(#[doc = #d] #[serde(rename = #json)] #is_default #v,)
            });
            quote! {
                #doc
                #[derive(Clone, Copy, Debug, #derive_default PartialEq, Eq, Hash, ::miniapp::serde::Serialize, ::miniapp::serde::Deserialize)]
                #[serde(crate = #SERDE)]
                pub enum #name { #(#variants)* }
            }
        }
    }
}

/// `new(required fields…)`, the other fields at their default (or `None`); and `Default` when
/// nothing is required.
fn new_fn(name: &str, fields: &[Field]) -> TokenStream {
    let ident = format_ident!("{}", name);
    let required: Vec<&Field> = fields.iter().filter(|f| f.required).collect();
    let params = required.iter().map(|f| {
        let (id, _) = names::field(&f.rust, &f.json);
        if f.ty == Ty::String {
            quote!(#id: impl ::std::convert::Into<::std::string::String>)
        } else {
            let t = ty(&f.ty);
            quote!(#id: #t)
        }
    });
    let inits = fields.iter().map(|f| {
        let (id, _) = names::field(&f.rust, &f.json);
        if f.required {
            if f.ty == Ty::String { quote!(#id: #id.into(),) } else { quote!(#id,) }
        } else {
            let value = match &f.default {
                Some(init) => init_value(init, &f.ty),
                None => quote!(::std::option::Option::None),
            };
            quote!(#id: #value,)
        }
    });
    let names: Vec<String> = required.iter().map(|f| format!("`{}`", f.json)).collect();
    let d = if required.is_empty() {
        " A value with every field at its default (or unset).".to_string()
    } else {
        format!(" A value with its required fields ({}); the others at their default (or unset).", names.join(", "))
    };
    let default = required.is_empty().then(|| {
        quote! {
            impl ::std::default::Default for #ident {
                fn default() -> Self {
                    Self::new()
                }
            }
        }
    });
    quote! {
        impl #ident {
            #[doc = #d]
            pub fn new(#(#params),*) -> Self {
                Self { #(#inits)* }
            }
        }
        #default
    }
}

/// A default as the value of its (optional) field.
fn init_value(init: &Init, t: &Ty) -> TokenStream {
    let value = match init {
        Init::Text(s) => quote!(::std::string::String::from(#s)),
        Init::F64(n) => {
            let n = Literal::f64_suffixed(*n);
            quote!(#n)
        }
        Init::I64(n) => {
            let n = Literal::i64_suffixed(*n);
            quote!(#n)
        }
        Init::Bool(b) => quote!(#b),
        Init::Variant(v) => {
            let v = format_ident!("{}", v);
            let t = ty(t);
            quote!(#t::#v)
        }
        Init::Json(text) => {
            // The checks guarantee the default fits the type; reading it cannot fail, and if it
            // ever did the field would be unset (and the runtime would send the default), never
            // a panic.
            let t = ty(t);
            return quote!(::miniapp::serde_json::from_str::<#t>(#text).ok());
        }
    };
    quote!(::std::option::Option::Some(#value))
}
