//! Sync (docs/format.md §11): typed records, compiled mappers, resumable paginated imports and the
//! records of real-time webhook handlers.
//!
//! Generated connectors with `sync.resources` have, per resource, a record type
//! (`<Resource>Record`), `Client::sync_<resource>()` and `Client::sync_<resource>_from(checkpoint)`,
//! each returning an [`Import`]: a [`futures_core::Stream`] of `Result<Record, Error>` that
//! fetches pages on demand.
//!
//! - **Mapping.** Each page is read once by a skipping reader: only the mapped
//!   paths are kept, in the form their transform needs; nothing else is built.
//! - **Paging** (docs/format.md §11.3, [`Paging`]): page numbers (`page=1, 2, …`, or the
//!   definition's `pageParam` from its `firstPage`), offsets, cursors or next URLs from the body,
//!   or the `Link` header's `rel="next"`; the page size in `pagination.paramName`
//!   (`defaultLimit`, never above `maxLimit`). A next URL on another origin than the list's is
//!   [`Error::ForeignUrl`], never requested.
//! - **Stop rules**: an empty page, the records seen reaching `totalProperty`, or (cursor and
//!   link paging) a page that names no next one ends the import. Without a total a short page
//!   does not: the next page is asked for (providers that clamp the page size send short pages
//!   with more to come), and a 404 for a page after the first ends the import (Django REST
//!   framework's `Invalid page.`). A missing `dataProperty`, or one that is not an array, is an
//!   error, never "no records"; a page whose records array is byte for byte one of the last
//!   [`RECENT_PAGES`] (a provider ignoring `page`, or cycling) is an error, not a loop; more
//!   pages than [`Import::max_pages`] is an error.
//! - **Drift**: records added or deleted while an import runs shift page-numbered and offset
//!   pages. The import reports it where it sees it, as a non-fatal [`Problem::Drift`] item (the
//!   total changed, records of an earlier page came again, fewer records than the total), and
//!   goes on: re-run the import to catch up ([`Drift`]).
//! - **Details** (`expandDetails`): each listed record's `id` is fetched from `endpoints.details`
//!   (`{id}` is one path segment), [`Import::details_concurrency`] at a time, in list order; the
//!   details response is the record that is mapped.
//! - **Prefetch**: while the records of one page are consumed, the next page is already being
//!   fetched (one page ahead, never more), so the provider's latency overlaps the consumer's work.
//! - **Pace and failures**: `rateLimitPerSecond` spaces every request of the import,
//!   `timeout` (milliseconds) bounds each; retries, `Retry-After`, the 401 → refresh → retry
//!   and the URL safety of actions apply to every request.
//! - **Resuming**: [`Import::checkpoint`] says exactly what has been yielded (page, records of it
//!   already yielded, total so far, and the cursor or URL of the page for cursor and link
//!   paging). `sync_<resource>_from(checkpoint)` refetches that page and
//!   skips what was yielded, so an import interrupted anywhere continues with no gap and no
//!   repeat. Save the checkpoint after handling each record and nothing is re-delivered; save it
//!   after each page and a crash re-delivers at most that page (de-duplicate by `code`).
//! - **Errors**: a record that does not fit its mapping, a `compute` function that fails, and a
//!   details call answering 404 (the record was deleted between list and details) are yielded
//!   as an `Err` in the record's place, and the import goes on; anything else (transport, HTTP,
//!   a page that is not JSON) ends it with an `Err`. See [`Problem`].

pub mod handler;
pub mod paging;

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use crate::reader::{Capture, Item, Kind, Slot};
pub use handler::{Handled, HandlerRecord, NoRecord, Operation, Target};
pub use paging::{Drift, Paging};

use crate::Error;
use crate::http::{At, Engine};
use crate::reader::Trie;
use crate::reader::scan::Scanner;
use crate::rt::RequestTemplate;
use crate::rt::path::{self, Step};

