"""ServiceAccount token keys: PEM files read into signing and verifying keys, kube's key ids, and the JWKS
document those keys publish."""
from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

PublicKey = rsa.RSAPublicKey | ec.EllipticCurvePublicKey
PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

_PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z ]+)-----.*?-----END \1-----", re.S)
# the JWS algorithm kube signs with for each elliptic curve
_CURVE_ALGORITHMS = {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512"}


class KeyFileError(ValueError):
    pass


def key_id(public: PublicKey) -> str:
    """kube's keyIDFromPublicKey: SHA-256 of the DER SubjectPublicKeyInfo, base64url without padding."""
    der = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.urlsafe_b64encode(hashlib.sha256(der).digest()).rstrip(b"=").decode()


def algorithm(key: PublicKey | PrivateKey) -> str:
    if isinstance(key, (rsa.RSAPublicKey, rsa.RSAPrivateKey)):
        return "RS256"
    return _CURVE_ALGORITHMS[key.curve.name]


@dataclass(frozen=True)
class VerifyingKey:
    public: PublicKey
    kid: str
    alg: str

    def jwk(self) -> dict[str, Any]:
        """The key as a JSON Web Key, in the field order of kube's JWKS."""
        if isinstance(self.public, rsa.RSAPublicKey):  # alg is RS256
            fields = RSAAlgorithm.to_jwk(self.public, as_dict=True)
        else:
            fields = ECAlgorithm.to_jwk(self.public, as_dict=True)
        jwk = {"use": "sig", "kty": fields["kty"], "kid": self.kid}
        if "crv" in fields:
            jwk["crv"] = fields["crv"]
        jwk["alg"] = self.alg
        for name in ("n", "e", "x", "y"):
            if name in fields:
                jwk[name] = fields[name]
        return jwk


@dataclass(frozen=True)
class SigningKey:
    private: PrivateKey
    kid: str
    alg: str


def _public_from_block(label: str, block: bytes) -> PublicKey | None:
    loaded: Any
    if label == "CERTIFICATE":
        loaded = x509.load_pem_x509_certificate(block).public_key()
    elif "PRIVATE KEY" in label:
        loaded = serialization.load_pem_private_key(block, password=None).public_key()
    elif "PUBLIC KEY" in label:
        loaded = serialization.load_pem_public_key(block)
    else:
        return None
    return _supported(loaded)


def _supported(key: Any) -> Any:
    """An RSA key, or an EC key on a curve kube signs with; KeyFileError for any other."""
    if not isinstance(key, (rsa.RSAPublicKey, ec.EllipticCurvePublicKey, rsa.RSAPrivateKey,
                            ec.EllipticCurvePrivateKey)):
        raise KeyFileError(f"unsupported key type {type(key).__name__}")
    if isinstance(key, (ec.EllipticCurvePublicKey, ec.EllipticCurvePrivateKey)) and \
            key.curve.name not in _CURVE_ALGORITHMS:
        raise KeyFileError(f"unsupported elliptic curve {key.curve.name}")
    return key


def load_verifying_keys(paths: tuple[Path, ...]) -> list[VerifyingKey]:
    """Every public key in every file: PEM public keys, private keys (their public half) or certificates."""
    keys: list[VerifyingKey] = []
    for path in paths:
        found = 0
        for match in _PEM_BLOCK.finditer(path.read_bytes()):
            try:
                public = _public_from_block(match.group(1).decode(), match.group(0))
            except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
                # TypeError: an encrypted private key
                raise KeyFileError(f"{path}: {exc}") from None
            if public is not None:
                keys.append(VerifyingKey(public, key_id(public), algorithm(public)))
                found += 1
        if not found:
            raise KeyFileError(f"{path}: data does not contain any valid RSA or ECDSA public keys")
    return keys


def load_signing_key(path: Path) -> SigningKey:
    try:
        private = _supported(serialization.load_pem_private_key(path.read_bytes(), password=None))
    except (ValueError, TypeError, UnsupportedAlgorithm) as exc:
        raise KeyFileError(f"{path}: {exc}") from None
    return SigningKey(private, key_id(private.public_key()), algorithm(private))
