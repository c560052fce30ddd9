"""Expected failures of the domain, each naming the place where it happened."""

from __future__ import annotations


class PrepError(ValueError):
    """Bad input from outside: a clear message naming the place, never a traceback.

    ``message_es`` is shown to Spanish-speaking users first; ``str()`` gives both.
    """

    def __init__(self, message_es: str, message_en: str, *, where: str = "") -> None:
        self.message_es = message_es
        self.message_en = message_en
        self.where = where
        prefix = f"{where}: " if where else ""
        super().__init__(f"{prefix}{message_es} / {message_en}")


class CatalogError(PrepError):
    """A catalog file or row that cannot be accepted."""


class IdentityError(PrepError):
    """A casilla or acta key out of its ranges (also a ValueError)."""


class QrError(PrepError):
    """A QR payload that does not fit its layout."""


class PublishedFileError(PrepError):
    """A published PREP database that cannot be read."""


class SignatureError(PrepError):
    """A signature, key or chain that does not verify."""
