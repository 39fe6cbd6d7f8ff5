"""The talent pool: freelancers, their skills, their contacts (kept apart) and named lists.

Skill names typed by people ("Développeuse Web", "dev web", "React.js") are normalised (case,
accents, punctuation) and resolved through the catalogue shipped in the package
(``fmstoolkit/resources/skills.csv``), which gives each skill French and English labels and
aliases. An unknown skill is refused with the closest known one suggested (``difflib`` from the
standard library is enough for a catalogue of this size).
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils

from . import clock, resources
from .errors import Conflict, InvalidInput, NotFound, Problem
from .models import Contact, Freelancer, SkillLevel, TalentList, validate, validate_all

#: The skills catalogue shipped in the package (see :mod:`fmstoolkit.resources`).
SKILLS_CATALOGUE = resources.skills_catalogue()

PUBLIC_COLUMNS = ("id", "name", "headline", "city", "seniority", "daily_rate", "status")
CONTACT_FIELDS = ("email", "phone", "telegram_chat_id", "preferred_channel")
FREELANCER_FIELDS = ("name", "headline", "city", "seniority", "daily_rate", "status", "lang")


def normalize(text: str) -> str:
    """Lower case, no accents, single spaces: 'Développeuse-Web ' -> 'developpeuse web'."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9+#]+", " ", plain).strip()


# --- skills catalogue -------------------------------------------------------------------------


def load_skills_catalogue(db: sqlite_utils.Database, path: Path | None = None) -> int:
    """Insert or update the skills catalogue and its aliases; return how many skills it holds."""
    path = path or SKILLS_CATALOGUE
    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    with db.atomic():
        for row in rows:
            skill = {
                "name": row["name"].strip(),
                "label_fr": row["label_fr"].strip(),
                "label_en": row["label_en"].strip(),
                "category": row["category"].strip(),
                "base_rate": int(row["base_rate"]) if row.get("base_rate") else None,
            }
            existing = db.execute(
                "SELECT id FROM skills WHERE name = ?", [skill["name"]]
            ).fetchone()
            if existing:
                skill_id = existing[0]
                db["skills"].update(skill_id, skill)
            else:
                skill_id = db["skills"].insert(skill).last_pk
            names = [skill["name"], skill["label_fr"], skill["label_en"]]
            names += [a for a in (row.get("aliases") or "").split("|") if a.strip()]
            for alias in {normalize(n) for n in names if normalize(n)}:
                db.execute(
                    "INSERT INTO skill_aliases (alias, skill_id) VALUES (?, ?) "
                    "ON CONFLICT(alias) DO NOTHING",
                    [alias, skill_id],
                )
    return db.execute("SELECT count(*) FROM skills").fetchone()[0]


def skill_aliases(db: sqlite_utils.Database) -> dict[str, int]:
    """Every normalised alias (names and labels included) mapped to its skill id."""
    return dict(db.execute("SELECT alias, skill_id FROM skill_aliases").fetchall())


