//! Rust names from JSON names, deterministically: `sendMessage` → `send_message` /
//! `SendMessage`; keywords become raw identifiers (`r#type`); `self`, `Self`, `super` and `crate`,
//! which cannot be raw, get a trailing `_`.

/// Whether `c` can stand in a word of an identifier: a letter or digit that Rust accepts in
/// identifiers (`XID_Continue`), so `a²`, `x½` or `①` keep only what Rust can spell.
fn word_char(c: char) -> bool {
    c.is_alphanumeric() && unicode_ident::is_xid_continue(c)
}

/// Splits a JSON name into lowercase words: `sendHTTPMessage2` → `send`, `http`, `message2`.
fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !word_char(c) {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1);
        let boundary = c.is_uppercase()
            && !current.is_empty()
            && (prev.is_some_and(|p| p.is_lowercase() || p.is_ascii_digit())
                || (prev.is_some_and(char::is_uppercase) && next.is_some_and(|n| n.is_lowercase())));
        if boundary {
            words.push(std::mem::take(&mut current));
        }
        current.extend(c.to_lowercase());
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `snake_case`, never empty, always starting with a character that can start an identifier.
pub fn snake(name: &str) -> String {
    let s = words(name).join("_");
    match s.chars().next() {
        None => "field".to_string(),
        Some(c) if !unicode_ident::is_xid_start(c) => format!("n{s}"),
        _ => s,
    }
}

/// A name as a title for people: `createTicket` → `Create ticket` (the same words as [`snake`]).
pub fn title(name: &str) -> String {
    let text = words(name).join(" ");
    let mut chars = text.chars();
    chars.next().map(|f| f.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// `PascalCase`, never empty, never starting with a digit.
pub fn pascal(name: &str) -> String {
    let s: String = words(name)
        .iter()
        .map(|w| {
            let mut cs = w.chars();
            cs.next().map(|f| f.to_uppercase().chain(cs).collect::<String>()).unwrap_or_default()
        })
        .collect();
    match s.chars().next() {
        None => "Value".to_string(),
        Some(c) if !unicode_ident::is_xid_start(c) => format!("V{s}"),
        _ => s,
    }
}

const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn", "else", "enum", "extern", "false",
    "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub",
    "ref", "return", "static", "struct", "trait", "true", "try", "type", "typeof", "union", "unsafe", "unsized", "use", "virtual", "where",
    "while", "yield",
];

/// An identifier token for a converted name.
pub fn ident(name: &str) -> proc_macro2::Ident {
    let span = proc_macro2::Span::call_site();
    if matches!(name, "self" | "Self" | "super" | "crate" | "_") {
        proc_macro2::Ident::new(&format!("{name}_"), span)
    } else if KEYWORDS.contains(&name) {
        proc_macro2::Ident::new_raw(name, span)
    } else {
        proc_macro2::Ident::new(name, span)
    }
}

/// The name of an identifier as it reads in source (`r#type`, `self_`).
pub fn display(name: &str) -> String {
    ident(name).to_string()
}

/// Methods every generated `Client` has, which actions and sources must not shadow.
pub const RESERVED_METHODS: &[&str] = &[
    "new",
    "builder",
    "store",
    "engine",
    "authorize_url",
    "exchange_code",
    "refresh_token",
    "user_details",
    "register",
    "test_token",
    "connect",
    "receive_webhook",
    "confirm_webhook",
    "release_webhook",
];

/// Types every generated module has.
pub const RESERVED_TYPES: &[&str] = &["App", "AppBuilder", "Client", "ClientBuilder", "Credentials", "Functions", "Event"];

/// Methods every generated `AppBuilder` has (`miniapp::app_settings!` and its own), which the
/// typed config setters must not shadow.
pub const APP_BUILDER_METHODS: &[&str] = &[
    "new",
    "dedupe",
    "refresh_lock",
    "config",
    "config_rotating",
    "base_url",
    "http_client",
    "max_response_bytes",
    "deadline",
    "timeout",
    "retry",
    "rate_limit",
    "webhook_url",
    "subdomain",
    "redirect_uri",
    "build",
    "try_build",
];

/// The variants of the `Event` enum, one per event string (docs/format.md §10.3), in order:
/// `order.placed` → `OrderPlaced` (see [`variants`]; `Other` is the variant of undeclared events).
pub fn event_variants<'a>(events: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    variants(events, &["Other"])
}

