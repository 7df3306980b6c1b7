"""The field tables, one generated module per protobuf package (see tools/protobuf_tables.py and ../schema.py).

Every module defines PACKAGE, GROUP_VERSION (the apiVersion its kinds travel under, or None), KINDS
(the structs that embed TypeMeta) and MESSAGES (the table text). Tables name each other by module name.
"""
from __future__ import annotations

from types import ModuleType

from . import (
    admissionregistration_v1,
    apps_v1,
    authentication_v1,
    authorization_v1,
    autoscaling_v1,
    autoscaling_v2,
    batch_v1,
    certificates_v1,
    coordination_v1,
    core_v1,
    discovery_v1,
    events_v1,
    flowcontrol_v1,
    intstr,
    meta_v1,
    networking_v1,
    node_v1,
    policy_v1,
    rbac_v1,
    resource,
    runtime,
    scheduling_v1,
    storage_v1,
)

MODULES: tuple[ModuleType, ...] = (meta_v1, runtime, intstr, resource, admissionregistration_v1, apps_v1, authentication_v1, authorization_v1, autoscaling_v1, autoscaling_v2, batch_v1, certificates_v1, coordination_v1, core_v1, discovery_v1, events_v1, flowcontrol_v1, networking_v1, node_v1, policy_v1, rbac_v1, scheduling_v1, storage_v1,)

ALIASES: dict[str, str] = {module.__name__.rsplit('.', 1)[1]: module.PACKAGE for module in MODULES}
