"""Streams a watch to the client over chunked HTTP: newline-delimited JSON events, or (for
`application/vnd.kubernetes.protobuf;stream=watch`) length-prefixed protobuf WatchEvent frames.

Initial objects go first as ADDED; bookmarks go out when the client allows them and the stream has
been idle for a while or is about to time out; a start revision that is gone becomes an in-stream
ERROR event with a 410 Status, and a stored value that cannot be read (decrypted or decoded) an ERROR
event with a 500 Status that ends the stream, as kube-apiserver sends them.
"""
from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from apiserver.api.meta import errors
from apiserver.api.meta.types import Obj
from apiserver.api.protobuf import ProtobufEncodeError, watch_frame
from apiserver.endpoints.serialization import JSON, PROTOBUF, WATCH_PROTOBUF, go_json
from apiserver.registry.catalogue import ResourceInfo
from apiserver.registry.store import WatchStart
from apiserver.storage.interface import CorruptObject, Expired, WatchClosed

log = logging.getLogger("apiserver.watch")

INITIAL_EVENTS_END = "k8s.io/initial-events-end"


@dataclass(frozen=True)
class WatchSettings:
    bookmark_interval: float = 60.0
    # kube-apiserver's --min-request-timeout: a watch without timeoutSeconds lasts 1-2x this long
    min_request_timeout: float = 1800.0


EventEncoder = Callable[[str, Any], bytes]


def json_line(event_type: str, obj: Any) -> bytes:
    return go_json({"type": event_type, "object": obj})


def event_encoder(content_type: str) -> EventEncoder:
    """How each event is written in the negotiated media type (JSON or PROTOBUF)."""
    return watch_frame if content_type == PROTOBUF else json_line


def _bookmark(frame: EventEncoder, info: ResourceInfo, revision: int, initial_events_end: bool = False) -> bytes:
    meta: dict[str, Any] = {"resourceVersion": str(revision)}
    if initial_events_end:
        meta["annotations"] = {INITIAL_EVENTS_END: "true"}
    return frame("BOOKMARK", {"kind": info.kind, "apiVersion": info.api_version, "metadata": meta})


def expired_event(message: str, frame: EventEncoder) -> bytes:
    return frame("ERROR", {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                           "message": message, "reason": "Expired", "code": 410})


async def serve_watch(request: web.Request, info: ResourceInfo, start: WatchStart, timeout_seconds: int | None,
                      allow_bookmarks: bool, initial_events_end: bool, settings: WatchSettings,
                      stopping: asyncio.Event, convert: Callable[[Obj], Obj] | None = None,
                      content_type: str = JSON) -> web.StreamResponse:
    # kube names the framing in the protobuf media type only; a JSON watch is plain application/json
    response = web.StreamResponse(status=200, headers={
        "Content-Type": WATCH_PROTOBUF if content_type == PROTOBUF else JSON, "Cache-Control": "no-cache, private"})
    frame = event_encoder(content_type)
    response.enable_chunked_encoding()
    await response.prepare(request)
    now = time.monotonic()
    duration = timeout_seconds if timeout_seconds else settings.min_request_timeout * (1 + random.random())
    deadline = now + max(duration, 0)
    watch = start.watch
    try:
        shape = convert or (lambda obj: obj)
        if start.initial:
            await response.write(b"".join(frame("ADDED", shape(obj)) for obj in start.initial))
        if initial_events_end:
            await response.write(_bookmark(frame, info, start.revision, initial_events_end=True))
        last_sent = start.revision
        next_bookmark = now + settings.bookmark_interval
        # a final bookmark shortly before the deadline lets the client resume without a relist
        final_bookmark = deadline - min(2.0, duration / 2)
        while not stopping.is_set():
            now = time.monotonic()
            if now >= deadline:
                break
            wake = min(deadline, next_bookmark, final_bookmark if final_bookmark > now else deadline)
            try:
                # wake at least every second so a shutdown closes the stream promptly
                event = await watch.next(min(max(wake - now, 0.01), 1.0))
            except Expired as exc:
                await response.write(expired_event(exc.message, frame))
                break
            except CorruptObject as exc:
                await response.write(frame("ERROR", errors.internal_error(str(exc)).to_status()))
                break
            except WatchClosed:
                break
            if event is not None:
                last_sent = max(last_sent, event.resource_version)
                await response.write(frame(event.type, shape(event.object)))
                continue
            now = time.monotonic()
            if allow_bookmarks and (now >= next_bookmark or final_bookmark <= now < deadline):
                revision = max(watch.progress_revision(), last_sent)
                await response.write(_bookmark(frame, info, revision))
                last_sent = revision
                next_bookmark = now + settings.bookmark_interval
                if final_bookmark <= now:
                    final_bookmark = deadline
        await response.write_eof()
    except ProtobufEncodeError as exc:
        # as kube-apiserver does with an event it cannot encode: end the stream; the client watches again
        log.warning("ending a protobuf watch of %s: %s", info.plural, exc)
    except ConnectionResetError:
        pass
    finally:
        watch.stop()
    return response
