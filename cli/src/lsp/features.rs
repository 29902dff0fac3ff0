//! What the server answers about a position: hovers, definitions, references, completions, and
//! the quick fixes of the diagnostics a client sends back.

use lsp_types as lsp;
use miniapp_compiler::facts::{Origin, Src};
use miniapp_compiler::source::{Node, Span};
use miniapp_compiler::{pointer, template};
use serde_json::Value;

use super::analysis::{Analysis, Lines};

/// A placeholder under the cursor: its bracket kind, name and span in the source.
struct Placeholder {
    stored: bool,
    name: String,
    span: Span,
}

/// The placeholder at `offset` in a string node, if any.
fn placeholder(node: &Node, offset: usize) -> Option<Placeholder> {
    let text = node.as_str()?;
    let (parsed, _) = template::parse(text);
    parsed.placeholders().find_map(|(scope, name, range)| {
        let span = node.sub_span(range);
        (span.start <= offset && offset <= span.end).then(|| Placeholder {
            stored: scope == template::Scope::Stored,
            name: name.to_string(),
            span,
        })
    })
}

fn markdown(value: String) -> lsp::Hover {
    lsp::Hover { contents: lsp::HoverContents::Markup(lsp::MarkupContent { kind: lsp::MarkupKind::Markdown, value }), range: None }
}

/// The action and step a pointer is in (`/actions/2/requests/1/...` → (2, 1)).
fn action_step(ptr: &str) -> Option<(usize, Option<usize>)> {
    let tokens: Vec<String> = pointer::tokens(ptr).collect();
    match tokens.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["actions", a, "requests", s, ..] => Some((a.parse().ok()?, s.parse().ok())),
        ["actions", a, ..] => Some((a.parse().ok()?, None)),
        _ => None,
    }
}

/// Where a placeholder's value is declared: `(pointer of the declaration, what it is)`.
fn declaration(a: &Analysis, ptr: &str, p: &Placeholder) -> Option<(String, String)> {
    let root = a.root.as_ref()?;
    let has = |at: &str| root.pointer(at).is_some();
    if !p.stored
        && let Some((action, step)) = action_step(ptr)
    {
        let param = format!("/actions/{action}/parameters/properties/{}", pointer::escape(&p.name));
        if has(&param) {
            return Some((param, format!("the parameter `{}` of the action", p.name)));
        }
        for earlier in 0..step.unwrap_or(0) {
            let base = format!("/actions/{action}/requests/{earlier}/mapping");
            let object = pointer::join(&base, &p.name);
            if has(&object) {
                return Some((object, format!("the output `{}` of step {}", p.name, earlier + 1)));
            }
            let items = root.pointer(&base).and_then(Node::as_array).unwrap_or_default();
            if let Some(i) = items.iter().position(|e| e.get("name").and_then(Node::as_str) == Some(p.name.as_str())) {
                return Some((format!("{base}/{i}/name"), format!("the output `{}` of step {}", p.name, earlier + 1)));
            }
        }
    }
    let places: [(&str, &str); 6] = [
        ("/auth/config", "an `auth.config` value"),
        ("/auth/form", "an install-form field"),
        ("/auth/get_token/mapping", "a token written by `get_token`"),
        ("/auth/refresh_token/mapping", "a token written by `refresh_token`"),
        ("/auth/userDetails/mapping", "metadata written by `userDetails`"),
        ("/auth/registrationRequests", "written by a registration request"),
    ];
    for (base, what) in places {
        if base == "/auth/registrationRequests" {
            let requests = root.pointer(base).and_then(Node::as_array).unwrap_or_default();
            if let Some(i) = requests.iter().position(|r| r.pointer(&format!("/mapping/{}", pointer::escape(&p.name))).is_some()) {
                return Some((format!("{base}/{i}/mapping/{}", pointer::escape(&p.name)), what.to_string()));
            }
            continue;
        }
        let at = pointer::join(base, &p.name);
        if has(&at) {
            return Some((at, what.to_string()));
        }
    }
    None
}

