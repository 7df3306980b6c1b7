"""ServiceAccount bearer tokens: legacy tokens kept in `kubernetes.io/service-account-token` Secrets, and bound
tokens from the TokenRequest API. Both are JWTs verified with any key of --service-account-key-file; the objects
they name are read from the replica's watch cache (a miss confirmed in etcd), so a token dies with its
ServiceAccount, and a bound token with the Pod, Secret or Node it is bound to."""
from __future__ import annotations

import base64
import datetime
import hmac
import logging
import time
from dataclasses import dataclass
from typing import Any

import jwt

from apiserver.api.meta import errors
from apiserver.authn.objects import TokenObjects
from apiserver.authn.sakeys import VerifyingKey
from apiserver.authn.token import TokenResult
from apiserver.authn.user import AuthenticationFailed
from apiserver.request.user import UserInfo, service_account_username
from apiserver.storage.interface import Obj

log = logging.getLogger(__name__)

LEGACY_ISSUER = "kubernetes/serviceaccount"
_LEGACY = "kubernetes.io/serviceaccount/"
# go-jose's default clock skew, which kube allows on exp, nbf and recent deletions
LEEWAY_SECONDS = 60
POD_NAME, POD_UID = "authentication.kubernetes.io/pod-name", "authentication.kubernetes.io/pod-uid"
NODE_NAME, NODE_UID = "authentication.kubernetes.io/node-name", "authentication.kubernetes.io/node-uid"
CREDENTIAL_ID = "authentication.kubernetes.io/credential-id"
INVALIDATED = "Token has been invalidated"
LAST_USED_LABEL = "kubernetes.io/legacy-token-last-used"
INVALID_SINCE_LABEL = "kubernetes.io/legacy-token-invalid-since"
MANAGER = "kube-apiserver"


@dataclass(frozen=True)
class Account:
    """Who a verified token speaks for, and what it is bound to."""
    namespace: str
    name: str
    uid: str
    extra: dict[str, tuple[str, ...]]

    def user(self) -> UserInfo:
        return UserInfo(name=service_account_username(self.namespace, self.name), uid=self.uid,
                        groups=("system:serviceaccounts", f"system:serviceaccounts:{self.namespace}"),
                        extra=self.extra)


def _issuer(token: str) -> str | None:
    """The unverified `iss` of a JWT; None for anything that is not one (another method's token)."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        return None
    issuer = claims.get("iss")
    return issuer if isinstance(issuer, str) else None


def verify(token: str, keys: list[VerifyingKey]) -> dict[str, Any]:
    """The claims, once some key's signature verifies and the token is within its lifetime."""
    algorithm = jwt.get_unverified_header(token).get("alg")
    for key in (k for k in keys if k.alg == algorithm):
        try:
            return jwt.decode(token, key.public, algorithms=[key.alg], leeway=LEEWAY_SECONDS,
                              options={"verify_aud": False, "verify_iss": False})
        except jwt.InvalidSignatureError:
            continue
        except jwt.ExpiredSignatureError:
            raise AuthenticationFailed("service account token has expired") from None
        except jwt.InvalidTokenError as exc:
            raise AuthenticationFailed(f"service account token is invalid: {exc}") from None
    raise AuthenticationFailed("invalid signature: no configured key verifies this token")


def _deleted_before_leeway(obj: Obj) -> bool:
    stamp = obj["metadata"].get("deletionTimestamp")
    if not stamp:
        return False
    deleted = datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.UTC)
    return deleted.timestamp() < time.time() - LEEWAY_SECONDS


class _Lookups:
    def __init__(self, objects: TokenObjects) -> None:
        self.objects = objects

    async def get(self, plural: str, namespace: str, name: str) -> Obj | None:
        return await self.objects.reader(plural).find(namespace, name) if name else None

    async def service_account(self, namespace: str, name: str, uid: str) -> None:
        account = await self.get("serviceaccounts", namespace, name)
        if account is None or _deleted_before_leeway(account):
            raise AuthenticationFailed(f"service account {namespace}/{name} has been deleted")
        if account["metadata"].get("uid") != uid:
            raise AuthenticationFailed(f"service account UID ({account['metadata'].get('uid')}) does not match "
                                       f"claim ({uid})")

    async def bound(self, plural: str, kind: str, namespace: str, ref: Obj) -> None:
        obj = await self.get(plural, namespace, ref.get("name") or "")
        if obj is None or _deleted_before_leeway(obj):
            raise AuthenticationFailed(INVALIDATED)
        if obj["metadata"].get("uid") != ref.get("uid"):
            raise AuthenticationFailed(f"{kind} UID ({obj['metadata'].get('uid')}) does not match claim "
                                       f"({ref.get('uid')})")


