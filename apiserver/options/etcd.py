"""Storage flags: the etcd cluster and how to reach it, the key prefix, compaction, the media type values are
written in, and the watch cache sizes."""
from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path

from apiserver.api.meta.goformat import quote
from apiserver.options.errors import ConfigError
from apiserver.options.files import readable
from apiserver.options.values import duration, non_negative
from apiserver.storage.etcd_client import EtcdClientConfig
from apiserver.storage.media_type import JSON, MEDIA_TYPES


@dataclass(frozen=True)
class EtcdOptions:
    servers: tuple[str, ...]
    cafile: Path | None = None
    certfile: Path | None = None
    keyfile: Path | None = None
    prefix: str = "/registry"
    compaction_interval: float = 300.0
    # how objects are written to etcd (reads take every encoding); docs/storage.md says why JSON is the default
    storage_media_type: str = JSON
    default_watch_cache_size: int = 100
    watch_cache_sizes: dict[str, int] = field(default_factory=dict)

    def client_config(self) -> EtcdClientConfig:
        return EtcdClientConfig(endpoints=list(self.servers), ca_file=str(self.cafile) if self.cafile else None,
                                cert_file=str(self.certfile) if self.certfile else None,
                                key_file=str(self.keyfile) if self.keyfile else None)


def _cache_sizes(text: str) -> dict[str, int]:
    """`resource[.group]#size,...`, as kube-apiserver's --watch-cache-sizes."""
    sizes = {}
    for item in filter(None, (p.strip() for p in text.split(","))):
        name, sep, size = item.partition("#")
        if not sep or not name or not size.isdigit():
            raise argparse.ArgumentTypeError(f"invalid value {item!r}: expected resource[.group]#size")
        sizes[name.lower()] = int(size)
    return sizes


def add_flags(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add("--etcd-servers", default="", help="comma-separated etcd URLs (https://host:port)")
    add("--etcd-cafile", type=Path)
    add("--etcd-certfile", type=Path)
    add("--etcd-keyfile", type=Path)
    add("--etcd-prefix", default="/registry")
    add("--etcd-compaction-interval", type=duration, default=300.0)
    add("--storage-media-type", default="")
    add("--default-watch-cache-size", type=non_negative, default=100)
    add("--watch-cache-sizes", type=_cache_sizes, default={})


def from_args(args: argparse.Namespace) -> EtcdOptions:
    servers = tuple(s.strip() for s in args.etcd_servers.split(",") if s.strip())
    if not servers:
        raise ConfigError("--etcd-servers must be specified")
    for server in servers:
        if not server.startswith(("https://", "http://")):
            raise ConfigError(f"--etcd-servers: {server!r} is not an http(s) URL")
    if (args.etcd_certfile is None) != (args.etcd_keyfile is None):
        raise ConfigError("--etcd-certfile and --etcd-keyfile must be given together")
    media_type = args.storage_media_type or JSON
    if media_type not in MEDIA_TYPES:
        raise ConfigError(f"--storage-media-type {quote(args.storage_media_type)} invalid, allowed values: "
                          f"{', '.join(MEDIA_TYPES)}")
    for flag, path in (("--etcd-cafile", args.etcd_cafile), ("--etcd-certfile", args.etcd_certfile),
                       ("--etcd-keyfile", args.etcd_keyfile)):
        readable(flag, path)
    return EtcdOptions(servers, args.etcd_cafile, args.etcd_certfile, args.etcd_keyfile, args.etcd_prefix,
                       args.etcd_compaction_interval, media_type, args.default_watch_cache_size,
                       args.watch_cache_sizes)
