"""Field table for certificates.k8s.io/v1 (k8s.io/api v0.32): `kubectl certificate approve|deny`.

`ExtraValue` is a Go `[]string`, shaped like authentication's (see shapes.py).
"""
from __future__ import annotations

PACKAGE = "io.k8s.api.certificates.v1"
GROUP_VERSION: str | None = "certificates.k8s.io/v1"
KINDS: tuple[str, ...] = ("CertificateSigningRequest",)

MESSAGES = """
CertificateSigningRequest
  1 metadata meta.ObjectMeta
  2 spec CertificateSigningRequestSpec
  3 status CertificateSigningRequestStatus
CertificateSigningRequestCondition
  1 type string !
  6 status string !
  2 reason string
  3 message string
  4 lastUpdateTime meta.Time
  5 lastTransitionTime meta.Time
CertificateSigningRequestSpec
  1 request bytes !
  7 signerName string !
  8 expirationSeconds int32 *
  5 usages []string
  2 username string
  3 uid string
  4 groups []string
  6 extra {ExtraValue}
CertificateSigningRequestStatus
  1 conditions []CertificateSigningRequestCondition
  2 certificate bytes
ExtraValue
  1 items []string
"""
