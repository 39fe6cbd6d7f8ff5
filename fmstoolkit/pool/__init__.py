"""The talent pool: freelancers, their skills, their contacts (kept apart) and named lists.

One module per purpose; everything public is re-exported here, so callers write
``from fmstoolkit import pool`` and ``pool.add_freelancer(...)`` without knowing which holds it:

- :mod:`.skill_catalogue`: the skills catalogue, normalising and resolving a typed skill name,
  the closest known skill suggested for an unknown one, ``"react:4;seo:2"`` specs;
- :mod:`.freelancers`: add, update, get and list freelancers, opt-out, a manager's profile view;
- :mod:`.contacts`: contact data (personal, in its own table) and the Telegram chat link;
- :mod:`.lists`: named talent lists;
- :mod:`.explore`: the pool app's reads (search, coverage, free next month, quiet alumni);
- :mod:`.importer`: import from a CSV file, with its report.
"""

from __future__ import annotations

from .contacts import (
    CONTACT_FIELDS,
    close_telegram_chat,
    email_key,
    freelancer_by_chat,
    freelancer_by_email,
    freelancer_by_link_token,
    get_contact,
    link_telegram_chat,
    reopen_telegram_chat,
    same_address,
)
from .explore import (
    QUIET_DAYS,
    coverage,
    free_next_month,
    last_notes,
    next_month,
    quiet_alumni,
    search,
)
from .freelancers import (
    FREELANCER_FIELDS,
    PUBLIC_COLUMNS,
    add_freelancer,
    freelancer_row,
    freelancer_skills,
    get_freelancer,
    list_freelancers,
    profile,
    set_opt_out,
    update_freelancer,
)
from .importer import (
    IMPORT_COLUMNS,
    REQUIRED_IMPORT_COLUMNS,
    SENIORITY_WORDS,
    ImportReport,
    import_freelancers,
)
from .lists import add_to_list, create_list, list_members, remove_from_list, talent_lists
from .skill_catalogue import (
    SKILLS_CATALOGUE,
    load_skills_catalogue,
    normalize,
    parse_skills,
    resolve_skill,
    skill_aliases,
    skill_label,
    skills,
    unknown_skill_problem,
)

__all__ = [
    "QUIET_DAYS",
    "coverage",
    "free_next_month",
    "last_notes",
    "next_month",
    "quiet_alumni",
    "search",
    "CONTACT_FIELDS",
    "FREELANCER_FIELDS",
    "IMPORT_COLUMNS",
    "PUBLIC_COLUMNS",
    "REQUIRED_IMPORT_COLUMNS",
    "email_key",
    "freelancer_by_email",
    "SENIORITY_WORDS",
    "SKILLS_CATALOGUE",
    "ImportReport",
    "add_freelancer",
    "add_to_list",
    "close_telegram_chat",
    "create_list",
    "freelancer_by_chat",
    "freelancer_by_email",
    "freelancer_by_link_token",
    "freelancer_row",
    "freelancer_skills",
    "get_contact",
    "get_freelancer",
    "import_freelancers",
    "link_telegram_chat",
    "list_freelancers",
    "list_members",
    "load_skills_catalogue",
    "normalize",
    "parse_skills",
    "profile",
    "remove_from_list",
    "reopen_telegram_chat",
    "same_address",
    "resolve_skill",
    "set_opt_out",
    "skill_aliases",
    "skill_label",
    "skills",
    "talent_lists",
    "unknown_skill_problem",
    "update_freelancer",
]
