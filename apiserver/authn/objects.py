"""The API objects some authenticators check a token against, as narrow views the server hands them.

Authentication sits below the registry: it reads Secrets, ServiceAccounts, Pods and Nodes through these
protocols, which the registry's stores satisfy, and never sees the registry itself.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from apiserver.api.meta.types import Obj


class ObjectReader(Protocol):
    async def find(self, namespace: str, name: str) -> Obj | None:
        """The object, or None if it does not exist (a cache miss must be confirmed before None is said)."""
        ...


class ObjectPatcher(ObjectReader, Protocol):
    async def patch(self, namespace: str, name: str, subresource: str, patch: Callable[[Obj], Obj],
                    dry_run: bool = False, manager: str = "") -> Obj:
        """Read-modify-write of one object; `patch` may raise to give up."""
        ...


@dataclass(frozen=True)
class TokenObjects:
    """What ServiceAccount and bootstrap tokens are checked against."""
    secrets: ObjectPatcher
    service_accounts: ObjectReader
    pods: ObjectReader
    nodes: ObjectReader

    def reader(self, plural: str) -> ObjectReader:
        readers: dict[str, ObjectReader] = {"secrets": self.secrets, "serviceaccounts": self.service_accounts,
                                            "pods": self.pods, "nodes": self.nodes}
        return readers[plural]
