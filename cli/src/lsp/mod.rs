//! `miniapp lsp`: a language server for definitions (LSP 3.17 over stdio), on rust-analyzer's
//! `lsp-server` (the transport and its JSON-RPC framing, synchronous: each analysis is a few
//! milliseconds of CPU, so an async runtime would add nothing) and `lsp-types`.
//!
//! Documents are synchronised whole. A change is analysed once the edits pause for
//! [`DEBOUNCE`] (a request about the document analyses it at once); a text that is not JSON gets
//! its syntax errors, and keeps its last good analysis for hovers and definitions.

mod analysis;
mod features;

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crossbeam_channel::RecvTimeoutError;
use lsp_server::{Connection, Message, Notification, Request, Response};
use lsp_types as lsp;
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;

pub use analysis::{Analysis, Lines, edit};
pub use features::{code_actions, completion, definition, hover, references};

/// How long edits must pause before a document is analysed again.
pub const DEBOUNCE: Duration = Duration::from_millis(50);

/// One open document (by its URI's text: `lsp::Uri` is not a hash key clippy accepts).
struct Document {
    uri: lsp::Uri,
    text: String,
    version: i32,
    path: Option<PathBuf>,
    /// The latest analysis of a text that parsed (kept while the text does not).
    good: Option<Analysis>,
    /// The text changed since the last analysis.
    stale: bool,
}

impl Document {
    /// Analyses the current text; returns its diagnostics.
    fn analyse(&mut self) -> Vec<lsp::Diagnostic> {
        self.stale = false;
        let analysis = Analysis::new(self.text.clone(), self.path.as_deref());
        let diagnostics = analysis.diagnostics(&self.uri);
        if analysis.parsed() {
            self.good = Some(analysis);
        }
        diagnostics
    }
}

/// The path of a `file:` URI.
fn path_of(uri: &lsp::Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    Some(PathBuf::from(percent_encoding::percent_decode_str(rest).decode_utf8_lossy().into_owned()))
}

/// Runs the server on stdin/stdout until the client says `exit`.
pub fn run() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let (connection, threads) = Connection::stdio();
    serve(&connection)?;
    // The writer thread ends when the connection's sender is gone.
    drop(connection);
    threads.join()?;
    Ok(())
}

/// What the server offers.
pub fn capabilities() -> lsp::ServerCapabilities {
    lsp::ServerCapabilities {
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Kind(lsp::TextDocumentSyncKind::FULL)),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        definition_provider: Some(lsp::OneOf::Left(true)),
        references_provider: Some(lsp::OneOf::Left(true)),
        code_action_provider: Some(lsp::CodeActionProviderCapability::Options(lsp::CodeActionOptions {
            code_action_kinds: Some(vec![lsp::CodeActionKind::QUICKFIX]),
            ..Default::default()
        })),
        completion_provider: Some(lsp::CompletionOptions {
            trigger_characters: Some(vec!["{".into(), "[".into(), "\"".into()]),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The server loop on a connection (stdio, or in memory for tests).
pub fn serve(connection: &Connection) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let init = lsp::InitializeResult {
        capabilities: capabilities(),
        server_info: Some(lsp::ServerInfo { name: "miniapp".into(), version: Some(env!("CARGO_PKG_VERSION").into()) }),
    };
    let (id, _params) = connection.initialize_start()?;
    connection.initialize_finish(id, serde_json::to_value(init)?)?;
    let mut documents: HashMap<String, Document> = HashMap::new();
    let mut deadline: Option<Instant> = None;
    loop {
        let message = match deadline {
            None => connection.receiver.recv().map_err(|_| RecvTimeoutError::Disconnected),
            Some(at) => connection.receiver.recv_timeout(at.saturating_duration_since(Instant::now())),
        };
        match message {
            Err(RecvTimeoutError::Timeout) => {
                deadline = None;
                for doc in documents.values_mut().filter(|d| d.stale) {
                    let diagnostics = doc.analyse();
                    publish(connection, &doc.uri, diagnostics, doc.version)?;
                }
            }
            Err(RecvTimeoutError::Disconnected) => return Ok(()),
            Ok(Message::Request(request)) => {
                if connection.handle_shutdown(&request)? {
                    return Ok(());
                }
                let id = request.id.clone();
                // A request the server cannot read is answered with an error, never the end of
                // the session.
                let response = answer(connection, &mut documents, request)
                    .unwrap_or_else(|e| Response::new_err(id, lsp_server::ErrorCode::InvalidParams as i32, e.to_string()));
                connection.sender.send(Message::Response(response))?;
            }
            Ok(Message::Notification(n)) => {
                if notified(connection, &mut documents, n)? {
                    deadline.get_or_insert_with(|| Instant::now() + DEBOUNCE);
                }
            }
            Ok(Message::Response(_)) => {}
        }
    }
}

fn publish(
    connection: &Connection,
    uri: &lsp::Uri,
    diagnostics: Vec<lsp::Diagnostic>,
    version: i32,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let params = lsp::PublishDiagnosticsParams { uri: uri.clone(), diagnostics, version: Some(version) };
    let n = Notification::new(lsp::notification::PublishDiagnostics::METHOD.to_string(), params);
    connection.sender.send(Message::Notification(n))?;
    Ok(())
}

/// Handles a notification; `true` when a document waits for its analysis.
fn notified(
    connection: &Connection,
    documents: &mut HashMap<String, Document>,
    n: Notification,
) -> Result<bool, Box<dyn std::error::Error + Send + Sync>> {
    match n.method.as_str() {
        lsp::notification::DidOpenTextDocument::METHOD => {
            let Ok(p) = serde_json::from_value::<lsp::DidOpenTextDocumentParams>(n.params) else { return Ok(false) };
            let uri = p.text_document.uri;
            let path = path_of(&uri);
            let mut doc = Document { uri, text: p.text_document.text, version: p.text_document.version, path, good: None, stale: true };
            let diagnostics = doc.analyse();
            publish(connection, &doc.uri, diagnostics, doc.version)?;
            documents.insert(doc.uri.as_str().to_string(), doc);
            Ok(false)
        }
        lsp::notification::DidChangeTextDocument::METHOD => {
            let Ok(p) = serde_json::from_value::<lsp::DidChangeTextDocumentParams>(n.params) else { return Ok(false) };
            let Some(doc) = documents.get_mut(p.text_document.uri.as_str()) else { return Ok(false) };
            // Full synchronisation: the last change is the whole text.
            if let Some(change) = p.content_changes.into_iter().last() {
                doc.text = change.text;
                doc.version = p.text_document.version;
                doc.stale = true;
            }
            Ok(doc.stale)
        }
        lsp::notification::DidCloseTextDocument::METHOD => {
            let Ok(p) = serde_json::from_value::<lsp::DidCloseTextDocumentParams>(n.params) else { return Ok(false) };
            if let Some(doc) = documents.remove(p.text_document.uri.as_str()) {
                publish(connection, &p.text_document.uri, Vec::new(), doc.version)?;
            }
            Ok(false)
        }
        _ => Ok(false),
    }
}

/// The up-to-date analysis of a document (analysed now if it changed), for a request.
fn current<'d>(connection: &Connection, documents: &'d mut HashMap<String, Document>, uri: &lsp::Uri) -> Option<&'d Analysis> {
    let doc = documents.get_mut(uri.as_str())?;
    if doc.stale {
        let diagnostics = doc.analyse();
        let _ = publish(connection, uri, diagnostics, doc.version);
    }
    doc.good.as_ref()
}

