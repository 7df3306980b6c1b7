"""The parsed tables, their message classes, and which message a (apiVersion, kind) object is.

Built once at import: a broken table is a programming error and should fail loudly at startup.
"""
from __future__ import annotations

from . import tables
from .descriptors import DynamicMessage, build_classes
from .schema import Message, parse_table
from .shapes import SHAPES

SPECS: dict[str, Message] = {
    m.full_name: m for module in tables.MODULES for m in parse_table(module.PACKAGE, module.MESSAGES, tables.ALIASES)
}


def _check() -> None:
    for message in SPECS.values():
        if message.shape is not None and message.shape not in SHAPES:
            raise ValueError(f"{message.full_name}: unknown shape {message.shape!r}")
        for field in message.fields:
            if field.is_message and field.type not in SPECS:
                raise ValueError(f"{message.full_name}.{field.name}: no table for {field.type}")


_check()
CLASSES: dict[str, type[DynamicMessage]] = build_classes(SPECS.values())
UNKNOWN = f"{tables.runtime.PACKAGE}.Unknown"
WATCH_EVENT = f"{tables.meta_v1.PACKAGE}.WatchEvent"

_KINDS: dict[tuple[str, str], str] = {
    (module.GROUP_VERSION, kind): f"{module.PACKAGE}.{kind}"
    for module in tables.MODULES if module.GROUP_VERSION is not None for kind in module.KINDS
}
# meta/v1's kinds (Status, DeleteOptions, WatchEvent, ...) are registered in every group version.
_ANY_VERSION: dict[str, str] = {kind: f"{tables.meta_v1.PACKAGE}.{kind}" for kind in tables.meta_v1.KINDS}
# messages that are kinds: their JSON carries apiVersion and kind, which protobuf keeps in the envelope
KIND_MESSAGES: frozenset[str] = frozenset(_KINDS.values()) | frozenset(_ANY_VERSION.values())


def message_for(api_version: str, kind: str) -> str | None:
    """Full message name for an object's type, or None when no table covers it."""
    return _KINDS.get((api_version, kind)) or _ANY_VERSION.get(kind)
