"""kube-apiserver 1.32's namespaced default policy, as data: the Roles and RoleBindings it keeps in kube-system
and kube-public (leader locking of the controller manager and scheduler, the authentication ConfigMap readers,
the bootstrap-token controllers, the deprecated cloud-provider role)."""
from __future__ import annotations

from apiserver.api.meta.types import Obj
from apiserver.authz.bootstrappolicy import (
    COORDINATION,
    EVENTS_RULE,
    LEGACY,
    READ,
    binding,
    r,
    role,
    subject_account,
    user,
)
from apiserver.authz.controllerpolicy import PREFIX

SYSTEM, PUBLIC = "kube-system", "kube-public"
CONTROLLER_MANAGER, SCHEDULER = "system:kube-controller-manager", "system:kube-scheduler"

# (namespace, name, rules)
_ROLES: list[tuple[str, str, list[Obj]]] = [
    # what an extension API server reads to learn the cluster's client-certificate and front-proxy settings
    (SYSTEM, "extension-apiserver-authentication-reader", [
        r(READ, [LEGACY], ["configmaps"], ["extension-apiserver-authentication"]),
    ]),
    (SYSTEM, PREFIX + "bootstrap-signer", [r(READ, [LEGACY], ["secrets"])]),
    (SYSTEM, PREFIX + "cloud-provider", [r(["create", "get", "list", "watch"], [LEGACY], ["configmaps"])]),
    (SYSTEM, PREFIX + "token-cleaner", [r(["get", "list", "watch", "delete"], [LEGACY], ["secrets"]), EVENTS_RULE]),
    (SYSTEM, "system::leader-locking-kube-controller-manager", [
        r(["watch"], [LEGACY], ["configmaps"]),
        r(["get", "update"], [LEGACY], ["configmaps"], ["kube-controller-manager"]),
        r(["get", "watch", "list", "create", "update"], [COORDINATION], ["leases"]),
    ]),
    (SYSTEM, "system::leader-locking-kube-scheduler", [
        r(["watch"], [LEGACY], ["configmaps"]),
        r(["get", "update"], [LEGACY], ["configmaps"], ["kube-scheduler"]),
    ]),
    (PUBLIC, PREFIX + "bootstrap-signer", [
        r(READ, [LEGACY], ["configmaps"]),
        r(["update"], [LEGACY], ["configmaps"], ["cluster-info"]),
        EVENTS_RULE,
    ]),
]

# (namespace, binding name, role name, subjects)
_BINDINGS: list[tuple[str, str, str, list[Obj]]] = [
    (SYSTEM, "system::extension-apiserver-authentication-reader", "extension-apiserver-authentication-reader",
     [user(CONTROLLER_MANAGER), user(SCHEDULER)]),
    (SYSTEM, "system::leader-locking-kube-controller-manager", "system::leader-locking-kube-controller-manager",
     [user(CONTROLLER_MANAGER), subject_account(SYSTEM, "kube-controller-manager"),
      subject_account(SYSTEM, "leader-election-controller")]),
    (SYSTEM, "system::leader-locking-kube-scheduler", "system::leader-locking-kube-scheduler",
     [user(SCHEDULER), subject_account(SYSTEM, "kube-scheduler")]),
    (SYSTEM, PREFIX + "bootstrap-signer", PREFIX + "bootstrap-signer", [subject_account(SYSTEM, "bootstrap-signer")]),
    (SYSTEM, PREFIX + "cloud-provider", PREFIX + "cloud-provider", [subject_account(SYSTEM, "cloud-provider")]),
    (SYSTEM, PREFIX + "token-cleaner", PREFIX + "token-cleaner", [subject_account(SYSTEM, "token-cleaner")]),
    (PUBLIC, PREFIX + "bootstrap-signer", PREFIX + "bootstrap-signer", [subject_account(SYSTEM, "bootstrap-signer")]),
]


def namespace_roles() -> list[Obj]:
    return [role("Role", name, rules, namespace) for namespace, name, rules in _ROLES]


def namespace_role_bindings() -> list[Obj]:
    return [binding("RoleBinding", name, "Role", role_name, subjects, namespace)
            for namespace, name, role_name, subjects in _BINDINGS]
