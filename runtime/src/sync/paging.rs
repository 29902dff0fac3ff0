//! How a list is paged (docs/format.md §11.3 and its miniapp-rs extensions), what a page says
//! about the next one, and the drift an import can see while it runs.

use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};

use serde_json::Value;

use crate::reader::Slot;
use crate::rt::path::Step;

/// How a resource's list is paged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Paging {
    /// Page numbers counted from `first`, in the list request's variable `page` (`pageParam`,
    /// `page` by default; `firstPage`, 1 by default).
    Pages { first: u64 },
    /// How many records were already read, in the variable `offset` (`offsetParam`).
    Offset,
    /// Each page names the next at `next` (`responseMapping.nextProperty`): a cursor sent back in
    /// query parameter `param` (`cursorParam`), or the next page's URL.
    Cursor { next: &'static [Step], param: Option<&'static str> },
    /// The `rel="next"` URL of the response's `Link` header (RFC 8288).
    Link,
}

impl Paging {
    /// Whether records added or deleted during an import shift the later pages (page numbers
    /// and offsets count positions; cursors and links point at records).
    pub fn positional(&self) -> bool {
        matches!(self, Paging::Pages { .. } | Paging::Offset)
    }

    /// Whether the next page is named by the page before it.
    pub(crate) fn follows(&self) -> bool {
        !self.positional()
    }
}

/// Records added or deleted while an import ran, as the import saw it. Reported as a non-fatal
/// [`super::Problem::Drift`] where it is seen; the import goes on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Drift {
    /// The total the provider reports changed between two pages: records were added or deleted
    /// while the import ran. With page numbers or offsets the later pages shifted, so records
    /// may have been missed (deleted before this point) or delivered twice (added before it).
    #[error(
        "the provider's total changed from {from} to {to} during the import: records were added or deleted, so some may have been missed or delivered twice; run the import again to catch up"
    )]
    TotalChanged { from: u64, to: u64 },
    /// Records of this page were already delivered from an earlier page (the same `code`):
    /// records were added before this point, and as many others may have been missed.
    #[error(
        "{count} record(s) of this page were already delivered from page {earlier} (the same `code`): records were added during the import, and as many may have been missed; run the import again to catch up"
    )]
    Repeated { count: usize, earlier: u64 },
    /// The import ended with fewer records than the provider's last total.
    #[error("the import ended after {yielded} records, but the provider's total is {total}: some were missed; run the import again")]
    Short { total: u64, yielded: u64 },
}

/// What a page's `nextProperty` says, as text: a string as it is, a number as written; `null`,
/// `false` and `""` say there is no next page.
pub(crate) fn next_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Whether a next value is an absolute `http(s)` URL. With a `cursorParam`, any other value is a
/// cursor sent back in it; without one, every value is the next page's URL (absolute, or relative
/// to the list's).
pub(crate) fn is_absolute_url(value: &str) -> bool {
    value.starts_with("https://") || value.starts_with("http://")
}

/// The `rel="next"` target of the `Link` headers (RFC 8288), if any.
pub(crate) fn next_link(headers: &http::HeaderMap) -> Option<String> {
    headers.get_all(http::header::LINK).iter().filter_map(|v| v.to_str().ok()).find_map(next_in)
}

/// The `rel="next"` target of one `Link` field value: `<url>; rel="next", <url>; rel=prev`.
fn next_in(field: &str) -> Option<String> {
    let mut rest = field;
    loop {
        rest = rest.trim_start_matches([' ', '\t', ',']);
        let inner = rest.strip_prefix('<')?;
        let end = inner.find('>')?;
        let target = &inner[..end];
        rest = &inner[end + 1..];
        // The parameters run to the next `,` outside a quoted string.
        let mut quoted = false;
        let params_end = rest
            .char_indices()
            .find(|&(_, c)| {
                if c == '"' {
                    quoted = !quoted;
                }
                c == ',' && !quoted
            })
            .map_or(rest.len(), |(i, _)| i);
        let params = &rest[..params_end];
        rest = &rest[params_end..];
        let is_next = params.split(';').filter_map(|p| p.split_once('=')).any(|(name, value)| {
            name.trim().eq_ignore_ascii_case("rel")
                && value.trim().trim_matches('"').split_ascii_whitespace().any(|rel| rel.eq_ignore_ascii_case("next"))
        });
        if is_next {
            return Some(target.trim().to_string());
        }
    }
}

/// A hash of a record's `code` (what tells one record from another), when it has one.
pub(crate) fn code_hash(slot: &Slot) -> Option<u64> {
    let mut hasher = std::hash::DefaultHasher::new();
    match slot {
        Slot::Text(text) if !text.is_empty() => text.hash(&mut hasher),
        Slot::Value(Value::String(text)) if !text.is_empty() => text.hash(&mut hasher),
        Slot::Value(Value::Null) | Slot::Value(Value::String(_)) => return None,
        Slot::Value(other) => other.to_string().hash(&mut hasher),
        Slot::Number(n) => n.to_bits().hash(&mut hasher),
        _ => return None,
    }
    Some(hasher.finish())
}

