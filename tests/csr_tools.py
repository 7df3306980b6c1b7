"""Real PKCS#10 requests and X.509 certificates for CertificateSigningRequest tests, PEM-encoded and then base64-encoded
as the API carries them (`spec.request`, `status.certificate`), since the server checks both as kube does."""
from __future__ import annotations

import base64
import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def request_pem(common_name: str = "test") -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    request = x509.CertificateSigningRequestBuilder().subject_name(_name(common_name)).sign(key, hashes.SHA256())
    return request.public_bytes(serialization.Encoding.PEM)


def certificate_pem(common_name: str = "test") -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    certificate = (x509.CertificateBuilder().subject_name(_name(common_name)).issuer_name(_name(common_name))
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
                   .sign(key, hashes.SHA256()))
    return certificate.public_bytes(serialization.Encoding.PEM)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def csr_request(common_name: str = "test") -> str:
    """`spec.request` of a valid CertificateSigningRequest."""
    return b64(request_pem(common_name))


def issued_certificate(common_name: str = "test") -> str:
    """`status.certificate` of an issued CertificateSigningRequest."""
    return b64(certificate_pem(common_name))
