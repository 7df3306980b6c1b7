"""The ordered authorizers of --authorization-mode, built for one replica."""
from __future__ import annotations

from apiserver.authz.abac import ABACAuthorizer, PolicyFileError, load_policy_file
from apiserver.authz.authorizer import (
    MODES,
    Authorizer,
    PrivilegedGroups,
    UnionAuthorizer,
)
from apiserver.authz.node import NodeAuthorizer
from apiserver.authz.rbac import RBACAuthorizer
from apiserver.authz.webhook import WebhookAuthorizer, WebhookSettings
from apiserver.options.authorization import AuthorizationOptions
from apiserver.options.errors import ConfigError
from apiserver.registry.registry import Registry
from apiserver.webhook.client import WebhookConfigError, load_webhook_kubeconfig


def _mode(mode: str, options: AuthorizationOptions, registry: Registry) -> Authorizer:
    if mode == "Node":
        return NodeAuthorizer(registry)
    if mode == "RBAC":
        return RBACAuthorizer(registry)
    if mode == "ABAC":
        assert options.policy_file is not None   # parse_flags insists on it
        try:
            return ABACAuthorizer(load_policy_file(options.policy_file))
        except PolicyFileError as exc:
            raise ConfigError(f"--authorization-policy-file: {exc}") from None
    if mode == "Webhook":
        assert options.webhook_config_file is not None
        try:
            target = load_webhook_kubeconfig(options.webhook_config_file)
        except WebhookConfigError as exc:
            raise ConfigError(f"--authorization-webhook-config-file: {exc}") from None
        return WebhookAuthorizer(target, WebhookSettings(
            version=options.webhook_version,
            authorized_ttl=options.webhook_cache_authorized_ttl,
            unauthorized_ttl=options.webhook_cache_unauthorized_ttl))
    return MODES[mode]()


def build_authorizer(options: AuthorizationOptions, registry: Registry) -> UnionAuthorizer:
    """`registry` serves the modes that read API objects from the watch cache (RBAC, Node). system:masters comes
    first, before any mode, as in kube-apiserver. A policy or webhook file that cannot be used is a ConfigError, a
    one-line start-up failure."""
    return UnionAuthorizer([PrivilegedGroups()] + [_mode(mode, options, registry) for mode in options.modes])
