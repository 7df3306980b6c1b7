"""PodSecurity as kubectl users meet it through `make up`'s balancer: a namespace labelled to enforce restricted
refuses `kubectl run --privileged` with kube's message; one labelled to warn creates the pod and kubectl prints
kube's warning."""
from __future__ import annotations

import subprocess
import uuid
from collections.abc import Callable, Iterator

import pytest

Kubectl = Callable[..., subprocess.CompletedProcess]


@pytest.fixture
def kubectl(make_up_kubectl) -> Kubectl:
    return make_up_kubectl


@pytest.fixture
def namespace(kubectl: Kubectl) -> Iterator[str]:
    name = f"psa-{uuid.uuid4().hex[:6]}"
    kubectl("create", "namespace", name)
    yield name
    kubectl("delete", "namespace", name, "--wait=false")


def test_enforce_refuses_kubectl_run_privileged(kubectl: Kubectl, namespace: str) -> None:
    kubectl("label", "ns", namespace, "pod-security.kubernetes.io/enforce=restricted")
    result = kubectl("-n", namespace, "run", "p", "--image=busybox", "--privileged", check=False)
    assert result.returncode != 0
    assert result.stderr.strip() == (
        'Error from server (Forbidden): pods "p" is forbidden: violates PodSecurity "restricted:latest": '
        'privileged (container "p" must not set securityContext.privileged=true), '
        'allowPrivilegeEscalation != false (container "p" must set securityContext.allowPrivilegeEscalation=false), '
        'unrestricted capabilities (container "p" must set securityContext.capabilities.drop=["ALL"]), '
        'runAsNonRoot != true (pod or container "p" must set securityContext.runAsNonRoot=true), '
        'seccompProfile (pod or container "p" must set securityContext.seccompProfile.type to "RuntimeDefault" or '
        '"Localhost")')
    assert kubectl("-n", namespace, "get", "pod", "p", check=False).returncode != 0


def test_warn_prints_kubes_warning_and_creates_the_pod(kubectl: Kubectl, namespace: str) -> None:
    kubectl("label", "ns", namespace, "pod-security.kubernetes.io/warn=baseline")
    result = kubectl("-n", namespace, "run", "p", "--image=busybox", "--privileged")
    assert result.stdout.strip() == "pod/p created"
    assert result.stderr.strip() == ('Warning: would violate PodSecurity "baseline:latest": privileged '
                                     '(container "p" must not set securityContext.privileged=true)')
    kubectl("-n", namespace, "get", "pod", "p")
