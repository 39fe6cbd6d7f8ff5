"""Import freelancers from a CSV file (upsert on email), all-or-nothing or skipping bad rows.

What it accepts: UTF-8 with or without BOM (:func:`_decode`), ``,`` or ``;`` separators as the
standard library's ``csv.Sniffer`` reads them (:func:`_delimiter`), headers in English or French
(:data:`IMPORT_COLUMNS`, :func:`_header_map`). What it gives back: an :class:`ImportReport`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils

from .. import clock
from ..errors import InvalidInput, Problem
from ..i18n import N_
from ..models import Contact, Freelancer, validate_all
from ..models.validation import MAX_CSV_CELL
from .contacts import email_key, emails_index
from .freelancers import _replace_skills
from .skill_catalogue import normalize, parse_skills, skill_aliases

# The standard library refuses cells over 131,072 characters with a bare csv.Error; the
# limit is raised (process-wide: it is the csv module's one setting) and past it :func:`_rows`
# names the line.
csv.field_size_limit(MAX_CSV_CELL)

#: Columns of an import file, each with the header names accepted for it (English and French,
#: compared after :func:`normalize`). ``name`` and ``email`` are required.
IMPORT_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("name", "nom", "nom complet", "full name"),
    "email": ("email", "e mail", "mail", "courriel", "adresse e mail"),
    "skills": ("skills", "competences", "skill", "competence"),
    "daily_rate": ("daily rate", "daily_rate", "rate", "tjm", "taux journalier"),
    "city": ("city", "ville"),
    "seniority": ("seniority", "seniorite", "niveau d experience", "experience"),
    "telegram": ("telegram", "telegram chat id", "telegram id"),
    "headline": ("headline", "titre", "accroche"),
    "phone": ("phone", "telephone", "tel", "mobile"),
}
REQUIRED_IMPORT_COLUMNS = ("name", "email")
SENIORITY_WORDS = {
    "junior": "junior", "debutant": "junior",
    "confirmed": "confirmed", "confirme": "confirmed", "intermediaire": "confirmed",
    "mid": "confirmed",
    "senior": "senior", "expert": "senior",
}


@dataclass
class ImportReport:
    """What an import did: rows created and updated, and the rows refused with their problems."""

    created: int = 0
    updated: int = 0
    rejected_rows: list[int] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "rejected": len(self.rejected_rows),
            "problems": [p.as_dict() for p in self.problems],
        }


def _decode(data: bytes, name: str) -> str:
    """UTF-8 with or without a BOM; anything else is refused with the line that broke."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InvalidInput(
            "{name} is not UTF-8 text (line {line}). Save it as 'CSV UTF-8' (in Excel: File > "
            "Save as > CSV UTF-8) and import it again.",
            field="file",
            name=name,
            line=line,
        ) from None


def _header_problem(text: str, field: str, **params: Any) -> Problem:
    """A problem with the header line (row 1) of an imported file (``text``: a msgid)."""
    return Problem(text, field=field, row=1, params=params)


def _header_map(header: list[str], name: str) -> dict[str, int]:
    """Column name -> position, refusing missing required columns and unknown ones."""
    accepted = {
        normalize(alias): col for col, aliases in IMPORT_COLUMNS.items() for alias in aliases
    }
    positions: dict[str, int] = {}
    unknown = []
    for i, title in enumerate(header):
        col = accepted.get(normalize(title))
        if col and col not in positions:
            positions[col] = i
        elif title.strip():
            unknown.append(title.strip())
    problems = [
        _header_problem(N_("the column '{column}' is missing"), col, column=col)
        for col in REQUIRED_IMPORT_COLUMNS
        if col not in positions
    ]
    problems += [
        _header_problem(N_("unknown column '{column}'"), title, column=title) for title in unknown
    ]
    if problems:
        raise InvalidInput(
            "{name}: the header line does not match. Expected columns: {columns} (name and "
            "email required).",
            field="file",
            problems=problems,
            name=name,
            columns=", ".join(IMPORT_COLUMNS),
        )
    return positions


def _clean_rate(value: str) -> str:
    """'450 €', '450,00', ' 450 ' -> '450' (anything else is left for validation to refuse)."""
    text = value.replace("€", "").replace("\u00a0", "").replace(" ", "").strip()
    text = re.sub(r"[.,]00?$", "", text)
    return text


def _import_row(
    db: sqlite_utils.Database, values: dict[str, str], line: int, aliases: Mapping[str, int]
) -> tuple[dict[str, Any], dict[str, Any], dict[int, int] | None, list[Problem]]:
    person: dict[str, Any] = {"name": values.get("name", "")}
    for col in ("headline", "city"):
        if col in values:
            person[col] = values[col]
    problems: list[Problem] = []
    if values.get("daily_rate", "").strip():
        person["daily_rate"] = _clean_rate(values["daily_rate"])
    if values.get("seniority", "").strip():
        word = normalize(values["seniority"])
        if word in SENIORITY_WORDS:
            person["seniority"] = SENIORITY_WORDS[word]
        else:
            problems.append(
                Problem(
                    "unknown seniority '{seniority}'; use junior, confirmed or senior",
                    field="seniority",
                    row=line,
                    params={"seniority": values["seniority"]},
                )
            )
    contact: dict[str, Any] = {"email": values.get("email", "").strip() or None}
    if values.get("phone", "").strip():
        contact["phone"] = values["phone"]
    telegram = values.get("telegram", "").strip()
    if telegram:
        if re.fullmatch(r"-?\d{1,15}", telegram):
            contact["telegram_chat_id"] = int(telegram)
            contact["preferred_channel"] = "telegram"
        else:
            problems.append(
                Problem(
                    "the Telegram chat id must be a number (got '{telegram}'); leave it empty "
                    "and send the Telegram invitation instead",
                    field="telegram",
                    row=line,
                    params={"telegram": telegram},
                )
            )
    if contact["email"] is None:
        problems.append(
            Problem(
                "the email address is required (it identifies the freelancer on re-import)",
                field="email",
                row=line,
            )
        )
    skills_spec = values.get("skills", "")
    parsed, skill_problems = (
        parse_skills(db, skills_spec, aliases=aliases, row=line) if skills_spec.strip()
        else (None, [])
    )
    problems += skill_problems
    return person, contact, parsed, problems


