"""The EncryptionConfiguration file (`--encryption-provider-config`): reading, strict decoding, validation.

Accepts what kube-apiserver accepts: `apiserver.config.k8s.io/v1` `EncryptionConfiguration`, or the legacy
`v1` `EncryptionConfig`, in YAML or JSON. Messages follow kube's field-error wording so that an operator who
knows kube recognises them. Secrets are decoded here and never printed.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from apiserver.api.meta.duration import format_go_duration, parse_go_duration
from apiserver.api.meta.goformat import aggregate, quote

ACCEPTED_KINDS = {("apiserver.config.k8s.io/v1", "EncryptionConfiguration"), ("v1", "EncryptionConfig")}
PROVIDER_TYPES = ("kms", "aesgcm", "aescbc", "secretbox", "identity")
KEY_SIZES = {"aesgcm": (16, 24, 32), "aescbc": (16, 24, 32), "secretbox": (32,)}
# resources whose values live in etcd outside any REST API: kube refuses to encrypt them
NON_REST_RESOURCES = ("apiserveripinfo", "serviceipallocations", "servicenodeportallocations")
KMS_FIELDS = ("apiVersion", "name", "cachesize", "endpoint", "timeout")


class EncryptionConfigError(ValueError):
    pass


@dataclass(frozen=True)
class GroupResource:
    group: str
    resource: str

    @classmethod
    def parse(cls, text: str) -> GroupResource:
        """`secrets`, `deployments.apps`, `*.apps`, `*.` (the core group), `*.*`: the resource ends at the first dot."""
        resource, dot, group = text.partition(".")
        return cls(group if dot else "", resource)

    def __str__(self) -> str:
        if self.group == "" and self.resource == "*":
            return "*."
        return f"{self.resource}.{self.group}" if self.group else self.resource


ANY_GROUP_ANY_RESOURCE = GroupResource("*", "*")


@dataclass(frozen=True)
class Key:
    name: str
    secret: bytes


@dataclass(frozen=True)
class KMSConfig:
    name: str
    endpoint: str
    api_version: str
    timeout: float   # seconds


@dataclass(frozen=True)
class ProviderConfig:
    """One element of `providers`: its type and, for the key-based ciphers, the keys in order."""
    type: str
    keys: tuple[Key, ...] = ()
    kms: KMSConfig | None = None


@dataclass(frozen=True)
class ResourceConfig:
    resources: tuple[str, ...]
    providers: tuple[ProviderConfig, ...]


@dataclass(frozen=True)
class EncryptionConfiguration:
    resources: tuple[ResourceConfig, ...]
    # identifies the file's content without keeping its bytes (and so its keys) around
    content_hash: str


def content_hash(data: bytes) -> str:
    return "k8s:enc:unstable:1:" + hashlib.sha256(data).hexdigest()


def read_config_file(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise EncryptionConfigError(f"error while parsing file: error while loading file: error reading encryption "
                                    f"provider configuration file {quote(str(path))}: {exc.strerror}") from None
    if not data:
        raise EncryptionConfigError(f"error while parsing file: error while loading file: encryption provider "
                                    f"configuration file {quote(str(path))} is empty")
    return data


def load_encryption_config(path: Path) -> EncryptionConfiguration:
    data = read_config_file(path)
    try:
        document = yaml.safe_load(data)
    except yaml.YAMLError as exc:
        raise EncryptionConfigError(f"error while parsing file: error decoding encryption provider configuration "
                                    f"file {quote(str(path))}: {exc}") from None
    if not isinstance(document, dict):
        raise EncryptionConfigError(f"error while parsing file: error decoding encryption provider configuration "
                                    f"file {quote(str(path))}: not an object")
    kind = (document.get("apiVersion"), document.get("kind"))
    if kind not in ACCEPTED_KINDS:
        raise EncryptionConfigError(
            f"error while parsing file: error decoding encryption provider configuration file {quote(str(path))}: "
            f"no kind {quote(str(kind[1] or ''))} is registered for version {quote(str(kind[0] or ''))}; expected "
            "apiserver.config.k8s.io/v1 EncryptionConfiguration")
    decoder = _Decoder()
    config = decoder.configuration(document, content_hash(data))
    if decoder.errors:
        raise EncryptionConfigError(f"error while parsing file: {aggregate(decoder.errors)}")
    return config


class _Decoder:
    """Strict decoding and kube's validation in one walk, collecting every error as kube's aggregate does."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.kms_names: set[str] = set()

    def _unknown(self, obj: dict, allowed: tuple[str, ...], path: str) -> None:
        for name in obj:
            if name not in allowed:
                self.errors.append(f"strict decoding error: unknown field {quote(f'{path}{name}')}")

    def configuration(self, doc: dict, digest: str) -> EncryptionConfiguration:
        self._unknown(doc, ("apiVersion", "kind", "resources"), "")
        entries = doc.get("resources") or []
        if not isinstance(entries, list) or not entries:
            self.errors.append("resources: Required value: at least one resources is required")
            return EncryptionConfiguration((), digest)
        return EncryptionConfiguration(tuple(self.entry(e, f"resources[{i}]") for i, e in enumerate(entries)), digest)

    def entry(self, entry: Any, path: str) -> ResourceConfig:
        if not isinstance(entry, dict):
            self.errors.append(f"{path}: Invalid value: expected an object")
            return ResourceConfig((), ())
        self._unknown(entry, ("resources", "providers"), f"{path}.")
        resources = tuple(str(r) for r in entry.get("resources") or ())
        if not resources:
            self.errors.append(f"{path}.resources: Required value: at least one {path}.resources is required")
        self._resource_names(resources, f"{path}.resources")
        self._overlap(resources, f"{path}.resources")
        raw = entry.get("providers") or []
        if not raw:
            self.errors.append(f"{path}.providers: Required value: at least one {path}.providers is required")
        providers = tuple(self.provider(p, f"{path}.providers[{j}]") for j, p in enumerate(raw))
        return ResourceConfig(resources, tuple(p for p in providers if p is not None))

    def _resource_names(self, resources: tuple[str, ...], path: str) -> None:
        for j, name in enumerate(resources):
            gr = GroupResource.parse(name)
            problem = (
                "resource name should not contain capital letters" if name != name.lower() else
                "use '*.' to encrypt all the resources from core API group or *.* to encrypt all resources"
                if name == "*" else
                "resources which do not have REST API/s cannot be encrypted" if name in NON_REST_RESOURCES else
                "'*.events.k8s.io' objects are stored using the 'events' API group in etcd. Use 'events' instead "
                "in the config file" if gr.group == "events.k8s.io" else
                "'extensions' group has been removed and cannot be used for encryption" if gr.group == "extensions"
                else "encrypting the same resource across groups is not supported"
                if gr.group == "*" and gr.resource != "*" else "")
            if problem:
                self.errors.append(f"{path}[{j}]: Invalid value: {quote(name)}: {problem}")

    def _overlap(self, resources: tuple[str, ...], path: str) -> None:
        parsed = [GroupResource.parse(r) for r in resources]
        duplicate = len(set(parsed)) != len(parsed)
        overlap = len(parsed) > 1 and any(
            a == ANY_GROUP_ANY_RESOURCE or (a.group == b.group and "*" in (a.resource, b.resource))
            for i, a in enumerate(parsed) for j, b in enumerate(parsed) if i != j and a != b)
        shown = "[]string{" + ", ".join(quote(r) for r in resources) + "}"
        if duplicate:
            self.errors.append(f"{path}: Invalid value: {shown}: the same resource cannot be specified multiple times")
        if overlap:
            self.errors.append(f"{path}: Invalid value: {shown}: using overlapping resources such as 'secrets' and "
                               "'*.' in the same resource list is not allowed as they will be masked")

    def provider(self, raw: Any, path: str) -> ProviderConfig | None:
        if not isinstance(raw, dict):
            self.errors.append(f"{path}: Invalid value: expected an object")
            return None
        self._unknown(raw, PROVIDER_TYPES, f"{path}.")
        present = [t for t in PROVIDER_TYPES if raw.get(t) is not None]
        if not present:
            self.errors.append(f"{path}: Invalid value: provider does not contain any of the expected providers: "
                               "KMS, AESGCM, AESCBC, Secretbox, Identity")
            return None
        if len(present) > 1:
            self.errors.append(f"{path}: Invalid value: more than one provider specified in a single element, should "
                               "split into different list elements")
            return None
        kind = present[0]
        body = raw[kind]
        if kind == "identity":
            if body:
                self._unknown(body, (), f"{path}.identity.")
            return ProviderConfig("identity")
        if kind == "kms":
            return self.kms(body if isinstance(body, dict) else {}, f"{path}.kms")
        self._unknown(body if isinstance(body, dict) else {}, ("keys",), f"{path}.{kind}.")
        return ProviderConfig(kind, self.keys(body.get("keys") if isinstance(body, dict) else None,
                                              f"{path}.{kind}.keys", KEY_SIZES[kind]))

    def kms(self, body: dict, path: str) -> ProviderConfig:
        """kube's defaulting (apiVersion v1, timeout 3s, cachesize 1000 for v1 only) and validation."""
        self._unknown(body, KMS_FIELDS, f"{path}.")
        name, endpoint = str(body.get("name") or ""), str(body.get("endpoint") or "")
        version = str(body.get("apiVersion") or "v1")
        cache_size = body.get("cachesize", 1000 if version == "v1" else None)
        timeout = self._timeout(body.get("timeout", "3s"), f"{path}.timeout")
        if not name:
            self.errors.append(f"{path}.name: Required value: name is a mandatory field for a provider")
        if version != "v1" and ":" in name:
            self.errors.append(f"{path}.name: Invalid value: {quote(name)}: invalid KMS provider name {name}, must "
                               "not contain ':'")
        if name in self.kms_names:
            self.errors.append(f"{path}.name: Invalid value: {quote(name)}: duplicate KMS provider name {name}, names "
                               "must be unique")
        self.kms_names.add(name)
        if timeout is not None and timeout <= 0:
            self.errors.append(f"{path}.timeout: Invalid value: {format_go_duration(timeout)}: timeout should be a "
                               "positive value")
        scheme = urlsplit(endpoint).scheme
        if not endpoint:
            self.errors.append(f'{path}.endpoint: Invalid value: "": endpoint is a mandatory field for a kms')
        elif scheme != "unix":
            self.errors.append(f"{path}.endpoint: Invalid value: {quote(endpoint)}: unsupported scheme "
                               f"{quote(scheme)} for KMS provider, only unix is supported")
        if version != "v1" and cache_size is not None:
            self.errors.append(f"{path}.cachesize: Invalid value: {cache_size}: cachesize is not supported in v2")
        if version == "v1" and cache_size == 0:
            self.errors.append(f"{path}.cachesize: Invalid value: 0: cachesize should be a positive value, or "
                               "negative to disable")
        if version not in ("v1", "v2"):
            # kube formats the field name where the value belongs; kept so the message reads the same
            self.errors.append(f"{path}.apiVersion: Invalid value: {quote(version)}: unsupported apiVersion "
                               "apiVersion for KMS provider, only v1 and v2 are supported")
        return ProviderConfig("kms", kms=KMSConfig(name, endpoint, version, timeout or 0.0))

    def _timeout(self, raw: Any, path: str) -> float | None:
        try:
            return parse_go_duration(str(raw))
        except ValueError as exc:
            self.errors.append(f"{path}: Invalid value: {quote(str(raw))}: {exc}")
            return None

    def keys(self, raw: Any, path: str, sizes: tuple[int, ...]) -> tuple[Key, ...]:
        if not raw:
            self.errors.append(f"{path}: Required value: at least one keys is required")
            return ()
        keys = []
        for i, item in enumerate(raw):
            item = item if isinstance(item, dict) else {}
            self._unknown(item, ("name", "secret"), f"{path}[{i}].")
            name, secret = str(item.get("name") or ""), str(item.get("secret") or "")
            if not name:
                self.errors.append(f"{path}[{i}].name: Required value: name is a mandatory field for a key")
            if not secret:
                self.errors.append(f"{path}[{i}].secret: Required value: secret is a mandatory field for a key")
                continue
            try:
                value = base64.b64decode(secret, validate=True)
            except (binascii.Error, ValueError):
                self.errors.append(f'{path}[{i}].secret: Invalid value: "REDACTED": secrets must be base64 encoded')
                continue
            if len(value) not in sizes:
                self.errors.append(f'{path}[{i}].secret: Invalid value: "REDACTED": secret is not of the expected '
                                   f"length, got {len(value)}, expected one of [{' '.join(map(str, sizes))}]")
                continue
            keys.append(Key(name, value))
        return tuple(keys)
