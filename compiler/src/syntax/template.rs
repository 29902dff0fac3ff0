//! Template strings (docs/format.md §6): literal text with `[[key]]` (credentials, then metadata) and
//! `{{key}}` (form input, earlier step outputs, config, system values) placeholders.
//!
//! Grammar (the §6.7 proposed interpretation): `"[[" IDENT "]]"` and `"{{" IDENT "}}"` with
//! `IDENT = [A-Za-z_][A-Za-z0-9_]*`; no whitespace, dots or filters inside; no escape for a literal
//! `{{` or `[[`. Offsets are byte ranges into the decoded string.

use std::ops::Range;

/// Which bag a placeholder reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// `[[key]]`: credentials, then metadata.
    Stored,
    /// `{{key}}`: the context of the request (form, earlier outputs, config, system values).
    Context,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    Literal(String),
    Placeholder { scope: Scope, name: String, range: Range<usize> },
}

/// A problem found while parsing a template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// `{{` or `[[` with no matching closer.
    Unclosed { range: Range<usize>, opener: &'static str },
    /// A placeholder whose name does not follow the grammar.
    BadName { range: Range<usize>, name: String },
    /// `}}` or `]]` with no opener (a warning: it may be literal text).
    Stray { range: Range<usize>, closer: &'static str },
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Template {
    pub segments: Vec<Segment>,
}

impl Template {
    /// The placeholders, in order.
    pub fn placeholders(&self) -> impl Iterator<Item = (Scope, &str, Range<usize>)> {
        self.segments.iter().filter_map(|s| match s {
            Segment::Placeholder { scope, name, range } => Some((*scope, name.as_str(), range.clone())),
            Segment::Literal(_) => None,
        })
    }

    /// True when the whole string is exactly one placeholder (its JSON type is kept, §6.5).
    pub fn is_whole_value(&self) -> bool {
        matches!(self.segments.as_slice(), [Segment::Placeholder { .. }])
    }
}

pub fn is_ident(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_') && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Parses a template; placeholders that cannot be parsed are reported and kept as literal text.
pub fn parse(text: &str) -> (Template, Vec<Problem>) {
    let mut segments = Vec::new();
    let mut problems = Vec::new();
    let mut literal = String::new();
    let mut pos = 0;
    while pos < text.len() {
        let rest = &text[pos..];
        let opener = if rest.starts_with("{{") {
            Some(("{{", "}}", Scope::Context))
        } else if rest.starts_with("[[") {
            Some(("[[", "]]", Scope::Stored))
        } else {
            None
        };
        if let Some((open, close, scope)) = opener {
            match rest[2..].find(close) {
                Some(len) => {
                    let end = pos + 2 + len + 2;
                    let name = &text[pos + 2..pos + 2 + len];
                    if is_ident(name) {
                        if !literal.is_empty() {
                            segments.push(Segment::Literal(std::mem::take(&mut literal)));
                        }
                        segments.push(Segment::Placeholder { scope, name: name.to_string(), range: pos..end });
                    } else {
                        problems.push(Problem::BadName { range: pos..end, name: name.to_string() });
                        literal.push_str(&text[pos..end]);
                    }
                    pos = end;
                }
                None => {
                    problems.push(Problem::Unclosed { range: pos..pos + 2, opener: open });
                    literal.push_str(open);
                    pos += 2;
                }
            }
            continue;
        }
        if let Some(closer) = ["}}", "]]"].into_iter().find(|c| rest.starts_with(c)) {
            problems.push(Problem::Stray { range: pos..pos + 2, closer });
            literal.push_str(closer);
            pos += 2;
            continue;
        }
        let c = rest.chars().next().unwrap_or_default();
        literal.push(c);
        pos += c.len_utf8().max(1);
    }
    if !literal.is_empty() {
        segments.push(Segment::Literal(literal));
    }
    (Template { segments }, problems)
}

/// Byte ranges of single-brace `{id}`-style tokens (docs/format.md §6.1) that are not part of `{{...}}`.
pub fn single_brace_tokens(text: &str) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'{' {
            if bytes.get(i + 1) == Some(&b'{') {
                i = text[i..].find("}}").map_or(bytes.len(), |n| i + n + 2);
                continue;
            }
            if let Some(len) = text[i + 1..].find('}') {
                let inner = &text[i + 1..i + 1 + len];
                if is_ident(inner) && bytes.get(i + 2 + len) != Some(&b'}') {
                    found.push(i..i + 2 + len);
                }
            }
        }
        i += 1;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_scopes_and_literals() {
        let (t, problems) = parse("https://x/{{a}}/[[tok_1]]?q=1");
        assert!(problems.is_empty());
        let names: Vec<_> = t.placeholders().map(|(s, n, r)| (s, n.to_string(), r)).collect();
        assert_eq!(names, vec![(Scope::Context, "a".to_string(), 10..15), (Scope::Stored, "tok_1".to_string(), 16..25)]);
        assert_eq!(t.segments.first(), Some(&Segment::Literal("https://x/".into())));
        assert!(!t.is_whole_value());
        assert!(parse("{{tags}}").0.is_whole_value());
    }

    #[test]
    fn reports_malformed_placeholders() {
        let (_, p) = parse("a {{ name }} b");
        assert_eq!(p, vec![Problem::BadName { range: 2..12, name: " name ".into() }]);
        let (_, p) = parse("x {{customer.email}}");
        assert!(matches!(&p[..], [Problem::BadName { .. }]));
        let (_, p) = parse("x [[token");
        assert_eq!(p, vec![Problem::Unclosed { range: 2..4, opener: "[[" }]);
        let (_, p) = parse("x }} y");
        assert_eq!(p, vec![Problem::Stray { range: 2..4, closer: "}}" }]);
        let (t, p) = parse("{{}}");
        assert_eq!(p.len(), 1);
        assert_eq!(t.placeholders().count(), 0);
    }

    #[test]
    fn handles_multibyte_text() {
        let (t, p) = parse("héllo {{n}} ✓");
        assert!(p.is_empty());
        assert_eq!(t.placeholders().next().map(|(_, n, r)| (n.to_string(), r)), Some(("n".to_string(), 7..12)));
    }

    #[test]
    fn single_brace_tokens_skip_double_braces() {
        assert_eq!(single_brace_tokens("/products/{id}"), vec![10..14]);
        assert!(single_brace_tokens("/x/{{id}}").is_empty());
        assert!(single_brace_tokens("{\"a\": 1}").is_empty());
    }
}

/// Where a placeholder stands in a URL (docs/format.md §6.7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UrlContext {
    /// The URL starts with the placeholder, which supplies scheme and host (`{{shopUrl}}/api`).
    Origin,
    /// A whole DNS label of the host (`https://{{subdomain}}.example.com`).
    Host,
    Path,
    /// Exactly one path segment: a sync details URL's `{id}` (never produced by
    /// [`classify_url`]; the IR sets it).
    Segment,
    Query,
}

/// A placeholder in a URL position that cannot be filled safely.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlProblem {
    pub range: Range<usize>,
    pub message: String,
}

