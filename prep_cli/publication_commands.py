"""Commands of the publication's audit (wired by prep_cli/main.py):

prep verify-publication DIR|URL [--public-key K] [--no-images]
                                 check a published cut: signature, every file's
                                 hash, every image, the figures counted again
prep integrity [--list] [--check LIST] [--bundle DIR]
                                 the code hash of this installation; the files
                                 that differ from a list (in a bundle: from its
                                 release manifest, every file of the bundle)
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
    p.add_argument("--bundle", metavar="DIR", type=Path,
                   help="un paquete instalable (por omisión el que ejecuta este comando): "
                   "--list da su manifiesto, --check lo compara archivo por archivo / a "
                   "bundle (default: the one running this command): --list prints its "
                   "manifest, --check compares it file by file")
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


def _read_list(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise PrepError("no se puede leer la lista", "cannot read the list",
                        where=str(path)) from None


def cmd_integrity(args: argparse.Namespace) -> int:
    from prep_core.codehash import code_hash, compare_lists, parse_list
    from prep_io.codehash import install_root, installed_files, installed_list, running_bundle

    bundle = args.bundle or running_bundle()
    if bundle is not None:
        return _bundle_integrity(args, bundle)
    if args.check:
        text = _read_list(args.check)
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


def _bundle_integrity(args: argparse.Namespace, bundle: Path) -> int:
    """``prep integrity`` over a whole bundle and its release manifest."""
    from prep_core.codehash import code_hash, comments, compare_lists, parse_list
    from prep_io.codehash import bundle_code_root, bundle_files, bundle_manifest, installed_list

    if not (bundle_code_root(bundle) / "prep_core").is_dir():
        raise PrepError("no es la carpeta de un paquete de PREP Abierto",
                        "not a PREP Abierto bundle folder", where=str(bundle))
    code = code_hash(installed_list(bundle_code_root(bundle)))
    if args.list:
        sys.stdout.write(bundle_manifest(bundle))
        return 0
    if not args.check:
        print(f"{code}  (código / code, {bundle})")
        return 0
    text = _read_list(args.check)
    diffs = compare_lists(parse_list(text, where=str(args.check)), bundle_files(bundle))
    for d in diffs:
        print(d.message())
    audited = comments(text).get("prep-abierto code hash")
    if audited and audited != code:
        print(f"huella del código / code hash: {code}, el manifiesto dice / the manifest says "
              f"{audited}")
    if diffs or (audited and audited != code):
        print(f"{len(diffs)} archivos difieren / files differ (paquete / bundle: {bundle})",
              file=sys.stderr)
        return 1
    print(f"paquete íntegro / bundle intact: {len(parse_list(text))} archivos / files, "
          f"código / code {code}")
    return 0
