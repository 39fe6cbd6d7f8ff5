"""The schema of the published notes database: its tables, indexes and views.

What :mod:`fmstoolkit.publish` creates in the notes file it builds (attached as ``pub``), kept
apart from the copying logic so that each reads on its own. No contact column appears here: the
published database cannot hold what it has no column for.
"""

SCHEMA = """
CREATE TABLE pub.skills (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, label_fr TEXT, label_en TEXT, category TEXT
);
CREATE TABLE pub.projects (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, client TEXT, lead_name TEXT
);
CREATE TABLE pub.freelancers (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    headline TEXT,
    city TEXT,
    seniority TEXT,
    status TEXT,
    daily_rate INTEGER,
    skills TEXT,
    missions_count INTEGER NOT NULL DEFAULT 0,
    notes_count INTEGER NOT NULL DEFAULT 0,
    avg_quality REAL,
    avg_communication REAL,
    avg_deadlines REAL,
    avg_autonomy REAL,
    avg_rating REAL,
    would_rehire_share REAL,
    last_would_rehire TEXT,
    first_mission_start TEXT,
    last_mission_end TEXT,
    last_mission_id INTEGER REFERENCES missions(id),
    last_daily_rate INTEGER,
    rate_history TEXT
);
CREATE TABLE pub.freelancer_skills (
    freelancer_id INTEGER NOT NULL REFERENCES freelancers(id),
    skill_id INTEGER NOT NULL REFERENCES skills(id),
    level INTEGER NOT NULL,
    PRIMARY KEY (freelancer_id, skill_id)
);
CREATE TABLE pub.missions (
    id INTEGER PRIMARY KEY,
    freelancer_id INTEGER NOT NULL REFERENCES freelancers(id),
    project_id INTEGER NOT NULL REFERENCES projects(id),
    skill_id INTEGER REFERENCES skills(id),
    title TEXT,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    year INTEGER,
    days INTEGER,
    daily_rate INTEGER,
    seniority TEXT,
    city TEXT,
    status TEXT
);
CREATE TABLE pub.notes (
    id INTEGER PRIMARY KEY,
    mission_id INTEGER NOT NULL REFERENCES missions(id),
    freelancer_id INTEGER NOT NULL REFERENCES freelancers(id),
    project_id INTEGER REFERENCES projects(id),
    skill_id INTEGER REFERENCES skills(id),
    year INTEGER,
    author TEXT,
    quality INTEGER,
    communication INTEGER,
    deadlines INTEGER,
    autonomy INTEGER,
    average REAL,
    would_rehire TEXT,
    text TEXT,
    tags TEXT,
    created_at TEXT
);
CREATE TABLE pub.recommendations (
    id INTEGER PRIMARY KEY,
    mission_id INTEGER NOT NULL REFERENCES missions(id),
    freelancer_id INTEGER NOT NULL REFERENCES freelancers(id),
    author TEXT,
    text TEXT,
    created_at TEXT
);
CREATE TABLE pub.feedback (
    id INTEGER PRIMARY KEY,
    mission_id INTEGER NOT NULL REFERENCES missions(id),
    freelancer_id INTEGER NOT NULL REFERENCES freelancers(id),
    source TEXT,
    onboarding INTEGER,
    integration INTEGER,
    clarity INTEGER,
    suggestions TEXT,
    created_at TEXT
);
CREATE TABLE pub.rate_benchmarks (
    skill_id INTEGER NOT NULL REFERENCES skills(id),
    seniority TEXT NOT NULL,
    missions INTEGER NOT NULL,
    min_rate INTEGER,
    q1_rate NUMERIC,
    median_rate NUMERIC,
    q3_rate NUMERIC,
    max_rate INTEGER,
    avg_rate INTEGER,
    PRIMARY KEY (skill_id, seniority)
);
CREATE TABLE pub.rehire_candidates (
    skill_id INTEGER NOT NULL REFERENCES skills(id),
    skill TEXT,
    freelancer_id INTEGER NOT NULL REFERENCES freelancers(id),
    freelancer TEXT,
    city TEXT,
    seniority TEXT,
    notes INTEGER,
    average_rating REAL,
    would_rehire_share REAL,
    would_not_rehire INTEGER,
    last_year INTEGER,
    last_daily_rate INTEGER,
    PRIMARY KEY (skill_id, freelancer_id)
);
CREATE TABLE pub.skill_aliases (
    alias TEXT PRIMARY KEY,
    skill_id INTEGER NOT NULL REFERENCES skills(id)
);
CREATE TABLE pub.seniority_aliases (
    alias TEXT PRIMARY KEY,
    seniority TEXT NOT NULL
);
CREATE TABLE pub.publication (
    id INTEGER PRIMARY KEY,
    published_at TEXT NOT NULL,
    freelancers INTEGER, missions INTEGER, notes INTEGER,
    recommendations INTEGER, feedback INTEGER
);
"""

