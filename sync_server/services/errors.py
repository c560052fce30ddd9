"""Expected failures of a request, with the HTTP status the routes map them to."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """A refused request: a stable ``code``, a reason in Spanish and English, and
    where known the index of the offending event in its batch."""

    def __init__(
        self,
        status: int,
        code: str,
        message_es: str,
        message_en: str,
        *,
        index: int | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(f"{code}: {message_es} / {message_en}")
        self.status = status
        self.code = code
        self.message_es = message_es
        self.message_en = message_en
        self.index = index
        self.extra = extra or {}

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "error": self.code,
            "detail": f"{self.message_es} / {self.message_en}",
            "message_es": self.message_es,
            "message_en": self.message_en,
        }
        if self.index is not None:
            doc["index"] = self.index
        doc.update(self.extra)
        return doc


def bad_request(code: str, es: str, en: str, **kw: Any) -> ServiceError:
    return ServiceError(400, code, es, en, **kw)


def unprocessable(code: str, es: str, en: str, **kw: Any) -> ServiceError:
    return ServiceError(422, code, es, en, **kw)


def forbidden(code: str, es: str, en: str, **kw: Any) -> ServiceError:
    return ServiceError(403, code, es, en, **kw)


def not_found(code: str, es: str, en: str, **kw: Any) -> ServiceError:
    return ServiceError(404, code, es, en, **kw)


def conflict(code: str, es: str, en: str, **kw: Any) -> ServiceError:
    return ServiceError(409, code, es, en, **kw)
