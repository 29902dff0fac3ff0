//! The sources emitter (docs/format.md §12): per RPC-backed dropdown, its client method and its
//! descriptor, emitted together.

use quote::{format_ident, quote};

use super::{Output, ident, path, request};
use crate::ir::Ir;

pub(super) fn emit(ir: &Ir, out: &mut Output) {
    for s in &ir.sources {
        let m = ident(&s.method);
        let name = format_ident!("{}", s.request.static_name);
        let d = format!(" Options of the `{}` dropdown source.", s.json);
        out.methods.push(quote! {
            #[doc = #d]
            pub async fn #m(&self) -> ::std::result::Result<::std::vec::Vec<::miniapp::SourceOption>, ::miniapp::Error> {
                self.engine.source(&requests::#name).await
            }
        });
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
        let d = format!(" `{}`: {}", s.request.label, s.request.summary());
        out.statics.push(quote! {
            #[doc = #d]
            pub(super) static #name: SourceTemplate = SourceTemplate { request: #req, data: #data, value: #value, label: #label };
        });
    }
}
