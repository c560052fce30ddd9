"""The label on an acta against the identification written in it (docs/DOMAIN.md §3).

A QR label is stuck on each envelope by hand at acopio, and a key can be typed by hand;
the officials wrote the casilla's identification in the acta's first section. This
module holds what both need and that involves no image: the identification an acta
should carry (:func:`expected_written`), a neighbour's label (:func:`neighbour_label`,
the usual mistake: the next casilla of the same sección) and a key typed with a slip
(:func:`typo_key`), which the test decks and the simulacro use to make the mistakes the
reader must catch.
"""

from __future__ import annotations

from dataclasses import dataclass

from prep_core.catalog import Catalog, ExpectedActa
from prep_core.identity import split_clave_acta
from prep_core.qr import QrIdentity, format_qr


@dataclass(frozen=True)
class WrittenIdentity:
    """Section 1 of an acta: what the officials wrote (None where they wrote nothing).
    ``numero`` is None on a básica, whose number is not written."""

    demarcacion: int | None
    seccion: int | None
    tipo: str | None
    numero: int | None

    def to_json(self) -> dict[str, int | str | None]:
        return {"demarcacion": self.demarcacion, "seccion": self.seccion, "tipo": self.tipo,
                "numero": self.numero}


def expected_written(ident: QrIdentity) -> WrittenIdentity:
    """What section 1 says on the acta ``ident`` names (its demarcación is the QR's)."""
    k = ident.casilla
    return WrittenIdentity(ident.id_distrito or None, k.seccion, k.tipo,
                           None if k.tipo == "B" else k.numero)


def identity_of(acta: ExpectedActa) -> QrIdentity:
    """The label an expected acta of the catalog should carry."""
    return QrIdentity(acta.casilla.key, acta.id_demarcacion, acta.tipo_acta,
                      acta.election.id_tipo_candidatura)


def neighbours(catalog: Catalog, ident: QrIdentity) -> list[ExpectedActa]:
    """The actas of the same election nearest to ``ident``'s casilla, nearest first: the
    other casillas of its sección, then those of the sécciones next to it (the labels of
    one sección lie together at acopio)."""
    own = catalog.acta(ident.clave_acta)
    election = own.election.id if own is not None else None
    sec = ident.casilla.seccion
    out = [a for a in catalog.expected_actas(election)
           if a.clave_acta != ident.clave_acta
           and a.election.id_tipo_candidatura == ident.id_tipo_candidatura]
    return sorted(out, key=lambda a: (abs(a.casilla.key.seccion - sec), a.casilla.key))


def neighbour_label(catalog: Catalog, ident: QrIdentity, pick: int = 0) -> QrIdentity:
    """A neighbour's label for the acta ``ident`` (``pick``: which of the nearest four):
    the label that a slip at acopio puts on its envelope. Pure: same input, same label."""
    near = neighbours(catalog, ident)[:4]
    if not near:
        raise ValueError("el catálogo no tiene otra acta de esa elección / "
                         "the catalog has no other acta of that election")
    return identity_of(near[pick % len(near)])


def swapped_label(catalog: Catalog, clave_acta: str, pick: int = 0) -> str:
    """The QR payload of a neighbour's label, to stick on the acta ``clave_acta`` instead
    of its own (in its election's QR layout): what a test deck or the simulacro prints
    on the sticker of an acta whose figures and section 1 stay its own."""
    acta = catalog.acta(clave_acta)
    if acta is None:
        raise ValueError(f"{clave_acta} no está en el catálogo / is not in the catalog")
    return format_qr(neighbour_label(catalog, identity_of(acta), pick), acta.election.qr_layout)


def typo_key(clave_acta: str, pick: int) -> str:
    """``clave_acta`` as a hurried hand types it: one digit of the sección or casilla
    number struck as the key beside it, or two of them swapped (``pick`` chooses which
    slip, deterministically). Never the key itself."""
    key, tipo_acta = split_clave_acta(clave_acta)
    digits = list(f"{key.seccion:04d}{key.numero:02d}")
    n = len(digits)
    kind, at = pick % 2, (pick // 2) % n
    if kind == 1 and digits[at] != digits[(at + 1) % n]:
        j = (at + 1) % n
        digits[at], digits[j] = digits[j], digits[at]
    else:
        d = int(digits[at])
        digits[at] = str((d + (1 if (pick // (2 * n)) % 2 == 0 else 9)) % 10)
    sec, num = int("".join(digits[:4])), int("".join(digits[4:]))
    return (f"{key.id_entidad:02d}{sec:04d}{key.tipo}{num:02d}{key.ext_contigua:02d}{tipo_acta}")
