"""PREP sync server: signed merge of station events into the central tally,
and the coordinators' console.

Build the ASGI app with :func:`sync_server.app.create_app`; run it with
``prep-server`` (:mod:`sync_server.main`). See docs/SERVER.md.
"""

from __future__ import annotations

__all__ = ["create_app"]


def create_app(*args, **kwargs):  # type: ignore[no-untyped-def]
    from sync_server.app import create_app as _create

    return _create(*args, **kwargs)
