"""What the store calls to admit a write (kube's admission hooks inside the generic store): the request's
admission chain, bound by the REST handler to the request's user, options and resource. The store calls
`mutate` before it prepares and validates an object, and `validate` after validation and before the write, on
every attempt of a read-modify-write. `new` is None for a DELETE, `old` is None for a CREATE. A refusal is a
StatusError; a mutation changes `new` in place."""
from __future__ import annotations

from typing import Protocol

from apiserver.api.meta.types import Obj


class Admit(Protocol):
    async def mutate(self, new: Obj | None, old: Obj | None) -> None: ...

    async def validate(self, new: Obj | None, old: Obj | None) -> None: ...
