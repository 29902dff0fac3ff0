//! Samples (docs/format.md §17): every path that reads provider data is resolved against the
//! samples of what it reads; what the paths find is kept ([`Observed`]) for typing outputs and
//! records.
//!
//! Which samples a path reads is decided by where it is written (its pointer): an action step's
//! mapping reads that step's responses, `apiMapping` the records of the list pages (or the details
//! responses, with `expandDetails`) and of the deliveries of the shape-B handlers that use it, a
//! handler its event's deliveries, the webhook block every delivery, a source its responses, the
//! auth mappings the token and user-details responses.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{Ctx, items, members, ptr};
use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::facts::Observed;
use crate::path::Step;
use crate::pointer;
use crate::samples::shape::Shape;
use crate::samples::walk::{self, Walk};
use crate::samples::{FileProblem, Samples, Target};
use crate::source::Node;

/// A value a path is walked from: a sample, or a part of one.
struct Root<'s> {
    file: &'s str,
    value: &'s Value,
    /// What the value is, for messages: "the sample", "the record".
    what: &'static str,
}

/// Rules of §17: sample files fit the layout and the definition; every path finds something in
/// its samples; transforms fit what they find.
pub fn paths(cx: &Ctx<'_>, out: &mut Vec<Diagnostic>) {
    let Some(samples) = cx.options.samples.as_deref() else {
        return;
    };
    files(cx, samples, out);
    let paths = cx.paths.borrow().clone();
    let mut observed = BTreeMap::new();
    for (at, steps) in &paths {
        let roots = roots(cx, samples, &paths, at);
        if roots.is_empty() {
            continue;
        }
        let mut shape: Option<Shape> = None;
        let mut example = None;
        let mut found = Vec::new();
        let mut unsure = false;
        let mut miss: Option<(usize, &Value, &Root<'_>)> = None;
        for root in &roots {
            let seen = match walk::walk(root.value, steps) {
                Walk::Found(v) => {
                    if !v.is_null() {
                        example.get_or_insert_with(|| v.clone());
                    }
                    found.push((v, root.file));
                    Shape::of(v)
                }
                Walk::Unsure => {
                    unsure = true;
                    Shape::absent()
                }
                Walk::Miss { matched, at: value } => {
                    if miss.is_none_or(|(m, _, _)| matched > m) {
                        miss = Some((matched, value, root));
                    }
                    Shape::absent()
                }
            };
            shape = Some(match shape {
                Some(s) => s.unify(seen),
                None => seen,
            });
        }
        let Some(node) = cx.at(at) else { continue };
        if let (true, false, Some((matched, value, root))) = (found.is_empty(), unsure, miss) {
            out.push(nothing_found(node, at, steps, matched, value, root, &samples.dir));
        }
        transform_fits(cx, at, node, &found, out);
        if let Some(shape) = shape {
            observed.insert(at.clone(), Observed { shape, example });
        }
    }
    cx.observed.replace(observed);
}

/// W0901: where and why the path stops matching, the key the sample has there, the sample.
fn nothing_found(node: &Node, at: &str, steps: &[Step], matched: usize, value: &Value, root: &Root<'_>, dir: &str) -> Diagnostic {
    let text = node.as_str().unwrap_or_default();
    let rooted = text.starts_with('$');
    let (why, fix) = walk::explain_miss(steps, matched, value, rooted, root.what);
    let file = root.file;
    let span = match walk::step_ranges(text).get(matched) {
        Some(range) if crate::path::parse(text).is_ok() => node.sub_span(range.clone()),
        _ => node.span,
    };
    let d = Diagnostic::new(codes::W0901, format!("`{text}` finds nothing in the samples: {why}"), at, span);
    let d = match fix {
        Some(fixed) => {
            let fixed = walk::display(&fixed, rooted);
            d.with_help(format!("did you mean `{fixed}`?")).with_fix(format!("Replace with `{fixed}`"), node.span, text, fixed)
        }
        None => d.with_help("point the path at a value the provider sends, or add a sample that has it"),
    };
    d.with_note(format!("sample: `{dir}/{file}`"))
}

/// W0902: a field-mapping transform that cannot apply to what its path finds.
fn transform_fits(cx: &Ctx<'_>, at: &str, node: &Node, found: &[(&Value, &str)], out: &mut Vec<Diagnostic>) {
    // Transforms are field-mapping rules of the sync block: the rule of a path at `…/path` or
    // `…/paths/<i>`.
    let tokens: Vec<String> = pointer::tokens(at).collect();
    let rule_ptr = match tokens.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["sync", .., "path"] => pointer::from_tokens(&tokens[..tokens.len() - 1]),
        ["sync", .., "paths", _] => pointer::from_tokens(&tokens[..tokens.len() - 2]),
        _ => return,
    };
    let rule = cx.at(&rule_ptr);
    let Some(transform) = rule.and_then(|r| r.get("transform")).and_then(Node::as_str) else {
        return;
    };
    for (value, file) in found {
        let problem = match (transform, value) {
            ("toNumberOrNull", Value::Number(_)) => None,
            ("toNumberOrNull", Value::String(s)) if s.trim().parse::<f64>().is_ok() => None,
            ("toNumberOrNull", Value::String(_)) => Some("a string that is not a number, so the field is always `null`"),
            ("toNumberOrNull", _) => Some("not a number, so the field is always `null`"),
            ("toString", Value::Object(_) | Value::Array(_)) => Some("not a string or a number, so the record is an error"),
            ("mapItems", Value::Array(items)) if items.iter().all(Value::is_object) => None,
            ("mapItems", _) => Some("not an array of objects, so the record is an error"),
            ("joinCodes", Value::Array(items)) if items.iter().all(is_code) => None,
            ("joinCodes", v) if is_code(v) => None,
            ("joinCodes", _) => Some("not codes (strings, numbers or objects with a `code`), so the record is an error"),
            _ => None,
        };
        if let Some(problem) = problem {
            let text = node.as_str().unwrap_or_default();
            out.push(
                Diagnostic::new(
                    codes::W0902,
                    format!("`{transform}` cannot apply to `{text}`: it is {} in the samples, {problem}", walk::kind(value)),
                    at,
                    node.span,
                )
                .with_help(format!("point the path at the value `{transform}` is for, or change the transform"))
                .with_note(format!(
                    "sample: `{}/{file}`, where it is {}",
                    cx.options.samples.as_deref().map_or("", |s| s.dir.as_str()),
                    walk::example(value)
                )),
            );
            return;
        }
    }
}

