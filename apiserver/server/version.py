"""/version: kube's version.Info. Minor "32" matters: the machine's kubectl dispatcher picks its binary by it."""
from __future__ import annotations

import platform
import sys
from typing import Any

KUBE_MAJOR, KUBE_MINOR = "1", "32"
GIT_VERSION = f"v{KUBE_MAJOR}.{KUBE_MINOR}.0+pykube"


def version_info() -> dict[str, Any]:
    machine = {"x86_64": "amd64", "aarch64": "arm64"}.get(platform.machine(), platform.machine())
    return {
        "major": KUBE_MAJOR,
        "minor": KUBE_MINOR,
        "gitVersion": GIT_VERSION,
        "gitCommit": "",
        "gitTreeState": "clean",
        "buildDate": "",
        "goVersion": f"python{sys.version_info.major}.{sys.version_info.minor}.{sys.version_info.micro}",
        "compiler": sys.implementation.name,
        "platform": f"{sys.platform}/{machine}",
    }
