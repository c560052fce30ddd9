"""A station's data folder, opened: config, catalog, key, database, images, outbox.

Layout of the data folder::

    station.json     identity (id, name, role), server URL, catalog fingerprint, language
    key.json         Ed25519 key, encrypted with the station passphrase (scrypt)
    catalog/         the catalog in use (catalog.json + casillas.csv)
    station.db       SQLite: events (outbox), images, pages, operators, receipts
    images/          acta images, content-addressed
    station.lock     held while a process has the station open
"""

from __future__ import annotations

import fcntl
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from capture_station.errors import StationError
from capture_station.storage.db import Store
from capture_station.storage.images import ImageStore
from capture_station.storage.outbox import Outbox, now_ms
from prep_core.catalog import Catalog
from prep_core.catalog_format import parse_catalog
from prep_core.errors import PrepError
from prep_core.signing import KeyPair, decrypt_key, encrypt_key, short_fingerprint
from prep_io.files import load_catalog, save_catalog, write_atomic

ROLES = ("CATD", "CCV")


@dataclass
class StationConfig:
    station: str
    name: str
    role: str
    catalog: str
    server: str = ""
    lang: str = "es"
    created_at: int = 0

    def save(self, folder: Path) -> None:
        write_atomic(folder / "station.json",
                     (json.dumps(asdict(self), ensure_ascii=False, indent=1) + "\n").encode())

    @classmethod
    def load(cls, folder: Path) -> StationConfig:
        return cls(**json.loads((folder / "station.json").read_text(encoding="utf-8")))


def is_initialized(folder: Path) -> bool:
    return (Path(folder) / "station.json").exists() and (Path(folder) / "key.json").exists()


def import_catalog(source: Path | Catalog) -> Catalog:
    if isinstance(source, Catalog):
        return source
    try:
        return load_catalog(source)
    except PrepError as exc:
        raise _invalid(exc, str(source)) from None


def catalog_from_texts(files: dict[str, str], source: str) -> Catalog:
    """A catalog received as the text of its two files (from the server), checked
    exactly as a catalog folder is."""
    try:
        return parse_catalog(files["catalog.json"], files["casillas.csv"], source=source)
    except PrepError as exc:
        raise _invalid(exc, source) from None


def _invalid(exc: PrepError, where: str) -> StationError:
    return StationError(f"catálogo inválido: {exc.message_es}",
                        f"invalid catalog: {exc.message_en}", where=where)


def check_expected(cat: Catalog, expected: str) -> None:
    """When the operator typed the fingerprint published for the election (all of it
    or its start, spaces allowed), the catalog must have it."""
    want = "".join(expected.split()).lower()
    if not want:
        return
    if len(want) < 8 or any(ch not in "0123456789abcdef" for ch in want):
        raise StationError("la huella esperada debe tener al menos 8 caracteres hexadecimales",
                           "the expected fingerprint needs at least 8 hex characters",
                           where="huella")
    if not cat.fingerprint.startswith(want):
        raise StationError(
            f"el catálogo «{cat.name}» es de otra elección o versión: su huella es "
            f"{short_fingerprint(cat.fingerprint)}…, se esperaba {want[:32]}",
            f"catalog '{cat.name}' is of another election or version: its fingerprint is "
            f"{short_fingerprint(cat.fingerprint)}…, expected {want[:32]}", where="catálogo")


def create_station(folder: Path, station_id: str, name: str, role: str,
                   catalog: Path | Catalog, passphrase: str, server: str = "",
                   lang: str = "es", expected_catalog: str = "") -> None:
    """First run: identity, catalog copy, key pair encrypted with the passphrase."""
    from prep_core.events import _ID

    folder = Path(folder)
    if is_initialized(folder):
        raise StationError("esta carpeta ya tiene una estación", "this folder already has a station",
                           where=str(folder))
    if not _ID.match(station_id or ""):
        raise StationError("identificador de estación inválido (letras, números, guion)",
                           "invalid station id (letters, digits, dash)", where="estación")
    if role not in ROLES:
        raise StationError("el tipo debe ser CATD o CCV", "role must be CATD or CCV", where="tipo")
    if not name.strip():
        raise StationError("falta el nombre de la estación", "station name missing", where="nombre")
    cat = import_catalog(catalog)
    check_expected(cat, expected_catalog)
    try:
        key_doc = encrypt_key(KeyPair.generate(), passphrase)
    except PrepError as exc:
        raise StationError(exc.message_es, exc.message_en, where="frase de acceso") from None
    folder.mkdir(parents=True, exist_ok=True)
    save_catalog(cat, folder / "catalog")
    write_atomic(folder / "key.json", json.dumps(key_doc, indent=1).encode())
    os.chmod(folder / "key.json", 0o600)
    Store(folder / "station.db").close()
    StationConfig(station_id, name.strip(), role, cat.fingerprint, server, lang,
                  now_ms()).save(folder)


class Station:
    """An open station. One process at a time (a lock file); one Store per thread."""

    def __init__(self, folder: Path, passphrase: str) -> None:
        self.folder = Path(folder)
        if not is_initialized(self.folder):
            raise StationError("la carpeta no tiene una estación configurada",
                               "the folder holds no configured station", where=str(folder))
        self.config = StationConfig.load(self.folder)
        try:
            doc = json.loads((self.folder / "key.json").read_text(encoding="utf-8"))
            self.key = decrypt_key(doc, passphrase)
        except PrepError as exc:
            raise StationError(exc.message_es, exc.message_en, where="llave de la estación") from None
        except ValueError:
            raise StationError("archivo de llave dañado", "damaged key file", where="key.json") from None
        self._lock = open(self.folder / "station.lock", "a+")  # noqa: SIM115
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            self._lock.close()
            raise StationError("la estación ya está abierta en otro programa",
                               "the station is already open in another program") from None
        self.catalog = import_catalog(self.folder / "catalog")
        if self.catalog.fingerprint != self.config.catalog:
            raise StationError("el catálogo de la carpeta no coincide con la huella registrada",
                               "the catalog does not match the recorded fingerprint",
                               where="catalog")
        self.images = ImageStore(self.folder / "images")
        self.images.remove_temporaries()
        self.store = Store(self.folder / "station.db")
        self.outbox = Outbox(self.config.station, self.key, self.catalog.fingerprint)

    @property
    def id(self) -> str:
        return self.config.station

    def open_store(self) -> Store:
        """A new connection for another thread."""
        return Store(self.folder / "station.db")

    def set_server(self, url: str) -> None:
        self.config.server = url.rstrip("/")
        self.config.save(self.folder)

    def set_lang(self, lang: str) -> None:
        self.config.lang = lang
        self.config.save(self.folder)

    def close(self) -> None:
        if self._lock.closed:
            return
        self.store.close()
        try:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
        finally:
            self._lock.close()
