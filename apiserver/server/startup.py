"""The start-up step that reads every file a flag names, before anything starts: the serving, SNI and client
certificate pairs, the client CA bundles, the etcd client's TLS files, the token file, the OIDC CA, the webhook
kubeconfigs, the ServiceAccount keys, the ABAC policy file and the encryption configuration. A file that cannot
be used is a ConfigError naming its flag, which the command prints as one line. What was parsed is handed to the
server; the files that the etcd client and the TLS listener read themselves (again on every change, for the
listener) are checked here one by one, so that a bad one is named before anything runs."""
from __future__ import annotations

import ssl
from dataclasses import dataclass

from apiserver.authn.files import AuthenticationFiles, load_authentication_files
from apiserver.authz.files import AuthorizationFiles, load_authorization_files
from apiserver.options.encryption import EncryptionOptions
from apiserver.options.errors import ConfigError
from apiserver.options.etcd import EtcdOptions
from apiserver.options.files import certificates, check_key_pair
from apiserver.options.flags import ServerConfig
from apiserver.options.serving import ServingOptions
from apiserver.server.tls import ServingTLS
from apiserver.storage.encryption import build
from apiserver.storage.encryption_config import EncryptionConfigError, EncryptionConfiguration, load_encryption_config


@dataclass(frozen=True)
class LoadedFiles:
    tls: ServingTLS
    authentication: AuthenticationFiles
    authorization: AuthorizationFiles
    encryption: EncryptionConfiguration | None


def _check_etcd_files(options: EtcdOptions) -> None:
    """The etcd client reads them itself when it connects; checked here so that a bad one is named now."""
    if options.cafile:
        certificates("--etcd-cafile", options.cafile)
    if options.certfile and options.keyfile:
        check_key_pair("--etcd-certfile", options.certfile, "--etcd-keyfile", options.keyfile)


def _check_certificate_pairs(options: ServingOptions) -> None:
    check_key_pair("--tls-cert-file", options.tls_cert_file, "--tls-private-key-file", options.tls_private_key_file)
    for sni in options.tls_sni_cert_keys:
        check_key_pair("--tls-sni-cert-key", sni.cert_file, "--tls-sni-cert-key", sni.key_file)
    # kube loads the kubelet and proxy client identities at start-up too, though only requests to those use them
    for cert_flag, cert, key_flag, key in options.client_identities():
        if cert and key:
            check_key_pair(cert_flag, cert, key_flag, key)


def _serving_tls(config: ServerConfig) -> ServingTLS:
    """Built after each of its files was checked on its own, so a failure left here is one of OpenSSL's."""
    try:
        return ServingTLS(config)
    except (ssl.SSLError, OSError, ValueError) as exc:
        raise ConfigError(f"--tls-cert-file/--tls-private-key-file/--tls-sni-cert-key/--client-ca-file: "
                          f"cannot load: {exc}") from None


def _encryption(options: EncryptionOptions) -> EncryptionConfiguration | None:
    if options.provider_config is None:
        return None
    try:
        parsed = load_encryption_config(options.provider_config)
        # building is where kube refuses KMS v1 and masked resources; nothing connects to a KMS plugin yet
        build(parsed)
    except EncryptionConfigError as exc:
        raise ConfigError(f"--encryption-provider-config: {exc}") from None
    return parsed


def load_files(config: ServerConfig) -> LoadedFiles:
    _check_etcd_files(config.etcd)
    _check_certificate_pairs(config.serving)
    authentication = load_authentication_files(config.authentication)
    authorization = load_authorization_files(config.authorization)
    encryption = _encryption(config.encryption)
    return LoadedFiles(_serving_tls(config), authentication, authorization, encryption)
