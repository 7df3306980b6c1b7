"""Each Pod Security Standards check of kube 1.32: a pod it forbids, with kube's reason and detail, and a pod it
passes; then the order, overrides and versions of the evaluator."""
from __future__ import annotations

from typing import Any

import pytest

from apiserver.admission.plugins.podsecurity import baseline, restricted
from apiserver.admission.plugins.podsecurity.levels import LATEST, Level, LevelVersion, Version
from apiserver.admission.plugins.podsecurity.plugin import default_evaluator

Spec = dict[str, Any]


def c(name: str = "c", **sc: Any) -> dict[str, Any]:
    container: dict[str, Any] = {"name": name, "image": "busybox"}
    if sc:
        container["securityContext"] = sc
    return container


def check_of(module: Any, check_id: str, minor: int = 32) -> Any:
    check = next(ch for ch in module.CHECKS if ch.id == check_id)
    versioned = check.at(minor)
    assert versioned is not None
    return versioned.check


# (module, check id, policy minor, bad (meta, spec), reason, detail, good (meta, spec))
CASES: list[tuple[Any, str, int, tuple[dict, Spec], str, str, tuple[dict, Spec]]] = [
    (baseline, "privileged", 32, ({}, {"containers": [c(privileged=True), c("d", privileged=False)]}),
     "privileged", 'container "c" must not set securityContext.privileged=true',
     ({}, {"containers": [c(privileged=False)]})),
    (baseline, "hostNamespaces", 32, ({}, {"hostPID": True, "hostNetwork": True, "containers": [c()]}),
     "host namespaces", "hostNetwork, hostPID", ({}, {"hostIPC": False, "containers": [c()]})),
    (baseline, "hostPathVolumes", 32,
     ({}, {"containers": [c()], "volumes": [{"name": "a", "hostPath": {"path": "/"}},
                                            {"name": "b", "hostPath": {"path": "/x"}}]}),
     "hostPath volumes", 'volumes "a", "b"', ({}, {"containers": [c()], "volumes": [{"name": "a", "emptyDir": {}}]})),
    (baseline, "hostPorts", 32,
     ({}, {"containers": [{**c(), "ports": [{"containerPort": 80, "hostPort": 8080}, {"containerPort": 90,
                                                                                        "hostPort": 10000}]}]}),
     "hostPort", 'container "c" uses hostPorts 10000, 8080',
     ({}, {"containers": [{**c(), "ports": [{"containerPort": 80, "hostPort": 0}]}]})),
    (baseline, "capabilities_baseline", 32,
     ({}, {"containers": [c(capabilities={"add": ["NET_ADMIN", "CHOWN", "SYS_TIME"]})]}),
     "non-default capabilities",
     'container "c" must not include "NET_ADMIN", "SYS_TIME" in securityContext.capabilities.add',
     ({}, {"containers": [c(capabilities={"add": ["CHOWN", "NET_BIND_SERVICE"]})]})),
    (baseline, "appArmorProfile", 32,
     ({"annotations": {"container.apparmor.security.beta.kubernetes.io/c": "unconfined"}},
      {"securityContext": {"appArmorProfile": {"type": "Unconfined"}}, "containers": [c()]}),
     "forbidden AppArmor profiles",
     'pod and annotation must not set AppArmor profile type to "Unconfined", '
     '"container.apparmor.security.beta.kubernetes.io/c="unconfined""',
     ({"annotations": {"container.apparmor.security.beta.kubernetes.io/c": "localhost/x"}},
      {"containers": [c(appArmorProfile={"type": "RuntimeDefault"})]})),
    (baseline, "seLinuxOptions", 32,
     ({}, {"containers": [c(seLinuxOptions={"type": "spc_t", "user": "u"}), c("d", seLinuxOptions={"role": "r"})]}),
     "seLinuxOptions",
     'containers "c", "d" set forbidden securityContext.seLinuxOptions: type "spc_t"; user may not be set; '
     "role may not be set",
     ({}, {"containers": [c(seLinuxOptions={"type": "container_engine_t", "level": "s0"})]})),
    (baseline, "procMount", 32, ({}, {"containers": [c(procMount="Unmasked")]}),
     "procMount", 'container "c" must not set securityContext.procMount to "Unmasked"',
     ({}, {"containers": [c(procMount="Default")]})),
    (baseline, "seccompProfile_baseline", 32,
     ({}, {"securityContext": {"seccompProfile": {"type": "Unconfined"}}, "containers": [c()]}),
     "seccompProfile", 'pod must not set securityContext.seccompProfile.type to "Unconfined"',
     ({}, {"containers": [c(seccompProfile={"type": "Localhost", "localhostProfile": "p"})]})),
    (baseline, "seccompProfile_baseline", 18,
     ({"annotations": {"seccomp.security.alpha.kubernetes.io/pod": "unconfined"}}, {"containers": [c()]}),
     "seccompProfile", 'forbidden annotation seccomp.security.alpha.kubernetes.io/pod="unconfined"',
     ({"annotations": {"container.seccomp.security.alpha.kubernetes.io/c": "runtime/default"}},
      {"containers": [c()]})),
    (baseline, "sysctls", 32,
     ({}, {"securityContext": {"sysctls": [{"name": "kernel.msgmax", "value": "1"},
                                            {"name": "net.ipv4.tcp_rmem", "value": "1"}]}, "containers": [c()]}),
     "forbidden sysctls", "kernel.msgmax",
     ({}, {"securityContext": {"sysctls": [{"name": "net.ipv4.tcp_wmem", "value": "1"}]}, "containers": [c()]})),
    (baseline, "windowsHostProcess", 32,
     ({}, {"securityContext": {"windowsOptions": {"hostProcess": True}}, "containers": [c()]}),
     "hostProcess", "pod must not set securityContext.windowsOptions.hostProcess=true",
     ({}, {"containers": [c(windowsOptions={"hostProcess": False})]})),
    (restricted, "allowPrivilegeEscalation", 32, ({}, {"containers": [c(), c("d", allowPrivilegeEscalation=True)]}),
     "allowPrivilegeEscalation != false",
     'containers "c", "d" must set securityContext.allowPrivilegeEscalation=false',
     ({}, {"containers": [c(allowPrivilegeEscalation=False)]})),
    (restricted, "capabilities_restricted", 32,
     ({}, {"initContainers": [c("i")], "containers": [c(capabilities={"drop": ["ALL"], "add": ["SYS_ADMIN"]})]}),
     "unrestricted capabilities",
     'container "i" must set securityContext.capabilities.drop=["ALL"]; '
     'container "c" must not include "SYS_ADMIN" in securityContext.capabilities.add',
     ({}, {"containers": [c(capabilities={"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]})]})),
    (restricted, "restrictedVolumes", 32,
     ({}, {"containers": [c()], "volumes": [{"name": "a", "nfs": {"server": "s", "path": "/"}},
                                            {"name": "b", "hostPath": {"path": "/"}}, {"name": "s", "secret": {}}]}),
     "restricted volume types", 'volumes "a", "b" use restricted volume types "hostPath", "nfs"',
     ({}, {"containers": [c()], "volumes": [{"name": "p", "persistentVolumeClaim": {"claimName": "x"}}]})),
    (restricted, "runAsNonRoot", 32,
     ({}, {"securityContext": {"runAsNonRoot": False}, "containers": [c(), c("d", runAsNonRoot=False)]}),
     "runAsNonRoot != true", 'pod and container "d" must not set securityContext.runAsNonRoot=false',
     ({}, {"securityContext": {"runAsNonRoot": True}, "containers": [c()]})),
    (restricted, "runAsNonRoot", 32, ({}, {"containers": [c(), c("d", runAsNonRoot=True)]}),
     "runAsNonRoot != true", 'pod or container "c" must set securityContext.runAsNonRoot=true',
     ({}, {"containers": [c(runAsNonRoot=True)]})),
    (restricted, "runAsUser", 32, ({}, {"securityContext": {"runAsUser": 0}, "containers": [c(runAsUser=0)]}),
     "runAsUser=0", 'pod and container "c" must not set runAsUser=0',
     ({}, {"securityContext": {"runAsUser": 1000}, "containers": [c()]})),
    (restricted, "seccompProfile_restricted", 32, ({}, {"containers": [c()]}),
     "seccompProfile",
     'pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"',
     ({}, {"securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}, "containers": [c()]})),
    (restricted, "seccompProfile_restricted", 32,
     ({}, {"containers": [c(seccompProfile={"type": "Unconfined"})]}),
     "seccompProfile", 'container "c" must not set securityContext.seccompProfile.type to "Unconfined"',
     ({}, {"os": {"name": "windows"}, "containers": [c()]})),
]


@pytest.mark.parametrize(("module", "check_id", "minor", "bad", "reason", "detail", "good"), CASES,
                         ids=[f"{case[1]}-v1.{case[2]}" for case in CASES])
def test_check(module: Any, check_id: str, minor: int, bad: tuple[dict, Spec], reason: str, detail: str,
               good: tuple[dict, Spec]) -> None:
    check = check_of(module, check_id, minor)
    result = check(*bad)
    assert (result.allowed, result.reason, result.detail) == (False, reason, detail)
    assert check(*good).allowed


def test_every_check_of_kube_1_32_is_covered() -> None:
    assert {case[1] for case in CASES} == {ch.id for ch in baseline.CHECKS + restricted.CHECKS}


PRIVILEGED_POD: Spec = {"containers": [c("nginx", privileged=True)]}


def test_restricted_lists_every_violation_baseline_first_then_restricted() -> None:
    verdict = default_evaluator().evaluate(LevelVersion(Level.RESTRICTED, LATEST), {}, PRIVILEGED_POD)
    assert verdict.detail() == (
        'privileged (container "nginx" must not set securityContext.privileged=true), '
        'allowPrivilegeEscalation != false (container "nginx" must set '
        'securityContext.allowPrivilegeEscalation=false), '
        'unrestricted capabilities (container "nginx" must set securityContext.capabilities.drop=["ALL"]), '
        'runAsNonRoot != true (pod or container "nginx" must set securityContext.runAsNonRoot=true), '
        'seccompProfile (pod or container "nginx" must set securityContext.seccompProfile.type to "RuntimeDefault" '
        'or "Localhost")')
    assert verdict.reason() == ("privileged, allowPrivilegeEscalation != false, unrestricted capabilities, "
                                "runAsNonRoot != true, seccompProfile")


def test_restricted_checks_replace_the_baseline_checks_they_cover() -> None:
    spec = {"containers": [c(capabilities={"add": ["NET_ADMIN"]})], "volumes": [{"name": "h", "hostPath": {}}]}
    reasons = default_evaluator().evaluate(LevelVersion(Level.RESTRICTED, LATEST), {}, spec).reasons
    assert "non-default capabilities" not in reasons and "hostPath volumes" not in reasons
    assert "unrestricted capabilities" in reasons and "restricted volume types" in reasons
    # before v1.22 there is no restricted capabilities check, so the baseline one stays
    old = default_evaluator().evaluate(LevelVersion(Level.RESTRICTED, Version(21)), {}, spec).reasons
    assert "non-default capabilities" in old and "unrestricted capabilities" not in old


def test_versions_select_each_checks_revision() -> None:
    evaluator = default_evaluator()
    sysctl = {"securityContext": {"sysctls": [{"name": "net.ipv4.tcp_rmem", "value": "1"}]}, "containers": [c()]}
    assert not evaluator.evaluate(LevelVersion(Level.BASELINE, Version(31)), {}, sysctl).allowed
    assert evaluator.evaluate(LevelVersion(Level.BASELINE, Version(32)), {}, sysctl).allowed
    # versions newer than kube's newest evaluate as it
    assert evaluator.evaluate(LevelVersion(Level.BASELINE, Version(40)), {}, sysctl).allowed
    windows = {"os": {"name": "windows"}, "securityContext": {"runAsNonRoot": True}, "containers": [c()]}
    assert evaluator.evaluate(LevelVersion(Level.RESTRICTED, Version(25)), {}, windows).allowed
    assert not evaluator.evaluate(LevelVersion(Level.RESTRICTED, Version(24)), {}, windows).allowed
    assert evaluator.evaluate(LevelVersion(Level.PRIVILEGED, LATEST), {}, PRIVILEGED_POD).allowed
