"""Server settings: one immutable object handed to the app factory (no globals)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DB = "sqlite:///prep-server.db"
SERVER_STATION = "SERVIDOR"


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DB
    catalog_path: str | None = None  # required to serve: --catalog or PREP_CATALOG
    data_dir: Path = field(default_factory=lambda: Path("prep-server-data"))
    max_body_bytes: int = 32 * 1024 * 1024
    max_events_per_batch: int = 5_000
    session_hours: int = 12
    secure_cookies: bool = False  # set True behind HTTPS
    default_lang: str = "es"
    server_station: str = SERVER_STATION
    verify_workers: int = field(default_factory=lambda: min(4, os.cpu_count() or 1))
    publish_dir: Path | None = None  # None: data_dir / "publicacion"
    cut_every_min: int = 0  # 0: cuts only from the console
    # A station's clock is its claim: an event's ``at`` is accepted only from
    # ``clock_behind_ms`` before the server's clock (an offline station syncing
    # late) to ``clock_ahead_ms`` after it, and inside the configured election
    # window when one is set (ms since the epoch, UTC).
    clock_ahead_ms: int = 10 * 60_000
    clock_behind_ms: int = 72 * 3_600_000
    window_start_ms: int | None = None
    window_end_ms: int | None = None
    # forwarded-for headers are believed only from these addresses
    trusted_proxies: tuple[str, ...] = ()
    image_quota_bytes: int = 4 * 1024**3  # per station
    enrollment_code_hours: int = 72
    max_json_depth: int = 32
    api_docs: bool = False  # /docs and /redoc (served offline) only when asked for
    # The unauthenticated surface (docs/SERVER.md, "Limits"): the largest image, and
    # smaller body limits than max_body_bytes for enrollment and the console's API.
    max_image_bytes: int = 8 * 1024 * 1024
    enroll_body_bytes: int = 8 * 1024
    console_body_bytes: int = 64 * 1024
    # Publication layout (docs/PUBLISHED.md, "Layout profiles"): the id of a profile of
    # resources/layouts, or a profile file; the cuts' CSV and zip follow it.
    publication_layout: str = "ine-federal"
    # Publication (docs/SERVER.md, "Publication"): the schedule of cuts. The first
    # cut at ``cut_start_ms`` (18:00–20:00 central Mexico time on election day), then
    # every ``cut_every_min`` minutes (at most 20: three an hour), until
    # ``cut_end_ms`` (at most 24 hours later) or until every expected acta is
    # captured; the last cut is final. Checked by services/schedule.py.
    cut_start_ms: int | None = None
    cut_end_ms: int | None = None
    # worker processes that render a large cut's site (sync_server/publication/pages.py);
    # 0: in the server's process
    site_workers: int = field(default_factory=lambda: os.cpu_count() or 1)

    @property
    def publish_path(self) -> Path:
        return self.publish_dir if self.publish_dir is not None else self.data_dir / "publicacion"

    @property
    def key_path(self) -> Path:
        return self.data_dir / "server-key.json"

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        env = os.environ
        values: dict[str, object] = {}
        if env.get("DATABASE_URL"):
            values["database_url"] = env["DATABASE_URL"]
        if env.get("PREP_CATALOG"):
            values["catalog_path"] = env["PREP_CATALOG"]
        if env.get("PREP_DATA_DIR"):
            values["data_dir"] = Path(env["PREP_DATA_DIR"])
        if env.get("PREP_PUBLISH_DIR"):
            values["publish_dir"] = Path(env["PREP_PUBLISH_DIR"])
        if env.get("PREP_CUT_EVERY"):
            values["cut_every_min"] = int(env["PREP_CUT_EVERY"])
        if env.get("PREP_LAYOUT"):
            values["publication_layout"] = env["PREP_LAYOUT"]
        for name, key in (("PREP_CUT_START", "cut_start_ms"), ("PREP_CUT_END", "cut_end_ms")):
            if env.get(name):
                values[key] = parse_when(env[name])
        if env.get("PREP_SITE_WORKERS"):
            values["site_workers"] = int(env["PREP_SITE_WORKERS"])
        if env.get("PREP_SECURE_COOKIES") == "1":
            values["secure_cookies"] = True
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]


def parse_when(text: str) -> int:
    """An ISO time (``2024-06-02T20:00-06:00``; without an offset, central Mexico
    time) as ms since the epoch."""
    from datetime import datetime, timedelta, timezone

    t = datetime.fromisoformat(text)
    if t.tzinfo is None:
        t = t.replace(tzinfo=timezone(timedelta(hours=-6)))
    return int(t.timestamp() * 1000)
