"""The machine's real kubectl against a replica, with the admin kubeconfig (the `kubectl` fixture is in conftest)."""
from __future__ import annotations

import json
import subprocess
import time
import uuid

import yaml


def test_version_reports_1_32(kubectl):
    out = kubectl("version", "-o", "json").stdout
    server = json.loads(out)["serverVersion"]
    assert server["major"] == "1" and server["minor"] == "32"
    assert json.loads(out)["clientVersion"]["gitVersion"].startswith("v1.32.")


def test_namespace_configmap_lifecycle(kubectl):
    ns = f"demo-{uuid.uuid4().hex[:6]}"
    assert "default" in kubectl("get", "ns").stdout
    assert kubectl("create", "ns", ns).stdout.strip() == f"namespace/{ns} created"
    out = kubectl("-n", ns, "create", "configmap", "c", "--from-literal=a=b").stdout
    assert out.strip() == "configmap/c created"
    cm = yaml.safe_load(kubectl("-n", ns, "get", "cm", "c", "-o", "yaml").stdout)
    assert cm["data"] == {"a": "b"} and cm["metadata"]["namespace"] == ns
    listing = kubectl("-n", ns, "get", "cm").stdout
    assert listing.split()[0] == "NAME" and "c" in listing.split()
    assert kubectl("-n", ns, "delete", "cm", "c").stdout.strip() == 'configmap "c" deleted'
    result = kubectl("-n", ns, "get", "cm", "c", check=False)
    assert result.returncode == 1
    assert 'Error from server (NotFound): configmaps "c" not found' in result.stderr


def test_typed_create_commands_send_protobuf(kubectl):
    ns = f"typed-{uuid.uuid4().hex[:6]}"
    kubectl("create", "ns", ns)
    kubectl("-n", ns, "create", "secret", "generic", "s", "--from-literal=password=hunter2")
    secret = json.loads(kubectl("-n", ns, "get", "secret", "s", "-o", "json").stdout)
    assert secret["type"] == "Opaque" and secret["data"] == {"password": "aHVudGVyMg=="}
    kubectl("-n", ns, "create", "deployment", "web", "--image=nginx:1.27", "--replicas=2")
    deploy = json.loads(kubectl("-n", ns, "get", "deployment", "web", "-o", "json").stdout)
    assert deploy["spec"]["replicas"] == 2 and deploy["metadata"]["generation"] == 1
    kubectl("-n", ns, "create", "serviceaccount", "robot")
    kubectl("-n", ns, "create", "role", "reader", "--verb=get", "--resource=pods")
    role = json.loads(kubectl("-n", ns, "get", "role", "reader", "-o", "json").stdout)
    assert role["rules"] == [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]


