"""Field table for authorization.k8s.io/v1 (k8s.io/api v0.32): `auth can-i`."""
from __future__ import annotations

PACKAGE = "io.k8s.api.authorization.v1"
GROUP_VERSION: str | None = "authorization.k8s.io/v1"
KINDS: tuple[str, ...] = ("SelfSubjectAccessReview",)

MESSAGES = """
FieldSelectorAttributes
  1 rawSelector string
  2 requirements []meta.FieldSelectorRequirement
LabelSelectorAttributes
  1 rawSelector string
  2 requirements []meta.LabelSelectorRequirement
NonResourceAttributes
  1 path string
  2 verb string
ResourceAttributes
  1 namespace string
  2 verb string
  3 group string
  4 version string
  5 resource string
  6 subresource string
  7 name string
  8 fieldSelector FieldSelectorAttributes *
  9 labelSelector LabelSelectorAttributes *
SelfSubjectAccessReview
  1 metadata meta.ObjectMeta
  2 spec SelfSubjectAccessReviewSpec
  3 status SubjectAccessReviewStatus
SelfSubjectAccessReviewSpec
  1 resourceAttributes ResourceAttributes *
  2 nonResourceAttributes NonResourceAttributes *
SubjectAccessReviewStatus
  1 allowed bool !
  4 denied bool
  2 reason string
  3 evaluationError string
"""
