"""Who may send what: the event kinds each station role may sign (docs/EVENTS.md).

The server refuses a batch holding any event its station's role may not send, or
an event for an acta outside the station's scope; nothing of that batch is
stored. Resoluciones come only from the server itself.
"""

from __future__ import annotations

from collections.abc import Mapping

from prep_core.events import Event, Kind

# role -> kinds it may send
ROLE_KINDS: Mapping[str, frozenset[Kind]] = {
    # the collection centre: receives the paper, scans it, reads it, checks it
    "CATD": frozenset(
        {
            Kind.ACOPIO,
            Kind.SIN_ACTA,
            Kind.DIGITALIZACION,
            Kind.CAPTURA,
            Kind.VERIFICACION,
            Kind.COTEJO,
            Kind.CORRECCION,
            Kind.IDENTIDAD,
        }
    ),
    # the verification centre: captures and checks images it did not scan
    "CCV": frozenset({Kind.CAPTURA, Kind.VERIFICACION, Kind.COTEJO, Kind.CORRECCION}),
    # PREP Casilla: the officials' phone photographs the acta, nothing else
    "CASILLA": frozenset({Kind.DIGITALIZACION}),
}
# the origin a role's digitalizaciones must declare
ROLE_ORIGEN: Mapping[str, str] = {"CATD": "CATD", "CASILLA": "CASILLA"}


def refusal(role: str, event: Event) -> tuple[str, str] | None:
    """Why a station of ``role`` may not send ``event`` (Spanish, English), or None."""
    kind = event.kind.value
    if event.kind not in ROLE_KINDS.get(role, frozenset()):
        return (
            f"una estación {role} no puede enviar eventos '{kind}'",
            f"a {role} station may not send '{kind}' events",
        )
    if event.kind is Kind.DIGITALIZACION:
        origen = event.payload.get("origen")
        if origen != ROLE_ORIGEN[role]:
            return (
                f"una estación {role} digitaliza con origen {ROLE_ORIGEN[role]}, no {origen}",
                f"a {role} station digitizes with origen {ROLE_ORIGEN[role]}, not {origen}",
            )
    return None
