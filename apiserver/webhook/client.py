"""Calling a webhook described by a kubeconfig file, as kube-apiserver's token-authentication and authorization
webhooks (and later admission webhooks) do: the current context's cluster gives the URL and the CA, its user
the client certificate or bearer token. Requests are JSON POSTs over HTTPS with a deadline."""
from __future__ import annotations

import asyncio
import base64
import random
import ssl
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import orjson
import yaml

from apiserver.options.errors import ConfigError


class WebhookConfigError(Exception):
    """The kubeconfig file cannot be used; the message says why, for a one-line start-up failure."""


class WebhookCallError(Exception):
    """The webhook did not answer usefully (unreachable, timed out, non-2xx, not JSON). `retriable` marks the
    transient failures kube's webhooks try again: a reset connection, 500, 504, 429 or a Retry-After."""

    def __init__(self, message: str, retriable: bool = False) -> None:
        super().__init__(message)
        self.retriable = retriable


@dataclass(frozen=True)
class Backoff:
    """kube's DefaultAuthWebhookRetryBackoff: 500 ms growing by 1.5 with 20% jitter, five attempts in all."""
    initial: float = 0.5
    factor: float = 1.5
    jitter: float = 0.2
    steps: int = 5

    def delays(self) -> Iterator[float]:
        delay = self.initial
        for _ in range(self.steps - 1):
            yield delay * (1 + random.random() * self.jitter)
            delay *= self.factor


@dataclass(frozen=True)
class WebhookTarget:
    server: str
    ssl_context: ssl.SSLContext
    token: str = ""


def _named(items: list[dict[str, Any]], name: str, what: str, path: Path) -> dict[str, Any]:
    for item in items or []:
        if item.get("name") == name:
            return item.get(what) or {}
    raise WebhookConfigError(f"{path}: no {what} named {name!r}")


def _pem(section: dict[str, Any], key: str, base: Path) -> bytes | None:
    """A PEM from `<key>-data` (base64) or from the file `<key>` (relative to the kubeconfig's directory)."""
    if section.get(f"{key}-data"):
        return base64.b64decode(section[f"{key}-data"])
    if section.get(key):
        return (base / section[key]).read_bytes()
    return None


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """A YAML error on one line, worded as Go's yaml package words it."""
    if isinstance(exc, yaml.MarkedYAMLError) and exc.problem_mark is not None:
        return f"yaml: line {exc.problem_mark.line + 1}: {exc.problem}"
    return f"yaml: {exc}"


def load_webhook_kubeconfig(path: Path) -> WebhookTarget:
    path = Path(path)
    try:
        config = yaml.safe_load(path.read_text()) or {}
    except (OSError, UnicodeDecodeError) as exc:
        raise WebhookConfigError(f"cannot read webhook kubeconfig {path}: {exc}") from None
    except yaml.YAMLError as exc:
        raise WebhookConfigError(f"cannot read webhook kubeconfig {path}: {_yaml_problem(exc)}") from None
    if not isinstance(config, dict):
        raise WebhookConfigError(f"{path}: a kubeconfig is a YAML mapping")
    for section in ("contexts", "clusters", "users"):
        entries = config.get(section) or []
        if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
            raise WebhookConfigError(f"{path}: {section} must be a list of named entries")
    try:
        return _target(config, path)
    except (KeyError, TypeError, AttributeError, ValueError, OSError) as exc:
        # the kubeconfig's shape is not checked field by field: whatever cannot be read in it makes it unusable
        raise WebhookConfigError(f"{path}: cannot use this kubeconfig: {type(exc).__name__}: {exc}") from None


def flag_webhook(flag: str, path: Path | None) -> WebhookTarget | None:
    """The webhook of the kubeconfig `flag` names (None without one), for the start-up step: a file that cannot be
    used is a ConfigError naming the flag."""
    if path is None:
        return None
    try:
        return load_webhook_kubeconfig(path)
    except WebhookConfigError as exc:
        raise ConfigError(f"{flag}: {exc}") from None


def _target(config: dict[str, Any], path: Path) -> WebhookTarget:
    contexts = config.get("contexts") or []
    current = config.get("current-context") or (contexts[0]["name"] if contexts else "")
    context = _named(contexts, current, "context", path) if contexts else {}
    clusters, users = config.get("clusters") or [], config.get("users") or []
    if not clusters:
        raise WebhookConfigError(f"{path}: no clusters")
    cluster = (_named(clusters, context["cluster"], "cluster", path) if context.get("cluster")
               else clusters[0].get("cluster") or {})
    user = (_named(users, context["user"], "user", path) if context.get("user")
            else (users[0].get("user") or {}) if users else {})
    server = cluster.get("server") or ""
    if not server.startswith("https://"):
        raise WebhookConfigError(f"{path}: the webhook server must be an https:// URL, got {server!r}")
    base = path.parent
    context_ssl = ssl.create_default_context()
    ca = _pem(cluster, "certificate-authority", base)
    if ca:
        context_ssl.load_verify_locations(cadata=ca.decode())
    if cluster.get("insecure-skip-tls-verify"):
        context_ssl.check_hostname = False
        context_ssl.verify_mode = ssl.CERT_NONE
    cert, key = _pem(user, "client-certificate", base), _pem(user, "client-key", base)
    if cert and key:
        # ssl only loads client credentials from files; they live in a private temporary directory briefly
        with tempfile.TemporaryDirectory() as tmp:
            cert_file, key_file = Path(tmp) / "cert.pem", Path(tmp) / "key.pem"
            cert_file.write_bytes(cert)
            key_file.write_bytes(key)
            context_ssl.load_cert_chain(str(cert_file), str(key_file))
    return WebhookTarget(server, context_ssl, user.get("token") or "")


class WebhookClient:
    """One webhook with its own connection pool, opened on first use (aiohttp needs a running loop)."""

    def __init__(self, target: WebhookTarget, timeout: float) -> None:
        self.target = target
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    async def post_json(self, body: dict[str, Any]) -> dict[str, Any]:
        """POSTs `body` and returns the JSON answer; every failure is a WebhookCallError."""
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.target.token:
            headers["Authorization"] = f"Bearer {self.target.token}"
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
        try:
            async with self._session.post(self.target.server, data=orjson.dumps(body), headers=headers,
                                          ssl=self.target.ssl_context) as response:
                raw = await response.read()
                if response.status // 100 != 2:
                    retriable = response.status in (429, 500, 504) or "Retry-After" in response.headers
                    raise WebhookCallError(f"webhook answered {response.status}: {raw[:200]!r}", retriable)
                return orjson.loads(raw)
        except TimeoutError:
            # Go's wording for a client deadline, which kube's logs and errors show
            raise WebhookCallError(f'Post "{self.target.server}": context deadline exceeded') from None
        except (aiohttp.ClientError, orjson.JSONDecodeError) as exc:
            reset = isinstance(exc, (aiohttp.ServerDisconnectedError, aiohttp.ClientConnectionResetError))
            raise WebhookCallError(f'Post "{self.target.server}": {str(exc) or type(exc).__name__}', reset) from None

    async def post_json_with_backoff(self, body: dict[str, Any], backoff: Backoff = Backoff()) -> dict[str, Any]:
        """post_json, tried again after each transient failure while the backoff lasts."""
        delays = backoff.delays()
        while True:
            try:
                return await self.post_json(body)
            except WebhookCallError as exc:
                delay = next(delays, None) if exc.retriable else None
                if delay is None:
                    raise
            await asyncio.sleep(delay)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
