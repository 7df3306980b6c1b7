"""The ordered authorizers of --authorization-mode, built for one replica."""
from __future__ import annotations

from apiserver.authz.authorizer import MODES, UnionAuthorizer
from apiserver.options.flags import ServerConfig
from apiserver.registry.registry import Registry


def build_authorizer(config: ServerConfig, registry: Registry) -> UnionAuthorizer:
    """`registry` serves the modes that read API objects from the watch cache (RBAC, Node)."""
    return UnionAuthorizer([MODES[mode]() for mode in config.authorization_modes])
