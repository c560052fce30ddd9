"""Each figure of an acta named as the acta prints it.

The capture and verification screens label a field with what the staff read on the paper:
its section (the numbered apartados of the acta de escrutinio y cómputo de casilla, the
same on INE's forms and the local ones: 2 BOLETAS SOBRANTES … 7 TOTAL DE VOTOS SACADOS DE
LAS URNAS) and, inside 6 RESULTADOS DE LA VOTACIÓN, the party, coalition or candidacy of
the row; the database column (``PH_BCS``) is shown small beside it. Party and coalition
names come from the form's template (``resources/templates``) when the recognition
package is installed, else from the column name.

The printed acta shows each party's emblem beside its row. The project ships no emblems
(they are the parties' registered marks, and the forms they are printed on may not be
copied into it): a party's row carries its acronym and a mark in the party's colour
(``PARTY_COLOURS``), a coalition's row one mark per party, in the order printed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

VOTES_SECTION = "6 RESULTADOS DE LA VOTACIÓN"

#: the acta's numbered apartados that hold one figure each (INE's forms and the local ones)
SECTIONS = {
    "TOTAL_BOLETAS_SOBRANTES": "2 BOLETAS SOBRANTES",
    "TOTAL_PERSONAS_VOTARON": "3 PERSONAS DE LA LISTA NOMINAL QUE VOTARON",
    "TOTAL_REP_PARTIDO_CI_VOTARON": "4 REPRESENTACIONES PARTIDISTAS QUE VOTARON",
    "SUMA_PERSONAS_Y_REP": "5 TOTAL DE PERSONAS Y REPRESENTANTES QUE VOTARON",
    "TOTAL_VOTOS_SACADOS": "7 TOTAL DE VOTOS SACADOS DE LAS URNAS",
}

#: rows of 6 RESULTADOS DE LA VOTACIÓN that are not a party
VOTE_ROWS = {
    "NO_REGISTRADAS": "CANDIDATOS/AS NO REGISTRADOS/AS",
    "NULOS": "VOTOS NULOS",
    "TOTAL_VOTOS_ASENTADO": "TOTAL",
}


#: the colour each party's emblem is known by, for the small mark beside its row; a party
#: not listed (a local party whose colour the project has not checked) gets no mark
PARTY_COLOURS = {
    "PAN": "#00509e",  # blue
    "PRI": "#d81e05",  # red (the green, white and red tricolour)
    "PRD": "#ffd100",  # yellow
    "PT": "#d52b1e",  # red
    "PVEM": "#4cb848",  # green
    "MC": "#ff8300",  # orange
    "MORENA": "#8b1538",  # guinda
    "NA_BCS": "#00a6a6",  # turquoise (Nueva Alianza)
    "PES_BCS": "#5c2d91",  # purple (Encuentro Solidario)
    "FXM_BCS": "#e4007c",  # magenta (Fuerza por México)
}


def party_colours(column: str) -> list[tuple[str, str]]:
    """(party, colour) of each party the vote column names with a known colour: one for a
    party (``PAN``), one per party for a coalition (``PAN-PRI-PRD``); none for the other
    figures."""
    return [(p, PARTY_COLOURS[p]) for p in column.split("-") if p in PARTY_COLOURS]


@dataclass(frozen=True)
class FieldLabel:
    column: str  # the database column: PH_BCS, TOTAL_BOLETAS_SOBRANTES
    section: str  # the apartado it is printed under: "6 RESULTADOS DE LA VOTACIÓN"
    label: str  # the row as printed: "PH BCS", "COALICIÓN PAN-PRI-PRD", or the section itself

    @property
    def colours(self) -> list[tuple[str, str]]:
        """The parties' colour marks for this row (``party_colours``)."""
        return party_colours(self.column) if self.section == VOTES_SECTION else []

    @property
    def own_section(self) -> bool:
        """The field is its apartado's only figure (its label is the section heading)."""
        return self.label == self.section


@lru_cache(maxsize=16)
def _template_labels(election: str) -> dict[str, str]:
    try:
        from capture_station.recognition.templates import load_templates

        t = next(t for t in load_templates() if t.election == election)
    except Exception:  # a build without the reader, or an election without a template
        return {}
    return {f.name: f.label for f in t.fields if f.label}


def label_of(election: str, column: str) -> FieldLabel:
    """How the acta of ``election`` prints the figure kept in ``column``."""
    if column in SECTIONS:
        return FieldLabel(column, SECTIONS[column], SECTIONS[column])
    if column in VOTE_ROWS:
        return FieldLabel(column, VOTES_SECTION, VOTE_ROWS[column])
    printed = _template_labels(election).get(column, "") or column
    printed = printed.replace("_", " ").strip()
    if column.startswith("CAND_IND"):
        printed = f"CANDIDATURA INDEPENDIENTE {column[len('CAND_IND'):]}".strip()
    elif "-" in column:
        printed = f"COALICIÓN {printed}"
    return FieldLabel(column, VOTES_SECTION, printed)


def section_number(section: str) -> int:
    head = section.split(" ", 1)[0]
    return int(head) if head.isdigit() else 99


def in_acta_order(election: str, columns: tuple[str, ...] | list[str]) -> list[FieldLabel]:
    """The fields as the acta lays them out: by apartado (2 … 7), each apartado's rows in
    the order given."""
    labels = [label_of(election, c) for c in columns]
    order = {id(lab): i for i, lab in enumerate(labels)}
    return sorted(labels, key=lambda lab: (section_number(lab.section), order[id(lab)]))
