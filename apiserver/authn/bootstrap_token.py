"""Bootstrap tokens (--enable-bootstrap-token-auth): `<id>.<secret>` bearer tokens backed by Secrets
`bootstrap-token-<id>` of type bootstrap.kubernetes.io/token in kube-system, as kubeadm writes them.

Like kube, every way a token can fail here (unknown, expired, not for authentication) is "no opinion": the union
then refuses the bearer token as a whole."""
from __future__ import annotations

import base64
import datetime
import hmac
import logging
import re

from apiserver.authn.objects import ObjectReader
from apiserver.authn.token import TokenResult
from apiserver.request.user import UserInfo
from apiserver.storage.interface import Obj

log = logging.getLogger(__name__)

NAMESPACE = "kube-system"
SECRET_TYPE = "bootstrap.kubernetes.io/token"
SECRET_PREFIX = "bootstrap-token-"
DEFAULT_GROUP = "system:bootstrappers"
USER_PREFIX = "system:bootstrap:"
_TOKEN = re.compile(r"^([a-z0-9]{6})\.([a-z0-9]{16})$")
_EXTRA_GROUP = re.compile(r"^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$")


def _data(secret: Obj, key: str) -> str:
    value = (secret.get("data") or {}).get(key)
    return base64.b64decode(value).decode(errors="replace") if value else ""


def _expired(secret: Obj) -> bool:
    expiration = _data(secret, "expiration")
    if not expiration:
        return False
    try:
        when = datetime.datetime.fromisoformat(expiration.replace("Z", "+00:00"))
    except ValueError:
        log.info("bootstrap token secret %s has an unparsable expiration %r", secret["metadata"]["name"], expiration)
        return True
    return when <= datetime.datetime.now(datetime.UTC)


def _groups(secret: Obj) -> tuple[str, ...] | None:
    """system:bootstrappers plus the secret's auth-extra-groups; None if one of those is not allowed."""
    groups = [DEFAULT_GROUP]
    for group in (g.strip() for g in _data(secret, "auth-extra-groups").split(",")):
        if not group:
            continue
        if not _EXTRA_GROUP.match(group):
            log.info("bootstrap token secret %s: group %r is not allowed", secret["metadata"]["name"], group)
            return None
        if group not in groups:
            groups.append(group)
    return tuple(groups)


class BootstrapTokenAuthenticator:
    def __init__(self, secrets: ObjectReader) -> None:
        self.secrets = secrets

    async def authenticate_token(self, token: str, audiences: tuple[str, ...]) -> TokenResult | None:
        match = _TOKEN.match(token)
        if match is None:
            return None
        token_id, token_secret = match.groups()
        secret = await self.secrets.find(NAMESPACE, SECRET_PREFIX + token_id)
        if (secret is None or secret["metadata"].get("deletionTimestamp") or secret.get("type") != SECRET_TYPE
                or not hmac.compare_digest(_data(secret, "token-secret").encode(), token_secret.encode())
                or _data(secret, "token-id") != token_id):
            return None
        if _expired(secret) or _data(secret, "usage-bootstrap-authentication") != "true":
            return None
        groups = _groups(secret)
        if groups is None:
            return None
        return TokenResult(UserInfo(name=USER_PREFIX + token_id, groups=groups))
