"""The field tables, one module per protobuf package, and the short aliases tables use for each other.

Every module defines PACKAGE, GROUP_VERSION (the apiVersion its kinds are sent under, or None),
KINDS (the top-level kinds a request body may carry) and MESSAGES (the table text; see schema.py).
"""
from __future__ import annotations

from types import ModuleType

from . import (apps, authentication, authorization, batch, certificates, core, intstr, meta, networking, policy, rbac,
               resource, runtime, scheduling)

MODULES: tuple[ModuleType, ...] = (meta, intstr, resource, runtime, core, apps, batch, rbac, scheduling, policy,
                                   networking, authentication, authorization, certificates)

ALIASES: dict[str, str] = {
    "meta": meta.PACKAGE,
    "intstr": intstr.PACKAGE,
    "resource": resource.PACKAGE,
    "runtime": runtime.PACKAGE,
    "core": core.PACKAGE,
}