/// What went wrong with a page or a record of an import.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Problem {
    /// The page is not JSON.
    #[error("the response is not valid JSON at line {line}, column {column}: {message}")]
    NotJson { line: usize, column: usize, message: String },
    /// `dataProperty` finds nothing in the page.
    #[error("the page has no records array at `{path}`")]
    MissingData { path: String },
    /// `dataProperty` is not an array.
    #[error("the records at `{path}` are {found}, not an array")]
    DataNotArray { path: String, found: &'static str },
    /// The page holds exactly the records of a recent page (one of the last
    /// [`RECENT_PAGES`]): the provider ignores `page`, or its pages go round in a cycle.
    #[error("the page repeats a page already read; the provider seems to ignore the `page` parameter")]
    RepeatedPage,
    /// More pages than [`Import::max_pages`].
    #[error("more than {max} pages; raise `Import::max_pages` if this resource is that large")]
    TooManyPages { max: u64 },
    /// A mapped value cannot take its transform's form.
    #[error("`{field}` at `{path}`: expected {expected}, found {found}")]
    Field { field: &'static str, path: String, expected: &'static str, found: &'static str },
    /// A listed record has no usable `id` for its details call.
    #[error("the listed record has no `id` (a string or a number) to fetch its details")]
    NoId,
    /// A page holds more records than [`Import::max_page_records`] (by default ten times the page
    /// size asked for, at least 10 000): refused unmapped, so a hostile or broken page cannot
    /// take the memory of millions of records.
    #[error("the page holds more than {most} records, far more than a page was asked for")]
    TooManyRecords { most: usize },
    /// The checkpoint given to `sync_<resource>_from` cannot be resumed: it is another resource's,
    /// or its numbers contradict each other or the definition (stored data is checked, never
    /// trusted into a silent restart or an overflow).
    #[error("the checkpoint cannot be resumed: {message}")]
    Checkpoint { message: String },
    /// The listed record's `id` cannot be one path segment of its details URL (`.` or `..`:
    /// ids are provider data, some are chosen by users).
    #[error("the listed id `{id}` cannot be a path segment of its details URL")]
    UnusableId { id: String },
    /// The details call answered 404: the record was deleted between list and details.
    #[error("record `{id}` was not found by its details call (deleted since it was listed?)")]
    Gone { id: String },
    /// A `compute` function failed.
    #[error("`{field}`: compute function `{function}` failed: {message}")]
    Compute { field: &'static str, function: &'static str, message: String },
    /// A webhook handler's `dataPath` finds no object.
    #[error("no record object at `{path}`")]
    NoRecord { path: String },
    /// The connector has no handler for the event.
    #[error("no sync handler for `{event}`")]
    NoHandler { event: String },
    /// Records were added or deleted while the import ran (see [`Drift`]): reported where it is
    /// seen, and the import goes on.
    #[error("drift: {0}")]
    Drift(Drift),
}

impl Problem {
    /// Whether the problem concerns one record only: it is yielded in the record's place and the
    /// import goes on.
    pub fn is_record_level(&self) -> bool {
        matches!(self, Problem::Field { .. } | Problem::NoId | Problem::UnusableId { .. } | Problem::Gone { .. } | Problem::Compute { .. })
    }

    /// Whether the import ended with this problem. Record-level problems and [`Problem::Drift`]
    /// do not end it: the stream goes on after them.
    pub fn is_fatal(&self) -> bool {
        !self.is_record_level() && !matches!(self, Problem::Drift(_))
    }
}

/// A record's mapping, compiled: the values it reads ([`Capture`]s, one per slot).
#[derive(Debug)]
pub struct RecordSpec {
    pub captures: &'static [Capture],
    trie: OnceLock<Trie>,
}

impl RecordSpec {
    pub const fn new(captures: &'static [Capture]) -> Self {
        RecordSpec { captures, trie: OnceLock::new() }
    }

    pub(crate) fn trie(&self) -> &Trie {
        self.trie.get_or_init(|| Trie::new(self.captures))
    }

    /// Maps one record from JSON bytes with `build` (a page's records are read in the page's
    /// own pass).
    pub fn map<R>(&'static self, bytes: &[u8], build: impl FnOnce(Captured<'_>) -> Result<R, Problem>) -> Result<R, Problem> {
        let mut slots = self.read_slots(bytes).map_err(|e| Problem::NotJson {
            line: e.line(),
            column: e.column(),
            message: e.message().to_string(),
        })?;
        build(Captured { slots: &mut slots, spec: self })
    }

    /// The captures of one JSON document (a webhook body), as the reader leaves them.
    pub(crate) fn read_slots(&'static self, bytes: &[u8]) -> Result<Vec<Slot>, crate::reader::Error> {
        self.trie().read_slots(bytes)
    }
}

/// The values captured for one record, in slot order; generated mappers take them out by slot,
/// each with its transform.
#[derive(Debug)]
pub struct Captured<'a> {
    slots: &'a mut [Slot],
    spec: &'static RecordSpec,
}

/// An argument of a `compute` rule: the value at a path of the record, or a literal (JSON text).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ComputeArg {
    Slot(usize),
    Literal(&'static str),
}

/// What a `compute` function receives (docs/format.md §11.5; see the decisions): the rule's `args`
/// (string values are paths in the record, resolved; other values as written), the values at
/// its `path` or `paths`, and, when the rule names neither, the whole record.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ComputeInput {
    /// The `args`, by name, in the definition's order.
    pub args: Vec<(&'static str, Value)>,
    /// The values at `path` / `paths` (`null` where a path finds nothing).
    pub values: Vec<Value>,
    /// The whole record, when the rule names no `args`, `path` or `paths`.
    pub record: Option<Value>,
}

impl ComputeInput {
    /// The argument `name` (`None` when the rule has no such argument; `null` when its path
    /// finds nothing).
    pub fn arg(&self, name: &str) -> Option<&Value> {
        self.args.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }
}

/// The accessors are inlined into the generated mappers (one per field), so a field's result is
/// not written out and read back.
impl<'a> Captured<'a> {
    pub(crate) fn new(slots: &'a mut [Slot], spec: &'static RecordSpec) -> Self {
        Captured { slots, spec }
    }

    #[inline]
    fn take(&mut self, slot: usize) -> Slot {
        self.slots.get_mut(slot).map(std::mem::take).unwrap_or_default()
    }

    fn path(&self, slot: usize) -> String {
        self.spec.captures.get(slot).map_or_else(String::new, |c| path::display(c.steps))
    }

    #[cold]
    fn field_problem(&self, field: &'static str, slot: usize, expected: &'static str, found: &'static str) -> Problem {
        Problem::Field { field, path: self.path(slot), expected, found }
    }

    /// A bare path or a value the caller converts: the JSON value (`None` when absent or null).
    #[inline]
    pub fn value(&mut self, slot: usize) -> Option<Value> {
        match self.take(slot) {
            Slot::Value(v) => Some(v),
            _ => None,
        }
    }

    /// `toString`.
    #[inline]
    pub fn text(&mut self, slot: usize, field: &'static str) -> Result<Option<String>, Problem> {
        match self.take(slot) {
            Slot::Text(t) => Ok(Some(t)),
            Slot::Invalid { expected, found } => Err(self.field_problem(field, slot, expected, found)),
            _ => Ok(None),
        }
    }

    /// `toNumberOrNull`.
    #[inline]
    pub fn number(&mut self, slot: usize) -> Option<f64> {
        match self.take(slot) {
            Slot::Number(n) => Some(n),
            _ => None,
        }
    }

    /// `joinCodes`.
    #[inline]
    pub fn codes(&mut self, slot: usize, field: &'static str) -> Result<Option<String>, Problem> {
        self.text(slot, field)
    }