const NOT_ABSOLUTE: &str = "the URL is not absolute (it needs `https://host` or a leading origin placeholder)";

/// Classifies every placeholder of a URL template by its context.
pub fn classify_url(t: &Template) -> Result<Vec<UrlContext>, UrlProblem> {
    #[derive(PartialEq)]
    enum State {
        Start,
        Scheme,
        Authority,
        Path,
        Query,
        Fragment,
    }
    let mut state = State::Start;
    let mut contexts = Vec::new();
    let mut authority = String::new();
    let problem = |range: Range<usize>, message: &str| UrlProblem { range, message: message.to_string() };
    let segments = &t.segments;
    for (i, seg) in segments.iter().enumerate() {
        match seg {
            Segment::Literal(text) => {
                // The URL as the WHATWG parser (and so the runtime) reads it: tabs and line breaks
                // vanish and `\\` is `/`, so `http://\t/{{x}}` or `https:\\\\{{x}}` cannot hide an
                // empty host from this classification.
                let text: String =
                    text.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).map(|c| if c == '\\' { '/' } else { c }).collect();
                let mut rest = text.as_str();
                while !rest.is_empty() {
                    match state {
                        State::Start | State::Scheme => match rest.find("://") {
                            Some(at) => {
                                rest = &rest[at + 3..];
                                state = State::Authority;
                            }
                            None => {
                                state = State::Scheme;
                                rest = "";
                            }
                        },
                        State::Authority => {
                            let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
                            authority.push_str(&rest[..end]);
                            if end < rest.len() && authority.trim().is_empty() {
                                // `https:///{{x}}`: the parser skips the extra slashes, and the
                                // next placeholder would become the host.
                                let at = segments[i..]
                                    .iter()
                                    .find_map(|s| match s {
                                        Segment::Placeholder { range, .. } => Some(range.clone()),
                                        Segment::Literal(_) => None,
                                    })
                                    .unwrap_or(0..0);
                                return Err(problem(at, "the URL has an empty host (`https:///...`): write the host after `://`"));
                            }
                            if end < rest.len() {
                                state = match rest.as_bytes()[end] {
                                    b'/' => State::Path,
                                    b'?' => State::Query,
                                    _ => State::Fragment,
                                };
                                rest = &rest[end + 1..];
                            } else {
                                rest = "";
                            }
                        }
                        State::Path => match rest.find(['?', '#']) {
                            Some(at) => {
                                state = if rest.as_bytes()[at] == b'?' { State::Query } else { State::Fragment };
                                rest = &rest[at + 1..];
                            }
                            None => rest = "",
                        },
                        State::Query => match rest.find('#') {
                            Some(at) => {
                                state = State::Fragment;
                                rest = &rest[at + 1..];
                            }
                            None => rest = "",
                        },
                        State::Fragment => rest = "",
                    }
                }
            }
            Segment::Placeholder { range, .. } => {
                let context = match state {
                    State::Start => {
                        let next = segments.get(i + 1);
                        let clean = match next {
                            None => true,
                            Some(Segment::Literal(l)) => l.starts_with(['/', '?']),
                            Some(Segment::Placeholder { .. }) => false,
                        };
                        if !clean {
                            return Err(problem(
                                range.clone(),
                                "a placeholder that starts a URL supplies its origin and must be followed by `/` or `?`",
                            ));
                        }
                        state = State::Path;
                        UrlContext::Origin
                    }
                    State::Scheme => {
                        let absolute = segments.iter().any(|s| matches!(s, Segment::Literal(l) if l.contains("://")));
                        let message = if absolute { "a placeholder cannot fill the URL's scheme" } else { NOT_ABSOLUTE };
                        return Err(problem(range.clone(), message));
                    }
                    State::Authority => {
                        if authority.contains(':') {
                            return Err(problem(range.clone(), "a placeholder cannot fill the URL's port"));
                        }
                        let rest_of_authority = match segments.get(i + 1) {
                            Some(Segment::Literal(l)) => l.split(['/', '?', '#']).next().unwrap_or_default(),
                            _ => "",
                        };
                        if rest_of_authority.contains('@') {
                            return Err(problem(range.clone(), "a placeholder cannot fill the URL's user info"));
                        }
                        let before_ok = authority.is_empty() || authority.ends_with('.');
                        let after_ok = match segments.get(i + 1) {
                            None => true,
                            Some(Segment::Literal(l)) => l.starts_with(['.', '/', '?', ':', '#']),
                            Some(Segment::Placeholder { .. }) => false,
                        };
                        if !before_ok || !after_ok {
                            return Err(problem(
                                range.clone(),
                                "a placeholder in the host must fill whole DNS labels (e.g. `https://{{subdomain}}.example.com`)",
                            ));
                        }
                        authority.push('x');
                        UrlContext::Host
                    }
                    State::Path => UrlContext::Path,
                    State::Query => UrlContext::Query,
                    State::Fragment => return Err(problem(range.clone(), "a placeholder cannot fill the URL's fragment")),
                };
                contexts.push(context);
            }
        }
    }
    if matches!(state, State::Start | State::Scheme) {
        return Err(problem(0..0, NOT_ABSOLUTE));
    }
    Ok(contexts)
}

