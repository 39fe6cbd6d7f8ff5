"""Open the operational database and keep its schema up to date.

``open_db()`` gives a :class:`sqlite_utils.Database` with WAL journaling, foreign keys on and a
busy timeout, and applies pending migrations. Migrations use sqlite-utils' own migrations API
(tracked in ``_sqlite_migrations``) rather than a hand-written version table: each is applied
once, in a transaction, in order. A database that has migrations this version does not know was
made by a newer fmstoolkit and is refused with a clear message instead of being damaged.

Schema rules (see DESIGN.md): dates are ISO ``YYYY-MM-DD`` text, money is whole euros, every enum
has a CHECK constraint, ratings are 1-5, rates are positive. Personal contact data lives only in
``contacts``. Migrations are additive: a new migration adds tables or nullable columns.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils
from sqlite_utils.migrations import Migrations

from . import clock
from .config import get_settings
from .errors import DatabaseError

MIGRATION_SET = "fmstoolkit"
migrations = Migrations(MIGRATION_SET)

BUSY_TIMEOUT_MS = 10_000


def _rating(col: str, required: bool = False) -> str:
    null = "" if required else f"{col} IS NULL OR "
    return f"{col} INTEGER CHECK ({null}{col} BETWEEN 1 AND 5)"


SCHEMA_V1 = f"""
CREATE TABLE skills (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    label_fr TEXT NOT NULL,
    label_en TEXT NOT NULL,
    category TEXT NOT NULL CHECK (category IN
        ('development', 'design', 'writing', 'marketing', 'data', 'consulting')),
    base_rate INTEGER CHECK (base_rate IS NULL OR base_rate > 0)
);

CREATE TABLE skill_aliases (
    alias TEXT PRIMARY KEY,
    skill_id INTEGER NOT NULL REFERENCES skills(id) ON DELETE CASCADE
);

CREATE TABLE freelancers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL CHECK (length(trim(name)) > 0),
    headline TEXT,
    city TEXT,
    seniority TEXT NOT NULL DEFAULT 'confirmed'
        CHECK (seniority IN ('junior', 'confirmed', 'senior')),
    daily_rate INTEGER CHECK (daily_rate IS NULL OR daily_rate > 0),
    status TEXT NOT NULL DEFAULT 'active'
        CHECK (status IN ('active', 'alumni', 'inactive', 'forgotten')),
    lang TEXT CHECK (lang IS NULL OR lang IN ('fr', 'en')),
    opted_out_at TEXT,
    availability_confirmed_at TEXT,
    availability_confirmed_by TEXT
        CHECK (availability_confirmed_by IS NULL OR availability_confirmed_by IN
            ('answer', 'declared', 'manager', 'import')),
    created_at TEXT NOT NULL DEFAULT (clock_today()),
    updated_at TEXT
);
CREATE INDEX idx_freelancers_status ON freelancers(status);

-- Personal contact data: never published, never logged.
CREATE TABLE contacts (
    freelancer_id INTEGER PRIMARY KEY REFERENCES freelancers(id) ON DELETE CASCADE,
    email TEXT COLLATE NOCASE UNIQUE,
    phone TEXT,
    telegram_chat_id INTEGER UNIQUE,
    telegram_link_token TEXT UNIQUE,
    telegram_closed_at TEXT,
    preferred_channel TEXT NOT NULL DEFAULT 'email'
        CHECK (preferred_channel IN ('email', 'telegram')),
    updated_at TEXT
);

CREATE TABLE freelancer_skills (
    freelancer_id INTEGER NOT NULL REFERENCES freelancers(id) ON DELETE CASCADE,
    skill_id INTEGER NOT NULL REFERENCES skills(id),
    level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 5),
    PRIMARY KEY (freelancer_id, skill_id)
);
CREATE INDEX idx_freelancer_skills_skill ON freelancer_skills(skill_id, level);