/// The variants of a generated enum, one per value, in order. Names are the generator's, so they
/// never fail: a value's words where it has letters or digits (`created_at` → `CreatedAt`),
/// punctuation spelled out where it has none (`!=` → `NotEq`, `>=` → `GtEq`, `""` → `Empty`),
/// and the smallest free numeric suffix for a name already taken (`createdAt` → `CreatedAt2`).
/// `Self` and the `reserved` names are never used as they are.
pub fn variants<'a>(values: impl IntoIterator<Item = &'a str>, reserved: &[&str]) -> Vec<String> {
    let mut space = Namespace::new(reserved.iter().copied().chain(["Self"]));
    values.into_iter().map(|value| space.claim(if words(value).is_empty() { spelled(value) } else { pascal(value) })).collect()
}

/// A value without letters or digits, spelled out: each character's name, in `PascalCase`.
fn spelled(value: &str) -> String {
    if value.is_empty() {
        return "Empty".to_string();
    }
    value
        .chars()
        .map(|c| match c {
            '=' => "Eq".to_string(),
            '!' => "Not".to_string(),
            '<' => "Lt".to_string(),
            '>' => "Gt".to_string(),
            '~' => "Tilde".to_string(),
            '+' => "Plus".to_string(),
            '-' => "Minus".to_string(),
            '*' => "Star".to_string(),
            '/' => "Slash".to_string(),
            '\\' => "Backslash".to_string(),
            '%' => "Percent".to_string(),
            '&' => "And".to_string(),
            '|' => "Or".to_string(),
            '^' => "Caret".to_string(),
            '.' => "Dot".to_string(),
            ',' => "Comma".to_string(),
            ':' => "Colon".to_string(),
            ';' => "Semicolon".to_string(),
            '?' => "Question".to_string(),
            '@' => "At".to_string(),
            '#' => "Hash".to_string(),
            '$' => "Dollar".to_string(),
            '(' => "LParen".to_string(),
            ')' => "RParen".to_string(),
            '[' => "LBracket".to_string(),
            ']' => "RBracket".to_string(),
            '{' => "LBrace".to_string(),
            '}' => "RBrace".to_string(),
            '\'' => "Quote".to_string(),
            '"' => "DoubleQuote".to_string(),
            '`' => "Backtick".to_string(),
            '_' => "Underscore".to_string(),
            ' ' => "Space".to_string(),
            other => format!("U{:04X}", u32::from(other)),
        })
        .collect()
}

/// One namespace of names the generator chooses (enum variants, statics, fields it adds): the
/// first claim of a name gets it, a later claim of a taken name gets the smallest free numeric
/// suffix (`Name2`, `NAME_2`). Deterministic: the same claims in the same order give the same
/// names.
#[derive(Clone, Debug, Default)]
pub struct Namespace {
    taken: std::collections::BTreeSet<String>,
}

impl Namespace {
    /// A namespace where `reserved` are already taken.
    pub fn new<'a>(reserved: impl IntoIterator<Item = &'a str>) -> Self {
        Namespace { taken: reserved.into_iter().map(str::to_string).collect() }
    }

    /// Takes `base`, or `base` with the smallest free suffix: `2` after a `PascalCase` name,
    /// `_2` after a `snake_case` or `SCREAMING_CASE` one or a name ending in a digit.
    pub fn claim(&mut self, base: String) -> String {
        let pascal_case = base.starts_with(char::is_uppercase) && base.contains(char::is_lowercase) && !base.contains('_');
        let separator = if pascal_case && !base.ends_with(|c: char| c.is_ascii_digit()) { "" } else { "_" };
        let mut name = base.clone();
        let mut n = 2;
        while self.taken.contains(&name) {
            name = format!("{base}{separator}{n}");
            n += 1;
        }
        self.taken.insert(name.clone());
        name
    }
}

