"""The server's tables (SQLAlchemy Core). The schema itself is created by the
Alembic migrations in sync_server/migrations; tests check that both agree."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    false,
)

metadata = MetaData()

stations = Table(
    "stations",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("public_key", String(64), nullable=False),  # base64 of 32 raw bytes
    Column("fingerprint", String(64), nullable=False),
    Column("role", String(16), nullable=False),  # CATD, CCV, CASILLA, SERVER
    Column("name", String(200), nullable=False),
    Column("status", String(16), nullable=False),  # pending, approved, revoked
    Column("requested_at", BigInteger, nullable=False),
    Column("decided_at", BigInteger),
    Column("decided_by", String(64)),
    Column("last_seq", BigInteger, nullable=False, default=0),
    Column("last_hash", String(64), nullable=False),
    Column("last_contact", BigInteger),
    # the last chain gap the station's batches ran into (missing gap_first..gap_last,
    # gap_events events refused at gap_at); NULL once its chain advanced past it
    Column("gap_first", BigInteger),
    Column("gap_last", BigInteger),
    Column("gap_events", Integer),
    Column("gap_at", BigInteger),
    # JSON {"distritos": [...]} or {"municipios": [...]}: the actas it may send for;
    # NULL: every acta of the catalog
    Column("scope", Text),
    # a coordinator allowed two operators of this one station to verify an acta
    Column("self_verify", Boolean, nullable=False, default=False, server_default=false()),
)

# An event's hash covers its station and number: (station, seq) identifies it too,
# and keys the table so inserts append per station (migration 0003).
events = Table(
    "events",
    metadata,
    Column("hash", String(64), nullable=False),
    Column("station", String(64), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("clave_acta", String(32), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("body", Text, nullable=False),  # canonical JSON, exactly as signed
    Column("sig", String(100), nullable=False),
    Column("batch", String(64), nullable=False),
    Column("received_at", BigInteger, nullable=False),
    # the server's order of acceptance (1, 2, 3… across all stations): "the latest"
    # always means the latest here, never by a station's clock (migration 0005)
    Column("ingest_seq", BigInteger, nullable=False),
    PrimaryKeyConstraint("station", "seq", name="pk_events"),
)
Index("ix_events_acta_hash", events.c.clave_acta, events.c.hash)
Index("ux_events_ingest_seq", events.c.ingest_seq, unique=True)

batches = Table(
    "batches",
    metadata,
    Column("hash", String(64), primary_key=True),
    Column("station", String(64), nullable=False),
    Column("events", Integer, nullable=False),
    Column("accepted", Integer, nullable=False),
    Column("receipt", Text, nullable=False),  # signed receipt JSON, returned again on replay
    Column("received_at", BigInteger, nullable=False),
    Column("source", String(16), nullable=False),  # api, usb
)

images = Table(
    "images",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", Integer, nullable=False),
    Column("media_type", String(40), nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("received_at", BigInteger, nullable=False),
    Column("station", String(64)),  # the station that uploaded it (quota); NULL: earlier
    # SHA-512 of ``data``: CODIGO_INTEGRIDAD under a profile that publishes SHA-512
    Column("sha512", String(128)),
)

actas = Table(
    "actas",
    metadata,
    Column("clave_acta", String(32), primary_key=True),
    Column("election_id", String(32)),  # NULL: fuera de catálogo
    Column("id_distrito", Integer),
    Column("id_municipio", Integer),
    Column("status", String(20), nullable=False),
    Column("acopiada", Boolean, nullable=False),
    Column("digitalizada", Boolean, nullable=False),
    Column("capturada", Boolean, nullable=False),
    Column("verificada", Boolean, nullable=False),
    Column("contabilizada", Integer),  # 1, 0, 2 (fuera de catálogo); NULL not decided yet
    Column("fecha_acopio", BigInteger),
    Column("fecha_digitalizacion", BigInteger),
    Column("fecha_captura", BigInteger),
    Column("fecha_verificacion", BigInteger),
    Column("state", Text, nullable=False),  # JSON summary of the derived ActaState
    Column("events", Integer, nullable=False),
    Column("updated_at", BigInteger, nullable=False),
    # SHA-256 of the acta's vote figures when they are not trivial (services/alarms.py):
    # two actas of one election with the same key raise an alarm
    Column("figures_key", String(64)),
)
Index("ix_actas_election", actas.c.election_id)
Index("ix_actas_figures", actas.c.election_id, actas.c.figures_key)

conflicts = Table(
    "conflicts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("clave_acta", String(32), nullable=False),
    # conflicto, discrepancia, correccion; alarms: cifras_repetidas, fuera_de_rango
    Column("kind", String(20), nullable=False),
    Column("readings", Text, nullable=False),  # JSON list of readings
    Column("disputed", Text, nullable=False),  # JSON list of field names
    Column("opened_at", BigInteger, nullable=False),
    Column("closed_at", BigInteger),
    Column("resolution", String(64)),  # hash of the server's RESOLUCION event
    Column("resolved_by", String(64)),
)
Index("ix_conflicts_open", conflicts.c.clave_acta, conflicts.c.closed_at)

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("at", BigInteger, nullable=False),
    Column("actor", String(64), nullable=False),
    Column("action", String(40), nullable=False),
    Column("detail", Text, nullable=False),  # canonical JSON
    Column("prev", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("username", String(64), primary_key=True),
    Column("password_hash", String(200), nullable=False),
    Column("role", String(16), nullable=False),  # coordinador, supervisor, consulta, auditor
    Column("created_at", BigInteger, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_by", String(64)),
    Column("disabled_at", BigInteger),
)

sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("username", String(64), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
)

cuts = Table(
    "cuts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("election_id", String(32), nullable=False),
    Column("cut_time", BigInteger, nullable=False),
    Column("final", Boolean, nullable=False),
    Column("figures", Text, nullable=False),  # JSON: header fields as published text
    Column("votes", Text, nullable=False),  # JSON: votes per field
    Column("csv", LargeBinary, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("created_by", String(64), nullable=False),
)

# One-time enrollment codes issued from the console: only the code's SHA-256 is kept
enrollment_codes = Table(
    "enrollment_codes",
    metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("role", String(16), nullable=False),  # the role the station will have
    Column("scope", Text),  # as stations.scope
    Column("label", String(200), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("created_at", BigInteger, nullable=False),
    Column("expires_at", BigInteger, nullable=False),
    Column("used_at", BigInteger),
    Column("used_by", String(64)),  # the station that enrolled with it
)

# The audit chain's head, signed with the server key at each cut and at shutdown
audit_heads = Table(
    "audit_heads",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("audit_seq", BigInteger, nullable=False),
    Column("audit_hash", String(64), nullable=False),
    Column("at", BigInteger, nullable=False),
    Column("reason", String(32), nullable=False),  # cut, shutdown, manual
    Column("doc", Text, nullable=False),  # canonical JSON of what was signed
    Column("sig", String(100), nullable=False),
)
