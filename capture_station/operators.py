"""Operators with roles; passwords hashed with scrypt (memory-hard, prep_core.passwords)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from capture_station.errors import StationError
from capture_station.storage.db import Store
from capture_station.storage.outbox import now_ms
from prep_core.passwords import check_password, hash_password

ROLES = ("acopio", "digitalizacion", "captura", "verificacion", "supervisor")
ROLE_NAMES = {
    "acopio": "Acopio",
    "digitalizacion": "Digitalización",
    "captura": "Captura",
    "verificacion": "Verificación",
    "supervisor": "Supervisión",
}
# what each role may do; a supervisor may do everything
PERMISSIONS = {
    "acopio": {"acopio"},
    "digitalizacion": {"acopio", "digitalizacion"},
    "captura": {"captura"},
    "verificacion": {"captura", "verificacion"},
    "supervisor": {"acopio", "digitalizacion", "captura", "verificacion", "cotejo", "admin"},
}
MIN_PASSWORD = 8
_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{1,31}$")


@dataclass(frozen=True)
class Operator:
    id: str
    name: str
    role: str

    def can(self, action: str) -> bool:
        return action in PERMISSIONS.get(self.role, set())


def add_operator(store: Store, op_id: str, name: str, role: str, password: str) -> Operator:
    op_id = op_id.strip().lower()
    if not _ID.match(op_id):
        raise StationError(
            "usuario inválido: use de 2 a 32 letras minúsculas, números, punto o guion",
            "invalid user id: use 2–32 lowercase letters, digits, dot or dash", where="usuario")
    if role not in ROLES:
        raise StationError(f"rol desconocido: {role}", f"unknown role: {role}", where="rol")
    if len(password) < MIN_PASSWORD:
        raise StationError(
            f"la contraseña debe tener al menos {MIN_PASSWORD} caracteres",
            f"the password must have at least {MIN_PASSWORD} characters", where="contraseña")
    if not name.strip():
        raise StationError("falta el nombre", "name missing", where="nombre")
    with store.tx() as c:
        if c.execute("SELECT 1 FROM operators WHERE id = ?", (op_id,)).fetchone():
            raise StationError(f"ya existe el usuario {op_id}", f"user {op_id} exists",
                               where="usuario")
        c.execute("INSERT INTO operators (id, name, role, password, created_at) VALUES (?,?,?,?,?)",
                  (op_id, name.strip(), role, hash_password(password), now_ms()))
    return Operator(op_id, name.strip(), role)


def login(store: Store, op_id: str, password: str) -> Operator:
    row = store.one("SELECT id, name, role, password, active FROM operators WHERE id = ?",
                    op_id.strip().lower())
    if row is None or not row["active"] or not check_password(row["password"], password):
        raise StationError("usuario o contraseña incorrectos", "wrong user or password",
                           where="inicio de sesión")
    return Operator(row["id"], row["name"], row["role"])


def list_operators(store: Store) -> list[Operator]:
    return [Operator(r["id"], r["name"], r["role"])
            for r in store.q("SELECT id, name, role FROM operators WHERE active = 1 ORDER BY id")]
