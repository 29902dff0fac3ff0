//! The static descriptors generated code declares: requests, sources, mappings, the app.

use std::sync::Arc;

use serde_json::Value;

use super::Vars;
use super::path::{self, Step};
use super::template::{Seg, Tpl, UrlTemplate};

/// HTTP methods (docs/format.md §4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub(crate) fn as_reqwest(self) -> reqwest::Method {
        match self {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
            Method::Put => reqwest::Method::PUT,
            Method::Patch => reqwest::Method::PATCH,
            Method::Delete => reqwest::Method::DELETE,
        }
    }

    /// The method as HTTP writes it: `GET`, `POST`, ...
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a request body is encoded (docs/format.md §4 `bodyType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyType {
    Json,
    Form,
    Multipart,
}

/// How one mapped value is obtained.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extract {
    /// A path into the JSON response.
    Path(&'static [Step]),
    /// A literal string (a mapping value that does not start with `$`, docs/format.md §7.3).
    Literal(&'static str),
}

/// A response mapping (docs/format.md §7.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mapping {
    /// Object mappings are persisted (auth) or form the result (final action step); array mappings
    /// are only forwarded to later steps.
    pub object: bool,
    pub entries: &'static [(&'static str, Extract)],
}

impl Mapping {
    pub const EMPTY: Mapping = Mapping { object: true, entries: &[] };

    /// Applies the mapping; a path that finds nothing yields no entry.
    pub fn apply(&self, response: &Value) -> Vars {
        let mut out = Vars::new();
        for (name, extract) in self.entries {
            let value = match extract {
                Extract::Path(steps) => path::get(response, steps).cloned(),
                Extract::Literal(s) => Some(Value::String((*s).to_string())),
            };
            if let Some(v) = value {
                out.insert(*name, v);
            }
        }
        out
    }

    /// Applies the mapping to a response's JSON bytes in one pass that validates them and parses
    /// only the mapped values (no tree of the whole response); the same result as [`Mapping::apply`].
    pub fn read(&self, body: &[u8]) -> Result<Vars, crate::reader::Error> {
        let trie = mapping_reader(self.entries);
        let mut slots = trie.read_slots(body)?.into_iter();
        let mut out = Vars::with_capacity(self.entries.len());
        for (name, extract) in self.entries {
            let value = match extract {
                Extract::Path(_) => match slots.next() {
                    Some(crate::reader::Slot::Value(v)) => Some(v),
                    Some(crate::reader::Slot::Null) => Some(Value::Null),
                    _ => None,
                },
                Extract::Literal(s) => Some(Value::String((*s).to_string())),
            };
            if let Some(v) = value {
                out.insert(*name, v);
            }
        }
        Ok(out)
    }
}

/// The reader of a mapping's paths, built on first use and kept (mappings are static).
fn mapping_reader(entries: &'static [(&'static str, Extract)]) -> Arc<crate::reader::Trie> {
    type Cache = std::sync::RwLock<super::ByAddress<Arc<crate::reader::Trie>>>;
    static CACHE: std::sync::OnceLock<Cache> = std::sync::OnceLock::new();
    let cache = CACHE.get_or_init(Cache::default);
    // A static slice's address identifies it (two with the same address have the same content).
    let key = entries.as_ptr() as usize;
    if let Some(trie) = cache.read().unwrap_or_else(|p| p.into_inner()).get(&key) {
        return trie.clone();
    }
    let captures: Vec<crate::reader::Capture> = entries
        .iter()
        .filter_map(|(_, extract)| match extract {
            Extract::Path(steps) => Some(crate::reader::Capture { steps, kind: crate::reader::Kind::Value }),
            Extract::Literal(_) => None,
        })
        .collect();
    let trie = Arc::new(crate::reader::Trie::new(&captures));
    cache.write().unwrap_or_else(|p| p.into_inner()).insert(key, trie.clone());
    trie
}

/// A compiled request template (docs/format.md §4).
#[derive(Clone, Copy, Debug)]
pub struct RequestTemplate {
    /// What the request is, for messages and traces (e.g. `notifyMember step 2`).
    pub name: &'static str,
    pub method: Method,
    pub url: UrlTemplate,
    pub headers: &'static [(&'static str, &'static [Seg])],
    pub query: &'static [(&'static str, &'static [Seg])],
    pub body_type: BodyType,
    pub body: Option<Tpl>,
    pub mapping: Mapping,
    /// Whether a 401 triggers the refresh request (action requests, when `auto_refresh` is on).
    pub refreshable: bool,
}

/// A compiled RPC dropdown source (docs/format.md §12).
#[derive(Clone, Copy, Debug)]
pub struct SourceTemplate {
    pub request: RequestTemplate,
    /// `dataPath`; `None`: the response itself is the array.
    pub data: Option<&'static [Step]>,
    pub value: &'static [Step],
    pub label: &'static [Step],
}

/// What generated code knows about its definition.
#[derive(Debug)]
pub struct App {
    pub ns: &'static str,
    /// `auth.config` defaults (non-empty values only).
    pub config: &'static [(&'static str, &'static str)],
    pub sensitive_keys: &'static [&'static str],
    /// Every key the store can hold, with where its value comes from and how to supply it.
    pub stored: &'static [(&'static str, &'static str)],
    pub refresh: Option<&'static RequestTemplate>,
    pub auto_refresh: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mappings_skip_missing_paths_and_keep_literals() {
        const M: Mapping = Mapping {
            object: true,
            entries: &[
                ("id", Extract::Path(&[Step::Field("a")])),
                ("gone", Extract::Path(&[Step::Field("x")])),
                ("ok", Extract::Literal("true")),
            ],
        };
        let out = M.apply(&serde_json::json!({"a": 7}));
        assert_eq!(Value::Object(out.into_map()), serde_json::json!({"id": 7, "ok": "true"}));
    }
}
