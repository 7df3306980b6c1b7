"""The Node mode: a kubelet (user `system:node:<name>` in group `system:nodes`) may reach its own Node object,
the pods scheduled on it and what those pods reference, as kube's node authorizer decides. Resources the
mode does not subdivide are allowed by the `system:node` role's rules, which kube binds to no one (the mode
grants them instead). Everything else a node asks for, and every request that is not from a node, gets no
opinion, so that a later mode decides.
"""
from __future__ import annotations

from apiserver.api.meta.fields import SelectorParseError, parse_field_selector
from apiserver.authz.authorizer import Attributes, Decision
from apiserver.authz.bootstrappolicy import NODE_RULES
from apiserver.authz.nodegraph import NodeGraph
from apiserver.authz.rbac_rules import allows, parse_rules
from apiserver.registry.registry import Registry

NODE_USER_PREFIX = "system:node:"
NODES_GROUP = "system:nodes"
NODE_LEASE_NAMESPACE = "kube-node-lease"

ALLOW = (Decision.ALLOW, "")
# (group, resource) → how kube's node authorizer treats it
_READ_REFERENCED = {("", "secrets"), ("", "configmaps")}
_GET_REFERENCED = {("", "persistentvolumeclaims"), ("", "persistentvolumes"),
                   ("storage.k8s.io", "volumeattachments")}
_NODE_RULES = parse_rules(NODE_RULES)


def node_name(attributes: Attributes) -> str | None:
    """The node's name; "" for a node identity without one; None when the user is not a node."""
    user = attributes.user
    if NODES_GROUP not in user.groups or not user.name.startswith(NODE_USER_PREFIX):
        return None
    return user.name[len(NODE_USER_PREFIX):]


def _no(reason: str) -> tuple[Decision, str]:
    return Decision.NO_OPINION, reason


def _node_rules(attributes: Attributes) -> tuple[Decision, str]:
    if any(allows(rule, attributes.info) for rule in _NODE_RULES):
        return ALLOW
    return _no("")


def _pinned(attributes: Attributes, field: str) -> str | None:
    """The value the request's field selector pins `field` to, if any."""
    try:
        return parse_field_selector(attributes.field_selector).exact_match(field)
    except SelectorParseError:
        return None


def object_name(attributes: Attributes) -> str:
    """The object a request is about: its name, or for a list or watch the `metadata.name` its field selector
    pins (kube's RequestInfo reads it so; kubelets watch each secret and config map that way)."""
    info = attributes.info
    if info.name or info.verb not in ("list", "watch"):
        return info.name
    return _pinned(attributes, "metadata.name") or ""


