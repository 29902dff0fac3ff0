//! Writing generated code out: one formatted module per definition ([`format()`], items in a fixed
//! order, prettyplease), the build-script front end ([`Generator`]) and the crate
//! `miniapp generate --crate` writes ([`scaffold`]).

mod generator;
pub mod scaffold;

pub use generator::{GenerateError, Generator, module_name};

use crate::ir::Ir;

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
    let mut file: syn::File = syn::parse2(crate::codegen::tokens(ir)).map_err(|e| format!("generated code does not parse: {e}"))?;
    syn::visit_mut::VisitMut::visit_file_mut(&mut SafeDocs, &mut file);
    Ok(prettyplease::unparse(&file))
}