/// The codes of the last [`super::RECENT_PAGES`] pages, to see a record come again.
#[derive(Debug, Default)]
pub(crate) struct RecentCodes {
    /// Code hash → the page it came from.
    pages: HashMap<u64, u64>,
    /// Each remembered page and its codes, oldest first.
    order: VecDeque<(u64, Vec<u64>)>,
}

impl RecentCodes {
    /// Remembers the codes of `page` and says how many were already seen on an earlier page
    /// (and the first such page), forgetting the oldest page beyond the window.
    pub(crate) fn add(&mut self, page: u64, codes: Vec<u64>) -> Option<(usize, u64)> {
        let mut repeated = 0;
        let mut earliest: Option<u64> = None;
        for code in &codes {
            if let Some(&seen) = self.pages.get(code).filter(|&&seen| seen != page) {
                repeated += 1;
                earliest = Some(earliest.map_or(seen, |e| e.min(seen)));
            }
        }
        if self.order.len() == super::RECENT_PAGES
            && let Some((old, old_codes)) = self.order.pop_front()
        {
            for code in old_codes {
                // Unless a later page holds it too.
                if self.pages.get(&code) == Some(&old) {
                    self.pages.remove(&code);
                }
            }
        }
        for &code in &codes {
            self.pages.insert(code, page);
        }
        self.order.push_back((page, codes));
        earliest.map(|page| (repeated, page))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_link_is_found_among_others_whatever_the_spelling() {
        let shopify = r#"<https://shop.example/admin/api/2024-01/orders.json?limit=250&page_info=abc>; rel="previous", <https://shop.example/admin/api/2024-01/orders.json?limit=250&page_info=def>; rel="next""#;
        assert_eq!(next_in(shopify).as_deref(), Some("https://shop.example/admin/api/2024-01/orders.json?limit=250&page_info=def"));
        let github = r#"<https://api.github.com/repos/o/r/issues?page=3>; rel="next", <https://api.github.com/repos/o/r/issues?page=50>; rel="last""#;
        assert_eq!(next_in(github).as_deref(), Some("https://api.github.com/repos/o/r/issues?page=3"));
        assert_eq!(
            next_in("</p?a=1,2>; title=\"a, b\"; rel=\"prefetch next\"").as_deref(),
            Some("/p?a=1,2"),
            "commas inside <> and quotes"
        );
        assert_eq!(next_in("<https://x/p?page=1>; REL=Next").as_deref(), Some("https://x/p?page=1"), "case-insensitive, unquoted");
        assert_eq!(next_in(r#"<https://x/p?page=1>; rel="prev""#), None);
        assert_eq!(next_in("garbage"), None);
        assert_eq!(next_in(""), None);
        let mut headers = http::HeaderMap::new();
        headers.append(http::header::LINK, http::HeaderValue::from_static("<https://x/a>; rel=\"prev\""));
        headers.append(http::header::LINK, http::HeaderValue::from_static("<https://x/b>; rel=\"next\""));
        assert_eq!(next_link(&headers).as_deref(), Some("https://x/b"), "several Link fields");
    }

    #[test]
    fn a_code_seen_on_an_earlier_page_is_counted_until_it_leaves_the_window() {
        let mut recent = RecentCodes::default();
        assert_eq!(recent.add(1, vec![1, 2, 3]), None);
        assert_eq!(recent.add(2, vec![3, 4, 5]), Some((1, 1)));
        assert_eq!(recent.add(2, vec![4, 5]), None, "a page read again (resumed) is not its own repeat");
        for page in 3..=(2 + super::super::RECENT_PAGES as u64) {
            recent.add(page, vec![100 + page]);
        }
        assert_eq!(recent.add(40, vec![1]), None, "page 1 has left the window");
        assert!(recent.pages.len() <= super::super::RECENT_PAGES * 3, "bounded: {}", recent.pages.len());
    }

    #[test]
    fn next_values_and_urls() {
        assert_eq!(next_text(&serde_json::json!("https://x/api/?page=2")).as_deref(), Some("https://x/api/?page=2"));
        assert_eq!(next_text(&serde_json::json!(1234)).as_deref(), Some("1234"));
        for none in [serde_json::json!(null), serde_json::json!(""), serde_json::json!(false), serde_json::json!(" ")] {
            assert_eq!(next_text(&none), None, "{none}");
        }
        assert!(is_absolute_url("https://x/p") && is_absolute_url("http://x/p"));
        assert!(!is_absolute_url("eyJpZCI6MTB9") && !is_absolute_url("/p?cursor=1"));
    }
}
