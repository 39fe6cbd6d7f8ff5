"""Scoring: every candidate of a role, in numbers (the words are :mod:`.matching`'s job).

A role is scored with one set-based query (:data:`SCORE_SQL`): the freelancers with the skill
(``idx_freelancer_skills_skill``), their busy periods over the request's dates (the
``(freelancer_id, start_date, end_date)`` indexes of missions and unavailability) and their
collaboration record (``collaboration_stats``, kept exact by triggers). Only the columns the
score needs are read; what only the words need is read for the candidates shown.

The score (0-100) adds four parts, whose most points are :data:`WEIGHTS`:

* skill, up to 30: the level in the role's skill (level / 5);
* availability, up to 25: the share of the request's working days that are free (a "no" to
  this request's poll counts as not available, a "maybe" as 80 %);
* collaboration, up to 25: average collaboration-note rating, would-rehire answers, number of
  past missions and how recent the last one is (a newcomer gets a neutral 8);
* rate, up to 20: within the budget (role or request maximum) and where the rate stands in the
  agency's benchmark for the skill and the freelancer's seniority.

What is the same for every candidate of a request (its working days, budget, poll answers,
rate benchmarks) is gathered once in a :class:`RoleQuery`; what many candidates share (a
rate and seniority, a set of busy periods, the end of a last mission) is computed once per
request.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import sqlite_utils

from ._common import _date
from .calendar import working_days
from .rates import _benchmarks_by_seniority, _position


@dataclass(frozen=True)
class Weights:
    """The most points each part of the score gives; they add up to 100."""

    level: float = 30.0
    availability: float = 25.0
    collaboration: float = 25.0
    rate: float = 20.0


WEIGHTS = Weights(level=30.0, availability=25.0, collaboration=25.0, rate=20.0)
#: The names of the parts, in the order of :attr:`Scored.points`.
COMPONENTS = ("skill", "availability", "collaboration", "rate")

MAX_LEVEL = 5
#: Availability: a "maybe" to this request's poll keeps this share, a "no" keeps nothing.
MAYBE_SHARE = 0.8
#: Collaboration (together at most ``WEIGHTS.collaboration``). A newcomer is neutral.
NEWCOMER_POINTS = 8.0
RATING_POINTS_PER_STAR = 2.5  # above 1/5: a 5/5 average gives 10
UNRATED_POINTS = 5.0
REHIRE_YES_POINTS = 6.0  # per note (a "maybe" counts half), averaged over the notes
REHIRE_NO_POINTS = 10.0  # taken per "no", averaged over the notes
NO_NOTE_REHIRE_POINTS = 3.0
MISSIONS_COUNTED = 5  # a point per past mission, up to this many
RECENCY_POINTS = 4.0  # last mission ended today, down to nothing after RECENCY_DAYS
RECENCY_DAYS = 730
NEVER_DAYS = 9999  # how long ago "never" is
#: Rate (together ``WEIGHTS.rate``): the budget part, then the benchmark part.
UNKNOWN_RATE_POINTS = 8.0
BUDGET_POINTS = 10.0  # within the budget, or no budget
OVER_BUDGET_SLOPE = 50.0  # points lost per 100 % over the budget (5 per 10 %)
POSITION_POINTS = {"below": 10.0, "low": 9.0, "typical": 6.0, "high": 3.0, "above": 0.0}
NO_POSITION_POINTS = 5.0  # no past rate to compare with

NO_BENCH: Mapping[str, Any] = {"count": 0, "median": None}

_SKILLED_FROM = (
    "FROM freelancer_skills fs JOIN freelancers f ON f.id = fs.freelancer_id "
    "WHERE fs.skill_id = :skill AND fs.level >= :level AND f.status IN ('active', 'alumni') "
    "AND f.opted_out_at IS NULL"
)
_MISSIONS_OVERLAP = (
    "FROM missions m WHERE m.freelancer_id = f.id AND m.start_date <= :end "
    "AND m.end_date >= :start AND m.status IN ('planned', 'active', 'ending')"
)
_UNAVAILABLE_OVERLAP = (
    "FROM unavailability u WHERE u.freelancer_id = f.id AND u.start_date <= :end "
    "AND u.end_date >= :start"
)

#: Baseline of the benchmark: the single indexed query finding the free freelancers with a skill.
AVAILABLE_SQL = (
    "SELECT f.id, f.name, fs.level "
    + _SKILLED_FROM
    + " AND NOT EXISTS (SELECT 1 "
    + _MISSIONS_OVERLAP
    + ") AND NOT EXISTS (SELECT 1 "
    + _UNAVAILABLE_OVERLAP
    + ")"
)


class ScoreRow(NamedTuple):
    """What the score of one candidate is made of, as read by :data:`SCORE_SQL`."""

    id: int
    name: str
    level: int
    seniority: str
    rate: int | None
    #: Busy periods over the request (missions, then unavailability), as "startend" pairs
    #: joined by commas, or None.
    busy_periods: str | None
    #: The collaboration record; ``missions`` is None for a freelancer never hired.
    missions: int | None
    last_end: str | None
    rating_avg: float | None
    notes: int | None
    rehire_yes: int | None
    rehire_maybe: int | None
    rehire_no: int | None


_SCORE_COLUMNS = {
    "id": "f.id",
    "name": "f.name",
    "level": "fs.level",
    "seniority": "f.seniority",
    "rate": "f.daily_rate",
    "busy_periods": "(SELECT group_concat(p) FROM (SELECT m.start_date || m.end_date AS p "
    + _MISSIONS_OVERLAP
    + " UNION ALL SELECT u.start_date || u.end_date "
    + _UNAVAILABLE_OVERLAP
    + "))",
    "missions": "s.missions",
    "last_end": "s.last_end",
    "rating_avg": "s.rating_avg",
    "notes": "s.notes",
    "rehire_yes": "s.rehire_yes",
    "rehire_maybe": "s.rehire_maybe",
    "rehire_no": "s.rehire_no",
}
assert tuple(_SCORE_COLUMNS) == ScoreRow._fields
#: The one query of a ranking, one :class:`ScoreRow` per candidate.
SCORE_SQL = (
    "SELECT "
    + ", ".join(f"{expr} AS {name}" for name, expr in _SCORE_COLUMNS.items())
    + " "
    + _SKILLED_FROM.replace(
        " WHERE ", " LEFT JOIN collaboration_stats s ON s.freelancer_id = f.id WHERE ", 1
    )
)


@dataclass(frozen=True)
class RoleQuery:
    """What is the same for every candidate of one role of one request."""

    request_id: int
    skill_id: int
    level: int  # the lowest level considered
    start: str
    end: str
    days: tuple[str, ...]  # the request's working days, ISO
    budget: int | None  # the role's, else the request's maximum daily rate
    polls: Mapping[int, str]  # freelancer id -> answer to this request's poll
    benches: Mapping[str, Mapping[str, Any]]  # seniority -> rate benchmark of the skill
    day0: dt.date


def role_query(
    db: sqlite_utils.Database,
    req: Mapping[str, Any],
    role: Mapping[str, Any],
    *,
    day0: dt.date,
    min_level: int | None = None,
) -> RoleQuery:
    """Gather the invariants of ranking ``role`` of request ``req`` (see :func:`get_request`)."""
    polls = db.conn.execute(
        "SELECT freelancer_id, answer FROM polls WHERE request_id = ?", [req["id"]]
    ).fetchall()
    days = working_days(_date(req["start_date"]), _date(req["end_date"]))
    return RoleQuery(
        request_id=req["id"],
        skill_id=role["skill_id"],
        level=max(role["min_level"], min_level or 1),
        start=req["start_date"],
        end=req["end_date"],
        days=tuple(d.isoformat() for d in days),
        budget=role["max_rate"] or req["max_rate"],
        polls=dict(polls),
        benches=_benchmarks_by_seniority(db, role["skill_id"], day0),
        day0=day0,
    )


class RateFacts(NamedTuple):
    """A daily rate against the request's budget and the skill's benchmark."""

    within_budget: bool | None
    position: str | None  # below | low | typical | high | above, None: nothing to compare
    points: float


class Scored(NamedTuple):
    """One candidate's score. Compared as tuples, the best comes first: highest score, then
    name, then id."""

    neg_score: float
    name: str
    id: int
    row: ScoreRow
    points: tuple[float, float, float, float]  # in the order of COMPONENTS
    busy_mask: int  # bit i set: the request's working day i is busy
    answer: str | None  # to this request's poll
    rate: RateFacts

    @property
    def score(self) -> float:
        return -self.neg_score

    def free_and_busy(self, days: tuple[str, ...]) -> tuple[list[str], list[str]]:
        """The request's working ``days`` split into the free and the busy ones."""
        mask = self.busy_mask
        if not mask:
            return list(days), []
        free = [d for i, d in enumerate(days) if not mask >> i & 1]
        return free, [d for i, d in enumerate(days) if mask >> i & 1]