INDEXES = """
CREATE INDEX pub.idx_missions_freelancer ON missions(freelancer_id, start_date);
CREATE INDEX pub.idx_missions_project ON missions(project_id, start_date);
CREATE INDEX pub.idx_missions_skill ON missions(skill_id, start_date);
CREATE INDEX pub.idx_notes_freelancer ON notes(freelancer_id);
CREATE INDEX pub.idx_notes_mission ON notes(mission_id);
CREATE INDEX pub.idx_recommendations_freelancer ON recommendations(freelancer_id);
CREATE INDEX pub.idx_recommendations_mission ON recommendations(mission_id);
CREATE INDEX pub.idx_feedback_freelancer ON feedback(freelancer_id);
CREATE INDEX pub.idx_feedback_mission ON feedback(mission_id);
CREATE INDEX pub.idx_freelancer_skills_skill ON freelancer_skills(skill_id, level);
CREATE INDEX pub.idx_missions_start ON missions(start_date);
CREATE INDEX pub.idx_missions_year ON missions(year);
CREATE INDEX pub.idx_missions_city ON missions(city);
CREATE INDEX pub.idx_missions_status ON missions(status);
CREATE INDEX pub.idx_notes_skill ON notes(skill_id);
CREATE INDEX pub.idx_notes_year ON notes(year);
CREATE INDEX pub.idx_notes_would_rehire ON notes(would_rehire);
CREATE INDEX pub.idx_notes_average ON notes(average);
CREATE INDEX pub.idx_freelancers_rating ON freelancers(avg_rating);
CREATE INDEX pub.idx_rehire_rating ON rehire_candidates(skill_id, average_rating);
CREATE INDEX pub.idx_rehire_average ON rehire_candidates(average_rating);
"""

#: Whom to call again for a skill: freelancers with notes on missions of that skill, best first.
#: Materialised at publish time (a table with an index per skill): computed as a view over
#: 180,000 notes it took 0.5 s per evaluation, and Datasette evaluates a view page 5 times
#: (rows, count, facets).
REHIRE_CANDIDATES = """
INSERT INTO pub.rehire_candidates
SELECT
    n.skill_id, s.label_fr, n.freelancer_id, f.name, f.city, f.seniority,
    count(*),
    round(avg(n.average), 2),
    round(avg(n.would_rehire = 'yes'), 2),
    sum(n.would_rehire = 'no'),
    max(n.year),
    f.last_daily_rate
FROM pub.notes n
JOIN pub.freelancers f ON f.id = n.freelancer_id
JOIN pub.skills s ON s.id = n.skill_id
WHERE f.status != 'forgotten'
GROUP BY n.skill_id, n.freelancer_id
ORDER BY s.label_fr, 8 DESC, 9 DESC
"""

VIEWS = """
-- One line per freelancer: how it went, in numbers.
CREATE VIEW scorecards AS
SELECT
    id AS freelancer_id, name AS freelancer, seniority, city, skills, missions_count,
    notes_count, avg_quality, avg_communication, avg_deadlines, avg_autonomy, avg_rating,
    would_rehire_share, last_mission_end, last_daily_rate
FROM freelancers
WHERE notes_count > 0
ORDER BY avg_rating DESC;
"""
