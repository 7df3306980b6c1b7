"""What every storage's paginated list shares: where a list starts, its continue token, its 410."""
from __future__ import annotations

from dataclasses import dataclass

from apiserver.storage.continue_token import InvalidContinueToken, decode_continue, encode_continue
from apiserver.storage.interface import Expired, InvalidListRequest, ListOptions, parse_resource_version


@dataclass(frozen=True, slots=True)
class ListStart:
    key: str  # the first key to read
    revision: int  # the revision to read at; 0: the latest
    minimum: int  # the latest revision must have reached this one (NotOlderThan); 0: any will do


def list_start(prefix: str, options: ListOptions) -> ListStart:
    rv, match = options.resource_version, options.resource_version_match
    if options.continue_token:
        if rv and rv != "0":
            raise InvalidListRequest("specifying resource version is not allowed when using continue")
        try:
            position = decode_continue(options.continue_token, prefix)
        except InvalidContinueToken as exc:
            raise InvalidListRequest(str(exc)) from None
        return ListStart(position.start_key, position.revision, 0)
    if match == "Exact":
        return ListStart(prefix, parse_resource_version(rv), 0)
    return ListStart(prefix, 0, parse_resource_version(rv) if rv else 0)


def continue_after(revision: int, last_key: str, prefix: str) -> str:
    """The token of the page that follows `last_key`, read at the same revision."""
    return encode_continue(revision, last_key + "\0", prefix)


def compacted(options: ListOptions, revision: int, compact_revision: int) -> Expired:
    """The 410 of a list whose revision is no longer kept."""
    if options.continue_token:
        return Expired("The provided continue parameter is too old to display a consistent list result. "
                       "You can start a new list without the continue parameter.")
    return Expired(f"too old resource version: {revision} ({compact_revision})")
