"""Server-side printing: objects as meta.k8s.io/v1 Table rows with kube-apiserver's columns per resource.

kubectl asks for `as=Table;v=v1;g=meta.k8s.io` on get, list and watch and prints what it receives, so the
columns (`printers.py`) are what users see. Columns with priority 1 appear only with `-o wide`.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apiserver.api.meta.types import Obj
from apiserver.api.printing.columns import CREATED_AT, NAME, Column
from apiserver.api.printing.printers import COLUMNS

TABLE_GROUP = "meta.k8s.io"


def table_version(accept: str | None) -> str | None:
    """v1 or v1beta1 when the client's first acceptable type is a Table, else None."""
    for part in (accept or "").split(","):
        media, *raw = [p.strip() for p in part.split(";")]
        params = dict(p.split("=", 1) for p in raw if "=" in p)
        if params.get("as") == "Table" and params.get("g") == TABLE_GROUP and params.get("v") in ("v1", "v1beta1"):
            return params["v"]
        if media in ("application/json", "*/*", "application/yaml", "application/vnd.kubernetes.protobuf"):
            return None
    return None


def columns_for(group: str, plural: str) -> list[Column]:
    return COLUMNS.get((group, plural), [NAME, CREATED_AT])


def _partial(obj: Obj) -> Obj:
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": obj.get("metadata", {})}


def _as_is(obj: Obj) -> Obj:
    return obj


def row(columns: list[Column], obj: Obj, include: str, printable: Callable[[Obj], Obj] = _as_is) -> dict[str, Any]:
    """One row: cells from `printable(obj)` (the shape the printers read), the object as the client asked."""
    shown = printable(obj)
    out: dict[str, Any] = {"cells": [c.cell(shown) for c in columns]}
    if include == "Object":
        out["object"] = obj
    elif include != "None":
        out["object"] = _partial(obj)
    return out


def to_table(group: str, plural: str, objects: list[Obj], list_meta: dict[str, Any], include: str,
             version: str = "v1", with_definitions: bool = True,
             printable: Callable[[Obj], Obj] = _as_is) -> dict[str, Any]:
    columns = columns_for(group, plural)
    return {"kind": "Table", "apiVersion": f"{TABLE_GROUP}/{version}", "metadata": list_meta,
            "columnDefinitions": [c.definition() for c in columns] if with_definitions else [],
            "rows": [row(columns, o, include, printable) for o in objects]}
