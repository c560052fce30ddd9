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
