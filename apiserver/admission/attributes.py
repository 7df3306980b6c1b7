"""What an admission plugin is told about one request (kube's admission.Attributes)."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from apiserver.api.meta.types import Obj
from apiserver.registry.catalogue import ResourceInfo
from apiserver.request.user import UserInfo


class Operation(StrEnum):
    CREATE = "CREATE"
    UPDATE = "UPDATE"
    DELETE = "DELETE"
    CONNECT = "CONNECT"


@dataclass
class Attributes:
    operation: Operation
    # the resource as stored: plugins read objects in this row's version, whatever version the request used
    row: ResourceInfo
    # the resource and version the client addressed (a webhook's requestResource)
    request_group: str
    request_version: str
    resource: str
    subresource: str
    namespace: str
    name: str
    obj: Obj | None
    old: Obj | None
    user: UserInfo
    # the write's CreateOptions, UpdateOptions, PatchOptions or DeleteOptions, as a webhook is sent them
    options: Obj | None
    dry_run: bool
    # the kind of `obj` when it is not the row's (autoscaling/v1 Scale for a scale subresource, an action's body)
    kind: tuple[str, str, str] | None = None
    # audit annotations plugins add, keyed "<plugin>/<key>" (read by the audit stage)
    annotations: dict[str, str] = field(default_factory=dict)

    @property
    def group(self) -> str:
        return self.row.group

    @property
    def object_kind(self) -> tuple[str, str, str]:
        """(group, version, kind) of the object admitted."""
        return self.kind or (self.row.group, self.row.version, self.row.kind)

    def is_pod(self, *, subresource: str = "") -> bool:
        return self.row.group == "" and self.resource == "pods" and self.subresource == subresource

    def matches(self, group: str, resource: str, subresource: str = "") -> bool:
        return (self.row.group, self.resource, self.subresource) == (group, resource, subresource)

    def annotate(self, plugin: str, key: str, value: str) -> None:
        self.annotations[f"{plugin}/{key}"] = value

    def value(self, *path: str) -> Any:
        """A field of the new object (None when absent), for plugins that read one value."""
        cur: Any = self.obj
        for part in path:
            if not isinstance(cur, dict):
                return None
            cur = cur.get(part)
        return cur