/// What a placeholder reads at run time, in one sentence.
fn source_of(a: &Analysis, ptr: &str, p: &Placeholder) -> String {
    let src = a.report.facts.as_ref().and_then(|f| f.template(ptr).ok()).and_then(|t| {
        t.parts.iter().find_map(|part| match part {
            miniapp_compiler::facts::Part::Ref { src, key, .. } if *key == p.name => Some(*src),
            _ => None,
        })
    });
    // Every place the key is stored from, in the store's order.
    let origins: Vec<String> = a
        .report
        .facts
        .iter()
        .flat_map(|f| &f.stored_keys)
        .filter(|k| k.name == p.name)
        .map(|k| match &k.origin {
            Origin::Config => "an `auth.config` value (the install's, else the definition's default)".to_string(),
            Origin::Form(label) => format!("the install form's field “{label}”"),
            Origin::GetToken => "written by `get_token` when the install connects".to_string(),
            Origin::Refresh => "written by `refresh_token` on each refresh".to_string(),
            Origin::Registration => "written by a registration request when the install connects".to_string(),
            Origin::Metadata => "metadata written by `userDetails`".to_string(),
        })
        .collect();
    let origin = (!origins.is_empty()).then(|| origins.join("; "));
    match (src, declaration(a, ptr, p)) {
        (Some(Src::System), _) => format!("a system value the platform supplies (`{}`)", p.name),
        (Some(Src::Var), Some((_, what))) => format!("{what}, at run time"),
        (Some(Src::Var), None) => "a variable of the call (a paging value, or an App Function's return)".to_string(),
        (Some(Src::Stored | Src::Config), _) | (None, _) if origin.is_some() => {
            format!("stored with the install: {}", origin.unwrap_or_default())
        }
        (_, Some((_, what))) => what,
        _ => "nothing the definition declares".to_string(),
    }
}

/// The Rust type a field-mapping transform gives its field.
fn transform_type(transform: &str) -> Option<&'static str> {
    Some(match transform {
        "toString" | "joinCodes" => "Option<String>",
        "toNumberOrNull" => "Option<f64>",
        "mapItems" => "Option<Vec<miniapp::sync::Item>> (a struct per item with samples)",
        "coalesce" => "Option<serde_json::Value> (the samples' type with samples)",
        "compute" => "Option<serde_json::Value> (what your `Functions` method returns)",
        _ => return None,
    })
}

pub fn hover(a: &Analysis, offset: usize) -> Option<lsp::Hover> {
    // On a diagnostic: its code's explanation.
    if let Some(d) = a.report.diagnostics.iter().find(|d| d.span.start <= offset && offset <= d.span.end) {
        let code = d.code;
        return Some(markdown(format!("**{}** {}\n\n{}\n\n*{}*", code.id, code.title, code.explanation.replace('\n', " "), code.rule)));
    }
    let (ptr, node, key) = a.at(offset)?;
    if key.is_some() {
        return None;
    }
    if let Some(p) = placeholder(node, offset) {
        let shown = if p.stored { format!("[[{}]]", p.name) } else { format!("{{{{{}}}}}", p.name) };
        let mut hover = markdown(format!("`{shown}` reads {}", source_of(a, &ptr, &p)));
        hover.range = Some(Lines::new(&a.text).range(p.span));
        return Some(hover);
    }
    if ptr.ends_with("/transform")
        && let Some(t) = node.as_str().and_then(transform_type)
    {
        return Some(markdown(format!("`{}` gives the field the type `{t}`", node.as_str().unwrap_or_default())));
    }
    let facts = a.report.facts.as_ref()?;
    if let Ok(steps) = facts.path(&ptr) {
        let path = miniapp_compiler::path::Path { rooted: true, steps: steps.to_vec() };
        return Some(markdown(match facts.observed(&ptr) {
            Some(o) => match &o.example {
                Some(example) => format!("`{path}` finds, in the samples: `{}`", example.to_string().chars().take(200).collect::<String>()),
                None => format!("`{path}` finds only `null`s or nothing in the samples"),
            },
            None => format!("`{path}`: no samples for it (see the Samples chapter of the format guide)"),
        }));
    }
    None
}

