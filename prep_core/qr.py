"""QR payloads on actas (DOMAIN.md §3).

INE's own QA tooling joins identification fields with ``|``; that layout is the
default, and each election may configure its own field order and separator.
"""

from __future__ import annotations

from dataclasses import dataclass

from prep_core.errors import IdentityError, QrError
from prep_core.identity import CasillaKey, valid_tipo_acta

QR_FIELDS = frozenset(
    {
        "ID_ESTADO",
        "ID_DISTRITO",
        "TIPO_ACTA",
        "SECCION",
        "ID_CASILLA",
        "TIPO_CASILLA",
        "EXT_CONTIGUA",
        "ID_TIPO_CANDIDATURA",
    }
)
MAX_PAYLOAD = 512


@dataclass(frozen=True)
class QrLayout:
    fields: tuple[str, ...]
    separator: str = "|"

    @classmethod
    def parse(cls, spec: str) -> QrLayout:
        """``"ID_ESTADO|ID_DISTRITO|…"``: the separator is the first non-name character."""
        sep = next((c for c in spec if not (c.isalnum() or c == "_")), "|")
        fields = tuple(f.strip() for f in spec.split(sep))
        unknown = [f for f in fields if f not in QR_FIELDS]
        if unknown or len(set(fields)) != len(fields):
            raise QrError(
                f"formato de QR desconocido: {spec!r}",
                f"unknown QR layout: {spec!r}",
                where="qr_layout",
            )
        missing = QR_FIELDS - set(fields) - {"ID_DISTRITO"}
        if missing:
            raise QrError(
                f"al formato de QR le faltan campos: {sorted(missing)}",
                f"QR layout lacks fields: {sorted(missing)}",
                where="qr_layout",
            )
        return cls(fields, sep)

    @property
    def spec(self) -> str:
        return self.separator.join(self.fields)


INE_LAYOUT = QrLayout(
    (
        "ID_ESTADO",
        "ID_DISTRITO",
        "TIPO_ACTA",
        "SECCION",
        "ID_CASILLA",
        "TIPO_CASILLA",
        "EXT_CONTIGUA",
        "ID_TIPO_CANDIDATURA",
    )
)


@dataclass(frozen=True)
class QrIdentity:
    """What a QR label says about its acta. ``id_distrito`` is the district or
    municipio of the election's ámbito (0 when the layout lacks it)."""

    casilla: CasillaKey
    id_distrito: int
    tipo_acta: str
    id_tipo_candidatura: int

    @property
    def clave_casilla(self) -> str:
        return self.casilla.clave

    @property
    def clave_acta(self) -> str:
        return self.casilla.clave_acta(self.tipo_acta)


def parse_qr(payload: str, layout: QrLayout = INE_LAYOUT) -> QrIdentity:
    """Parse a QR payload; raise :class:`QrError` naming what is wrong."""
    if not isinstance(payload, str) or len(payload) > MAX_PAYLOAD:
        raise QrError("QR ilegible o demasiado largo", "QR unreadable or too long", where="qr")
    parts = payload.strip().split(layout.separator)
    if len(parts) != len(layout.fields):
        raise QrError(
            f"el QR tiene {len(parts)} campos, el formato espera {len(layout.fields)}",
            f"QR has {len(parts)} fields, layout expects {len(layout.fields)}",
            where="qr",
        )
    v = dict(zip(layout.fields, (p.strip() for p in parts), strict=True))

    def num(name: str) -> int:
        text = v.get(name, "0")
        if not (text.isdigit() and text.isascii()):
            raise QrError(
                f"el campo {name} del QR no es un número: {text!r}",
                f"QR field {name} is not a number: {text!r}",
                where="qr",
            )
        return int(text)

    tipo_acta = v["TIPO_ACTA"]
    if not valid_tipo_acta(tipo_acta):
        raise QrError(
            f"TIPO_ACTA inválido en el QR: {tipo_acta!r}",
            f"invalid TIPO_ACTA in QR: {tipo_acta!r}",
            where="qr",
        )
    try:
        key = CasillaKey(
            num("ID_ESTADO"),
            num("SECCION"),
            v["TIPO_CASILLA"].upper(),
            num("ID_CASILLA"),
            num("EXT_CONTIGUA"),
        )
    except IdentityError as exc:
        raise QrError(
            f"identidad inválida en el QR: {exc.message_es}",
            f"invalid identity in QR: {exc.message_en}",
            where="qr",
        ) from exc
    return QrIdentity(key, num("ID_DISTRITO"), tipo_acta.upper(), num("ID_TIPO_CANDIDATURA"))


def format_qr(identity: QrIdentity, layout: QrLayout = INE_LAYOUT) -> str:
    """The payload a QR label carries for ``identity`` (numbers without padding)."""
    k = identity.casilla
    v = {
        "ID_ESTADO": str(k.id_entidad),
        "ID_DISTRITO": str(identity.id_distrito),
        "TIPO_ACTA": identity.tipo_acta,
        "SECCION": str(k.seccion),
        "ID_CASILLA": str(k.numero),
        "TIPO_CASILLA": k.tipo,
        "EXT_CONTIGUA": str(k.ext_contigua),
        "ID_TIPO_CANDIDATURA": str(identity.id_tipo_candidatura),
    }
    return layout.separator.join(v[f] for f in layout.fields)
