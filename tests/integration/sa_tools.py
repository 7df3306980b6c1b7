"""ServiceAccount signing keys made for a test run, and replicas that use them."""
from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from certs.pki import PkiPaths

ISSUER = "https://kubernetes.default.svc.cluster.local"
OLD_ISSUER = "https://old-issuer.example.com"


@dataclass(frozen=True)
class SaKeys:
    signing_key: Path        # RSA private key: signs, and its public half verifies
    second_key: Path         # EC private key, only its public half is configured (a key being rotated in or out)
    second_public: Path
    unknown_key: Path        # configured nowhere

    def flags(self) -> list[str]:
        return [f"--service-account-issuer={ISSUER}", f"--service-account-issuer={OLD_ISSUER}",
                f"--service-account-signing-key-file={self.signing_key}",
                f"--service-account-key-file={self.signing_key}", f"--service-account-key-file={self.second_public}",
                "--enable-bootstrap-token-auth"]

    @staticmethod
    def private(path: Path):
        return serialization.load_pem_private_key(path.read_bytes(), password=None)


def _write_private(path: Path, key) -> Path:
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    return path


def make_sa_keys(directory: Path) -> SaKeys:
    second = ec.generate_private_key(ec.SECP256R1())
    public = directory / "sa2.pub"
    public.write_bytes(second.public_key().public_bytes(serialization.Encoding.PEM,
                                                        serialization.PublicFormat.SubjectPublicKeyInfo))
    return SaKeys(
        signing_key=_write_private(directory / "sa.key", rsa.generate_private_key(public_exponent=65537,
                                                                                 key_size=2048)),
        second_key=_write_private(directory / "sa2.key", second), second_public=public,
        unknown_key=_write_private(directory / "unknown.key", rsa.generate_private_key(public_exponent=65537,
                                                                                      key_size=2048)))


def server_only_context(pki: PkiPaths) -> ssl.SSLContext:
    """Trusts the server and presents no client certificate, so that a bearer token is what authenticates."""
    return ssl.create_default_context(cafile=str(pki.ca_cert))