fn is_code(v: &Value) -> bool {
    match v {
        Value::String(_) | Value::Number(_) => true,
        Value::Object(o) => o.get("code").is_some_and(|c| c.is_string() || c.is_number()),
        _ => false,
    }
}

/// The samples (or parts of samples) the path at `at` reads; empty when it reads none.
fn roots<'s>(cx: &Ctx<'_>, samples: &'s Samples, paths: &BTreeMap<String, Vec<Step>>, at: &str) -> Vec<Root<'s>> {
    let tokens: Vec<String> = pointer::tokens(at).collect();
    let t: Vec<&str> = tokens.iter().map(String::as_str).collect();
    let whole =
        |target: Target| samples.of(target).map(|s| Root { file: &s.file, value: &s.value, what: "the sample" }).collect::<Vec<_>>();
    let path_of = |p: &str| paths.get(p).map(Vec::as_slice).unwrap_or_default();
    match t.as_slice() {
        ["actions", a, "requests", s, "mapping", ..] => {
            let (Some(action), Some(step)) = (action_name(cx, a), pointer::index(s)) else { return Vec::new() };
            whole(Target::ActionStep { action, step: step + 1 })
        }
        ["auth", "get_token", "mapping", ..] => whole(Target::GetToken),
        ["auth", "userDetails", "mapping", ..] => whole(Target::UserDetails),
        ["source", key, "dataPath"] => whole(Target::Source(key.to_string())),
        ["source", key, "valueField" | "labelField" | "valueFields", ..] => {
            let data = path_of(&ptr(&["source", key, "dataPath"]));
            elements(whole(Target::Source(key.to_string())), data, "the option")
        }
        ["sync", "resources", r, "responseMapping", _] => whole(Target::SyncList(r.to_string())),
        ["sync", "resources", r, "apiMapping", ..] => {
            let expand = cx.at(&ptr(&["sync", "resources", r, "expandDetails"])).and_then(Node::as_bool) == Some(true);
            let mut roots = if expand {
                whole(Target::SyncDetails(r.to_string())).into_iter().map(|root| Root { what: "the record", ..root }).collect()
            } else {
                let data = path_of(&ptr(&["sync", "resources", r, "responseMapping", "dataProperty"]));
                elements(whole(Target::SyncList(r.to_string())), data, "the record")
            };
            // Shape-B handlers map their record with this mapping.
            for h in members(cx.at("/sync/webhooks/handlers")) {
                if h.value.get("resource").and_then(Node::as_str) == Some(*r) {
                    let data = path_of(&ptr(&["sync", "webhooks", "handlers", &h.key, "dataPath"]));
                    roots.extend(at_path(whole(Target::Webhook(h.key.clone())), data, "the record"));
                }
            }
            roots
        }
        ["sync", "webhooks", "handlers", event, ..] => whole(Target::Webhook(event.to_string())),
        ["webhook", "transactionId", "overrides", event, ..] => whole(Target::Webhook(event.to_string())),
        ["webhook", "customerExtraction", "overrides", event, "basePath"] => whole(Target::Webhook(event.to_string())),
        ["webhook", "customerExtraction", "basePath"] => samples
            .webhooks()
            .filter(|s| !has_customer_override(cx, &s.target))
            .map(|s| Root { file: &s.file, value: &s.value, what: "the sample" })
            .collect(),
        ["webhook", "customerExtraction", "mapping", _] => samples
            .webhooks()
            .flat_map(|s| {
                let base = match &s.target {
                    Target::Webhook(e) if has_customer_override(cx, &s.target) => {
                        path_of(&ptr(&["webhook", "customerExtraction", "overrides", e, "basePath"]))
                    }
                    _ => path_of("/webhook/customerExtraction/basePath"),
                };
                at_path(vec![Root { file: &s.file, value: &s.value, what: "the sample" }], base, "the customer object")
            })
            .collect(),
        ["webhook", "challengeResponse", ..] => whole(Target::Challenge),
        ["webhook", ..] => samples.webhooks().map(|s| Root { file: &s.file, value: &s.value, what: "the sample" }).collect(),
        _ => Vec::new(),
    }
}

