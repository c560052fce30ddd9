"""Digit-cell classifier: a small CNN in ONNX, run with onnxruntime on one thread.

Classes 0–9, 10 = blank, 11 = scribble (illegible). The sidecar JSON beside the model
holds the softmax temperature (calibrated on validation writers) and the ``auto``
thresholds chosen on them (``calibrate``): one for figures an arithmetic check covers,
one for figures none covers; the evaluation writers are never used for any of these.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

MODELS_DIR = Path(__file__).resolve().parents[2] / "resources" / "models"
MODEL_NAME = "digits-v12"
BLANK, SCRIBBLE = 10, 11
N_CLASSES = 12
DEFAULT_UNCHECKED = 0.9995
WARM_CELLS = 96  # cells of a large acta: the batch the model is warmed on at load  # without a validated choice: figures no check covers


@dataclass
class DigitModel:
    session: object
    input_name: str
    temperature: float
    auto_threshold: float
    meta: dict
    unchecked_threshold: float = DEFAULT_UNCHECKED

    def probs(self, x: np.ndarray) -> np.ndarray:
        """(N, 1, P, P) float32 → (N, 12) calibrated probabilities."""
        return self.read(x)[0]

    def read(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """(N, 1, P, P) float32 → (N, 12) calibrated probabilities, and the cells' features
        (N, D) when the model has them (``prep_tools/training/combine.py``): the dot product of two
        cells' features is how alike they look to the model (mean cosine, −1..1)."""
        if len(x) == 0:
            return np.zeros((0, N_CLASSES), np.float32), None
        out = self.session.run(self._outputs, {self.input_name: x.astype(np.float32)})
        z = out[0] / self.temperature
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True), (out[1] if len(out) > 1 else None)

    def thresholds(self, words: str | None) -> tuple[float, float]:
        """The two ``auto`` thresholds (checked figures, figures no check covers) for the
        reader with the words model named ``words`` (None: without one). Each setting has
        its own, chosen on validation (``thresholds_by_words`` in the sidecar): figures
        read without their words are less sure than the words-joined ones the lower
        threshold was chosen for. A setting never validated gets the sidecar's own pair."""
        pair = self.meta.get("thresholds_by_words", {}).get(words or "none")
        if pair is None:
            return self.auto_threshold, self.unchecked_threshold
        return float(pair[0]), float(pair[1])

    @cached_property
    def _outputs(self) -> list[str]:
        """The logits, and ``features`` when the graph has them."""
        names = [o.name for o in self.session.get_outputs()]
        return names[:1] + [n for n in names[1:] if n == "features"]


def onnx_session(p: Path):
    """An onnxruntime session on one thread for the model file ``p``; None when it is
    missing or unreadable."""
    if not p.exists():
        return None
    try:
        import onnxruntime as ort

        so = ort.SessionOptions()
        so.intra_op_num_threads = 1
        so.inter_op_num_threads = 1
        so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        so.log_severity_level = 3
        return ort.InferenceSession(str(p), so, providers=["CPUExecutionProvider"])
    except Exception:
        return None


def warm(sess, batch: int) -> None:
    """One inference on zeros of a real batch size, so that the first acta does not pay
    for onnxruntime's first run (memory planning, kernel choice) at that size."""
    inp = sess.get_inputs()[0]
    shape = [d if isinstance(d, int) else batch for d in inp.shape]
    with contextlib.suppress(Exception):  # a model that cannot run fails on its first acta
        sess.run(None, {inp.name: np.zeros(shape, np.float32)})


def onnx_model(p: Path, warm_batch: int = 0) -> tuple[object, dict] | None:
    """The model file ``p`` (``onnx_session``) and its sidecar ``p.json`` ({} when there is
    none), warmed on a batch of ``warm_batch`` when > 0; None when the model is missing or
    unreadable."""
    sess = onnx_session(p)
    if sess is None:
        return None
    if warm_batch:
        warm(sess, warm_batch)
    meta_p = p.with_suffix(".json")
    return sess, json.loads(meta_p.read_text(encoding="utf-8")) if meta_p.exists() else {}


@lru_cache(maxsize=2)
def load_model(path: str | None = None) -> DigitModel | None:
    """The committed model (or ``path``); None when it is missing or unreadable."""
    path = path or os.environ.get("PREP_DIGIT_MODEL")  # another model, e.g. while training
    loaded = onnx_model(Path(path) if path else MODELS_DIR / f"{MODEL_NAME}.onnx", WARM_CELLS)
    if loaded is None:
        return None
    sess, meta = loaded
    return DigitModel(sess, sess.get_inputs()[0].name, float(meta.get("temperature", 1.0)),
                      float(meta.get("auto_threshold", 0.98)), meta,
                      float(meta.get("unchecked_threshold", DEFAULT_UNCHECKED)))
