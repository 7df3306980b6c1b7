"""ServiceAccount: a new pod runs as a ServiceAccount that exists (`default` when it names none), gets the
projected `kube-api-access-*` volume with a bound token, the cluster's CA and its namespace mounted in every
container unless it opts out, and inherits the account's imagePullSecrets; an account annotated
`kubernetes.io/enforce-mountable-secrets: "true"` limits the secrets its pods may reference. Mirror pods (the
kubelet's static pods) are left as they are, but may reference no account, secret or token projection.
Only pod creates concern it: an account cannot change later (validation holds serviceAccountName), and the
pods/ephemeralcontainers subresource, the other write kube checks, is not served here."""
from __future__ import annotations

import asyncio
import random
import secrets
from typing import Any

from apiserver.admission.attributes import Attributes, Operation
from apiserver.admission.plugin import Plugin, forbidden, operations
from apiserver.api.meta.types import Obj
from apiserver.authz.nodegraph import pod_edges
from apiserver.registry.store import _SUFFIX_ALPHABET, RegistryStore

DEFAULT_ACCOUNT = "default"
ENFORCE_MOUNTABLE_SECRETS = "kubernetes.io/enforce-mountable-secrets"
MIRROR_POD_ANNOTATION = "kubernetes.io/config.mirror"
VOLUME_PREFIX = "kube-api-access-"
TOKEN_MOUNT_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"
# kube's bound token lifetime for the volume it adds: an hour and seven seconds, the seven marking tokens whose
# use past an hour is only warned about
TOKEN_EXPIRATION_SECONDS = 3607
ROOT_CA_CONFIGMAP = "kube-root-ca.crt"
# the controller creates `default` just after its namespace: kube asks for it this many times
_DEFAULT_ACCOUNT_ATTEMPTS = 10


