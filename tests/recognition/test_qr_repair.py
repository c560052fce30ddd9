"""QR labels damaged across a finder pattern: the grid repair reads what detectors miss."""

from __future__ import annotations

import cv2
import numpy as np
import pytest
import qrcode

from capture_station.recognition import qrread

PAYLOAD = "3|2|2|324|1|C|0|1"


def _label(payload: str, scratch: tuple[tuple[int, int], tuple[int, int]], colour: int,
           angle: float = 4.0) -> np.ndarray:
    """A label crop like the reader's: code on the left, printed text, frame, rotation."""
    q = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_Q, border=2, box_size=1)
    q.add_data(payload)
    q.make(fit=True)
    mat = np.array(q.get_matrix(), np.uint8)
    side = 130
    code = cv2.resize((1 - mat) * 255, (side, side), interpolation=cv2.INTER_NEAREST)
    cv2.line(code, scratch[0], scratch[1], colour, 4)
    crop = np.full((280, 560), 255, np.uint8)
    cv2.rectangle(crop, (60, 50), (500, 230), 90, 1)
    crop[75: 75 + side, 70: 70 + side] = code
    cv2.putText(crop, "PREP", (215, 95), cv2.FONT_HERSHEY_SIMPLEX, 0.6, 0, 1)
    M = cv2.getRotationMatrix2D((280, 140), angle, 1.0)
    crop = cv2.warpAffine(crop, M, (560, 280), borderValue=255)
    return cv2.GaussianBlur(crop, (0, 0), 0.8)


@pytest.mark.parametrize("scratch,colour", [
    (((0, 110), (50, 110)), 255),   # white scratch through the bottom-left finder
    (((5, 5), (40, 40)), 255),      # white scratch through the top-left finder
    (((95, 0), (130, 40)), 0),      # dark scratch across the top-right finder
])
def test_grid_repair_reads_a_damaged_finder(scratch, colour):
    crop = _label(PAYLOAD, scratch, colour)
    # every detector attempt is defeated: the case is real
    assert not any(qrread._zbar(img) for _, img in qrread._attempts(crop))
    assert qrread._opencv(crop) is None
    assert qrread.repair(crop) == PAYLOAD
    assert qrread.read_label_crop(crop) == (PAYLOAD, "grid-repair")


def test_grid_repair_gives_nothing_without_a_code():
    crop = np.full((280, 560), 255, np.uint8)
    cv2.rectangle(crop, (60, 50), (500, 230), 90, 1)
    cv2.rectangle(crop, (80, 80), (200, 200), 0, cv2.FILLED)  # a black square is no code
    assert qrread.repair(crop) is None
