"""Ed25519 verification of many messages under one public key.

Ingest verifies every event's signature, and that is its largest cost. With
PyNaCl installed this uses libsodium, whose verification is about twice as
fast as OpenSSL's here and at least as strict (it also refuses small-order
keys and non-canonical points, which no honest signer produces); otherwise
OpenSSL through ``cryptography``, with the key parsed once per batch.
"""

from __future__ import annotations

from collections.abc import Callable

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

try:
    from nacl.bindings import crypto_sign_open
    from nacl.exceptions import BadSignatureError, CryptoError
except ImportError:  # pragma: no cover - PyNaCl is a declared dependency
    crypto_sign_open = None  # type: ignore[assignment]

Verify = Callable[[bytes, bytes], bool]  # (signature, message) -> valid?
BACKEND = "libsodium" if crypto_sign_open is not None else "openssl"


def verifier(public_key: bytes) -> Verify:
    """A function telling whether a signature over a message is valid under this key."""
    if len(public_key) != 32:
        return lambda _sig, _msg: False
    if crypto_sign_open is not None:
        return _sodium(public_key)
    return _openssl(public_key)


def _sodium(public_key: bytes) -> Verify:
    def check(sig: bytes, msg: bytes) -> bool:
        if len(sig) != 64:
            return False
        try:
            crypto_sign_open(sig + msg, public_key)
        except (BadSignatureError, CryptoError, ValueError):
            return False
        return True

    return check


def _openssl(public_key: bytes) -> Verify:
    try:
        key = Ed25519PublicKey.from_public_bytes(public_key)
    except ValueError:
        return lambda _sig, _msg: False

    def check(sig: bytes, msg: bytes) -> bool:
        try:
            key.verify(sig, msg)
        except (InvalidSignature, ValueError):
            return False
        return True

    return check
