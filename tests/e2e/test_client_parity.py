"""What real clients found different from kube-apiserver 1.32, checked through `make up`'s balancer: kubectl's
Secret `stringData`, immutable ConfigMaps, the Python client's typed DELETE answers and the exact Status text
its `create_from_yaml` reports."""
from __future__ import annotations

import base64
import json
import subprocess
import uuid
from collections.abc import Callable, Iterator

import kubernetes
import pytest
import yaml
from kubernetes import client, utils

Kubectl = Callable[..., subprocess.CompletedProcess]


@pytest.fixture
def kubectl(make_up_kubectl) -> Kubectl:
    return make_up_kubectl


@pytest.fixture
def api(make_up_kubeconfig: str) -> Iterator[client.ApiClient]:
    with kubernetes.config.new_client_from_config(config_file=make_up_kubeconfig) as api_client:
        yield api_client


@pytest.fixture
def namespace(kubectl: Kubectl) -> Iterator[str]:
    name = f"parity-{uuid.uuid4().hex[:6]}"
    kubectl("create", "namespace", name)
    yield name
    kubectl("delete", "namespace", name, "--wait=false")


def test_kubectl_apply_merges_secret_string_data(kubectl: Kubectl, namespace: str):
    manifest = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "creds", "namespace": namespace},
                "data": {"user": base64.b64encode(b"nobody").decode(), "port": base64.b64encode(b"5432").decode()},
                "stringData": {"user": "admin"}}
    kubectl("apply", "-f", "-", input_text=json.dumps(manifest))
    stored = json.loads(kubectl("-n", namespace, "get", "secret", "creds", "-o", "json").stdout)
    assert "stringData" not in stored
    assert stored["data"] == {"user": base64.b64encode(b"admin").decode(), "port": base64.b64encode(b"5432").decode()}
    assert stored["type"] == "Opaque"


def test_kubectl_cannot_patch_an_immutable_config_map(kubectl: Kubectl, namespace: str):
    kubectl("apply", "-f", "-", input_text=yaml.safe_dump({
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "frozen", "namespace": namespace},
        "immutable": True, "data": {"a": "1"}}))
    refused = kubectl("-n", namespace, "patch", "configmap", "frozen", "--type=merge", "-p", '{"data":{"a":"2"}}',
                      check=False)
    assert refused.returncode == 1
    assert refused.stderr.strip() == ('The ConfigMap "frozen" is invalid: data: Forbidden: field is immutable when '
                                      '`immutable` is set')
    refused = kubectl("-n", namespace, "patch", "configmap", "frozen", "--type=merge", "-p", '{"immutable":false}',
                      check=False)
    assert "immutable: Forbidden: field is immutable when `immutable` is set" in refused.stderr
    data = json.loads(kubectl("-n", namespace, "get", "configmap", "frozen", "-o", "json").stdout)["data"]
    assert data == {"a": "1"}


def test_python_client_deletes_answer_typed_objects(api: client.ApiClient, namespace: str):
    core = client.CoreV1Api(api)
    core.create_namespaced_service(namespace, {
        "metadata": {"name": "web"}, "spec": {"ports": [{"port": 80}], "selector": {"app": "web"}}})
    deleted = core.delete_namespaced_service("web", namespace)
    assert isinstance(deleted, client.V1Service) and deleted.metadata.name == "web"
    core.create_namespaced_service_account(namespace, {"metadata": {"name": "robot"}})
    deleted_sa = core.delete_namespaced_service_account("robot", namespace)
    assert isinstance(deleted_sa, client.V1ServiceAccount) and deleted_sa.metadata.name == "robot"
    core.create_namespaced_config_map(namespace, {"metadata": {"name": "cm"}, "data": {"a": "b"}})
    # the client declares this answer untyped: it hands the Status over as it came
    status = core.delete_namespaced_config_map("cm", namespace)
    assert status["kind"] == "Status" and status["status"] == "Success"
    assert status["details"] == {"name": "cm", "kind": "configmaps", "uid": status["details"]["uid"]}


def test_create_from_yaml_reports_a_conflict_in_kubes_words(api: client.ApiClient, namespace: str, tmp_path):
    manifest = tmp_path / "service.yaml"
    manifest.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "twice"},
                                        "spec": {"ports": [{"port": 80}]}}))
    utils.create_from_yaml(api, str(manifest), namespace=namespace)
    with pytest.raises(utils.FailToCreateError) as failure:
        utils.create_from_yaml(api, str(manifest), namespace=namespace)
    assert str(failure.value) == (
        'Error from server (Conflict): {"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure",'
        '"message":"services \\"twice\\" already exists","reason":"AlreadyExists",'
        '"details":{"name":"twice","kind":"services"},"code":409}\n')


def test_python_client_reads_new_workloads_into_its_typed_models(api: client.ApiClient, namespace: str):
    # the client's models require the status counts kube writes without omitempty (a new object's are 0)
    apps = client.AppsV1Api(api)
    labels = {"app": "w"}
    template = {"metadata": {"labels": labels}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
    spec = {"selector": {"matchLabels": labels}, "template": template}
    daemon_set = apps.create_namespaced_daemon_set(namespace, {"metadata": {"name": "ds"}, "spec": spec})
    assert daemon_set.status.number_ready == 0 and daemon_set.status.desired_number_scheduled == 0
    replica_set = apps.create_namespaced_replica_set(namespace, {"metadata": {"name": "rs"}, "spec": spec})
    assert replica_set.status.replicas == 0
    stateful_set = apps.create_namespaced_stateful_set(namespace, {"metadata": {"name": "ss"}, "spec": spec})
    assert stateful_set.status.replicas == 0 and stateful_set.status.available_replicas == 0
    deployment = apps.create_namespaced_deployment(namespace, {"metadata": {"name": "d"}, "spec": spec})
    assert apps.read_namespaced_deployment("d", namespace).metadata.uid == deployment.metadata.uid
