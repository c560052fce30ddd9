"""The coordinators' side, over HTTP as a coordinator's browser would: enrollment
codes, permissions, cuts and their CSVs, the conflict queue, USB import, receipts."""

from __future__ import annotations

import time
from typing import Any

import requests

from prep_cli.local_server import console_session


class Console:
    def __init__(self, url: str) -> None:
        self.url = url
        self._login()

    def _login(self) -> None:
        deadline = time.time() + 60
        while True:
            try:
                self.s, self.csrf = console_session(self.url)
                return
            except (requests.RequestException, RuntimeError, AttributeError):
                if time.time() > deadline:
                    raise
                time.sleep(0.5)

    def _call(self, method: str, path: str, **kw: Any) -> requests.Response:
        """One request; after a server restart, log in again and retry."""
        for attempt in range(3):
            try:
                r = self.s.request(method, self.url + path, timeout=120,
                                   headers={"X-CSRF-Token": self.csrf}, **kw)
            except requests.RequestException:
                if attempt == 2:
                    raise
                time.sleep(1)
                self._login()
                continue
            if r.status_code in (401, 403) and attempt < 2 and "login" in r.text[:2000].lower():
                self._login()
                continue
            return r
        raise RuntimeError("unreachable")

    def issue_code(self, role: str, label: str, scope: dict | None = None) -> str:  # type: ignore[type-arg]
        r = self._call("POST", "/console/api/enrollment-codes",
                       json={"role": role, "label": label, "scope": scope})
        r.raise_for_status()
        return str(r.json()["code"])

    def allow_alone(self, station: str) -> None:
        r = self._call("POST", f"/console/api/stations/{station}/permissions",
                       json={"scope": None, "self_verify": True})
        r.raise_for_status()

    def stations(self) -> list[dict[str, Any]]:
        r = self._call("GET", "/console/api/stations")
        r.raise_for_status()
        return r.json()  # type: ignore[no-any-return]

    def cut(self, final: bool = False) -> list[dict[str, Any]]:
        r = self._call("POST", "/console/api/cuts" + ("?final=true" if final else ""))
        r.raise_for_status()
        return r.json()  # type: ignore[no-any-return]

    def cut_csv(self, cut_id: int) -> bytes:
        r = self._call("GET", f"/console/cuts/{cut_id}.csv")
        r.raise_for_status()
        return r.content

    def conflicts(self) -> list[dict[str, Any]]:
        r = self._call("GET", "/console/api/conflicts")
        r.raise_for_status()
        return r.json()  # type: ignore[no-any-return]

    def resolve(self, conflict_id: int, action: str, reading: int | None, reason: str) -> bool:
        """Resolve an entry of the queue; False when it closed by itself meanwhile (409
        ``already_closed``: an alarm whose figures changed, a conflict a later capture
        settled)."""
        r = self._call("POST", f"/console/api/conflicts/{conflict_id}/resolve",
                       json={"action": action, "reading": reading, "reason": reason})
        if r.status_code == 409:
            return False
        r.raise_for_status()
        return True

    def import_usb(self, name: str, data: bytes) -> str:
        r = self._call("POST", "/console/import", data={"csrf": self.csrf},
                       files={"file": (name, data, "application/json")})
        r.raise_for_status()
        return r.text

    def receipts(self, station: str) -> bytes:
        r = self._call("GET", f"/console/stations/{station}/receipts.json")
        r.raise_for_status()
        return r.content
