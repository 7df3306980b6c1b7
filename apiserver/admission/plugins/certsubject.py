"""CertificateSubjectRestriction: no request to the kube-apiserver-client signer for a certificate in the
system:masters group (the request's subject organization), which would make its holder a cluster administrator
whatever RBAC says."""
from __future__ import annotations

import base64
import binascii

from cryptography import x509
from cryptography.x509.oid import NameOID

from apiserver.admission.attributes import Attributes, Operation
from apiserver.admission.plugin import Plugin, forbidden, operations
from apiserver.admission.plugins.signers import CERTIFICATES_GROUP
from apiserver.api.validation.cluster import pem_blocks
from apiserver.authz.authorizer import SYSTEM_MASTERS

KUBE_APISERVER_CLIENT = "kubernetes.io/kube-apiserver-client"


def _organizations(request: object) -> list[str]:
    """The subject organizations of a base64-encoded PEM request; raises ValueError with Go's wording when it is
    not one (validation refuses such requests first, so this is a safety net)."""
    try:
        data = base64.b64decode(request if isinstance(request, str) else "", validate=True)
    except binascii.Error:
        data = b""
    block = next(pem_blocks(data), None)
    if block is None or block.kind != "CERTIFICATE REQUEST":
        raise ValueError("PEM block type must be CERTIFICATE REQUEST")
    try:
        parsed = x509.load_der_x509_csr(block.data)
    except ValueError:
        raise ValueError("x509: malformed certificate request") from None
    return [str(a.value) for a in parsed.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)]


class CertificateSubjectRestriction(Plugin):
    name = "CertificateSubjectRestriction"
    operations = operations(Operation.CREATE)
    resources = frozenset({(CERTIFICATES_GROUP, "certificatesigningrequests", "")})

    async def validate(self, attrs: Attributes) -> None:
        spec = (attrs.obj or {}).get("spec") or {}
        if spec.get("signerName") != KUBE_APISERVER_CLIENT:
            return
        try:
            organizations = _organizations(spec.get("request"))
        except ValueError as exc:
            raise forbidden(attrs, f"failed to parse CSR: {exc}") from None
        if SYSTEM_MASTERS in organizations:
            raise forbidden(attrs, f"use of {KUBE_APISERVER_CLIENT} signer with system:masters group is not allowed")
