"""CertificateSigning: issuing a certificate (changing `status.certificate` through the `status` subresource of
a CertificateSigningRequest) needs the `sign` verb on the request's signer, read from the stored request."""
from __future__ import annotations

from apiserver.admission.attributes import Attributes, Operation
from apiserver.admission.plugin import Plugin, forbidden, operations
from apiserver.admission.plugins.signers import CERTIFICATES_GROUP, may_act_for_signer
from apiserver.authz.authorizer import UnionAuthorizer


def _certificate(obj: dict | None) -> object:
    return ((obj or {}).get("status") or {}).get("certificate")


class CertificateSigning(Plugin):
    name = "CertificateSigning"
    operations = operations(Operation.UPDATE)
    resources = frozenset({(CERTIFICATES_GROUP, "certificatesigningrequests", "status")})

    def __init__(self, authz: UnionAuthorizer) -> None:
        self.authz = authz

    async def validate(self, attrs: Attributes) -> None:
        # conditions and other status fields are anyone's who may write the status; the certificate is not
        if _certificate(attrs.obj) == _certificate(attrs.old):
            return
        signer = ((attrs.old or {}).get("spec") or {}).get("signerName", "")
        if not await may_act_for_signer(self.authz, attrs.user, "sign", signer):
            raise forbidden(attrs, f'user not permitted to sign requests with signerName "{signer}"')
