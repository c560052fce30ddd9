"""The public site served the way an institute would: Debian's nginx on loopback
serving the publication folder as static files, driven by wrk, while new cuts are
published into it. ``python -m prep_tools.bench.serve [CASILLAS] [SECONDS]``.

Reports requests/s for the landing page and a casilla page (idle, then while cuts
are published), and checks that during publication no request got a status other
than 200 and no page came back cut short or mixing two cuts.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

from prep_core.derive import derive_actas
from prep_core.publication import build_cut
from prep_core.signing import KeyPair
from prep_demo.demo import demo_catalog
from prep_demo.sim import simulate_events, simulate_readings

NGINX = "/usr/sbin/nginx"
WRK = "/usr/bin/wrk"
CONF = """daemon off;
worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  types {{ text/html html; text/css css; application/javascript js;
          application/json json; application/zip zip; image/png png; image/jpeg jpg; }}
  default_type application/octet-stream;
  sendfile on;
  server {{
    listen 127.0.0.1:{port};
    root {root};
  }}
}}
"""


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wrk(url: str, seconds: int) -> tuple[float, int]:
    out = subprocess.run(
        [WRK, "-t2", "-c32", f"-d{seconds}s", url], capture_output=True, text=True, check=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rps, int(bad.group(1)) if bad else 0


def main(casillas: int = 1114, seconds: int = 10) -> int:
    from sync_server.services import publish as pub

    if not (shutil.which(NGINX) and shutil.which(WRK)):
        print("falta nginx o wrk: apt-get install nginx wrk / nginx or wrk missing")
        return 2
    catalog = demo_catalog(casillas)
    readings = [r for e in catalog.elections for r in simulate_readings(catalog, e.id)]
    night = simulate_events(catalog, readings, catd=19, ccv=2, sign=False)
    states = list(derive_actas(night.all_events()).values())
    ctx = SimpleNamespace(key=KeyPair.generate(), catalog=catalog)
    pub._publish_images = lambda ctx, shas, root: ({}, 0)  # images not copied
    t0 = datetime(2024, 6, 3, 2, tzinfo=UTC)
    tmp = Path(tempfile.mkdtemp(prefix="prep-serve-"))
    tmp.chmod(0o755)  # nginx's workers run as another user
    root = tmp / "publicacion"
    n_cuts = [0]

    def publish_one() -> float:
        t = time.perf_counter()
        at = t0 + timedelta(minutes=5 * n_cuts[0])
        cuts = [build_cut(catalog, e.id, states, at) for e in catalog.elections]
        pub.publish(ctx, cuts, root, None)  # type: ignore[arg-type]
        n_cuts[0] += 1
        return time.perf_counter() - t

    first = publish_one()
    casilla = catalog.casillas[len(catalog.casillas) // 2].clave
    port = free_port()
    (tmp / "nginx.conf").write_text(CONF.format(tmp=tmp, port=port, root=root))
    nginx = subprocess.Popen([NGINX, "-c", str(tmp / "nginx.conf"), "-p", str(tmp)])
    base = f"http://127.0.0.1:{port}"
    landing, page = f"{base}/cortes/actual/index.html", f"{base}/cortes/actual/casillas/{casilla}.html"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(landing, timeout=1)
                break
            except OSError:
                time.sleep(0.05)
        idle = {name: wrk(url, seconds) for name, url in (("inicio", landing), ("casilla", page))}
        stop = threading.Event()
        problems: list[str] = []
        checked = [0]

        def publisher() -> None:
            while not stop.is_set():
                publish_one()

        def checker() -> None:
            while not stop.is_set():
                for url in (landing, page):
                    try:
                        body = urllib.request.urlopen(url, timeout=5).read().decode()
                    except OSError as exc:
                        problems.append(f"{url}: {exc}")
                        continue
                    checked[0] += 1
                    if not body.rstrip().endswith("</html>"):
                        problems.append(f"{url}: página incompleta / truncated page")
                    cuts = set(re.findall(r"Corte: <strong>([^<]+)</strong>", body))
                    if len(cuts) != (1 if url == landing else len(cuts) and 1):
                        problems.append(f"{url}: dos cortes / two cuts in one page")

        threads = [threading.Thread(target=publisher), threading.Thread(target=checker)]
        for t in threads:
            t.start()
        busy = {name: wrk(url, seconds) for name, url in (("inicio", landing), ("casilla", page))}
        stop.set()
        for t in threads:
            t.join()
    finally:
        nginx.terminate()
        nginx.wait(10)
    files = sum(1 for _ in (root / "cortes" / "actual").resolve().rglob("*"))
    print(f"{casillas:,} casillas, {len(catalog.elections)} elecciones; un corte: {files:,} archivos, "
          f"publicado en {first:.1f} s")
    for name in ("inicio", "casilla"):
        print(f"{name}: {idle[name][0]:,.0f} req/s en reposo; {busy[name][0]:,.0f} req/s "
              f"publicando cortes; respuestas no 2xx: {idle[name][1] + busy[name][1]}")
    print(f"cortes publicados bajo carga: {n_cuts[0] - 1}; páginas revisadas: {checked[0]:,}; "
          f"problemas: {len(problems)}")
    for p in problems[:10]:
        print("  " + p)
    shutil.rmtree(tmp, ignore_errors=True)
    bad = sum(v[1] for v in (*idle.values(), *busy.values()))
    return 0 if not problems and not bad and n_cuts[0] > 1 else 1


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]]
    sys.exit(main(*args))
