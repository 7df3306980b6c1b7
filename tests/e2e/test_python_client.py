"""The official Python `kubernetes` client: CRUD, watch, and resuming a watch after a server restart."""
from __future__ import annotations

import uuid

import kubernetes
from kubernetes import client, watch

from certs.kubeconfig import write_kubeconfig
from tests.integration.conftest import ROOT_CA_CONFIGMAP
from tests.polling import eventually_sync


def api_client(url, pki, tmp_path) -> client.ApiClient:
    """The official client as the admin, through a kubeconfig file as users configure it."""
    path = tmp_path / f"kubeconfig-{uuid.uuid4().hex[:6]}"
    write_kubeconfig(path, url, pki.ca_cert, pki.admin_cert, pki.admin_key)
    config = client.Configuration()
    kubernetes.config.load_kube_config(config_file=str(path), client_configuration=config)
    return client.ApiClient(config)


def _api(url, pki, tmp_path) -> client.CoreV1Api:
    return client.CoreV1Api(api_client(url, pki, tmp_path))


def _cm(name: str) -> dict:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"k": name}}


def test_watch_stream_and_resume_after_restart(replica_factory, pki, tmp_path):
    prefix = f"/registry-{uuid.uuid4().hex[:8]}"
    first = replica_factory(prefix=prefix)
    v1 = _api(first.url, pki, tmp_path)
    ns = f"py-{uuid.uuid4().hex[:6]}"
    v1.create_namespace({"metadata": {"name": ns}})
    v1.create_namespaced_config_map(ns, _cm("a"))
    v1.create_namespaced_config_map(ns, _cm("b"))

    w = watch.Watch()
    seen = []
    for event in w.stream(v1.list_namespaced_config_map, ns, timeout_seconds=10):
        # the namespace's kube-root-ca.crt comes whenever the leader publishes it
        if event["object"].metadata.name == ROOT_CA_CONFIGMAP:
            continue
        seen.append((event["type"], event["object"].metadata.name))
        if len(seen) == 2:
            w.stop()
    assert seen == [("ADDED", "a"), ("ADDED", "b")]
    last = w.resource_version
    assert last

    # the server goes away; writes continue through another replica; the server comes back on its port
    port = first.spec.port
    first.stop()
    other = replica_factory(prefix=prefix)
    v1_other = _api(other.url, pki, tmp_path)
    for name in ("c", "d"):
        v1_other.create_namespaced_config_map(ns, _cm(name))
    v1_other.delete_namespaced_config_map("a", ns)
    restarted = replica_factory(prefix=prefix, port=port)
    assert restarted.url == first.url

    resumed = []
    w = watch.Watch()
    for event in w.stream(v1.list_namespaced_config_map, ns, resource_version=last, timeout_seconds=10):
        if event["object"].metadata.name == ROOT_CA_CONFIGMAP:
            continue
        resumed.append((event["type"], event["object"].metadata.name))
        if len(resumed) == 3:
            w.stop()
    assert resumed == [("ADDED", "c"), ("ADDED", "d"), ("DELETED", "a")]


def test_crud_with_python_client(apiserver, pki, tmp_path):
    v1 = _api(apiserver.url, pki, tmp_path)
    ns = f"py-{uuid.uuid4().hex[:6]}"
    v1.create_namespace({"metadata": {"name": ns}})
    created = v1.create_namespaced_config_map(ns, _cm("x"))
    assert created.metadata.uid
    # Foreground: the object first carries the foregroundDeletion finalizer, which the garbage collector
    # removes at once because nothing depends on it
    v1.delete_namespaced_config_map("x", ns, propagation_policy="Foreground")

    def released() -> bool:
        try:
            v1.read_namespaced_config_map("x", ns)
        except client.exceptions.ApiException as err:
            if err.status != 404:
                raise
            return True
        return False

    eventually_sync(released, what="the configmap released by the garbage collector")
    versions = client.VersionApi(v1.api_client).get_code()
    assert versions.minor == "32"
