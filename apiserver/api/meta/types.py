"""Types every layer shares."""
from __future__ import annotations

from typing import Any, TypeAlias

# An object (or a part of one, such as its metadata) as the server holds it: the decoded JSON, a plain dict.
Obj: TypeAlias = dict[str, Any]
