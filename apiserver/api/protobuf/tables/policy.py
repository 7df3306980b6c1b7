"""Field table for policy/v1 (k8s.io/api v0.32)."""
from __future__ import annotations

PACKAGE = "io.k8s.api.policy.v1"
GROUP_VERSION: str | None = "policy/v1"
KINDS: tuple[str, ...] = ("PodDisruptionBudget",)

MESSAGES = """
PodDisruptionBudget
  1 metadata meta.ObjectMeta
  2 spec PodDisruptionBudgetSpec
  3 status PodDisruptionBudgetStatus
PodDisruptionBudgetSpec
  1 minAvailable intstr.IntOrString *
  2 selector meta.LabelSelector *
  3 maxUnavailable intstr.IntOrString *
  4 unhealthyPodEvictionPolicy string *
PodDisruptionBudgetStatus
  1 observedGeneration int64
  2 disruptedPods {meta.Time}
  3 disruptionsAllowed int32 !
  4 currentHealthy int32 !
  5 desiredHealthy int32 !
  6 expectedPods int32 !
  7 conditions []meta.Condition
"""