    /// `mapItems`.
    #[inline]
    pub fn items(&mut self, slot: usize, field: &'static str) -> Result<Option<Vec<Item>>, Problem> {
        match self.take(slot) {
            Slot::Items(items) => Ok(Some(items)),
            Slot::Invalid { expected, found } => Err(self.field_problem(field, slot, expected, found)),
            _ => Ok(None),
        }
    }

    /// `coalesce`: the first value that is not absent, `null` or `""`.
    #[inline]
    pub fn coalesce(&mut self, slots: &[usize]) -> Option<Value> {
        slots.iter().find_map(|&s| match self.take(s) {
            Slot::Value(Value::String(t)) if t.is_empty() => None,
            Slot::Value(v) => Some(v),
            _ => None,
        })
    }

    /// The input of a `compute` function.
    pub fn compute_input(&mut self, args: &[(&'static str, ComputeArg)], values: &[usize], record: Option<usize>) -> ComputeInput {
        let args = args
            .iter()
            .map(|(name, arg)| {
                let value = match arg {
                    ComputeArg::Slot(s) => self.value(*s).unwrap_or(Value::Null),
                    ComputeArg::Literal(json) => serde_json::from_str(json).unwrap_or(Value::Null),
                };
                (*name, value)
            })
            .collect();
        let values = values.iter().map(|&s| self.value(s).unwrap_or(Value::Null)).collect();
        let record = record.map(|s| self.value(s).unwrap_or(Value::Null));
        ComputeInput { args, values, record }
    }
}

/// Turns a `compute` function's answer into the field's value (`null` is no value).
pub fn computed(field: &'static str, function: &'static str, result: Result<Value, String>) -> Result<Option<Value>, Problem> {
    match result {
        Ok(Value::Null) => Ok(None),
        Ok(v) => Ok(Some(v)),
        Err(message) => Err(Problem::Compute { field, function, message }),
    }
}

/// A resource (docs/format.md §11.3), compiled.
#[derive(Debug)]
pub struct ResourceSpec {
    /// The resource's key in `sync.resources`.
    pub name: &'static str,
    /// `sync.baseUrl` + `endpoints.list`, with `sync.headers`; the page number is the variable
    /// `page` (or the records already read `offset`, per [`Paging`]) and the page size `limit`
    /// (in `pagination.paramName`).
    pub list: RequestTemplate,
    /// How the list is paged.
    pub paging: Paging,
    /// `sync.baseUrl` + `endpoints.details` when `expandDetails` is on; `{id}` is the variable `id`.
    pub details: Option<RequestTemplate>,
    /// Whether the page size is sent (`pagination.paramName` is set).
    pub sends_limit: bool,
    /// `pagination.defaultLimit` (at most `maxLimit`).
    pub default_limit: Option<u64>,
    pub max_limit: Option<u64>,
    /// `responseMapping.dataProperty` (empty: the response is the array).
    pub data: &'static [Step],
    /// `responseMapping.totalProperty`.
    pub total: Option<&'static [Step]>,
    pub record: RecordSpec,
    /// The capture (slot of `record`) that the record's `code` is mapped from, when it is one
    /// path: what tells a record delivered twice.
    pub code: Option<usize>,
    /// `syncConfiguration.rateLimitPerSecond`.
    pub rate_per_second: Option<f64>,
    /// `syncConfiguration.timeout`, in milliseconds.
    pub timeout_ms: Option<u64>,
}

/// Where an import stands: enough to continue it with no gap. Serialize it wherever you keep
/// job state and pass it to `sync_<resource>_from`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Checkpoint {
    /// The resource's key.
    pub resource: String,
    /// The page the next record comes from (1-based).
    pub page: u64,
    /// How many records of that page were already yielded.
    pub offset: u64,
    /// How many records (and record errors) were yielded in all.
    pub yielded: u64,
    /// The page size the pages were numbered with (`None` when none is sent); a resumed import
    /// keeps it, so page numbers mean the same records.
    pub page_size: Option<u64>,
    /// Whether the import has ended successfully.
    pub done: bool,
    /// Cursor and link paging: the cursor, or the URL, of the page the next record comes from
    /// (`None` on the first page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// The total the provider reported last, to tell whether records were added or deleted
    /// since (by a resumed import too).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
}

/// More records than any import yields (2^53): a checkpoint counting more is corrupt.
const MOST_RECORDS: u64 = 1 << 53;

impl Checkpoint {
    /// What makes this checkpoint impossible to resume for `spec`, if anything.
    fn inconsistency(&self, spec: &ResourceSpec) -> Option<String> {
        if self.resource != spec.name {
            return Some(format!("it is a checkpoint of `{}`, not of `{}`", self.resource, spec.name));
        }
        if self.page == 0 {
            return Some("pages are numbered from 1, and it says page 0".to_string());
        }
        if self.offset > self.yielded {
            return Some(format!("{} records of its page were yielded, but only {} in all", self.offset, self.yielded));
        }
        match (spec.paging.follows(), &self.cursor) {
            (false, Some(_)) => return Some("it carries a cursor, but the resource pages by position".to_string()),
            (true, None) if self.page > 1 && !self.done => {
                return Some(format!("it is on page {} but has no cursor or URL for it", self.page));
            }
            (true, Some(_)) if self.page == 1 => return Some("it has a cursor for the first page, which needs none".to_string()),
            _ => {}
        }
        match (self.page_size, spec.sends_limit) {
            (Some(0), _) => Some("its page size is 0".to_string()),
            (Some(size), true) if spec.max_limit.is_some_and(|max| size > max) => {
                Some(format!("its page size {size} is above the definition's `maxLimit` of {}", spec.max_limit.unwrap_or_default()))
            }
            _ if self.yielded > MOST_RECORDS => Some(format!("it counts {} records yielded, more than any import", self.yielded)),
            _ => None,
        }
    }
}

/// Spaces requests evenly: at most `per_second` starts per second.
#[derive(Debug)]
struct Pace {
    interval: Duration,
    next: tokio::sync::Mutex<Option<tokio::time::Instant>>,
}

impl Pace {
    fn new(per_second: Option<f64>) -> Option<Self> {
        let rate = per_second.filter(|r| r.is_finite() && *r > 0.0)?;
        Some(Pace { interval: Duration::from_secs_f64(1.0 / rate), next: tokio::sync::Mutex::new(None) })
    }

