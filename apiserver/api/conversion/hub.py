"""Versions of one resource and the hub between them.

A resource served in several versions has one internal (hub) shape; each served version says how its
objects turn into the hub and back, and one of the versions is the storage version. A body travels
request version → hub → storage version on the way in and storage version → hub → request version on the
way out, so N versions need 2N functions instead of N² pairwise ones. A version whose shape is the hub's
converts with the identity, which is what every single-version resource does (and never calls).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from apiserver.api.meta.types import Obj

Convert = Callable[[Obj], Obj]


def _same(obj: Obj) -> Obj:
    return obj


@dataclass(frozen=True)
class Conversion:
    """How one served version's objects become the hub's shape (`to_hub`) and come back (`from_hub`).
    Neither may change its argument: it may be an object the watch cache holds. `field_labels` is kube's field
    label conversion: the field selector labels this version accepts, each to the storage version's label
    (None: the storage version's labels as they are)."""
    to_hub: Convert = _same
    from_hub: Convert = _same
    field_labels: Mapping[str, str] | None = None


IDENTITY = Conversion()


class ServedVersion(Protocol):
    """One served version of a resource, as the catalogue describes it."""
    @property
    def api_version(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def conversion(self) -> Conversion: ...


def converter(source: ServedVersion, target: ServedVersion) -> Convert:
    """source's version → hub → target's version, stamped with the target's apiVersion and kind."""
    to_hub, from_hub = source.conversion.to_hub, target.conversion.from_hub
    api_version, kind = target.api_version, target.kind

    def convert(obj: Obj) -> Obj:
        out = dict(from_hub(to_hub(obj)))
        out["apiVersion"], out["kind"] = api_version, kind
        return out

    return convert
