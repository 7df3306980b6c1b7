"""Where the pod spec is in each kind PodSecurity judges, and which pod updates are worth judging again."""
from __future__ import annotations

from apiserver.api.meta.types import Obj

# (group, resource) -> the path to the pod template in objects of that resource
TEMPLATE_PATHS: dict[tuple[str, str], tuple[str, ...]] = {
    ("", "podtemplates"): ("template",),
    ("", "replicationcontrollers"): ("spec", "template"),
    ("apps", "replicasets"): ("spec", "template"),
    ("apps", "deployments"): ("spec", "template"),
    ("apps", "statefulsets"): ("spec", "template"),
    ("apps", "daemonsets"): ("spec", "template"),
    ("batch", "jobs"): ("spec", "template"),
    ("batch", "cronjobs"): ("spec", "jobTemplate", "spec", "template"),
}


def template(group: str, resource: str, obj: Obj) -> tuple[Obj, Obj] | None:
    """The template's metadata and spec, or None when the object has no template (a controller may omit it)."""
    cur: object = obj
    for part in TEMPLATE_PATHS[(group, resource)]:
        if not isinstance(cur, dict):
            return None
        cur = cur.get(part)
    if not isinstance(cur, dict):
        return None
    return cur.get("metadata") or {}, cur.get("spec") or {}


SECCOMP_CONTAINER_ANNOTATION_PREFIX = "container.seccomp.security.alpha.kubernetes.io/"


def _container_changed(new: Obj, old: Obj, annotations: dict[str, str], old_annotations: dict[str, str]) -> bool:
    key = SECCOMP_CONTAINER_ANNOTATION_PREFIX + str(new.get("name", ""))
    return new.get("image") != old.get("image") or annotations.get(key) != old_annotations.get(key)


def significant_update(new: Obj, old: Obj) -> bool:
    """kube judges a pod update again only when what can change on a running pod and matters to a check changed:
    the number of containers, an image (or a container's seccomp annotation), or an added ephemeral container."""
    spec, old_spec = new.get("spec") or {}, old.get("spec") or {}
    notes = (new.get("metadata") or {}).get("annotations") or {}
    old_notes = (old.get("metadata") or {}).get("annotations") or {}
    for key in ("containers", "initContainers"):
        now, before = spec.get(key) or [], old_spec.get(key) or []
        if len(now) != len(before):
            return True
        if any(_container_changed(a, b, notes, old_notes) for a, b in zip(now, before, strict=True)):
            return True
    previous = {c.get("name"): c for c in old_spec.get("ephemeralContainers") or []}
    for container in spec.get("ephemeralContainers") or []:
        before_c = previous.get(container.get("name"))
        if before_c is None or _container_changed(container, before_c, notes, old_notes):
            return True
    return False