def _delimiter(lines: list[str]) -> str:
    """``;`` (French Excel's "CSV UTF-8") or ``,``, as the standard library's ``csv.Sniffer``
    reads it from the header and the first row; a one-column file has no separator: ``,``."""
    sample = "\n".join(lines[:2]) + "\n"
    try:
        return csv.Sniffer().sniff(sample, delimiters=";,").delimiter
    except csv.Error:
        return ","


def _rows(reader: Any, name: str) -> Iterator[tuple[int, list[str]]]:
    """(first line, cells) of each record; a cell past :data:`MAX_CSV_CELL` characters (or a
    file the csv module cannot read) is refused with the line where it starts."""
    line = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise InvalidInput(
                    "{name}, line {row}: a cell is longer than {max} characters; shorten it "
                    "(or check the quotes: a missing closing quote makes the rest of the file "
                    "one cell).",
                    field="file",
                    name=name,
                    row=line + 1,
                    max=MAX_CSV_CELL,
                ) from None
            raise InvalidInput(
                "{name}, line {row}: the file cannot be read as CSV ({exc}).",
                field="file",
                name=name,
                row=line + 1,
                exc=exc,
            ) from None
        yield line + 1, record
        line = reader.line_num


def import_freelancers(
    db: sqlite_utils.Database,
    source: str | Path | bytes,
    *,
    skip_invalid: bool = False,
    name: str | None = None,
) -> ImportReport:
    """Import (upsert on email) the freelancers of a CSV file; return what was done.

    The file is UTF-8 with or without BOM, with ``,`` or ``;`` separators (French Excel uses
    ``;``); the header names the columns of :data:`IMPORT_COLUMNS` in English or French. By
    default the import is all-or-nothing: any invalid row raises :class:`InvalidInput` listing
    every problem with its line number and field, and nothing is written. With
    ``skip_invalid`` the valid rows are written and the refused ones are reported the same way.
    Existing freelancers (same email, any case) are updated with the columns present.
    """
    if isinstance(source, bytes):
        data, name = source, name or "CSV"
    else:
        path = Path(source)
        name = name or path.name
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise InvalidInput(
                "Cannot read {path}: {reason}.",
                field="file",
                path=path,
                reason=exc.strerror or exc,
            ) from None
    text = _decode(data, name)
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise InvalidInput(
            "{name} is empty: the first line must name the columns.",
            field="file",
            name=name,
        )
    reader = _rows(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(lines)), name)
    positions = _header_map(next(reader)[1], name)
    aliases = skill_aliases(db)
    report = ImportReport()
    valid: list[tuple[int, Freelancer, Contact, dict[int, int] | None]] = []
    seen: dict[str, int] = {}
    for line_start, record in reader:
        if not any(cell.strip() for cell in record):
            continue
        values = {col: (record[i] if i < len(record) else "") for col, i in positions.items()}
        person, contact, parsed, problems = _import_row(db, values, line_start, aliases)
        email = email_key(contact.get("email"))
        if email and email in seen:
            problems.append(
                Problem(
                    "the email address is already on line {line} of this file",
                    field="email",
                    row=line_start,
                    params={"line": seen[email]},
                )
            )
        elif email:
            seen[email] = line_start
        try:
            rec, contact_rec = validate_all(
                (Freelancer, person), (Contact, contact), row=line_start, extra=problems
            )
        except InvalidInput as exc:
            report.problems += exc.problems
            report.rejected_rows.append(line_start)
            continue
        valid.append((line_start, rec, contact_rec, parsed))
    if report.problems and not skip_invalid:
        raise InvalidInput(
            "{name}: {count} row(s) are invalid, nothing was imported. Fix them (or use "
            "--skip-invalid to import the valid rows only):",
            field="file",
            problems=report.problems,
            name=name,
            count=len(report.rejected_rows),
        )
    today = clock.stamp()
    with db.atomic():
        known = emails_index(db)  # read inside the transaction that upserts on it
        for _, rec, contact_rec, parsed in valid:
            existing = known.get(email_key(contact_rec.email))
            person_row = rec.row(exclude_unset=True) | {"updated_at": today}
            contact_row = contact_rec.row(exclude_unset=True)
            if existing:
                fid = existing
                db["freelancers"].update(fid, person_row)
                db["contacts"].update(fid, contact_row | {"updated_at": today})
                report.updated += 1
            else:
                fid = db["freelancers"].insert(
                    rec.row() | {"availability_confirmed_by": None, "updated_at": today}
                ).last_pk
                db["contacts"].insert({"freelancer_id": fid, **contact_rec.row()})
                report.created += 1
            if parsed is not None:
                _replace_skills(db, fid, parsed)
    return report
