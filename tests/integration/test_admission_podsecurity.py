"""PodSecurity through the API: namespace labels choose the level; enforce refuses a pod with every violation
listed as kube lists them, warn admits it with a Warning header, audit admits it quietly; templates of pod
controllers are warned about, never refused; namespace labels are validated; a PodSecurityConfiguration in
--admission-control-config-file sets defaults and exemptions."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import yaml

from tests.integration.conftest import Api, make_namespace

PREFIX = "pod-security.kubernetes.io/"
PRIVILEGED_POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
                  "spec": {"containers": [{"name": "c", "image": "busybox",
                                           "securityContext": {"privileged": True}}]}}
RESTRICTED_VIOLATIONS = (
    'privileged (container "c" must not set securityContext.privileged=true), '
    'allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), '
    'unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), '
    'runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), '
    'seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or '
    '"Localhost")')


async def labelled_namespace(api: Api, name: str, labels: dict[str, str]) -> None:
    status, body = await api.post("/api/v1/namespaces", {"metadata": {"name": name, "labels": labels}})
    assert status == 201, body


async def send(api: Api, method: str, path: str, body: Any) -> tuple[int, Any, list[str]]:
    """A request whose Warning headers the test reads."""
    async with api.session.request(method, api.url + path, data=orjson.dumps(body),
                                   headers={"Content-Type": "application/json"}) as resp:
        return resp.status, orjson.loads(await resp.read()), resp.headers.getall("Warning", [])


async def test_enforce_restricted_refuses_a_privileged_pod_listing_every_violation(api, new_ns) -> None:
    ns = new_ns()
    await labelled_namespace(api, ns, {PREFIX + "enforce": "restricted"})
    status, body = await api.post(f"/api/v1/namespaces/{ns}/pods", PRIVILEGED_POD)
    assert status == 403, body
    assert body["reason"] == "Forbidden"
    assert body["message"] == ('pods "p" is forbidden: violates PodSecurity "restricted:latest": '
                               + RESTRICTED_VIOLATIONS)
    assert body["details"] == {"name": "p", "kind": "pods"}


async def test_warn_admits_the_pod_with_kubes_warning(api, new_ns) -> None:
    ns = new_ns()
    await labelled_namespace(api, ns, {PREFIX + "warn": "baseline", PREFIX + "warn-version": "v1.30"})
    status, body, warnings = await send(api, "POST", f"/api/v1/namespaces/{ns}/pods", PRIVILEGED_POD)
    assert status == 201, body
    assert warnings == ['299 - "would violate PodSecurity \\"baseline:v1.30\\": privileged (container \\"c\\" must '
                        'not set securityContext.privileged=true)"']


async def test_audit_admits_the_pod_without_warnings(api, new_ns) -> None:
    ns = new_ns()
    await labelled_namespace(api, ns, {PREFIX + "audit": "restricted"})
    status, body, warnings = await send(api, "POST", f"/api/v1/namespaces/{ns}/pods", PRIVILEGED_POD)
    assert status == 201, body
    assert warnings == []


async def test_a_deployment_in_an_enforcing_namespace_is_admitted_with_warnings(api, new_ns) -> None:
    ns = new_ns()
    await labelled_namespace(api, ns, {PREFIX + "enforce": "restricted", PREFIX + "warn": "restricted"})
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
                  "spec": {"selector": {"matchLabels": {"app": "d"}},
                           "template": {"metadata": {"labels": {"app": "d"}}, "spec": PRIVILEGED_POD["spec"]}}}
    status, body, warnings = await send(api, "POST", f"/apis/apps/v1/namespaces/{ns}/deployments", deployment)
    assert status == 201, body
    assert len(warnings) == 1 and warnings[0].startswith('299 - "would violate PodSecurity \\"restricted:latest\\": '
                                                         "privileged (")


async def test_namespace_labels_are_validated(api, new_ns) -> None:
    ns = new_ns()
    status, body = await api.post("/api/v1/namespaces",
                                  {"metadata": {"name": ns, "labels": {PREFIX + "enforce-version": "1.30"}}})
    assert status == 422, body
    assert body["message"] == (f'Namespace "{ns}" is invalid: metadata.labels[pod-security.kubernetes.io/'
                               'enforce-version]: Invalid value: "1.30": must be "latest" or "v1.x"')
    await make_namespace(api, ns)
    status, current = await api.get(f"/api/v1/namespaces/{ns}")
    current["metadata"]["labels"] = {PREFIX + "warn": "strict"}
    status, body = await api.put(f"/api/v1/namespaces/{ns}", current)
    assert status == 422, body
    assert "must be one of privileged, baseline, restricted" in body["message"]


async def test_tightening_enforce_warns_about_existing_pods(api, new_ns) -> None:
    ns = new_ns()
    await make_namespace(api, ns)
    for name in ("p2", "p1"):
        status, body = await api.post(f"/api/v1/namespaces/{ns}/pods",
                                      {**PRIVILEGED_POD, "metadata": {"name": name}})
        assert status == 201, body
    status, current = await api.get(f"/api/v1/namespaces/{ns}")
    current["metadata"]["labels"] = {PREFIX + "enforce": "baseline"}
    status, body, warnings = await send(api, "PUT", f"/api/v1/namespaces/{ns}", current)
    assert status == 200, body
    assert warnings == [f'299 - "existing pods in namespace \\"{ns}\\" violate the new PodSecurity enforce level '
                        '\\"baseline:latest\\""', '299 - "p1 (and 1 other pod): privileged"']


def config_file(tmp_path: Path, configuration: dict) -> Path:
    path = tmp_path / "admission.yaml"
    path.write_text(yaml.safe_dump({
        "apiVersion": "apiserver.config.k8s.io/v1", "kind": "AdmissionConfiguration",
        "plugins": [{"name": "PodSecurity", "configuration": {
            "apiVersion": "pod-security.admission.config.k8s.io/v1", "kind": "PodSecurityConfiguration",
            **configuration}}]}))
    return path


async def test_configuration_file_sets_defaults_and_exemptions(replica_factory, client, new_ns, tmp_path) -> None:
    path = config_file(tmp_path, {"defaults": {"enforce": "baseline"},
                                  "exemptions": {"namespaces": ["psa-exempt"]}})
    replica = replica_factory(f"--admission-control-config-file={path}")
    api = client(replica)
    plain = new_ns()
    await make_namespace(api, plain)
    status, body = await api.post(f"/api/v1/namespaces/{plain}/pods", PRIVILEGED_POD)
    assert status == 403, body
    assert body["message"] == ('pods "p" is forbidden: violates PodSecurity "baseline:latest": privileged '
                               '(container "c" must not set securityContext.privileged=true)')
    status, body, warnings = await send(api, "POST", "/api/v1/namespaces",
                                        {"metadata": {"name": "psa-exempt",
                                                      "labels": {PREFIX + "enforce": "restricted"}}})
    assert status == 201, body
    assert warnings == ['299 - "namespace \\"psa-exempt\\" is exempt from Pod Security, and the policy '
                        '(enforce=restricted:latest) will be ignored"']
    status, body = await api.post("/api/v1/namespaces/psa-exempt/pods", PRIVILEGED_POD)
    assert status == 201, body
