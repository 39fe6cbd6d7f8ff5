"""Scoring: every candidate of a role, in numbers (the words are :mod:`.matching`'s job).

A role is scored with one set-based query (:data:`SCORE_SQL`): the freelancers with the skill
(``idx_freelancer_skills_skill``), their busy periods over the request's dates (the
``(freelancer_id, start_date, end_date)`` indexes of missions and unavailability) and their
collaboration part (from ``collaboration_stats``, kept exact by triggers). Only what the score
needs is read; what only the words need (:class:`Details`) is read for the candidates shown.

The score (0-100) adds four parts, whose most points are :data:`WEIGHTS`:

* skill, up to 30: the level in the role's skill (level / 5);
* availability, up to 25: the share of the request's working days that are free (a "no" to
  this request's poll counts as not available, a "maybe" as 80 %);
* collaboration, up to 25: average collaboration-note rating, would-rehire answers, number of
  past missions and how recent the last one is (a newcomer gets a neutral 8); computed by
  SQLite where the record is read (:data:`_COLLABORATION_SQL`), which costs less than
  carrying the record of every candidate into Python;
* rate, up to 20: within the budget (role or request maximum) and where the rate stands in the
  agency's benchmark for the skill and the freelancer's seniority.

What is the same for every candidate of a request (its working days, budget, poll answers,
rate benchmarks) is gathered once in a :class:`RoleQuery`; what many candidates share (a rate
and seniority, a set of busy periods) is computed once per request.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from operator import itemgetter
from typing import Any, NamedTuple

import sqlite_utils

from ..models.enums import OPEN_MISSIONS_SQL, RANKED_SQL
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
    f"WHERE fs.skill_id = :skill AND fs.level >= :level AND f.status IN {RANKED_SQL} "
    "AND f.opted_out_at IS NULL"
)
_MISSIONS_OVERLAP = (
    "FROM missions m WHERE m.freelancer_id = f.id AND m.start_date <= :end "
    f"AND m.end_date >= :start AND m.status IN {OPEN_MISSIONS_SQL}"
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

#: The collaboration part of a freelancer with a record ``s``: rating points (per star above
#: 1/5, or unrated) + would-rehire points (averaged over the notes, or no note) + a point per
#: past mission (up to a count) + recency points (falling to nothing after RECENCY_DAYS since
#: the last mission ended), within 0 and its weight; a newcomer's otherwise. Every number is a
#: bound parameter (:data:`_COLLABORATION_PARAMS`); the arithmetic is that of Python floats,
#: in the same order.
_COLLABORATION_SQL = (
    "CASE WHEN s.missions THEN max(0.0, min(:collaboration_max, "
    "coalesce(:per_star * (s.rating_avg - 1), :unrated) "
    "+ CASE WHEN s.notes THEN (:yes_points * (s.rehire_yes + 0.5 * s.rehire_maybe) "
    "- :no_points * s.rehire_no) / s.notes ELSE :no_note END "
    "+ min(s.missions, :missions_counted) "
    "+ :recency * max(0.0, 1 - max(coalesce(:today_jd - julianday(s.last_end), :never), 0) "
    "/ :recency_days))) ELSE :newcomer END"
)
_COLLABORATION_PARAMS = {
    "collaboration_max": WEIGHTS.collaboration,
    "per_star": RATING_POINTS_PER_STAR,
    "unrated": UNRATED_POINTS,
    "yes_points": REHIRE_YES_POINTS,
    "no_points": REHIRE_NO_POINTS,
    "no_note": NO_NOTE_REHIRE_POINTS,
    "missions_counted": MISSIONS_COUNTED,
    "recency": RECENCY_POINTS,
    "never": NEVER_DAYS,
    "recency_days": float(RECENCY_DAYS),  # a float: SQLite divides integers as integers
    "newcomer": NEWCOMER_POINTS,
}


class ScoreRow(NamedTuple):
    """What the score of one candidate is made of, as read by :data:`SCORE_SQL`."""

    id: int
    level: int
    seniority: str
    rate: int | None
    #: Busy periods within the request's dates (missions, then unavailability), as
    #: "startend" pairs joined by commas, or None.
    busy_periods: str | None
    collaboration: float  # the collaboration part of the score


class Details(NamedTuple):
    """What only the words need, read for the candidates shown (see :mod:`.matching`)."""

    id: int
    name: str
    headline: str | None
    city: str | None
    confirmed_at: str | None  # availability confirmed (timestamp, and by whom)
    confirmed_by: str | None
    #: The collaboration record; ``missions`` is None (or 0) for a freelancer never hired.
    missions: int | None
    last_end: str | None
    rating_avg: float | None
    notes: int | None
    rehire_yes: int | None
    rehire_no: int | None


#: A :class:`ScoreRow` followed by the :class:`Details` (but the id) of the same candidate,
#: read in one go when every candidate is explained (``score_role(details=True)``).
ScoreDetailRow = NamedTuple(  # type: ignore[misc]
    "ScoreDetailRow",
    [*ScoreRow.__annotations__.items(), *list(Details.__annotations__.items())[1:]],
)

_SCORE_COLUMNS = {
    "id": "f.id",
    "level": "fs.level",
    "seniority": "f.seniority",
    "rate": "f.daily_rate",
    # Clipped to the request's dates: candidates share far more clipped periods than periods.
    "busy_periods": "(SELECT group_concat(p) FROM ("
    "SELECT max(m.start_date, :start) || min(m.end_date, :end) AS p "
    + _MISSIONS_OVERLAP
    + " UNION ALL SELECT max(u.start_date, :start) || min(u.end_date, :end) "
    + _UNAVAILABLE_OVERLAP
    + "))",
    "collaboration": _COLLABORATION_SQL,
}
_DETAIL_COLUMNS = {
    "id": "f.id",
    "name": "f.name",
    "headline": "f.headline",
    "city": "f.city",
    "confirmed_at": "f.availability_confirmed_at",
    "confirmed_by": "f.availability_confirmed_by",
    "missions": "s.missions",
    "last_end": "s.last_end",
    "rating_avg": "s.rating_avg",
    "notes": "s.notes",
    "rehire_yes": "s.rehire_yes",
    "rehire_no": "s.rehire_no",
}
_DETAIL_ONLY = {name: expr for name, expr in _DETAIL_COLUMNS.items() if name != "id"}
assert tuple(_SCORE_COLUMNS) == ScoreRow._fields
assert tuple(_DETAIL_COLUMNS) == Details._fields
assert tuple(_SCORE_COLUMNS | _DETAIL_ONLY) == ScoreDetailRow._fields
_STATS_JOIN = " LEFT JOIN collaboration_stats s ON s.freelancer_id = f.id "
_SCORED_FROM = _SKILLED_FROM.replace(" WHERE ", _STATS_JOIN + "WHERE ", 1)


def _select(columns: dict[str, str]) -> str:
    return "SELECT " + ", ".join(f"{expr} AS {name}" for name, expr in columns.items()) + " "


#: The one query of a ranking, one :class:`ScoreRow` per candidate...
SCORE_SQL = _select(_SCORE_COLUMNS) + _SCORED_FROM
#: ... or one :class:`ScoreDetailRow`, when every candidate is explained.
SCORE_DETAILS_SQL = _select(_SCORE_COLUMNS | _DETAIL_ONLY) + _SCORED_FROM
#: The :class:`Details` of some freelancers (``marks``: one ? per id).
DETAILS_SQL = (
    _select(_DETAIL_COLUMNS) + "FROM freelancers f" + _STATS_JOIN + "WHERE f.id IN ({marks})"
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

    def params(self) -> dict[str, Any]:
        """The parameters of :data:`SCORE_SQL`."""
        return {
            "skill": self.skill_id,
            "level": self.level,
            "start": self.start,
            "end": self.end,
            # SQLite's julianday() of day0 at midnight, exactly.
            "today_jd": self.day0.toordinal() + 1721424.5,
        } | _COLLABORATION_PARAMS


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
    """One candidate's score: its parts, and the score shown and ranked by (their total
    rounded to 0.1, see :func:`best_first`)."""

    neg_score: float  # negated: sorting puts the best first
    id: int
    row: ScoreRow  # or a ScoreDetailRow
    skill: float
    availability: float
    busy_mask: int  # bit i set: the request's working day i is busy
    answer: str | None  # to this request's poll
    rate: RateFacts  # its points are the rate part

    @property
    def score(self) -> float:
        return -self.neg_score


def score_role(
    conn: Any,
    query: RoleQuery,
    *,
    free_only: bool = False,
    under_budget: bool = False,
    details: bool = False,
) -> list[Scored]:
    """Every candidate of the role, scored, in no particular order (see :func:`best_first`).

    ``free_only`` keeps the fully free; ``under_budget`` those whose known rate is within the
    budget; ``details`` reads the details of every candidate with its score. Written for
    speed (every candidate of a skill goes through this loop): what candidates share is
    computed once (:class:`_BusyDays`, :class:`_RatePoints`) and looked up.
    """
    sql, make_row = (SCORE_DETAILS_SQL, _detail_row) if details else (SCORE_SQL, _score_row)
    rows = conn.execute(sql, query.params()).fetchall()
    busy_days, rates = _BusyDays(query.days), _RatePoints(query)
    masks, n_days, shares = busy_days.masks, len(query.days), busy_days.shares
    level_points, polls = WEIGHTS.level / MAX_LEVEL, query.polls
    out: list[Scored] = []
    append = out.append
    for row in map(make_row, rows):
        packed = row.busy_periods
        mask = masks.get(packed, -1) if packed else 0
        if mask < 0:
            mask = busy_days.add(packed)
        if free_only and mask:
            continue
        rate = rates.get((row.seniority, row.rate)) or rates.add(row.seniority, row.rate)
        if under_budget and rate.within_budget is False:
            continue
        answer = polls.get(row.id) if polls else None
        avail = shares[n_days - mask.bit_count()]
        if answer == "no":
            avail = 0.0
        elif answer == "maybe":
            avail *= MAYBE_SHARE
        skill = level_points * row.level
        neg_score = round(-(skill + avail + row.collaboration + rate.points), 1)
        append(_new(Scored, (neg_score, row.id, row, skill, avail, mask, answer, rate)))
    return out


# What ScoreRow._make and Scored._make do, without a Python call per candidate.
_new = tuple.__new__
_score_row = partial(_new, ScoreRow)
_detail_row = partial(_new, ScoreDetailRow)


def best_first(scored: list[Scored], top: int | None = None) -> list[Scored]:
    """The candidates that make the ``top`` (all when ``top`` is None): the ``top`` best
    scores and those tied with the last of them.

    Not in their final order: candidates are ranked by score, then name, then id, and names
    are read for these candidates only (see :func:`fmstoolkit.planning.matching`).
    """
    if not top or top >= len(scored):
        return scored
    scored.sort(key=itemgetter(0))  # best score first
    end, last = top, scored[top - 1].neg_score
    while end < len(scored) and scored[end].neg_score == last:
        end += 1
    return scored[:end]


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
        facts = self[seniority, rate] = _new(RateFacts, (within, position, points))
        return facts