/// A struct field's identifier and the serde rename it needs, decided from the final identifier:
/// `self` becomes `self_` renamed to `"self"`, `type` becomes `r#type` (which serde reads as
/// `type`: no rename), `createdAt` becomes `created_at` renamed to `"createdAt"`.
pub fn field(rust: &str, json: &str) -> (proc_macro2::Ident, Option<String>) {
    let id = ident(rust);
    let text = id.to_string();
    let serde_name = text.strip_prefix("r#").unwrap_or(&text);
    let rename = (serde_name != json).then(|| json.to_string());
    (id, rename)
}

/// Document text made safe for a generated comment: a carriage return becomes a line break, and
/// other control characters and the bidirectional-override characters (which could reorder how
/// the code reads, and which rustc denies) are written as `\u{..}` escapes.
pub fn doc_text(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let bidi = matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{061c}');
        if bidi || (c.is_control() && c != '\n' && c != '\t') {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// Text for one line of a generated comment (line breaks become spaces).
pub fn comment_line(text: &str) -> String {
    doc_text(text).replace('\n', " ")
}

/// The package name of a generated crate: the namespace, prefixed when it starts with a digit
/// (which Cargo does not accept).
pub fn crate_name(ns: &str) -> String {
    if ns.starts_with(|c: char| c.is_ascii_alphabetic()) { ns.to_string() } else { format!("connector-{ns}") }
}

/// The type of an action's input: `SendMessageInput`.
pub fn input_type(action: &str) -> String {
    format!("{}Input", pascal(action))
}

/// The type of an action's result: `SendMessageOutput`.
pub fn output_type(action: &str) -> String {
    format!("{}Output", pascal(action))
}

/// The type of a nested object or string enum parameter: `SendMessageAttachment`.
pub fn nested_type(parent: &str, field: &str) -> String {
    format!("{parent}{}", pascal(field))
}

/// The arguments of an App Function: `FirstOpenArgs`.
pub fn args_type(function: &str) -> String {
    format!("{}Args", pascal(function))
}

/// The record of a sync resource: `CatalogRecord`.
pub fn record_type(resource: &str) -> String {
    format!("{}Record", pascal(resource))
}

/// The record a shape-A sync handler writes (docs/format.md §11.6): `OrderChange`. (Resource
/// records end in `Record`, so the two never meet.)
pub fn change_type(record_type: &str) -> String {
    format!("{}Change", pascal(record_type))
}

/// The import method of a sync resource: `sync_catalog` (and `sync_catalog_from`).
pub fn sync_method(resource: &str) -> String {
    format!("sync_{}", snake(resource))
}

/// The `Functions` method of a sync `compute` helper: `compute_acme_sales_channel`.
pub fn compute_method(function: &str) -> String {
    format!("compute_{}", snake(function))
}

/// A struct typed from samples (docs/format.md §17) for the object at `key` of `owner`:
/// `UpdateOrderStatusOutput` + `order` → `UpdateOrderStatusOutputOrder`.
pub fn data_type(owner: &str, key: &str) -> String {
    format!("{owner}{}", pascal(key))
}

/// The struct of the objects in the array at `key` of `owner`, named after one of them:
/// `OrdersRecord` + `lines` → `OrdersRecordLine`, `categories` → `…Category`, `data` → `…DataItem`.
pub fn element_type(owner: &str, key: &str) -> String {
    let word = pascal(key);
    let one = if let Some(stem) = word.strip_suffix("ies").filter(|s| s.len() > 1) {
        format!("{stem}y")
    } else if let Some(stem) = word.strip_suffix('s').filter(|s| s.len() > 1 && !s.ends_with('s') && !s.ends_with('u')) {
        stem.to_string()
    } else {
        format!("{word}Item")
    };
    format!("{owner}{one}")
}

/// The parent name used for an action's nested types: `SendMessage`.
pub fn action_prefix(action: &str) -> String {
    pascal(action)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_and_element_types() {
        assert_eq!(data_type("UpdateOrderStatusOutput", "order"), "UpdateOrderStatusOutputOrder");
        assert_eq!(element_type("OrdersRecord", "lines"), "OrdersRecordLine");
        assert_eq!(element_type("OrdersRecord", "items"), "OrdersRecordItem");
        assert_eq!(element_type("X", "categories"), "XCategory");
        assert_eq!(element_type("X", "data"), "XDataItem");
        assert_eq!(element_type("X", "address"), "XAddressItem");
        assert_eq!(element_type("X", "status"), "XStatusItem");
        assert_eq!(element_type("X", "2fa"), "XV2faItem");
    }

    #[test]
    fn event_variants_are_words_or_synthetic_and_never_collide() {
        let events = ["order.placed", "order_placed", "OrderPlaced", "->", "other", "Other", "1st.run"];
        assert_eq!(event_variants(events), ["OrderPlaced", "OrderPlaced2", "OrderPlaced3", "MinusGt", "Other2", "Other3", "V1stRun"]);
    }

    #[test]
    fn names_keep_only_what_rust_can_spell() {
        for (json, rust) in [("a²", "a"), ("x½y", "x_y"), ("٣abc", "n٣abc"), ("①", "field"), ("名前", "名前"), ("a\u{202e}b", "a_b")]
        {
            assert_eq!(snake(json), rust, "{json}");
            assert!(syn::parse_str::<syn::Ident>(&display(&snake(json))).is_ok(), "{json}");
            assert!(syn::parse_str::<syn::Ident>(&pascal(json)).is_ok(), "{json}");
        }
        assert_eq!(
            variants(["self", "Self", "=", "!=", "~", "<", ">=", "created_at", "createdAt", "", "Eq", "→"], &[]),
            ["Self2", "Self3", "Eq", "NotEq", "Tilde", "Lt", "GtEq", "CreatedAt", "CreatedAt2", "Empty", "Eq2", "U2192"]
        );
    }

    #[test]
    fn namespaces_suffix_by_the_name_s_case_and_renames_follow_the_final_identifier() {
        let mut space = Namespace::new(["Client"]);
        assert_eq!(space.claim("Client".into()), "Client2");
        assert_eq!(space.claim("REGISTRATION_1".into()), "REGISTRATION_1");
        assert_eq!(space.claim("REGISTRATION_1".into()), "REGISTRATION_1_2");
        assert_eq!(space.claim("returned".into()), "returned");
        assert_eq!(space.claim("returned".into()), "returned_2");
        let shown = |(id, rename): (proc_macro2::Ident, Option<String>)| (id.to_string(), rename);
        assert_eq!(shown(field("self", "self")), ("self_".to_string(), Some("self".to_string())));
        assert_eq!(shown(field("type", "type")), ("r#type".to_string(), None));
        assert_eq!(shown(field("created_at", "createdAt")), ("created_at".to_string(), Some("createdAt".to_string())));
        assert_eq!(shown(field("name", "name")), ("name".to_string(), None));
    }

    #[test]
    fn converts_common_shapes() {
        assert_eq!(snake("sendMessage"), "send_message");
        assert_eq!(snake("send_message"), "send_message");
        assert_eq!(snake("HTTPRequest"), "http_request");
        assert_eq!(snake("x-source"), "x_source");
        assert_eq!(snake("order.status_changed"), "order_status_changed");
        assert_eq!(snake("2fa"), "n2fa");
        assert_eq!(snake("--"), "field");
        assert_eq!(pascal("notifyMember"), "NotifyMember");
        assert_eq!(pascal("not_planned"), "NotPlanned");
        assert_eq!(pascal("team-only"), "TeamOnly");
        assert_eq!(pascal("15"), "V15");
        assert_eq!(title("postToRoom"), "Post to room");
        assert_eq!(title("send_HTTPMessage"), "Send http message");
    }

    #[test]
    fn keywords_become_raw_and_unrawable_names_get_an_underscore() {
        assert_eq!(display("type"), "r#type");
        assert_eq!(display("async"), "r#async");
        assert_eq!(display("self"), "self_");
        assert_eq!(display("Self"), "Self_");
        assert_eq!(display("crate"), "crate_");
        assert_eq!(display("name"), "name");
    }
}
