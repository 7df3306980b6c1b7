"""POSTs an AdmissionReview to a webhook over HTTPS, as kube's webhook client does: to its `url`, or to a Service
resolved through its Endpoints (or EndpointSlices) to an address that backs the service port, since this server
has no cluster network to route a cluster IP. The TLS server name of a Service is `<name>.<namespace>.svc`. The
certificate is verified with the webhook's caBundle, or the system roots without one. Failures are worded as Go's
HTTP client words them, for kube's `failed calling webhook` errors."""
from __future__ import annotations

import errno
import hashlib
import math
import os
import random
import ssl
from dataclasses import dataclass
from typing import Any

import aiohttp
import orjson

from apiserver.admission.webhooks.config import ServiceRef, Webhook
from apiserver.api.meta.types import Obj
from apiserver.registry.registry import Registry
from apiserver.storage.interface import ListOptions

# client-go's messages for an error answer without a Status body, by code
_GENERIC = {
    400: "the server rejected our request for an unknown reason",
    401: "the server has asked for the client to provide credentials",
    403: "the server does not allow access to the requested resource",
    404: "the server could not find the requested resource",
    409: "the server reported a conflict",
    429: "the server has received too many requests and has asked us to try again later",
    503: "the server is currently unable to handle the request",
    504: "the server was unable to return a response in the time allotted, but may still be processing the request",
}


class CallError(Exception):
    """kube's ErrCallingWebhook: the webhook could not be asked, or its answer is unusable. `code` is the HTTP
    code the metrics record."""

    def __init__(self, webhook: str, reason: str, code: int = 503) -> None:
        super().__init__(f'failed calling webhook "{webhook}": {reason}')
        self.webhook = webhook
        self.reason = reason
        self.code = code


@dataclass(frozen=True)
class Target:
    """Where to connect, and the URL as kube names it in errors (a Service by its DNS name)."""
    connect_url: str
    shown_url: str
    server_name: str | None = None
    host_header: str | None = None


def _go_timeout(seconds: float) -> str:
    return f"{math.ceil(seconds)}s"


class Resolver:
    """A Service reference to one of its endpoint addresses (kube's endpoint service resolver)."""

    def __init__(self, registry: Registry) -> None:
        self.services = registry.lookup("", "v1", "services")
        self.endpoints = registry.lookup("", "v1", "endpoints")
        self.slices = registry.lookup("discovery.k8s.io", "v1", "endpointslices")

    async def resolve(self, ref: ServiceRef) -> tuple[str, int]:
        service = await self.services.find(ref.namespace, ref.name) if self.services else None
        if service is None:
            raise LookupError(f'service "{ref.name}" not found')
        spec = service.get("spec") or {}
        kind = spec.get("type") or "ClusterIP"
        if kind not in ("ClusterIP", "NodePort", "LoadBalancer"):
            raise LookupError(f'unsupported service type "{kind}"')
        port = next((p for p in spec.get("ports") or [] if p.get("port") == ref.port), None)
        if port is None:
            raise LookupError(f'no service port {ref.port} found for service "{ref.name}"')
        choices = await self._from_endpoints(ref, port.get("name") or "") or await self._from_slices(
            ref, port.get("name") or "")
        if not choices:
            raise LookupError(f'no endpoints available for service "{ref.name}"')
        return random.choice(choices)

    async def _from_endpoints(self, ref: ServiceRef, port_name: str) -> list[tuple[str, int]]:
        endpoints = await self.endpoints.find(ref.namespace, ref.name) if self.endpoints else None
        out = []
        for subset in (endpoints or {}).get("subsets") or []:
            for port in subset.get("ports") or []:
                if (port.get("name") or "") == port_name:
                    out += [(a["ip"], int(port["port"])) for a in subset.get("addresses") or [] if a.get("ip")]
        return out

    async def _from_slices(self, ref: ServiceRef, port_name: str) -> list[tuple[str, int]]:
        if self.slices is None:
            return []
        listed = await self.slices.list(ref.namespace, ListOptions(
            predicate=self.slices.predicate(f"kubernetes.io/service-name={ref.name}", "")))
        out = []
        for item in listed.get("items") or []:
            ports = [p for p in item.get("ports") or []
                     if (p.get("name") or "") == port_name and p.get("port")]
            for endpoint in item.get("endpoints") or []:
                if (endpoint.get("conditions") or {}).get("ready") is False:
                    continue
                out += [(address, int(p["port"])) for p in ports for address in endpoint.get("addresses") or []]
        return out


def _host(ip: str, port: int) -> str:
    return f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"


