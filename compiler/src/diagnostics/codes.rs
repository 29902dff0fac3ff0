//! The registry of diagnostic codes.
//!
//! Codes are stable: a code is never reused for another meaning. `E` codes are errors, `W` codes
//! warnings. The number groups codes by block and follows docs/format.md §15: `0xx` is the source text
//! and generic schema shapes, then one hundred per block of §15 (`01xx` identity, `02xx` auth,
//! `03xx` placeholders, `04xx` actions and sources, `05xx` triggers and webhook, `06xx` sync,
//! `07xx` the whole document, `08xx` generated names, `09xx` samples), and within a block the rule's position in §15 (rule 5, the fifth
//! identity rule, is `E0105`). An `E` and a `W` code with the same number are the two severities
//! of one rule.

use crate::diagnostic::Severity;

/// A diagnostic code with its documentation.
#[derive(Clone, Copy, Debug)]
pub struct Code {
    /// `E0105`, `W0702`, ...
    pub id: &'static str,
    /// Where the rule comes from, e.g. `docs/format.md §15 rule 5`.
    pub rule: &'static str,
    /// One line: what the code is about.
    pub title: &'static str,
    /// The long explanation printed by `miniapp explain`.
    pub explanation: &'static str,
}

impl Code {
    pub fn severity(&self) -> Severity {
        if self.id.starts_with('W') { Severity::Warning } else { Severity::Error }
    }
}

impl PartialEq for Code {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

impl Eq for Code {}

/// Looks a code up by its id (case-insensitive, so `e0105` works on the command line).
pub fn lookup(id: &str) -> Option<Code> {
    ALL.iter().copied().find(|c| c.id.eq_ignore_ascii_case(id))
}

macro_rules! codes {
    ($( $id:ident [$rule:literal] $title:literal => $explanation:literal; )*) => {
        $( pub const $id: Code = Code { id: stringify!($id), rule: $rule, title: $title, explanation: $explanation }; )*
        /// Every code, in numeric order.
        pub const ALL: &[Code] = &[$($id),*];
    };
}

codes! {
    E0001 ["RFC 8259"] "JSON syntax error" =>
"The definition is not valid JSON. The caret points at the first character the parser cannot
accept. Common causes when copying from the Karzoun docs, which show JavaScript object literals:
single-quoted strings, unquoted keys, trailing commas, and back-tick template strings.";

    E0002 ["RFC 8259 §8.1"] "the file is not UTF-8" =>
"A definition must be UTF-8 text. The caret points at the first byte that is not valid UTF-8.
Re-save the file as UTF-8 (without a byte-order mark).";

    E0010 ["docs/format.md §3-§12"] "a value has the wrong JSON type" =>
"The schema of the definition expects another JSON type here (for example an object where a
string was given). The message names the expected and the found type.";

    E0011 ["docs/format.md §3-§12"] "a required member is missing" =>
"An object lacks a member that the format requires. The caret points at the `{` of the object and
the pointer names the missing member. Add the member.";

    E0012 ["docs/format.md §3-§12"] "a value is not one of the allowed values" =>
"The field takes one of a fixed set of values (an enum) and this value is not one of them. The
message lists the allowed values and suggests the closest one.";

    E0013 ["docs/format.md §3-§12"] "a value breaks a constraint of the format" =>
"The value has the right type but breaks a constraint of the schema: a minimum or maximum, a
minimum number of items or characters, or a required pattern.";

    E0101 ["docs/format.md §15 rule 1"] "`ns` is not lowercase kebab-case" =>
"`ns` is the app's namespace. It appears in URLs (`/miniapps/{ns}/...`) and in trigger types
(`miniapps:{ns}`), so it must be lowercase kebab-case: `^[a-z0-9]+(-[a-z0-9]+)*$`, for example
`acme-shop`. It cannot change after approval.";

    W0102 ["docs/format.md §15 rule 2"] "`name` or `type` differs from `ns`" =>
"The docs say `name` and `type` are \"usually the same as `ns`\". A different value is allowed but
is most often a copy-paste mistake from another definition.";