class NodeAuthorizer:
    def __init__(self, registry: Registry) -> None:
        self.graph = NodeGraph(registry)

    async def start(self) -> None:
        await self.graph.start()

    async def stop(self) -> None:
        await self.graph.stop()

    async def authorize(self, attributes: Attributes) -> tuple[Decision, str]:
        node = node_name(attributes)
        if node is None:
            return _no("")
        if not node:
            return _no(f'unknown node for user "{attributes.user.name}"')
        info = attributes.info
        if not info.is_resource_request:
            return _node_rules(attributes)
        resource = (info.api_group, info.resource)
        if resource in _READ_REFERENCED:
            return self._read_referenced(node, attributes)
        if resource == ("", "persistentvolumeclaims") and info.subresource == "status":
            if info.verb not in ("update", "patch"):
                return _no("can only get/update/patch this type")
            return self._related(node, attributes)
        if resource in _GET_REFERENCED:
            return self._get(node, attributes)
        if resource == ("", "serviceaccounts"):
            return self._create_token(node, attributes)
        if resource == ("coordination.k8s.io", "leases"):
            return self._lease(node, attributes)
        if resource == ("storage.k8s.io", "csinodes"):
            return self._csinode(node, attributes)
        if resource == ("", "nodes"):
            return self._node(node, attributes)
        if resource == ("", "pods"):
            return self._pod(node, attributes)
        return _node_rules(attributes)

    def _related(self, node: str, attributes: Attributes) -> tuple[Decision, str]:
        info, name = attributes.info, object_name(attributes)
        if not name:
            return _no("No Object name found")
        if self.graph.reaches(node, info.resource, info.namespace, name):
            return ALLOW
        return _no(f"no relationship found between node '{node}' and this object")

    def _read_referenced(self, node: str, attributes: Attributes) -> tuple[Decision, str]:
        info = attributes.info
        if info.verb not in ("get", "list", "watch"):
            return _no("can only read resources of this type")
        if info.subresource:
            return _no("cannot read subresource")
        if not info.namespace:
            return _no("can only read namespaced object of this type")
        return self._related(node, attributes)

    def _get(self, node: str, attributes: Attributes) -> tuple[Decision, str]:
        if attributes.info.verb != "get":
            return _no("can only get individual resources of this type")
        if attributes.info.subresource:
            return _no("cannot get subresource")
        return self._related(node, attributes)

    def _create_token(self, node: str, attributes: Attributes) -> tuple[Decision, str]:
        info = attributes.info
        if info.verb != "create" or not info.name:
            return _no("can only create tokens for individual service accounts")
        if info.subresource != "token":
            return _no("can only create token subresource of serviceaccount")
        return self._related(node, attributes)

    def _lease(self, node: str, attributes: Attributes) -> tuple[Decision, str]:
        info = attributes.info
        if info.verb not in ("get", "create", "update", "patch", "delete"):
            return _no("can only get, create, update, patch, or delete a node lease")
        if info.namespace != NODE_LEASE_NAMESPACE:
            return _no(f'can only access leases in the "{NODE_LEASE_NAMESPACE}" system namespace')
        # a create carries its name in the body only; kube leaves that check to NodeRestriction admission
        if info.verb != "create" and info.name != node:
            return _no("can only access node lease with the same name as the requesting node")
        return ALLOW

    def _csinode(self, node: str, attributes: Attributes) -> tuple[Decision, str]:
        info = attributes.info
        if info.verb not in ("get", "create", "update", "patch", "delete"):
            return _no("can only get, create, update, patch, or delete a CSINode")
        if info.subresource:
            return _no("cannot authorize CSINode subresources")
        if info.verb != "create" and info.name != node:
            return _no("can only access CSINode with the same name as the requesting node")
        return ALLOW

    def _node(self, node: str, attributes: Attributes) -> tuple[Decision, str]:
        info = attributes.info
        if not info.subresource:
            if info.verb in ("create", "update", "patch"):
                return ALLOW
            if info.verb in ("get", "list", "watch"):
                # by name rather than through the graph, so a kubelet can look for its Node before creating it
                if info.name == node:
                    return ALLOW
                if not info.name:
                    return _no(f"node '{node}' cannot read all nodes, only its own Node object")
                return _no(f"node '{node}' cannot read '{info.name}', only its own Node object")
        elif info.subresource == "status" and info.verb in ("update", "patch"):
            return ALLOW
        return _no("")

    def _pod(self, node: str, attributes: Attributes) -> tuple[Decision, str]:
        info = attributes.info
        if not info.subresource:
            if info.verb == "get":
                return self._get(node, attributes)
            if info.verb in ("list", "watch"):
                if _pinned(attributes, "spec.nodeName") == node:
                    return ALLOW
                if object_name(attributes):
                    return self._related(node, attributes)
                return _no("can only list/watch pods with spec.nodeName field selector")
            if info.verb in ("create", "delete"):
                return ALLOW   # mirror pods
        elif info.subresource == "status" and info.verb in ("update", "patch"):
            return ALLOW
        elif info.subresource == "eviction" and info.verb == "create":
            return ALLOW
        return _no("")
