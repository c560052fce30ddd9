"""Commands of the publication's audit (wired by prep_cli/main.py):

prep verify-publication DIR|URL [--public-key K] [--no-images]
                                 check a published cut: signature, every file's
                                 hash, every image, the figures counted again
prep integrity [--list] [--check LIST]
                                 the code hash of this installation; the files
                                 that differ from a list
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from prep_core.errors import PrepError


def add_parsers(sub: Any) -> None:
    p = sub.add_parser(
        "verify-publication",
        help="verifica un corte publicado / verify a published cut",
    )
    p.add_argument("target", metavar="DIR|URL",
                   help="carpeta publicada (o la de un corte) o su dirección web / "
                   "published folder (or one cut's folder) or its web address")
    p.add_argument("--public-key", metavar="K",
                   help="llave de publicación en la que confía: llave-publica.json, su base64 "
                   "o su huella / the publication key you trust: llave-publica.json, its "
                   "base64 or its fingerprint")
    p.add_argument("--no-images", action="store_true",
                   help="no descargar ni revisar las imágenes / do not check the images")
    p.set_defaults(func=cmd_verify_publication)

    p = sub.add_parser("integrity", help="huella del código instalado / installed code hash")
    p.add_argument("--list", action="store_true",
                   help="imprime la lista canónica (sha256  ruta) / print the canonical list")
    p.add_argument("--check", metavar="LIST", type=Path,
                   help="nombra cada archivo que difiere de LIST / name each file that "
                   "differs from LIST")
    p.set_defaults(func=cmd_integrity)


def trusted_key(spec: str, manifest_key: bytes | None = None) -> bytes | tuple[str, None]:
    """The key given: a key file, its base64, or a fingerprint (then matched later)."""
    from prep_core.signing import unb64

    path = Path(spec)
    if path.is_file():
        try:
            return unb64(json.loads(path.read_text(encoding="utf-8"))["public_key"], "public_key")
        except (ValueError, KeyError, TypeError, OSError):
            raise PrepError("no es un archivo de llave pública", "not a public key file",
                            where=spec) from None
    text = spec.strip().replace(" ", "").lower()
    if len(text) == 64 and all(c in "0123456789abcdef" for c in text):
        return (text, None)
    try:
        key = unb64(spec.strip(), "public_key")
    except ValueError:
        key = b""
    if len(key) != 32:
        raise PrepError("no es una llave, ni su base64, ni su huella",
                        "not a key, its base64, or its fingerprint", where=spec)
    return key


def cmd_verify_publication(args: argparse.Namespace) -> int:
    from prep_core.pubverify import verify_cut
    from prep_io.layouts import shipped_layouts
    from prep_io.publication_source import open_publication

    pub = open_publication(args.target)
    key: bytes | None = None
    if args.public_key:
        given = trusted_key(args.public_key)
        # a fingerprint: the manifest's key must have it
        key = _key_with_fingerprint(pub, given[0]) if isinstance(given, tuple) else given
    rep = verify_cut(pub.read, pub.cut_dir, key, present=pub.present, images=not args.no_images,
                     layouts=shipped_layouts())
    for note in rep.notes:
        print(f"nota / note: {note}", file=sys.stderr)
    for line in rep.lines():
        print(line, file=sys.stderr)
    c = rep.counts
    summary = (f"corte {rep.corte}: {c.get('archivos', 0)} archivos / files, "
               f"{c.get('filas', 0)} filas / rows, {c.get('imagenes', 0)} imágenes / images")
    if rep.ok:
        print(f"publicación íntegra / publication verified: {summary}")
        return 0
    print(f"NO VERIFICA / DOES NOT VERIFY: {len(rep.findings)} errores / errors ({summary})",
          file=sys.stderr)
    return 1


def _key_with_fingerprint(pub: Any, fp: str) -> bytes:
    """The manifest's key when its fingerprint is the one given; else a key that
    cannot verify (the signature check then reports it)."""
    from prep_core.manifest import NAME
    from prep_core.signing import fingerprint, unb64

    raw = pub.read(f"{pub.cut_dir}/{NAME}")
    try:
        key = unb64(json.loads(raw)["manifiesto"]["public_key"], "public_key")
    except (TypeError, ValueError, KeyError):
        return b"\0" * 32
    return key if fingerprint(key) == fp else b"\0" * 32


def cmd_integrity(args: argparse.Namespace) -> int:
    from prep_core.codehash import code_hash, compare_lists, parse_list
    from prep_io.codehash import install_root, installed_files, installed_list

    if args.check:
        try:
            text = args.check.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            raise PrepError("no se puede leer la lista", "cannot read the list",
                            where=str(args.check)) from None
        diffs = compare_lists(parse_list(text, where=str(args.check)), installed_files())
        for d in diffs:
            print(d.message())
        if diffs:
            print(f"{len(diffs)} archivos difieren / files differ (instalación / install: "
                  f"{install_root()})", file=sys.stderr)
            return 1
        print(f"código íntegro / code intact: {code_hash(text)}")
        return 0
    text = installed_list()
    if args.list:
        sys.stdout.write(text)
        return 0
    print(f"{code_hash(text)}  ({text.count(chr(10))} archivos / files, {install_root()})")
    return 0