    E0103 ["docs/format.md §15 rule 3"] "`status` is not `public` or `private`" =>
"`status` is one of `\"public\"` and `\"private\"`. Submitters use `\"private\"`.";

    W0103 ["docs/format.md §15 rule 3, §14"] "a submission's `status` is not `private`" =>
"(`--submission` only.) Drafts and submissions use `status: \"private\"`; only Karzoun sets
`\"public\"` after approval.";

    E0104 ["docs/format.md §15 rule 4"] "`version` is not a SemVer 2.0 version" =>
"`version` must be a semantic version such as `1.0.0` or `2.1.0-beta.1` (SemVer 2.0). It is bumped
on every approved change.";

    E0105 ["docs/format.md §15 rule 5"] "`category` is not one of the ten documented values" =>
"`category` is one of: ecommerce, productivity, communication, marketing, developer, payment,
social, storage, analytics, crm (docs/format.md §3.1). Other values are not allowed.";

    E0106 ["docs/format.md §15 rule 6"] "`icon`, `logo` or `docsUrl` is not an absolute https URL" =>
"`icon`, `logo` and `docsUrl` must be absolute `https://` URLs with a host. Brand files are hosted
by the submitter; `docsUrl` points to the submitter's own end-user guide.";

    W0106 ["docs/format.md §15 rule 6"] "`icon` or `logo` is not an .svg or .png file" =>
"Icons and logos are SVG (recommended) or PNG. The URL's path should end in `.svg` or `.png`.";

    W0107 ["docs/format.md §15 rule 7"] "the listing text does not follow the Marketplace guidance" =>
"`shortDescription` should stay under about 120 characters, and `description` (Markdown) should
contain numbered setup steps (`1. ...`).";

    W0108 ["docs/format.md §15 rule 8"] "`youtubeId` looks like a URL" =>
"`youtubeId` is the bare video id (e.g. `c9Hq3xT0aQe`), not a URL. Copy the part after `v=`.";

    W0109 ["docs/format.md §15 rule 9, §3.4"] "a Karzoun-internal field appears in a submission" =>
"(`--submission` only.) `provisioning`, `webhook.merchantExtraction` and `webhook.uninstallEvents`
are used by first-party seeds and are not part of the partner schema.";

    E0201 ["docs/format.md §15 rule 10, §5.1"] "unknown auth type or an auth field name that does not exist" =>
"`auth.type` is one of `bearer_token`, `apikey` and `oauth2`. Names that people often assume, such
as `api_key`, `authorizationUrl`, `tokenUrl` and `scopes`, do not exist in the format and are not
accepted as aliases: use `apikey`, `auth_url`, `get_token`/`refresh_token` and `config.scope`.";

    W0202 ["docs/format.md §15 rule 11"] "a sensitive key names nothing that can hold a secret" =>
"Every entry of `auth.sensitiveKeys` should name a key that can actually hold a value: a key of
`auth.config`, a key of `auth.form`, or an output key of the object mapping of `get_token`,
`refresh_token` or a registration request. Otherwise it is probably misspelled, and the secret it
meant is not protected.";

    W0203 ["docs/format.md §15 rule 12, §14"] "a secret-looking key is not listed in `sensitiveKeys`" =>
"Keys that look like secrets (`*Token`, `*Secret`, `*Key`, `client_secret`, password fields of the
install form, the key used as the webhook signing secret) should be listed in `auth.sensitiveKeys`
so they never reach the browser. Review rule R7 checks this.";

    W0204 ["docs/format.md §15 rule 13, §14"] "a submission carries a value for a sensitive config key" =>
"(`--submission` only.) Submissions must not contain production secrets: user-provided values in
`auth.config` are empty strings. The credentials of a public OAuth app are allowed, which the
compiler cannot tell apart, so this is a warning for a person to confirm.";

    E0205 ["docs/format.md §15 rule 14, §5.3"] "an OAuth app lacks `auth_url` or `get_token`" =>