fn has_customer_override(cx: &Ctx<'_>, target: &Target) -> bool {
    matches!(target, Target::Webhook(e) if cx.at(&ptr(&["webhook", "customerExtraction", "overrides", e, "basePath"])).is_some())
}

fn action_name(cx: &Ctx<'_>, index: &str) -> Option<String> {
    cx.at(&format!("/actions/{index}/name")).and_then(Node::as_str).map(str::to_string)
}

/// The values at `steps` in each root (roots where it finds nothing are left out: the path that
/// leads there is reported on its own).
fn at_path<'s>(roots: Vec<Root<'s>>, steps: &[Step], what: &'static str) -> Vec<Root<'s>> {
    roots
        .into_iter()
        .filter_map(|r| match walk::walk(r.value, steps) {
            Walk::Found(value) => Some(Root { file: r.file, value, what }),
            _ => None,
        })
        .collect()
}

/// The items of the array at `steps` in each root: the records of a list page, the options of a
/// source.
fn elements<'s>(roots: Vec<Root<'s>>, steps: &[Step], what: &'static str) -> Vec<Root<'s>> {
    at_path(roots, steps, what)
        .into_iter()
        .flat_map(|r| r.value.as_array().into_iter().flatten().map(move |value| Root { file: r.file, value, what }))
        .collect()
}

