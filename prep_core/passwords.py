"""Password hashes for people (station operators, console coordinators):
scrypt, memory-hard, in one self-describing text format
``scrypt$N$r$p$<salt hex>$<key hex>``."""

from __future__ import annotations

import hashlib
import hmac
import os

N, R, P = 2**14, 8, 1
MAX_N = 2**20


def hash_password(password: str, *, n: int = N) -> str:
    salt = os.urandom(16)
    dk = hashlib.scrypt(password.encode(), salt=salt, n=n, r=R, p=P, dklen=32)
    return f"scrypt${n}${R}${P}${salt.hex()}${dk.hex()}"


def check_password(stored: str, password: str) -> bool:
    """True when ``password`` matches; a damaged or foreign hash is simply False."""
    try:
        name, n, r, p, salt, dk = stored.split("$")
        if name != "scrypt" or not 2 <= int(n) <= MAX_N:
            return False
        got = hashlib.scrypt(
            password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), dklen=32
        )
    except (ValueError, TypeError, OverflowError, MemoryError):
        return False
    return hmac.compare_digest(got, bytes.fromhex(dk))
