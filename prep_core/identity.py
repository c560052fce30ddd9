"""CLAVE_CASILLA and CLAVE_ACTA (docs/DOMAIN.md, identity keys)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from prep_core.errors import IdentityError

TIPOS_CASILLA = frozenset("BCESMAPV")

_CLAVE_RE = re.compile(r"^(\d{2})(\d{4})([A-Z])(\d{2})(\d{2})$")
# the number printed on the form, or an OPLE's suffixed code for the two actas of a
# casilla especial (``2 EMR``, ``2 ERP``): ASCII letters and digits, single spaces between
_TIPO_ACTA_RE = re.compile(r"[0-9A-Za-z]+( [0-9A-Za-z]+)*")


def valid_tipo_acta(tipo_acta: str) -> bool:
    if tipo_acta.isalnum() and tipo_acta.isascii():  # the usual case, without a regex
        return True
    return bool(_TIPO_ACTA_RE.fullmatch(tipo_acta))


@dataclass(frozen=True, order=True)
class CasillaKey:
    """The identity of a casilla: entidad, sección, tipo, número, extensión contigua."""

    id_entidad: int
    seccion: int
    tipo: str
    numero: int
    ext_contigua: int

    def __post_init__(self) -> None:
        if not 0 < self.id_entidad < 100:
            raise IdentityError(f"ID_ENTIDAD fuera de rango: {self.id_entidad}",
                                f"ID_ENTIDAD out of range: {self.id_entidad}")
        if not 0 <= self.seccion < 10000:
            raise IdentityError(f"SECCION fuera de rango: {self.seccion}",
                                f"SECCION out of range: {self.seccion}")
        if self.tipo not in TIPOS_CASILLA:
            raise IdentityError(f"TIPO_CASILLA desconocido: {self.tipo!r}",
                                f"TIPO_CASILLA unknown: {self.tipo!r}")
        if not 0 <= self.numero < 100:
            raise IdentityError(f"ID_CASILLA fuera de rango: {self.numero}",
                                f"ID_CASILLA out of range: {self.numero}")
        if not 0 <= self.ext_contigua < 100:
            raise IdentityError(f"EXT_CONTIGUA fuera de rango: {self.ext_contigua}",
                                f"EXT_CONTIGUA out of range: {self.ext_contigua}")

    @cached_property  # written once per CSV row and site page: kept (the key is frozen)
    def clave(self) -> str:
        """``180001B0100``: entidad(2) sección(4) tipo(1) número(2) extensión(2)."""
        return (
            f"{self.id_entidad:02d}{self.seccion:04d}{self.tipo}"
            f"{self.numero:02d}{self.ext_contigua:02d}"
        )

    def clave_acta(self, tipo_acta: str) -> str:
        return clave_acta(self.clave, tipo_acta)


def parse_clave_casilla(clave: str) -> CasillaKey:
    m = _CLAVE_RE.match(clave.strip().strip("'"))
    if not m:
        raise IdentityError(f"no es una CLAVE_CASILLA: {clave!r}", f"not a CLAVE_CASILLA: {clave!r}")
    ent, sec, tipo, num, ext = m.groups()
    return CasillaKey(int(ent), int(sec), tipo, int(num), int(ext))


def clave_acta(clave_casilla: str, tipo_acta: str) -> str:
    """CLAVE_ACTA = CLAVE_CASILLA + TIPO_ACTA."""
    if not valid_tipo_acta(tipo_acta):
        raise IdentityError(f"TIPO_ACTA debe ser alfanumérico: {tipo_acta!r}",
                            f"TIPO_ACTA must be alphanumeric: {tipo_acta!r}")
    return clave_casilla + tipo_acta


def split_clave_acta(clave: str) -> tuple[CasillaKey, str]:
    """Split ``180001B01002`` into its casilla key and TIPO_ACTA."""
    s = clave.strip().strip("'")
    if len(s) <= 11:
        raise IdentityError(f"no es una CLAVE_ACTA: {clave!r}", f"not a CLAVE_ACTA: {clave!r}")
    return parse_clave_casilla(s[:11]), s[11:]