/// W0903 and E0904: files the layout does not know, names the definition does not have, files
/// that are not JSON.
fn files(cx: &Ctx<'_>, samples: &Samples, out: &mut Vec<Diagnostic>) {
    let root_span = super::brace(cx.root);
    let dir = &samples.dir;
    for problem in &samples.problems {
        out.push(match problem {
            FileProblem::Unknown { file } => Diagnostic::new(
                codes::W0903,
                format!("samples file `{file}` is not part of the samples layout, so nothing is checked against it"),
                "",
                root_span,
            )
            .with_help("samples go in `webhooks/<event>.json`, `actions/<action>/<step>.json`, `sync/<resource>/list.json` or `details.json`, `sources/<key>.json`, `auth/get_token.json` or `auth/user_details.json` (or a folder of `.json` files in place of any)")
            .with_note(format!("samples folder: `{dir}`")),
            FileProblem::NotJson { file, line, column, message } => Diagnostic::new(
                codes::E0904,
                format!("samples file `{file}` is not JSON: {message} at line {line}, column {column}"),
                "",
                root_span,
            )
            .with_help("fix the sample (one JSON document, UTF-8), or remove it")
            .with_note(format!("samples folder: `{dir}`")),
        });
    }
    let events: Vec<&str> = cx.declared_events().into_iter().collect();
    let actions: Vec<(&str, usize)> =
        items(cx.at("/actions")).filter_map(|(_, a)| Some((a.get("name")?.as_str()?, items(a.get("requests")).count()))).collect();
    let resources: Vec<&str> = members(cx.at("/sync/resources")).map(|m| m.key.as_str()).collect();
    let sources: Vec<&str> = members(cx.at("/source")).map(|m| m.key.as_str()).collect();
    let mut reported: Vec<&str> = Vec::new();
    for s in &samples.samples {
        let (what, name, known): (&str, &str, Vec<&str>) = match &s.target {
            Target::Webhook(e) => ("event", e, events.clone()),
            Target::ActionStep { action, step } => match actions.iter().find(|(a, _)| a == action) {
                Some((_, steps)) if step <= steps => continue,
                Some((_, steps)) => {
                    let message = format!("samples file `{}` is for step {step} of `{action}`, which has {steps} step(s)", s.file);
                    out.push(unknown(message, root_span, dir));
                    continue;
                }
                None => ("action", action, actions.iter().map(|(a, _)| *a).collect()),
            },
            Target::SyncList(r) | Target::SyncDetails(r) => ("sync resource", r, resources.clone()),
            Target::Source(k) => ("source", k, sources.clone()),
            Target::Challenge => {
                if cx.at("/webhook/challengeResponse").is_none() {
                    let message = format!("samples file `{}` is a challenge, but the webhook has no `challengeResponse`", s.file);
                    out.push(unknown(message, root_span, dir));
                }
                continue;
            }
            Target::GetToken => {
                ("request", "auth.get_token", if cx.at("/auth/get_token").is_some() { vec!["auth.get_token"] } else { vec![] })
            }
            Target::UserDetails => {
                ("request", "auth.userDetails", if cx.at("/auth/userDetails").is_some() { vec!["auth.userDetails"] } else { vec![] })
            }
        };
        if known.contains(&name) || reported.contains(&s.file.as_str()) {
            continue;
        }
        reported.push(&s.file);
        let message = format!("samples file `{}` is for {what} `{name}`, which the definition does not have", s.file);
        out.push(unknown(message, root_span, dir).with_suggestion(name, known.iter().copied()));
    }
}

fn unknown(message: String, span: crate::source::Span, dir: &str) -> Diagnostic {
    Diagnostic::new(codes::W0903, message, "", span)
        .with_help("rename the file after what it is a sample of; nothing is checked against it until then")
        .with_note(format!("samples folder: `{dir}`"))
}
