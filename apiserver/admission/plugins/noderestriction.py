"""NodeRestriction: a kubelet (user `system:node:<name>` in `system:nodes`) may write only what concerns its own
node: its Node object (not its taints, its config source, nor labels outside the kubelet's own set), mirror pods
bound to it, the status and evictions of its pods, its Lease and CSINode, a claim's status fields the kubelet
reports, and tokens for its pods. The Node authorizer decides what a node may reach; this plugin looks at what
it writes, which the authorizer cannot see."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from apiserver.admission.attributes import Attributes, Operation
from apiserver.admission.plugin import Plugin, operations
from apiserver.api.meta import errors
from apiserver.api.meta.types import Obj
from apiserver.authz.node import NODE_LEASE_NAMESPACE, NODE_USER_PREFIX, NODES_GROUP
from apiserver.authz.nodegraph import pod_edges
from apiserver.registry.store import RegistryStore
from apiserver.request.user import UserInfo

MIRROR_POD_ANNOTATION = "kubernetes.io/config.mirror"
NODE_RESTRICTION_LABEL_DOMAIN = "node-restriction.kubernetes.io"
# labels a kubelet sets on its own Node (kubelet's kubeletapis.IsKubeletLabel)
KUBELET_LABELS = frozenset({
    "kubernetes.io/hostname", "topology.kubernetes.io/zone", "topology.kubernetes.io/region",
    "failure-domain.beta.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/region",
    "beta.kubernetes.io/instance-type", "node.kubernetes.io/instance-type",
    "kubernetes.io/os", "kubernetes.io/arch", "beta.kubernetes.io/os", "beta.kubernetes.io/arch",
})
KUBELET_LABEL_DOMAINS = ("kubelet.kubernetes.io", "node.kubernetes.io")
# the PVC status fields a kubelet reports while it expands a volume
PVC_STATUS_FIELDS = ("capacity", "conditions", "allocatedResourceStatuses", "allocatedResources")


def node_identity(user: UserInfo) -> str | None:
    """The node a user is: its name, "" for a node identity without one, None for any other user."""
    if NODES_GROUP not in user.groups or not user.name.startswith(NODE_USER_PREFIX):
        return None
    return user.name[len(NODE_USER_PREFIX):]


def _refuse(attrs: Attributes, why: str) -> errors.StatusError:
    """kube's admission.NewForbidden, named by the request's object (the URL's name, else the new object's)."""
    return errors.forbidden_on(attrs.resource, attrs.group, attrs.name or "Unknown", why)


def _in(domain: str, label_domain: str) -> bool:
    return domain == label_domain or domain.endswith("." + label_domain)


def _label_domain(key: str) -> str:
    domain, slash, _ = key.partition("/")
    return domain if slash else ""


def _is_kubelet_label(key: str) -> bool:
    return key in KUBELET_LABELS or any(_in(_label_domain(key), d) for d in KUBELET_LABEL_DOMAINS)


def forbidden_labels(new: dict[str, str], old: dict[str, str]) -> list[str]:
    """The labels added, removed or changed that a kubelet may not touch, sorted: node-restriction ones, and
    kubernetes.io or k8s.io ones outside the kubelet's own."""
    changed = {key for key in new.keys() | old.keys() if new.get(key) != old.get(key) or (key in new) != (key in old)}
    refused = []
    for key in sorted(changed):
        domain = _label_domain(key)
        if _in(domain, NODE_RESTRICTION_LABEL_DOMAIN):
            refused.append(key)
        elif (_in(domain, "kubernetes.io") or _in(domain, "k8s.io")) and not _is_kubelet_label(key):
            refused.append(key)
    return refused


def _meta(obj: Obj | None) -> Obj:
    meta = (obj or {}).get("metadata")
    return meta if isinstance(meta, dict) else {}


def _spec(obj: Obj | None) -> Obj:
    spec = (obj or {}).get("spec")
    return spec if isinstance(spec, dict) else {}


def _labels(obj: Obj | None) -> dict[str, str]:
    return _meta(obj).get("labels") or {}