fn location(a: &Analysis, uri: &lsp::Uri, span: Span) -> lsp::Location {
    lsp::Location { uri: uri.clone(), range: Lines::new(&a.text).range(span) }
}

/// The span of the key of the member at `ptr`.
fn key_span(a: &Analysis, ptr: &str) -> Option<Span> {
    let (parent, last) = ptr.rsplit_once('/')?;
    let last = pointer::tokens(&format!("/{last}")).next()?;
    let parent = a.root.as_ref()?.pointer(parent)?;
    match parent.member(&last) {
        Some(m) => Some(m.key_span),
        None => parent.as_array().and_then(|items| items.get(last.parse::<usize>().ok()?)).map(|n| n.span),
    }
}

pub fn definition(a: &Analysis, uri: &lsp::Uri, offset: usize) -> Option<lsp::Location> {
    let (ptr, node, key) = a.at(offset)?;
    if key.is_none()
        && let Some(p) = placeholder(node, offset)
    {
        let (at, _) = declaration(a, &ptr, &p)?;
        return Some(location(a, uri, key_span(a, &at)?));
    }
    // A handler or an override names an event: its trigger.
    let event = key.filter(|_| ptr.starts_with("/sync/webhooks/handlers/") || ptr.contains("/overrides/")).map(|m| m.key.as_str())?;
    let triggers = a.root.as_ref()?.pointer("/triggers")?.as_array()?;
    triggers.iter().filter_map(|t| t.get("event")).find(|e| e.as_str() == Some(event)).map(|e| location(a, uri, e.span))
}

/// The places that name a trigger's event: handlers, overrides, and the trigger itself.
pub fn references(a: &Analysis, uri: &lsp::Uri, offset: usize) -> Vec<lsp::Location> {
    let Some((ptr, node, key)) = a.at(offset) else { return Vec::new() };
    let event = match key {
        Some(m) => m.key.clone(),
        None if ptr.starts_with("/triggers/") && ptr.ends_with("/event") => node.as_str().unwrap_or_default().to_string(),
        None => return Vec::new(),
    };
    let Some(root) = a.root.as_ref() else { return Vec::new() };
    let mut spans = Vec::new();
    for t in root.pointer("/triggers").and_then(Node::as_array).unwrap_or_default() {
        if let Some(e) = t.get("event").filter(|e| e.as_str() == Some(event.as_str())) {
            spans.push(e.span);
        }
    }
    for base in ["/sync/webhooks/handlers", "/webhook/transactionId/overrides", "/webhook/customerExtraction/overrides"] {
        if let Some(m) = root.pointer(base).and_then(|n| n.member(&event)) {
            spans.push(m.key_span);
        }
    }
    spans.into_iter().map(|s| location(a, uri, s)).collect()
}

/// The quick fixes of the diagnostics the client sends back (their edits ride in `data`).
pub fn code_actions(uri: &lsp::Uri, diagnostics: &[lsp::Diagnostic]) -> Vec<lsp::CodeActionOrCommand> {
    let mut actions = Vec::new();
    for d in diagnostics {
        let fixes = d.data.as_ref().and_then(|v| v.get("fixes")).and_then(Value::as_array).cloned().unwrap_or_default();
        for fix in fixes {
            let (Some(title), Some(range), Some(new_text)) = (
                fix.get("title").and_then(Value::as_str),
                fix.get("range").and_then(|r| serde_json::from_value::<lsp::Range>(r.clone()).ok()),
                fix.get("newText").and_then(Value::as_str),
            ) else {
                continue;
            };
            let edit = lsp::TextEdit { range, new_text: new_text.to_string() };
            actions.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title: title.to_string(),
                kind: Some(lsp::CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![d.clone()]),
                edit: Some(lsp::WorkspaceEdit { changes: Some([(uri.clone(), vec![edit])].into_iter().collect()), ..Default::default() }),
                is_preferred: Some(true),
                ..Default::default()
            }));
        }
    }
    actions
}

fn item(label: &str, detail: &str, kind: lsp::CompletionItemKind) -> lsp::CompletionItem {
    lsp::CompletionItem { label: label.to_string(), detail: Some(detail.to_string()), kind: Some(kind), ..Default::default() }
}

