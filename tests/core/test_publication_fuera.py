"""A fuera de catálogo acta is published once registered: no station captures it (its
QR names no approved casilla), so it is never verified, yet DOMAIN.md counts it among
ACTAS_REGISTRADAS and ACTAS_FUERA_CATALOGO. Found by the simulacro."""

from __future__ import annotations

from datetime import UTC, datetime

from prep_core.crosscheck import second_count
from prep_core.derive import Status, derive_acta
from prep_core.events import EventLog, Kind, digitalizacion
from prep_core.identity import CasillaKey
from prep_core.publication import build_cut
from prep_core.published import read_results_csv
from prep_core.signing import KeyPair
from prep_demo.demo import demo_catalog


def test_a_registered_fuera_de_catalogo_acta_is_published() -> None:
    cat = demo_catalog(10)
    clave = CasillaKey(cat.id_entidad, 9_000, "B", 1, 0).clave_acta("6")
    assert cat.acta(clave) is None
    log = EventLog("CATD01", KeyPair.generate(), cat.fingerprint)
    evs = [log.append(Kind.ACOPIO, clave, 1_717_380_000_000, "ana", {}).event,
           log.append(Kind.DIGITALIZACION, clave, 1_717_380_001_000, "ana",
                      digitalizacion("ab" * 32, "CATD", "3|1|6|9000|1|B|0|5")).event]
    st = derive_acta(clave, evs)
    assert st.status is Status.DIGITALIZADA
    cut = build_cut(cat, "DIP_LOC", [st], datetime(2024, 6, 3, 5, 0, tzinfo=UTC))
    h = cut.figures.as_header()
    assert (h["ACTAS_REGISTRADAS"], h["ACTAS_FUERA_CATALOGO"], h["ACTAS_CAPTURADAS"]) == ("1", "1", "0")
    assert second_count(read_results_csv(cut.csv_bytes)).header == h
    assert build_cut(cat, "AYUN", [st], datetime(2024, 6, 3, 5, 0, tzinfo=UTC)).rows == ()
