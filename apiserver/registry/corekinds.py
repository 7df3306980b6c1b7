"""The strategy hooks of the core/v1 kinds validated by api/validation/core.py: what kube's strategies for them
reset or keep (PrepareForCreate/PrepareForUpdate), how their status writes change the status, and the warnings
they give (WarningsOnCreate/WarningsOnUpdate). registry/strategies.py assembles them into Strategy rows.
"""
from __future__ import annotations

import datetime
from contextvars import ContextVar
from typing import Any

from apiserver.api.meta.errors import Cause
from apiserver.api.meta.types import Obj
from apiserver.api.validation import core as cv


def _spec(obj: Obj) -> Obj:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        spec = obj["spec"] = {}
    return spec


def _old_spec(old: Obj) -> Obj:
    spec = old.get("spec")
    return spec if isinstance(spec, dict) else {}


def now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- ServiceAccount ---------------------------------------------------------------------------------------

def clean_secret_references(obj: Obj) -> None:
    """kube keeps only the name of each secret a ServiceAccount lists."""
    secrets = obj.get("secrets")
    if isinstance(secrets, list):
        obj["secrets"] = [{"name": s["name"]} if isinstance(s, dict) and s.get("name") else {} for s in secrets]


# --- Node -------------------------------------------------------------------------------------------------

def node_initial_status(obj: Obj) -> Obj | None:
    """Nodes (kubelets) create themselves with their status; only the long removed dynamic config is dropped."""
    status = obj.get("status")
    return {k: v for k, v in status.items() if k != "config"} if isinstance(status, dict) else None


def node_create(obj: Obj) -> None:
    _spec(obj).pop("configSource", None)


def node_update(new: Obj, old: Obj) -> None:
    # the removed dynamic kubelet config stays only where it was already set
    if _old_spec(old).get("configSource") is None:
        _spec(new).pop("configSource", None)


# --- Event ------------------------------------------------------------------------------------------------

# whether the current request's Events speak events.k8s.io/v1, whose validation is stricter than core/v1's (kube
# picks the rules by the request's group and version); set by that version's defaulting, which runs on every write
# through it before the store validates the converted Event, in the request's own task
_EVENTS_API: ContextVar[bool] = ContextVar("apiserver.events_api", default=False)


def speaks_events_v1(obj: Obj) -> None:
    _EVENTS_API.set(True)


def event_validate_create(obj: Obj) -> list[Cause]:
    return cv.event_strict_create(obj) if _EVENTS_API.get() else []


def event_validate_update(new: Obj, old: Obj) -> list[Cause]:
    return cv.event_strict_update(new, old) if _EVENTS_API.get() else []


def event_source(obj: Obj) -> str:
    """kube's `source` field label: the source component, else the reporting controller."""
    source = obj.get("source")
    component = source.get("component") if isinstance(source, dict) else None
    return component or obj.get("reportingComponent") or ""


# --- PersistentVolume and PersistentVolumeClaim -----------------------------------------------------------

def _drop_attributes_class(spec: Obj, old_spec: Obj | None) -> None:
    # kube 1.32's VolumeAttributesClass gate is off by default: the field is dropped unless already stored
    if old_spec is None or old_spec.get("volumeAttributesClassName") is None:
        spec.pop("volumeAttributesClassName", None)


def pv_initial_status(obj: Obj) -> Obj:
    return {"phase": "Pending", "lastPhaseTransitionTime": now()}


def pv_create(obj: Obj) -> None:
    _drop_attributes_class(_spec(obj), None)


def pv_update(new: Obj, old: Obj) -> None:
    _drop_attributes_class(_spec(new), _old_spec(old))


def pv_status(sent: Obj | None, stored: Obj | None) -> Obj | None:
    """A status write: lastPhaseTransitionTime follows a phase change the client did not time itself, and stays
    as stored while the phase does."""
    if sent is None:
        return None
    status, before = dict(sent), stored or {}
    if status.get("phase") == before.get("phase"):
        if status.get("lastPhaseTransitionTime") is None and before.get("lastPhaseTransitionTime") is not None:
            status["lastPhaseTransitionTime"] = before["lastPhaseTransitionTime"]
    elif status.get("lastPhaseTransitionTime") in (None, before.get("lastPhaseTransitionTime")):
        status["lastPhaseTransitionTime"] = now()
    return status


def _data_sources(spec: Obj, old_spec: Obj | None) -> None:
    """kube's data source rules for claims: a cross-namespace dataSourceRef is dropped (its gate is off), a
    dataSource other than a claim or a volume snapshot is dropped where no dataSourceRef asks for a populator, and
    dataSource and dataSourceRef mirror each other where only one is set."""
    ref = spec.get("dataSourceRef")
    old_ref = old_spec.get("dataSourceRef") if old_spec is not None else None
    if isinstance(ref, dict) and ref.get("namespace") and old_ref is None:
        spec.pop("dataSourceRef")
    in_use = old_spec is not None and (old_spec.get("dataSource") is not None or old_ref is not None)
    source = spec.get("dataSource")
    if not in_use and spec.get("dataSourceRef") is None and isinstance(source, dict):
        known = (("PersistentVolumeClaim", ""), ("VolumeSnapshot", "snapshot.storage.k8s.io"))
        if (source.get("kind"), source.get("apiGroup") or "") not in known:
            spec.pop("dataSource")
    normalize_data_sources(spec)


def normalize_data_sources(spec: Obj) -> None:
    source, ref = spec.get("dataSource"), spec.get("dataSourceRef")
    if isinstance(source, dict) and ref is None:
        spec["dataSourceRef"] = _reference(source)
    elif isinstance(ref, dict) and source is None and not ref.get("namespace"):
        spec["dataSource"] = _reference(ref)


def _reference(source: Obj) -> Obj:
    return {key: source[key] for key in ("apiGroup", "kind", "name") if key in source}


def pvc_create(obj: Obj) -> None:
    spec = _spec(obj)
    _drop_attributes_class(spec, None)
    _data_sources(spec, None)


def pvc_update(new: Obj, old: Obj) -> None:
    spec, old_spec = _spec(new), _old_spec(old)
    _drop_attributes_class(spec, old_spec)
    _data_sources(spec, old_spec)


def pvc_validate_update(new: Obj, old: Obj) -> list[Cause]:
    # kube mirrors the stored claim's data sources too, so that claims stored by older versions compare alike
    old_spec: dict[str, Any] = dict(_old_spec(old))
    normalize_data_sources(old_spec)
    return cv.persistent_volume_claim_update(new, {**old, "spec": old_spec})
