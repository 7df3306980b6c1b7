"""Who may approve or sign for a signer: the `approve` or `sign` verb on the `signers` resource of
certificates.k8s.io, named by the signerName, or by its domain with a wildcard (`example.com/*`), as kube's
certificate plugins ask."""
from __future__ import annotations

from apiserver.admission.plugins.authcheck import ask
from apiserver.authz.authorizer import UnionAuthorizer
from apiserver.request.user import UserInfo

CERTIFICATES_GROUP = "certificates.k8s.io"


async def may_act_for_signer(authz: UnionAuthorizer, user: UserInfo, verb: str, signer_name: str) -> bool:
    domain = signer_name.split("/")[0]
    for name in (signer_name, f"{domain}/*"):
        # a mode that could not decide counts as a refusal, and the wildcard is still asked
        if (await ask(authz, user, verb, CERTIFICATES_GROUP, "signers", name=name)).allowed:
            return True
    return False
