"""Run by tests/installer/test_bundles.py inside a network namespace of its own (no
network but loopback): start a server bundle with a clean environment, wait for
/health, log in to the console, take a cut. Prints one JSON line.

    python server_probe.py BUNDLE_DIR CATALOG_DIR WORK_DIR
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx

PORT, USER, PASSWORD = 8765, "coordinacion", "clave-de-prueba-2024"


def main() -> int:
    bundle, catalog, work = (Path(a) for a in sys.argv[1:4])
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(work),
        "LANG": "C.UTF-8",
        "PREP_ADMIN_USER": USER,
        "PREP_ADMIN_PASSWORD": PASSWORD,
    }
    log = (work / "server.log").open("w")
    proc = subprocess.Popen(
        [
            str(bundle / "prep-server"),
            "--catalog",
            str(catalog),
            "--data-dir",
            str(work / "datos"),
            "--db",
            f"sqlite:///{work / 'prep.db'}",
            "--port",
            str(PORT),
        ],
        cwd=work,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    out: dict[str, object] = {}
    try:
        base = f"http://127.0.0.1:{PORT}"
        deadline = time.monotonic() + 90
        while True:
            try:
                health = httpx.get(f"{base}/health", timeout=2)
                break
            except httpx.HTTPError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    out["error"] = "no /health"
                    return report(out, work)
                time.sleep(0.3)
        out["health"] = health.status_code
        out["health_body"] = health.json()
        with httpx.Client(base_url=base, timeout=30) as c:
            token = re.search(r'name="csrf" value="([^"]+)"', c.get("/console/login").text)
            r = c.post(
                "/console/login",
                data={
                    "username": USER,
                    "password": PASSWORD,
                    "csrf": token.group(1) if token else "",
                },
            )
            dash = c.get("/console/")
            csrf = re.search(r'name="csrf-token" content="([^"]+)"', dash.text)
            out["login"] = r.status_code == 303 and csrf is not None
            made = c.post(
                "/console/api/cuts", headers={"X-CSRF-Token": csrf.group(1) if csrf else ""}
            )
            out["cut_status"] = made.status_code
            out["cuts"] = made.json() if made.status_code == 200 else made.text[:300]
    finally:
        proc.terminate()
        out["exit"] = proc.wait(timeout=30)
    return report(out, work)


def report(out: dict[str, object], work: Path) -> int:
    out["log_tail"] = (work / "server.log").read_text(errors="replace")[-1500:]
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
