"""Pydantic models that document the API in OpenAPI (the services validate again)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints


class WireEvent(BaseModel):
    event: dict[str, Any] = Field(description="Event body (prep-event/1), see docs/EVENTS.md")
    sig: str = Field(description="Ed25519 signature of the canonical body, base64")


STATION_ID = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"  # services/stations.py
BASE64 = r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$"
SHA256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
B64 = Annotated[str, StringConstraints(pattern=BASE64)]


class BatchIn(BaseModel):
    station: str = Field(pattern=STATION_ID)
    events: list[WireEvent] = Field(
        min_length=1, description="At most settings.max_events_per_batch (5,000): else 413"
    )
    images: dict[SHA256, B64] | None = Field(
        default=None, description="Optional inline images: SHA-256 hex → base64 bytes"
    )


class EnrollmentIn(BaseModel):
    station: str = Field(pattern=STATION_ID)
    public_key: str = Field(
        pattern=r"^[A-Za-z0-9+/]{43}=$", description="Raw Ed25519 public key, base64"
    )
    role: Literal["CATD", "CCV", "CASILLA"]
    name: str = Field(min_length=1, max_length=200)
    at: int = Field(ge=0, description="Milliseconds since the epoch")
    sig: str = Field(description="Signature of the canonical request (prep-enrollment/1)")
    code: str = Field(
        max_length=64, description="One-time enrollment code issued in the console (not signed)"
    )


class Head(BaseModel):
    seq: int
    hash: str


class StationOut(BaseModel):
    station: str
    role: str
    name: str
    status: str
    fingerprint: str
    head: Head
    last_contact: int | None
    gap: list[int] | None = Field(
        default=None, description="Missing numbers [first, last] of the last chain gap reported"
    )
    gap_events: int = Field(default=0, description="Events of the batch refused for that gap")
    gap_at: int | None = None
    scope: dict[str, list[int]] | None = Field(
        default=None, description="The distritos or municipios it may send for (null: all)"
    )
    self_verify: bool = Field(
        default=False, description="Two operators of this station may verify an acta"
    )


class ReceiptOut(BaseModel):
    receipt: dict[str, Any]
    sig: str


class ErrorOut(BaseModel):
    error: str
    detail: str
    message_es: str | None = None
    message_en: str | None = None
    index: int | None = None


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut} for code in (400, 403, 404, 409, 413, 422)
}


def body_doc(model: type[BaseModel]) -> dict[str, Any]:
    """OpenAPI requestBody for routes that read the raw body themselves."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": model.model_json_schema()}},
        }
    }
