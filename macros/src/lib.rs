//! The `miniapp!{ ... }` and `include_miniapp!("path.json")` macros: thin front ends over
//! `miniapp-compiler`. They check the definition at compile time, turn every diagnostic into a
//! `compile_error!`, and expand to the generated connector items. Use them through the `miniapp`
//! crate (feature `macros`, on by default).

use std::path::{Path, PathBuf};

use miniapp_compiler::{Diagnostic, Options, Report, Severity};
use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};
use quote::quote;
use syn::parse::{Parse, ParseStream};
use syn::{Ident, LitStr, Token};

/// Expands to the typed connector generated from a definition file.
///
/// ```ignore
/// mod acme_shop {
///     miniapp::include_miniapp!("definitions/acme-shop.json");
/// }
/// ```
///
/// The path resolves against `CARGO_MANIFEST_DIR` (falling back to the directory of the file that
/// calls the macro). Every error in the definition is a separate compile error whose message
/// carries `file:line:col`, the source line and a caret. Every warning is a compiler warning at
/// the macro call (`use of deprecated constant `W0305`: ...`, under the `deprecated` lint); it
/// fails the build only with `deny_warnings`: `include_miniapp!("x.json", deny_warnings)` (or
/// with `#![deny(warnings)]`). Cargo rebuilds when the file changes.
///
/// Samples of the provider's data check the definition's paths and type its outputs and records:
/// the definition's `<name>.samples/` folder when it exists, or the folder given with
/// `include_miniapp!("x.json", samples = "x.samples")` (resolved like the path). Cargo rebuilds
/// when a sample changes.
#[proc_macro]
pub fn include_miniapp(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    let caller = input.clone().into_iter().next().and_then(|t| t.span().local_file());
    match syn::parse::<IncludeArgs>(input) {
        Ok(args) => expand_include(&args, caller.as_deref()).into(),
        Err(e) => e.to_compile_error().into(),
    }
}

/// Expands to the typed connector generated from a definition written inline as JSON.
///
/// ```ignore
/// mod chatly {
///     miniapp::miniapp! {
///         "ns": "chatly",
///         "name": "chatly",
///         // ... the rest of the definition, as JSON
///     }
/// }
/// ```
///
/// Diagnostics point at the offending token; warnings are compiler warnings there (see
/// [`include_miniapp!`]). A samples folder may lead the definition, `miniapp! { samples =
/// "chatly.samples"; "ns": "chatly", … }` (relative to `CARGO_MANIFEST_DIR`). Tokens that are not JSON (single quotes, raw or byte
/// strings, suffixed or non-decimal numbers, bare words other than `true`, `false` and `null`,
/// parentheses) are errors.
#[proc_macro]
pub fn miniapp(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    expand_inline(input.into()).into()
}

struct IncludeArgs {
    path: LitStr,
    deny_warnings: bool,
    samples: Option<LitStr>,
}

impl Parse for IncludeArgs {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let path: LitStr = input.parse()?;
        let mut deny_warnings = false;
        let mut samples = None;
        while input.parse::<Option<Token![,]>>()?.is_some() {
            if input.is_empty() {
                break;
            }
            let option: Ident = input.parse()?;
            match option.to_string().as_str() {
                "deny_warnings" => deny_warnings = true,
                "samples" => {
                    input.parse::<Token![=]>()?;
                    samples = Some(input.parse()?);
                }
                other => {
                    return Err(syn::Error::new(
                        option.span(),
                        format!("unknown option `{other}` (expected `deny_warnings` or `samples = \"DIR\"`)"),
                    ));
                }
            }
        }
        Ok(IncludeArgs { path, deny_warnings, samples })
    }
}

/// The diagnostics that fail the build, and the ones that are warnings.
fn split(report: &Report, deny_warnings: bool) -> (Vec<&Diagnostic>, Vec<&Diagnostic>) {
    report.diagnostics.iter().partition(|d| d.severity == Severity::Error || deny_warnings)
}