def score_role(
    conn: Any, query: RoleQuery, *, free_only: bool = False, under_budget: bool = False
) -> list[Scored]:
    """Every candidate of the role, scored, in no particular order (see :func:`best_first`).

    ``free_only`` keeps the fully free; ``under_budget`` those whose known rate is within the
    budget.
    """
    cursor = conn.execute(SCORE_SQL, _params(query))
    busy_days = _BusyDays(query.days)
    masks, n_days, shares = busy_days.masks, len(query.days), busy_days.shares
    rates = _RatePoints(query)
    recency = _Recency(query.day0)
    level_points = WEIGHTS.level / MAX_LEVEL
    polls = query.polls
    out: list[Scored] = []
    for row in map(ScoreRow._make, cursor):
        packed = row.busy_periods
        mask = masks.get(packed) if packed else 0
        if mask is None:
            mask = busy_days.add(packed)
        if free_only and mask:
            continue
        rate = rates.get((row.seniority, row.rate)) or rates.add(row.seniority, row.rate)
        if under_budget and rate.within_budget is False:
            continue
        answer = polls.get(row.id) if polls else None
        avail_pts = shares[n_days - mask.bit_count()] if mask else shares[n_days]
        if answer == "no":
            avail_pts = 0.0
        elif answer == "maybe":
            avail_pts *= MAYBE_SHARE
        collab_pts = _collaboration_points(row, recency) if row.missions else NEWCOMER_POINTS
        skill_pts = level_points * row.level
        points = (skill_pts, avail_pts, collab_pts, rate.points)
        score = round(skill_pts + avail_pts + collab_pts + rate.points, 1)
        # tuple.__new__ is what Scored._make does, without a Python call per candidate.
        out.append(_new(Scored, (-score, row.name, row.id, row, points, mask, answer, rate)))
    return out


