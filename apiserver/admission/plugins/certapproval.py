"""CertificateApproval: approving or denying a CertificateSigningRequest (its `approval` subresource) needs the
`approve` verb on the request's signer. The signer is read from the stored request, so a write that also tries
to change the signerName is judged by the one it had."""
from __future__ import annotations

from apiserver.admission.attributes import Attributes, Operation
from apiserver.admission.plugin import Plugin, forbidden, operations
from apiserver.admission.plugins.signers import CERTIFICATES_GROUP, may_act_for_signer
from apiserver.authz.authorizer import UnionAuthorizer


class CertificateApproval(Plugin):
    name = "CertificateApproval"
    operations = operations(Operation.UPDATE)
    resources = frozenset({(CERTIFICATES_GROUP, "certificatesigningrequests", "approval")})

    def __init__(self, authz: UnionAuthorizer) -> None:
        self.authz = authz

    async def validate(self, attrs: Attributes) -> None:
        signer = ((attrs.old or {}).get("spec") or {}).get("signerName", "")
        if not await may_act_for_signer(self.authz, attrs.user, "approve", signer):
            raise forbidden(attrs, f'user not permitted to approve requests with signerName "{signer}"')
