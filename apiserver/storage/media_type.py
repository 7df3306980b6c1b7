"""The values of --storage-media-type: the encodings an object can be written to etcd in."""
from __future__ import annotations

JSON = "application/json"
YAML = "application/yaml"
PROTOBUF = "application/vnd.kubernetes.protobuf"
# in the order kube-apiserver lists them in its flag error
MEDIA_TYPES = (JSON, PROTOBUF, YAML)
