"""`miniapp lsp` driven by pytest-lsp (pygls' client), a client the project did not write.

Run from the repository root: `python3 -m pytest cli/tests/lsp_client` (with pytest-lsp installed),
after `cargo build -p miniapp-cli`; `MINIAPP_BIN` names another binary.
"""

import os
import pathlib

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

ROOT = pathlib.Path(__file__).resolve().parents[3]
BINARY = os.environ.get("MINIAPP_BIN", str(ROOT / "target" / "debug" / "miniapp"))


@pytest_lsp.fixture(config=ClientServerConfig(server_command=[BINARY, "lsp"]))
async def client(lsp_client: LanguageClient):
    await lsp_client.initialize_session(types.InitializeParams(capabilities=types.ClientCapabilities(), root_uri=ROOT.as_uri()))
    yield
    await lsp_client.shutdown_session()


def change(client: LanguageClient, uri: str, version: int, text: str):
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


@pytest.mark.asyncio(loop_scope="module")
async def test_a_typo_is_reported_fixed_by_its_quick_fix_and_cleared(client: LanguageClient):
    path = ROOT / "examples" / "definitions" / "chatly.json"
    text = path.read_text()
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(text_document=types.TextDocumentItem(uri=uri, language_id="json", version=1, text=text))
    )
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert list(client.diagnostics[uri]) == []

    broken = text.replace('"communication"', '"comunication"', 1)
    change(client, uri, 2, broken)
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    [diagnostic] = client.diagnostics[uri]
    assert diagnostic.code == "E0105"
    assert diagnostic.range.start == types.Position(line=10, character=14)

    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostic.range,
            context=types.CodeActionContext(diagnostics=[diagnostic]),
        )
    )
    [edit] = actions[0].edit.changes[uri]
    assert edit.new_text == '"communication"'

    lines = broken.split("\n")
    line = lines[edit.range.start.line]
    lines[edit.range.start.line] = line[: edit.range.start.character] + edit.new_text + line[edit.range.end.character :]
    change(client, uri, 3, "\n".join(lines))
    await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    assert list(client.diagnostics[uri]) == []

    hover = await client.text_document_hover_async(
        types.HoverParams(text_document=types.TextDocumentIdentifier(uri=uri), position=types.Position(line=10, character=16))
    )
    assert hover is None or "E0105" not in hover.contents.value