class BoundTokenAuthenticator:
    """Tokens from the TokenRequest API: issuer among --service-account-issuer, audience among --api-audiences."""

    def __init__(self, objects: TokenObjects, keys: list[VerifyingKey], issuers: tuple[str, ...],
                 audiences: tuple[str, ...]) -> None:
        self.lookups = _Lookups(objects)
        self.keys = keys
        self.issuers = issuers
        self.audiences = audiences

    async def authenticate_token(self, token: str, audiences: tuple[str, ...]) -> TokenResult | None:
        """`audiences` are the ones the request is for (the API's, or a TokenReview's); none means the API's."""
        if _issuer(token) not in self.issuers:
            return None
        wanted = audiences or self.audiences
        claims = verify(token, self.keys)
        claimed = claims.get("aud") or []
        claimed = [claimed] if isinstance(claimed, str) else claimed
        shared = tuple(a for a in wanted if a in claimed)
        if not shared:
            raise AuthenticationFailed(f"token audiences {claimed} is invalid for the target audiences "
                                       f"{list(wanted)}")
        return TokenResult((await self._account(claims)).user(), shared)

    async def _account(self, claims: dict[str, Any]) -> Account:
        private = claims.get("kubernetes.io")
        if not isinstance(private, dict) or not isinstance(private.get("serviceaccount"), dict):
            raise AuthenticationFailed("token does not name a service account")
        namespace, account = private.get("namespace") or "", private["serviceaccount"]
        await self.lookups.service_account(namespace, account.get("name") or "", account.get("uid") or "")
        extra: dict[str, tuple[str, ...]] = {}
        for kind, plural in (("secret", "secrets"), ("pod", "pods")):
            if isinstance(private.get(kind), dict):
                await self.lookups.bound(plural, kind.capitalize(), namespace, private[kind])
        if isinstance(private.get("pod"), dict):
            extra[POD_NAME], extra[POD_UID] = (private["pod"].get("name", ""),), (private["pod"].get("uid", ""),)
        if isinstance(private.get("node"), dict):
            if "pod" not in private:
                # a token bound to the node itself lives only as long as the node
                await self.lookups.bound("nodes", "Node", "", private["node"])
            extra[NODE_NAME], extra[NODE_UID] = (private["node"].get("name", ""),), (private["node"].get("uid", ""),)
        if claims.get("jti"):
            extra[CREDENTIAL_ID] = (f"JTI={claims['jti']}",)
        return Account(namespace, account.get("name") or "", account.get("uid") or "", extra)


class LegacyTokenAuthenticator:
    """Tokens stored in `kubernetes.io/service-account-token` Secrets: valid while that Secret holds them."""

    def __init__(self, objects: TokenObjects, keys: list[VerifyingKey]) -> None:
        self.lookups = _Lookups(objects)
        self.keys = keys

    async def authenticate_token(self, token: str, audiences: tuple[str, ...]) -> TokenResult | None:
        if _issuer(token) != LEGACY_ISSUER:
            return None
        claims = verify(token, self.keys)
        namespace, secret_name, name, uid = (str(claims.get(_LEGACY + c) or "") for c in (
            "namespace", "secret.name", "service-account.name", "service-account.uid"))
        if not all((namespace, secret_name, name, uid)):
            raise AuthenticationFailed("legacy service account token is missing a claim")
        if claims.get("sub") != service_account_username(namespace, name):
            raise AuthenticationFailed("sub claim does not match the service account claims")
        secret = await self.lookups.get("secrets", namespace, secret_name)
        if secret is None or _deleted_before_leeway(secret):
            raise AuthenticationFailed(INVALIDATED)
        stored = base64.b64decode((secret.get("data") or {}).get("token") or "")
        if not hmac.compare_digest(stored, token.encode()):
            raise AuthenticationFailed("Token does not match server's copy")
        await self.lookups.service_account(namespace, name, uid)
        invalid = (secret["metadata"].get("labels") or {}).get(INVALID_SINCE_LABEL)
        await self._mark_used(secret)
        if invalid:
            raise AuthenticationFailed(
                f"the token in secret {namespace}/{secret_name} for service account {namespace}/{name} has been "
                "marked invalid. Use tokens from the TokenRequest API or manually created secret-based tokens, or "
                f"remove the '{INVALID_SINCE_LABEL}' label from the secret to temporarily allow use of this token")
        return TokenResult(Account(namespace, name, uid, {}).user())

    async def _mark_used(self, secret: Obj) -> None:
        """Labels the Secret with today's date (UTC) at most once a day, so unused legacy tokens can be found."""
        now = datetime.datetime.now(datetime.UTC)
        today, tomorrow = (now.strftime("%Y-%m-%d"), (now + datetime.timedelta(days=1)).strftime("%Y-%m-%d"))
        meta = secret["metadata"]
        if (meta.get("labels") or {}).get(LAST_USED_LABEL) in (today, tomorrow):
            return

        def label(current: Obj) -> Obj:
            if current["metadata"].get("uid") != meta.get("uid"):
                raise errors.conflict("secrets", "", meta["name"], "the secret was replaced")
            current["metadata"].setdefault("labels", {})[LAST_USED_LABEL] = today
            return current

        try:
            await self.lookups.objects.secrets.patch(meta.get("namespace", ""), meta["name"], "", label,
                                                     manager=MANAGER)
        except errors.StatusError as exc:
            # the token is still good; only the bookkeeping failed
            log.warning("could not label legacy token secret %s/%s as used: %s", meta.get("namespace"),
                        meta["name"], exc.message)
