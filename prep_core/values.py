"""Values of the figures on an acta: a whole number, Ilegible or Sin dato; and, in a
published database, No aplica for a field that is not on that acta (DOMAIN.md §4)."""

from __future__ import annotations

import enum
from collections.abc import Mapping


class Mark(enum.Enum):
    """A figure that holds no number."""

    ILEGIBLE = "Ilegible"  # unreadable in both figures and words
    SIN_DATO = "Sin dato"  # blank in both figures and words
    # not on this acta (a combination absent from the casilla's demarcación, a field
    # of the other acta of an especial): neither Ilegible nor Sin dato, never captured
    NO_APLICA = "N/A"

    def __str__(self) -> str:
        return self.value


FieldValue = int | Mark

# what a capture may hold: No aplica comes from the catalog, never from a person
CAPTURED_MARKS = (Mark.ILEGIBLE, Mark.SIN_DATO)
_MARKS = {m.value.casefold(): m for m in CAPTURED_MARKS}


def parse_value(text: str) -> FieldValue:
    """Parse ``"12"``, ``"Ilegible"`` or ``"Sin dato"``; raise ValueError otherwise."""
    s = text.strip()
    if s.isdigit() and s.isascii():
        return int(s)
    mark = _MARKS.get(s.casefold())
    if mark is None:
        raise ValueError(f"not a figure: {text!r}")
    return mark


def check_value(value: object) -> FieldValue:
    """Validate a value that came from outside (JSON): int >= 0, or a mark's text."""
    if isinstance(value, Mark):
        if value not in CAPTURED_MARKS:
            raise ValueError(f"not a captured figure: {value!r}")
        return value
    if isinstance(value, bool):
        raise ValueError(f"not a figure: {value!r}")
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"negative figure: {value}")
        return value
    if isinstance(value, str):
        return parse_value(value)
    raise ValueError(f"not a figure: {value!r}")


def as_count(value: FieldValue) -> int:
    """Ilegible, Sin dato and No aplica count as zero."""
    return value if isinstance(value, int) else 0


def to_json(value: FieldValue) -> int | str:
    return value if isinstance(value, int) else value.value


def values_to_json(values: Mapping[str, FieldValue]) -> dict[str, int | str]:
    return {k: to_json(v) for k, v in values.items()}
