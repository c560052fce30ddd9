"""Signed events, keys and chains: a flipped byte, a wrong key, a gap, a
reorder, a replay; canonical encoding; encrypted key storage."""

from __future__ import annotations

import base64
import dataclasses

import pytest

from prep_core.errors import SignatureError
from prep_core.events import (
    GENESIS,
    Event,
    EventLog,
    Kind,
    SignedEvent,
    canonical,
    check_chain,
    event_from_body,
    signed_from_wire,
)
from prep_core.signing import KeyPair, decrypt_key, encrypt_key, fingerprint, short_fingerprint

CATALOG = "c" * 64
KEY = KeyPair.generate()


def chain(n=5, station="CATD01", key=KEY):
    log = EventLog(station, key, CATALOG)
    return [log.append(Kind.ACOPIO, f"030001B0100{i % 2 + 6}", 1_000 + i, "op1") for i in range(n)]


def test_canonical_bytes_are_deterministic_and_documented():
    ev = Event("CATD01", 1, GENESIS, Kind.SIN_ACTA, "030001B01006", 5, "op1", CATALOG, {"cause": 2})
    assert ev.encode() == (
        b'{"acta":"030001B01006","at":5,"catalog":"' + CATALOG.encode() + b'","kind":"sin_acta",'
        b'"operator":"op1","payload":{"cause":2},"prev":"' + GENESIS.encode() + b'","seq":1,'
        b'"station":"CATD01","v":1}'
    )
    with pytest.raises(ValueError):
        canonical({"x": 1.5})


def test_a_good_chain_verifies():
    evs = chain()
    check = check_chain(evs, KEY.public_bytes)
    assert [s.event.seq for s in check.verified] == [1, 2, 3, 4, 5]
    assert not check.held and not check.errors
    assert evs[1].event.prev == evs[0].hash


def test_wire_round_trip():
    evs = chain(2)
    again = [signed_from_wire(se.to_wire()) for se in evs]
    assert again == evs
    assert check_chain(again, KEY.public_bytes).errors == ()


def test_a_flipped_byte_breaks_the_signature():
    se = chain(1)[0]
    sig = bytearray(se.signature)
    sig[10] ^= 0x01
    check = check_chain([SignedEvent(se.event, bytes(sig))], KEY.public_bytes)
    assert check.verified == () and "firma" in check.errors[0]
    tampered = dataclasses.replace(se.event, at=se.event.at + 1)
    with pytest.raises(SignatureError, match="firma inválida"):
        SignedEvent(tampered, se.signature).verify(KEY.public_bytes)


def test_a_wrong_key_fails():
    other = KeyPair.generate()
    check = check_chain(chain(3), other.public_bytes)
    assert check.verified == () and len(check.errors) == 3


def test_a_gap_is_held_not_accepted():
    evs = chain(5)
    check = check_chain([evs[0], evs[1], evs[3], evs[4]], KEY.public_bytes)
    assert [s.event.seq for s in check.verified] == [1, 2]
    assert [s.event.seq for s in check.held] == [4, 5]
    # when the missing event arrives, the rest follows
    later = check_chain(
        [evs[2], *check.held], KEY.public_bytes, after_seq=2, after_hash=evs[1].hash
    )
    assert [s.event.seq for s in later.verified] == [3, 4, 5]


def test_a_reorder_is_detected_by_the_links():
    evs = chain(3)

    def renumber(se, seq):
        ev = dataclasses.replace(se.event, seq=seq)
        return SignedEvent(ev, KEY.sign(ev.encode()))

    # events 2 and 3 swapped and re-signed: each still names its old predecessor
    swapped = [evs[0], renumber(evs[2], 2), renumber(evs[1], 3)]
    check = check_chain(swapped, KEY.public_bytes)
    assert [s.event.seq for s in check.verified] == [1]
    assert any("cadena" in e for e in check.errors)
    # two different events under one number are reported too
    check = check_chain([*evs, renumber(evs[2], 2)], KEY.public_bytes)
    assert any("dos eventos distintos" in e for e in check.errors)
    # arrival order alone does not matter
    assert check_chain(list(reversed(evs)), KEY.public_bytes).errors == ()


def test_a_replay_changes_nothing():
    evs = chain(3)
    first = check_chain(evs, KEY.public_bytes)
    replay = check_chain(evs + evs, KEY.public_bytes, after_seq=3, after_hash=evs[2].hash)
    assert replay.verified == () and replay.errors == () and replay.held == ()
    assert check_chain(evs + evs, KEY.public_bytes) == first


@pytest.mark.parametrize(
    ("edit", "expect"),
    [
        (lambda d: d["event"].update(kind="borrar"), "desconocido"),
        (lambda d: d["event"].update(seq=0), "seq"),
        (lambda d: d["event"].update(seq="1"), "entero"),
        (lambda d: d["event"].update(prev="xyz"), "SHA-256"),
        (lambda d: d["event"].update(extra=1), "inesperados"),
        (lambda d: d["event"].update(kind="sin_acta", payload={"cause": 9}), "cause"),
        (
            lambda d: d["event"].update(
                kind="captura", payload={"source": "ocr:m", "values": {"PAN": 1.5}}
            ),
            "figure",
        ),
        (lambda d: d.update(sig="!!!"), "base64"),
        (lambda d: d.update(sig=base64.b64encode(b"x").decode()), "longitud"),
    ],
)
def test_malformed_wire_events_are_rejected_with_a_reason(edit, expect):
    doc = chain(1)[0].to_wire()
    edit(doc)
    with pytest.raises(SignatureError, match=expect):
        signed_from_wire(doc)


def test_encrypted_key_storage():
    kp = KeyPair.generate()
    doc = encrypt_key(kp, "correcto caballo batería", n=2**12)
    assert doc["kdf"]["name"] == "scrypt" and doc["fingerprint"] == kp.fingerprint
    assert decrypt_key(doc, "correcto caballo batería").public_bytes == kp.public_bytes
    with pytest.raises(SignatureError, match="frase de acceso incorrecta"):
        decrypt_key(doc, "incorrecta")
    with pytest.raises(SignatureError, match="dañado"):
        decrypt_key({"format": "x"}, "a")
    with pytest.raises(SignatureError, match="al menos"):
        encrypt_key(kp, "corta")
    assert fingerprint(kp.public_bytes) == kp.fingerprint
    assert len(short_fingerprint(kp.fingerprint).split()) == 8


def test_password_hashes():
    from prep_core.passwords import check_password, hash_password

    h = hash_password("una clave larga", n=2**10)
    assert h.startswith("scrypt$1024$8$1$")
    assert check_password(h, "una clave larga")
    assert not check_password(h, "otra clave")
    assert not check_password("scrypt$x$8$1$00$00", "x")
    assert not check_password("bcrypt$...", "x")


def test_an_especial_s_suffixed_acta_key_is_accepted_and_nothing_looser() -> None:
    log = EventLog("CATD01", KeyPair.generate(), "c" * 64)
    body = log.append(Kind.ACOPIO, "151025S01002 EMR", 1, "op").event.body()
    assert event_from_body(body).clave_acta == "151025S01002 EMR"
    for bad in ("151025S0100  2", " 151025S0100", "151025S0100 ", "1510/25", "ACTA\\n2"):
        with pytest.raises(SignatureError):
            event_from_body({**body, "acta": bad})