    async fn wait(&self) {
        let mut next = self.next.lock().await;
        let now = tokio::time::Instant::now();
        if let Some(at) = *next
            && at > now
        {
            tokio::time::sleep_until(at).await;
        }
        *next = Some(tokio::time::Instant::now().max(next.unwrap_or(now)) + self.interval);
    }
}

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
type Build<'a, R> = dyn Fn(Captured<'_>) -> Result<R, Problem> + Send + Sync + 'a;

/// How many recent pages an import remembers (by content) to recognise one sent again.
pub const RECENT_PAGES: usize = 16;

/// What one page gave.
struct Page<R> {
    /// Each record, or its record-level problem.
    items: Vec<Result<R, Problem>>,
    total: Option<u64>,
    /// A hash of the bytes of the page's records array (in details mode, of the listed
    /// records): what identifies the page's content.
    content: u64,
    /// A hash of each record's `code` (of each listed `id` in details mode), where it has one.
    codes: Vec<u64>,
    /// What names the next page (cursor and link paging): a cursor or a URL; `None` on the last.
    next: Option<String>,
    /// The provider answered 404 for a page after a non-empty one: there are no more pages.
    past_end: bool,
}

impl<R> Page<R> {
    /// The answer "no such page" to a request past the last page.
    fn past_end() -> Self {
        Page { items: Vec::new(), total: None, content: 0, codes: Vec::new(), next: None, past_end: true }
    }
}

/// A resource import: a [`futures_core::Stream`] of records (or record errors), fetching each
/// page when the records before it are consumed. See the [module docs](self).
///
/// `R` is the resource's generated record type (`sync::OrdersRecord`). The stream asks only
/// `R: Send` of it (it can be polled on any thread): a page sent again is recognised by a hash of
/// its bytes, not by comparing records. A helper generic over imports states just that:
///
/// ```
/// use futures_util::StreamExt;
///
/// /// Every record of an import; record-level problems and drift are logged, anything else ends
/// /// it (resume later from `import.checkpoint()`).
/// async fn import_all<R: Send>(mut import: miniapp::sync::Import<'_, R>) -> Result<Vec<R>, miniapp::Error> {
///     let mut records = Vec::new();
///     while let Some(item) = import.next().await {
///         match item {
///             Ok(record) => records.push(record),
///             Err(miniapp::Error::Sync { problem, .. }) if !problem.is_fatal() => tracing::warn!(%problem, "not imported as is"),
///             Err(e) => return Err(e),
///         }
///     }
///     Ok(records)
/// }
/// ```
pub struct Import<'a, R> {
    engine: &'a Engine,
    spec: &'static ResourceSpec,
    build: Arc<Build<'a, R>>,
    pace: Option<Arc<Pace>>,
    max_pages: u64,
    details_concurrency: usize,
    max_page_records: Option<usize>,
    position: Checkpoint,
    /// Records yielded before the current page.
    before_page: u64,
    page_len: u64,
    buffer: VecDeque<Result<R, Problem>>,
    /// The contents of the last [`RECENT_PAGES`] non-empty pages, to recognise a repeat.
    recent: VecDeque<u64>,
    /// The record codes of the last [`RECENT_PAGES`] pages, to recognise a record sent again.
    recent_codes: paging::RecentCodes,
    /// Drift seen and not yet yielded (yielded before the records of the page that showed it).
    notices: VecDeque<Problem>,
    /// Cursor and link paging: what names the page after the current one.
    next_at: Option<String>,
    /// The next page being fetched: while the records of one page are consumed, the next one is
    /// already on its way (its result waits in `ready` until they are).
    pending: Option<BoxFuture<'a, Result<Page<R>, Error>>>,
    ready: Option<Result<Page<R>, Error>>,
    finished: bool,
}

// Nothing is pinned in place: the pending future is boxed.
impl<R> Unpin for Import<'_, R> {}

impl<R> std::fmt::Debug for Import<'_, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Import").field("position", &self.position).field("finished", &self.finished).finish_non_exhaustive()
    }
}

/// The default of [`Import::max_pages`].
pub const DEFAULT_MAX_PAGES: u64 = 100_000;
/// How many times the page size asked for a page may hold by default ([`Import::max_page_records`]).
pub const PAGE_RECORDS_FACTOR: u64 = 10;
/// The default of [`Import::details_concurrency`].
pub const DEFAULT_DETAILS_CONCURRENCY: usize = 4;

