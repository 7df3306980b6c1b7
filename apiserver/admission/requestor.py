"""A CertificateSigningRequest names who asked for it: on create, `spec.username`, `uid`, `groups` and `extra`
are the requesting user's (after impersonation), whatever the client sent, as kube's CSR strategy sets them.
Signers and approvers trust these fields, so a client must not be able to choose them."""
from __future__ import annotations

from apiserver.admission.hook import Admission, AdmissionRequest

CSR = ("certificates.k8s.io", "certificatesigningrequests")
_USER_FIELDS = ("username", "uid", "groups", "extra")


async def stamp_requestor(request: AdmissionRequest) -> None:
    if request.old is not None:
        return
    spec = request.new.setdefault("spec", {})
    for key in _USER_FIELDS:
        spec.pop(key, None)
    user = request.user
    # kube's JSON leaves out what is empty (omitempty)
    values = {"username": user.name, "uid": user.uid, "groups": list(user.groups),
              "extra": {key: list(items) for key, items in user.extra.items()}}
    spec.update({key: value for key, value in values.items() if value})


def register(admission: Admission) -> None:
    admission.register(*CSR, stamp_requestor)
