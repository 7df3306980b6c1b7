"""Field table for k8s.io/apimachinery util/intstr: IntOrString (JSON: a bare int or string; see shapes.py)."""
from __future__ import annotations

PACKAGE = "io.k8s.apimachinery.pkg.util.intstr"
GROUP_VERSION: str | None = None
KINDS: tuple[str, ...] = ()

MESSAGES = """
IntOrString
  1 type int64
  2 intVal int32
  3 strVal string
"""