/// A compiler warning at `span`. Stable Rust gives procedural macros no way to warn, so the
/// expansion defines a deprecated constant named after the code and uses it at once: rustc
/// reports `use of deprecated constant `W0305`: <message>` at the span, under the `deprecated`
/// lint (so `#![deny(warnings)]` makes it an error, and `#[allow(deprecated)]` silences it).
fn warning(d: &Diagnostic, message: &str, span: Span) -> TokenStream {
    let name = Ident::new(d.code.id, span);
    quote::quote_spanned! {span=>
        const _: () = {
            #[deprecated(note = #message)]
            #[allow(non_upper_case_globals)]
            const #name: () = ();
            #name
        };
    }
}

/// A path relative to `CARGO_MANIFEST_DIR`, else to the calling file's directory: the first that
/// is a file (`what` = "definition") or a folder.
fn resolve(rel: &str, caller: Option<&Path>, what: &str) -> Result<PathBuf, String> {
    let path = Path::new(rel);
    if path.is_absolute() {
        return Ok(path.to_path_buf());
    }
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from).unwrap_or_default();
    let mut tried = vec![manifest.join(path)];
    if let Some(dir) = caller.and_then(Path::parent) {
        tried.push(dir.join(path));
    }
    let fits = |p: &PathBuf| if what == "definition" { p.is_file() } else { p.is_dir() };
    match tried.iter().find(|p| fits(p)) {
        Some(found) => Ok(found.clone()),
        None => Err(format!(
            "cannot find the {what} `{rel}` (looked in {})",
            tried.iter().map(|p| format!("`{}`", p.display())).collect::<Vec<_>>().join(" and ")
        )),
    }
}

