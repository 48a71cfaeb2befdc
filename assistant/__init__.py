"""Cited question answering over paper abstracts: `from assistant import Assistant`."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from assistant.app import Assistant

__all__ = ["Assistant"]


def __getattr__(name: str):
    # Imported on first use, so that `import assistant` (and the CLI's start-up) stays cheap.
    if name == "Assistant":
        from assistant.app import Assistant

        return Assistant
    raise AttributeError(name)