def _empty(value: Any) -> bool:
    return value is None or value == [] or value == {}


def _same(a: Any, b: Any) -> bool:
    """Semantic equality as kube's apiequality.Semantic.DeepEqual sees JSON: an absent list or map is empty."""
    return (_empty(a) and _empty(b)) or a == b


Lookup = Callable[[str, str], Awaitable[Obj | None]]


class NodeRestriction(Plugin):
    name = "NodeRestriction"
    operations = operations(Operation.CREATE, Operation.UPDATE, Operation.DELETE)

    def __init__(self, find_pod: Lookup, find_node: Lookup) -> None:
        self.find_pod = find_pod
        self.find_node = find_node

    @classmethod
    def from_stores(cls, pods: RegistryStore, nodes: RegistryStore) -> NodeRestriction:
        return cls(pods.find, nodes.find)

    def handles(self, attrs: Attributes) -> bool:
        return super().handles(attrs) and node_identity(attrs.user) is not None

    async def admit(self, attrs: Attributes) -> None:
        node = node_identity(attrs.user)
        if node is None:
            return
        if not node:
            raise _refuse(attrs, f'could not determine node from user "{attrs.user.name}"')
        if attrs.group == "":
            if attrs.resource == "pods":
                await self._pod(node, attrs)
            elif attrs.resource == "nodes":
                self._node(node, attrs)
            elif attrs.resource == "persistentvolumeclaims":
                self._claim(node, attrs)
            elif attrs.resource == "serviceaccounts":
                await self._token(node, attrs)
        elif attrs.matches("coordination.k8s.io", "leases"):
            self._lease(node, attrs)
        elif attrs.matches("storage.k8s.io", "csinodes"):
            if attrs.name != node:
                raise _refuse(attrs, "can only access CSINode with the same name as the requesting node")

    # --- pods ------------------------------------------------------------------------------------------------

    async def _pod(self, node: str, attrs: Attributes) -> None:
        op = attrs.operation
        if attrs.subresource == "status":
            if op is not Operation.UPDATE:
                raise _refuse(attrs, f'unexpected operation "{op}"')
            self._pod_status(node, attrs)
        elif attrs.subresource == "eviction":
            if op is not Operation.CREATE:
                raise _refuse(attrs, f"unexpected operation {op}")
            await self._eviction(node, attrs)
        elif attrs.subresource:
            raise _refuse(attrs, f'unexpected pod subresource "{attrs.subresource}", only \'status\' and '
                          "'eviction' are allowed")
        elif op is Operation.CREATE:
            await self._mirror_pod(node, attrs)
        elif op is Operation.DELETE:
            if _spec(attrs.old).get("nodeName") != node:
                raise _refuse(attrs, f'node "{node}" can only delete pods with spec.nodeName set to itself')
        else:
            raise _refuse(attrs, f'unexpected operation "{op}", node "{node}" can only create and delete mirror pods')

    async def _mirror_pod(self, node: str, attrs: Attributes) -> None:
        pod = attrs.obj or {}
        if MIRROR_POD_ANNOTATION not in (_meta(pod).get("annotations") or {}):
            raise _refuse(attrs, f'pod does not have "{MIRROR_POD_ANNOTATION}" annotation, node "{node}" can only '
                          "create mirror pods")
        spec = _spec(pod)
        if spec.get("nodeName") != node:
            raise _refuse(attrs, f'node "{node}" can only create pods with spec.nodeName set to itself')
        await self._mirror_owner(node, attrs, _meta(pod).get("ownerReferences") or [])
        if spec.get("serviceAccountName"):
            raise _refuse(attrs, f'node "{node}" can not create pods that reference a service account')
        edges = pod_edges({"metadata": {"name": _meta(pod).get("name") or ""}, "spec": spec})
        if edges.secrets:
            raise _refuse(attrs, f'node "{node}" can not create pods that reference secrets')
        if edges.configmaps:
            raise _refuse(attrs, f'node "{node}" can not create pods that reference configmaps')
        volumes = [v for v in spec.get("volumes") or [] if isinstance(v, dict)]
        for volume in volumes:
            sources = (volume.get("projected") or {}).get("sources") or []
            if any(isinstance(s, dict) and s.get("clusterTrustBundle") is not None for s in sources):
                raise _refuse(attrs, f'node "{node}" can not create pods that reference clustertrustbundles')
        if any(v.get("persistentVolumeClaim") is not None for v in volumes):
            raise _refuse(attrs, f'node "{node}" can not create pods that reference persistentvolumeclaims')

    async def _mirror_owner(self, node: str, attrs: Attributes, owners: list[Any]) -> None:
        """A mirror pod is owned by its Node, and by nothing else."""
        if len(owners) > 1:
            raise _refuse(attrs, f'node "{node}" can only create pods with a single owner reference set to itself')
        if not owners:
            raise _refuse(attrs, f'node "{node}" can only create pods with an owner reference set to itself')
        owner = owners[0] if isinstance(owners[0], dict) else {}
        if (owner.get("apiVersion"), owner.get("kind"), owner.get("name")) != ("v1", "Node", node):
            raise _refuse(attrs, f'node "{node}" can only create pods with an owner reference set to itself')
        if owner.get("controller") is not True:
            raise _refuse(attrs, f'node "{node}" can only create pods with a controller owner reference set to '
                          "itself")
        if owner.get("blockOwnerDeletion") is True:
            raise _refuse(attrs, f'node "{node}" must not set blockOwnerDeletion on an owner reference')
        found = await self.find_node("", node)
        if found is None:
            raise errors.not_found("node", "", node)
        uid = found["metadata"].get("uid", "")
        if owner.get("uid", "") != uid:
            raise _refuse(attrs, f"node {node} UID mismatch: expected {owner.get('uid', '')} got {uid}")

    def _pod_status(self, node: str, attrs: Attributes) -> None:
        if _spec(attrs.old).get("nodeName") != node:
            raise _refuse(attrs, f'node "{node}" can only update pod status for pods with spec.nodeName set to '
                          "itself")
        if not _same(_labels(attrs.obj), _labels(attrs.old)):
            raise _refuse(attrs, f'node "{node}" cannot update labels through pod status')
        if not _same_claim_statuses(attrs.obj, attrs.old):
            raise _refuse(attrs, f'node "{node}" cannot update resource claim statues')

    async def _eviction(self, node: str, attrs: Attributes) -> None:
        name = attrs.name
        if not name:
            raise _refuse(attrs, "could not determine pod from request data")
        pod = await self.find_pod(attrs.namespace, name)
        if pod is None:
            raise errors.not_found("pod", "", name)
        if _spec(pod).get("nodeName") != node:
            raise _refuse(attrs, f"node {node} can only evict pods with spec.nodeName set to itself")

    # --- the node's own objects ------------------------------------------------------------------------------

    def _node(self, node: str, attrs: Attributes) -> None:
        if attrs.name != node:
            raise _refuse(attrs, f'node "{node}" is not allowed to modify node "{attrs.name}"')
        new_spec = _spec(attrs.obj)
        if attrs.operation is Operation.CREATE:
            # a config source names objects the node could then read: registering with one would widen its view
            if new_spec.get("configSource") is not None:
                raise _refuse(attrs, f'node "{node}" is not allowed to create pods with a non-nil configSource')
            refused = forbidden_labels(_labels(attrs.obj), {})
            if refused:
                raise _refuse(attrs, f'node "{node}" is not allowed to set the following labels: '
                              f"{', '.join(refused)}")
        elif attrs.operation is Operation.UPDATE:
            old_spec = _spec(attrs.old)
            source = new_spec.get("configSource")
            if source is not None and source != old_spec.get("configSource"):
                raise _refuse(attrs, f'node "{node}" is not allowed to update configSource to a new non-nil '
                              "configSource")
            # a node lifting its own taints would draw workloads meant to stay off it
            if not _same(new_spec.get("taints"), old_spec.get("taints")):
                raise _refuse(attrs, f'node "{node}" is not allowed to modify taints')
            refused = forbidden_labels(_labels(attrs.obj), _labels(attrs.old))
            if refused:
                raise _refuse(attrs, f"is not allowed to modify labels: {', '.join(refused)}")

    def _lease(self, node: str, attrs: Attributes) -> None:
        if attrs.namespace != NODE_LEASE_NAMESPACE:
            raise _refuse(attrs, f'can only access leases in the "{NODE_LEASE_NAMESPACE}" system namespace')
        if attrs.name != node:
            raise _refuse(attrs, "can only access node lease with the same name as the requesting node")

    def _claim(self, node: str, attrs: Attributes) -> None:
        if attrs.subresource != "status":
            raise _refuse(attrs, "may only update PVC status")
        if attrs.operation is not Operation.UPDATE:
            raise _refuse(attrs, f'unexpected operation "{attrs.operation}"')
        new, old = _without_reported_status(attrs.obj), _without_reported_status(attrs.old)
        if new != old:
            changed = sorted(key for key in new.keys() | old.keys() if new.get(key) != old.get(key))
            raise _refuse(attrs, f'node "{node}" is not allowed to update fields other than status.quantity and '
                          f"status.conditions: {_describe_changes(new, old, changed)}")

    async def _token(self, node: str, attrs: Attributes) -> None:
        if attrs.operation is not Operation.CREATE or attrs.subresource != "token":
            return
        ref = _spec(attrs.obj).get("boundObjectRef")
        if not isinstance(ref, dict) or (ref.get("apiVersion"), ref.get("kind")) != ("v1", "Pod") \
                or not ref.get("name"):
            raise _refuse(attrs, "node requested token not bound to a pod")
        if not ref.get("uid"):
            raise _refuse(attrs, "node requested token with a pod binding without a uid")
        pod = await self.find_pod(attrs.namespace, str(ref["name"]))
        if pod is None:
            raise errors.not_found("pod", "", str(ref["name"]))
        if ref["uid"] != pod["metadata"].get("uid"):
            raise _refuse(attrs, f"the UID in the bound object reference ({ref['uid']}) does not match the UID in "
                          "record. The object might have been deleted and then recreated")
        if _spec(pod).get("nodeName") != node:
            raise _refuse(attrs, "node requested token bound to a pod scheduled on a different node")