def token_volume(name: str) -> Obj:
    """The projected volume as kube writes it, field for field (defaultMode set, not left to defaulting)."""
    return {"name": name, "projected": {"sources": [
        {"serviceAccountToken": {"expirationSeconds": TOKEN_EXPIRATION_SECONDS, "path": "token"}},
        {"configMap": {"name": ROOT_CA_CONFIGMAP, "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
        {"downwardAPI": {"items": [{"path": "namespace",
                                    "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}},
    ], "defaultMode": 0o644}}


def parse_bool(text: str) -> bool:
    """Go's strconv.ParseBool, where anything it cannot parse is false."""
    return text in ("1", "t", "T", "TRUE", "true", "True")


def _dicts(value: Any) -> list[Obj]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _ref_name(value: Any, field: str = "name") -> str:
    return value.get(field) or "" if isinstance(value, dict) else ""


def should_automount(account: Obj, spec: Obj) -> bool:
    """The pod's choice, else the account's, else yes."""
    for choice in (spec.get("automountServiceAccountToken"), account.get("automountServiceAccountToken")):
        if isinstance(choice, bool):
            return choice
    return True


def mount_token(spec: Obj) -> None:
    """Mounts the token volume in every init and regular container that has nothing at the token path yet; the
    volume is added when one of them needs it, unless the pod already has a `kube-api-access-*` volume."""
    volumes: list[Any] = spec["volumes"] if isinstance(spec.get("volumes"), list) else []
    existing = next((v.get("name") for v in _dicts(volumes) if str(v.get("name", "")).startswith(VOLUME_PREFIX)),
                    None)
    name = existing or VOLUME_PREFIX + "".join(secrets.choice(_SUFFIX_ALPHABET) for _ in range(5))
    needed = False
    for key in ("initContainers", "containers"):
        for container in _dicts(spec.get(key)):
            mounts = container.get("volumeMounts")
            if any(m.get("mountPath") == TOKEN_MOUNT_PATH for m in _dicts(mounts)):
                continue
            mount = {"name": name, "readOnly": True, "mountPath": TOKEN_MOUNT_PATH}
            container["volumeMounts"] = [*mounts, mount] if isinstance(mounts, list) else [mount]
            needed = True
    if needed and existing is None:
        spec["volumes"] = [*volumes, token_volume(name)]


def mountable_secrets_violation(account: Obj, spec: Obj) -> str:
    """Why the pod references a secret its account does not list ('' when it does not)."""
    account_name = account["metadata"]["name"]
    mountable = {_ref_name(ref) for ref in _dicts(account.get("secrets"))}
    for volume in _dicts(spec.get("volumes")):
        secret = volume.get("secret")
        if isinstance(secret, dict) and _ref_name(secret, "secretName") not in mountable:
            return (f'volume with secret.secretName="{_ref_name(secret, "secretName")}" is not allowed because '
                    f"service account {account_name} does not reference that secret")
    for key, what in (("initContainers", "init container"), ("containers", "container")):
        for container in _dicts(spec.get(key)):
            for var in _dicts(container.get("env")):
                ref = (var.get("valueFrom") or {}).get("secretKeyRef")
                name = _ref_name(ref)
                if isinstance(ref, dict) and name not in mountable:
                    return (f'{what} {container.get("name", "")} with envVar {var.get("name", "")} referencing '
                            f'secret.secretName="{name}" is not allowed because service account {account_name} '
                            "does not reference that secret")
            for source in _dicts(container.get("envFrom")):
                ref = source.get("secretRef")
                name = _ref_name(ref)
                if isinstance(ref, dict) and name not in mountable:
                    return (f'{what} {container.get("name", "")} with envFrom referencing secret.secretName="{name}" '
                            f"is not allowed because service account {account_name} does not reference that secret")
    pullable = {_ref_name(ref) for ref in _dicts(account.get("imagePullSecrets"))}
    for i, ref in enumerate(_dicts(spec.get("imagePullSecrets"))):
        if _ref_name(ref) not in pullable:
            return (f'imagePullSecrets[{i}].name="{_ref_name(ref)}" is not allowed because service account '
                    f"{account_name} does not reference that imagePullSecret")
    return ""


class ServiceAccount(Plugin):
    name = "ServiceAccount"
    operations = operations(Operation.CREATE)

    def __init__(self, accounts: RegistryStore) -> None:
        self.accounts = accounts

    def handles(self, attrs: Attributes) -> bool:
        return super().handles(attrs) and attrs.is_pod() and attrs.obj is not None

    async def admit(self, attrs: Attributes) -> None:
        pod = attrs.obj
        assert pod is not None
        if _is_mirror(pod):
            return self._check_mirror(attrs, pod)
        spec = pod.setdefault("spec", {})
        # the deprecated `serviceAccount` stands in for an empty serviceAccountName, as kube's decoding reads it
        spec["serviceAccountName"] = spec.get("serviceAccountName") or spec.get("serviceAccount") or DEFAULT_ACCOUNT
        account = await self._account(attrs, spec["serviceAccountName"])
        if should_automount(account, spec):
            mount_token(spec)
        if not spec.get("imagePullSecrets") and account.get("imagePullSecrets"):
            spec["imagePullSecrets"] = [{"name": _ref_name(ref)} for ref in _dicts(account["imagePullSecrets"])]
        # kube's mutating phase ends with its own validation
        await self.validate(attrs)

    async def validate(self, attrs: Attributes) -> None:
        pod = attrs.obj
        assert pod is not None
        if _is_mirror(pod):
            return self._check_mirror(attrs, pod)
        spec = pod.get("spec") or {}
        account_name = spec.get("serviceAccountName")
        if not account_name:
            raise forbidden(attrs, f"no service account specified for pod {attrs.namespace}/"
                            f"{(pod.get('metadata') or {}).get('name', '')}")
        account = await self._account(attrs, account_name)
        if parse_bool((account["metadata"].get("annotations") or {}).get(ENFORCE_MOUNTABLE_SECRETS, "")):
            why = mountable_secrets_violation(account, spec)
            if why:
                raise forbidden(attrs, why)

    async def _account(self, attrs: Attributes, name: str) -> Obj:
        """The account from the watch cache, confirmed in etcd on a miss; `default` is asked for again for a
        moment, since its controller creates it just after the namespace."""
        attempts = _DEFAULT_ACCOUNT_ATTEMPTS if name == DEFAULT_ACCOUNT else 1
        interval = random.uniform(0.1, 0.2)
        for attempt in range(attempts):
            if attempt:
                await asyncio.sleep(interval)
            try:
                account = await self.accounts.find(attrs.namespace, name)
            except Exception as exc:
                raise forbidden(attrs, f"error looking up service account {attrs.namespace}/{name}: {exc}") from exc
            if account is not None:
                return account
        raise forbidden(attrs, f"error looking up service account {attrs.namespace}/{name}: "
                        f'serviceaccount "{name}" not found')

    @staticmethod
    def _check_mirror(attrs: Attributes, pod: Obj) -> None:
        spec = pod.get("spec") or {}
        if spec.get("serviceAccountName") or spec.get("serviceAccount"):
            raise forbidden(attrs, "a mirror pod may not reference service accounts")
        if pod_edges(pod).secrets:
            raise forbidden(attrs, "a mirror pod may not reference secrets")
        for volume in _dicts(spec.get("volumes")):
            if any(isinstance(s.get("serviceAccountToken"), dict)
                   for s in _dicts((volume.get("projected") or {}).get("sources"))):
                raise forbidden(attrs, "a mirror pod may not use ServiceAccountToken volume projections")


def _is_mirror(pod: Obj) -> bool:
    return MIRROR_POD_ANNOTATION in ((pod.get("metadata") or {}).get("annotations") or {})
