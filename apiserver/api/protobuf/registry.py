"""The parsed tables, their message classes, and which message a (apiVersion, kind) body holds.

Built once at import: a broken table is a programming error and should fail loudly at startup.
"""
from __future__ import annotations

from google.protobuf.message import Message as ProtoMessage

from . import tables
from .descriptors import build_classes
from .schema import Message, parse_table

SPECS: dict[str, Message] = {
    m.full_name: m for module in tables.MODULES for m in parse_table(module.PACKAGE, module.MESSAGES, tables.ALIASES)
}


def _check_references() -> None:
    for message in SPECS.values():
        for field in message.fields:
            if field.is_message and field.type not in SPECS:
                raise ValueError(f"{message.full_name}.{field.name}: no table for {field.type}")


_check_references()
CLASSES: dict[str, type[ProtoMessage]] = build_classes(SPECS.values())
UNKNOWN = f"{tables.runtime.PACKAGE}.Unknown"
_DELETE_OPTIONS = f"{tables.meta.PACKAGE}.DeleteOptions"

_KINDS: dict[tuple[str, str], str] = {
    (module.GROUP_VERSION, kind): f"{module.PACKAGE}.{kind}"
    for module in tables.MODULES if module.GROUP_VERSION is not None for kind in module.KINDS
}


def message_for(api_version: str, kind: str) -> str | None:
    """Full message name for a body's type, or None when no table covers it."""
    if kind == "DeleteOptions":
        # Every group version registers meta/v1 DeleteOptions, so it may arrive under any apiVersion.
        return _DELETE_OPTIONS
    return _KINDS.get((api_version, kind))