impl<'a, R: Send + 'a> Import<'a, R> {
    /// For generated code: an import of `spec` from `checkpoint` (or from the start), mapping
    /// each record with `build`.
    pub fn new(
        engine: &'a Engine,
        spec: &'static ResourceSpec,
        checkpoint: Option<Checkpoint>,
        build: impl Fn(Captured<'_>) -> Result<R, Problem> + Send + Sync + 'a,
    ) -> Self {
        let limit = || spec.sends_limit.then(|| spec.default_limit.or(spec.max_limit)).flatten();
        let (position, refused) = match checkpoint {
            Some(c) => {
                let refused = c.inconsistency(spec).map(|message| Error::Sync {
                    resource: spec.name.to_string(),
                    page: c.page,
                    record: None,
                    problem: Problem::Checkpoint { message },
                });
                (c, refused)
            }
            None => {
                let start = Checkpoint {
                    resource: spec.name.to_string(),
                    page: 1,
                    offset: 0,
                    yielded: 0,
                    page_size: limit(),
                    done: false,
                    cursor: None,
                    total: None,
                };
                (start, None)
            }
        };
        Import {
            engine,
            spec,
            build: Arc::new(build),
            pace: Pace::new(spec.rate_per_second).map(Arc::new),
            max_pages: DEFAULT_MAX_PAGES,
            details_concurrency: DEFAULT_DETAILS_CONCURRENCY,
            max_page_records: None,
            before_page: position.yielded.saturating_sub(position.offset),
            // A checkpoint that cannot be resumed says so, even one that claims to be done.
            finished: position.done && refused.is_none(),
            position,
            page_len: 0,
            buffer: VecDeque::new(),
            recent: VecDeque::new(),
            recent_codes: paging::RecentCodes::default(),
            notices: VecDeque::new(),
            next_at: None,
            pending: None,
            // An unusable checkpoint is the import's one item.
            ready: refused.map(Err),
        }
    }

    /// The page size to ask for (at most `maxLimit`); only before the first record is read,
    /// and not on a resumed import (its pages were numbered with the checkpoint's size).
    pub fn page_size(mut self, size: u64) -> Self {
        if self.spec.sends_limit && self.position.yielded == 0 && self.position.page == 1 {
            let size = size.max(1);
            self.position.page_size = Some(self.spec.max_limit.map_or(size, |max| size.min(max)));
        }
        self
    }

    /// At most `per_second` requests per second, replacing the definition's
    /// `rateLimitPerSecond` (e.g. a provider that granted this install more); `None` removes the
    /// limit.
    pub fn rate_limit(mut self, per_second: Option<f64>) -> Self {
        self.pace = Pace::new(per_second).map(Arc::new);
        self
    }

    /// The most pages one import fetches (default 100 000); one more is an error, not a
    /// silent stop.
    pub fn max_pages(mut self, pages: u64) -> Self {
        self.max_pages = pages;
        self
    }

    /// The most records one page may hold; a page with more is refused unmapped
    /// ([`Problem::TooManyRecords`], which ends the import). By default ten times the page size
    /// asked for, and at least 10 000 (100 000 when no page size is sent): raise it for a
    /// provider that really answers with pages that large.
    pub fn max_page_records(mut self, most: usize) -> Self {
        self.max_page_records = Some(most.max(1));
        self
    }

    fn most_records(&self) -> usize {
        self.max_page_records.unwrap_or_else(|| match self.position.page_size {
            Some(size) => usize::try_from(size.saturating_mul(PAGE_RECORDS_FACTOR)).unwrap_or(usize::MAX).max(10_000),
            None => 100_000,
        })
    }

    /// How many details calls run at once (default 4).
    pub fn details_concurrency(mut self, n: usize) -> Self {
        self.details_concurrency = n.max(1);
        self
    }

    /// Where the import stands: everything up to here has been yielded.
    pub fn checkpoint(&self) -> &Checkpoint {
        &self.position
    }

    fn error(&self, problem: Problem, record: Option<usize>) -> Error {
        Error::Sync { resource: self.spec.name.to_string(), page: self.position.page, record, problem }
    }

    /// Takes a fetched page: checks it against the previous ones, notes any drift, decides
    /// whether it is the last, and queues its records (past those a resumed checkpoint already
    /// yielded).
    fn accept(&mut self, page: Page<R>) -> Result<(), Error> {
        let paging = self.spec.paging;
        if page.past_end {
            self.check_count(self.before_page);
            self.finished = true;
            self.next_page();
            return Ok(());
        }
        let n = page.items.len() as u64;
        // The errors first: nothing of a page that ends the import is noted.
        let cursor_again = paging.follows() && page.next.is_some() && page.next == self.position.cursor;
        if cursor_again || (n > 0 && self.recent.contains(&page.content)) {
            return Err(self.error(Problem::RepeatedPage, None));
        }
        if n > 0 {
            if self.recent.len() == RECENT_PAGES {
                self.recent.pop_front();
            }
            self.recent.push_back(page.content);
        }
        if let Some(total) = page.total {
            if let Some(from) = self.position.total.filter(|&from| from != total && paging.positional()) {
                self.notices.push_back(Problem::Drift(Drift::TotalChanged { from, to: total }));
            }
            self.position.total = Some(total);
        }
        if let Some((count, earlier)) = self.recent_codes.add(self.position.page, page.codes) {
            self.notices.push_back(Problem::Drift(Drift::Repeated { count, earlier }));
        }
        let seen = self.before_page.saturating_add(n);
        let last = match paging {
            // Without a total, a short page is confirmed by asking for the next: only an empty
            // page (or a 404 past the end) ends the import, so a provider that clamps the page
            // size loses nothing.
            Paging::Pages { .. } | Paging::Offset => n == 0 || page.total.is_some_and(|total| seen >= total),
            _ => page.next.is_none(),
        };
        if last && n == 0 {
            self.check_count(seen);
        }
        self.next_at = page.next;
        self.page_len = n;
        let skip = usize::try_from(self.position.offset).unwrap_or(usize::MAX);
        self.buffer.extend(page.items.into_iter().skip(skip));
        if last {
            self.finished = true;
        }
        if self.buffer.is_empty() {
            self.next_page();
        }
        Ok(())
    }

    /// At the end of a positional import: fewer records than the provider's total is drift.
    fn check_count(&mut self, yielded: u64) {
        if let Some(total) = self.position.total.filter(|&total| yielded < total && self.spec.paging.positional()) {
            self.notices.push_back(Problem::Drift(Drift::Short { total, yielded }));
        }
    }

    /// Moves the position past the current page.
    fn next_page(&mut self) {
        self.before_page = self.before_page.saturating_add(self.page_len);
        self.position.yielded = self.before_page;
        self.position.page = self.position.page.saturating_add(1);
        self.position.offset = 0;
        self.page_len = 0;
        if self.spec.paging.follows() {
            self.position.cursor = self.next_at.take();
        }
        if self.finished {
            self.position.done = true;
        }
    }

    /// Fetches the current page, or (`ahead`) the one after it.
    fn fetch(&self, ahead: bool) -> BoxFuture<'a, Result<Page<R>, Error>> {
        let (engine, spec, build, pace) = (self.engine, self.spec, self.build.clone(), self.pace.clone());
        let (page, records_before, at) = if ahead {
            (self.position.page.saturating_add(1), self.before_page.saturating_add(self.page_len), self.next_at.clone())
        } else {
            (self.position.page, self.before_page, self.position.cursor.clone())
        };
        let request = PageRequest {
            page,
            records_before,
            at,
            size: self.position.page_size,
            concurrency: self.details_concurrency,
            most: self.most_records(),
        };
        Box::pin(async move { fetch_page(engine, spec, &*build, pace.as_deref(), request).await })
    }
}

