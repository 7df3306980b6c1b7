"""The `serviceaccounts/token` action (TokenRequest): a signed, audience- and time-bound JWT for a
ServiceAccount, optionally bound to a Pod, Secret or Node so that it dies with that object."""
from __future__ import annotations

import datetime
import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt

from apiserver.api.meta import errors
from apiserver.api.meta.types import Obj
from apiserver.api.schema import typecheck
from apiserver.api.schema.openapi import kind_schemas
from apiserver.authn.sakeys import SigningKey
from apiserver.registry.actions import ActionRequest, ActionResult
from apiserver.registry.registry import Registry
from apiserver.request.user import service_account_username
from apiserver.request.warnings import add_warning

GROUP, VERSION, KIND = "authentication.k8s.io", "v1", "TokenRequest"
_MODEL = "AuthenticationV1TokenRequest"
DEFAULT_EXPIRATION_SECONDS = 3600
MIN_EXPIRATION_SECONDS = 600
MAX_EXPIRATION_SECONDS = 1 << 32
# kubelets ask for 3607 s; with --service-account-extend-token-expiration such pod-bound tokens live a year and
# carry `warnafter` at the 3607 s they asked for, so stale use can be spotted before real expiry is enforced
WARN_ONLY_EXPIRATION_SECONDS = 3607
EXTENDED_EXPIRATION_SECONDS = 365 * 24 * 3600
# the kinds a token may be bound to, and the store each is read from
_BINDABLE = {"Pod": "pods", "Secret": "secrets", "Node": "nodes"}


@dataclass(frozen=True)
class TokenIssuer:
    key: SigningKey
    issuer: str
    api_audiences: tuple[str, ...]
    max_expiration_seconds: int = 0
    extend_expiration: bool = True

    def sign(self, claims: dict[str, Any]) -> str:
        # kube's header is only alg and kid
        return jwt.encode(claims, self.key.private, algorithm=self.key.alg, headers={"kid": self.key.kid, "typ": None})


def _ref(obj: Obj) -> dict[str, str]:
    return {"name": obj["metadata"]["name"], "uid": obj["metadata"].get("uid", "")}


def _validate(spec: Obj) -> None:
    seconds = spec["expirationSeconds"]
    causes = []
    if seconds < MIN_EXPIRATION_SECONDS:
        causes.append(errors.Cause("FieldValueInvalid", f"Invalid value: {seconds}: may not specify a duration less "
                                   "than 10 minutes", "spec.expirationSeconds"))
    if seconds > MAX_EXPIRATION_SECONDS:
        causes.append(errors.Cause("FieldValueInvalid", f"Invalid value: {seconds}: may not specify a duration larger "
                                   "than 2^32 seconds", "spec.expirationSeconds"))
    if causes:
        raise errors.invalid(KIND, GROUP, "", causes)


def _check_types(body: Obj) -> None:
    """Typed decoding of the TokenRequest: a value of the wrong JSON type is kube's 400."""
    schemas = kind_schemas(_MODEL)
    try:
        typecheck.check(body, schemas[_MODEL], schemas, KIND)
    except typecheck.DecodeError as exc:
        raise typecheck.decode_error(KIND, VERSION, str(exc)) from None


def _check_metadata(request: ActionRequest) -> None:
    meta = request.body.get("metadata") or {}
    for field, expected, what in (("name", request.name, "name"), ("namespace", request.namespace, "namespace")):
        given = meta.get(field) or ""
        if given and given != expected:
            raise errors.invalid(KIND, GROUP, request.name, [errors.Cause(
                "FieldValueInvalid", f'Invalid value: "{given}": must match the service account {what} if specified',
                f"metadata.{field}")])


