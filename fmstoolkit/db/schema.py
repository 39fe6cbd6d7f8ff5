"""The schema of the first migration (``m001_initial_schema``): every table of DESIGN.md.

Kept as the text m001 executes, apart from the migrations' code so that each stays readable.
Never edit it to change a database: existing databases applied it long ago, and what changes
their schema is a new migration in :mod:`fmstoolkit.db.migrations`. Columns added since:
``outbox.claim_token`` (m006, the holder of a message being sent).

Schema rules (see DESIGN.md): dates are ISO ``YYYY-MM-DD`` text, money is whole euros, every enum
has a CHECK constraint, ratings are 1-5, rates are positive. Personal contact data lives only in
``contacts``. Defaults read the one clock through the SQL functions ``clock_now()`` and
``clock_today()`` that :func:`fmstoolkit.db.register_clock` gives every connection.
"""

from __future__ import annotations


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