def skills(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    """The catalogue, sorted by category then French label."""
    return list(db.query("SELECT * FROM skills ORDER BY category, label_fr"))


def skill_label(skill: Mapping[str, Any], lang: str = "fr") -> str:
    return skill["label_fr"] if lang == "fr" else skill["label_en"]


def resolve_skill(
    db: sqlite_utils.Database,
    text: str,
    *,
    aliases: Mapping[str, int] | None = None,
    field: str = "skill",
    row: int | None = None,
) -> dict[str, Any]:
    """The catalogue skill named by ``text`` (any label or alias, any case or accents).

    Raises :class:`InvalidInput` naming the closest known skill when there is no match.
    """
    aliases = aliases if aliases is not None else skill_aliases(db)
    key = normalize(text)
    if key in aliases:
        return db["skills"].get(aliases[key])
    raise InvalidInput(
        "Unknown skill '{text}'.",
        "Compétence inconnue « {text} ».",
        field=field,
        problems=[unknown_skill_problem(db, text, aliases, field=field, row=row)],
        text=text,
    )


def unknown_skill_problem(
    db: sqlite_utils.Database,
    text: str,
    aliases: Mapping[str, int],
    *,
    field: str = "skills",
    row: int | None = None,
) -> Problem:
    """A problem saying that ``text`` is no known skill, with the closest one suggested."""
    close = difflib.get_close_matches(normalize(text), list(aliases), n=1, cutoff=0.5)
    if close:
        skill = db["skills"].get(aliases[close[0]])
        return Problem(
            en=f"unknown skill '{text}'; did you mean '{skill['label_en']}' ({skill['name']})?",
            fr=f"compétence inconnue « {text} » ; vouliez-vous dire « {skill['label_fr']} » "
            f"({skill['name']}) ?",
            field=field,
            row=row,
        )
    return Problem(
        en=f"unknown skill '{text}'; `fms skills` lists the known ones",
        fr=f"compétence inconnue « {text} » ; `fms skills` liste les compétences connues",
        field=field,
        row=row,
    )


def parse_skills(
    db: sqlite_utils.Database,
    spec: str | Mapping[str, int] | Iterable[tuple[str, int]],
    *,
    aliases: Mapping[str, int] | None = None,
    row: int | None = None,
    field: str = "skills",
) -> tuple[dict[int, int], list[Problem]]:
    """Parse ``"react:4;ux design:3"`` (or a mapping, or pairs) into ``{skill_id: level}``.

    Returns the parsed skills and the problems found (unknown skill, bad level); the caller
    decides whether a problem aborts.
    """
    aliases = aliases if aliases is not None else skill_aliases(db)
    pairs: list[tuple[str, Any]] = []
    if isinstance(spec, str):
        for part in re.split(r"[;|]", spec):
            if not part.strip():
                continue
            name, sep, level = part.rpartition(":")
            if not sep:
                name, level = part, 3
            pairs.append((name.strip(), level))
    elif isinstance(spec, Mapping):
        pairs = list(spec.items())
    else:
        pairs = list(spec)
    parsed: dict[int, int] = {}
    problems: list[Problem] = []
    for name, level in pairs:
        key = normalize(name)
        if key not in aliases:
            problems.append(unknown_skill_problem(db, name, aliases, field=field, row=row))
            continue
        try:
            lvl = SkillLevel(skill=name, level=str(level).strip() or 3).level
        except Exception:
            problems.append(
                Problem(
                    en=f"the level of '{name}' must be a whole number from 1 to 5 (got '{level}')",
                    fr=f"le niveau de « {name} » doit être un entier de 1 à 5 (reçu « {level} »)",
                    field=field,
                    row=row,
                )
            )
            continue
        parsed[aliases[key]] = max(lvl, parsed.get(aliases[key], 0))
    return parsed, problems


# --- freelancers --------------------------------------------------------------------------------


def _split_fields(data: Mapping[str, Any]) -> tuple[dict, dict, Any]:
    unknown = set(data) - set(FREELANCER_FIELDS) - set(CONTACT_FIELDS) - {"skills"}
    if unknown:
        raise InvalidInput(
            "Unknown field(s): {names}.",
            "Champ(s) inconnu(s) : {names}.",
            names=", ".join(sorted(unknown)),
        )
    person = {k: data[k] for k in FREELANCER_FIELDS if k in data}
    contact = {k: data[k] for k in CONTACT_FIELDS if k in data}
    return person, contact, data.get("skills")


def _check_email_free(
    db: sqlite_utils.Database, email: str | None, freelancer_id: int | None
) -> None:
    if not email:
        return
    row = db.execute(
        "SELECT freelancer_id FROM contacts WHERE email = ? COLLATE NOCASE", [email]
    ).fetchone()
    if row and row[0] != freelancer_id:
        raise Conflict(
            "Another freelancer (#{other}) already has this email address.",
            "Un autre freelance (n° {other}) a déjà cette adresse e-mail.",
            field="email",
            other=row[0],
        )


def add_freelancer(db: sqlite_utils.Database, **data: Any) -> int:
    """Add a freelancer with their contact data and skills, in one transaction; return the id.

    Fields: name, headline, city, seniority, daily_rate, status, lang; contact fields email,
    phone, telegram_chat_id, preferred_channel; ``skills`` as ``"react:4;seo:2"`` or a mapping.
    """
    person, contact, skills_spec = _split_fields(data)
    parsed, problems = parse_skills(db, skills_spec) if skills_spec else ({}, [])
    freelancer, contact_rec = validate_all((Freelancer, person), (Contact, contact), extra=problems)
    _check_email_free(db, contact_rec.email, None)
    with db.atomic():
        row = freelancer.row() | {"updated_at": clock.stamp()}
        fid = db["freelancers"].insert(row).last_pk
        db["contacts"].insert({"freelancer_id": fid, **contact_rec.row()})
        _replace_skills(db, fid, parsed)
    return fid


def update_freelancer(db: sqlite_utils.Database, freelancer_id: int, **data: Any) -> dict[str, Any]:
    """Change some fields of a freelancer (contact fields and skills included); one transaction.

    ``skills`` replaces the whole set of skills. Returns the updated public profile.
    """
    current = get_freelancer(db, freelancer_id)
    person, contact, skills_spec = _split_fields(data)
    merged = {k: current[k] for k in FREELANCER_FIELDS if k in current} | person
    old_contact = get_contact(db, freelancer_id)
    merged_contact = {k: old_contact.get(k) for k in CONTACT_FIELDS if k in old_contact} | contact
    parsed, problems = parse_skills(db, skills_spec) if skills_spec is not None else (None, [])
    freelancer, contact_rec = validate_all(
        (Freelancer, merged), (Contact, merged_contact), extra=problems
    )
    _check_email_free(db, contact_rec.email, freelancer_id)
    with db.atomic():
        db["freelancers"].update(
            freelancer_id, freelancer.row() | {"updated_at": clock.stamp()}
        )
        db["contacts"].upsert(
            {"freelancer_id": freelancer_id, **contact_rec.row()}, pk="freelancer_id"
        )
        if parsed is not None:
            _replace_skills(db, freelancer_id, parsed)
    return get_freelancer(db, freelancer_id)


def _replace_skills(
    db: sqlite_utils.Database, freelancer_id: int, parsed: Mapping[int, int]
) -> None:
    db.execute("DELETE FROM freelancer_skills WHERE freelancer_id = ?", [freelancer_id])
    if parsed:
        db["freelancer_skills"].insert_all(
            {"freelancer_id": freelancer_id, "skill_id": sid, "level": lvl}
            for sid, lvl in parsed.items()
        )


def freelancer_row(
    db: sqlite_utils.Database, freelancer_id: int, columns: str = "*"
) -> dict[str, Any]:
    """The ``freelancers`` row (those ``columns``), or NotFound naming the freelancer."""
    rows = list(db.query(f"SELECT {columns} FROM freelancers WHERE id = ?", [freelancer_id]))
    if not rows:
        raise NotFound(
            "No freelancer #{id}.", "Aucun freelance n° {id}.", field="freelancer", id=freelancer_id
        )
    return rows[0]


def get_freelancer(db: sqlite_utils.Database, freelancer_id: int) -> dict[str, Any]:
    """A freelancer's public profile (no contact data) with their skills, best first."""
    profile = freelancer_row(db, freelancer_id)
    profile["skills"] = freelancer_skills(db, freelancer_id)
    return profile


def freelancer_skills(db: sqlite_utils.Database, freelancer_id: int) -> list[dict[str, Any]]:
    return list(
        db.query(
            "SELECT s.id AS skill_id, s.name, s.label_fr, s.label_en, s.category, fs.level "
            "FROM freelancer_skills fs JOIN skills s ON s.id = fs.skill_id "
            "WHERE fs.freelancer_id = ? ORDER BY fs.level DESC, s.name",
            [freelancer_id],
        )
    )


def get_contact(db: sqlite_utils.Database, freelancer_id: int) -> dict[str, Any]:
    """A freelancer's contact data. Personal: never log it, never publish it."""
    rows = list(db.query("SELECT * FROM contacts WHERE freelancer_id = ?", [freelancer_id]))
    return rows[0] if rows else {"freelancer_id": freelancer_id}


def list_freelancers(
    db: sqlite_utils.Database,
    *,
    skill: str | None = None,
    min_level: int = 1,
    statuses: Iterable[str] = ("active", "alumni"),
    busy_between: tuple[dt.date, dt.date] | None = None,
    query: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Freelancers of the pool (public columns), optionally with a skill at ``min_level`` or more.

    ``busy_between=(start, end)`` leaves out anyone with a planned or active mission, or declared
    unavailability, overlapping those dates (inclusive). ``query`` matches names ignoring case
    and accents. With a skill, the best level comes first; otherwise by name.
    """
    where = [f"f.status IN ({', '.join('?' for _ in statuses)})"]
    params: list[Any] = list(statuses)
    select = "SELECT f.id, f.name, f.headline, f.city, f.seniority, f.daily_rate, f.status"
    join = ""
    order = "f.name"
    if skill:
        s = resolve_skill(db, skill)
        join = "JOIN freelancer_skills fs ON fs.freelancer_id = f.id AND fs.skill_id = ?"
        params.insert(0, s["id"])
        where.append("fs.level >= ?")
        params.append(min_level)
        select += ", fs.level"
        order = "fs.level DESC, f.name"
    if busy_between:
        start, end = (d.isoformat() for d in busy_between)
        where.append(
            "NOT EXISTS (SELECT 1 FROM missions m WHERE m.freelancer_id = f.id "
            "AND m.status IN ('planned', 'active', 'ending') "
            "AND m.start_date <= ? AND m.end_date >= ?)"
        )
        where.append(
            "NOT EXISTS (SELECT 1 FROM unavailability u WHERE u.freelancer_id = f.id "
            "AND u.start_date <= ? AND u.end_date >= ?)"
        )
        params += [end, start, end, start]
    sql = f"{select} FROM freelancers f {join} WHERE {' AND '.join(where)} ORDER BY {order}"
    rows = list(db.query(sql, params))
    if query:
        key = normalize(query)
        rows = [r for r in rows if key in normalize(r["name"])]
    return rows[:limit] if limit else rows


def set_opt_out(db: sqlite_utils.Database, freelancer_id: int, opted_out: bool = True) -> None:
    """Record that a freelancer wants no more messages (and no more staffing proposals)."""
    get_freelancer(db, freelancer_id)
    db.execute(
        "UPDATE freelancers SET opted_out_at = ? WHERE id = ?",
        [clock.stamp() if opted_out else None, freelancer_id],
    )


# --- the Telegram chat of a contact -----------------------------------------------------------


def freelancer_by_chat(db: sqlite_utils.Database, chat_id: int) -> dict[str, Any] | None:
    """The freelancer (``id``, ``lang``) whose contact has this Telegram chat, or None."""
    rows = list(
        db.query(
            "SELECT f.id, f.lang FROM contacts c JOIN freelancers f ON f.id = c.freelancer_id "
            "WHERE c.telegram_chat_id = ?",
            [chat_id],
        )
    )
    return rows[0] if rows else None


def freelancer_by_link_token(db: sqlite_utils.Database, token: str) -> int | None:
    """The id of the freelancer whose invitation link carries ``token``, or None."""
    row = db.execute(
        "SELECT freelancer_id FROM contacts WHERE telegram_link_token = ?", [token]
    ).fetchone()
    return row[0] if row else None


def link_telegram_chat(db: sqlite_utils.Database, freelancer_id: int, chat_id: int) -> None:
    """Connect a Telegram chat to a freelancer's contact (and to no one else's): Telegram
    becomes their preferred channel and the one-time link token is used up."""
    db.execute(
        "UPDATE contacts SET telegram_chat_id = NULL, updated_at = ? "
        "WHERE telegram_chat_id = ? AND freelancer_id != ?",
        [clock.stamp(), chat_id, freelancer_id],
    )
    db.execute(
        "UPDATE contacts SET telegram_chat_id = ?, telegram_closed_at = NULL, "
        "telegram_link_token = NULL, preferred_channel = 'telegram', updated_at = ? "
        "WHERE freelancer_id = ?",
        [chat_id, clock.stamp(), freelancer_id],
    )


def reopen_telegram_chat(db: sqlite_utils.Database, freelancer_id: int) -> None:
    """The freelancer's Telegram chat is open again (they wrote to the bot after blocking it)."""
    db.execute(
        "UPDATE contacts SET telegram_closed_at = NULL, updated_at = ? WHERE freelancer_id = ?",
        [clock.stamp(), freelancer_id],
    )


def close_telegram_chat(db: sqlite_utils.Database, freelancer_id: int) -> None:
    """The freelancer blocked the bot: their Telegram chat is closed (email is used instead)."""
    now = clock.stamp()
    db.execute(
        "UPDATE contacts SET telegram_closed_at = ?, updated_at = ? WHERE freelancer_id = ?",
        [now, now, freelancer_id],
    )


# --- named lists ---------------------------------------------------------------------------------


def create_list(db: sqlite_utils.Database, name: str, description: str | None = None) -> int:
    """Create a named talent list ("rehire first for React"); return its id (existing one kept)."""
    rec = validate(TalentList, {"name": name, "description": description})
    row = db.execute("SELECT id FROM lists WHERE name = ? COLLATE NOCASE", [rec.name]).fetchone()
    if row:
        return row[0]
    return db["lists"].insert(rec.row()).last_pk


def add_to_list(db: sqlite_utils.Database, list_name: str, freelancer_id: int) -> int:
    """Add a freelancer to a named list (created when missing); return the list id."""
    get_freelancer(db, freelancer_id)
    with db.atomic():
        list_id = create_list(db, list_name)
        db.execute(
            "INSERT OR IGNORE INTO list_members (list_id, freelancer_id, added_at) "
            "VALUES (?, ?, ?)",
            [list_id, freelancer_id, clock.today().isoformat()],
        )
    return list_id


def remove_from_list(db: sqlite_utils.Database, list_name: str, freelancer_id: int) -> None:
    db.execute(
        "DELETE FROM list_members WHERE freelancer_id = ? AND list_id = "
        "(SELECT id FROM lists WHERE name = ? COLLATE NOCASE)",
        [freelancer_id, list_name],
    )


def list_members(db: sqlite_utils.Database, list_name: str) -> list[dict[str, Any]]:
    row = db.execute("SELECT id FROM lists WHERE name = ? COLLATE NOCASE", [list_name]).fetchone()
    if not row:
        raise NotFound("No list named '{name}'.", "Aucune liste « {name} ».", name=list_name)
    return list(
        db.query(
            "SELECT f.id, f.name, f.headline, f.city, f.seniority, f.daily_rate, f.status, "
            "lm.added_at FROM list_members lm JOIN freelancers f ON f.id = lm.freelancer_id "
            "WHERE lm.list_id = ? ORDER BY f.name",
            [row[0]],
        )
    )


def talent_lists(db: sqlite_utils.Database) -> list[dict[str, Any]]:
    return list(
        db.query(
            "SELECT l.id, l.name, l.description, count(lm.freelancer_id) AS members "
            "FROM lists l LEFT JOIN list_members lm ON lm.list_id = l.id "
            "GROUP BY l.id ORDER BY l.name"
        )
    )


# --- import from CSV -----------------------------------------------------------------------------

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
            "{name} n'est pas un texte UTF-8 (ligne {line}). Enregistrez-le en « CSV UTF-8 » "
            "(dans Excel : Fichier > Enregistrer sous > CSV UTF-8) puis importez-le à nouveau.",
            field="file",
            name=name,
            line=line,
        ) from None


