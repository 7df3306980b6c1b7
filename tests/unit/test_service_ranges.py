"""The usable items of Service ranges and kube's static bands, without etcd."""
from __future__ import annotations

import ipaddress

from apiserver.registry.allocator import random_free
from apiserver.registry.serviceranges import ServiceNetwork, ip_range, port_range


def test_ipv4_range_skips_network_and_broadcast_and_keeps_a_static_band():
    items = ip_range(ipaddress.ip_network("10.0.0.0/24"))
    assert (items.render(items.first), items.render(items.last)) == ("10.0.0.1", "10.0.0.254")
    assert items.static_band == 16 and items.description == "10.0.0.0/24"
    assert items.parse("10.0.0.7") in items and items.parse("10.0.1.7") not in items
    assert ip_range(ipaddress.ip_network("10.0.0.0/12")).static_band == 256
    assert ip_range(ipaddress.ip_network("10.0.0.0/29")).static_band == 0


def test_ipv6_range_keeps_its_last_address_and_refuses_ipv4():
    items = ip_range(ipaddress.ip_network("fd00::/120"))
    assert (items.render(items.first), items.render(items.last)) == ("fd00::1", "fd00::ff")
    try:
        items.parse("10.0.0.1")
    except ValueError:
        pass
    else:
        raise AssertionError("an IPv4 address parsed as an IPv6 item")


def test_node_port_band_and_first_ip():
    assert port_range(30000, 32767).static_band == 86 and port_range(30000, 30010).static_band == 0
    assert ServiceNetwork().first_ip() == "10.0.0.1"


def test_random_free_finds_the_only_hole_and_reports_none_when_full():
    assert random_free(1, 10, set(range(1, 11)) - {7}) == 7
    assert random_free(1, 10, set(range(1, 11))) is None
