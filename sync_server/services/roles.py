"""Console roles and what each may do (the table in docs/SERVER.md).

Routes name a capability, never a role: ``console.auth.require(cap)`` checks the
signed-in user's role, read from the database on every request, against this
table. A role not listed here may do nothing.
"""

from __future__ import annotations

ROLES = ("coordinador", "supervisor", "consulta", "auditor")

READ = "read"  # dashboard, stations, conflicts, actas and their images, cut list
AUDIT = "audit"  # the audit log, and the record of enrollment codes issued
DOWNLOAD = "download"  # cut CSVs, a station's receipts file
IMPORT = "import"  # USB import of batches and enrollment requests
RESOLVE = "resolve"  # resolve a conflict, inconsistency or proposed correction
STATIONS = "stations"  # approve, revoke, permissions, approval files, enrollment codes
CUT = "cut"  # take a publication cut
CERTIFY = "certify"  # issue the puesta en ceros certificate
USERS = "users"  # console accounts

CAPABILITIES = (READ, AUDIT, DOWNLOAD, IMPORT, RESOLVE, STATIONS, CUT, CERTIFY, USERS)

TABLE: dict[str, frozenset[str]] = {
    "coordinador": frozenset(CAPABILITIES),
    "supervisor": frozenset({READ, AUDIT, DOWNLOAD, IMPORT, RESOLVE}),
    "consulta": frozenset({READ}),
    "auditor": frozenset({READ, AUDIT, DOWNLOAD}),
}


def allows(role: str, capability: str) -> bool:
    return capability in TABLE.get(role, frozenset())


def capabilities(role: str) -> frozenset[str]:
    return TABLE.get(role, frozenset())