"With `auth.type: \"oauth2\"` the install runs the authorization-code flow: `auth_url` builds the
redirect to the provider and `get_token` exchanges `{{code}}` for tokens. Both are required.";

    W0205 ["docs/format.md §15 rule 14"] "a refresh token is obtained but never used" =>
"`get_token` maps a `refreshToken`, but there is no `refresh_token` request or `auto_refresh` is
not `true`, so expired access tokens will not be renewed.";

    E0206 ["docs/format.md §15 rule 15, §5.7"] "`auto_refresh` is on but there is no `refresh_token` request" =>
"`auto_refresh: true` makes a 401 from an action run `refresh_token` and retry once. Without a
`refresh_token` request there is nothing to run.";

    E0207 ["docs/format.md §15 rule 16, §4"] "an auth request template is incomplete" =>
"Every request in `auth` (`auth_url`, `get_token`, `refresh_token`, `userDetails`, `test_token`,
`registrationRequests[]`) has a `url` and a `method`, and `method` is one of GET, POST, PUT,
PATCH, DELETE.";

    W0208 ["docs/format.md §15 rule 17, §5.8"] "`userDetails.mapping` does not define `uid`" =>
"Every documented `userDetails` maps `uid`, the unique user identifier that is stored in
`metadata` and available as `{{uid}}`.";

    E0209 ["docs/format.md §15 rule 18, §5.7"] "`refresh_token` reads a key that is never stored" =>
"`refresh_token` must read the stored refresh token through a `[[key]]` placeholder, and that key
must be produced by `get_token.mapping` (or be an `auth.config` slot). Otherwise the refresh
request is sent without a refresh token.";

    W0210 ["docs/format.md §5.3"] "OAuth 2.0 requests under a non-OAuth auth type" =>
"`auth_url` (and a `get_token` that reads `{{code}}` or `{{redirect_uri}}`) belong to the OAuth 2.0
authorization-code flow, which runs only with `\"type\": \"oauth2\"`. Under `bearer_token`,
`apikey` or `basic` they are never used as intended: the generated client has `authorize_url()`
but no `exchange_code()`, and `{{code}}` is sent empty. Set the type to `oauth2`, or remove them.";

    E0301 ["docs/format.md §15 rule 19, §6.2"] "a `[[key]]` names nothing in credentials or metadata" =>
"`[[key]]` reads the install's `credentials`, then its `metadata`. A key can exist there only if it
is a key of `auth.config` or `auth.form`, an output of the object mapping of `get_token`,
`refresh_token` or a registration request (credentials), or an output of `userDetails.mapping`
(metadata).";

    E0302 ["docs/format.md §15 rule 20, §8.5"] "a function step's `args` read a credential" =>
"App Functions never receive credentials: `[[...]]` placeholders are not allowed in a function
step's `args`. Do the authenticated call in an HTTP step and pass its mapped output instead.";

    E0303 ["docs/format.md §15 rule 21, §6.3"] "a `{{key}}` in an action step cannot be resolved" =>
"In an action step, `{{key}}` names a property of the action's `parameters`, an output of an
earlier step, a system value (`webhookUrl`, `subdomain`, `uid`), a `metadata` key, or an
install-form key. A key produced only by a later step is an error: steps run in order.";

    W0303 ["docs/format.md §15 rule 21"] "a `{{key}}` in an action step is resolved only uncertainly" =>
"The key is only an `auth.config` key (the docs document config as a source for registration
requests, not actions), or it may come from an earlier App Function's return value, which cannot
be checked statically.";

    E0304 ["docs/format.md §15 rule 22"] "a `{{key}}` in an OAuth or registration request cannot be resolved" =>
"In `auth_url`, `get_token`, `refresh_token` and registration requests, `{{key}}` names a key of
`auth.config`, a system value (`redirect_uri`, `code`, `webhookUrl`, `subdomain`, `uid`) or an
install-form key.";

    W0304 ["docs/format.md §15 rule 22"] "`{{code}}` or `{{redirect_uri}}` is used where the platform does not supply it" =>
