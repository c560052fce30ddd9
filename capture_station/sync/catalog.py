"""First run: the catalog downloaded from the server (``GET /api/v1/catalog``),
checked exactly as a catalog folder is, and against the fingerprint the server
announces (and the one the operator expects, when given)."""

from __future__ import annotations

from typing import Any

import requests

from capture_station.errors import StationError
from capture_station.station import catalog_from_texts, check_expected
from capture_station.sync.client import TIMEOUT
from prep_core.catalog import Catalog
from prep_core.catalog_format import CATALOG_FILES

CATALOG_FORMAT = "prep-catalog-files/1"


def download_catalog(url: str, expected: str = "") -> Catalog:
    base = url.strip().rstrip("/")
    if not base.startswith(("http://", "https://")):
        raise StationError("indique la dirección del servidor (http://…)",
                           "give the server address (http://…)", where="servidor")
    http = requests.Session()
    http.trust_env = False
    try:
        resp = http.get(base + "/api/v1/catalog", timeout=TIMEOUT)
    except requests.RequestException as exc:
        raise StationError("sin conexión con el servidor; use un archivo o una memoria USB",
                           f"server unreachable ({exc.__class__.__name__}); use a file or a "
                           "USB drive", where=base) from None
    finally:
        http.close()
    if resp.status_code != 200:
        raise StationError(f"el servidor no entregó el catálogo ({resp.status_code})",
                           f"the server did not serve the catalog ({resp.status_code})",
                           where=base)
    try:
        doc: Any = resp.json()
    except ValueError:
        doc = None
    files = doc.get("files") if isinstance(doc, dict) else None
    if (not isinstance(doc, dict) or doc.get("format") != CATALOG_FORMAT
            or not isinstance(files, dict)
            or not all(isinstance(files.get(n), str) for n in CATALOG_FILES)):
        raise StationError("la respuesta del servidor no es un catálogo",
                           "the server's answer is not a catalog", where=base)
    cat = catalog_from_texts(files, f"{base}/api/v1/catalog")
    if cat.fingerprint != doc.get("fingerprint"):
        raise StationError("el catálogo recibido no coincide con la huella que anuncia el "
                           "servidor (alterado en el camino); no se usa",
                           "the catalog received does not match the fingerprint the server "
                           "announces (altered on the way); not used", where=base)
    check_expected(cat, expected)
    return cat
