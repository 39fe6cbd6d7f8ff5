"""Planning: working days, staffing requests, availability, matching, missions and polls.

Working days skip weekends and public holidays. Holidays come from the ``holidays`` package
(maintained, covers every French public holiday including Easter Monday and Whit Monday, and
other countries through the ``country`` setting) instead of a hand-kept table.

Matching is built for an agency of tens of thousands of freelancers and hundreds of thousands of
past missions: a role is ranked with one set-based query (the candidates with the skill, through
``idx_freelancer_skills_skill``; their busy periods over the request's dates, through the
``(freelancer_id, start_date, end_date)`` indexes of missions and unavailability; their
collaboration record from ``collaboration_stats``, a row per freelancer kept exact by triggers)
scored in :mod:`.scoring` (the collaboration points computed by that query with the same named
constants, the rest in Python) and explained in :mod:`.matching`, in words, only for the
candidates returned (``top``).

Dates are ISO ``YYYY-MM-DD`` text in the database; comparing ISO strings compares dates, so
periods are inclusive on both ends: a mission ending on the 5th and one starting on the 6th do
not overlap.

The code is split by subject; everything below is re-exported here, so callers write
``from fmstoolkit import planning`` and ``planning.rank_candidates(...)`` whatever module holds
it:

* :mod:`.calendar`: working days and public holidays;
* :mod:`.requests`: staffing requests and their roles;
* :mod:`.free_busy`: busy periods, availability, declared unavailability;
* :mod:`.rates`: the rate benchmark and where a quoted rate stands;
* :mod:`.matching`: ``Candidate``, ``rank_candidates`` and the reasons in words;
* :mod:`.scoring`: the score of every candidate, in numbers, and its ``WEIGHTS``;
* :mod:`.missions`: booking, moving, extending and cancelling missions;
* :mod:`.polls`: availability questions and their answers;
* :mod:`.ledger`: a request's ledger and the fill-rate report;
* :mod:`.agenda`: the schedule rows, their summary and the .ics export;
* :mod:`._common`: the small helpers and constants they share.
"""

from __future__ import annotations

from ._common import (
    FRESH_DAYS,
    OPEN_MISSION_STATUSES,
    OPEN_REQUEST_STATUSES,
    RANKED_STATUSES,
    SENIORITIES,
    STALE_DAYS,
)

# Private, but the CLI reads dates with it (fmstoolkit/cli.py, ``schedule``).
from ._common import _date as _date
from .agenda import schedule, schedule_summary, to_ics, write_ics
from .calendar import is_working_day, working_days, working_period
from .free_busy import add_unavailability, availability, confirm_availability
from .ledger import request_ledger, requests_report
from .matching import (
    AVAILABLE_SQL,
    Candidate,
    availability_freshness,
    rank_candidates,
    rank_roles,
)
from .missions import (
    assign,
    cancel_mission,
    create_mission,
    extend_mission,
    get_mission,
    move_mission,
)
from .periods import Period, parse_period
from .polls import (
    answer_label,
    answer_poll,
    get_poll,
    normalise_answer,
    polls_for,
    record_poll,
    record_poll_channel,
)
from .rates import paid_rates, rate_benchmark, rate_benchmarks, rate_position
from .requests import (
    add_role,
    close_request,
    create_request,
    get_request,
    list_requests,
    validate_request,
)
from .scoring import WEIGHTS, Weights

__all__ = [
    "AVAILABLE_SQL",
    "Candidate",
    "Period",
    "FRESH_DAYS",
    "OPEN_MISSION_STATUSES",
    "OPEN_REQUEST_STATUSES",
    "RANKED_STATUSES",
    "SENIORITIES",
    "STALE_DAYS",
    "WEIGHTS",
    "Weights",
    "add_role",
    "add_unavailability",
    "answer_label",
    "answer_poll",
    "get_poll",
    "normalise_answer",
    "parse_period",
    "assign",
    "availability",
    "cancel_mission",
    "close_request",
    "confirm_availability",
    "create_mission",
    "create_request",
    "extend_mission",
    "get_mission",
    "get_request",
    "is_working_day",
    "list_requests",
    "move_mission",
    "paid_rates",
    "polls_for",
    "rank_candidates",
    "rank_roles",
    "rate_benchmark",
    "rate_benchmarks",
    "rate_position",
    "availability_freshness",
    "record_poll",
    "record_poll_channel",
    "request_ledger",
    "requests_report",
    "schedule",
    "schedule_summary",
    "to_ics",
    "validate_request",
    "working_days",
    "working_period",
    "write_ics",
]