class TokenRequests:
    def __init__(self, registry: Registry, issuer: TokenIssuer) -> None:
        self.registry = registry
        self.issuer = issuer

    async def _bound_object(self, namespace: str, sa_name: str, ref: Obj) -> tuple[str, Obj]:
        api_version = ref.get("apiVersion") or ""
        group, _, version = api_version.rpartition("/")
        kind = ref.get("kind") or ""
        if group or kind not in _BINDABLE:
            raise errors.bad_request(f"cannot bind token to object of type {group}/{version}, Kind={kind}")
        store = self.registry.store("", "v1", _BINDABLE[kind])
        obj = await store.get(namespace if kind != "Node" else "", ref.get("name") or "")
        if kind == "Pod" and (obj.get("spec") or {}).get("serviceAccountName") != sa_name:
            raise errors.bad_request(f'cannot bind token for serviceaccount "{sa_name}" to pod running with '
                                     "different serviceaccount name.")
        uid = obj["metadata"].get("uid", "")
        if ref.get("uid") and ref["uid"] != uid:
            raise errors.conflict(kind, group, ref.get("name") or "", f"the UID in the bound object reference "
                                  f"({ref['uid']}) does not match the UID in record. The object might have been "
                                  "deleted and then recreated")
        return kind, obj

    async def _pod_node(self, pod: Obj) -> Obj | None:
        """The node a pod runs on, whose name and uid a pod-bound token also carries."""
        node_name = (pod.get("spec") or {}).get("nodeName")
        return await self.registry.store("", "v1", "nodes").find("", node_name) if node_name else None

    async def create(self, request: ActionRequest) -> ActionResult:
        _check_types(request.body)
        _check_metadata(request)
        spec = dict(request.body.get("spec") or {})
        spec["expirationSeconds"] = int(spec.get("expirationSeconds") or DEFAULT_EXPIRATION_SECONDS)
        _validate(spec)
        account = await self.registry.store("", "v1", "serviceaccounts").get(request.namespace, request.name)
        private: dict[str, Any] = {"namespace": request.namespace, "serviceaccount": _ref(account)}
        bound_kind = ""
        if spec.get("boundObjectRef"):
            bound_kind, bound = await self._bound_object(request.namespace, request.name, spec["boundObjectRef"])
            private[bound_kind.lower()] = _ref(bound)
            node = await self._pod_node(bound) if bound_kind == "Pod" else None
            if node is not None:
                private["node"] = _ref(node)
        if not spec.get("audiences"):
            spec["audiences"] = list(self.issuer.api_audiences)
        maximum = self.issuer.max_expiration_seconds
        if maximum and spec["expirationSeconds"] > maximum:
            add_warning(f'requested expiration of {spec["expirationSeconds"]} seconds shortened to '
                            f'{maximum} seconds')
            spec["expirationSeconds"] = maximum
        lifetime = spec["expirationSeconds"]
        now = int(time.time())
        if (self.issuer.extend_expiration and bound_kind == "Pod" and lifetime == WARN_ONLY_EXPIRATION_SECONDS
                and set(spec["audiences"]) <= set(self.issuer.api_audiences)):
            private["warnafter"] = now + lifetime
            lifetime = EXTENDED_EXPIRATION_SECONDS
        claims = {"iss": self.issuer.issuer, "sub": service_account_username(request.namespace, request.name),
                  "aud": spec["audiences"], "exp": now + lifetime, "iat": now, "nbf": now,
                  "jti": str(uuid.uuid4()), "kubernetes.io": private}
        # the status reports the expiry the client asked for, even when the token itself lives longer
        expiry = datetime.datetime.fromtimestamp(now + spec["expirationSeconds"], datetime.UTC)
        meta = {**(request.body.get("metadata") or {}), "name": request.name, "namespace": request.namespace,
                "creationTimestamp": None}
        return ActionResult({
            "kind": KIND, "apiVersion": f"{GROUP}/{VERSION}", "metadata": meta, "spec": spec,
            "status": {"token": self.issuer.sign(claims), "expirationTimestamp": expiry.strftime("%Y-%m-%dT%H:%M:%SZ")},
        })
