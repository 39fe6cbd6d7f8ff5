"""The demo agency: a realistic French agency's two years of freelancing, for `fms demo`.

``generate(db, freelancers=200, seed=0)`` fills every table of the operational database: the
pool (Faker's ``fr_FR`` names, skills and seniority, daily rates drawn per skill and seniority
around the catalogue's base rate), their contacts (addresses on the reserved ``example.org``
domain, about half reachable on Telegram), projects, two years of past missions with
deliverables, invoices, closed offboardings, feedback, recommendations and collaboration notes in
French, declared unavailability, past requests with their polls, a few open requests, missions
ending this week or next, talent lists and alumni check-ins.

Same seed, same database: every random draw comes from one ``random.Random(seed)`` and Faker is
seeded from it; "today" is a parameter. Speed matters (10,000 freelancers in well under a
minute): rows are built as tuples in Python and written with ``executemany`` inside one
transaction, with working days looked up in a precomputed calendar (``planning.is_working_day``,
i.e. the ``holidays`` package) instead of being recounted for every mission.

- :mod:`.build`: generate, create (a temporary file renamed into place), refresh and the facts
  ``_meta`` records about a demo;
- :mod:`.generator`: the random source, the calendar and the rows, written table by table;
- :mod:`.people`, :mod:`.missions`, :mod:`.requests`: the rows of each part of the agency;
- :mod:`.shape`: its proportions and the tables and columns it writes.
"""

from __future__ import annotations

from .build import (
    META_BUILT_FOR,
    META_DEMO,
    META_FREELANCERS,
    META_SEED,
    create,
    demo_facts,
    generate,
    refresh,
    refresh_plan,
    refuse_overwrite,
)
from .shape import COLUMNS, TEXTS_FILE

__all__ = [
    "COLUMNS", "META_BUILT_FOR", "META_DEMO", "META_FREELANCERS", "META_SEED", "TEXTS_FILE",
    "create", "demo_facts", "generate", "refresh", "refresh_plan", "refuse_overwrite",
]  # fmt: skip
