"""The certificate admission plugins, on by default as in kube: approving needs `approve` and issuing needs `sign`
on the request's signer (by name or by its domain's wildcard), and nobody may ask the kube-apiserver-client
signer for a system:masters certificate. An RBAC replica of the module's own, with token users."""
from __future__ import annotations

import base64
import uuid

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.csr_tools import csr_request, issued_certificate
from tests.integration.rbac_tools import RBAC, binding, create, role, rule, user
from tests.polling import eventually

CSRS = "/apis/certificates.k8s.io/v1/certificatesigningrequests"
GROUP = "certificates.k8s.io"


def _request(common_name: str, organizations: list[str]) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
                     + [x509.NameAttribute(NameOID.ORGANIZATION_NAME, o) for o in organizations])
    request = x509.CertificateSigningRequestBuilder().subject_name(name).sign(key, hashes.SHA256())
    return base64.b64encode(request.public_bytes(serialization.Encoding.PEM)).decode()


def _csr(name: str, signer: str, request: str | None = None) -> dict:
    return {"metadata": {"name": name}, "spec": {"request": request or csr_request(), "signerName": signer,
                                                 "usages": ["digital signature", "client auth"]}}


async def _cluster_grant(cluster, who: str, rules: list[dict]) -> None:
    name = f"g-{uuid.uuid4().hex[:6]}"
    await create(cluster.admin, f"{RBAC}/clusterroles", role(name, rules))
    await create(cluster.admin, f"{RBAC}/clusterrolebindings", binding(name, "ClusterRole", name, [user(who)]))


async def _authorized(cluster, who: str, verb: str, signer: str) -> None:
    """Waits until the RBAC informers of the replica let `who` do `verb` on the signer."""
    review = {"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview", "spec": {
        "user": who, "resourceAttributes": {"group": GROUP, "resource": "signers", "verb": verb, "name": signer}}}

    async def allowed() -> bool:
        status, body = await cluster.admin.post("/apis/authorization.k8s.io/v1/subjectaccessreviews", review)
        return status == 201 and body["status"].get("allowed") is True
    await eventually(allowed, what=f"{who} may {verb} {signer}")


async def test_approving_needs_approve_on_the_signer(cluster):
    domain = f"d{uuid.uuid4().hex[:6]}.example.com"
    await _cluster_grant(cluster, "bob", [rule(["get", "update"], [GROUP], ["certificatesigningrequests/approval"])])
    name = f"approve-{uuid.uuid4().hex[:6]}"
    created = await create(cluster.admin, CSRS, _csr(name, f"{domain}/signer"))
    approved = {**created, "status": {"conditions": [{"type": "Approved", "status": "True", "reason": "Test"}]}}
    status, body = await cluster.users["bob"].put(f"{CSRS}/{name}/approval", approved)
    assert status == 403, body
    assert body["message"] == (f'certificatesigningrequests.certificates.k8s.io "{name}" is forbidden: user not '
                               f'permitted to approve requests with signerName "{domain}/signer"')
    # the domain's wildcard is enough
    await _cluster_grant(cluster, "bob", [rule(["approve"], [GROUP], ["signers"], [f"{domain}/*"])])
    await _authorized(cluster, "bob", "approve", f"{domain}/*")
    status, body = await cluster.users["bob"].put(f"{CSRS}/{name}/approval", approved)
    assert status == 200 and body["status"]["conditions"][0]["type"] == "Approved", body


async def test_issuing_a_certificate_needs_sign_on_the_signer(cluster):
    signer = f"d{uuid.uuid4().hex[:6]}.example.com/signer"
    await _cluster_grant(cluster, "carol", [rule(["get", "update"], [GROUP], ["certificatesigningrequests/status"])])
    name = f"sign-{uuid.uuid4().hex[:6]}"
    await create(cluster.admin, CSRS, _csr(name, signer))
    status, approved = await cluster.admin.put(f"{CSRS}/{name}/approval", {**await _get(cluster, name), "status": {
        "conditions": [{"type": "Approved", "status": "True", "reason": "Test"}]}})
    assert status == 200, approved
    # conditions alone are not a certificate: no `sign` needed
    failed = {"type": "Failed", "status": "True", "reason": "SignerBusy"}
    status, body = await cluster.users["carol"].put(f"{CSRS}/{name}/status", {**approved, "status": {
        "conditions": [*approved["status"]["conditions"], failed]}})
    assert status == 200, body
    issued = {**body, "status": {**body["status"], "certificate": issued_certificate()}}
    status, refused = await cluster.users["carol"].put(f"{CSRS}/{name}/status", issued)
    assert status == 403, refused
    assert refused["message"] == (f'certificatesigningrequests.certificates.k8s.io "{name}" is forbidden: user not '
                                  f'permitted to sign requests with signerName "{signer}"')
    await _cluster_grant(cluster, "carol", [rule(["sign"], [GROUP], ["signers"], [signer])])
    await _authorized(cluster, "carol", "sign", signer)
    status, body = await cluster.users["carol"].put(f"{CSRS}/{name}/status", issued)
    assert status == 200 and body["status"]["certificate"] == issued["status"]["certificate"], body


async def _get(cluster, name: str) -> dict:
    status, body = await cluster.admin.get(f"{CSRS}/{name}")
    assert status == 200, body
    return body


async def test_no_system_masters_certificates_from_the_kube_apiserver_client_signer(cluster):
    signer = "kubernetes.io/kube-apiserver-client"
    name = f"masters-{uuid.uuid4().hex[:6]}"
    status, body = await cluster.admin.post(CSRS, _csr(name, signer, _request("mallory", ["devs", "system:masters"])))
    assert status == 403, body
    assert body["message"] == (f'certificatesigningrequests.certificates.k8s.io "{name}" is forbidden: use of '
                               "kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed")
    # other groups, or system:masters from another signer, are the signer's business
    status, body = await cluster.admin.post(CSRS, _csr(f"devs-{uuid.uuid4().hex[:6]}", signer,
                                                       _request("dev", ["devs"])))
    assert status == 201, body
    status, body = await cluster.admin.post(CSRS, _csr(f"other-{uuid.uuid4().hex[:6]}", "example.com/signer",
                                                       _request("x", ["system:masters"])))
    assert status == 201, body
