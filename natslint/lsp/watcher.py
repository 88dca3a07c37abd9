"""The language server's own file watcher, for clients that send no file events.

Without `workspace/didChangeWatchedFiles` the server cannot know what changed on disk, and would
plan every check anew.  Neovim turns file watching off on Linux, for one.  Then the server
watches the workspace itself with watchfiles and feeds the engine the same change events a
client would, so an edit takes the engine's edit path.  When the watcher cannot start (inotify
limits, say) it says so once, and the server falls back to full checks.
"""

from __future__ import annotations

import asyncio
from typing import Awaitable, Callable


async def watch(root: str, changed: Callable[[list[str]], Awaitable[None]], failed: Callable[[str], None],
                stop: asyncio.Event, ready: Callable[[], None]) -> None:
    """Report each batch of changed paths under ``root`` to ``changed`` until ``stop`` is set;
    ``ready`` once the watcher runs, ``failed`` (with the reason) if it cannot."""
    try:
        import watchfiles

        watcher = watchfiles.awatch(root, stop_event=stop, debounce=30, step=10, yield_on_timeout=True,
                                    rust_timeout=200)
        first = True
        async for changes in watcher:
            if first:  # the first (empty) batch: the watcher is running
                first = False
                ready()
            if changes:
                await changed(sorted({path for _, path in changes}))
    except Exception as exc:  # watchfiles' OS errors (too many watches), a missing root...
        failed(f"{type(exc).__name__}: {exc}")
