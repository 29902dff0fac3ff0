//! Paths walked through sample values: what a path finds, or where and why it stops.

use serde_json::Value;

use crate::path::Step;

/// What a path finds in one sample.
#[derive(Clone, Debug, PartialEq)]
pub enum Walk<'v> {
    Found(&'v Value),
    /// It reached a `null` or an empty array before its end: the sample cannot tell.
    Unsure,
    /// Step `matched` cannot apply to `at`, the value the steps before it find.
    Miss {
        matched: usize,
        at: &'v Value,
    },
}

/// Walks `steps` from `root`.
pub fn walk<'v>(root: &'v Value, steps: &[Step]) -> Walk<'v> {
    let mut at = root;
    for (i, step) in steps.iter().enumerate() {
        let next = match (step, at) {
            (_, Value::Null) => return Walk::Unsure,
            (Step::Index(_), Value::Array(items)) if items.is_empty() => return Walk::Unsure,
            (Step::Field(name), Value::Object(map)) => map.get(name),
            (Step::Index(n), Value::Array(items)) => items.get(*n),
            _ => None,
        };
        match next {
            Some(v) => at = v,
            None => return Walk::Miss { matched: i, at },
        }
    }
    Walk::Found(at)
}

/// Why step `matched` of `steps` finds nothing in `at`, and the step to write instead when the
/// sample suggests one (a close key, or `[0]` before a key of an array's items). `root` names what
/// the path is walked from ("the sample", "the record").
pub fn explain_miss(steps: &[Step], matched: usize, at: &Value, rooted: bool, root: &str) -> (String, Option<Vec<Step>>) {
    let before = if matched == 0 { root.to_string() } else { format!("`{}`", display(&steps[..matched], rooted)) };
    let fix = |replacement: Vec<Step>| {
        let mut fixed = steps[..matched].to_vec();
        fixed.extend(replacement);
        fixed.extend_from_slice(&steps[matched + 1..]);
        Some(fixed)
    };
    match (&steps[matched], at) {
        (Step::Field(name), Value::Object(map)) => {
            let keys = map.keys().map(String::as_str);
            let suggestion = crate::suggest::closest(name, keys).map(|k| fix(vec![Step::Field(k.to_string())])).unwrap_or_default();
            (format!("{before} has no `{name}`"), suggestion)
        }
        (Step::Field(name), Value::Array(items)) => {
            let has = items.first().and_then(Value::as_object).is_some_and(|o| o.contains_key(name));
            let suggestion = if has { fix(vec![Step::Index(0), Step::Field(name.clone())]) } else { None };
            (format!("{before} is an array, not an object"), suggestion)
        }
        (Step::Index(i), Value::Array(items)) => (format!("{before} has {} item(s), so `[{i}]` finds nothing", items.len()), None),
        (_, other) => {
            let wanted = if matches!(steps[matched], Step::Index(_)) { "an array" } else { "an object" };
            (format!("{before} is {}, not {wanted}", kind(other)), None)
        }
    }
}

/// Steps written the way the definition writes them: `$.a.b[0]` when rooted, `a.b[0]` when not.
pub fn display(steps: &[Step], rooted: bool) -> String {
    let mut out = if rooted { "$".to_string() } else { String::new() };
    for step in steps {
        match step {
            Step::Field(n) if out.is_empty() => out.push_str(n),
            Step::Field(n) => {
                out.push('.');
                out.push_str(n);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// The byte range of each step in a path's text (`name` of `.name`, the whole `[i]`), for
/// diagnostics that point at one step. Meaningful for paths that parse.
pub fn step_ranges(text: &str) -> Vec<std::ops::Range<usize>> {
    let bytes = text.as_bytes();
    let mut ranges = Vec::new();
    let mut pos = usize::from(text.starts_with('$'));
    while pos < bytes.len() {
        let (start, end) = match bytes[pos] {
            b'[' => (pos, text[pos..].find(']').map_or(bytes.len(), |n| pos + n + 1)),
            b'.' => (pos + 1, text[pos + 1..].find(['.', '[']).map_or(bytes.len(), |n| pos + 1 + n)),
            _ => (pos, text[pos..].find(['.', '[']).map_or(bytes.len(), |n| pos + n)),
        };
        ranges.push(start..end);
        pos = end.max(pos + 1);
    }
    ranges
}

/// What kind of JSON value `v` is, for messages.
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A sample value for a rustdoc line: compact JSON, at most about 60 characters.
pub fn example(v: &Value) -> String {
    let text = v.to_string();
    if text.chars().count() <= 60 {
        return text;
    }
    let cut: String = text.chars().take(57).collect();
    format!("{cut}…")
}

#[cfg(test)]
#[allow(clippy::panic)] // a test may panic: that is how it fails
mod tests {
    use serde_json::json;

    use super::*;

    fn steps(text: &str) -> Vec<Step> {
        crate::path::parse(text).map(|p| p.steps).unwrap_or_default()
    }

    #[test]
    fn finds_stops_and_explains() {
        let v = json!({"order": {"status": "paid", "lines": [{"sku": "a"}], "none": null, "empty": []}});
        assert_eq!(walk(&v, &steps("$.order.status")), Walk::Found(&json!("paid")));
        assert_eq!(walk(&v, &steps("order.none.x")), Walk::Unsure);
        assert_eq!(walk(&v, &steps("order.empty[0].x")), Walk::Unsure);
        for (path, matched, why, fixed) in [
            ("$.order.stauts", 1, "`$.order` has no `stauts`", Some("$.order.status")),
            ("$.order.status.code", 2, "`$.order.status` is a string, not an object", None),
            ("order.lines.sku", 2, "`order.lines` is an array, not an object", Some("order.lines[0].sku")),
            ("order.lines[3]", 2, "`order.lines` has 1 item(s), so `[3]` finds nothing", None),
            ("$.ordre", 0, "the sample has no `ordre`", Some("$.order")),
            ("$[0]", 0, "the sample is an object, not an array", None),
        ] {
            let s = steps(path);
            let Walk::Miss { matched: m, at } = walk(&v, &s) else { panic!("{path} should miss") };
            assert_eq!(m, matched, "{path}");
            let (message, fix) = explain_miss(&s, m, at, path.starts_with('$'), "the sample");
            assert_eq!(message, why);
            assert_eq!(fix.map(|f| display(&f, path.starts_with('$'))).as_deref(), fixed);
        }
    }

    #[test]
    fn step_ranges_cover_each_step() {
        let text = "$.order.lines[12].sku";
        let parts: Vec<&str> = step_ranges(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(parts, ["order", "lines", "[12]", "sku"]);
        let text = "order.status";
        let parts: Vec<&str> = step_ranges(text).into_iter().map(|r| &text[r]).collect();
        assert_eq!(parts, ["order", "status"]);
        assert!(step_ranges("$").is_empty());
    }

    #[test]
    fn examples_are_short() {
        assert_eq!(example(&json!("shipped")), "\"shipped\"");
        assert_eq!(example(&json!("x".repeat(100))).chars().count(), 58);
    }
}