def _same_claim_statuses(new: Obj | None, old: Obj | None) -> bool:
    """The pod's resource claim statuses name the same claims in the same order."""
    def names(obj: Obj | None) -> list[tuple[Any, Any]]:
        status = (obj or {}).get("status")
        items = (status if isinstance(status, dict) else {}).get("resourceClaimStatuses") or []
        return [(s.get("name"), s.get("resourceClaimName")) for s in items if isinstance(s, dict)]
    return names(new) == names(old)


def _without_reported_status(claim: Obj | None) -> Obj:
    """A claim without what a kubelet may change (the status fields it reports), nor what every write changes."""
    result: Obj = {key: value for key, value in (claim or {}).items() if not _empty(value)}
    meta = {key: value for key, value in _meta(claim).items()
            if key not in ("resourceVersion", "managedFields") and not _empty(value)}
    status = (claim or {}).get("status")
    status = {key: value for key, value in (status if isinstance(status, dict) else {}).items()
              if key not in PVC_STATUS_FIELDS and not _empty(value)}
    result["metadata"] = meta
    result.pop("status", None)
    if status:
        result["status"] = status
    result.pop("apiVersion", None)
    result.pop("kind", None)
    return result


def _describe_changes(new: Obj, old: Obj, changed: list[str]) -> str:
    """What differs, field by field at the top and in metadata (kube prints a structural diff here)."""
    parts = []
    for key in changed:
        if key == "metadata":
            fields = sorted(k for k in new["metadata"].keys() | old["metadata"].keys()
                            if new["metadata"].get(k) != old["metadata"].get(k))
            parts += [f"metadata.{k}" for k in fields]
        else:
            parts.append(key)
    return "changed " + ", ".join(parts)
