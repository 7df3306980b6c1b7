"""AlwaysPullImages: every container of a pod pulls its image each time it starts, so that a pod can only run an
image its own pull credentials reach, not one another pod left on the node. An update that brings no new image
is left alone."""
from __future__ import annotations

from collections.abc import Iterator

from apiserver.admission.attributes import Attributes, Operation
from apiserver.admission.plugin import Plugin, forbidden, operations
from apiserver.api.meta import errors
from apiserver.api.meta.goformat import quote
from apiserver.api.meta.types import Obj

ALWAYS = "Always"
# kube's order of visiting a pod's containers
_CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")


def containers(obj: Obj | None) -> Iterator[tuple[str, Obj]]:
    """Each container of a pod with its field path."""
    spec = (obj or {}).get("spec")
    if not isinstance(spec, dict):
        return
    for kind in _CONTAINER_LISTS:
        items = spec.get(kind)
        for i, container in enumerate(items if isinstance(items, list) else []):
            if isinstance(container, dict):
                yield f"spec.{kind}[{i}]", container


def _brings_no_new_image(attrs: Attributes) -> bool:
    if attrs.operation is not Operation.UPDATE:
        return False
    old_images = {c.get("image") for _, c in containers(attrs.old)}
    return all(c.get("image") in old_images for _, c in containers(attrs.obj))


class AlwaysPullImages(Plugin):
    name = "AlwaysPullImages"
    operations = operations(Operation.CREATE, Operation.UPDATE)

    def handles(self, attrs: Attributes) -> bool:
        return (super().handles(attrs)
                and (attrs.is_pod() or attrs.is_pod(subresource="ephemeralcontainers"))
                and not _brings_no_new_image(attrs))

    async def admit(self, attrs: Attributes) -> None:
        for _, container in containers(attrs.obj):
            container["imagePullPolicy"] = ALWAYS

    async def validate(self, attrs: Attributes) -> None:
        messages: list[str] = []
        for path, container in containers(attrs.obj):
            policy = str(container.get("imagePullPolicy") or "")
            if policy != ALWAYS:
                why = f'{path}.imagePullPolicy: Unsupported value: {quote(policy)}: supported values: "{ALWAYS}"'
                message = forbidden(attrs, why).message
                if message not in messages:
                    messages.append(message)
        if messages:
            # kube returns the refusals as one aggregate error, which is no Status: a 500 with the aggregate's text
            text = messages[0] if len(messages) == 1 else "[" + ", ".join(messages) + "]"
            raise errors.StatusError(500, "", text)
