"""A CertificateSigningRequest names who asked for it: on create, `spec.username`, `uid`, `groups` and `extra`
are the requesting user's (after impersonation), whatever the client or a mutating webhook sent, as kube's CSR
strategy sets them in PrepareForCreate. Signers and approvers trust these fields. kube does this in the CSR
registry, not in a named plugin, so this step is always on and runs after every mutating plugin."""
from __future__ import annotations

from apiserver.admission.attributes import Attributes, Operation
from apiserver.admission.plugin import Plugin, operations

_USER_FIELDS = ("username", "uid", "groups", "extra")


class CSRRequestor(Plugin):
    name = "CertificateSigningRequestRequestor"
    operations = operations(Operation.CREATE)
    resources = frozenset({("certificates.k8s.io", "certificatesigningrequests", "")})

    async def admit(self, attrs: Attributes) -> None:
        assert attrs.obj is not None
        spec = attrs.obj.setdefault("spec", {})
        for key in _USER_FIELDS:
            spec.pop(key, None)
        user = attrs.user
        # kube's JSON leaves out what is empty (omitempty)
        values = {"username": user.name, "uid": user.uid, "groups": list(user.groups),
                  "extra": {key: list(items) for key, items in user.extra.items()}}
        spec.update({key: value for key, value in values.items() if value})