CREATE TABLE projects (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE CHECK (length(trim(name)) > 0),
    client TEXT,
    lead_name TEXT,
    description TEXT,
    created_at TEXT NOT NULL DEFAULT (clock_today())
);

CREATE TABLE requests (
    id INTEGER PRIMARY KEY,
    project_id INTEGER NOT NULL REFERENCES projects(id),
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    days INTEGER NOT NULL CHECK (days > 0),
    max_rate INTEGER CHECK (max_rate IS NULL OR max_rate > 0),
    status TEXT NOT NULL DEFAULT 'open'
        CHECK (status IN ('open', 'polling', 'staffed', 'cancelled')),
    outcome TEXT CHECK (outcome IS NULL OR outcome IN
        ('network', 'outside', 'unfilled', 'cancelled')),
    notes TEXT,
    requested_by TEXT,
    created_at TEXT NOT NULL DEFAULT (clock_now()),
    staffed_at TEXT,
    closed_at TEXT,
    CHECK (end_date >= start_date)
);
CREATE INDEX idx_requests_status ON requests(status, start_date);

-- The roles of a request (one or more): each is ranked and filled on its own.
CREATE TABLE request_roles (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    skill_id INTEGER NOT NULL REFERENCES skills(id),
    min_level INTEGER NOT NULL DEFAULT 1 CHECK (min_level BETWEEN 1 AND 5),
    max_rate INTEGER CHECK (max_rate IS NULL OR max_rate > 0),
    label TEXT,
    mission_id INTEGER REFERENCES missions(id),
    filled_outside INTEGER NOT NULL DEFAULT 0 CHECK (filled_outside IN (0, 1))
);
CREATE INDEX idx_request_roles_request ON request_roles(request_id);

CREATE TABLE missions (
    id INTEGER PRIMARY KEY,
    freelancer_id INTEGER NOT NULL REFERENCES freelancers(id),
    project_id INTEGER NOT NULL REFERENCES projects(id),
    request_id INTEGER REFERENCES requests(id),
    role_id INTEGER REFERENCES request_roles(id),
    skill_id INTEGER REFERENCES skills(id),
    title TEXT,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    days INTEGER NOT NULL CHECK (days > 0),
    daily_rate INTEGER NOT NULL CHECK (daily_rate > 0),
    status TEXT NOT NULL DEFAULT 'planned'
        CHECK (status IN ('planned', 'active', 'ending', 'offboarded', 'cancelled')),
    cancel_reason TEXT,
    created_at TEXT NOT NULL DEFAULT (clock_now()),
    CHECK (end_date >= start_date)
);
CREATE INDEX idx_missions_freelancer_dates ON missions(freelancer_id, start_date, end_date);
CREATE INDEX idx_missions_status_end ON missions(status, end_date);
CREATE INDEX idx_missions_skill ON missions(skill_id, start_date);
CREATE INDEX idx_missions_project ON missions(project_id);

CREATE TABLE unavailability (
    id INTEGER PRIMARY KEY,
    freelancer_id INTEGER NOT NULL REFERENCES freelancers(id) ON DELETE CASCADE,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    reason TEXT,
    source TEXT NOT NULL DEFAULT 'manager'
        CHECK (source IN ('manager', 'freelancer', 'poll', 'import', 'demo')),
    created_at TEXT NOT NULL DEFAULT (clock_now()),
    CHECK (end_date >= start_date)
);
CREATE INDEX idx_unavailability_freelancer_dates
    ON unavailability(freelancer_id, start_date, end_date);

CREATE TABLE polls (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES requests(id) ON DELETE CASCADE,
    role_id INTEGER REFERENCES request_roles(id),
    freelancer_id INTEGER NOT NULL REFERENCES freelancers(id) ON DELETE CASCADE,
    channel TEXT NOT NULL DEFAULT 'manager'
        CHECK (channel IN ('manager', 'email', 'telegram')),
    asked_at TEXT NOT NULL DEFAULT (clock_now()),
    answer TEXT CHECK (answer IS NULL OR answer IN ('yes', 'no', 'maybe')),
    answered_at TEXT,
    UNIQUE (request_id, freelancer_id)
);
CREATE INDEX idx_polls_freelancer ON polls(freelancer_id);

