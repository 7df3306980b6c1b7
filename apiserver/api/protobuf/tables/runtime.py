"""Field table for k8s.io/apimachinery runtime: the `Unknown` envelope every protobuf body is wrapped in."""
from __future__ import annotations

PACKAGE = "io.k8s.apimachinery.pkg.runtime"
GROUP_VERSION: str | None = None
KINDS: tuple[str, ...] = ()

MESSAGES = """
TypeMeta
  1 apiVersion string
  2 kind string
Unknown
  1 typeMeta TypeMeta
  2 raw bytes
  3 contentEncoding string
  4 contentType string
"""