impl<'a, R: Send + 'a> futures_core::Stream for Import<'a, R> {
    type Item = Result<R, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            // Let the next page's request make progress while this page is consumed.
            if !this.buffer.is_empty()
                && let Some(pending) = this.pending.as_mut()
                && let Poll::Ready(fetched) = pending.as_mut().poll(cx)
            {
                this.pending = None;
                this.ready = Some(fetched);
            }
            // Drift is yielded where it was seen, before the records of the page that showed it.
            if let Some(problem) = this.notices.pop_front() {
                return Poll::Ready(Some(Err(this.error(problem, None))));
            }
            if let Some(item) = this.buffer.pop_front() {
                let index = usize::try_from(this.position.offset).unwrap_or(usize::MAX);
                let item = item.map_err(|problem| this.error(problem, Some(index)));
                this.position.offset = this.position.offset.saturating_add(1);
                this.position.yielded = this.position.yielded.saturating_add(1);
                if this.buffer.is_empty() {
                    this.next_page();
                }
                return Poll::Ready(Some(item));
            }
            if this.finished {
                return Poll::Ready(None);
            }
            let fetched = match this.ready.take() {
                Some(fetched) => fetched,
                None => {
                    if this.pending.is_none() {
                        if this.position.page > this.max_pages {
                            this.finished = true;
                            return Poll::Ready(Some(Err(this.error(Problem::TooManyPages { max: this.max_pages }, None))));
                        }
                        this.pending = Some(this.fetch(false));
                    }
                    let Some(pending) = this.pending.as_mut() else { continue };
                    match pending.as_mut().poll(cx) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(fetched) => {
                            this.pending = None;
                            fetched
                        }
                    }
                }
            };
            if let Err(e) = fetched.and_then(|page| this.accept(page)) {
                // The checkpoint still points at the page that failed: resuming refetches it.
                this.finished = true;
                return Poll::Ready(Some(Err(e)));
            }
            // More to come: start the next page now.
            let next = this.position.page.saturating_add(1);
            if !this.finished && !this.buffer.is_empty() && next <= this.max_pages {
                this.pending = Some(this.fetch(true));
            }
        }
    }
}

/// Which page to fetch, and how.
struct PageRequest {
    /// The page's number in the import (1-based).
    page: u64,
    /// How many records the pages before it held (the offset of offset paging).
    records_before: u64,
    /// Cursor and link paging: the cursor or URL of the page (`None` for the first).
    at: Option<String>,
    /// The page size sent, if any.
    size: Option<u64>,
    /// Details calls at once.
    concurrency: usize,
    /// The most records the page may hold.
    most: usize,
}

/// Fetches and maps one page (and its details calls).
async fn fetch_page<R>(
    engine: &Engine,
    spec: &'static ResourceSpec,
    build: &Build<'_, R>,
    pace: Option<&Pace>,
    request: PageRequest,
) -> Result<Page<R>, Error> {
    let PageRequest { page, records_before, at, size, concurrency, most } = request;
    let fail = |problem: Problem| Error::Sync { resource: spec.name.to_string(), page, record: None, problem };
    let timeout = spec.timeout_ms.map(Duration::from_millis);
    let mut vars = crate::rt::Vars::new();
    match spec.paging {
        Paging::Pages { first } => vars.insert("page", Value::from(first.saturating_add(page.saturating_sub(1)))),
        Paging::Offset => vars.insert("offset", Value::from(records_before)),
        _ => {}
    }
    if let Some(size) = size {
        vars.insert("limit", Value::from(size));
    }
    let at = match (&at, spec.paging) {
        (None, _) => At::Template,
        (Some(cursor), Paging::Cursor { param: Some(param), .. }) if !paging::is_absolute_url(cursor) => At::Param(param, cursor),
        (Some(url), _) => At::Url(url),
    };
    if let Some(pace) = pace {
        pace.wait().await;
    }
    let mut snapshot = engine.snapshot(spec.list.name).await?;
    let (body, headers) = match engine.fetch_at(&spec.list, &vars, &mut snapshot, timeout, at).await {
        Ok(fetched) => fetched,
        // No such page after a non-empty one (Django REST framework's "Invalid page."): the end.
        Err(e) if e.status() == Some(404) && page > 1 && spec.paging.positional() => return Ok(Page::past_end()),
        Err(e) => return Err(e),
    };
    let next = match spec.paging {
        Paging::Link => paging::next_link(&headers),
        _ => None,
    };

    let Some(details) = &spec.details else {
        let read = read_page(&body, spec, spec.record.trie(), spec.code, most, |slots| build(Captured { slots, spec: &spec.record }))
            .map_err(fail)?;
        let next = next.or(read.next);
        return Ok(Page {
            items: read.page.records,
            total: read.page.total,
            content: read.content,
            codes: read.codes,
            next,
            past_end: false,
        });
    };

    // Details mode: the page gives ids; each details response is the record.
    let read = read_page(&body, spec, ids_trie(), Some(0), most, |slots| match slots.first_mut().map(std::mem::take) {
        Some(Slot::Text(id)) if !id.is_empty() => Ok(id),
        _ => Err(Problem::NoId),
    })
    .map_err(fail)?;
    let (ids, total, content, codes, next) = (read.page.records, read.page.total, read.content, read.codes, next.or(read.next));
    let one = |id: Result<String, Problem>| {
        let mut snapshot = snapshot.clone();
        async move {
            let id = match id {
                Ok(id) if crate::rt::template::is_segment(&id) => id,
                Ok(id) => return Ok(Err(Problem::UnusableId { id })),
                Err(problem) => return Ok(Err(problem)),
            };
            if let Some(pace) = pace {
                pace.wait().await;
            }
            let vars: crate::rt::Vars = [("id", Value::String(id.clone()))].into_iter().collect();
            match engine.fetch_bytes(details, &vars, &mut snapshot, &[], timeout).await {
                Ok(bytes) => Ok(spec.record.map(&bytes, build)),
                Err(e) if e.status() == Some(404) => Ok(Err(Problem::Gone { id })),
                Err(e) => Err(e),
            }
        }
    };
    use futures_util::StreamExt as _;
    let results: Vec<Result<Result<R, Problem>, Error>> = futures_util::stream::iter(ids).map(one).buffered(concurrency).collect().await;
    let items = results.into_iter().collect::<Result<Vec<_>, Error>>()?;
    Ok(Page { items, total, content, codes, next, past_end: false })
}

