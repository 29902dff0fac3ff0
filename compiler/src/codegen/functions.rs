//! The `Functions` trait: what a definition names but cannot define in Rust. App Functions
//! (docs/format.md §8.5) add their methods and argument types here; sync `compute` helpers add theirs
//! through [`Output::functions`].

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::{Output, SERDE, doc, ident, struct_fields};
use crate::ir::Ir;

/// The App Function methods and their argument types.
pub(super) fn emit(ir: &Ir, out: &mut Output) {
    out.functions.extend(ir.functions.iter().map(|f| {
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
    }));
    out.items.extend(ir.functions.iter().map(|f| {
        let name = format_ident!("{}", f.args_type);
        let fields = struct_fields(&f.params);
        let d = format!(" Arguments of the `{}` App Function.", f.json);
        quote! {
            #[doc = #d]
            #[derive(Clone, Debug, Default, PartialEq, ::miniapp::serde::Serialize, ::miniapp::serde::Deserialize)]
            #[serde(crate = #SERDE)]
            pub struct #name { #fields }
        }
    }));
}

/// The trait, when the definition names any function (App Functions or `compute` helpers).
pub(super) fn trait_item(out: &Output) -> TokenStream {
    if out.functions.is_empty() {
        return TokenStream::new();
    }
    let methods = &out.functions;
    quote! {
        /// The functions this definition names but cannot define in Rust: the App Functions its
        /// actions call and the `compute` helpers its sync mappings call. Implement this trait
        /// and pass it to [`Client::new`].
        pub trait Functions: ::std::marker::Send + ::std::marker::Sync + 'static {
            #(#methods)*
        }
    }
}