fn answer(
    connection: &Connection,
    documents: &mut HashMap<String, Document>,
    r: Request,
) -> Result<Response, Box<dyn std::error::Error + Send + Sync>> {
    let at = |documents: &mut HashMap<String, Document>, p: &lsp::TextDocumentPositionParams| {
        let uri = p.text_document.uri.clone();
        let position = p.position;
        current(connection, documents, &uri).map(|a| (Lines::new(&a.text).offset(position), uri))
    };
    let result = match r.method.as_str() {
        lsp::request::HoverRequest::METHOD => {
            let p: lsp::HoverParams = serde_json::from_value(r.params)?;
            let found = at(documents, &p.text_document_position_params);
            let hover = found.and_then(|(offset, uri)| hover(documents.get(uri.as_str())?.good.as_ref()?, offset));
            serde_json::to_value(hover)?
        }
        lsp::request::GotoDefinition::METHOD => {
            let p: lsp::GotoDefinitionParams = serde_json::from_value(r.params)?;
            let found = at(documents, &p.text_document_position_params);
            let location = found.and_then(|(offset, uri)| definition(documents.get(uri.as_str())?.good.as_ref()?, &uri, offset));
            serde_json::to_value(location.map(lsp::GotoDefinitionResponse::Scalar))?
        }
        lsp::request::References::METHOD => {
            let p: lsp::ReferenceParams = serde_json::from_value(r.params)?;
            let found = at(documents, &p.text_document_position);
            let locations = found.and_then(|(offset, uri)| Some(references(documents.get(uri.as_str())?.good.as_ref()?, &uri, offset)));
            serde_json::to_value(locations.unwrap_or_default())?
        }
        lsp::request::Completion::METHOD => {
            let p: lsp::CompletionParams = serde_json::from_value(r.params)?;
            let found = at(documents, &p.text_document_position);
            let items = found.and_then(|(offset, uri)| Some(completion(documents.get(uri.as_str())?.good.as_ref()?, offset)));
            serde_json::to_value(lsp::CompletionResponse::Array(items.unwrap_or_default()))?
        }
        lsp::request::CodeActionRequest::METHOD => {
            let p: lsp::CodeActionParams = serde_json::from_value(r.params)?;
            serde_json::to_value(code_actions(&p.text_document.uri, &p.context.diagnostics))?
        }
        _ => {
            return Ok(Response::new_err(r.id, lsp_server::ErrorCode::MethodNotFound as i32, format!("`{}` is not supported", r.method)));
        }
    };
    Ok(Response::new_ok(r.id, result))
}
