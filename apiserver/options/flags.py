"""kube-apiserver's command-line flags for what this server implements, parsed into one typed config made of one
part per concern (each module of this package holds its flags, their checks and its part).

A bad flag or a bad value is one clear line on stderr and exit status 1; so is a file that cannot be read, and,
once the start-up step has loaded them (server/startup.py), a file whose content is wrong.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NoReturn

from apiserver.options import (
    admission,
    authentication,
    authorization,
    coordination,
    encryption,
    etcd,
    servicenetwork,
    serving,
)
from apiserver.options.admission import AdmissionOptions
from apiserver.options.authentication import AuthenticationOptions
from apiserver.options.authorization import AuthorizationOptions
from apiserver.options.coordination import CoordinationOptions
from apiserver.options.encryption import EncryptionOptions
from apiserver.options.errors import ConfigError
from apiserver.options.etcd import EtcdOptions
from apiserver.options.servicenetwork import ServiceNetworkOptions
from apiserver.options.serving import ServingOptions
from apiserver.options.values import non_negative

CONCERNS = (etcd, serving, authentication, authorization, admission, encryption, servicenetwork, coordination)


@dataclass(frozen=True)
class ServerConfig:
    etcd: EtcdOptions
    serving: ServingOptions
    authentication: AuthenticationOptions = field(default_factory=AuthenticationOptions)
    authorization: AuthorizationOptions = field(default_factory=AuthorizationOptions)
    admission: AdmissionOptions = field(default_factory=AdmissionOptions)
    encryption: EncryptionOptions = field(default_factory=EncryptionOptions)
    service_network: ServiceNetworkOptions = field(default_factory=ServiceNetworkOptions)
    coordination: CoordinationOptions = field(default_factory=CoordinationOptions)
    verbosity: int = 0


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise ConfigError(message)


def parse_flags(argv: Sequence[str]) -> ServerConfig:
    parser = _Parser(prog="kube-apiserver", add_help=True, allow_abbrev=False)
    parser.add_argument("-v", "--v", type=non_negative, default=0, dest="verbosity")
    for concern in CONCERNS:
        concern.add_flags(parser)
    args = parser.parse_args(list(argv))
    # checked in this order (keyword arguments are evaluated as written): the first problem is the one reported
    return ServerConfig(
        etcd=etcd.from_args(args), serving=serving.from_args(args), authorization=authorization.from_args(args),
        coordination=coordination.from_args(args), service_network=servicenetwork.from_args(args),
        encryption=encryption.from_args(args), authentication=authentication.from_args(args),
        admission=admission.from_args(args), verbosity=args.verbosity)


def report(message: str) -> None:
    # one line whatever the message holds (a YAML parser's error spans several)
    print("Error: " + " ".join(line.strip() for line in message.splitlines() if line.strip()), file=sys.stderr)


def fail(message: str) -> NoReturn:
    report(message)
    raise SystemExit(1)
