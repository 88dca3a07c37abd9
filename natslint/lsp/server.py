"""`natslint server`: a language server over stdio (pygls).

Every change re-checks the workspace with the engine `check --watch` uses (natslint.engine), from
the workspace root, the open buffers laid over the files on disk: the engine is told which files
changed (the buffers, the client's file events), so an edit of a config rechecks only its fleets.
Diagnostics are published for every file with findings, open or not (a leaf's edit changes the
hub's and the compose file's), only where they changed, and cleared where findings went away.
"""

from __future__ import annotations

import os

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer

from natslint import __version__
from natslint.lsp import assist
from natslint.lsp.diagnostics import actions, by_file, path_of, structured, uri_of


class NatslintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("natslint", __version__)
        self.root = os.getcwd()
        self.result = None
        self.published: dict[str, list] = {}  # uri -> the diagnostics last published
        self.generation = 0  # counts changes, so a burst is checked once
        self.engine = None  # made at the first check, from the workspace root
        self.watching = False  # the client sends file events: edits can be checked incrementally
        self.changed: set[str] = set()  # files the client said were created, changed or deleted
        self.early = None  # the first check, made in a child while the server loaded
        self.own_watcher: tuple | None = None
        self.shake = None  # natslint.lsp.handshake.Handshake: `initialize` answered before pygls loaded  # (task, stop event) when the server watches for itself

    def overlays(self) -> dict[str, str]:
        """The open buffers, by absolute path: they count, saved or not."""
        out = {}
        for uri, doc in self.workspace.text_documents.items():
            if uri.startswith("file:"):
                out[os.path.join(self.root, path_of(self.root, uri))] = doc.source
        return out

    def recheck(self) -> None:
        from natslint.workspace import engine_for, settings_for

        changed, self.changed = self.changed, set()
        try:
            if self.engine is None:
                self.engine = engine_for(["."], settings_for(["."])[1])
            # without file events, what changed on disk is unknown: the engine plans anew
            self.result = self.engine.check(self.overlays(), changed if self.watching else None)
        except Exception as exc:  # a config error: say it, keep the last diagnostics
            self.engine = None
            self.window_show_message(lsp.ShowMessageParams(lsp.MessageType.Error, f"natslint: {exc}"))
            return
        now = by_file(self.result, self.root)
        # every open file gets its diagnostics, an empty list too: the client can tell a checked
        # file from one not checked yet
        now.update({uri: [] for uri in self.workspace.text_documents if uri not in now})
        for uri in sorted(set(self.published) - set(now)):
            if self.published[uri]:
                self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri, []))
        for uri, diagnostics in sorted(now.items()):
            if self.published.get(uri) != diagnostics:
                self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri, diagnostics))
        self.published = now


server = NatslintServer()


@server.feature(lsp.INITIALIZE)
def initialize(ls: NatslintServer, params: lsp.InitializeParams) -> None:
    folders = params.workspace_folders or []
    uri = folders[0].uri if folders else params.root_uri
    if uri:
        from urllib.parse import unquote, urlparse

        ls.root = unquote(urlparse(uri).path)
    elif params.root_path:
        ls.root = params.root_path
    os.chdir(ls.root)  # project configs and display paths are found from the workspace root


@server.feature(lsp.INITIALIZED)
async def initialized(ls: NatslintServer, params: lsp.InitializedParams) -> None:
    import asyncio

    caps = ls.client_capabilities.workspace
    if caps and caps.did_change_watched_files and caps.did_change_watched_files.dynamic_registration:
        ls.watching = True
        ls.client_register_capability(lsp.RegistrationParams([lsp.Registration(
            "natslint-watch", lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES,
            lsp.DidChangeWatchedFilesRegistrationOptions([lsp.FileSystemWatcher("**/*")]))]))
    else:
        _watch_for_the_client(ls)
    early, ls.early = ls.early, None
    shake = ls.shake
    if shake is not None and shake.published is not None and shake.root == ls.root:
        ls.published = structured(shake.published)  # published before pygls loaded
    got = early.take(ls.root) if early is not None else None
    if got is not None:  # published at once; the engine's own first check follows
        ls.published = structured(got)
        for uri, diagnostics in sorted(ls.published.items()):
            ls.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri, diagnostics))
        await asyncio.sleep(0)
    ls.recheck()


# seconds: changes that arrive together (a burst of keystrokes, a save with its file event) are
# checked once; an edit's check takes milliseconds, so the wait is short
DEBOUNCE = 0.01
IDLE = 2.0  # seconds without a change before the server collects garbage (a pause of a few 100 ms)