CREATE TABLE deliverables (
    id INTEGER PRIMARY KEY,
    mission_id INTEGER NOT NULL REFERENCES missions(id) ON DELETE CASCADE,
    title TEXT NOT NULL CHECK (length(trim(title)) > 0),
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'delivered', 'accepted', 'changes_requested',
                          'not_applicable')),
    due_date TEXT,
    delivered_at TEXT,
    comment TEXT
);
CREATE INDEX idx_deliverables_mission ON deliverables(mission_id);

CREATE TABLE offboardings (
    mission_id INTEGER PRIMARY KEY REFERENCES missions(id) ON DELETE CASCADE,
    status TEXT NOT NULL DEFAULT 'opened'
        CHECK (status IN ('opened', 'checklist_done', 'feedback_in', 'recommendation_written',
                          'note_written', 'closed')),
    opened_at TEXT NOT NULL DEFAULT (clock_now()),
    closed_at TEXT,
    end_reason TEXT, -- private: never published
    updated_at TEXT,
    published_at TEXT, -- when closing last republished the notes database
    publish_error TEXT -- why that republish failed (the close itself stands)
);

-- One row per checklist item of an offboarding (objectives, handover, accesses, invoice...).
CREATE TABLE checklist_items (
    mission_id INTEGER NOT NULL REFERENCES offboardings(mission_id) ON DELETE CASCADE,
    item TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'done', 'not_applicable')),
    value TEXT,
    comment TEXT,
    updated_at TEXT,
    PRIMARY KEY (mission_id, item)
);

CREATE TABLE invoices (
    id INTEGER PRIMARY KEY,
    mission_id INTEGER NOT NULL REFERENCES missions(id) ON DELETE CASCADE,
    amount INTEGER NOT NULL CHECK (amount > 0),
    daily_rate INTEGER CHECK (daily_rate IS NULL OR daily_rate > 0),
    days REAL CHECK (days IS NULL OR days > 0),
    last_billed_day TEXT,
    received_at TEXT,
    checked_at TEXT,
    paid_at TEXT
);
CREATE INDEX idx_invoices_mission ON invoices(mission_id);

CREATE TABLE feedback (
    id INTEGER PRIMARY KEY,
    mission_id INTEGER NOT NULL REFERENCES missions(id) ON DELETE CASCADE,
    source TEXT NOT NULL DEFAULT 'interview' CHECK (source IN ('interview', 'freelancer')),
    {_rating("onboarding")},
    {_rating("integration")},
    {_rating("clarity")},
    suggestions TEXT,
    created_at TEXT NOT NULL DEFAULT (clock_now()),
    UNIQUE (mission_id, source)
);

CREATE TABLE recommendations (
    id INTEGER PRIMARY KEY,
    mission_id INTEGER NOT NULL UNIQUE REFERENCES missions(id) ON DELETE CASCADE,
    author TEXT,
    text TEXT NOT NULL CHECK (length(trim(text)) > 0),
    created_at TEXT NOT NULL DEFAULT (clock_now()),
    delivered_at TEXT
);

CREATE TABLE notes (
    id INTEGER PRIMARY KEY,
    mission_id INTEGER NOT NULL UNIQUE REFERENCES missions(id) ON DELETE CASCADE,
    author TEXT NOT NULL,
    {_rating("quality", True)},
    {_rating("communication", True)},
    {_rating("deadlines", True)},
    {_rating("autonomy", True)},
    would_rehire TEXT NOT NULL CHECK (would_rehire IN ('yes', 'maybe', 'no')),
    text TEXT,
    tags TEXT, -- JSON list of strings
    created_at TEXT NOT NULL DEFAULT (clock_today())
);