"`{{code}}` exists only while `get_token` runs; `{{redirect_uri}}` only in `auth_url` and
`get_token`.";

    W0305 ["docs/format.md §15 rule 23"] "a `{{key}}` appears where the docs document none" =>
"`{{...}}` placeholders are not documented in `source`, `sync` or `webhook` blocks; the runtime may
leave them unresolved there.";

    E0306 ["docs/format.md §15 rule 24, §6.7"] "a malformed placeholder" =>
"Every `{{` or `[[` opens a placeholder that closes with `}}` or `]]`, and the name inside follows
`[A-Za-z_][A-Za-z0-9_]*` with no spaces, dots or filters. There is no escape for a literal `{{`.";

    W0306 ["docs/format.md §15 rule 24"] "a stray `}}` or `]]`" =>
"A closing `}}` or `]]` without an opener is probably the rest of a broken placeholder (it may also
be literal text).";

    W0307 ["docs/format.md §15 rule 25, §6.6"] "an `Authorization: Basic` value will not be encoded" =>
"The runtime base64-encodes `Basic user:pass` only when the value contains a `:`. `Basic [[apiKey]]`
is sent unchanged: if the key is the username with an empty password, keep the trailing colon:
`Basic [[apiKey]]:`.";

    W0308 ["docs/format.md §15 rule 26, §6.1"] "an `{id}` token outside a sync details URL" =>
"Single-brace `{id}` is replaced only in `sync.resources.*.endpoints.details.url`. Elsewhere it is
sent literally.";

    E0309 ["docs/format.md §6.7"] "a placeholder stands where a URL cannot be templated safely" =>
"Placeholders in a URL may supply the whole origin (when the URL starts with one, e.g.
`{{shopUrl}}/api`), whole DNS labels of the host (`https://{{subdomain}}.example.com`), path
segments and query values. They may not fill the scheme, user info, port or fragment, or part of a
host label, and request URLs must be absolute. This is what guarantees at run time that a value
can never change which host a request goes to.";

    W0310 ["docs/format.md §6.7"] "a sensitive key is sent in a URL" =>
"A `sensitiveKeys` value in a URL's path or query (`/bot[[apiKey]]/send`, `?key=[[apiKey]]`) ends
up in the provider's access logs, in proxies and in browser histories. The runtime never prints it
(requests are described by their template, and a stored value in a path is always one encoded
segment), but prefer a header when the provider accepts one.";

    E0401 ["docs/format.md §15 rule 27"] "two actions have the same `name`" =>
"`actions[].name` identifies an action at execution time and must be unique within the app.";

    E0402 ["docs/format.md §15 rule 28, §8.3"] "the `parameters` schema is malformed" =>
"An action's `parameters` is a JSON Schema whose root has `type: \"object\"`, and every name in
`required` is a key of `properties`.";

    E0403 ["docs/format.md §15 rule 29, §8.3"] "a parameter has an unsupported `type`" =>
"A parameter property's `type` is one of `string`, `number`, `boolean`, `array` and `object`.";

    W0403 ["docs/format.md §15 rule 29"] "a parameter uses a JSON Schema type the docs do not document" =>
"`integer` and `null` are standard JSON Schema but not documented for MiniApp forms; the form
renderer may not support them.";

    E0404 ["docs/format.md §15 rule 30"] "an `enum` or `default` does not fit the parameter's type" =>
"Every `enum` value has the property's `type`; `default` has the property's `type` and, when
there is an `enum`, is one of its members.";

    E0405 ["docs/format.md §15 rule 31, §12"] "`x-source` names no source" =>
"`x-source` turns a field into a dynamic dropdown fed by a key of the top-level `source` map.";

    E0406 ["docs/format.md §15 rule 32, §12"] "a source key does not start with `rpc_`" =>
"Keys of the top-level `source` map start with `rpc_` (e.g. `rpc_members`).";

    E0407 ["docs/format.md §15 rule 33"] "`x-fallback` is not `input`" =>
