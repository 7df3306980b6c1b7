"""The files the authorization flags name, read once at start-up: the ABAC policy file and the webhook's
kubeconfig. A file that cannot be used is a ConfigError naming its flag."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from apiserver.authz.abac import Policy, PolicyFileError, load_policy_file
from apiserver.options.authorization import AuthorizationOptions
from apiserver.options.errors import ConfigError
from apiserver.webhook.client import WebhookTarget, flag_webhook


@dataclass(frozen=True)
class AuthorizationFiles:
    policies: list[Policy] = field(default_factory=list)
    webhook: WebhookTarget | None = None


def _policies(path: Path | None) -> list[Policy]:
    if path is None:
        return []
    try:
        return load_policy_file(path)
    except PolicyFileError as exc:
        raise ConfigError(f"--authorization-policy-file: {exc}") from None


def load_authorization_files(options: AuthorizationOptions) -> AuthorizationFiles:
    return AuthorizationFiles(_policies(options.policy_file),
                              flag_webhook("--authorization-webhook-config-file", options.webhook_config_file))
