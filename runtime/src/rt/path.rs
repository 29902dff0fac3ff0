//! Response paths, parsed by the compiler into static steps (docs/format.md §7.1).

use serde_json::Value;

/// One step of a path: `.field` or `[index]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Field(&'static str),
    Index(usize),
}

/// The value at `path` in `value`; `None` when the path finds nothing.
pub fn get<'v>(value: &'v Value, path: &[Step]) -> Option<&'v Value> {
    path.iter().try_fold(value, |v, step| match step {
        Step::Field(name) => v.get(name),
        Step::Index(i) => v.get(i),
    })
}

/// Renders a path for messages: `$.a[0].b`.
pub fn display(path: &[Step]) -> String {
    let mut out = String::from("$");
    for step in path {
        match step {
            Step::Field(name) => {
                out.push('.');
                out.push_str(name);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn walks_fields_and_indexes() {
        let v = json!({"a": [{"b": 1}, {"b": 2}]});
        assert_eq!(get(&v, &[Step::Field("a"), Step::Index(1), Step::Field("b")]), Some(&json!(2)));
        assert_eq!(get(&v, &[Step::Field("a"), Step::Index(5)]), None);
        assert_eq!(get(&v, &[Step::Field("x"), Step::Field("y")]), None);
        assert_eq!(get(&v, &[]), Some(&v));
        assert_eq!(display(&[Step::Field("a"), Step::Index(0)]), "$.a[0]");
    }
}
