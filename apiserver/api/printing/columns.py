"""Table columns and the small formatting rules kube-apiserver's printers share (ages, label maps, selectors).

A column is a header plus a function from the stored object to its cell; the per-resource column lists live
in `printers.py`. The server always fills every column, wide ones included; kubectl hides priority-1
columns unless asked for `-o wide`.
"""
from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from apiserver.api.meta.labels import (
    SelectorParseError,
    selector_from_label_selector_object,
)
from apiserver.api.meta.types import Obj

Cell = Callable[[Obj], Any]

NAME_DESCRIPTION = ("Name must be unique within a namespace. Is required when creating resources, although some "
                    "resources may allow a client to request the generation of an appropriate name automatically. "
                    "Name is primarily intended for creation idempotence and configuration definition. Cannot be "
                    "updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names")
CREATED_DESCRIPTION = ("CreationTimestamp is a timestamp representing the server time when this object was created. "
                       "It is not guaranteed to be set in happens-before order across separate operations. Clients "
                       "may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the "
                       "system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/"
                       "sig-architecture/api-conventions.md#metadata")


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    cell: Cell
    priority: int = 0
    format: str = ""
    description: str = ""

    def definition(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "format": self.format, "description": self.description,
                "priority": self.priority}


def get(obj: Any, *path: str, default: Any = None) -> Any:
    for part in path:
        if not isinstance(obj, dict):
            return default
        obj = obj.get(part)
    return default if obj is None else obj


def human_duration(seconds: float) -> str:
    """kube's HumanDuration: 45s, 5m3s, 2m, 3h, 5d, 2y...; a clock up to a second ahead still reads 0s."""
    s = int(seconds)
    if s < -1:
        return "<invalid>"
    if s < 0:
        return "0s"
    if s < 120:
        return f"{s}s"
    minutes = s // 60
    if minutes < 10:
        return f"{minutes}m{s % 60}s" if s % 60 else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    hours = s // 3600
    if hours < 8:
        return f"{hours}h{minutes % 60}m" if minutes % 60 else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        return f"{hours // 24}d{hours % 24}h" if hours % 24 else f"{hours // 24}d"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        days = hours // 24
        return f"{days // 365}y{days % 365}d" if days % 365 else f"{days // 365}y"
    return f"{hours // (24 * 365)}y"


def parse_time(timestamp: Any) -> datetime.datetime | None:
    """An RFC 3339 Time or MicroTime as an aware datetime; None when absent or unreadable."""
    if not isinstance(timestamp, str) or not timestamp:
        return None
    try:
        return datetime.datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        return None


def since(timestamp: Any) -> str:
    then = parse_time(timestamp)
    if then is None:
        return "<unknown>"
    return human_duration((datetime.datetime.now(datetime.UTC) - then).total_seconds())


def format_labels(labels: Any) -> str:
    """A label map as `a=1,b=2` in key order, `<none>` when empty."""
    if not isinstance(labels, dict) or not labels:
        return "<none>"
    return ",".join(f"{k}={labels[k]}" for k in sorted(labels))


def format_label_selector(selector: Any) -> str:
    """A LabelSelector as kube prints it: `<none>` when it selects everything or nothing."""
    try:
        text = str(selector_from_label_selector_object(selector if isinstance(selector, dict) else None))
    except SelectorParseError:
        return "<error>"
    return text or "<none>"


def container_cells(containers: Any) -> tuple[str, str]:
    """Container names and images, each joined by commas."""
    containers = containers if isinstance(containers, list) else []
    return (",".join(c.get("name", "") for c in containers), ",".join(c.get("image", "") for c in containers))


def bool_text(value: Any) -> str:
    """A *bool as kube's printers write it: True, False, or <unset>."""
    if value is None:
        return "<unset>"
    return "True" if value else "False"


def or_text(value: Any, fallback: str) -> Any:
    return fallback if value in (None, "") else value


def column(name: str, cell: Cell, type_: str = "string", priority: int = 0, description: str = "") -> Column:
    return Column(name, type_, cell, priority, description=description)


NAME = Column("Name", "string", lambda o: get(o, "metadata", "name", default=""), format="name",
              description=NAME_DESCRIPTION)
AGE = Column("Age", "string", lambda o: since(get(o, "metadata", "creationTimestamp")),
             description=CREATED_DESCRIPTION)
# resources without a printer of their own get kube-apiserver's default table: Name and Created At
CREATED_AT = Column("Created At", "date", lambda o: _rfc3339(get(o, "metadata", "creationTimestamp")),
                    description=CREATED_DESCRIPTION)


def _rfc3339(timestamp: Any) -> str:
    then = parse_time(timestamp)
    if then is None:
        return "0001-01-01T00:00:00Z"
    return then.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def template_columns(containers: Callable[[Obj], Any], selector: Cell | None = None) -> list[Column]:
    """The wide Containers and Images columns of a workload (and its Selector, when it prints one)."""
    out = [column("Containers", lambda o: container_cells(containers(o))[0], priority=1,
                  description="Names of each container in the template."),
           column("Images", lambda o: container_cells(containers(o))[1], priority=1,
                  description="Images referenced by each container in the template.")]
    if selector is not None:
        out.append(column("Selector", selector, priority=1))
    return out
