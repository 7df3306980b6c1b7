"""The cluster under test, as `python -m cluster up` leaves it in a state directory: the balancer's URL, the
replicas' URLs, and requests as the cluster admin (kubernetes-admin, in system:masters)."""
from __future__ import annotations

import json
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from certs.pki import PkiPaths


@dataclass(frozen=True)
class Answer:
    code: int
    body: Any


@dataclass(frozen=True)
class Target:
    pki: PkiPaths
    url: str
    replica_urls: tuple[str, ...]

    @classmethod
    def from_state(cls, state: Path) -> Target:
        topology = json.loads((state / "cluster.json").read_text())
        return cls(PkiPaths.under(state / "pki"), f"https://127.0.0.1:{topology['lb']['port']}",
                   tuple(f"https://127.0.0.1:{r['port']}" for r in topology["replicas"]))

    @property
    def ca(self) -> str:
        return str(self.pki.ca_cert)

    @property
    def cert(self) -> tuple[str, str]:
        return str(self.pki.admin_cert), str(self.pki.admin_key)

    @cached_property
    def context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(cafile=self.ca)
        context.load_cert_chain(*self.cert)
        return context

    def call(self, method: str, path: str, body: Any = None, content_type: str = "application/json",
             base: str | None = None) -> Answer:
        """One request as the admin, through the balancer unless `base` names a replica; the body, when it is
        JSON, decoded."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request((base or self.url) + path, data=data, method=method,
                                         headers={"Content-Type": content_type, "Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, context=self.context, timeout=30) as response:
                return Answer(response.status, _decode(response.read()))
        except urllib.error.HTTPError as exc:
            return Answer(exc.code, _decode(exc.read()))

    def ok(self, method: str, path: str, body: Any = None, content_type: str = "application/json") -> Any:
        answer = self.call(method, path, body, content_type)
        if not 200 <= answer.code < 300:
            raise RuntimeError(f"{method} {path}: {answer.code} {answer.body}")
        return answer.body


def _decode(raw: bytes) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw.decode(errors="replace")
