"""The ordered authorizers of --authorization-mode, built for one replica."""
from __future__ import annotations

from apiserver.authz.abac import ABACAuthorizer
from apiserver.authz.authorizer import (
    MODES,
    Authorizer,
    PrivilegedGroups,
    UnionAuthorizer,
)
from apiserver.authz.files import AuthorizationFiles
from apiserver.authz.node import NodeAuthorizer
from apiserver.authz.rbac import RBACAuthorizer
from apiserver.authz.webhook import WebhookAuthorizer, WebhookSettings
from apiserver.options.authorization import AuthorizationOptions
from apiserver.registry.registry import Registry


def _mode(mode: str, options: AuthorizationOptions, files: AuthorizationFiles, registry: Registry) -> Authorizer:
    if mode == "Node":
        return NodeAuthorizer(registry)
    if mode == "RBAC":
        return RBACAuthorizer(registry)
    if mode == "ABAC":
        return ABACAuthorizer(files.policies)
    if mode == "Webhook":
        assert files.webhook is not None   # parse_flags insists on the file, load_files read it
        return WebhookAuthorizer(files.webhook, WebhookSettings(
            version=options.webhook_version, authorized_ttl=options.webhook_cache_authorized_ttl,
            unauthorized_ttl=options.webhook_cache_unauthorized_ttl))
    return MODES[mode]()


def build_authorizer(options: AuthorizationOptions, files: AuthorizationFiles, registry: Registry) -> UnionAuthorizer:
    """`files` hold what the ABAC and Webhook modes' files hold; `registry` serves the modes that read API objects
    from the watch cache (RBAC, Node). system:masters comes first, before any mode, as in kube-apiserver."""
    return UnionAuthorizer([PrivilegedGroups()] + [_mode(mode, options, files, registry) for mode in options.modes])
