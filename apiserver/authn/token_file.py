"""Static bearer tokens from --token-auth-file: CSV rows `token,user,uid[,"group1,group2"]`."""
from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from apiserver.authn.token import TokenResult
from apiserver.request.user import UserInfo


class TokenFileError(ValueError):
    pass


def load_token_file(path: Path) -> dict[str, UserInfo]:
    try:
        with path.open(newline="") as handle:
            return _tokens(csv.reader(handle), path)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise TokenFileError(f"{path}: {exc}") from None


def _tokens(rows: Iterable[list[str]], path: Path) -> dict[str, UserInfo]:
    tokens: dict[str, UserInfo] = {}
    for number, row in enumerate(rows, start=1):
        if not row or (len(row) == 1 and not row[0].strip()) or row[0].startswith("#"):
            continue
        if len(row) < 3:
            raise TokenFileError(f"{path}: line {number}: need at least 3 columns (token,user,uid), "
                                 f"found {len(row)}")
        token, name, uid = (c.strip() for c in row[:3])
        if not token or not name:
            raise TokenFileError(f"{path}: line {number}: token and user name must not be empty")
        groups = tuple(g.strip() for g in row[3].split(",") if g.strip()) if len(row) > 3 else ()
        tokens[token] = UserInfo(name=name, uid=uid, groups=groups)
    return tokens


class TokenFileAuthenticator:
    def __init__(self, tokens: dict[str, UserInfo]) -> None:
        self.tokens = tokens

    async def authenticate_token(self, token: str, audiences: tuple[str, ...]) -> TokenResult | None:
        user = self.tokens.get(token)
        return TokenResult(user) if user else None
