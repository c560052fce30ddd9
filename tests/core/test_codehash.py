"""``prep integrity``: the code hash over a canonical list, and the files that differ."""

from __future__ import annotations

from pathlib import Path

import pytest

from prep_core.codehash import code_hash, code_list, compare_lists, parse_list
from prep_core.errors import PrepError
from prep_io.codehash import installed_files, installed_list


def test_list_is_canonical_and_names_each_difference(tmp_path: Path) -> None:
    (tmp_path / "prep_core").mkdir()
    (tmp_path / "prep_core" / "a.py").write_text("x = 1\n")
    (tmp_path / "prep_core" / "__pycache__").mkdir()
    (tmp_path / "prep_core" / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"\0")
    (tmp_path / "resources").mkdir()
    (tmp_path / "resources" / "m.json").write_text("{}")
    text = installed_list(tmp_path)
    assert text.splitlines()[0].endswith("  prep_core/a.py") and len(text.splitlines()) == 2
    assert code_hash(text) == code_hash(code_list(reversed(list(parse_list(text).items()))))
    listed = parse_list(text)
    (tmp_path / "prep_core" / "a.py").write_text("x = 2\n")
    (tmp_path / "prep_core" / "b.py").write_text("")
    (tmp_path / "resources" / "m.json").unlink()
    diffs = [d.message() for d in compare_lists(listed, installed_files(tmp_path))]
    assert diffs == [
        "prep_core/a.py: difiere / differs",
        "resources/m.json: falta / is missing",
        "prep_core/b.py: no está en la lista / is not in the list",
    ]
    with pytest.raises(PrepError, match="línea 1"):
        parse_list("not a list\n")


def test_cli_prints_the_hash_and_checks_a_list(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from prep_cli.main import main

    assert main(["integrity"]) == 0
    digest = capsys.readouterr().out.split()[0]
    assert main(["integrity", "--list"]) == 0
    listing = capsys.readouterr().out
    assert code_hash(listing) == digest
    path = tmp_path / "lista.txt"
    path.write_text(listing)
    assert main(["integrity", "--check", str(path)]) == 0
    first = listing.splitlines()[0]
    path.write_text(listing.replace(first, "0" * 64 + first[64:]))
    assert main(["integrity", "--check", str(path)]) == 1
    assert f"{first[66:]}: difiere" in capsys.readouterr().out


def _fake_bundle(root: Path) -> Path:
    code = root / "_internal"
    (code / "prep_core").mkdir(parents=True)
    (code / "prep_core" / "__init__.py").write_text("")
    (code / "resources").mkdir()
    (code / "resources" / "m.json").write_text("{}")
    (code / "libfoo.so").write_bytes(b"\x7fELF")
    (root / "prep-station").write_bytes(b"\x7fELF exe")
    (root / "prep").symlink_to("prep-station")
    return root


def test_a_bundle_manifest_names_every_changed_missing_or_planted_file(tmp_path: Path,
                                                                       capsys) -> None:  # type: ignore[no-untyped-def]
    import shutil
    import subprocess

    from prep_cli.main import main
    from prep_core.codehash import comments
    from prep_io.codehash import bundle_manifest

    bundle = _fake_bundle(tmp_path / "b")
    text = bundle_manifest(bundle)
    listed = parse_list(text)
    assert set(listed) == {"_internal/prep_core/__init__.py", "_internal/resources/m.json",
                           "_internal/libfoo.so", "prep-station", "prep"}
    # the code hash is the one `prep integrity` gives for the packages alone
    assert comments(text)["prep-abierto code hash"] == code_hash(installed_list(bundle / "_internal"))
    manifest = tmp_path / "prep-station.sha256"
    manifest.write_text("# bundle: prep-station 0.1.0\n" + text)
    if shutil.which("sha256sum"):  # the standard tool reads it too
        assert subprocess.run(["sha256sum", "--quiet", "-c", str(manifest)], cwd=bundle,
                              capture_output=True).returncode == 0
    assert main(["integrity", "--bundle", str(bundle), "--check", str(manifest)]) == 0
    assert "paquete íntegro / bundle intact: 5 archivos" in capsys.readouterr().out

    (bundle / "_internal" / "libfoo.so").write_bytes(b"\x7fELF patched")
    (bundle / "_internal" / "resources" / "m.json").unlink()
    (bundle / "_internal" / "prep_core" / "__pycache__").mkdir()
    (bundle / "_internal" / "prep_core" / "__pycache__" / "x.pyc").write_bytes(b"\0")
    assert main(["integrity", "--bundle", str(bundle), "--check", str(manifest)]) == 1
    out = capsys.readouterr().out
    assert "_internal/libfoo.so: difiere / differs" in out
    assert "_internal/resources/m.json: falta / is missing" in out
    assert "_internal/prep_core/__pycache__/x.pyc: no está en la lista / is not in the list" in out
    assert "el manifiesto dice" in out  # the packages changed: so did the code hash


def test_integrity_refuses_a_folder_that_is_not_a_bundle(tmp_path: Path) -> None:
    from prep_cli.main import main

    assert main(["integrity", "--bundle", str(tmp_path)]) == 2