def test_watch_all_namespaces_prints_changes(kubectl, kubeconfig):
    ns = f"watch-{uuid.uuid4().hex[:6]}"
    kubectl("create", "ns", ns)
    kubectl("-n", ns, "create", "configmap", "before", "--from-literal=x=y")
    kubectl("api-resources")  # fill the discovery cache so the watcher starts quickly
    watcher = subprocess.Popen(["kubectl", f"--kubeconfig={kubeconfig}", f"--cache-dir={kubectl.cache}", "get",
                                "cm", "-A", "-w", "--output-watch-events"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def lines_until(name: str) -> list[str]:
        """The watcher's lines up to the first naming `name` in the namespace (all there are if it ends)."""
        deadline = time.monotonic() + 20
        lines = []
        while time.monotonic() < deadline:
            line = watcher.stdout.readline()
            if not line:
                break
            lines.append(line)
            if ns in line and name in line:
                break
        return lines

    try:
        # "before" printed: the initial list is done, so "seen" comes from the watch that follows it
        lines = lines_until("before")
        assert any(ns in line and "before" in line for line in lines), lines
        kubectl("-n", ns, "create", "configmap", "seen", "--from-literal=x=y")
        lines = lines_until("seen")
        assert any(ns in line and "seen" in line and "ADDED" in line for line in lines), lines
    finally:
        watcher.kill()
        watcher.wait()


def test_api_resources_lists_the_catalogue(kubectl):
    out = kubectl("api-resources", "--no-headers").stdout
    names = {line.split()[0] for line in out.splitlines()}
    assert {"configmaps", "deployments", "leases", "clusterroles", "poddisruptionbudgets", "ingresses"} <= names


def test_get_all_uses_the_all_category(kubectl):
    ns = f"all-{uuid.uuid4().hex[:6]}"
    kubectl("create", "ns", ns)
    kubectl("-n", ns, "create", "deployment", "web", "--image=nginx")
    out = kubectl("get", "all", "-A").stdout
    assert "deployment.apps/web" in out


def test_get_prints_server_side_columns(kubectl):
    ns = f"cols-{uuid.uuid4().hex[:6]}"
    kubectl("create", "ns", ns)
    kubectl("-n", ns, "create", "deployment", "web", "--image=nginx:1.27", "--replicas=2")
    header = kubectl("-n", ns, "get", "deployments").stdout.splitlines()[0].split()
    assert header == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    wide = kubectl("-n", ns, "get", "deployments", "-o", "wide").stdout.splitlines()
    assert wide[0].split()[-3:] == ["CONTAINERS", "IMAGES", "SELECTOR"] and "nginx:1.27" in wide[1]
    kubectl("-n", ns, "create", "configmap", "c", "--from-literal=a=b")
    listing = kubectl("get", "cm", "-A").stdout.splitlines()[0].split()
    assert listing == ["NAMESPACE", "NAME", "DATA", "AGE"]


def test_scale(kubectl):
    ns = f"scale-{uuid.uuid4().hex[:6]}"
    kubectl("create", "ns", ns)
    kubectl("-n", ns, "create", "deployment", "web", "--image=nginx")
    assert kubectl("-n", ns, "scale", "deployment", "web", "--replicas=3").stdout.strip() == \
        "deployment.apps/web scaled"
    assert kubectl("-n", ns, "get", "deployment", "web", "-o", "jsonpath={.spec.replicas}").stdout == "3"


def test_create_from_file_apply_and_explain(kubectl, tmp_path):
    ns = f"files-{uuid.uuid4().hex[:6]}"
    kubectl("create", "ns", ns)
    manifest = tmp_path / "d.yaml"
    manifest.write_text(yaml.safe_dump({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "f", "namespace": ns},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "f"}},
                 "template": {"metadata": {"labels": {"app": "f"}},
                              "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}))
    assert kubectl("apply", "-f", str(manifest)).stdout.strip() == "deployment.apps/f created"
    assert kubectl("apply", "-f", str(manifest)).stdout.strip() == "deployment.apps/f unchanged"
    bad = tmp_path / "bad.yaml"
    bad.write_text(manifest.read_text().replace("replicas: 1", "replicas: 1\n  bogus: true").replace(
        "name: f\n", "name: g\n"))
    result = kubectl("create", "-f", str(bad), check=False)
    assert result.returncode == 1 and 'strict decoding error: unknown field "spec.bogus"' in result.stderr
    out = kubectl("explain", "deployment.spec.replicas").stdout
    assert "FIELD: replicas <integer>" in out


def test_apply_twice_then_patch_and_label(kubectl, tmp_path):
    ns = f"smp-{uuid.uuid4().hex[:6]}"
    kubectl("create", "ns", ns)
    doc = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "w", "namespace": ns},
           "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "w"}},
                    "template": {"metadata": {"labels": {"app": "w"}},
                                 "spec": {"containers": [{"name": "c", "image": "nginx:1.26"}]}}}}
    manifest = tmp_path / "w.yaml"
    manifest.write_text(yaml.safe_dump(doc))
    kubectl("apply", "-f", str(manifest))
    doc["spec"]["replicas"] = 3
    doc["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.27"
    manifest.write_text(yaml.safe_dump(doc))
    assert kubectl("apply", "-f", str(manifest)).stdout.strip() == "deployment.apps/w configured"
    kubectl("-n", ns, "patch", "deployment", "w", "-p",
            '{"spec":{"template":{"spec":{"containers":[{"name":"side","image":"busybox"}]}}}}')
    kubectl("-n", ns, "label", "deployment", "w", "tier=web")
    got = json.loads(kubectl("-n", ns, "get", "deployment", "w", "-o", "json").stdout)
    assert got["spec"]["replicas"] == 3 and got["metadata"]["labels"] == {"tier": "web"}
    assert [(c["name"], c["image"]) for c in got["spec"]["template"]["spec"]["containers"]] == [
        ("c", "nginx:1.27"), ("side", "busybox")]


def test_server_side_apply_conflicts_and_force(kubectl, tmp_path):
    ns = f"ssa-{uuid.uuid4().hex[:6]}"
    kubectl("create", "ns", ns)
    doc = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "s", "namespace": ns},
           "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "s"}},
                    "template": {"metadata": {"labels": {"app": "s"}},
                                 "spec": {"containers": [{"name": "c", "image": "nginx:1.26"}]}}}}
    manifest = tmp_path / "s.yaml"
    manifest.write_text(yaml.safe_dump(doc))
    assert kubectl("apply", "--server-side", "-f", str(manifest)).stdout.strip() == \
        "deployment.apps/s serverside-applied"
    got = json.loads(kubectl("-n", ns, "get", "deployment", "s", "-o", "json", "--show-managed-fields").stdout)
    entry = next(e for e in got["metadata"]["managedFields"] if e["manager"] == "kubectl")
    assert entry["operation"] == "Apply" and "f:replicas" in entry["fieldsV1"]["f:spec"]
    kubectl("-n", ns, "scale", "deployment", "s", "--replicas=5")
    doc["spec"]["replicas"] = 2
    manifest.write_text(yaml.safe_dump(doc))
    result = kubectl("apply", "--server-side", "-f", str(manifest), check=False)
    assert result.returncode == 1
    assert "Apply failed with 1 conflict: conflict with" in result.stderr and ".spec.replicas" in result.stderr
    kubectl("apply", "--server-side", "--force-conflicts", "-f", str(manifest))
    assert kubectl("-n", ns, "get", "deployment", "s", "-o", "jsonpath={.spec.replicas}").stdout == "2"
    # fields the manager stops applying are removed
    del doc["spec"]["template"]["metadata"]["labels"]
    doc["spec"]["template"]["metadata"]["labels"] = {"app": "s"}
    doc["spec"]["template"]["spec"]["containers"][0].pop("image")
    doc["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.27"
    doc["metadata"]["labels"] = {"team": "a"}
    manifest.write_text(yaml.safe_dump(doc))
    kubectl("apply", "--server-side", "-f", str(manifest))
    del doc["metadata"]["labels"]
    manifest.write_text(yaml.safe_dump(doc))
    kubectl("apply", "--server-side", "-f", str(manifest))
    got = json.loads(kubectl("-n", ns, "get", "deployment", "s", "-o", "json").stdout)
    assert "labels" not in got["metadata"] or "team" not in got["metadata"]["labels"]
    assert got["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.27"


def test_explain_nested_and_recursive(kubectl):
    out = kubectl("explain", "pods.spec.containers").stdout
    assert "KIND:       Pod" in out and "FIELD: containers <[]Container>" in out
    assert "image\t<string>" in out and "name\t<string> -required-" in out
    out = kubectl("explain", "deployment.spec.strategy", "--recursive").stdout
    assert "FIELD: strategy <DeploymentStrategy>" in out
    assert "maxSurge\t<IntOrString>" in out and "type\t<string>" in out
    assert 'enum: Recreate, RollingUpdate' in out


def test_create_with_wrong_type_or_missing_fields(kubectl, tmp_path):
    ns = f"types-{uuid.uuid4().hex[:6]}"
    kubectl("create", "ns", ns)
    doc = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "t", "namespace": ns},
           "spec": {"replicas": "3", "selector": {"matchLabels": {"app": "t"}},
                    "template": {"metadata": {"labels": {"app": "t"}},
                                 "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}
    manifest = tmp_path / "t.yaml"
    manifest.write_text(yaml.safe_dump(doc))
    result = kubectl("create", "-f", str(manifest), check=False)
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f'Error from server (BadRequest): error when creating "{manifest}": Deployment in version "v1" cannot be '
        'handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas '
        'of type int32')
    doc["spec"]["replicas"] = 3
    doc["spec"]["template"]["spec"]["containers"] = [{"name": "c"}]
    manifest.write_text(yaml.safe_dump(doc))
    result = kubectl("create", "-f", str(manifest), check=False)
    assert result.returncode == 1
    assert 'The Deployment "t" is invalid: spec.template.spec.containers[0].image: Required value' in result.stderr


def test_expose_and_create_service_get_cluster_ips_and_node_ports(kubectl):
    ns = f"svc-{uuid.uuid4().hex[:6]}"
    kubectl("create", "ns", ns)
    kubectl("-n", ns, "create", "deployment", "web", "--image=nginx:1.27")
    assert kubectl("-n", ns, "expose", "deployment", "web", "--port=80").stdout.strip() == "service/web exposed"
    web = json.loads(kubectl("-n", ns, "get", "svc", "web", "-o", "json").stdout)
    assert web["spec"]["clusterIP"].startswith("10.0.0.") and web["spec"]["selector"] == {"app": "web"}
    assert web["spec"]["ports"][0]["targetPort"] == 80
    out = kubectl("-n", ns, "create", "service", "clusterip", "api", "--tcp=443:8443").stdout
    assert out.strip() == "service/api created"
    out = kubectl("-n", ns, "create", "service", "nodeport", "edge", "--tcp=80:8080", "--node-port=30020").stdout
    assert out.strip() == "service/edge created"
    kubectl("-n", ns, "create", "service", "clusterip", "none", "--clusterip=None")
    listing = {line.split()[0]: line.split() for line in kubectl("-n", ns, "get", "svc").stdout.splitlines()[1:]}
    assert listing["edge"][1] == "NodePort" and listing["edge"][4] == "80:30020/TCP"
    assert listing["none"][2] == "None" and listing["api"][2].startswith("10.0.0.")
    assert len({listing[name][2] for name in ("web", "api", "edge")}) == 3
    clash = kubectl("-n", ns, "create", "service", "nodeport", "clash", "--tcp=81:8080", "--node-port=30020",
                    check=False)
    assert clash.returncode == 1
    assert clash.stderr.strip() == ('error: failed to create NodePort service: Service "clash" is invalid: '
                                    'spec.ports[0].nodePort: Invalid value: 30020: provided port is already allocated')
    kubectl("-n", ns, "delete", "svc", "edge")
    kubectl("-n", ns, "create", "service", "nodeport", "clash", "--tcp=81:8080", "--node-port=30020")
