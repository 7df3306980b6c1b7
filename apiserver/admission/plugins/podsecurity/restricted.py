"""The restricted level's checks (Pod Security Standards, as kube 1.32 words and versions them). From policy
v1.25 the Linux-only ones pass Windows pods, whose API validation forbids those fields anyway."""
from __future__ import annotations

from apiserver.admission.plugins.podsecurity.baseline import SECCOMP_TYPES
from apiserver.admission.plugins.podsecurity.evaluator import Check, CheckFn, VersionedCheck
from apiserver.admission.plugins.podsecurity.levels import Level
from apiserver.admission.plugins.podsecurity.result import (
    ALLOWED,
    CheckResult,
    containers,
    containers_phrase,
    forbid,
    is_windows,
    join_quote,
    pluralize,
    sc_field,
)
from apiserver.api.meta.types import Obj


def _linux_only(check: CheckFn) -> CheckFn:
    def relaxed(meta: Obj, spec: Obj) -> CheckResult:
        return ALLOWED if is_windows(spec) else check(meta, spec)
    return relaxed


def allow_privilege_escalation_1_8(meta: Obj, spec: Obj) -> CheckResult:
    bad = [c.get("name", "") for c in containers(spec) if sc_field(c, "allowPrivilegeEscalation") is not False]
    if bad:
        return forbid("allowPrivilegeEscalation != false",
                      f"{containers_phrase(bad)} must set securityContext.allowPrivilegeEscalation=false")
    return ALLOWED


def capabilities_restricted_1_22(meta: Obj, spec: Obj) -> CheckResult:
    missing_drop: list[str] = []
    adding: list[str] = []
    added: set[str] = set()
    for c in containers(spec):
        caps = sc_field(c, "capabilities")
        if not isinstance(caps, dict):
            missing_drop.append(c.get("name", ""))
            continue
        if "ALL" not in (caps.get("drop") or []):
            missing_drop.append(c.get("name", ""))
        extra = [cap for cap in caps.get("add") or [] if cap != "NET_BIND_SERVICE"]
        if extra:
            adding.append(c.get("name", ""))
            added.update(extra)
    details = []
    if missing_drop:
        details.append(f'{containers_phrase(missing_drop)} must set securityContext.capabilities.drop=["ALL"]')
    if adding:
        details.append(f"{containers_phrase(adding)} must not include {join_quote(sorted(added))} in "
                       "securityContext.capabilities.add")
    return forbid("unrestricted capabilities", "; ".join(details)) if details else ALLOWED


# the volume sources restricted pods may use; any other is named by its field (or "unknown")
_ALLOWED_VOLUMES = ("configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected",
                    "secret")
_RESTRICTED_VOLUMES = ("hostPath", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "nfs", "iscsi",
                       "glusterfs", "rbd", "flexVolume", "cinder", "cephfs", "flocker", "fc", "azureFile",
                       "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk", "portworxVolume", "scaleIO",
                       "storageos")


def restricted_volumes_1_0(meta: Obj, spec: Obj) -> CheckResult:
    bad: list[str] = []
    kinds: set[str] = set()
    for volume in spec.get("volumes") or []:
        if any(volume.get(k) is not None for k in _ALLOWED_VOLUMES):
            continue
        bad.append(volume.get("name", ""))
        kinds.add(next((k for k in _RESTRICTED_VOLUMES if volume.get(k) is not None), "unknown"))
    if bad:
        return forbid("restricted volume types",
                      f"{pluralize('volume', 'volumes', len(bad))} {join_quote(bad)} "
                      f"{pluralize('uses', 'use', len(bad))} "
                      f"{pluralize('restricted volume type', 'restricted volume types', len(kinds))} "
                      f"{join_quote(sorted(kinds))}")
    return ALLOWED


def run_as_non_root_1_0(meta: Obj, spec: Obj) -> CheckResult:
    pod_value = sc_field(spec, "runAsNonRoot")
    setters = ["pod"] if pod_value is False else []
    explicit: list[str] = []
    implicit: list[str] = []
    for c in containers(spec):
        value = sc_field(c, "runAsNonRoot")
        if value is None:
            if pod_value is not True:
                implicit.append(c.get("name", ""))
        elif value is False:
            explicit.append(c.get("name", ""))
    if explicit:
        setters.append(containers_phrase(explicit))
    if setters:
        return forbid("runAsNonRoot != true",
                      f"{' and '.join(setters)} must not set securityContext.runAsNonRoot=false")
    if implicit:
        return forbid("runAsNonRoot != true",
                      f"pod or {containers_phrase(implicit)} must set securityContext.runAsNonRoot=true")
    return ALLOWED


def run_as_user_1_23(meta: Obj, spec: Obj) -> CheckResult:
    setters = ["pod"] if sc_field(spec, "runAsUser") == 0 else []
    bad = [c.get("name", "") for c in containers(spec) if sc_field(c, "runAsUser") == 0]
    if bad:
        setters.append(containers_phrase(bad))
    if setters:
        return forbid("runAsUser=0", f"{' and '.join(setters)} must not set runAsUser=0")
    return ALLOWED


def seccomp_restricted_1_19(meta: Obj, spec: Obj) -> CheckResult:
    values: set[str] = set()
    pod_profile = sc_field(spec, "seccompProfile")
    setters: list[str] = []
    pod_set = False
    if isinstance(pod_profile, dict):
        if pod_profile.get("type") in SECCOMP_TYPES:
            pod_set = True
        else:
            setters.append("pod")
            values.add(pod_profile.get("type") or "")
    explicit: list[str] = []
    implicit: list[str] = []
    for c in containers(spec):
        profile = sc_field(c, "seccompProfile")
        if isinstance(profile, dict):
            if profile.get("type") not in SECCOMP_TYPES:
                explicit.append(c.get("name", ""))
                values.add(profile.get("type") or "")
        elif not pod_set:
            implicit.append(c.get("name", ""))
    if explicit:
        setters.append(containers_phrase(explicit))
    if setters:
        return forbid("seccompProfile", f"{' and '.join(setters)} must not set securityContext.seccompProfile.type "
                                        f"to {join_quote(sorted(values))}")
    if implicit:
        return forbid("seccompProfile", f"pod or {containers_phrase(implicit)} must set "
                                        'securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"')
    return ALLOWED


def _check(check_id: str, *versions: VersionedCheck) -> Check:
    return Check(check_id, Level.RESTRICTED, versions)


CHECKS: tuple[Check, ...] = (
    _check("allowPrivilegeEscalation", VersionedCheck(8, allow_privilege_escalation_1_8),
           VersionedCheck(25, _linux_only(allow_privilege_escalation_1_8))),
    _check("capabilities_restricted",
           VersionedCheck(22, capabilities_restricted_1_22, ("capabilities_baseline",)),
           VersionedCheck(25, _linux_only(capabilities_restricted_1_22), ("capabilities_baseline",))),
    _check("restrictedVolumes", VersionedCheck(0, restricted_volumes_1_0, ("hostPathVolumes",))),
    _check("runAsNonRoot", VersionedCheck(0, run_as_non_root_1_0)),
    _check("runAsUser", VersionedCheck(23, run_as_user_1_23)),
    _check("seccompProfile_restricted",
           VersionedCheck(19, seccomp_restricted_1_19, ("seccompProfile_baseline",)),
           VersionedCheck(25, _linux_only(seccomp_restricted_1_19), ("seccompProfile_baseline",))),
)
