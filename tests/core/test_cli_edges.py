"""The edges of the commands: keys never replaced silently, no traceback without a
terminal, a missing catalog folder named as given, undeclared demarcaciones, ``0``
casillas, what ``prep read`` prints, the bilingual help and messages, and a server
that will not start without a catalog."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from types import SimpleNamespace

import pytest

from prep_cli.ocr_commands import check_line, read_text
from prep_core.errors import IdentityError, QrError
from prep_core.identity import CasillaKey
from prep_core.qr import parse_qr
from prep_demo.demo import demo_catalog
from prep_io.files import save_catalog

from .test_cli_errors import assert_clean_error, prep


def _run(*cmd: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run([sys.executable, "-m", *cmd], capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL,
                          env={**os.environ, **(env or {})})


def test_keys_generate_never_replaces_a_key_without_force(tmp_path):
    key = tmp_path / "k.json"
    env = {"PREP_PASSPHRASE": "frase-de-prueba"}
    assert _run("prep_cli.main", "keys", "generate", str(key), env=env).returncode == 0
    first = key.read_bytes()
    r = _run("prep_cli.main", "keys", "generate", str(key), env=env)
    assert_clean_error(r, str(key), "--force", "ya existe", "already exists")
    assert key.read_bytes() == first
    r = _run("prep_cli.main", "keys", "generate", str(key), "--force", env=env)
    assert r.returncode == 0 and key.read_bytes() != first


def test_keys_generate_without_a_terminal_says_which_variable(tmp_path):
    r = _run("prep_cli.main", "keys", "generate", str(tmp_path / "k.json"),
             env={"PREP_PASSPHRASE": ""})
    assert_clean_error(r, "PREP_PASSPHRASE", "no hay terminal", "no terminal")
    assert not (tmp_path / "k.json").exists()


def test_validate_names_the_missing_folder(tmp_path):
    r = prep("catalog", "validate", str(tmp_path / "nodir"))
    assert_clean_error(r, f"{tmp_path / 'nodir'}: no existe la carpeta del catálogo")
    assert "catalog.json" not in r.stderr


@pytest.mark.parametrize("column", ["ID_DISTRITO", "ID_MUNICIPIO"])
def test_a_casilla_in_an_undeclared_demarcacion_is_refused(tmp_path, column):
    save_catalog(demo_catalog(30, seed=1), tmp_path)
    path = tmp_path / "casillas.csv"
    rows = list(csv.reader(io.StringIO(path.read_text())))
    rows[3][rows[0].index(column)] = "77"  # data row 3 is file row 4
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue())
    r = prep("catalog", "validate", str(tmp_path))
    assert_clean_error(r, "casillas.csv", f"fila 4: {column} 77 no está declarado",
                       f"row 4: {column} 77 is not declared")


def test_zero_casillas_is_refused(tmp_path):
    r = prep("catalog", "generate", str(tmp_path / "c"), "--casillas", "0")
    assert_clean_error(r, "--casillas", "fuera de rango")
    assert not (tmp_path / "c").exists()


def test_read_prints_no_qr_line_for_what_is_not_an_image(tmp_path):
    bad = tmp_path / "x.jpg"
    bad.write_bytes(b"not an image at all")
    r = prep("read", str(bad))
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "None" not in r.stdout and "QR:" not in r.stdout
    assert str(bad) in r.stdout


def test_a_check_over_ilegible_figures_is_not_ok():
    c = {"es": "suma de votos = total", "en": "votes add up to the total", "ok": True}
    assert check_line({**c, "complete": True}).startswith("  [ok]")
    line = check_line({**c, "complete": False})
    assert line.startswith("  [--]") and "Ilegible" in line
    assert check_line({**c, "ok": False, "complete": False}).startswith("  [!!]")
    r = SimpleNamespace(reason=None, qr=None, template="bcs2024-diploc", clave_acta=None, ms=3.0,
                        fields={}, checks=[{**c, "complete": False}])
    text = read_text("a.jpg", r)
    assert "[ok]" not in text and "None" not in text


def test_identity_errors_speak_spanish_in_the_spanish_half():
    with pytest.raises(IdentityError) as e:
        CasillaKey(3, 1, "Z", 1, 0)
    assert e.value.message_es == "TIPO_CASILLA desconocido: 'Z'"
    with pytest.raises(QrError) as q:
        parse_qr("3|1|2|99999|1|B|0|1")
    assert "out of range" not in q.value.message_es
    assert "fuera de rango" in q.value.message_es and "out of range" in q.value.message_en


def test_station_help_is_bilingual_for_every_option():
    r = _run("capture_station.app", "--help")
    assert r.returncode == 0
    assert "Estación de captura del PREP / PREP capture station" in r.stdout
    for option in ("--data", "--server", "--lang", "--folder", "--font-size", "--help"):
        assert option in r.stdout
    assert r.stdout.count(" / ") >= 7  # the description and each option's help


def test_server_refuses_to_start_without_a_catalog(tmp_path):
    r = _run("sync_server.main", "--db", f"sqlite:///{tmp_path}/s.db", "--data-dir",
             str(tmp_path / "d"), env={"PREP_CATALOG": ""})
    assert_clean_error(r, "falta el catálogo", "no catalog given", "PREP_CATALOG")


def test_server_help_names_the_catalog_as_required():
    r = _run("sync_server.main", "--help")
    assert r.returncode == 0 and "obligatoria" in r.stdout and "required" in r.stdout
