"""The Service network of the cluster (`--service-cluster-ip-range`, `--service-node-port-range`) and the etcd
allocators over it: one for cluster IPs per IP family, one for node ports."""
from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from apiserver.registry.allocator import ItemRange, RangeAllocator, static_band
from apiserver.storage.etcd_client import EtcdClient

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class ServiceNetwork:
    cidrs: tuple[IPNetwork, ...] = (ipaddress.IPv4Network("10.0.0.0/24"),)
    node_ports: tuple[int, int] = (30000, 32767)

    @property
    def primary_family(self) -> str:
        return family_name(self.cidrs[0].version)

    def first_ip(self) -> str:
        """The address of the `kubernetes` Service: the first one after the network address."""
        return str(self.cidrs[0].network_address + 1)


def family_name(version: int) -> str:
    return "IPv4" if version == 4 else "IPv6"


def ip_range(cidr: IPNetwork) -> ItemRange:
    """The usable addresses: never the network address, nor the broadcast address of an IPv4 range."""
    first = int(cidr.network_address) + 1
    last = int(cidr.broadcast_address) - (1 if cidr.version == 4 else 0)
    version = cidr.version
    address_type = type(cidr.network_address)

    def parse(text: str) -> int:
        address = ipaddress.ip_address(text)
        if address.version != version:
            raise ValueError(f"{text} is not an {family_name(version)} address")
        return int(address)

    return ItemRange(first, last, lambda item: str(address_type(item)), parse,
                     static_band(last - first + 1, 16, 16, 256), str(cidr))


def port_range(first: int, last: int) -> ItemRange:
    return ItemRange(first, last, str, int, static_band(last - first + 1, 32, 16, 128), f"{first}-{last}")


class ServiceAllocators:
    """The allocators every replica shares through etcd, keyed under `<etcd-prefix>/allocations/`."""

    def __init__(self, client: EtcdClient, etcd_prefix: str, network: ServiceNetwork) -> None:
        root = f"{etcd_prefix.rstrip('/')}/allocations"
        self.network = network
        self.ips = {family_name(cidr.version): RangeAllocator(client, f"{root}/serviceips/{cidr.version}",
                                                              ip_range(cidr))
                    for cidr in network.cidrs}
        self.ports = RangeAllocator(client, f"{root}/servicenodeports", port_range(*network.node_ports))