"The only documented `x-fallback` is `\"input\"`: fall back to a free-text input when the source fails.";

    W0407 ["docs/format.md §15 rule 33, §14"] "an `x-source` field has no `x-fallback`" =>
"Set `\"x-fallback\": \"input\"` on every field with `x-source`, so users can still type a value
when the source request fails.";

    E0408 ["docs/format.md §15 rule 34"] "`renderStrategy` is not `auto`" =>
"`\"auto\"` is the only documented `renderStrategy`.";

    E0409 ["docs/format.md §15 rule 35, §4"] "an HTTP step is incomplete or uses an unknown method or body type" =>
"Each HTTP step has `url`, `method` and `mapping`; `method` is one of GET, POST, PUT, PATCH,
DELETE; `bodyType` is one of `json`, `x-www-form-urlencoded` and `formData`.";

    E0410 ["docs/format.md §15 rule 36, §7.2"] "a response mapping is malformed" =>
"An array mapping is a list of `{ \"name\": ..., \"value\": \"$.path\" }` with unique names; an object
mapping maps output keys to path strings. Paths follow §7.1: `$`, `.field` and `[n]` steps.";

    W0411 ["docs/format.md §15 rule 37, §7.2"] "mapping form does not follow the pipeline convention" =>
"Use array mappings (forwarded, not persisted) on intermediate steps and an object mapping on the
final step, whose keys form the action's result.";

    E0412 ["docs/format.md §15 rule 38, §8.4"] "a function step names no App Function, or a step type is unknown" =>
"A step's `type` is `http` (or absent) or `function`; a function step's `name` is a key of the
top-level `functions` map.";

    W0412 ["docs/format.md §15 rule 38, §8.5"] "a function step's `args` do not match the function's `params`" =>
"Arguments bind to parameters by name: every `args` key should be one of the function's `params`,
and every param should get an argument.";

    E0413 ["docs/format.md §15 rule 39, §12"] "a source entry is incomplete" =>
"Each `source` entry has `url`, `method` (GET or POST), `valueField` and `labelField`; paths in
`dataPath`, `valueField` and `labelField` follow §7.1.";

    W0413 ["docs/format.md §15 rule 39"] "a source has no `dataPath`" =>
"Without `dataPath` the whole response is taken as the options array. The field table marks it
required; set it unless the response really is the array.";

    W0414 ["docs/format.md §15 rule 40"] "a source is never used" =>
"No parameter's `x-source` references this source.";

    E0415 ["docs/format.md §15 rule 41"] "a `[[key]]` in a source or sync request cannot be resolved" =>
"Rule 19 applies to `source` and `sync` requests: `[[key]]` names a credentials or metadata key.";

    E0416 ["docs/format.md §15 rule 42"] "two dashboard apps have the same `key`" =>
"`dashboardApps[].key` values are unique (proposed interpretation of §3.3).";

    W0416 ["docs/format.md §15 rule 42"] "`allowedActions` names an action that does not exist" =>
"Each entry of `dashboardApps[].allowedActions` names an `actions[].name`.";

    E0501 ["docs/format.md §15 rule 43, §9"] "a trigger's `type` is not `miniapps:{ns}`" =>
"Every trigger's `type` is exactly `\"miniapps:\"` followed by the definition's `ns`.";

    E0502 ["docs/format.md §15 rule 44"] "two triggers have the same `event`" =>
"Trigger events are unique; two triggers with the same event would produce two identical nodes.";

    E0503 ["docs/format.md §15 rule 45, §9"] "a trigger lacks a required field" =>
"Every trigger has `type`, `event`, `img`, `icon`, `label`, `description` and `isCustom`.";

    W0503 ["docs/format.md §15 rule 45"] "a trigger has `isCustom: true`" =>
"Standard triggers have `isCustom: false`; the meaning of `true` is undocumented.";

    E0504 ["docs/format.md §15 rule 46"] "triggers exist but no event name can be extracted" =>
"Triggers fire when a webhook's extracted event name equals their `event`. Without
`webhook.eventExtraction` no name is ever extracted.";

    W0504 ["docs/format.md §15 rule 46"] "a webhook block that nothing uses" =>
