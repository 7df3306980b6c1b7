"""Field table for authentication.k8s.io/v1 (k8s.io/api v0.32): `create token` and `auth whoami`.

`ExtraValue` is a Go `[]string`; on the wire it is wrapped in a message, in JSON it is the bare list.
"""
from __future__ import annotations

PACKAGE = "io.k8s.api.authentication.v1"
GROUP_VERSION: str | None = "authentication.k8s.io/v1"
KINDS: tuple[str, ...] = ("SelfSubjectReview", "TokenRequest")

MESSAGES = """
BoundObjectReference
  1 kind string
  2 apiVersion string
  3 name string
  4 uid string
ExtraValue
  1 items []string
SelfSubjectReview
  1 metadata meta.ObjectMeta
  2 status SelfSubjectReviewStatus
SelfSubjectReviewStatus
  1 userInfo UserInfo
TokenRequest
  1 metadata meta.ObjectMeta
  2 spec TokenRequestSpec
  3 status TokenRequestStatus
TokenRequestSpec
  1 audiences []string
  4 expirationSeconds int64 *
  3 boundObjectRef BoundObjectReference *
TokenRequestStatus
  1 token string !
  2 expirationTimestamp meta.Time
UserInfo
  1 username string
  2 uid string
  3 groups []string
  4 extra {ExtraValue}
"""
