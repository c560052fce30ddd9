"""``prep read IMAGE`` and ``prep bench ocr [DECK]``: acta recognition from the command line."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path


def add_parsers(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("read", help="lee un acta escaneada / read a scanned acta")
    p.add_argument("image", type=Path)
    p.add_argument(
        "--catalog",
        default=None,
        help="carpeta o catalog.json; 'demo' = catálogo demo BCS / catalog folder, or 'demo'",
    )
    p.add_argument("--json", action="store_true", help="salida JSON / JSON output")
    p.add_argument("--model", type=Path, default=None, help="modelo ONNX / ONNX digit model")
    p.add_argument(
        "--clave",
        default=None,
        help="CLAVE_ACTA tecleada (sin QR), comparada con lo escrito; requiere --catalog / "
        "a CLAVE_ACTA typed by hand (no QR), compared with the writing; needs --catalog",
    )
    p.set_defaults(func=cmd_read)


def add_bench_target(bench: argparse._SubParsersAction) -> None:
    p = bench.add_parser(
        "ocr", help="exactitud y tiempo del lector de actas / acta reader accuracy and speed"
    )
    p.add_argument(
        "deck",
        nargs="?",
        default=None,
        help="carpeta con manifest.jsonl; si falta se genera / deck folder (generated if absent)",
    )
    p.add_argument(
        "--n", type=int, default=1000, help="actas del mazo generado / actas to generate"
    )
    p.add_argument("--seed", type=int, default=20240602)
    p.add_argument("--dpi", default="200", help="dpi del mazo generado, p.ej. 150,200,300")
    p.add_argument("--limit", type=int, default=None, help="leer sólo las primeras N / read only N")
    p.add_argument(
        "--tess-limit",
        type=int,
        default=200,
        help="actas para la línea base Tesseract / actas for the Tesseract baseline",
    )
    p.add_argument("--no-tesseract", action="store_true")
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--json-out", default=None)
    p.add_argument(
        "--conditions",
        type=int,
        default=0,
        metavar="N",
        help="un mazo de N actas por condición de escaneo, una línea por condición / "
        "one N-acta deck per scanning condition, one line each",
    )
    p.add_argument(
        "--only", action="append", default=[], help="sólo esta condición / only this condition"
    )
    p.set_defaults(func=cmd_bench_ocr)
    p = bench.add_parser(
        "identity",
        help="etiquetas cambiadas y claves mal tecleadas detectadas / label swaps and "
        "mistyped keys caught",
    )
    p.add_argument("deck", nargs="?", default=None, help="carpeta del mazo / deck folder")
    p.add_argument("--n", type=int, default=600, help="actas del mazo generado / deck size")
    p.add_argument("--seed", type=int, default=20241206)
    p.add_argument("--split", choices=("val", "eval"), default="eval",
                   help="escritores / writers (eval: nunca usados para ajustar / never tuned on)")
    p.add_argument("--swap", type=float, default=0.3, help="fracción con etiqueta del vecino")
    p.add_argument("--typed", type=float, default=0.1, help="fracción con clave tecleada")
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--json-out", default=None)
    p.set_defaults(func=cmd_bench_identity)


def _catalog(spec: str | None):
    if spec is None:
        return None
    if spec == "demo":
        from prep_demo.demo import demo_catalog

        return demo_catalog()
    from prep_io.files import load_catalog

    return load_catalog(spec)


def cmd_read(args: argparse.Namespace) -> int:
    import cv2

    from capture_station.recognition.digits import load_model
    from capture_station.recognition.reader import prepare, read_acta

    cv2.setNumThreads(1)
    catalog = _catalog(args.catalog)
    model = load_model(str(args.model)) if args.model else None
    label = None
    if args.clave:
        from prep_core.labels import identity_of

        acta = catalog.acta(args.clave.strip().upper()) if catalog is not None else None
        if acta is None:
            print(f"la clave {args.clave!r} no está en el catálogo (use --catalog) / "
                  f"key {args.clave!r} is not in the catalog (use --catalog)", file=sys.stderr)
            return 2
        label = identity_of(acta)
    prepare()  # models loaded and warmed before the clock of the reading starts
    r = read_acta(args.image, catalog=catalog, model=model, label=label)
    doc = r.to_json()
    if args.json:
        json.dump(doc, sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        print(read_text(str(args.image), r))
    return 0 if r.ok else 2


def check_line(c: dict) -> str:
    """``[ok]`` only for a check that held on numbers; one with Ilegible or Sin dato in
    it held nothing (``[--]``); ``[!!]`` failed."""
    if not c.get("ok"):
        mark, note = "!!", ""
    elif c.get("complete", True):
        mark, note = "ok", ""
    else:
        mark = "--"
        note = " (sin comprobar: hay Ilegible o Sin dato / not checked: Ilegible or Sin dato)"
    return f"  [{mark}] {c.get('es')} / {c.get('en')}{note}"


def read_text(image: str, r) -> str:  # type: ignore[no-untyped-def]
    """What ``prep read`` prints for one reading (without --json)."""
    lines = []
    if r.reason:
        lines.append(f"{image}: {r.reason.es} / {r.reason.en}")
    if r.qr is not None or r.template is not None:
        lines.append(
            f"QR: {r.qr or '—'}  CLAVE_ACTA: {r.clave_acta or '—'}  "
            f"plantilla/template: {r.template or '—'}  {r.ms:.0f} ms"
        )
    for name, f in r.fields.items():
        flag = "auto" if f["auto"] else "REVISAR / REVIEW"
        lines.append(f"  {name:30} {f['value']!s:>9}  {f['confidence']:.4f}  {flag}")
    lines.extend(check_line(c) for c in r.checks)
    ident = getattr(r, "identity", None)
    if ident:
        lines.append(identity_line(ident))
    return "\n".join(lines)


def identity_line(ident: dict) -> str:
    """The label against section 1's writing, in one line."""
    said = {None: "ilegible / unreadable", True: "coincide / agrees",
            False: "NO COINCIDE / DISAGREES"}[ident.get("agrees")]
    w = ident.get("written") or {}
    written = " ".join(f"{k}={v}" for k, v in w.items() if v is not None) or "—"
    return f"  identidad/identity: etiqueta/label {ident.get('label') or '—'} · escrito/written {written} · {said}"


def cmd_bench_identity(args: argparse.Namespace) -> int:
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    from prep_tools.bench.identity import bench_main

    return bench_main(args.deck, n=args.n, seed=args.seed, split=args.split, p_swap=args.swap,
                      p_typed=args.typed, workers=args.workers, json_out=args.json_out)


def cmd_bench_ocr(args: argparse.Namespace) -> int:
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    if args.conditions:
        from prep_tools.bench import conditions

        return conditions.main(
            args.conditions, args.seed, args.deck, tuple(args.only), os.cpu_count() or 1
        )
    from prep_tools.bench.ocr import bench_main

    return bench_main(
        args.deck,
        n=args.n,
        seed=args.seed,
        limit=args.limit,
        tess_limit=args.tess_limit,
        no_tesseract=args.no_tesseract,
        workers=args.workers,
        json_out=args.json_out,
        dpi=args.dpi,
    )