/// Completions: the placeholders a template can read there, in the resolver's order (an
/// action's parameters, earlier outputs, system values, stored keys), and the values of
/// enum-like fields.
pub fn completion(a: &Analysis, offset: usize) -> Vec<lsp::CompletionItem> {
    let Some((ptr, node, key)) = a.at(offset) else { return Vec::new() };
    if key.is_some() {
        return Vec::new();
    }
    let before = a.text.get(node.span.start..offset).unwrap_or_default();
    let last = |open: &str| before.rfind(open).filter(|&i| !before[i..].contains(if open == "{{" { "}}" } else { "]]" }));
    let root = a.root.as_ref();
    let keys = |at: &str| -> Vec<String> {
        root.and_then(|r| r.pointer(at)).and_then(Node::as_object).unwrap_or_default().iter().map(|m| m.key.clone()).collect()
    };
    if last("[[").is_some_and(|i| last("{{").is_none_or(|j| i > j)) {
        let mut stored: Vec<&str> = Vec::new();
        for k in a.report.facts.iter().flat_map(|f| &f.stored_keys) {
            if !stored.contains(&k.name.as_str()) {
                stored.push(&k.name);
            }
        }
        return stored.into_iter().map(|k| item(k, "stored with the install", lsp::CompletionItemKind::VARIABLE)).collect();
    }
    if last("{{").is_some() {
        let mut items = Vec::new();
        if let Some((action, step)) = action_step(&ptr) {
            items.extend(
                keys(&format!("/actions/{action}/parameters/properties"))
                    .iter()
                    .map(|k| item(k, "parameter", lsp::CompletionItemKind::FIELD)),
            );
            for earlier in 0..step.unwrap_or(0) {
                let base = format!("/actions/{action}/requests/{earlier}/mapping");
                let detail = format!("output of step {}", earlier + 1);
                items.extend(keys(&base).iter().map(|k| item(k, &detail, lsp::CompletionItemKind::VALUE)));
                let names = root.and_then(|r| r.pointer(&base)).and_then(Node::as_array).unwrap_or_default();
                items
                    .extend(names.iter().filter_map(|e| e.get("name")?.as_str()).map(|k| item(k, &detail, lsp::CompletionItemKind::VALUE)));
            }
        }
        items.extend(["webhookUrl", "subdomain", "uid"].iter().map(|k| item(k, "system value", lsp::CompletionItemKind::CONSTANT)));
        if ptr.starts_with("/auth/") {
            items.extend(keys("/auth/config").iter().map(|k| item(k, "auth.config", lsp::CompletionItemKind::PROPERTY)));
            items.extend(["code", "redirect_uri"].iter().map(|k| item(k, "system value (auth)", lsp::CompletionItemKind::CONSTANT)));
        }
        items.extend(keys("/auth/form").iter().map(|k| item(k, "install form", lsp::CompletionItemKind::PROPERTY)));
        items.extend(keys("/auth/userDetails/mapping").iter().map(|k| item(k, "metadata", lsp::CompletionItemKind::PROPERTY)));
        return items;
    }
    let values: &[&str] = match ptr.rsplit('/').next().unwrap_or_default() {
        "transform" => &["toString", "toNumberOrNull", "coalesce", "compute", "mapItems", "joinCodes"],
        "source" => &["header", "query", "body"],
        "bodyType" => &["json", "x-www-form-urlencoded", "formData"],
        "method" => &["GET", "POST", "PUT", "PATCH", "DELETE"],
        "style" => &["page", "offset", "cursor", "link"],
        "operation" => &["create", "update", "upsert"],
        "type" if ptr == "/auth/type" => &["bearer_token", "apikey", "oauth2"],
        "type" if ptr == "/webhook/verification/type" => &["hmac-sha256", "hmac-sha1", "header-token", "none"],
        "type" => &["string", "number", "integer", "boolean", "array", "object"],
        _ => &[],
    };
    values.iter().map(|v| item(v, "value", lsp::CompletionItemKind::ENUM_MEMBER)).collect()
}