/// The capture of a listed record's `id` (details mode).
fn ids_trie() -> &'static Trie {
    static IDS: OnceLock<Trie> = OnceLock::new();
    IDS.get_or_init(|| Trie::new(&[Capture { steps: &[Step::Field("id")], kind: Kind::Text }]))
}

/// A list page, mapped: each record or its record-level problem, in order, and the total.
#[derive(Debug)]
pub struct MappedPage<T> {
    pub records: Vec<Result<T, Problem>>,
    pub total: Option<u64>,
}

/// A list page as read: its records and total, a hash of its records array's bytes (the page's
/// identity, to recognise it sent again), each record's code hash, and its next-page value.
struct Read<T> {
    page: MappedPage<T>,
    content: u64,
    codes: Vec<u64>,
    next: Option<String>,
}

/// Reads a list page: each element of the records array mapped with `build` (with the hash of
/// the `code` capture's value taken first), the total, and the next-page value.
fn read_page<T>(
    body: &[u8],
    spec: &ResourceSpec,
    trie: &Trie,
    code: Option<usize>,
    most: usize,
    build: impl FnMut(&mut [Slot]) -> Result<T, Problem>,
) -> Result<Read<T>, Problem> {
    // Room for the records a page of this size is likely to hold (records are rarely under
    // 256 bytes), so the list is not regrown record after record.
    let mut out = page::Out {
        items: Vec::with_capacity((body.len() / 256).min(4096)),
        codes: Vec::new(),
        total: None,
        next: None,
        data: page::Data::Missing,
        content: 0,
    };
    let next = match spec.paging {
        Paging::Cursor { next, .. } => Some(next),
        _ => None,
    };
    let mut scanner = Scanner::new(body);
    let mut walk = page::Walk { data: spec.data, total: spec.total, next, code, most, trie, build, out: &mut out };
    let walked =
        walk.at(&mut scanner, page::At { data: Some(0), total: spec.total.map(|_| 0), next: next.map(|_| 0) }).and_then(|()| scanner.end());
    if let Err(e) = walked {
        return Err(Problem::NotJson { line: e.line(), column: e.column(), message: e.message().to_string() });
    }
    match out.data {
        page::Data::Array => {
            let next = out.next.as_ref().and_then(paging::next_text);
            Ok(Read { page: MappedPage { records: out.items, total: out.total }, content: out.content, codes: out.codes, next })
        }
        page::Data::Missing => Err(Problem::MissingData { path: path::display(spec.data) }),
        page::Data::Other(found) => Err(Problem::DataNotArray { path: path::display(spec.data), found }),
        page::Data::TooMany => Err(Problem::TooManyRecords { most }),
    }
}

mod page {
    //! The walk over a list page down to its records array and its total.

    use serde_json::Value;

    use super::Problem;
    use crate::reader::scan::{Error, Scanner};
    use crate::reader::{Slot, Trie};
    use crate::rt::path::Step;

    pub(super) enum Data {
        Missing,
        Array,
        Other(&'static str),
        /// An array of more records than a page may hold (the rest were skipped unread).
        TooMany,
    }

    pub(super) struct Out<T> {
        pub items: Vec<Result<T, Problem>>,
        /// The hash of each record's code, where it has one.
        pub codes: Vec<u64>,
        pub total: Option<u64>,
        /// The value at the next-page path.
        pub next: Option<Value>,
        pub data: Data,
        /// A hash of the records array's bytes.
        pub content: u64,
    }

    /// The paths to the records, to the total and to the next page's cursor or URL, and where
    /// their values go.
    pub(super) struct Walk<'a, T, F> {
        pub data: &'static [Step],
        pub total: Option<&'static [Step]>,
        pub next: Option<&'static [Step]>,
        /// The capture of a record's code.
        pub code: Option<usize>,
        /// The most records a page may hold.
        pub most: usize,
        pub trie: &'a Trie,
        pub build: F,
        pub out: &'a mut Out<T>,
    }

    /// How many steps of each path the value under the scanner has matched (`None`: off it).
    #[derive(Clone, Copy)]
    pub(super) struct At {
        pub data: Option<usize>,
        pub total: Option<usize>,
        pub next: Option<usize>,
    }

