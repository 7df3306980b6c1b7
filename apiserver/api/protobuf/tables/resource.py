"""Field table for k8s.io/apimachinery api/resource: Quantity (JSON: its string; see shapes.py)."""
from __future__ import annotations

PACKAGE = "io.k8s.apimachinery.pkg.api.resource"
GROUP_VERSION: str | None = None
KINDS: tuple[str, ...] = ()

MESSAGES = """
Quantity
  1 string string
"""