async def _changed(ls: NatslintServer, params) -> None:
    import asyncio

    for event in getattr(params, "changes", None) or ():  # watched files: created, changed, deleted
        ls.changed.add(os.path.join(ls.root, path_of(ls.root, event.uri)))
    ls.generation += 1
    mine = ls.generation
    await asyncio.sleep(DEBOUNCE)
    if mine != ls.generation:  # something newer arrived meanwhile: its own call checks
        return
    ls.recheck()
    await asyncio.sleep(IDLE)
    if mine == ls.generation and ls.engine is not None:  # still quiet: free what the check left
        ls.engine.collect()


def _watch_for_the_client(ls: NatslintServer) -> None:
    """The client sends no file events: watch the workspace here (natslint.lsp.watcher)."""
    import asyncio

    from natslint.lsp.watcher import watch

    stop = asyncio.Event()

    async def changed(paths: list[str]) -> None:
        await _changed(ls, lsp.DidChangeWatchedFilesParams(
            [lsp.FileEvent(uri_of(ls.root, os.path.relpath(p, ls.root)), lsp.FileChangeType.Changed)
             for p in paths]))

    def ready() -> None:
        ls.watching = True  # from now on, every change on disk is reported: edits take the edit path
        ls.window_log_message(lsp.LogMessageParams(
            lsp.MessageType.Info, "natslint: watching the workspace for changes (the client sends no file events)"))

    def failed(why: str) -> None:
        ls.watching = False
        ls.window_log_message(lsp.LogMessageParams(
            lsp.MessageType.Warning, f"natslint: cannot watch the workspace ({why}); every change is "
            "checked in full"))

    ls.own_watcher = (asyncio.ensure_future(watch(ls.root, changed, failed, stop, ready)), stop)


@server.feature(lsp.SHUTDOWN)
def shutdown(ls: NatslintServer, params) -> None:
    if ls.own_watcher is not None:
        ls.own_watcher[1].set()


# a buffer opened, edited, saved or closed (the engine compares the buffers with the last
# check's); natslint.toml, env files, files created, deleted or renamed (watched files)
for _method in (lsp.TEXT_DOCUMENT_DID_OPEN, lsp.TEXT_DOCUMENT_DID_CHANGE, lsp.TEXT_DOCUMENT_DID_SAVE,
                lsp.TEXT_DOCUMENT_DID_CLOSE, lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES):
    server.feature(_method)(_changed)


@server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION,
                lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]))
def code_action(ls: NatslintServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
    if ls.result is None:
        return []
    path = path_of(ls.root, params.text_document.uri)
    return actions(ls.result, ls.root, path, params.range.start.line, params.range.end.line)


def _document(ls: NatslintServer, uri: str):
    if ls.result is None:
        return None
    return ls.result.documents.get(path_of(ls.root, uri))


@server.feature(lsp.TEXT_DOCUMENT_HOVER)
def hover(ls: NatslintServer, params: lsp.HoverParams) -> lsp.Hover | None:
    doc = _document(ls, params.text_document.uri)
    if doc is None or doc.root is None:
        return None
    offset = ls.workspace.get_text_document(params.text_document.uri).offset_at_position(params.position)
    place = assist.locate(doc, offset)
    text = assist.hover_key(place) if place.key is not None else assist.hover_variable(place, set())
    return lsp.Hover(lsp.MarkupContent(lsp.MarkupKind.Markdown, text)) if text else None


@server.feature(lsp.TEXT_DOCUMENT_COMPLETION)
def completion(ls: NatslintServer, params: lsp.CompletionParams) -> lsp.CompletionList | None:
    doc = _document(ls, params.text_document.uri)
    if doc is None:
        return None
    buffer = ls.workspace.get_text_document(params.text_document.uri)
    # the buffer as typed: a key being written inside `jetstream { }` does not parse yet
    place = assist.block_at(buffer.source, buffer.offset_at_position(params.position))
    return lsp.CompletionList(is_incomplete=False, items=[
        lsp.CompletionItem(name, kind=lsp.CompletionItemKind.Property, detail=types or None)
        for name, types in assist.completions(place)])


def serve(early=None, shake=None) -> None:
    """``early``: the first check, made while this module loaded (natslint.lsp.first);
    ``shake``: the `initialize` already read and answered (natslint.lsp.handshake)."""
    import gc
    import sys

    server.early = early
    gc.disable()  # the engine's object graph is large: collected when idle (IDLE), not amid an edit
    if shake is None:
        server.start_io()
        return
    from natslint.lsp.handshake import DropAnswer, Replay

    shake.wait()  # the first diagnostics are out before pygls writes
    server.shake = shake
    server.start_io(Replay(shake.prefix, sys.stdin.buffer), DropAnswer(sys.stdout.buffer, shake.answered))
