"""Field table for scheduling.k8s.io/v1 (k8s.io/api v0.32)."""
from __future__ import annotations

PACKAGE = "io.k8s.api.scheduling.v1"
GROUP_VERSION: str | None = "scheduling.k8s.io/v1"
KINDS: tuple[str, ...] = ("PriorityClass",)

MESSAGES = """
PriorityClass
  1 metadata meta.ObjectMeta
  2 value int32 !
  3 globalDefault bool
  4 description string
  5 preemptionPolicy string *
"""
