"""What the run may touch: the server's own `/openapi/v3` documents, one per group-version, and the pins that keep
generated requests inside the run's namespace and off the cluster's own objects.

The documents are used as served, with two kinds of changes:
- the write options get the constraints kube's parameter descriptions state in words (dryRun "All",
  fieldValidation Ignore/Warn/Strict, a printable fieldManager of at most 128 bytes, force a bool), so that
  schemathesis's positive cases pass them and reach the body, and its negative cases break them on purpose;
- every `{namespace}` is the run's namespace, and the `{name}` of a cluster-scoped object (a namespace too)
  is one of the run's own names (`pin`, applied to every generated case whatever its mode). The `{name}` of a
  namespaced object stays free, since the namespace already contains the damage.
"""
from __future__ import annotations

import copy
import random
from dataclasses import dataclass, field
from typing import Any

from schemathesis import Case

from tools.fuzz.target import Target

WRITE_OPTIONS: dict[str, dict[str, Any]] = {
    "dryRun": {"type": "string", "enum": ["All"]},
    "fieldValidation": {"type": "string", "enum": ["Ignore", "Warn", "Strict"]},
    "fieldManager": {"type": "string", "minLength": 1, "maxLength": 128, "pattern": "^[ -~]*$"},
    "force": {"type": "string", "enum": ["true", "false"]},
}
APPLY_PATCH = "application/apply-patch+yaml"
JSON_PATCH = "application/json-patch+json"


@dataclass(frozen=True)
class Operation:
    """One method on one path of a group-version's document, with what kube's extensions say of it."""
    group_version: str          # "core/v1", "apps/v1"
    method: str
    path: str
    action: str                 # x-kubernetes-action: list, get, post, put, patch, delete
    api_version: str            # of the kind, as a body's apiVersion
    kind: str

    @property
    def namespaced(self) -> bool:
        return "{namespace}" in self.path

    @property
    def named(self) -> bool:
        return self.path.endswith("{name}")


@dataclass
class Document:
    group_version: str
    raw: dict[str, Any]
    operations: list[Operation] = field(default_factory=list)


def group_version(key: str) -> str:
    """`api/v1` → `core/v1`, `apis/apps/v1` → `apps/v1`: how the figures name a document."""
    parts = key.split("/")
    return f"core/{parts[1]}" if parts[0] == "api" else "/".join(parts[1:])


def load_documents(target: Target) -> list[Document]:
    """Every group-version `/openapi/v3` lists, fetched through the balancer, with the write options tightened."""
    index = target.ok("GET", "/openapi/v3")
    documents = []
    for key, entry in sorted(index["paths"].items()):
        raw = copy.deepcopy(target.ok("GET", entry["serverRelativeURL"]))
        document = Document(group_version(key), raw)
        for path, item in raw["paths"].items():
            for method, definition in item.items():
                if method == "parameters":
                    continue
                for parameter in definition.get("parameters", []):
                    if parameter["in"] == "query" and parameter["name"] in WRITE_OPTIONS:
                        parameter["schema"] = dict(WRITE_OPTIONS[parameter["name"]])
                gvk = definition["x-kubernetes-group-version-kind"]
                api_version = f"{gvk['group']}/{gvk['version']}" if gvk["group"] else gvk["version"]
                document.operations.append(Operation(document.group_version, method.upper(), path,
                                                     definition["x-kubernetes-action"], api_version, gvk["kind"]))
        documents.append(document)
    return documents


@dataclass
class Scope:
    """The run's names: `namespace` holds everything namespaced the run writes; `names` are the only names a
    cluster-scoped write may address. `rng` picks among them and decides which positive bodies get shaped."""
    run: str
    rng: random.Random

    @property
    def namespace(self) -> str:
        return f"fuzz-{self.run}"

    @property
    def names(self) -> tuple[str, str]:
        return f"fuzz-{self.run}-a", f"fuzz-{self.run}-b"

    def owns_namespace(self, name: str) -> bool:
        return name == self.namespace or name in self.names

    def pin(self, operation: Operation, case: Case) -> None:
        """Puts the generated request inside the run's scope, whatever schemathesis drew for the path."""
        parameters = dict(case.path_parameters)
        if operation.namespaced:
            parameters["namespace"] = self.namespace
        if operation.named:
            if not operation.namespaced:
                parameters["name"] = self.rng.choice(self.names)
            elif self.rng.random() < 0.5:
                # half the requests on namespaced objects address ones the run may have created
                parameters["name"] = self.rng.choice(self.names)
        case.path_parameters = parameters

    def shape(self, operation: Operation, case: Case) -> None:
        """Makes a generated body one kube's decoder takes (its kind, apiVersion and a name of the run's), so that
        the request reaches validation and storage instead of stopping at the first decoding error."""
        body = case.body
        if not isinstance(body, dict):
            return
        if case.media_type == JSON_PATCH:
            ops = ("add", "replace", "remove", "test")
            case.body = [{"op": self.rng.choice(ops), "path": f"/{key}", "value": value} for key, value in body.items()]
            return
        if case.method == "PATCH" and case.media_type != APPLY_PATCH:
            return
        given = body.get("metadata")
        metadata = dict(given) if isinstance(given, dict) else {}
        for volatile in ("namespace", "resourceVersion", "uid", "generateName"):
            metadata.pop(volatile, None)
        metadata["name"] = case.path_parameters.get("name") or self.rng.choice(self.names)
        case.body = {**body, "apiVersion": operation.api_version, "kind": operation.kind, "metadata": metadata}