/// The options for a definition at `definition` (none for an inline one): its samples, read from
/// `explicit` or the conventional folder, and `include_bytes!` of each sample file so that cargo
/// rebuilds when one changes.
fn samples_options(definition: Option<&Path>, explicit: Option<&Path>) -> Result<(Options, TokenStream), String> {
    let samples = match (definition, explicit) {
        (Some(definition), explicit) => miniapp_compiler::samples::for_definition(definition, explicit)?,
        (None, Some(dir)) => Some(
            miniapp_compiler::samples::Samples::load(dir)
                .map_err(|e| format!("cannot read the samples folder `{}`: {e}", dir.display()))?,
        ),
        (None, None) => None,
    };
    let track = samples.iter().flat_map(|s| &s.files).map(|f| {
        let f = f.to_string_lossy().into_owned();
        quote!(
            const _: &[u8] = ::core::include_bytes!(#f);
        )
    });
    let track = quote!(#(#track)*);
    Ok((Options { samples: samples.map(std::sync::Arc::new), ..Options::default() }, track))
}

fn expand_include(args: &IncludeArgs, caller: Option<&Path>) -> TokenStream {
    let rel = args.path.value();
    let span = args.path.span();
    let path = match resolve(&rel, caller, "definition") {
        Ok(path) => path,
        Err(message) => return syn::Error::new(span, message).to_compile_error(),
    };
    let explicit = match &args.samples {
        Some(dir) => match resolve(&dir.value(), caller, "samples folder") {
            Ok(dir) => Some(dir),
            Err(message) => return syn::Error::new(dir.span(), message).to_compile_error(),
        },
        None => None,
    };
    let (options, track_samples) = match samples_options(Some(&path), explicit.as_deref()) {
        Ok(found) => found,
        Err(message) => return syn::Error::new(args.samples.as_ref().map_or(span, LitStr::span), message).to_compile_error(),
    };
    let shown = path.to_string_lossy().into_owned();
    // Makes cargo rebuild when the definition changes.
    let track = quote!(
        const _: &[u8] = ::core::include_bytes!(#shown);
    );
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) => return syn::Error::new(span, format!("cannot read `{rel}`: {e}")).to_compile_error(),
    };
    let (report, code) = match miniapp_compiler::generate(&bytes, &options) {
        Ok(generated) => (generated.report, Some(generated.code)),
        Err(report) => (report, None),
    };
    let (errors, warnings) = split(&report, args.deny_warnings);
    let mut out = track;
    out.extend(track_samples);
    let render = |d: &Diagnostic| retitle(&miniapp_compiler::render::diagnostic(d, &report.text, &rel, false), d);
    for d in &warnings {
        out.extend(warning(d, &render(d), span));
    }
    for d in &errors {
        out.extend(syn::Error::new(span, render(d)).to_compile_error());
    }
    if errors.is_empty() {
        out.extend(
            code.unwrap_or_default().parse::<TokenStream>().unwrap_or_else(|e| syn::Error::new(span, e.to_string()).to_compile_error()),
        );
    }
    out
}

/// The rendered diagnostic without its leading `error`/`warning` word, which `compile_error!`
/// already prints: `[E0405] ...` followed by the location, the snippet and the help lines.
fn retitle(rendered: &str, d: &Diagnostic) -> String {
    let (_, rest) = rendered.split_once(&format!("[{}]: ", d.code.id)).unwrap_or(("", rendered));
    format!("[{}] {rest}", d.code.id)
}

/// A JSON text built from tokens, remembering which token produced which bytes.
struct Json {
    text: String,
    spans: Vec<(usize, usize, Span)>,
}

impl Json {
    fn push(&mut self, s: &str, span: Span) {
        let start = self.text.len();
        self.text.push_str(s);
        self.spans.push((start, self.text.len(), span));
    }

    /// The span of the token at (or before) byte `at`.
    fn span_at(&self, at: usize) -> Span {
        self.spans.iter().rev().find(|(start, _, _)| *start <= at).or(self.spans.first()).map_or_else(Span::call_site, |(_, _, s)| *s)
    }

    fn tokens(&mut self, tokens: TokenStream) -> syn::Result<()> {
        for token in tokens {
            match token {
                TokenTree::Group(g) => {
                    let (open, close) = match g.delimiter() {
                        Delimiter::Brace => ("{", "}"),
                        Delimiter::Bracket => ("[", "]"),
                        Delimiter::None => {
                            self.tokens(g.stream())?;
                            continue;
                        }
                        Delimiter::Parenthesis => return Err(syn::Error::new(g.span(), "parentheses are not JSON")),
                    };
                    self.push(open, g.span_open());
                    self.tokens(g.stream())?;
                    self.push(close, g.span_close());
                }
                TokenTree::Punct(p) => match p.as_char() {
                    c @ (':' | ',' | '-') => self.push(&c.to_string(), p.span()),
                    c => return Err(syn::Error::new(p.span(), format!("`{c}` is not JSON"))),
                },
                TokenTree::Ident(i) => match i.to_string().as_str() {
                    word @ ("true" | "false" | "null") => self.push(word, i.span()),
                    word => return Err(syn::Error::new(i.span(), format!("`{word}` is not JSON: strings need double quotes"))),
                },
                TokenTree::Literal(l) => {
                    let span = l.span();
                    match syn::Lit::new(l) {
                        syn::Lit::Str(s) if s.suffix().is_empty() && s.token().to_string().starts_with('"') => {
                            let text = serde_json::Value::String(s.value()).to_string();
                            self.push(&text, span);
                        }
                        syn::Lit::Str(_) => {
                            return Err(syn::Error::new(span, "raw or suffixed strings are not JSON: write a plain \"string\""));
                        }
                        syn::Lit::Int(n) if n.suffix().is_empty() && is_json_number(&n.to_string()) => self.push(&n.to_string(), span),
                        syn::Lit::Float(n) if n.suffix().is_empty() && is_json_number(&n.to_string()) => self.push(&n.to_string(), span),
                        syn::Lit::Int(n) => return Err(syn::Error::new(span, format!("`{n}` is not a JSON number"))),
                        syn::Lit::Float(n) => return Err(syn::Error::new(span, format!("`{n}` is not a JSON number"))),
                        syn::Lit::Char(_) => return Err(syn::Error::new(span, "single quotes are not JSON: write a \"string\"")),
                        _ => return Err(syn::Error::new(span, "this literal is not JSON")),
                    }
                }
            }
        }
        Ok(())
    }
}

fn is_json_number(text: &str) -> bool {
    serde_json::from_str::<serde_json::Number>(text).is_ok()
}

/// A leading `samples = "DIR";` of `miniapp!`, and the tokens after it.
fn inline_samples(input: TokenStream) -> syn::Result<(Option<LitStr>, TokenStream)> {
    let tokens: Vec<TokenTree> = input.clone().into_iter().collect();
    match tokens.as_slice() {
        [TokenTree::Ident(i), TokenTree::Punct(eq), TokenTree::Literal(l), rest @ ..] if i == "samples" && eq.as_char() == '=' => {
            let dir = syn::parse2::<LitStr>(TokenTree::Literal(l.clone()).into())?;
            let rest = match rest {
                [TokenTree::Punct(p), rest @ ..] if matches!(p.as_char(), ';' | ',') => rest,
                _ => return Err(syn::Error::new(l.span(), "end the samples option with `;` before the definition")),
            };
            Ok((Some(dir), rest.iter().cloned().collect()))
        }
        _ => Ok((None, input)),
    }
}

fn expand_inline(input: TokenStream) -> TokenStream {
    let (samples, input) = match inline_samples(input) {
        Ok(split) => split,
        Err(e) => return e.to_compile_error(),
    };
    let explicit = match &samples {
        Some(dir) => match resolve(&dir.value(), None, "samples folder") {
            Ok(dir) => Some(dir),
            Err(message) => return syn::Error::new(dir.span(), message).to_compile_error(),
        },
        None => None,
    };
    let (options, track_samples) = match samples_options(None, explicit.as_deref()) {
        Ok(found) => found,
        Err(message) => return syn::Error::new(Span::call_site(), message).to_compile_error(),
    };
    let mut json = Json { text: String::new(), spans: Vec::new() };
    let mut tokens = input.clone().into_iter();
    let whole_object = matches!((tokens.next(), tokens.next()), (Some(TokenTree::Group(g)), None) if g.delimiter() == Delimiter::Brace);
    let converted = if whole_object {
        json.tokens(input)
    } else {
        json.push("{", Span::call_site());
        let r = json.tokens(input);
        // No span for the closing brace: an error there (e.g. a trailing comma) points at the
        // token before it.
        json.text.push('}');
        r
    };
    if let Err(e) = converted {
        return e.to_compile_error();
    }
    let (report, code) = match miniapp_compiler::generate(json.text.as_bytes(), &options) {
        Ok(generated) => (generated.report, Some(generated.code)),
        Err(report) => (report, None),
    };
    let (errors, warnings) = split(&report, false);
    let render = |d: &Diagnostic| {
        let mut message = format!("[{}] {}", d.code.id, d.message);
        for help in &d.help {
            message.push_str(&format!("\nhelp: {help}"));
        }
        for note in &d.notes {
            message.push_str(&format!("\nnote: {note}"));
        }
        if !d.pointer.is_empty() {
            message.push_str(&format!("\nnote: at {}", d.pointer));
        }
        message
    };
    let mut out = track_samples;
    for d in &warnings {
        out.extend(warning(d, &render(d), json.span_at(d.span.start)));
    }
    for d in &errors {
        out.extend(syn::Error::new(json.span_at(d.span.start), render(d)).to_compile_error());
    }
    if errors.is_empty() {
        out.extend(
            code.unwrap_or_default()
                .parse::<TokenStream>()
                .unwrap_or_else(|e| syn::Error::new(Span::call_site(), e.to_string()).to_compile_error()),
        );
    }
    out
}
