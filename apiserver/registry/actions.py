"""The contract of an action subresource (pods/binding, pods/eviction, serviceaccounts/token): a POST of one
object to a named resource, answered with an object (warnings go through request/warnings.py)."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from apiserver.api.meta.types import Obj


@dataclass(frozen=True)
class ActionRequest:
    namespace: str
    name: str
    body: Obj
    dry_run: bool


@dataclass(frozen=True)
class ActionResult:
    obj: Obj


Action = Callable[[ActionRequest], Awaitable[ActionResult]]
