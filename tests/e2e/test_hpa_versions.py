"""HorizontalPodAutoscalers through autoscaling/v1 with the real kubectl and the official Python client."""
from __future__ import annotations

import json
import uuid

from kubernetes import client

from tests.e2e.test_kubectl_output import apply, rows
from tests.e2e.test_python_client import api_client


def hpa_v1(name: str, ns: str, cpu: int) -> dict:
    return {"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": name, "namespace": ns},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"},
                     "minReplicas": 2, "maxReplicas": 6, "targetCPUUtilizationPercentage": cpu}}


def test_kubectl_reads_and_writes_v1(kubectl, tmp_path):
    ns = f"hpa-{uuid.uuid4().hex[:6]}"
    kubectl("create", "ns", ns)
    apply(kubectl, tmp_path, hpa_v1("h", ns, 50))
    # a second apply of the v1 manifest patches in v1 (strategic merge against last-applied)
    apply(kubectl, tmp_path, hpa_v1("h", ns, 65))
    assert rows(kubectl("-n", ns, "get", "hpa.v1.autoscaling").stdout) == [
        ["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"],
        ["h", "Deployment/web", "cpu: <unknown>/65%", "2", "6", "0", "AGE"]]
    # kubectl 1.32 drops the version when it expands a short name (hpa.v1.autoscaling reads the preferred v2,
    # whatever the server), so the full resource name is what asks for v1
    v1 = json.loads(kubectl("-n", ns, "get", "horizontalpodautoscalers.v1.autoscaling", "h", "-o", "json").stdout)
    assert v1["apiVersion"] == "autoscaling/v1" and v1["spec"]["targetCPUUtilizationPercentage"] == 65
    v2 = json.loads(kubectl("-n", ns, "get", "hpa", "h", "-o", "json").stdout)
    assert v2["apiVersion"] == "autoscaling/v2"
    assert v2["spec"]["metrics"] == [{"type": "Resource", "resource": {
        "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 65}}}]
    explained = kubectl("explain", "hpa.spec.targetCPUUtilizationPercentage", "--api-version=autoscaling/v1").stdout
    assert "FIELD: targetCPUUtilizationPercentage <integer>" in explained
    kubectl("-n", ns, "delete", "horizontalpodautoscalers.v1.autoscaling", "h")
    assert kubectl("-n", ns, "get", "hpa", "h", check=False).returncode == 1


def test_python_client_autoscaling_v1(apiserver, pki, tmp_path):
    api = api_client(apiserver.url, pki, tmp_path)
    ns = f"py-{uuid.uuid4().hex[:6]}"
    client.CoreV1Api(api).create_namespace({"metadata": {"name": ns}})
    v1 = client.AutoscalingV1Api(api)
    created = v1.create_namespaced_horizontal_pod_autoscaler(ns, hpa_v1("h", ns, 40))
    assert created.spec.target_cpu_utilization_percentage == 40 and created.status.current_replicas == 0
    patched = v1.patch_namespaced_horizontal_pod_autoscaler("h", ns, {"spec": {"maxReplicas": 9}})
    assert patched.spec.max_replicas == 9 and patched.spec.target_cpu_utilization_percentage == 40
    listed = v1.list_namespaced_horizontal_pod_autoscaler(ns)
    assert [i.metadata.name for i in listed.items] == ["h"]
    stored = client.AutoscalingV2Api(api).read_namespaced_horizontal_pod_autoscaler("h", ns)
    assert stored.spec.max_replicas == 9 and stored.spec.metrics[0].resource.target.average_utilization == 40
    v1.delete_namespaced_horizontal_pod_autoscaler("h", ns)
    assert v1.list_namespaced_horizontal_pod_autoscaler(ns).items == []
