"""The ordered authorizers of --authorization-mode, built for one replica."""
from __future__ import annotations

from apiserver.authz.authorizer import MODES, Authorizer, PrivilegedGroups, UnionAuthorizer
from apiserver.authz.rbac import RBACAuthorizer
from apiserver.options.flags import ServerConfig
from apiserver.registry.registry import Registry


def build_authorizer(config: ServerConfig, registry: Registry) -> UnionAuthorizer:
    """`registry` serves the modes that read API objects from the watch cache (RBAC, Node). system:masters comes
    first, before any mode, as in kube-apiserver."""
    authorizers: list[Authorizer] = [PrivilegedGroups()]
    for mode in config.authorization_modes:
        authorizers.append(RBACAuthorizer(registry) if mode == "RBAC" else MODES[mode]())
    return UnionAuthorizer(authorizers)
