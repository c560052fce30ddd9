"""Each acta's published row kept from one cut to the next (docs/SERVER.md
"Publication"): a cut every five minutes re-renders only the actas whose
published row can have changed.

An entry is kept with the key of everything its row is made of: the fields of
the acta's derived state that :func:`prep_core.publication.published_row` reads
(status, the verified values of every field the row shows, the image, the
times, the Sin acta cause, the cotejo). The same key gives the same row, so a
row is served again only when the state it would be built from now is the one
it was built from; a key that differs in anything builds the row anew. The
catalog, the election and the layout profile scope the whole cache: another of
them empties it.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from prep_core.acta import FIGURE_FIELDS, TOTAL_FIELD
from prep_core.derive import ActaState

if TYPE_CHECKING:
    from prep_core.catalog import Catalog, Election
    from prep_core.figures import ActaOutcome
    from prep_core.layout import Layout
    from prep_core.published import PublishedRow
    from prep_core.values import FieldValue

RowKey = tuple[Hashable, ...]


class Entry(NamedTuple):
    """One acta's row as published, its CSV line (encoded, line end included), what
    the figures need of it, its order in the CSV, the votes it adds to the totals
    (None when it does not count), and the state it was built from."""

    key: RowKey
    row: PublishedRow
    line: bytes
    outcome: ActaOutcome
    order: tuple[Any, ...]
    counted: Sequence[FieldValue | None] | None
    source: ActaState


def row_fields(election: Election) -> tuple[str, ...]:
    """Every field of the verified reading that a published row shows."""
    return (*FIGURE_FIELDS, *election.vote_fields, TOTAL_FIELD)


def row_key(state: ActaState, fields: Sequence[str],
            integrity: Mapping[str, str] | None = None) -> RowKey:
    """Everything of ``state`` that its published row is made of; with ``integrity``
    (codes by image SHA-256, when the layout publishes another hash) the image's code
    too: an image whose bytes arrive after its event gets its code at a later cut."""
    reading = state.reading or {}
    image = state.reading_image
    code = image_code(state, integrity)
    return (
        state.status,
        state.sin_acta,
        state.fecha_acopio,
        state.fecha_captura,
        state.fecha_verificacion,
        state.cotejada,
        image,
        code,
        *map(reading.get, fields),
    )


_CODE = 7  # where row_key puts the image's integrity code


def image_code(state: ActaState, integrity: Mapping[str, str] | None) -> str | None:
    """The integrity code of the image ``state`` is read from, as the key holds it."""
    image = state.reading_image
    return integrity.get(image.sha256) if integrity is not None and image else None


def unchanged(entry: Entry, state: ActaState, fields: Sequence[str],
              integrity: Mapping[str, str] | None) -> bool:
    """Whether ``entry`` is still the row of ``state``. The very state the row was
    built from (states are frozen, and the server keeps an acta's state object until
    the acta changes) needs only its image's code compared, the one part of the key
    that can arrive later; any other state is compared by its whole key."""
    if entry.source is state:
        return integrity is None or entry.key[_CODE] == image_code(state, integrity)
    return entry.key == row_key(state, fields, integrity)


class RowCache:
    """Rows of the last cut of one election, by CLAVE_ACTA. Not thread-safe: the
    server takes one cut at a time."""

    def __init__(self) -> None:
        self._scope: tuple[Catalog, str, Layout] | None = None
        self.entries: dict[str, Entry] = {}
        self.elsewhere: set[str] = set()  # actas seen that belong to another election
        self.reused = 0  # rows served from the cache by the last cut
        self.built = 0  # rows built anew by the last cut

    def scoped(self, catalog: Catalog, election: Election, layout: Layout) -> dict[str, Entry]:
        """The entries, emptied first when the catalog, the election or the layout
        differ from the last cut's."""
        scope = self._scope
        if scope is None or not (
            scope[0] is catalog and scope[1] == election.id and scope[2] == layout
        ):
            self.entries = {}
            self.elsewhere = set()
            self._scope = (catalog, election.id, layout)
        self.reused = self.built = 0
        return self.entries
