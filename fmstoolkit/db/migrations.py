"""The migrations of the operational database, in the order they apply (m001 to m011).

They use sqlite-utils' own migrations API (tracked in ``_sqlite_migrations``, set
:data:`MIGRATION_SET`) rather than a hand-written version table: each is applied once, in a
transaction, in order. Existing databases know them by name, so a migration is never renamed
nor changed once released; migrations are additive (a new one adds tables or nullable columns).
A database that has migrations this version does not know was made by a newer fmstoolkit and is
refused with a clear message instead of being damaged.
"""

from __future__ import annotations

import sqlite_utils
from sqlite_utils.migrations import Migrations

from ..errors import DatabaseError
from .catalogue import load_skills_catalogue
from .schema import SCHEMA_V1

MIGRATION_SET = "fmstoolkit"
#: Every migration of the set, registered by the ``@MIGRATIONS()`` decorators below, in order.
MIGRATIONS = Migrations(MIGRATION_SET)


@MIGRATIONS()
def m001_initial_schema(db: sqlite_utils.Database) -> None:
    """Every table of DESIGN.md, and the skills catalogue shipped in the package
    (``fmstoolkit/resources/skills.csv``)."""
    db.executescript(SCHEMA_V1)
    load_skills_catalogue(db)


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


@MIGRATIONS()
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


@MIGRATIONS()
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


@MIGRATIONS()
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
            problem=problem,
        )