CREATE TABLE lists (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (length(trim(name)) > 0),
    description TEXT
);

CREATE TABLE list_members (
    list_id INTEGER NOT NULL REFERENCES lists(id) ON DELETE CASCADE,
    freelancer_id INTEGER NOT NULL REFERENCES freelancers(id) ON DELETE CASCADE,
    added_at TEXT NOT NULL DEFAULT (clock_today()),
    PRIMARY KEY (list_id, freelancer_id)
);

-- Scheduled follow-ups (alumni check-ins and the like); followups.py says which are due.
CREATE TABLE followups (
    id INTEGER PRIMARY KEY,
    freelancer_id INTEGER NOT NULL REFERENCES freelancers(id) ON DELETE CASCADE,
    mission_id INTEGER REFERENCES missions(id) ON DELETE SET NULL,
    kind TEXT NOT NULL CHECK (kind IN ('alumni_checkin', 'feedback_request',
                                       'recommendation_delivery')),
    due_date TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'cancelled')),
    done_at TEXT
);
CREATE INDEX idx_followups_due ON followups(status, due_date);

CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    dedupe_key TEXT NOT NULL UNIQUE,
    freelancer_id INTEGER NOT NULL REFERENCES freelancers(id) ON DELETE CASCADE,
    channel TEXT NOT NULL DEFAULT 'preferred'
        CHECK (channel IN ('preferred', 'email', 'telegram')),
    kind TEXT NOT NULL,
    lang TEXT,
    subject TEXT,
    body TEXT,
    html TEXT,
    payload TEXT, -- JSON
    status TEXT NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'sending', 'sent', 'dead', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL DEFAULT (clock_now()),
    lease_until TEXT,
    last_error TEXT,
    sent_channel TEXT,
    sent_at TEXT,
    provider_id TEXT,
    created_at TEXT NOT NULL DEFAULT (clock_now())
);
CREATE INDEX idx_outbox_due ON outbox(status, next_attempt_at);
"""


@migrations()
def m001_initial_schema(db: sqlite_utils.Database) -> None:
    """Every table of DESIGN.md, and the skills catalogue shipped in the package
    (``fmstoolkit/resources/skills.csv``)."""
    db.executescript(SCHEMA_V1)
    from .pool import load_skills_catalogue

    load_skills_catalogue(db)


def known_migrations() -> list[str]:
    return [m.name for m in migrations._migrations]


def register_clock(conn: sqlite3.Connection) -> None:
    """Give SQL the one clock: ``clock_now()`` (UTC timestamp text) and ``clock_today()``.

    The schema's defaults call these instead of SQLite's ``'now'``, so that a row stamped by a
    default carries the same time as one stamped in Python, frozen tests included.
    """
    conn.create_function("clock_now", 0, clock.stamp)
    conn.create_function("clock_today", 0, lambda: clock.today().isoformat())


def connect(path: str | Path, *, create: bool = False) -> sqlite_utils.Database:
    """Open a database file with the connection settings of the house, without migrating.

    Only ``fms init`` and ``fms demo`` create a database (``create=True``): anything else
    opening a path where there is none gets a sentence naming the commands that make one,
    instead of silently starting an empty agency somewhere unexpected.
    """
    path = Path(path)
    if path.exists() and path.is_dir():
        raise DatabaseError(
            "{path} is a folder, not a database file.",
            "{path} est un dossier, pas un fichier de base de données.",
            path=path,
        )
    if not path.exists():
        if not create:
            raise DatabaseError(
                "There is no database at {path}. Create the demo agency with `fms demo` or an "
                "empty one with `fms init` (or set FMS_DB to the right file).",
                "Il n'y a pas de base à {path}. Créez l'agence de démo avec `fms demo` ou une "
                "base vide avec `fms init` (ou indiquez le bon fichier dans FMS_DB).",
                path=path,
            )
        path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    register_clock(conn)
    db = sqlite_utils.Database(conn)
    try:
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA foreign_keys = ON")
        if db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            db.enable_wal()
        db.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise DatabaseError(
            "{path} is not an fmstoolkit database ({exc}). Check the path or make a new one "
            "with `fms init`.",
            "{path} n'est pas une base fmstoolkit ({exc}). Vérifiez le chemin ou créez-en une "
            "avec `fms init`.",
            path=path,
            exc=exc,
        ) from exc
    return db


def check_not_newer(db: sqlite_utils.Database) -> None:
    """Refuse a database migrated by a newer fmstoolkit (it has migrations we don't know)."""
    known = set(known_migrations())
    unknown = [m.name for m in migrations.applied(db) if m.name not in known]
    if unknown:
        raise DatabaseError(
            "This database was upgraded by a newer version of fmstoolkit (migration "
            "{name}). Upgrade fmstoolkit to use it; it was left untouched.",
            "Cette base a été mise à jour par une version plus récente de fmstoolkit "
            "(migration {name}). Mettez fmstoolkit à jour pour l'utiliser ; elle n'a pas été "
            "modifiée.",
            name=unknown[-1],
        )


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply pending migrations; return the names of those applied (empty when up to date)."""
    check_not_newer(db)
    pending = [m.name for m in migrations.pending(db)]
    if pending:
        migrations.apply(db)
    return pending


def open_db(
    path: str | Path | None = None, *, migrate_schema: bool = True, create: bool = False
) -> sqlite_utils.Database:
    """Open the operational database and bring its schema up to date.

    ``path`` defaults to ``FMS_DB``. A missing file is an error unless ``create`` (only
    ``fms init``, ``fms demo`` and test fixtures create databases).
    """
    db = connect(path or get_settings().db, create=create)
    if migrate_schema:
        try:
            migrate(db)
        except BaseException:
            db.close()
            raise
    return db


# --- planning (issue 3): the collaboration record of every freelancer, kept by triggers ---------

_STATS_SELECT = """
SELECT m.freelancer_id,
       coalesce(sum(m.status IN ('active', 'ending', 'offboarded')), 0),
       max(CASE WHEN m.status IN ('active', 'ending', 'offboarded') THEN m.end_date END),
       count(n.mission_id),
       avg((n.quality + n.communication + n.deadlines + n.autonomy) / 4.0),
       coalesce(sum(n.would_rehire = 'yes'), 0),
       coalesce(sum(n.would_rehire = 'maybe'), 0),
       coalesce(sum(n.would_rehire = 'no'), 0)
FROM missions m JOIN freelancers f ON f.id = m.freelancer_id
LEFT JOIN notes n ON n.mission_id = m.id
"""
_STATS_INSERT = (
    "INSERT INTO collaboration_stats (freelancer_id, missions, last_end, notes, rating_avg, "
    "rehire_yes, rehire_maybe, rehire_no) "
)
#: Recompute the row of one freelancer (an expression: NEW.freelancer_id...) inside a trigger.
_STATS_OF = (
    "DELETE FROM collaboration_stats WHERE freelancer_id = {fid}; "
    + _STATS_INSERT
    + _STATS_SELECT
    + "WHERE m.freelancer_id = {fid} GROUP BY m.freelancer_id; "
)


@migrations()
def m002_collaboration_stats(db: sqlite_utils.Database) -> None:
    """One row per freelancer summing up their past collaboration with the agency.

    Ranking candidates reads this row (one index lookup per candidate) instead of aggregating
    every past mission and note of every candidate on each request: at 10,000 freelancers and
    200,000 missions that aggregation was most of the ranking time. Triggers on ``missions``
    and ``notes`` recompute the row of the freelancer concerned, so every writer (offboarding,
    the demo, imports) keeps it exact without knowing about it. Missions counted: active,
    ending and offboarded (planned and cancelled ones are not a collaboration yet).
    """
    mission_fid = "(SELECT freelancer_id FROM missions WHERE id = {side}.mission_id)"
    # Inserts (the common case, and the demo's 300,000 rows) add to the row in O(1); updates and
    # deletes, which are rare, recompute it.
    on_mission_insert = (
        "INSERT INTO collaboration_stats (freelancer_id, missions, last_end) "
        "SELECT NEW.freelancer_id, 1, NEW.end_date "
        "WHERE NEW.status IN ('active', 'ending', 'offboarded') "
        "ON CONFLICT (freelancer_id) DO UPDATE SET missions = missions + 1, "
        "last_end = max(coalesce(last_end, ''), excluded.last_end); "
    )
    on_note_insert = (
        "INSERT INTO collaboration_stats (freelancer_id, notes, rating_avg, rehire_yes, "
        "rehire_maybe, rehire_no) "
        "SELECT m.freelancer_id, 1, "
        "(NEW.quality + NEW.communication + NEW.deadlines + NEW.autonomy) / 4.0, "
        "NEW.would_rehire = 'yes', NEW.would_rehire = 'maybe', NEW.would_rehire = 'no' "
        "FROM missions m WHERE m.id = NEW.mission_id "
        "ON CONFLICT (freelancer_id) DO UPDATE SET notes = notes + 1, "
        "rating_avg = (coalesce(rating_avg, 0) * notes + excluded.rating_avg) / (notes + 1), "
        "rehire_yes = rehire_yes + excluded.rehire_yes, "
        "rehire_maybe = rehire_maybe + excluded.rehire_maybe, "
        "rehire_no = rehire_no + excluded.rehire_no; "
    )
    triggers = {
        "missions_ai": ("AFTER INSERT ON missions", on_mission_insert),
        "missions_au": (
            "AFTER UPDATE OF status, end_date, freelancer_id ON missions",
            ["NEW.freelancer_id", "OLD.freelancer_id"],
        ),
        "missions_ad": ("AFTER DELETE ON missions", ["OLD.freelancer_id"]),
        "notes_ai": ("AFTER INSERT ON notes", on_note_insert),
        "notes_au": (
            "AFTER UPDATE ON notes",
            [mission_fid.format(side="NEW"), mission_fid.format(side="OLD")],
        ),
        "notes_ad": ("AFTER DELETE ON notes", [mission_fid.format(side="OLD")]),
    }
    script = [
        """
        CREATE TABLE collaboration_stats (
            freelancer_id INTEGER PRIMARY KEY REFERENCES freelancers(id) ON DELETE CASCADE,
            missions INTEGER NOT NULL DEFAULT 0,
            last_end TEXT,
            notes INTEGER NOT NULL DEFAULT 0,
            rating_avg REAL,
            rehire_yes INTEGER NOT NULL DEFAULT 0,
            rehire_maybe INTEGER NOT NULL DEFAULT 0,
            rehire_no INTEGER NOT NULL DEFAULT 0
        );
        """
    ]
    for name, (event, fids) in triggers.items():
        if isinstance(fids, str):
            body = fids
        else:
            body = "".join(_STATS_OF.format(fid=fid) for fid in dict.fromkeys(fids))
        script.append(f"CREATE TRIGGER collaboration_stats_{name} {event} BEGIN {body} END;")
    db.executescript("\n".join(script))
    # The rows of the freelancers who already have missions.
    db.execute(_STATS_INSERT + _STATS_SELECT + "GROUP BY m.freelancer_id")


def refresh_derived(db: sqlite_utils.Database) -> None:
    """Recompute, set-based, the tables that triggers keep up to date row by row.

    Bulk loaders (the demo generator) drop the triggers while they insert and call this once
    afterwards: one GROUP BY over every mission is far cheaper than a trigger per row.
    """
    db.execute("DELETE FROM collaboration_stats")
    db.execute(_STATS_INSERT + _STATS_SELECT + "GROUP BY m.freelancer_id")


@migrations()
def m003_conversations(db: sqlite_utils.Database) -> None:
    """Where the Telegram assistant is in a form a freelancer is answering (one at a time).

    Kept in the database, not in the bot's memory, so that restarting the bot loses no answer.
    Keyed by the freelancer, not by the chat: the chat id stays in ``contacts`` only, and a
    trigger drops the conversation with the contact (``fms privacy forget`` erases the contact,
    so the half-typed answers go with it). The leading underscore marks the bot's working state, not
    the agency's data (as sqlite-utils' own ``_sqlite_migrations``): the demo leaves it empty.
    """
    db.executescript(
        """
        CREATE TABLE _conversations (
            freelancer_id INTEGER PRIMARY KEY REFERENCES freelancers(id) ON DELETE CASCADE,
            form TEXT NOT NULL,
            mission_id INTEGER REFERENCES missions(id) ON DELETE CASCADE,
            step INTEGER NOT NULL DEFAULT 0 CHECK (step >= 0),
            answers TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(answers)),
            updated_at TEXT NOT NULL DEFAULT (clock_now())
        );
        CREATE TRIGGER _conversations_contact_ad AFTER DELETE ON contacts BEGIN
            DELETE FROM _conversations WHERE freelancer_id = OLD.freelancer_id;
        END;
        """
    )


#: SQLite's own clock in the defaults of databases made before the one clock (m001 then read
#: ``'now'``), and what replaces it.
_OLD_DEFAULTS = {"(datetime('now'))": "(clock_now())", "(date('now'))": "(clock_today())"}


@migrations()
def m004_clock_defaults(db: sqlite_utils.Database) -> None:
    """Column defaults read the one clock (``clock_now()``, ``clock_today()``), not SQLite's.

    Changing a default does not change what is stored, so SQLite documents editing the schema
    text in place for it ("Making other kinds of table schema changes", with
    ``writable_schema`` and a bumped ``schema_version``) instead of rebuilding every table,
    which would also drop the triggers. Databases created by this version have the new
    defaults from their first migration: for them this changes nothing.
    """
    stale = [
        name
        for name, sql in db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
        if sql and any(old in sql for old in _OLD_DEFAULTS)
    ]
    if not stale:
        return
    version = db.execute("PRAGMA schema_version").fetchone()[0]
    db.execute("PRAGMA writable_schema = ON")
    try:
        for old, new in _OLD_DEFAULTS.items():
            db.execute(
                "UPDATE sqlite_master SET sql = replace(sql, ?, ?) WHERE type = 'table'",
                [old, new],
            )
        db.execute(f"PRAGMA schema_version = {version + 1}")
    finally:
        db.execute("PRAGMA writable_schema = OFF")
    problem = db.execute("PRAGMA integrity_check").fetchone()[0]
    if problem != "ok":
        raise DatabaseError(
            "The schema upgrade failed the integrity check ({problem}); restore a backup.",
            "La mise à jour du schéma a échoué au contrôle d'intégrité ({problem}) ; "
            "restaurez une sauvegarde.",
            problem=problem,
        )


@migrations()
def m005_meta(db: sqlite_utils.Database) -> None:
    """Facts about the database itself, as key/value text (``_meta``).

    ``fms demo`` records there that the database is a demo and the day it was built for, so
    that ``make run`` can rebuild a stale demo and never touches a database that is not one.
    """
    db.execute("CREATE TABLE _meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


def get_meta(db: sqlite_utils.Database, key: str) -> str | None:
    """The value recorded under ``key`` in ``_meta``, or None."""
    row = db.execute("SELECT value FROM _meta WHERE key = ?", [key]).fetchone()
    return row[0] if row else None


def set_meta(db: sqlite_utils.Database, values: dict[str, str]) -> None:
    """Record ``values`` in ``_meta`` (replacing older values of the same keys)."""
    db.conn.executemany(
        "INSERT INTO _meta (key, value) VALUES (?, ?) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        [(k, str(v)) for k, v in values.items()],
    )
