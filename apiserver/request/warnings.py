"""Warnings for the client, recorded by any stage while a request is handled and sent as `Warning` headers.

A stage deep below the handler (a strategy in the store) has no request to write to, so the recorder is a
context variable: each request is served by its own task, which sees only its own list (kube's
warning.AddWarning on the request context does the same).
"""
from __future__ import annotations

from contextvars import ContextVar

_RECORDER: ContextVar[list[str] | None] = ContextVar("apiserver.warnings", default=None)


def start_recording() -> list[str]:
    """A fresh list for the current request's task; what `add_warning` records lands in it."""
    sink: list[str] = []
    _RECORDER.set(sink)
    return sink


def add_warning(text: str) -> None:
    """Records `text` once for the current request; outside a request (a controller's write) it is dropped."""
    sink = _RECORDER.get()
    if sink is not None and text not in sink:
        sink.append(text)


def header_value(text: str) -> str:
    """RFC 7234's form kube uses: code 299, agent "-", the text quoted."""
    return '299 - "' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
