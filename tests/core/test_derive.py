"""Deriving each acta's state from a set of events."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from prep_core.derive import (
    RULE_OPERATORS,
    RULE_RESOLUTION,
    RULE_STATIONS,
    Status,
    derive_acta,
    derive_actas,
    open_since,
    server_policy,
)
from prep_core.events import EventLog, Kind, digitalizacion
from prep_core.signing import KeyPair
from prep_core.values import Mark

CAT = "c" * 64
ACTA = "030001B01006"
IMG = "ab" * 32
K = KeyPair.generate()


class Night:
    def __init__(self):
        self.logs = {s: EventLog(s, K, CAT) for s in ("CATD01", "CCV01", "CCV02", "SERVER")}
        self.events = []

    def add(self, station, kind, at, payload=None, acta=ACTA, op="op"):
        se = self.logs[station].append(kind, acta, at, op, payload or {})
        self.events.append(se.event)
        return se.event

    def capture(self, station, at, values, source, kind=Kind.CAPTURA):
        return self.add(station, kind, at, {"source": source, "image": IMG, "values": values})

    def scan(self, at, origen="CATD"):
        return self.add(
            "CATD01",
            Kind.DIGITALIZACION,
            at,
            digitalizacion(IMG, origen),
        )


V = {"PAN": 10, "PRI": 5, "NULOS": 1}


def test_lifecycle_to_verified():
    n = Night()
    n.add("CATD01", Kind.ACOPIO, 100)
    assert derive_acta(ACTA, n.events).status is Status.ACOPIADA
    n.scan(200)
    assert derive_acta(ACTA, n.events).status is Status.DIGITALIZADA
    n.capture("CATD01", 300, V, "ocr:m1")
    s = derive_acta(ACTA, n.events)
    assert s.status is Status.CAPTURADA and s.reading is None and s.fecha_captura == 300
    n.capture("CCV01", 900, V, "operator:ana")
    s = derive_acta(ACTA, n.events)
    assert s.status is Status.VERIFICADA and s.reading == V
    assert (s.fecha_acopio, s.fecha_captura, s.fecha_verificacion) == (100, 300, 900)
    assert s.reading_image is not None and s.reading_image.origen == "CATD"
    assert s.cotejada is None
    n.add("CCV01", Kind.COTEJO, 1000, {"result": "accept"})
    assert derive_acta(ACTA, n.events).cotejada == 1


def test_same_source_twice_does_not_verify():
    n = Night()
    n.capture("CCV01", 300, V, "operator:ana")
    n.capture("CCV02", 400, V, "operator:ana")
    assert derive_acta(ACTA, n.events).status is Status.CAPTURADA


def test_disagreement_needs_a_third_capture_of_the_disputed_fields():
    n = Night()
    n.capture("CATD01", 300, V, "ocr:m1")
    n.capture("CCV01", 400, {**V, "PRI": 8}, "operator:ana")
    s = derive_acta(ACTA, n.events)
    assert s.status is Status.DISCREPANCIA and s.disputed == ("PRI",)
    n.capture("CCV02", 500, {"PRI": 5}, "operator:beto", kind=Kind.VERIFICACION)
    s = derive_acta(ACTA, n.events)
    assert s.status is Status.VERIFICADA and s.reading == V and s.fecha_verificacion == 500


def test_supervisor_decision_and_recapture():
    n = Night()
    n.capture("CATD01", 300, V, "ocr:m1")
    n.capture("CCV01", 400, {**V, "PRI": 8}, "operator:ana")
    n.add(
        "SERVER",
        Kind.RESOLUCION,
        600,
        {"action": "choose", "values": {**V, "PRI": 8}, "reason": "imagen clara"},
    )
    s = derive_acta(ACTA, n.events)
    assert s.status is Status.VERIFICADA and s.reading["PRI"] == 8
    n.add("SERVER", Kind.RESOLUCION, 700, {"action": "recapture", "reason": "dudosa"})
    s = derive_acta(ACTA, n.events)
    assert s.status is Status.ACOPIADA and s.reading is None  # earlier captures set aside
    n.capture("CCV01", 800, V, "operator:ana")
    n.capture("CCV02", 900, V, "operator:beto")
    assert derive_acta(ACTA, n.events).reading == V


def test_two_verified_readings_that_differ_are_a_conflict():
    n = Night()
    n.scan(100, "CASILLA")
    n.capture("CATD01", 200, V, "ocr:m1")
    n.capture("CCV01", 300, V, "operator:ana")
    other = {**V, "PAN": 11}
    n.capture("CCV02", 400, other, "operator:beto")
    n.capture("CCV02", 500, other, "operator:carla")
    s = derive_acta(ACTA, n.events)
    assert s.status is Status.CONFLICTO and s.disputed == ("PAN",)
    assert len(s.readings_in_conflict) == 2


def test_cotejo_flow():
    n = Night()
    n.capture("CATD01", 200, V, "ocr:m1")
    n.capture("CCV01", 300, V, "operator:ana")
    n.add("CCV01", Kind.COTEJO, 400, {"result": "recapture", "reason": "cifra dudosa"})
    assert derive_acta(ACTA, n.events).cotejada == 3
    n.add("SERVER", Kind.RESOLUCION, 500, {"action": "choose", "values": {**V, "PRI": 6},
                                            "reason": "error"})
    n.add("CCV02", Kind.COTEJO, 600, {"result": "accept"})
    s = derive_acta(ACTA, n.events)
    assert s.cotejada == 2 and s.reading["PRI"] == 6


def test_a_station_correction_of_a_verified_acta_only_proposes():
    n = Night()
    n.capture("CATD01", 200, V, "ocr:m1")
    n.capture("CCV01", 300, V, "operator:ana")
    n.add("CCV01", Kind.CORRECCION, 10**15, {"values": {"PRI": 6}, "reason": "error"})
    s = derive_acta(ACTA, n.events, policy=server_policy())
    assert s.status is Status.VERIFICADA and s.reading == V and s.rule == RULE_STATIONS
    assert s.proposed == {**V, "PRI": 6} and s.proposed_reason == "error"
    # a coordinator keeps the verified reading: the proposal is settled
    n.add("SERVER", Kind.RESOLUCION, 5, {"action": "choose", "values": V, "reason": "ok"})
    order = {e.hash: i for i, e in enumerate(n.events)}.__getitem__
    s = derive_acta(ACTA, n.events, policy=server_policy(), order=lambda e: order(e.hash))
    assert s.reading == V and s.proposed is None and s.rule == RULE_RESOLUTION


def test_the_server_order_decides_which_decision_is_the_latest():
    n = Night()
    n.capture("CATD01", 200, V, "ocr:m1")
    n.capture("CCV01", 300, {**V, "PRI": 8}, "operator:ana")
    late = n.add("SERVER", Kind.RESOLUCION, 400, {"action": "choose", "values": V, "reason": "a"})
    # a station claiming a far-future time comes first in the server's order
    early = n.add("CCV01", Kind.COTEJO, 10**15, {"result": "recapture", "reason": "b"})
    rank = {early.hash: 1, late.hash: 2}
    s = derive_acta(ACTA, n.events, order=lambda e: (rank.get(e.hash, 0), e.seq))
    assert s.status is Status.VERIFICADA and s.reading == V
    # by the stations' clocks the send-back would have been the latest
    assert derive_acta(ACTA, n.events).status is Status.ACOPIADA


def test_one_station_never_verifies_alone_under_the_server_rule():
    n = Night()
    n.capture("CATD01", 200, V, "operator:ana")
    n.add("CATD01", Kind.CAPTURA, 300, {"source": "operator:otra", "image": IMG, "values": V},
          op="ana")
    assert derive_acta(ACTA, n.events).status is Status.VERIFICADA  # the labels differ
    s = derive_acta(ACTA, n.events, policy=server_policy())
    assert s.status is Status.CAPTURADA  # one station, one operator
    n.add("CATD01", Kind.CAPTURA, 400, {"source": "operator:beto", "image": IMG, "values": V},
          op="beto")
    assert derive_acta(ACTA, n.events, policy=server_policy()).status is Status.CAPTURADA
    s = derive_acta(ACTA, n.events, policy=server_policy({"CATD01"}))
    assert s.status is Status.VERIFICADA and s.rule == RULE_OPERATORS


def test_ocr_is_the_station_s_reading():
    n = Night()
    n.capture("CATD01", 200, V, "ocr:m1")
    n.add("CATD01", Kind.CAPTURA, 300, {"source": "operator:ana", "image": IMG, "values": V},
          op="ana")
    assert derive_acta(ACTA, n.events, policy=server_policy({"CATD01"})).status is (
        Status.CAPTURADA
    )
    n.capture("CCV01", 400, V, "operator:ana")
    s = derive_acta(ACTA, n.events, policy=server_policy())
    assert s.status is Status.VERIFICADA and s.rule == RULE_STATIONS


def test_cotejo_recapture_reopens_capture():
    n = Night()
    n.add("CATD01", Kind.ACOPIO, 100)
    n.scan(200)
    n.capture("CATD01", 300, V, "ocr:m1")
    n.capture("CATD01", 400, V, "operator:ana")
    assert open_since(n.events) == -1
    n.add("CATD01", Kind.COTEJO, 500, {"result": "recapture", "reason": "cifra dudosa"})
    s = derive_acta(ACTA, n.events)
    # earlier captures set aside: back in the capture queue, not counted meanwhile
    assert s.status is Status.DIGITALIZADA and s.reading is None and s.cotejada == 3
    assert s.sources == () and s.fecha_captura == 300  # history kept
    assert open_since(n.events) == 500
    n.capture("CCV01", 600, {**V, "PRI": 6}, "operator:beto")
    assert derive_acta(ACTA, n.events).status is Status.CAPTURADA
    n.capture("CCV02", 700, {**V, "PRI": 6}, "operator:caro")
    n.add("CATD01", Kind.COTEJO, 800, {"result": "accept"})
    s = derive_acta(ACTA, n.events)
    assert s.status is Status.VERIFICADA and s.reading["PRI"] == 6 and s.cotejada == 2
    assert open_since(reversed(n.events)) == 500  # an accept is no send-back


def test_cotejo_rescan_goes_back_to_digitalizacion():
    n = Night()
    n.add("CATD01", Kind.ACOPIO, 100)
    n.scan(200)
    n.capture("CATD01", 300, V, "ocr:m1")
    n.capture("CATD01", 400, V, "operator:ana")
    n.add("CATD01", Kind.COTEJO, 500, {"result": "rescan", "reason": "imagen borrosa"})
    s = derive_acta(ACTA, n.events)
    assert s.status is Status.ACOPIADA and s.cotejada == 3 and len(s.images) == 1
    n.scan(600)
    s = derive_acta(ACTA, n.events)
    assert s.status is Status.DIGITALIZADA and s.reading is None
    n.capture("CATD01", 700, V, "ocr:m1")
    n.capture("CATD01", 800, V, "operator:ana")
    assert derive_acta(ACTA, n.events).status is Status.VERIFICADA


def test_sin_acta():
    n = Night()
    n.add("CATD01", Kind.ACOPIO, 100)
    n.add("CATD01", Kind.SIN_ACTA, 110, {"cause": 3})
    s = derive_acta(ACTA, n.events)
    assert s.status is Status.SIN_ACTA and int(s.sin_acta) == 3


def random_night(seed: int):
    rng = random.Random(seed)
    n = Night()
    for i in range(rng.randint(1, 4)):
        acta = f"030001B0100{6 + i % 2}"
        n.add("CATD01", Kind.ACOPIO, rng.randint(0, 50), acta=acta)
        vals = {"PAN": rng.randint(0, 3), "PRI": rng.choice([1, 2, "Ilegible"])}
        for src in rng.sample(["ocr:m", "operator:a", "operator:b", "operator:c"], 3):
            v = dict(vals)
            if rng.random() < 0.3:
                v["PAN"] = 9
            n.add(
                rng.choice(["CCV01", "CCV02"]),
                Kind.CAPTURA,
                rng.randint(0, 100),
                {"source": src, "values": v},
                acta=acta,
            )
        if rng.random() < 0.3:
            n.add(
                "SERVER",
                Kind.RESOLUCION,
                rng.randint(0, 120),
                {"action": rng.choice(["choose", "recapture"]), "values": vals, "reason": "r"},
                acta=acta,
            )
        if rng.random() < 0.5:
            n.add(
                "CCV01",
                Kind.COTEJO,
                rng.randint(0, 130),
                {"result": rng.choice(["accept", "recapture"]), "reason": "r"},
                acta=acta,
            )
    return n.events


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 10_000), st.randoms(use_true_random=False), st.integers(0, 3))
def test_derivation_is_order_independent_and_idempotent(seed, rnd, repeats):
    events = random_night(seed)
    expected = derive_actas(events)
    shuffled = list(events) + [rnd.choice(events) for _ in range(repeats * 3)]
    rnd.shuffle(shuffled)
    assert derive_actas(shuffled) == expected
    # merging two overlapping batches is the union
    half = len(shuffled) // 2
    assert derive_actas(shuffled[:half] + shuffled[half // 2 :]) == expected


def test_marks_survive_derivation():
    n = Night()
    vals = {"PAN": "Ilegible", "PRI": "Sin dato", "NULOS": 0}
    n.capture("CATD01", 200, vals, "ocr:m1")
    n.capture("CCV01", 300, vals, "operator:ana")
    r = derive_acta(ACTA, n.events).reading
    assert r == {"PAN": Mark.ILEGIBLE, "PRI": Mark.SIN_DATO, "NULOS": 0}


def test_a_casilla_photo_and_a_catd_scan_that_disagree_are_a_conflict():
    n = Night()
    photo, scan = "aa" * 32, "bb" * 32
    other = {**V, "PAN": 13}
    n.add("CATD01", Kind.CAPTURA, 200, {"source": "ocr:m1", "image": photo, "values": V})
    n.add("CCV01", Kind.CAPTURA, 300, {"source": "operator:ana", "image": photo, "values": V})
    n.add("CATD01", Kind.CAPTURA, 400, {"source": "ocr:m1", "image": scan, "values": other})
    s = derive_acta(ACTA, n.events)
    assert s.status is Status.VERIFICADA and s.reading == V  # the scan is not verified yet
    n.add("CCV02", Kind.CAPTURA, 500, {"source": "operator:beto", "image": scan, "values": other})
    s = derive_acta(ACTA, n.events)
    assert s.status is Status.CONFLICTO and s.disputed == ("PAN",)
    assert s.sources == ("ocr:m1", "operator:ana", "operator:beto")


def test_one_source_on_two_images_is_not_a_verification():
    n = Night()
    n.add("CATD01", Kind.CAPTURA, 200, {"source": "ocr:m1", "image": "aa" * 32, "values": V})
    n.add("CATD01", Kind.CAPTURA, 300, {"source": "ocr:m1", "image": "bb" * 32, "values": V})
    assert derive_acta(ACTA, n.events).status is Status.CAPTURADA


def test_a_verifier_settles_each_disputed_figure_with_one_of_the_captures():
    # the OCR misreads PAN, the capturist mistypes PRI: no two captures agree in full
    n = Night()
    n.capture("CATD01", 300, {**V, "PAN": 18}, "ocr:m1")
    n.capture("CCV01", 400, {**V, "PRI": 8}, "operator:ana")
    s = derive_acta(ACTA, n.events)
    assert s.status is Status.DISCREPANCIA and s.disputed == ("PAN", "PRI")
    # a verifier types only the disputed fields; each agrees with one capture
    n.capture("CCV02", 500, {"PAN": 10, "PRI": 5}, "operator:beto", kind=Kind.VERIFICACION)
    s = derive_acta(ACTA, n.events)
    assert s.status is Status.VERIFICADA and s.reading == V and s.fecha_verificacion == 500


def test_a_verifier_who_agrees_with_nobody_settles_nothing():
    n = Night()
    n.capture("CATD01", 300, {**V, "PAN": 18}, "ocr:m1")
    n.capture("CCV01", 400, V, "operator:ana")
    n.capture("CCV02", 500, {"PAN": 11}, "operator:beto", kind=Kind.VERIFICACION)
    assert derive_acta(ACTA, n.events).status is Status.DISCREPANCIA


def test_a_verified_reading_is_never_missing_a_figure():
    # found by the simulacro: a CATD verifier settles PRS between its OCR and its
    # capturist (same scan); a CCV capturist mistyped NA_BCS on the casilla's photo.
    # The verifier's reading is the fields of the scan it compared plus its decision:
    # NA_BCS is in it (it was published as Sin dato when it was left out)
    n = Night()
    photo = "cd" * 32
    n.add("CCV01", Kind.CAPTURA, 250, {"source": "operator:eva", "image": photo,
                                       "values": {**V, "NULOS": 4, "PAN": 10}})
    n.capture("CATD01", 300, {**V, "PRI": 9}, "ocr:m1")
    n.add("CATD01", Kind.CAPTURA, 310, {"source": "operator:ana", "image": IMG, "values": V},
          op="ana")
    n.add("CATD01", Kind.VERIFICACION, 320, {"source": "operator:beto", "image": IMG,
                                            "values": {"PRI": 5}}, op="beto")
    s = derive_acta(ACTA, n.events, policy=server_policy({"CATD01"}))
    assert s.status is Status.VERIFICADA and s.reading == V


def test_a_verification_that_leaves_a_figure_out_settles_nothing():
    n = Night()
    n.capture("CATD01", 300, {**V, "PAN": 18}, "ocr:m1")
    n.capture("CCV01", 400, {**V, "PAN": 10, "NULOS": 2}, "operator:ana")
    # the verifier decides PAN only; NULOS is still in dispute, so no whole reading
    n.capture("CCV02", 500, {"PAN": 10}, "operator:beto", kind=Kind.VERIFICACION)
    s = derive_acta(ACTA, n.events)
    assert s.status is not Status.VERIFICADA and s.reading is None