"`webhook` is configured, but there are no triggers and no `sync.webhooks.handlers`.";

    W0505 ["docs/format.md §15 rule 47"] "a trigger event cannot come out of the composite extraction" =>
"With `compositeStrategy`, an extracted name joins the parts with `separator`, so an event should
contain the separator at least `parts - 1` times (empty parts are skipped).";

    E0506 ["docs/format.md §15 rule 48, §10.3"] "an event extraction location is invalid" =>
"`source` is `body`, `header` or `query`. For `body` the `path` is a path (§7.1); for `header` and
`query` it is the plain header name or query key.";

    W0506 ["docs/format.md §15 rule 48"] "a header or query extraction path looks like a body path" =>
"For `header` and `query` sources the `path` is the raw name (`X-Event-Type`), not a `$` path.";

    W0507 ["docs/format.md §15 rule 49"] "`source`/`path` are ignored next to `compositeStrategy`" =>
"When `compositeStrategy` is present the primary `source` and `path` are ignored.";

    E0508 ["docs/format.md §15 rule 50, §10.5"] "webhook verification is misconfigured" =>
"`verification.type` is `hmac-sha256`, `hmac-sha1`, `header-token` or `none`. Every type but `none`
needs `headerName` and `secretKey`. `encoding` (`hex` or `base64`) applies to HMAC types only.";

    E0509 ["docs/format.md §15 rule 51, §10.5"] "the webhook `secretKey` names no secret" =>
"`verification.secretKey` is the name of the secret, looked up in the install's credentials and
then in `auth.config`. It must be a key of `auth.config` or `auth.form`, or an output of the
object mapping of `get_token` or a registration request.";

    W0509 ["docs/format.md §15 rule 51"] "the webhook secret is not in `sensitiveKeys`" =>
"List the signing secret's key in `auth.sensitiveKeys`.";

    W0510 ["docs/format.md §15 rule 52, §14"] "webhooks are not verified, or `timestampHeader` is set" =>
"Without verification anyone can forge deliveries; use `hmac-sha256` where the provider supports
it. `timestampHeader` has no documented semantics (docs/format.md §16 item 32): it is kept but not used.";

    E0511 ["docs/format.md §15 rule 53, §10.4"] "`transactionId` is malformed" =>
"`transactionId` has `path` or a non-empty `paths`, not both; `fallback` is `generate` when present;
paths follow §7.1.";

    W0511 ["docs/format.md §15 rule 53"] "a `transactionId` override is for an event nothing declares" =>
"Each `overrides` key should be the `event` of a trigger or a sync handler.";

    E0512 ["docs/format.md §15 rule 54, §10.8"] "`customerExtraction.mapping` uses an unknown customer field" =>
"Mapping keys are Karzoun customer fields: firstName, lastName, primaryEmail, primaryPhone, code,
avatar, sex, birthDate, position, department, state.";

    W0512 ["docs/format.md §15 rule 54"] "`customerExtraction` does not map `code`" =>
"`code` (the provider's customer id) is used to match existing customers.";

    W0513 ["docs/format.md §15 rule 55"] "a `customerExtraction` override is for an event nothing declares" =>
"Each `overrides` key should be the `event` of a trigger or a sync handler.";

    E0514 ["docs/format.md §15 rule 56, §10.6"] "`challengeResponse` is incomplete" =>
"`challengeResponse` has `identifyField`, `identifyValue` and `challengePath`.";

    E0515 ["docs/format.md §15 rule 57, §10.7"] "`response.statusCode` is not an HTTP status" =>
"`statusCode` is an integer from 100 to 599.";

    W0515 ["docs/format.md §15 rule 57"] "`response.statusCode` is not 2xx" =>
"Providers treat a non-2xx acknowledgement as a failed delivery and retry it.";

    E0516 ["docs/format.md §15 rule 58, §14"] "`webhook.ecommerce` is the only commerce mechanism" =>