#[cfg(test)]
mod url_tests {
    use super::*;

    fn classify(text: &str) -> Result<Vec<UrlContext>, String> {
        classify_url(&parse(text).0).map_err(|p| format!("{}: {}", &text[p.range.clone()], p.message))
    }

    #[test]
    fn classifies_by_position() {
        use UrlContext::*;
        assert_eq!(classify("https://api.x.example/v1/{{a}}/b?q={{q}}&r=[[t]]"), Ok(vec![Path, Query, Query]));
        assert_eq!(classify("https://{{sub}}.x.example/{{p}}"), Ok(vec![Host, Path]));
        assert_eq!(classify("{{shopUrl}}/api/v2/ping"), Ok(vec![Origin]));
        assert_eq!(
            classify("https://login.x.example/authorize?client_id={{client_id}}&redirect_uri={{redirect_uri}}"),
            Ok(vec![Query, Query])
        );
        assert_eq!(classify("https://api.x.example"), Ok(vec![]));
    }

    #[test]
    fn rejects_unsafe_positions() {
        for (url, needle) in [
            ("{{scheme}}://x.example/", "origin"),
            ("http{{s}}://x.example/", "scheme"),
            ("https://x.example:{{port}}/", "port"),
            ("https://{{user}}@x.example/", "user info"),
            ("https://api{{env}}.x.example/", "whole DNS labels"),
            ("https://x.example/a#{{frag}}", "fragment"),
            ("/relative/{{id}}", "absolute"),
            ("{{base}}{{path}}", "origin"),
            ("https:///{{x}}/v1", "empty host"),
            ("http:///{{x}}/v1", "empty host"),
            ("http:////{{x}}/v1", "empty host"),
            ("http://\t/{{x}}/v1", "empty host"),
            ("https:\\\\\\{{x}}/v1", "empty host"),
            ("https:// /{{x}}/v1", "empty host"),
        ] {
            let err = classify(url).expect_err(url);
            assert!(err.contains(needle), "{url}: {err}");
        }
    }
}
