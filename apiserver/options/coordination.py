"""Coordination between replicas: the address a replica advertises, its identity lease, the endpoint
reconciler's lease, leader election, and the delay before a stopping replica stops serving."""
from __future__ import annotations

import argparse
import ipaddress
from dataclasses import dataclass

from apiserver.options.errors import ConfigError
from apiserver.options.values import duration, non_negative

ENDPOINT_RECONCILER_TYPES = ("lease", "none")


@dataclass(frozen=True)
class CoordinationOptions:
    advertise_address: str = "127.0.0.1"
    endpoint_reconciler_type: str = "lease"
    endpoint_lease_ttl: float = 15.0
    identity_lease_duration_seconds: int = 3600
    identity_lease_renew_interval_seconds: int = 10
    leader_elect_lease_duration: float = 15.0
    leader_elect_renew_deadline: float = 10.0
    leader_elect_retry_period: float = 2.0
    shutdown_delay_duration: float = 0.0


def add_flags(parser: argparse.ArgumentParser) -> None:
    add = parser.add_argument
    add("--advertise-address", default="")
    add("--endpoint-reconciler-type", default="lease")
    add("--endpoint-lease-ttl", type=duration, default=15.0)
    add("--identity-lease-duration-seconds", type=non_negative, default=3600)
    add("--identity-lease-renew-interval-seconds", type=non_negative, default=10)
    add("--leader-elect-lease-duration", type=duration, default=15.0)
    add("--leader-elect-renew-deadline", type=duration, default=10.0)
    add("--leader-elect-retry-period", type=duration, default=2.0)
    add("--shutdown-delay-duration", type=duration, default=0.0)


def from_args(args: argparse.Namespace) -> CoordinationOptions:
    if args.endpoint_reconciler_type not in ENDPOINT_RECONCILER_TYPES:
        raise ConfigError(f"--endpoint-reconciler-type: unknown type {args.endpoint_reconciler_type!r}; "
                          f"supported: {', '.join(ENDPOINT_RECONCILER_TYPES)}")
    # kube's default: the bind address (a serving flag), unless that is the unspecified address
    advertise = args.advertise_address or (args.bind_address if args.bind_address not in ("0.0.0.0", "::")
                                           else "127.0.0.1")
    try:
        ipaddress.ip_address(advertise)
    except ValueError:
        raise ConfigError(f"--advertise-address: {advertise!r} is not an IP address") from None
    if not 0 < args.leader_elect_retry_period < args.leader_elect_renew_deadline < args.leader_elect_lease_duration:
        raise ConfigError("leader election needs 0 < --leader-elect-retry-period < --leader-elect-renew-deadline "
                          "< --leader-elect-lease-duration")
    if args.endpoint_lease_ttl < 2:
        raise ConfigError("--endpoint-lease-ttl must be at least 2s (etcd's minimum lease TTL)")
    return CoordinationOptions(
        advertise_address=advertise, endpoint_reconciler_type=args.endpoint_reconciler_type,
        endpoint_lease_ttl=args.endpoint_lease_ttl,
        identity_lease_duration_seconds=args.identity_lease_duration_seconds,
        identity_lease_renew_interval_seconds=args.identity_lease_renew_interval_seconds,
        leader_elect_lease_duration=args.leader_elect_lease_duration,
        leader_elect_renew_deadline=args.leader_elect_renew_deadline,
        leader_elect_retry_period=args.leader_elect_retry_period,
        shutdown_delay_duration=args.shutdown_delay_duration)