@MIGRATIONS()
def m005_meta(db: sqlite_utils.Database) -> None:
    """Facts about the database itself, as key/value text (``_meta``).

    ``fms demo`` records there that the database is a demo and the day it was built for, so
    that ``make run`` can rebuild a stale demo and never touches a database that is not one.
    """
    db.execute("CREATE TABLE _meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


@MIGRATIONS()
def m006_outbox_claim_token(db: sqlite_utils.Database) -> None:
    """Who holds a message being sent: the token of the claim that took it (issue 12).

    A sender records a result (sent, failed, moved to email) only while the message is still
    ``sending`` under its own token, so a sender whose lease was taken over by another, or whose
    message was retried or cancelled by hand, can no longer overwrite what the new holder does
    (fencing). NULL outside ``sending``. The partial index serves lease renewal, which updates
    the rows of one token every few seconds.
    """
    db.execute("ALTER TABLE outbox ADD COLUMN claim_token TEXT")
    db.execute(
        "CREATE INDEX idx_outbox_claim ON outbox(claim_token) WHERE claim_token IS NOT NULL"
    )


@MIGRATIONS()
def m007_mail_replies(db: sqlite_utils.Database) -> None:
    """The e-mail replies already read from the agency's mailbox, one row per mail.

    Keyed by a SHA-256 of the mail's Message-ID (not the Message-ID itself, which the sender's
    mail software often builds from their host or address), so a mail read twice (moved back,
    delivered twice, or read again after a crash between recording it and moving it) records
    nothing twice. It also gives the manager's digest its counts (answers, mails left to read).
    The leading underscore marks the mail reader's working state, as ``_conversations`` is the
    bot's: the demo leaves it empty.
    """
    db.execute(
        """
        CREATE TABLE _mail_replies (
            key TEXT PRIMARY KEY,
            outbox_id INTEGER,
            freelancer_id INTEGER REFERENCES freelancers(id) ON DELETE SET NULL,
            outcome TEXT NOT NULL CHECK (outcome IN ('yes', 'no', 'maybe', 'opted_out',
                'unreadable', 'foreign', 'unmatched')),
            read_at TEXT NOT NULL DEFAULT (clock_now())
        )
        """
    )
    db.execute("CREATE INDEX idx_mail_replies_read_at ON _mail_replies(read_at)")


@MIGRATIONS()
def m008_telegram_updates(db: sqlite_utils.Database) -> None:
    """The Telegram updates the assistant has handled, by Telegram's ``update_id``; and who
    closed a contact's Telegram chat.

    Telegram delivers an update again when the bot did not confirm it (a restart between
    handling it and the next ``getUpdates``, a webhook answer that came late): the assistant
    claims each id before acting, so the same press or ``/off`` is never recorded twice. The
    ids carry no personal data and are pruned after a few days (Telegram keeps an update 24
    hours). ``contacts.telegram_closed_by`` tells the freelancer's own ``/stop`` (their consent
    withdrawn: ``freelancer``) from a bot Telegram reports blocked (``blocked``).
    """
    db.execute(
        """
        CREATE TABLE _telegram_updates (
            update_id INTEGER PRIMARY KEY,
            received_at TEXT NOT NULL DEFAULT (clock_now())
        )
        """
    )
    db.execute("CREATE INDEX idx_telegram_updates_received ON _telegram_updates(received_at)")
    db.execute(
        "ALTER TABLE contacts ADD COLUMN telegram_closed_by TEXT "
        "CHECK (telegram_closed_by IS NULL OR telegram_closed_by IN ('freelancer', 'blocked'))"
    )


_OUTBOX_V2 = """
CREATE TABLE outbox_v2 (
    id INTEGER PRIMARY KEY,
    dedupe_key TEXT NOT NULL UNIQUE,
    recipient TEXT NOT NULL DEFAULT 'freelancer' CHECK (recipient IN ('freelancer', 'manager')),
    freelancer_id INTEGER REFERENCES freelancers(id) ON DELETE CASCADE,
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
    created_at TEXT NOT NULL DEFAULT (clock_now()),
    claim_token TEXT,
    CHECK (recipient = 'manager' OR freelancer_id IS NOT NULL)
)
"""
_OUTBOX_COLUMNS = (
    "id, dedupe_key, freelancer_id, channel, kind, lang, subject, body, html, payload, status, "
    "attempts, next_attempt_at, lease_until, last_error, sent_channel, sent_at, provider_id, "
    "created_at, claim_token"
)


@MIGRATIONS()
def m009_manager_messages(db: sqlite_utils.Database) -> None:
    """Messages to the manager go through the outbox too (issue 13), and the manager's own
    Telegram chat is linked with a manager invitation.

    ``outbox.recipient`` says who reads a message: ``freelancer`` (every message before this
    migration) or ``manager`` (the digest, the requalification alert, a freelancer's "yes").
    A manager's message names the freelancer it is about in ``freelancer_id`` when there is one
    (so forgetting that freelancer erases it too), else NULL (the digest): the column becomes
    nullable, which SQLite allows only by rebuilding the table ("Making other kinds of table
    schema changes": create, copy, drop, rename, then the indexes again). No table, trigger or
    view refers to ``outbox``, so the rename has nothing else to update.

    ``_manager_chats``: one row per manager invitation (its token, printed by
    ``fms manager invite``), the chat that used it and when. The chat id is personal: it stays
    here, like a freelancer's in ``contacts``. The leading underscore marks the assistant's
    working state (the demo has no manager chat).
    """
    db.execute(_OUTBOX_V2)
    db.execute(f"INSERT INTO outbox_v2 ({_OUTBOX_COLUMNS}) SELECT {_OUTBOX_COLUMNS} FROM outbox")
    db.execute("DROP TABLE outbox")
    db.execute("ALTER TABLE outbox_v2 RENAME TO outbox")
    db.execute("CREATE INDEX idx_outbox_due ON outbox(status, next_attempt_at)")
    db.execute(
        "CREATE INDEX idx_outbox_claim ON outbox(claim_token) WHERE claim_token IS NOT NULL"
    )
    db.execute("CREATE INDEX idx_outbox_freelancer ON outbox(freelancer_id)")
    db.execute(
        """
        CREATE TABLE _manager_chats (
            id INTEGER PRIMARY KEY,
            token TEXT NOT NULL UNIQUE,
            chat_id INTEGER,
            created_at TEXT NOT NULL DEFAULT (clock_now()),
            linked_at TEXT,
            closed_at TEXT
        )
        """
    )


@MIGRATIONS()
def m010_paperwork(db: sqlite_utils.Database) -> None:
    """The paperwork of a mission (issue 16): the invoice read from its file, and its payment.

    ``invoices``: the file received (``file``, a name inside ``FMS_DOCUMENTS_DIR``), how its
    figures were entered (``source``: ``facturx`` read from the file's XML, ``typed`` by the
    manager), the period billed, the invoice's number and the seller's SIRET and VAT number;
    ``amount_due_cents`` (what the transfer pays, VAT included, in cents: the invoice's "net
    to pay"; whole euros elsewhere), ``payment_status`` (``in_payment`` once in a SEPA file,
    ``paid`` when confirmed),
    ``payment_file`` (the SEPA file's message id) and ``payment_ref`` (the transfer's
    end-to-end id). ``contacts``: the freelancer's ``iban`` and ``bic`` (personal data, kept with
    the other contact data: never published, deleted by ``fms privacy forget``).
    """
    for column in ("file", "source", "invoice_number", "period_start", "period_end",
                   "seller_siret", "seller_vat", "payment_status", "payment_file",
                   "payment_ref"):  # fmt: skip
        db.execute(f"ALTER TABLE invoices ADD COLUMN {column} TEXT")
    db.execute("ALTER TABLE invoices ADD COLUMN amount_due_cents INTEGER "
               "CHECK (amount_due_cents IS NULL OR amount_due_cents > 0)")  # fmt: skip
    db.execute("ALTER TABLE contacts ADD COLUMN iban TEXT")
    db.execute("ALTER TABLE contacts ADD COLUMN bic TEXT")


@MIGRATIONS()
def m011_contracts(db: sqlite_utils.Database) -> None:
    """The contract and the NDA of a mission (issue 16), made from the agency's templates.

    ``documents``: one row per mission and kind (``contract`` or ``nda``), in a language
    (``lang``), with its state (``draft`` → ``sent`` → ``signed``) and when it changed:
    ``created_at`` / ``updated_at`` (UTC stamps, the draft made or made again), ``sent_at``
    (the UTC stamp the e-mail carrying it was sent), ``signed_at`` (the day it was signed,
    ``YYYY-MM-DD``). ``file`` is the PDF made (a name inside ``FMS_DOCUMENTS_DIR``; NULL for a
    document signed outside the toolkit, or once ``fms privacy forget`` erased it),
    ``signed_file`` the signed copy the freelancer sent back, ``outbox_id`` the message that
    carries (or carried) it.
    """
    db.execute(
        """
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            mission_id INTEGER NOT NULL REFERENCES missions(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('contract', 'nda')),
            lang TEXT NOT NULL CHECK (lang IN ('fr', 'en')),
            state TEXT NOT NULL DEFAULT 'draft' CHECK (state IN ('draft', 'sent', 'signed')),
            file TEXT,
            signed_file TEXT,
            outbox_id INTEGER,
            created_at TEXT NOT NULL DEFAULT (clock_now()),
            updated_at TEXT,
            sent_at TEXT,
            signed_at TEXT,
            UNIQUE (mission_id, kind)
        )
        """
    )


def known_migrations() -> list[str]:
    """The names of the migrations this version knows, in the order they apply."""
    return [m.name for m in MIGRATIONS._migrations]


def check_not_newer(db: sqlite_utils.Database) -> None:
    """Refuse a database migrated by a newer fmstoolkit (it has migrations we don't know)."""
    known = set(known_migrations())
    unknown = [m.name for m in MIGRATIONS.applied(db) if m.name not in known]
    if unknown:
        raise DatabaseError(
            "This database was upgraded by a newer version of fmstoolkit (migration "
            "{name}). Upgrade fmstoolkit to use it; it was left untouched.",
            name=unknown[-1],
        )


def migrate(db: sqlite_utils.Database) -> list[str]:
    """Apply pending migrations; return the names of those applied (empty when up to date)."""
    check_not_newer(db)
    pending = [m.name for m in MIGRATIONS.pending(db)]
    if pending:
        MIGRATIONS.apply(db)
    return pending