    /// A total: a number, or a string holding one; anything else is no total.
    fn total(value: &Value) -> Option<u64> {
        match value {
            Value::Number(n) => n.as_u64().or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// The position after matching one more step of `path`, if `step` is that step.
    fn advance(at: Option<usize>, path: &[Step], step: impl Fn(&Step) -> bool) -> Option<usize> {
        at.and_then(|at| path.get(at).filter(|s| step(s)).map(|_| at + 1))
    }

    impl<T, F: FnMut(&mut [Slot]) -> Result<T, Problem>> Walk<'_, T, F> {
        /// The value at the scanner, with `at` steps of each path matched.
        pub(super) fn at(&mut self, scanner: &mut Scanner<'_>, at: At) -> Result<(), Error> {
            if at.data == Some(self.data.len()) {
                return self.records(scanner);
            }
            let total_path = self.total.unwrap_or_default();
            let next_path = self.next.unwrap_or_default();
            let total_here = self.total.is_some() && at.total == Some(total_path.len());
            let next_here = self.next.is_some() && at.next == Some(next_path.len());
            if total_here || next_here {
                let start = scanner.pos();
                let bytes = scanner.value()?;
                let value: Value = serde_json::from_slice(bytes).map_err(|e| scanner.error_in_value(start, &e))?;
                if total_here {
                    self.out.total = total(&value);
                }
                if next_here {
                    self.out.next = Some(value);
                }
                return Ok(());
            }
            if at.data.is_none() && at.total.is_none() && at.next.is_none() {
                return scanner.skip();
            }
            // A key that comes twice keeps its last value, as serde_json does: what an earlier
            // value on the records' (or the total's, or the next's) path gave is forgotten.
            if at.data.is_some() {
                self.out.items.clear();
                self.out.codes.clear();
                self.out.data = Data::Missing;
            }
            if at.total.is_some() {
                self.out.total = None;
            }
            if at.next.is_some() {
                self.out.next = None;
            }
            let data_path = self.data;
            let step_all = |step: &dyn Fn(&Step) -> bool| At {
                data: advance(at.data, data_path, step),
                total: advance(at.total, total_path, step),
                next: advance(at.next, next_path, step),
            };
            match scanner.peek() {
                Some(b'{') => {
                    scanner.enter();
                    let mut first = true;
                    while let Some(key) = scanner.next_key(first)? {
                        first = false;
                        let inner = step_all(&|s: &Step| matches!(s, Step::Field(name) if name.as_bytes() == key.as_bytes()));
                        self.at(scanner, inner)?;
                    }
                    Ok(())
                }
                Some(b'[') => {
                    scanner.enter();
                    let mut index = 0usize;
                    while scanner.next_element(index == 0)? {
                        let inner = step_all(&|s: &Step| matches!(s, Step::Index(i) if *i == index));
                        self.at(scanner, inner)?;
                        index += 1;
                    }
                    Ok(())
                }
                _ => scanner.skip(),
            }
        }

        /// The records array: each element read by the record's trie and mapped.
        fn records(&mut self, scanner: &mut Scanner<'_>) -> Result<(), Error> {
            // The last records array of a key written twice is the one (as serde_json reads it).
            self.out.items.clear();
            self.out.codes.clear();
            let found = match scanner.peek() {
                Some(b'[') => {
                    self.out.data = Data::Array;
                    let start = scanner.pos();
                    scanner.enter();
                    let mut slots = Vec::new();
                    let mut first = true;
                    let mut count = 0usize;
                    while scanner.next_element(first)? {
                        first = false;
                        count += 1;
                        if count > self.most {
                            // Refused, not mapped: the rest is only skipped.
                            scanner.skip()?;
                            continue;
                        }
                        self.trie.read(scanner, &mut slots)?;
                        if let Some(code) = self.code.and_then(|c| slots.get(c)).and_then(super::paging::code_hash) {
                            self.out.codes.push(code);
                        }
                        self.out.items.push((self.build)(&mut slots));
                    }
                    if count > self.most {
                        self.out.items = Vec::new();
                        self.out.codes = Vec::new();
                        self.out.data = Data::TooMany;
                    }
                    self.out.content = {
                        use std::hash::{Hash, Hasher};
                        let mut hasher = std::hash::DefaultHasher::new();
                        scanner.since(start).hash(&mut hasher);
                        hasher.finish()
                    };
                    return Ok(());
                }
                Some(b'{') => "an object",
                Some(b'"') => "a string",
                Some(b't' | b'f') => "a boolean",
                Some(b'n') => "null",
                _ => "a number",
            };
            scanner.skip()?;
            self.out.data = Data::Other(found);
            Ok(())
        }
    }
}

/// Maps one list page with a resource's compiled mapping, as an import does (records in order,
/// each or its problem, and the total). Generated code calls it as `<Resource>Record::map_page`.
pub fn map_page<R>(
    body: &[u8],
    spec: &'static ResourceSpec,
    build: impl Fn(Captured<'_>) -> Result<R, Problem>,
) -> Result<MappedPage<R>, Problem> {
    read_page(body, spec, spec.record.trie(), None, usize::MAX, |slots| build(Captured { slots, spec: &spec.record })).map(|read| read.page)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pace the import keeps, on tokio's paused clock: exactly what it scheduled, whatever the
    /// machine's load (the end-to-end test can only check a lower bound on a real clock).
    #[tokio::test(start_paused = true)]
    async fn a_pace_starts_requests_exactly_one_interval_apart() {
        let Some(pace) = Pace::new(Some(5.0)) else { panic!("a positive rate has a pace") };
        let start = tokio::time::Instant::now();
        let mut starts = Vec::new();
        for _ in 0..4 {
            pace.wait().await;
            starts.push(tokio::time::Instant::now() - start);
        }
        let ms: Vec<u128> = starts.iter().map(Duration::as_millis).collect();
        assert_eq!(ms, [0, 200, 400, 600]);
        // Time spent elsewhere counts towards the next interval: no wait once it has passed.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let before = tokio::time::Instant::now();
        pace.wait().await;
        assert_eq!(tokio::time::Instant::now(), before);
        assert!(Pace::new(Some(0.0)).is_none() && Pace::new(Some(f64::NAN)).is_none() && Pace::new(None).is_none());
    }
}
