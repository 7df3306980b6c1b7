"""ServiceAccount token pieces without a server: key ids, JWKs, the user a token stands for, and the flags."""
from __future__ import annotations

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from apiserver.authn.sakeys import (
    KeyFileError,
    key_id,
    load_signing_key,
    load_verifying_keys,
)
from apiserver.authn.serviceaccount import Account
from apiserver.options.errors import ConfigError
from apiserver.options.flags import parse_flags


def _pem(key) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
                             serialization.NoEncryption())


def test_key_id_is_sha256_of_the_der_public_key():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    expected = base64.urlsafe_b64encode(hashlib.sha256(der).digest()).decode().rstrip("=")
    assert key_id(key.public_key()) == expected


def test_key_files_hold_several_keys_of_either_kind(tmp_path):
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_key = ec.generate_private_key(ec.SECP384R1())
    both = tmp_path / "both.pem"
    both.write_bytes(_pem(rsa_key) + ec_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))
    keys = load_verifying_keys((both,))
    assert [(k.alg, k.kid) for k in keys] == [("RS256", key_id(rsa_key.public_key())),
                                               ("ES384", key_id(ec_key.public_key()))]
    assert list(keys[0].jwk()) == ["use", "kty", "kid", "alg", "n", "e"]
    assert list(keys[1].jwk()) == ["use", "kty", "kid", "crv", "alg", "x", "y"]
    signer = tmp_path / "signer.pem"
    signer.write_bytes(_pem(ec_key))
    assert load_signing_key(signer).alg == "ES384"
    empty = tmp_path / "empty.pem"
    empty.write_text("nothing here")
    with pytest.raises(KeyFileError, match="does not contain any valid RSA or ECDSA public keys"):
        load_verifying_keys((empty,))


def test_service_account_user_has_kube_groups_and_extra():
    extra = {"authentication.kubernetes.io/pod-name": ("p",)}
    user = Account("ns", "robot", "uid-1", extra).user()
    assert (user.name, user.uid) == ("system:serviceaccount:ns:robot", "uid-1")
    assert user.groups == ("system:serviceaccounts", "system:serviceaccounts:ns")
    assert user.extra == extra


@pytest.fixture
def base(tmp_path) -> list[str]:
    for name in ("cert", "key", "sa.key"):
        (tmp_path / name).write_text(name)
    return ["--etcd-servers=https://127.0.0.1:2379", f"--tls-cert-file={tmp_path / 'cert'}",
            f"--tls-private-key-file={tmp_path / 'key'}"]


def test_service_account_flags(base, tmp_path):
    default = parse_flags(base).authentication.service_accounts
    assert (default.issuers, default.key_files, default.extend_token_expiration,
            default.enable_bootstrap_token_auth, default.max_token_expiration) == ((), (), True, False, 0.0)
    sa_key = tmp_path / "sa.key"
    config = parse_flags(base + ["--service-account-issuer=https://a.example", "--service-account-issuer=b",
                                 f"--service-account-signing-key-file={sa_key}",
                                 "--service-account-max-token-expiration=24h",
                                 "--enable-bootstrap-token-auth"]).authentication.service_accounts
    assert config.issuers == ("https://a.example", "b") and config.api_audiences == config.issuers
    assert config.key_files == (sa_key,) and config.max_token_expiration == 86400
    assert config.enable_bootstrap_token_auth
    audiences = parse_flags(base + ["--service-account-issuer=x", f"--service-account-signing-key-file={sa_key}",
                                    "--api-audiences=one,two"]).authentication.service_accounts.api_audiences
    assert audiences == ("one", "two")


@pytest.mark.parametrize("flags,message", [
    (["--service-account-max-token-expiration=30m"],
     "the service-account-max-token-expiration must be between 1 hour and 2^32 seconds"),
    (["--service-account-issuer=a:b"], 'service-account-issuer "a:b" contained a \':\' but was not a valid URL'),
    (["--service-account-issuer=x", "--service-account-issuer=x"], 'service-account-issuer "x" is already specified'),
    (["--service-account-issuer=x"], "service-account-signing-key-file is a required flag"),
    (["--service-account-jwks-uri=http://x/jwks"], "service-account-jwks-uri requires https scheme"),
])
def test_service_account_flag_errors(base, flags, message):
    with pytest.raises(ConfigError, match=message.replace("^", r"\^")):
        parse_flags(base + flags)
