"""The `scale` subresource: an autoscaling/v1 Scale view of a workload's replica count (kubectl scale)."""
from __future__ import annotations

import copy
from typing import Any

from apiserver.api.meta.labels import selector_from_label_selector_object
from apiserver.api.meta.types import Obj


def scale_of(obj: Obj) -> Obj:
    meta = obj["metadata"]
    selector = (obj.get("spec") or {}).get("selector")
    status: dict[str, Any] = {"replicas": int((obj.get("status") or {}).get("replicas") or 0)}
    if isinstance(selector, dict):
        # a ReplicationController's selector is a plain label map, every other workload's a LabelSelector
        text = (",".join(f"{k}={selector[k]}" for k in sorted(selector)) if obj.get("kind") == "ReplicationController"
                else str(selector_from_label_selector_object(selector)))
        if text:
            status["selector"] = text
    return {"kind": "Scale", "apiVersion": "autoscaling/v1",
            "metadata": {k: meta[k] for k in ("name", "namespace", "uid", "resourceVersion", "creationTimestamp")
                         if k in meta},
            "spec": {"replicas": int((obj.get("spec") or {}).get("replicas") or 0)}, "status": status}


def with_replicas(obj: Obj, scale: Obj) -> Obj:
    """The workload with the replica count the Scale asks for; everything else unchanged."""
    new = copy.deepcopy(obj)
    new.setdefault("spec", {})["replicas"] = (scale.get("spec") or {}).get("replicas", 0)
    return new