class Client:
    """One connection pool for every webhook; TLS contexts are kept per caBundle."""

    def __init__(self, registry: Registry) -> None:
        self.resolver = Resolver(registry)
        self._session: aiohttp.ClientSession | None = None
        self._contexts: dict[str, ssl.SSLContext] = {}

    def _context(self, hook: Webhook) -> ssl.SSLContext:
        key = hashlib.sha256(hook.ca_bundle).hexdigest()
        context = self._contexts.get(key)
        if context is None:
            context = ssl.create_default_context()
            if hook.ca_bundle:
                try:
                    context = ssl.create_default_context(cadata=hook.ca_bundle.decode(errors="replace"))
                except (ssl.SSLError, ValueError) as exc:
                    raise CallError(hook.name, f"could not get REST client: unable to load root certificates: "
                                               f"{exc}", 500) from None
            self._contexts[key] = context
        return context

    async def _target(self, hook: Webhook, timeout: str) -> Target:
        if hook.url is not None:
            url = f"{hook.url}{'&' if '?' in hook.url else '?'}timeout={timeout}"
            return Target(url, url)
        ref = hook.service
        assert ref is not None
        dns = f"{ref.name}.{ref.namespace}.svc"
        path = ref.path or ""
        shown = f"https://{dns}:{ref.port}{path}?timeout={timeout}"
        try:
            ip, port = await self.resolver.resolve(ref)
        except LookupError as exc:
            raise CallError(hook.name, f'failed to call webhook: Post "{shown}": {exc}') from None
        return Target(f"https://{_host(ip, port)}{path}?timeout={timeout}", shown, dns, f"{dns}:{ref.port}")

    async def post(self, hook: Webhook, review: Obj) -> Any:
        """The webhook's decoded answer; a CallError for anything else."""
        timeout = _go_timeout(hook.timeout)
        context = self._context(hook)
        target = await self._target(hook, timeout)
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()
        headers = {"Content-Type": "application/json", "Accept": "application/json, */*"}
        if target.host_header:
            headers["Host"] = target.host_header
        failed = f'failed to call webhook: Post "{target.shown_url}"'
        try:
            async with self._session.post(target.connect_url, data=orjson.dumps(review), headers=headers,
                                          ssl=context, server_hostname=target.server_name,
                                          timeout=aiohttp.ClientTimeout(total=hook.timeout)) as response:
                raw = await response.read()
                status = response.status
        except TimeoutError:
            raise CallError(hook.name, f"{failed}: context deadline exceeded") from None
        except aiohttp.ClientConnectorCertificateError as exc:
            raise CallError(hook.name, f"{failed}: tls: failed to verify certificate: "
                                       f"{_certificate_problem(exc)}") from None
        except aiohttp.ClientConnectorError as exc:
            raise CallError(hook.name, f"{failed}: dial tcp {_host(exc.host, exc.port or 443)}: connect: "
                                       f"{_os_problem(exc)}") from None
        except aiohttp.ClientError as exc:
            raise CallError(hook.name, f"{failed}: {str(exc) or type(exc).__name__}") from None
        if status // 100 != 2:
            raise CallError(hook.name, f"failed to call webhook: {_error_answer(status, raw)}", status)
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise CallError(hook.name, f"failed to call webhook: couldn't get version/kind; json parse error: "
                                       f"{exc}") from None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


def _certificate_problem(exc: aiohttp.ClientConnectorCertificateError) -> str:
    text = str(exc.certificate_error)
    if "unable to get local issuer" in text or "self-signed" in text or "self signed" in text:
        return "x509: certificate signed by unknown authority"
    if "hostname mismatch" in text or "IP address mismatch" in text:
        return f"x509: certificate is not valid for the name the webhook was called by ({text})"
    return f"x509: {text}"


def _os_problem(exc: aiohttp.ClientConnectorError) -> str:
    """The OS error as Go's net package words it."""
    if exc.os_error.errno == errno.ECONNREFUSED:
        return "connection refused"
    return os.strerror(exc.os_error.errno).lower() if exc.os_error.errno else str(exc.os_error)


def _error_answer(status: int, raw: bytes) -> str:
    """client-go's error for a non-2xx answer: the Status the body carries, else its generic words for the code."""
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        body = None
    if isinstance(body, dict) and body.get("kind") == "Status" and body.get("message"):
        return str(body["message"])
    text = raw.decode(errors="replace").strip()
    if status in _GENERIC:
        return _GENERIC[status]
    return f'an error on the server ("{text}") has prevented the request from succeeding'