_new = tuple.__new__


def best_first(scored: list[Scored], top: int | None = None) -> list[Scored]:
    """The scored candidates in rank order, the first ``top`` only (all when ``top`` is None)."""
    scored.sort()
    return scored[:top] if top else scored


def _params(query: RoleQuery) -> dict[str, Any]:
    return {"skill": query.skill_id, "level": query.level, "start": query.start, "end": query.end}


class _BusyDays:
    """Which working days of a request a set of busy periods covers, as a bit mask, computed
    once per set; and the availability points of each number of free days."""

    def __init__(self, days: tuple[str, ...]) -> None:
        self.days = list(days)
        self.masks: dict[str, int] = {}
        n_days, weight = len(days), WEIGHTS.availability
        self.shares = [weight * n / n_days for n in range(n_days + 1)] if n_days else [weight]

    def add(self, packed: str) -> int:
        """The mask of "2026-12-012026-12-04,..." (group_concat of start || end)."""
        days, mask = self.days, 0
        for period in packed.split(","):
            first, last = bisect_left(days, period[:10]), bisect_right(days, period[10:20])
            mask |= (1 << last) - (1 << first)
        self.masks[packed] = mask
        return mask


class _RatePoints(dict):
    """The :class:`RateFacts` of each (seniority, rate) of a request: rates are round numbers,
    so a few hundred pairs cover every candidate."""

    def __init__(self, query: RoleQuery) -> None:
        super().__init__()
        self.budget = query.budget
        self.benches = query.benches

    def add(self, seniority: str, rate: int | None) -> RateFacts:
        budget = self.budget
        within = None if budget is None or rate is None else rate <= budget
        position = _position(rate, self.benches.get(seniority) or NO_BENCH)
        if rate is None:
            points = UNKNOWN_RATE_POINTS
        else:
            if within is False:
                budget_pts = max(0.0, BUDGET_POINTS - OVER_BUDGET_SLOPE * (rate - budget) / budget)
            else:
                budget_pts = BUDGET_POINTS
            points = budget_pts + POSITION_POINTS.get(position, NO_POSITION_POINTS)
        facts = self[seniority, rate] = RateFacts(within, position, points)
        return facts


class _Recency(dict):
    """The recency points of the end of a last mission (candidates share end dates)."""

    def __init__(self, day0: dt.date) -> None:
        super().__init__()
        self.day0 = day0

    def __missing__(self, last_end: str | None) -> float:
        age = (self.day0 - dt.date.fromisoformat(last_end)).days if last_end else NEVER_DAYS
        points = self[last_end] = RECENCY_POINTS * max(0.0, 1 - max(age, 0) / RECENCY_DAYS)
        return points


def _collaboration_points(row: ScoreRow, recency: _Recency) -> float:
    """Rating, would-rehire answers, number and recency of past missions, up to the weight."""
    yes, maybe, no = row.rehire_yes or 0, row.rehire_maybe or 0, row.rehire_no or 0
    rating = row.rating_avg
    rating_pts = RATING_POINTS_PER_STAR * (rating - 1) if rating is not None else UNRATED_POINTS
    if row.notes:
        rehire_pts = (REHIRE_YES_POINTS * (yes + 0.5 * maybe) - REHIRE_NO_POINTS * no) / row.notes
    else:
        rehire_pts = NO_NOTE_REHIRE_POINTS
    count_pts = min(row.missions, MISSIONS_COUNTED)
    total = rating_pts + rehire_pts + count_pts + recency[row.last_end]
    return max(0.0, min(WEIGHTS.collaboration, total))
