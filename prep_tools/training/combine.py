"""Combine trained digit models into one ONNX graph: the geometric mean of their calibrated
probabilities (each member's logits over its own temperature, log-softmax, averaged).

    python -m prep_tools.training.combine A.onnx B.onnx C.onnx D.onnx --name digits-v12 --out resources/models

The output ``logits`` is the members' mean log-probability; the reader's softmax (at
temperature 1, written into the sidecar) renormalises it. The output ``features`` is each
member's last hidden layer, L2-normalised, side by side and scaled by 1/√members, so that
the dot product of two cells' features is the members' mean cosine similarity: how alike
two cells look to the model (the reader uses it to tell one hand's shapes apart). Members
keep their own calibration, read from their sidecar JSON. The ``auto`` thresholds of the
result are chosen afterwards on the validation decks only (``train_digits.py --threshold-only``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np


def combine(paths: list[Path], out: Path, name: str) -> dict:
    import onnx
    from onnx import TensorProto, compose, helper, numpy_helper

    nodes, inits, members = [], [], []
    logps, feats = [], []
    for i, p in enumerate(paths):
        meta = json.loads(p.with_suffix(".json").read_text(encoding="utf-8"))
        m = compose.add_prefix(onnx.load(str(p)), f"m{i}/")
        g = m.graph
        nodes.append(helper.make_node("Identity", ["cells"], [g.input[0].name]))
        nodes.extend(g.node)
        inits.extend(g.initializer)
        t = f"m{i}/T"
        inits.append(numpy_helper.from_array(np.array(meta["temperature"], np.float32), t))
        nodes.append(helper.make_node("Div", [g.output[0].name, t], [f"m{i}/z"]))
        nodes.append(helper.make_node("LogSoftmax", [f"m{i}/z"], [f"m{i}/logp"], axis=1))
        logps.append(f"m{i}/logp")
        hidden = [n for n in g.node if n.op_type == "Gemm"][-1].input[0]  # input of the last layer
        nodes.append(helper.make_node("LpNormalization", [hidden], [f"m{i}/feat"], axis=1, p=2))
        feats.append(f"m{i}/feat")
        members.append({"model": meta.get("model", p.stem),
                        "file_sha256": hashlib.sha256(p.read_bytes()).hexdigest(),
                        "temperature": meta["temperature"], "parameters": meta.get("parameters"),
                        "train": meta.get("train"), "val": meta.get("val")})
    nodes.append(helper.make_node("Sum", logps, ["sum_logp"]))
    inits.append(numpy_helper.from_array(np.array(len(paths), np.float32), "n_members"))
    nodes.append(helper.make_node("Div", ["sum_logp", "n_members"], ["logits"]))
    nodes.append(helper.make_node("Concat", feats, ["feat_cat"], axis=1))
    inits.append(numpy_helper.from_array(np.array(np.sqrt(len(paths)), np.float32), "sqrt_members"))
    nodes.append(helper.make_node("Div", ["feat_cat", "sqrt_members"], ["features"]))
    graph = helper.make_graph(
        nodes, name,
        [helper.make_tensor_value_info("cells", TensorProto.FLOAT, ["n", 1, 32, 32])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["n", 12]),
         helper.make_tensor_value_info("features", TensorProto.FLOAT, ["n", None])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8,
                              producer_name="prep_tools.training.combine")
    onnx.checker.check_model(model)
    out.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(out / f"{name}.onnx"))
    n_params = int(sum(m["parameters"] or 0 for m in members))
    meta = {"model": name, "classes": [str(i) for i in range(10)] + ["blank", "scribble"],
            "input": {"name": "cells", "shape": [None, 1, 32, 32], "patch_margin": 0.12,
                      "range": "ink density 0..1"},
            "output": "mean over the members of log softmax(member logits / member temperature)",
            "features": "members' last hidden layers, each L2-normalised, / sqrt(members)",
            "temperature": 1.0, "auto_threshold": 0.98, "parameters": n_params,
            "combination": "geometric mean of the members' calibrated probabilities",
            "members": members, "val": {}}
    (out / f"{name}.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    return meta


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("members", nargs="+", type=Path)
    ap.add_argument("--name", required=True)
    ap.add_argument("--out", type=Path, required=True)
    a = ap.parse_args(argv)
    meta = combine(a.members, a.out, a.name)
    print(f"{a.out / a.name}.onnx: {len(a.members)} members, {meta['parameters']} parameters")
    return 0


if __name__ == "__main__":
    sys.exit(main())
