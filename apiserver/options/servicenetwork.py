"""Service network flags: the cluster-IP ranges, the node-port range, and how often the leader repairs their
allocations."""
from __future__ import annotations

import argparse
import ipaddress
from dataclasses import dataclass

from apiserver.options.errors import ConfigError
from apiserver.options.values import duration

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# kube's default --service-cluster-ip-range
DEFAULT_CLUSTER_IP_RANGES: tuple[Network, ...] = (ipaddress.IPv4Network("10.0.0.0/24"),)


@dataclass(frozen=True)
class ServiceNetworkOptions:
    cluster_ip_ranges: tuple[Network, ...] = DEFAULT_CLUSTER_IP_RANGES
    node_port_range: tuple[int, int] = (30000, 32767)
    repair_interval: float = 180.0


def _cluster_ip_ranges(text: str) -> tuple[Network, ...]:
    """kube-apiserver's --service-cluster-ip-range: one CIDR, or two of different families (dual-stack)."""
    if not text.strip():
        return DEFAULT_CLUSTER_IP_RANGES
    entries = [e.strip() for e in text.split(",")]
    if len(entries) > 2:
        raise ConfigError("--service-cluster-ip-range must not contain more than two entries")
    cidrs = []
    for i, entry in enumerate(entries):
        try:
            cidr = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            raise ConfigError(f"--service-cluster-ip-range[{i}]: {entry!r} is not a valid CIDR") from None
        # kube caps a range at 2^20 addresses
        if cidr.max_prefixlen - cidr.prefixlen > 20:
            raise ConfigError(f"--service-cluster-ip-range[{i}] is too large; for {cidr.max_prefixlen}-bit addresses, "
                              f"the mask must be >= {cidr.max_prefixlen - 20}")
        if cidr.num_addresses < 4:
            raise ConfigError(f"--service-cluster-ip-range[{i}] {entry} leaves no address to allocate")
        cidrs.append(cidr)
    if len(cidrs) == 2 and cidrs[0].version == cidrs[1].version:
        raise ConfigError("--service-cluster-ip-range[0] and --service-cluster-ip-range[1] must be of different "
                          "IP family")
    return tuple(cidrs)


def _port_range(text: str) -> tuple[int, int]:
    """`first-last` or `first+count`, as kube's --service-node-port-range."""
    first, sep, rest = text.partition("-")
    if not sep:
        first, sep, rest = text.partition("+")
    try:
        low, high = int(first), int(rest)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected first-last or first+count") from None
    if sep == "+":
        high = low + high - 1
    if not 0 < low <= high <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a range of ports inside 1-65535")
    return low, high


def add_flags(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add("--service-cluster-ip-range", default="")
    add("--service-node-port-range", type=_port_range, default=(30000, 32767))
    add("--service-allocation-repair-interval", type=duration, default=180.0)


def from_args(args: argparse.Namespace) -> ServiceNetworkOptions:
    if args.service_allocation_repair_interval <= 0:
        raise ConfigError("--service-allocation-repair-interval must be positive")
    return ServiceNetworkOptions(_cluster_ip_ranges(args.service_cluster_ip_range), args.service_node_port_range,
                                 args.service_allocation_repair_interval)
