"""Structural facts of the default RBAC policy data: what kube's bootstrappolicy tests check of theirs."""
from __future__ import annotations

from apiserver.authz.controllerpolicy import (
    PREFIX,
    controller_role_bindings,
    controller_roles,
)
from apiserver.authz.namespacepolicy import namespace_role_bindings, namespace_roles
from apiserver.controllers.rbacbootstrap import default_policy

AUTOUPDATE = "rbac.authorization.kubernetes.io/autoupdate"


def identity(obj: dict) -> tuple[str, str, str]:
    return obj["kind"], obj["metadata"].get("namespace", ""), obj["metadata"]["name"]


def test_names_are_unique_per_kind_and_namespace():
    identities = [identity(o) for o in default_policy()]
    assert len(identities) == len(set(identities))


def test_every_object_is_labelled_and_annotated_for_autoupdate():
    for obj in default_policy():
        meta = obj["metadata"]
        assert meta["labels"]["kubernetes.io/bootstrapping"] == "rbac-defaults", meta["name"]
        assert meta["annotations"] == {AUTOUPDATE: "true"}, meta["name"]
        assert obj["apiVersion"] == "rbac.authorization.k8s.io/v1"


def test_every_controller_role_is_bound_to_its_service_account_and_nothing_else():
    bindings = {b["metadata"]["name"]: b for b in controller_role_bindings()}
    roles = [r["metadata"]["name"] for r in controller_roles()]
    assert sorted(roles) == sorted(bindings)
    for name in roles:
        assert name.startswith(PREFIX)
        binding = bindings[name]
        assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": name}
        assert binding["subjects"] == [{"kind": "ServiceAccount", "name": name[len(PREFIX):],
                                        "namespace": "kube-system"}]


def test_every_role_ref_names_a_default_role():
    roles = {identity(o) for o in default_policy() if o["kind"] in ("ClusterRole", "Role")}
    for obj in default_policy():
        if obj["kind"].endswith("Binding"):
            ref = obj["roleRef"]
            namespace = obj["metadata"].get("namespace", "") if ref["kind"] == "Role" else ""
            assert (ref["kind"], namespace, ref["name"]) in roles, obj["metadata"]


def test_rules_are_in_kubes_sorted_form():
    for obj in default_policy():
        for rule in obj.get("rules", []):
            for key in ("verbs", "apiGroups", "resources", "resourceNames", "nonResourceURLs"):
                if key in rule:
                    assert rule[key] == sorted(rule[key]) and rule[key], (obj["metadata"]["name"], rule)


def test_controller_roles_follow_kube_1_32_default_feature_gates():
    names = {r["metadata"]["name"][len(PREFIX):] for r in controller_roles()}
    assert {"deployment-controller", "legacy-service-account-token-cleaner",
            "validatingadmissionpolicy-status-controller", "ephemeral-volume-controller"} <= names
    # behind gates that are off in 1.32, or newer than 1.32
    assert not names & {"resource-claim-controller", "service-cidrs-controller", "selinux-warning-controller",
                        "volumeattributesclass-protection-controller", "storage-version-garbage-collector",
                        "storage-version-migrator-controller", "device-taint-eviction-controller",
                        "kube-apiserver-serving-clustertrustbundle-publisher", "podcertificaterequestcleaner"}
    assert len(names) == 33


def test_namespaced_policy_lives_in_kube_system_and_kube_public():
    objects = namespace_roles() + namespace_role_bindings()
    assert {o["metadata"]["namespace"] for o in objects} == {"kube-system", "kube-public"}
    assert {(o["metadata"]["namespace"], o["metadata"]["name"]) for o in namespace_roles()} == {
        ("kube-system", "extension-apiserver-authentication-reader"),
        ("kube-system", "system::leader-locking-kube-controller-manager"),
        ("kube-system", "system::leader-locking-kube-scheduler"),
        ("kube-system", "system:controller:bootstrap-signer"), ("kube-system", "system:controller:cloud-provider"),
        ("kube-system", "system:controller:token-cleaner"), ("kube-public", "system:controller:bootstrap-signer")}


def test_policy_order_is_kubes_cluster_roles_then_bindings_then_namespaced():
    order = ["ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"]
    kinds = [order.index(o["kind"]) for o in default_policy()]
    assert kinds == sorted(kinds)
