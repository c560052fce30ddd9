"""Ed25519 keys for stations and the server: generation, fingerprints, and
passphrase-encrypted storage (scrypt + ChaCha20-Poly1305)."""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

from prep_core.errors import SignatureError

KEY_FORMAT = "prep-key/1"
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
MIN_PASSPHRASE = 8


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError, AttributeError) as exc:
        raise SignatureError(f"{what} no es base64", f"{what} is not base64", where=what) from exc


def fingerprint(public_key: bytes) -> str:
    """SHA-256 of the raw 32-byte public key, hex; shown to people in groups of four."""
    return hashlib.sha256(public_key).hexdigest()


def short_fingerprint(fp: str) -> str:
    return " ".join(fp[i : i + 4] for i in range(0, 32, 4)).upper()


@dataclass(frozen=True)
class KeyPair:
    private: Ed25519PrivateKey

    @classmethod
    def generate(cls) -> KeyPair:
        return cls(Ed25519PrivateKey.generate())

    @property
    def public_bytes(self) -> bytes:
        return self.private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public_bytes)

    def sign(self, message: bytes) -> bytes:
        return self.private.sign(message)

    def private_bytes(self) -> bytes:
        return self.private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def verify(public_key: bytes, signature: bytes, message: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def _kdf(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def encrypt_key(kp: KeyPair, passphrase: str, *, n: int = SCRYPT_N) -> dict[str, Any]:
    """A JSON-able document holding the private key encrypted under the passphrase."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise SignatureError(
            f"la frase de acceso debe tener al menos {MIN_PASSPHRASE} caracteres",
            f"the passphrase must have at least {MIN_PASSPHRASE} characters",
            where="passphrase",
        )
    salt, nonce = os.urandom(16), os.urandom(12)
    key = _kdf(passphrase, salt, n, SCRYPT_R, SCRYPT_P)
    ct = ChaCha20Poly1305(key).encrypt(nonce, kp.private_bytes(), kp.public_bytes)
    return {
        "format": KEY_FORMAT,
        "kdf": {"name": "scrypt", "n": n, "r": SCRYPT_R, "p": SCRYPT_P, "salt": b64(salt)},
        "cipher": {"name": "chacha20-poly1305", "nonce": b64(nonce), "ciphertext": b64(ct)},
        "public_key": b64(kp.public_bytes),
        "fingerprint": kp.fingerprint,
    }


def decrypt_key(doc: Any, passphrase: str) -> KeyPair:
    """Open a key document; a wrong passphrase or a damaged file raises SignatureError."""
    try:
        if doc["format"] != KEY_FORMAT or doc["kdf"]["name"] != "scrypt":
            raise KeyError("format")
        kdf, cipher = doc["kdf"], doc["cipher"]
        n, r, p = int(kdf["n"]), int(kdf["r"]), int(kdf["p"])
        if not (2**10 <= n <= 2**20 and 1 <= r <= 32 and 1 <= p <= 16):
            raise KeyError("kdf")
        salt = unb64(kdf["salt"], "salt")
        nonce = unb64(cipher["nonce"], "nonce")
        ct = unb64(cipher["ciphertext"], "ciphertext")
        public = unb64(doc["public_key"], "public_key")
    except (KeyError, TypeError, ValueError) as exc:
        raise SignatureError(
            "archivo de llave dañado o de otro formato",
            "damaged key file or unknown format",
            where="key",
        ) from exc
    try:
        raw = ChaCha20Poly1305(_kdf(passphrase, salt, n, r, p)).decrypt(nonce, ct, public)
    except InvalidTag:
        raise SignatureError(
            "frase de acceso incorrecta", "wrong passphrase", where="key"
        ) from None
    kp = KeyPair(Ed25519PrivateKey.from_private_bytes(raw))
    if kp.public_bytes != public:
        raise SignatureError("la llave no corresponde", "key does not match", where="key")
    return kp
