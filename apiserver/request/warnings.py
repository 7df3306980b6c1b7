"""Warnings for the client, recorded by any stage while a request is handled and sent as `Warning` headers.

A stage deep below the handler (a strategy in the store) has no request to write to, so the recorder is a
context variable: each request is served by its own task, which sees only its own list (kube's
warning.AddWarning on the request context does the same).
"""
from __future__ import annotations

from contextvars import ContextVar

# kube's recorder (k8s.io/apiserver/pkg/endpoints/filters/warning.go) sends warnings whole while they total at most
# 4096 characters; past that, each is cut to 256 and none is added once 4096 are written
TOTAL_CHARACTERS = 4 * 1024
ITEM_CHARACTERS = 256

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


def sent(texts: list[str]) -> list[str]:
    """The warnings of a request, in order, as kube's recorder bounds them (TOTAL_CHARACTERS, ITEM_CHARACTERS):
    a body with thousands of unknown fields gets a few kilobytes of Warning headers, not megabytes."""
    out: list[str] = []
    written = 0
    truncating = False
    for index, text in enumerate(texts):
        if truncating:
            if written >= TOTAL_CHARACTERS:
                break
            out.append(text[:ITEM_CHARACTERS])
            written += len(out[-1])
        elif written + len(text) <= TOTAL_CHARACTERS:
            out.append(text)
            written += len(text)
        else:
            # over the limit for the first time: every warning so far is sent again, cut
            truncating = True
            out = [earlier[:ITEM_CHARACTERS] for earlier in texts[:index + 1]]
            written = sum(map(len, out))
    return out


def header_value(text: str) -> str:
    """RFC 7234's form kube uses: code 299, agent "-", the text quoted; line breaks become spaces, as Go's header
    writer makes them."""
    text = text.replace("\r", " ").replace("\n", " ")
    return '299 - "' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
