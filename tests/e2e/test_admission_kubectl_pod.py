"""Pods made by kubectl through `make up`'s balancer come out as kube-apiserver 1.32 admits them: `kubectl get pod
-o yaml` shows the `kube-api-access-*` projected volume and its mount exactly as on a kube cluster, and the
namespace holds the kube-root-ca.crt ConfigMap that volume projects."""
from __future__ import annotations

import json
import re
import subprocess
import uuid
from collections.abc import Callable, Iterator

import pytest
import yaml

from tests.polling import eventually_sync

Kubectl = Callable[..., subprocess.CompletedProcess]

# `kubectl get pod -o yaml` of a pod on a kube 1.32 cluster, with the volume's random suffix as a group
KUBE_VOLUME_YAML = """\
  - name: {name}
    projected:
      defaultMode: 420
      sources:
      - serviceAccountToken:
          expirationSeconds: 3607
          path: token
      - configMap:
          items:
          - key: ca.crt
            path: ca.crt
          name: kube-root-ca.crt
      - downwardAPI:
          items:
          - fieldRef:
              apiVersion: v1
              fieldPath: metadata.namespace
            path: namespace
"""
KUBE_MOUNT_YAML = """\
    volumeMounts:
    - mountPath: /var/run/secrets/kubernetes.io/serviceaccount
      name: {name}
      readOnly: true
"""


VOLUME_PATTERN = re.compile(re.escape(KUBE_VOLUME_YAML).replace(
    re.escape("{name}"), "(kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5})"))


@pytest.fixture
def kubectl(make_up_kubectl) -> Kubectl:
    return make_up_kubectl


@pytest.fixture
def fresh_namespace(kubectl: Kubectl) -> Iterator[str]:
    name = f"sa-{uuid.uuid4().hex[:6]}"
    kubectl("create", "namespace", name)
    yield name
    kubectl("delete", "namespace", name, "--wait=false")


def admitted_as_kube_writes_it(kubectl: Kubectl, namespace: str, pod: str) -> None:
    text = kubectl("-n", namespace, "get", "pod", pod, "-o", "yaml").stdout
    found = VOLUME_PATTERN.search(text)
    assert found, text
    assert KUBE_MOUNT_YAML.format(name=found.group(1)) in text, text
    spec = yaml.safe_load(text)["spec"]
    assert spec["serviceAccountName"] == "default"
    assert [v["name"] for v in spec["volumes"]] == [found.group(1)]


def test_kubectl_run_and_apply_make_pods_with_the_kube_api_access_volume(kubectl: Kubectl, fresh_namespace: str):
    # right after the namespace: the plugin waits the moment the `default` account takes to appear
    kubectl("-n", fresh_namespace, "run", "ran", "--image=nginx:1.27", "--restart=Never")
    admitted_as_kube_writes_it(kubectl, fresh_namespace, "ran")
    manifest = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "applied", "namespace": fresh_namespace},
                "spec": {"containers": [{"name": "web", "image": "nginx:1.27"}]}}
    kubectl("apply", "-f", "-", input_text=json.dumps(manifest))
    admitted_as_kube_writes_it(kubectl, fresh_namespace, "applied")

    def published() -> dict:
        got = kubectl("-n", fresh_namespace, "get", "configmap", "kube-root-ca.crt", "-o", "json", check=False)
        assert got.returncode == 0, got.stderr
        return json.loads(got.stdout)

    data = eventually_sync(published)["data"]
    assert list(data) == ["ca.crt"] and data["ca.crt"].startswith("-----BEGIN CERTIFICATE-----\n")
