"""The local ciphers of encryption at rest, byte for byte as kube-apiserver lays them out after the prefix.

- aescbc: 16-byte random IV, then AES-CBC of the PKCS#7-padded plaintext; no authenticated data.
- aesgcm: 12-byte random nonce, then AES-GCM ciphertext and tag; the etcd key is the authenticated data.
- secretbox: 24-byte random nonce, then NaCl secretbox (XSalsa20-Poly1305); no authenticated data.
Error messages are Go's and kube's, since they reach clients inside 500 Statuses.
"""
from __future__ import annotations

import os

import nacl.exceptions
import nacl.secret
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from apiserver.storage.transformer import TransformError

AES_BLOCK = 16
GCM_NONCE = 12
SECRETBOX_NONCE = nacl.secret.SecretBox.NONCE_SIZE
SHORT_DATA = "the stored data was shorter than the required size"


class AESCBCTransformer:
    def __init__(self, key: bytes) -> None:
        self._algorithm = algorithms.AES(key)

    def from_storage(self, data: bytes, context: bytes) -> tuple[bytes, bool]:
        if len(data) < AES_BLOCK:
            raise TransformError(SHORT_DATA)
        iv, body = data[:AES_BLOCK], data[AES_BLOCK:]
        if len(body) % AES_BLOCK:
            raise TransformError("the stored data is not a multiple of the block size")
        decryptor = Cipher(self._algorithm, modes.CBC(iv)).decryptor()
        plain = decryptor.update(body) + decryptor.finalize()
        pad = plain[-1] if plain else 0
        if pad == 0 or pad > len(plain):
            raise TransformError("invalid PKCS7 data (empty or not padded)")
        if plain[-pad:] != bytes([pad]) * pad:
            raise TransformError("invalid padding on input")
        return plain[:-pad], False

    def to_storage(self, data: bytes, context: bytes) -> bytes:
        pad = AES_BLOCK - len(data) % AES_BLOCK
        iv = os.urandom(AES_BLOCK)
        encryptor = Cipher(self._algorithm, modes.CBC(iv)).encryptor()
        return iv + encryptor.update(data + bytes([pad]) * pad) + encryptor.finalize()


class AESGCMTransformer:
    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    def from_storage(self, data: bytes, context: bytes) -> tuple[bytes, bool]:
        if len(data) < GCM_NONCE:
            raise TransformError(SHORT_DATA)
        try:
            return self._aead.decrypt(data[:GCM_NONCE], data[GCM_NONCE:], context), False
        except InvalidTag:
            raise TransformError("cipher: message authentication failed") from None

    def to_storage(self, data: bytes, context: bytes) -> bytes:
        nonce = os.urandom(GCM_NONCE)
        return nonce + self._aead.encrypt(nonce, data, context)


class SecretboxTransformer:
    def __init__(self, key: bytes) -> None:
        self._box = nacl.secret.SecretBox(key)

    def from_storage(self, data: bytes, context: bytes) -> tuple[bytes, bool]:
        if len(data) < SECRETBOX_NONCE + nacl.secret.SecretBox.MACBYTES:
            raise TransformError(SHORT_DATA)
        try:
            return self._box.decrypt(data[SECRETBOX_NONCE:], data[:SECRETBOX_NONCE]), False
        except nacl.exceptions.CryptoError:
            # kube's message for a failed Open, misleading as it is
            raise TransformError("output array was not large enough for encryption") from None

    def to_storage(self, data: bytes, context: bytes) -> bytes:
        nonce = os.urandom(SECRETBOX_NONCE)
        return bytes(self._box.encrypt(data, nonce))
