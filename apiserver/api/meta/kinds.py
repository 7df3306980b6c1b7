"""The view of a served resource that the api layer needs: its group, version and kind.

The catalogue rows that carry them (with the storage and strategy a resource has) live above, in the
registry; typing against this protocol keeps the api layer from importing them.
"""
from __future__ import annotations

from typing import Protocol


class KindRef(Protocol):
    @property
    def group(self) -> str: ...

    @property
    def version(self) -> str: ...

    @property
    def kind(self) -> str: ...
