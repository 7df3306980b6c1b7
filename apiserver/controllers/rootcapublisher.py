"""The root CA publisher (kube-controller-manager's root-ca-cert-publisher, run here on the elected leader): every
namespace has a `kube-root-ca.crt` ConfigMap holding the CA bundle that verifies this API server, which the
`kube-api-access-*` volume of every pod projects. It is created with its namespace, made again when deleted and
put back when changed; a terminating namespace is left alone.

kube-controller-manager publishes its --root-ca-file (else its kubeconfig's CA). The server has neither, so the
bundle is the chain that issued the serving certificate (--tls-cert-file): the CA certificates bundled after it
in that file and those of --client-ca-file (kubeadm's ca.crt is both), from the issuer of the serving
certificate up to the root, or the serving certificate itself when it is self-signed."""
from __future__ import annotations

import copy
import logging
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization

from apiserver.api.meta.errors import StatusError
from apiserver.api.meta.types import Obj
from apiserver.informers.informer import Informer, running
from apiserver.informers.workqueue import WorkQueue, drain
from apiserver.options.flags import ServerConfig
from apiserver.registry.registry import Registry

log = logging.getLogger(__name__)

MANAGER = "kube-controller-manager"
CONFIGMAP = "kube-root-ca.crt"
DATA_KEY = "ca.crt"
DESCRIPTION_ANNOTATION = "kubernetes.io/description"
DESCRIPTION = ("Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints "
               "such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across "
               "distributions of Kubernetes clusters.")
_RETRY_SECONDS = 1.0


@dataclass(frozen=True)
class RootCAFiles:
    """Where the CA that verifies this server is found."""
    serving_cert: Path
    client_ca: Path | None

    @classmethod
    def of(cls, config: ServerConfig) -> RootCAFiles:
        return cls(config.serving.tls_cert_file, config.authentication.client_ca_file)


def _load(path: Path | None) -> list[x509.Certificate]:
    if path is None:
        return []
    try:
        return x509.load_pem_x509_certificates(path.read_bytes())
    except (OSError, ValueError) as exc:
        log.warning("root CA publisher: cannot read %s: %s", path, exc)
        return []


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def issuing_chain(serving: list[x509.Certificate], others: list[x509.Certificate]) -> list[x509.Certificate]:
    """The certificates that issued serving[0], nearest first, ending at a self-signed root when one is known;
    the serving certificate alone when it signs itself; empty when its issuer is nowhere to be found."""
    if not serving:
        return []
    leaf, candidates = serving[0], serving[1:] + others
    if _issued_by(leaf, leaf):
        return [leaf]
    chain: list[x509.Certificate] = []
    current = leaf
    while not _issued_by(current, current):
        issuer = next((c for c in candidates if c not in chain and _issued_by(current, c)), None)
        if issuer is None:
            break
        chain.append(issuer)
        current = issuer
    return chain


def root_ca_bundle(files: RootCAFiles) -> str:
    """The PEM bundle to publish ('' when the serving certificate's issuer is unknown)."""
    chain = issuing_chain(_load(files.serving_cert), _load(files.client_ca))
    return "".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in chain)


class RootCAPublisher:
    def __init__(self, registry: Registry, files: RootCAFiles) -> None:
        self.registry = registry
        self.files = files
        self.configmaps = registry.store("", "v1", "configmaps")
        self.queue: WorkQueue[str] = WorkQueue()
        self.bundle = ""

    def _namespace_changed(self, event: str, obj: Obj) -> None:
        # kube follows additions, and updates of active namespaces
        if event == "ADDED" or (event == "MODIFIED" and (obj.get("status") or {}).get("phase") == "Active"):
            self.queue.add(obj["metadata"]["name"])

    def _configmap_changed(self, event: str, obj: Obj) -> None:
        if event != "ADDED" and obj["metadata"].get("name") == CONFIGMAP:
            self.queue.add(obj["metadata"].get("namespace", ""))

    async def run(self) -> None:
        # read on each election, so a leader publishes the CA of the files as they are now
        self.bundle = root_ca_bundle(self.files)
        if not self.bundle:
            log.warning("root CA publisher: the issuer of %s is neither in it nor in the client CA file; no %s "
                        "ConfigMaps are published", self.files.serving_cert, CONFIGMAP)
            return
        async with running(Informer(self.registry.namespaces, self._namespace_changed),
                           Informer(self.configmaps, self._configmap_changed)):
            await drain(self.queue, self.sync, _RETRY_SECONDS, "root CA publisher")

    async def sync(self, namespace: str) -> None:
        found = await self.registry.find_namespace(namespace)
        if found is None or found["metadata"].get("deletionTimestamp"):
            return
        data = {DATA_KEY: self.bundle}
        current = await self.configmaps.find(namespace, CONFIGMAP)
        if current is None:
            try:
                await self.configmaps.create(namespace, {
                    "apiVersion": "v1", "kind": "ConfigMap",
                    "metadata": {"name": CONFIGMAP, "annotations": {DESCRIPTION_ANNOTATION: DESCRIPTION}},
                    "data": data}, manager=MANAGER)
            except StatusError as exc:
                # made meanwhile (the informer brings it back here if it differs), or the namespace went away
                if exc.code not in (403, 404, 409):
                    raise
            return
        annotations = current["metadata"].get("annotations") or {}
        if current.get("data") == data and annotations.get(DESCRIPTION_ANNOTATION):
            return
        fixed = copy.deepcopy(current)
        fixed["data"] = data
        fixed["metadata"]["annotations"] = {**annotations, DESCRIPTION_ANNOTATION: DESCRIPTION}
        # a conflict (someone changed it meanwhile) fails the sync, which comes back shortly
        await self.configmaps.update(namespace, CONFIGMAP, fixed, manager=MANAGER)
