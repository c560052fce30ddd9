"""Fields named as the acta prints them, in the acta's order; messages without module
prefixes."""

from __future__ import annotations

from capture_station.form_labels import PARTY_COLOURS, VOTES_SECTION, in_acta_order, label_of
from capture_station.ui.common import message_of
from prep_core.errors import PrepError


def test_each_field_is_named_as_printed():
    assert label_of("AYUN", "PH_BCS").label == "PH BCS"
    assert label_of("AYUN", "PH_BCS").section == VOTES_SECTION == "6 RESULTADOS DE LA VOTACIÓN"
    assert label_of("AYUN", "PAN-PRI-PRD").label == "COALICIÓN PAN-PRI-PRD"
    assert label_of("AYUN", "CAND_IND1").label == "CANDIDATURA INDEPENDIENTE 1"
    assert label_of("AYUN", "NULOS").label == "VOTOS NULOS"
    assert label_of("AYUN", "NO_REGISTRADAS").label == "CANDIDATOS/AS NO REGISTRADOS/AS"
    assert label_of("AYUN", "TOTAL_VOTOS_ASENTADO").label == "TOTAL"
    tr = label_of("PRES", "TOTAL_REP_PARTIDO_CI_VOTARON")
    assert tr.label == tr.section == "4 REPRESENTACIONES PARTIDISTAS QUE VOTARON" and tr.own_section
    assert label_of("NOPE", "XYZ_PARTY").label == "XYZ PARTY"  # no template: the column, readable


def test_party_rows_carry_their_colours_in_the_printed_order():
    assert label_of("AYUN", "PAN").colours == [("PAN", PARTY_COLOURS["PAN"])]
    assert [p for p, _ in label_of("AYUN", "PAN-PRI-PRD").colours] == ["PAN", "PRI", "PRD"]
    assert [p for p, _ in label_of("PRES", "PVEM-PT-MORENA").colours] == ["PVEM", "PT", "MORENA"]
    assert label_of("AYUN", "PH_BCS").colours == []  # a colour not checked: acronym only
    for col in ("NULOS", "TOTAL_VOTOS_ASENTADO", "TOTAL_BOLETAS_SOBRANTES", "CAND_IND1"):
        assert label_of("AYUN", col).colours == []


def test_the_capture_label_shows_the_marks(qtbot):
    from capture_station.ui.captura import field_label

    w = field_label(label_of("AYUN", "PT-MORENA"))
    text = w.text()
    assert text.index(PARTY_COLOURS["PT"]) < text.index(PARTY_COLOURS["MORENA"]) < text.index("COALICIÓN")
    assert "#" not in field_label(label_of("AYUN", "NULOS")).text().split("<b>")[0]


def test_fields_follow_the_acta():
    cols = ["PAN", "NULOS", "TOTAL_VOTOS_ASENTADO", "TOTAL_BOLETAS_SOBRANTES",
            "TOTAL_PERSONAS_VOTARON", "TOTAL_VOTOS_SACADOS", "SUMA_PERSONAS_Y_REP"]
    assert [x.column for x in in_acta_order("DIP_LOC", cols)] == [
        "TOTAL_BOLETAS_SOBRANTES", "TOTAL_PERSONAS_VOTARON", "SUMA_PERSONAS_Y_REP", "PAN", "NULOS",
        "TOTAL_VOTOS_ASENTADO", "TOTAL_VOTOS_SACADOS"]


def test_messages_read_as_sentences_without_module_prefix(station):
    from capture_station.capture import CaptureDesk
    from capture_station.operators import login
    from tests.station.helpers import PASSWORDS

    op = login(station.store, "ana", PASSWORDS["ana"])
    desk = CaptureDesk(station)
    for clave, want in (("", "Escriba la clave del acta o lea su etiqueta QR"),
                        ("999999Z99996", "La clave 999999Z99996 no está en el catálogo")):
        try:
            desk.acopio(op, clave)
        except PrepError as exc:
            assert message_of(exc) == want
        else:
            raise AssertionError("accepted")