def _header_problem(en: str, fr: str, field: str) -> Problem:
    """A problem with the header line (row 1) of an imported file."""
    return Problem(en=en, fr=fr, field=field, row=1)


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
        _header_problem(f"the column '{col}' is missing", f"la colonne « {col} » manque", col)
        for col in REQUIRED_IMPORT_COLUMNS
        if col not in positions
    ]
    problems += [
        _header_problem(f"unknown column '{title}'", f"colonne inconnue « {title} »", title)
        for title in unknown
    ]
    if problems:
        raise InvalidInput(
            "{name}: the header line does not match. Expected columns: {columns} (name and "
            "email required).",
            "{name} : la ligne d'en-tête ne convient pas. Colonnes attendues : {columns} (name "
            "et email obligatoires).",
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
                    en=f"unknown seniority '{values['seniority']}'; use junior, confirmed or "
                    "senior",
                    fr=f"séniorité inconnue « {values['seniority']} » ; utilisez junior, "
                    "confirmé ou senior",
                    field="seniority",
                    row=line,
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
                    en=f"the Telegram chat id must be a number (got '{telegram}'); leave it "
                    "empty and send the Telegram invitation instead",
                    fr=f"l'identifiant Telegram doit être un nombre (reçu « {telegram} ») ; "
                    "laissez-le vide et envoyez plutôt l'invitation Telegram",
                    field="telegram",
                    row=line,
                )
            )
    if contact["email"] is None:
        problems.append(
            Problem(
                en="the email address is required (it identifies the freelancer on re-import)",
                fr="l'adresse e-mail est obligatoire (elle identifie le freelance à la "
                "réimportation)",
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
                "Impossible de lire {path} : {reason}.",
                field="file",
                path=path,
                reason=exc.strerror or exc,
            ) from None
    text = _decode(data, name)
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise InvalidInput(
            "{name} is empty: the first line must name the columns.",
            "{name} est vide : la première ligne doit nommer les colonnes.",
            field="file",
            name=name,
        )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(lines))
    positions = _header_map(next(reader), name)
    aliases = skill_aliases(db)
    report = ImportReport()
    valid: list[tuple[int, Freelancer, Contact, dict[int, int] | None]] = []
    seen: dict[str, int] = {}
    line = reader.line_num
    for record in reader:
        line_start, line = line + 1, reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        values = {col: (record[i] if i < len(record) else "") for col, i in positions.items()}
        person, contact, parsed, problems = _import_row(db, values, line_start, aliases)
        email = (contact.get("email") or "").lower()
        if email and email in seen:
            problems.append(
                Problem(
                    en=f"the email address is already on line {seen[email]} of this file",
                    fr=f"l'adresse e-mail figure déjà ligne {seen[email]} de ce fichier",
                    field="email",
                    row=line_start,
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
            "{name} : {count} ligne(s) invalide(s), rien n'a été importé. Corrigez-les (ou "
            "utilisez --skip-invalid pour n'importer que les lignes valides) :",
            field="file",
            problems=report.problems,
            name=name,
            count=len(report.rejected_rows),
        )
    today = clock.stamp()
    with db.atomic():
        for _, rec, contact_rec, parsed in valid:
            existing = db.execute(
                "SELECT freelancer_id FROM contacts WHERE email = ? COLLATE NOCASE",
                [contact_rec.email],
            ).fetchone()
            person_row = rec.row(exclude_unset=True) | {"updated_at": today}
            contact_row = contact_rec.row(exclude_unset=True)
            if existing:
                fid = existing[0]
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


def profile(
    db: sqlite_utils.Database, freelancer_id: int, *, with_contact: bool = False
) -> dict[str, Any]:
    """A freelancer as a manager sees them: profile, skills, missions with their notes, lists.

    Contact data is included only when asked for (``with_contact``), never by default.
    """
    data = get_freelancer(db, freelancer_id)
    data["missions"] = list(
        db.query(
            "SELECT m.id, p.name AS project, s.name AS skill, m.start_date, m.end_date, "
            "m.daily_rate, m.status, "
            "(n.quality + n.communication + n.deadlines + n.autonomy) / 4.0 AS rating, "
            "n.would_rehire FROM missions m JOIN projects p ON p.id = m.project_id "
            "LEFT JOIN skills s ON s.id = m.skill_id LEFT JOIN notes n ON n.mission_id = m.id "
            "WHERE m.freelancer_id = ? ORDER BY m.start_date DESC",
            [freelancer_id],
        )
    )
    data["lists"] = [
        r[0]
        for r in db.execute(
            "SELECT l.name FROM list_members lm JOIN lists l ON l.id = lm.list_id "
            "WHERE lm.freelancer_id = ? ORDER BY l.name",
            [freelancer_id],
        )
    ]
    if with_contact:
        data["contact"] = {
            k: v for k, v in get_contact(db, freelancer_id).items() if k in CONTACT_FIELDS
        }
    return data
