"""The baseline level's checks (Pod Security Standards, as kube 1.32 words and versions them)."""
from __future__ import annotations

from apiserver.admission.plugins.podsecurity.evaluator import Check, CheckFn, VersionedCheck
from apiserver.admission.plugins.podsecurity.levels import Level
from apiserver.admission.plugins.podsecurity.result import (
    ALLOWED,
    CheckResult,
    containers,
    containers_phrase,
    forbid,
    join_quote,
    offenders,
    pluralize,
    sc_field,
)
from apiserver.api.meta.goformat import quote
from apiserver.api.meta.types import Obj

APPARMOR_ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/"
SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod"
SECCOMP_CONTAINER_ANNOTATION_PREFIX = "container.seccomp.security.alpha.kubernetes.io/"


def _annotations(meta: Obj) -> dict[str, str]:
    return meta.get("annotations") or {}


def _setters(pod_bad: bool, bad_containers: list[str]) -> list[str]:
    """Who set a forbidden value: "pod" and/or `container(s) "..."`."""
    setters = ["pod"] if pod_bad else []
    if bad_containers:
        setters.append(containers_phrase(bad_containers))
    return setters


def profile_type_setters(spec: Obj, field: str, allowed: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """Who set securityContext.<field>.type outside `allowed` (pod, containers), and the values, sorted."""
    values: set[str] = set()
    pod_profile = sc_field(spec, field)
    pod_bad = isinstance(pod_profile, dict) and pod_profile.get("type") not in allowed
    if pod_bad:
        values.add((pod_profile or {}).get("type") or "")
    bad: list[str] = []
    for c in containers(spec):
        profile = sc_field(c, field)
        if isinstance(profile, dict) and profile.get("type") not in allowed:
            bad.append(c.get("name", ""))
            values.add(profile.get("type") or "")
    return _setters(pod_bad, bad), sorted(values)


def privileged_1_0(meta: Obj, spec: Obj) -> CheckResult:
    bad = [c.get("name", "") for c in containers(spec) if sc_field(c, "privileged") is True]
    if bad:
        return forbid("privileged", f"{containers_phrase(bad)} must not set securityContext.privileged=true")
    return ALLOWED


def host_namespaces_1_0(meta: Obj, spec: Obj) -> CheckResult:
    used = sorted(k for k in ("hostNetwork", "hostPID", "hostIPC") if spec.get(k) is True)
    return forbid("host namespaces", ", ".join(used)) if used else ALLOWED


def host_path_volumes_1_0(meta: Obj, spec: Obj) -> CheckResult:
    bad = [v.get("name", "") for v in spec.get("volumes") or [] if v.get("hostPath") is not None]
    if bad:
        return forbid("hostPath volumes", f"{pluralize('volume', 'volumes', len(bad))} {join_quote(bad)}")
    return ALLOWED


def host_ports_1_0(meta: Obj, spec: Obj) -> CheckResult:
    bad, ports = offenders(spec, lambda c: [str(p["hostPort"]) for p in c.get("ports") or [] if p.get("hostPort")])
    if bad:
        return forbid("hostPort", f"{containers_phrase(bad)} {pluralize('uses', 'use', len(bad))} "
                                  f"{pluralize('hostPort', 'hostPorts', len(ports))} {', '.join(sorted(ports))}")
    return ALLOWED


_DEFAULT_CAPABILITIES = frozenset({"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
                                   "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"})


def capabilities_baseline_1_0(meta: Obj, spec: Obj) -> CheckResult:
    bad, added = offenders(spec, lambda c: [cap for cap in sc_field(c, "capabilities", "add") or []
                                            if cap not in _DEFAULT_CAPABILITIES])
    if bad:
        return forbid("non-default capabilities", f"{containers_phrase(bad)} must not include "
                                                  f"{join_quote(sorted(added))} in securityContext.capabilities.add")
    return ALLOWED


def _apparmor_annotation_ok(value: str) -> bool:
    return value in ("", "runtime/default") or value.startswith("localhost/")


_APPARMOR_TYPES = ("RuntimeDefault", "Localhost")


def apparmor_profile_1_0(meta: Obj, spec: Obj) -> CheckResult:
    setters, bad_values = profile_type_setters(spec, "appArmorProfile", _APPARMOR_TYPES)
    annotations = sorted(f"{k}={quote(v)}" for k, v in _annotations(meta).items()
                         if k.startswith(APPARMOR_ANNOTATION_PREFIX) and not _apparmor_annotation_ok(v))
    values = bad_values + annotations
    if annotations:
        setters.append(pluralize("annotation", "annotations", len(annotations)))
    if setters:
        return forbid(pluralize("forbidden AppArmor profile", "forbidden AppArmor profiles", len(values)),
                      f"{' and '.join(setters)} must not set AppArmor profile type to {join_quote(values)}")
    return ALLOWED


_SELINUX_TYPES_1_0 = frozenset({"", "container_t", "container_init_t", "container_kvm_t"})
_SELINUX_TYPES_1_31 = _SELINUX_TYPES_1_0 | {"container_engine_t"}


def _selinux_check(allowed_types: frozenset[str]) -> CheckFn:
    def check(meta: Obj, spec: Obj) -> CheckResult:
        bad_types: set[str] = set()
        flags = {"user": False, "role": False}

        def valid(opts: Obj) -> bool:
            ok = True
            kind = opts.get("type") or ""
            if kind not in allowed_types:
                ok = False
                bad_types.add(kind)
            for key in ("user", "role"):
                if opts.get(key):
                    ok = False
                    flags[key] = True
            return ok

        pod_opts = sc_field(spec, "seLinuxOptions")
        pod_bad = isinstance(pod_opts, dict) and not valid(pod_opts)
        bad_containers = [c.get("name", "") for c in containers(spec)
                          if isinstance(opts := sc_field(c, "seLinuxOptions"), dict) and not valid(opts)]
        setters = _setters(pod_bad, bad_containers)
        if not setters:
            return ALLOWED
        data = []
        if bad_types:
            data.append(f"{pluralize('type', 'types', len(bad_types))} {join_quote(sorted(bad_types))}")
        data += [f"{key} may not be set" for key in ("user", "role") if flags[key]]
        return forbid("seLinuxOptions",
                      f"{' and '.join(setters)} set forbidden securityContext.seLinuxOptions: {'; '.join(data)}")
    return check


def proc_mount_1_0(meta: Obj, spec: Obj) -> CheckResult:
    bad, kinds = offenders(spec, lambda c: [m for m in (sc_field(c, "procMount"),) if m not in (None, "Default")])
    if bad:
        return forbid("procMount", f"{containers_phrase(bad)} must not set securityContext.procMount to "
                                   f"{join_quote(sorted(kinds))}")
    return ALLOWED


def _seccomp_annotation_ok(value: str) -> bool:
    return value in ("runtime/default", "docker/default") or value.startswith("localhost/")


def seccomp_baseline_1_0(meta: Obj, spec: Obj) -> CheckResult:
    """Before 1.19 seccomp was set by annotations."""
    annotations = _annotations(meta)
    bad: set[str] = set()
    keys = [SECCOMP_POD_ANNOTATION] + [SECCOMP_CONTAINER_ANNOTATION_PREFIX + c.get("name", "")
                                       for c in containers(spec)]
    for key in keys:
        if key in annotations and not _seccomp_annotation_ok(annotations[key]):
            bad.add(f"{key}={quote(annotations[key])}")
    if bad:
        return forbid("seccompProfile", f"forbidden {pluralize('annotation', 'annotations', len(bad))} "
                                        f"{', '.join(sorted(bad))}")
    return ALLOWED


SECCOMP_TYPES = ("RuntimeDefault", "Localhost")


def seccomp_baseline_1_19(meta: Obj, spec: Obj) -> CheckResult:
    setters, bad_values = profile_type_setters(spec, "seccompProfile", SECCOMP_TYPES)
    if setters:
        return forbid("seccompProfile", f"{' and '.join(setters)} must not set securityContext.seccompProfile.type "
                                        f"to {join_quote(bad_values)}")
    return ALLOWED


_SYSCTLS_1_0 = frozenset({"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies",
                          "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start"})
_SYSCTLS_1_27 = _SYSCTLS_1_0 | {"net.ipv4.ip_local_reserved_ports"}
_SYSCTLS_1_29 = _SYSCTLS_1_27 | {"net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
                                 "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes"}
_SYSCTLS_1_32 = _SYSCTLS_1_29 | {"net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"}


def _sysctls_check(allowed: frozenset[str]) -> CheckFn:
    def check(meta: Obj, spec: Obj) -> CheckResult:
        bad = [s.get("name", "") for s in sc_field(spec, "sysctls") or [] if s.get("name") not in allowed]
        return forbid("forbidden sysctls", ", ".join(bad)) if bad else ALLOWED
    return check


def windows_host_process_1_0(meta: Obj, spec: Obj) -> CheckResult:
    bad = [c.get("name", "") for c in containers(spec) if sc_field(c, "windowsOptions", "hostProcess") is True]
    setters = _setters(sc_field(spec, "windowsOptions", "hostProcess") is True, bad)
    if setters:
        return forbid("hostProcess",
                      f"{' and '.join(setters)} must not set securityContext.windowsOptions.hostProcess=true")
    return ALLOWED



def _check(check_id: str, *versions: VersionedCheck) -> Check:
    return Check(check_id, Level.BASELINE, versions)


CHECKS: tuple[Check, ...] = (
    _check("appArmorProfile", VersionedCheck(0, apparmor_profile_1_0)),
    _check("capabilities_baseline", VersionedCheck(0, capabilities_baseline_1_0)),
    _check("hostNamespaces", VersionedCheck(0, host_namespaces_1_0)),
    _check("hostPathVolumes", VersionedCheck(0, host_path_volumes_1_0)),
    _check("hostPorts", VersionedCheck(0, host_ports_1_0)),
    _check("privileged", VersionedCheck(0, privileged_1_0)),
    _check("procMount", VersionedCheck(0, proc_mount_1_0)),
    _check("seLinuxOptions", VersionedCheck(0, _selinux_check(_SELINUX_TYPES_1_0)),
           VersionedCheck(31, _selinux_check(_SELINUX_TYPES_1_31))),
    _check("seccompProfile_baseline", VersionedCheck(0, seccomp_baseline_1_0),
           VersionedCheck(19, seccomp_baseline_1_19)),
    _check("sysctls", VersionedCheck(0, _sysctls_check(_SYSCTLS_1_0)),
           VersionedCheck(27, _sysctls_check(_SYSCTLS_1_27)),
           VersionedCheck(29, _sysctls_check(_SYSCTLS_1_29)),
           VersionedCheck(32, _sysctls_check(_SYSCTLS_1_32))),
    _check("windowsHostProcess", VersionedCheck(0, windows_host_process_1_0)),
)