"`webhook.ecommerce` is deprecated; new submissions use `sync`. A definition that relies only on
`webhook.ecommerce` is rejected.";

    W0516 ["docs/format.md §15 rule 58, §10.9"] "`webhook.ecommerce` is deprecated" =>
"Move the commerce mapping to `sync.resources` and `sync.webhooks.handlers`.";

    W0517 ["docs/format.md §15 rule 72, §10.4"] "a delivery id path names a header" =>
"A plain string in `transactionId.path`/`paths` is a body path: `X-GitHub-Delivery` reads a body
field of that name, which is almost never there. Delivery ids in headers (GitHub, Shopify,
WooCommerce) are read with `{ \"source\": \"header\", \"path\": \"X-GitHub-Delivery\" }`.";

    E0601 ["docs/format.md §15 rule 59, §11.1"] "sync resources without `sync.baseUrl`" =>
"Resource endpoint URLs are relative to `sync.baseUrl`, which is required when resources exist.";

    E0602 ["docs/format.md §15 rule 60, §11.3"] "a sync resource is incomplete" =>
"Each resource has `contentType`, `endpoints.list.url`, `endpoints.list.method` and `apiMapping`.";

    W0602 ["docs/format.md §15 rule 60"] "a resource's `name` differs from its key" =>
"The docs' resources use the map key as `name`.";

    E0603 ["docs/format.md §15 rule 61"] "`expandDetails` without a details endpoint" =>
"`expandDetails: true` enriches each record through `endpoints.details`, which must exist.";

    W0603 ["docs/format.md §15 rule 61"] "a details URL has no `{id}`" =>
"`endpoints.details.url` should contain `{id}`, replaced by each record's id.";

    E0604 ["docs/format.md §15 rule 62"] "pagination limits are inconsistent" =>
"`pagination.defaultLimit` and `maxLimit` are positive integers and `defaultLimit <= maxLimit`.";

    W0604 ["docs/format.md §15 rule 62"] "`batchSize` is larger than a resource's `maxLimit`" =>
"A batch larger than the largest page can never be filled by one request.";

    E0605 ["docs/format.md §15 rule 63, §11.5"] "a field-mapping rule is invalid" =>
"`transform` is one of toString, toNumberOrNull, coalesce, compute, mapItems, joinCodes (the
compiler cannot generate code for others); `coalesce` takes `paths` (one or more); `compute` takes
`fn`; other rules take `path`. Paths follow §7.1.";

    W0605 ["docs/format.md §15 rule 63, §14"] "a `compute` function must be documented" =>
"(`--submission` only.) Custom `compute` `fn` names must be documented in the submission package.";

    W0606 ["docs/format.md §15 rule 64"] "an undocumented `contentType`" =>
"Documented content types are `core:product`, `core:customer` and `ecommerce:orders`; others should
at least look like `service:type`.";

    E0607 ["docs/format.md §15 rule 65, §11.6"] "a sync handler has no matching trigger" =>
"Every key of `sync.webhooks.handlers` equals some `triggers[].event`.";

    E0608 ["docs/format.md §15 rule 66, §11.6"] "a sync handler is malformed" =>
"A handler is either shape A (`recordType` order|abandonedCart, `operation` create|update,
`mapping` with `code`) or shape B (`resource` naming a key of `sync.resources`, `operation`
upsert, `dataPath`), never a mix.";

    W0609 ["docs/format.md §15 rule 67"] "a mapping path is rooted the wrong way" =>
"Shape A handler paths read the webhook body and start with `$`; `apiMapping` paths read one record
and do not.";

    W0610 ["docs/format.md §15 rule 68"] "sync handlers receive unverified webhooks" =>
"`sync.webhooks.handlers` write records from webhook bodies; without verification anyone can
write them.";

    E0701 ["docs/format.md §15 rule 69"] "a duplicate key" =>
"Keys are unique within a JSON object. Most parsers silently keep the last one; the compiler
rejects the document so nothing is silently lost.";

    W0702 ["docs/format.md §15 rule 70, §2"] "an unknown key" =>
"The key is not part of the format. It is kept (in the model's `extra`) but not used. Check its
spelling.";

    E0703 ["docs/format.md §15 rule 71, §14"] "comments are not allowed" =>
"Definitions are strict JSON. Remove comments, including the `// ...` ellipses of doc examples.";

    E0704 ["docs/format.md §15 rule 73, §11.3"] "a paging style is incomplete" =>
"`pagination.style` `cursor` needs `responseMapping.nextProperty` (where the next cursor or URL
is); `offset` and `page` need a non-empty parameter name; `link` follows the `Link` header's
`rel=\"next\"` URL and needs nothing else.";

    W0704 ["docs/format.md §15 rule 73, §14"] "a miniapp-rs extension Karzoun's runtime does not read" =>
"(`--submission` only.) `pagination.style`, `pageParam`, `firstPage`, `offsetParam`,
`cursorParam`, `responseMapping.nextProperty` and `{source, path}` delivery-id locations are
miniapp-rs extensions: generated connectors use them, Karzoun's own runtime ignores them (it pages
with `page=1, 2, …` and reads ids from the body).";

    E0801 ["docs/format.md §15.8, docs/decisions.md (generated names)"] "two names become the same Rust name" =>
"Rust names are derived from JSON names (`sendMessage` becomes the method `send_message` and the
type `SendMessageInput`). Two different JSON names that convert to the same Rust name (for example
`orderId` and `order_id`, or an action named like a built-in client method such as `builder`)
would generate clashing items. Rename one of them.";

    W0901 ["docs/format.md §17"] "a path finds nothing in its samples" =>
"The definition's samples (`<definition>.samples/`, or `--samples DIR`) hold what the provider
sends, and this path finds nothing in any of them: at run time it would read nothing, silently (an
output field that is always `None`, a record without its code, an event never found). The message
says where the path stopped matching and why, the help suggests the key the sample has at that
level, and the note names the sample. Fix the path, or add a sample that has the value if the
provider sends it only sometimes. A path that reaches a `null` or an empty array is not
reported: the sample cannot tell.";

    W0902 ["docs/format.md §17"] "a transform cannot apply to what its samples hold" =>
"The path finds a value in the samples, but not one its transform can use: `toNumberOrNull` on
an object, an array, a boolean or a string that is not a number (always `null`), `toString` on an
object or an array, `mapItems` on anything but an array of objects, `joinCodes` on anything but
codes (strings, numbers or objects with a `code`). At run time the field would be empty or the
record an error. Point the path at the value the transform is for, or change the transform.";

    W0903 ["docs/format.md §17"] "a samples file names nothing in the definition" =>
"A file in the samples folder is not where the samples layout puts one (`webhooks/<event>.json`,
`actions/<action>/<step>.json`, `sync/<resource>/list.json` or `details.json`,
`sources/<key>.json`, `auth/get_token.json`, `auth/user_details.json`, or a folder of `.json`
files in place of any of them), or it names an event, action, step, resource or source the
definition does not have. Nothing checks against it. Rename it; the help suggests the closest
name the definition has.";

    E0904 ["docs/format.md §17"] "a samples file is not JSON" =>
"A samples file must be one JSON document (UTF-8). The message gives the line and column in the
sample where parsing stopped. Nothing is checked or typed from it until it parses.";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_well_formed_and_sorted() {
        let ids: Vec<&str> = ALL.iter().map(|c| c.id).collect();
        for w in ids.windows(2) {
            assert!(w[0][1..] <= w[1][1..], "{} before {}", w[0], w[1]);
            assert_ne!(w[0], w[1]);
        }
        for c in ALL {
            assert!(c.id.len() == 5 && (c.id.starts_with('E') || c.id.starts_with('W')), "{}", c.id);
            assert!(!c.explanation.trim().is_empty() && !c.title.is_empty());
        }
    }

    #[test]
    fn lookup_is_case_insensitive() {
        assert_eq!(lookup("e0105").map(|c| c.id), Some("E0105"));
        assert!(lookup("E9999").is_none());
    }
}
