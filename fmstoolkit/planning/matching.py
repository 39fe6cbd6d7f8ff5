"""Matching: ranking the freelancers who could fill a role, with the reasons in words.

Two steps. **Scoring** (:mod:`.scoring`) reads every candidate of the role with one set-based
query and gives each its four score components and total, in numbers only. **Explaining**
(here) sorts them and writes the sentence of reasons for the candidates shown only (``top``):
their headline, city and availability confirmation are read then, for those candidates, and
the words are built from the same facts as the points. ``top=None`` explains them all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import lru_cache, partial
from operator import attrgetter
from typing import Any, NamedTuple

import sqlite_utils

from ..errors import InvalidState, NotFound
from ..i18n import N_, _, format_date, format_money, format_number, ngettext
from ._common import STALE_DAYS, _date, _lang, _seniority_word, _today
from .free_busy import _status_of
from .rates import _POSITION_TEXTS
from .requests import get_request
from .scoring import (
    AVAILABLE_SQL,
    DETAILS_SQL,
    NEVER_DAYS,
    NO_BENCH,
    Details,
    RoleQuery,
    Scored,
    ScoreDetailRow,
    best_first,
    role_query,
    score_role,
)

__all__ = ["AVAILABLE_SQL", "Candidate", "rank_candidates", "rank_roles"]


class Candidate(NamedTuple):
    """One freelancer ranked for one role of a request, with the reasons for the rank.

    A NamedTuple, made by the ranking only: immutable, and built in one call.
    """

    freelancer_id: int
    name: str
    score: float
    rate: int | None
    availability: str  # free | partial | busy
    explanation: str
    reasons: tuple[str, ...]
    level: int
    seniority: str
    headline: str | None
    city: str | None
    role_id: int | None
    #: Tuples, which candidates with the same busy days share.
    free_days: tuple[str, ...]
    busy_days: tuple[str, ...]
    missions: int
    avg_rating: float | None
    would_rehire: str | None
    last_mission_end: str | None
    within_budget: bool | None
    rate_position: str | None
    confirmed_at: str | None
    confirmed_by: str | None
    freshness_days: int | None
    freshness: str
    poll_answer: str | None
    components: dict[str, float]  # the four parts of the score, each rounded to 0.1

    def as_dict(self) -> dict[str, Any]:
        """The fields by name (a copy: changing it leaves the candidate as it was)."""
        out = self._asdict()
        out["components"] = dict(self.components)
        return out


_new = tuple.__new__  # what Candidate._make does, without a Python call per candidate


def _pick_role(req: Mapping[str, Any], role_id: int | None) -> dict[str, Any]:
    roles = req["roles"]
    if not roles:
        raise InvalidState("Request #{id} has no role to staff.", id=req["id"])
    if role_id is None:
        return next((r for r in roles if not r["filled"]), roles[0])
    for role in roles:
        if role["id"] == role_id:
            return role
    raise NotFound(
        "Request #{id} has no role #{role}.",
        field="role",
        id=req["id"],
        role=role_id,
    )


def rank_candidates(
    db: sqlite_utils.Database,
    request_id: int,
    *,
    role_id: int | None = None,
    top: int | None = None,
    today: dt.date | str | None = None,
    min_level: int | None = None,
    free_only: bool = False,
    under_budget: bool = False,
    lang: str | None = None,
) -> list[Candidate]:
    """The freelancers who could fill a role of a request, best first, each with its reasons.

    The score (0-100) adds skill (up to 30), availability (25), past collaboration (25) and
    daily rate (20): see :mod:`fmstoolkit.planning.scoring` for every point. Ties go by name.

    Opted-out, inactive and forgotten freelancers never appear. ``role_id`` defaults to the
    first unfilled role. ``min_level`` raises the role's minimum; ``free_only`` keeps the fully
    free; ``under_budget`` keeps those whose known rate is within the budget. Only the first
    ``top`` are returned and explained (all when None).
    """
    lang = _lang(lang)
    req = get_request(db, request_id, lang=lang)
    role = _pick_role(req, role_id)
    query = role_query(db, req, role, day0=_today(today), min_level=min_level)
    # Explaining every candidate: their details are read with their scores.
    scored = score_role(
        db.conn, query, free_only=free_only, under_budget=under_budget, details=not top
    )
    shown = best_first(scored, top)
    if not shown:
        return []
    explain = _Explainer(query, role, lang).explain  # a bound method: the cheapest call
    # Best score first, then by name, then by id.
    if top:  # the details (and names, to break ties) of these candidates only
        details = _details(db.conn, [s.id for s in shown])
        shown.sort(key=lambda s: (s.neg_score, details[s.id].name, s.id))
        return [explain(s, details[s.id]) for s in shown[:top]]
    # Every candidate: its details were read with its score (a ScoreDetailRow). Stable sorts,
    # the last key first: no key tuple made per candidate.
    shown.sort(key=_ID)
    shown.sort(key=_NAME)
    shown.sort(key=_NEG_SCORE)
    return [explain(s, s.row) for s in shown]


_ID, _NAME, _NEG_SCORE = attrgetter("id"), attrgetter("row.name"), attrgetter("neg_score")


def rank_roles(
    db: sqlite_utils.Database,
    request_id: int,
    *,
    top: int | None = None,
    today: dt.date | str | None = None,
    lang: str | None = None,
) -> dict[int, list[Candidate]]:
    """The ranked candidates of every role of a request, by role id."""
    req = get_request(db, request_id)
    return {
        r["id"]: rank_candidates(db, request_id, role_id=r["id"], top=top, today=today, lang=lang)
        for r in req["roles"]
    }


# --- explaining: the candidates shown ------------------------------------------------------------


_DETAILS_CHUNK = 900  # ids per query: under every SQLite's limit of bound parameters


def _details(conn: Any, ids: list[int]) -> dict[int, Details]:
    """The :class:`Details` of the freelancers ``ids``, by id."""
    out: dict[int, Details] = {}
    for i in range(0, len(ids), _DETAILS_CHUNK):
        chunk = ids[i : i + _DETAILS_CHUNK]
        cursor = conn.execute(DETAILS_SQL.format(marks=",".join("?" * len(chunk))), chunk)
        out.update((d.id, d) for d in map(Details._make, cursor))
    return out


_ANSWER_WORDS = {
    "no": N_("answered no to this request"),
    "yes": N_("answered yes to this request"),
    "maybe": N_("answered maybe to this request"),
}
_NEVER_HIRED = N_("no past mission with the agency")
#: What separates the reasons of an explanation (French puts a space before a semicolon).
_SEPARATOR = N_("; ")


#: The fields :meth:`_Explainer.explain` unpacks from the end of a Details or a ScoreDetailRow.
_RECORD = (
    "name headline city confirmed_at confirmed_by missions last_end rating_avg notes rehire_yes "
    "rehire_no"
).split()
assert list(Details._fields[-len(_RECORD) :]) == _RECORD
assert list(ScoreDetailRow._fields[-len(_RECORD) :]) == _RECORD


class _Explainer:
    """Turns a :class:`Scored` candidate of one role into a :class:`Candidate` with its words.

    Words that candidates share (a level, a set of busy days, a rate and seniority) are
    written once per request."""

    def __init__(self, query: RoleQuery, role: Mapping[str, Any], lang: str) -> None:
        self.query, self.lang, self.day0 = query, lang, query.day0
        self.role_id, self.label = role["id"], role["skill_label"]
        self.separator = _(_SEPARATOR, lang)
        self.answers = {a: _(words, lang) for a, words in _ANSWER_WORDS.items()}
        self.never_hired = _(_NEVER_HIRED, lang)
        self.levels: dict[int, tuple[str, str, float]] = {}
        self.days: dict[int, tuple[tuple[str, ...], tuple[str, ...], str, str]] = {}
        self.rates: dict[tuple[str, int | None], tuple[str, float]] = {}
        self.rounded: dict[float, float] = {}  # round(x, 1) of availability points
        self.bits = [1 << i for i in range(len(query.days))]  # working day i of a busy mask

    def explain(self, s: Scored, info: Details | ScoreDetailRow) -> Candidate:
        # Unpacked once, in the order of the NamedTuples (checked by _RECORD): reading
        # each field by its attribute costs more than writing the words.
        neg_score, fid, row, skill_points, availability_points, mask, answer_key, rate = s
        (
            *_,
            name,
            headline,
            city,
            confirmed_at,
            confirmed_by,
            missions,
            last_end,
            rating_avg,
            notes,
            rehire_yes,
            rehire_no,
        ) = info
        level_value, seniority, rate_value, lang = row.level, row.seniority, row.rate, self.lang
        level, capitalized, skill = self.levels.get(level_value) or self.add_level(
            level_value, skill_points
        )
        free, busy, status, availability = self.days.get(mask) or self.add_days(mask)
        rate_words, rate_points = self.rates.get((seniority, rate_value)) or self.add_rate(s)
        fresh_days, fresh, fresh_end = _freshness(confirmed_at, confirmed_by, self.day0, lang)
        if missions:  # past missions and their rating, would-rehire answers, the last one
            history, rating = _missions_words(lang, missions, rating_avg)
            if notes and (rehire_no or rehire_yes):
                history += _rehire_words(lang, notes, rehire_yes, rehire_no)
            history += _last_mission_words(lang, last_end, self.day0)
            rehire = ("no" if rehire_no else ("yes" if rehire_yes else "maybe")) if notes else None
        else:
            history, rating, rehire, last_end = self.never_hired, None, None, None
        answer = self.answers.get(answer_key)
        if answer:
            reasons = (level, availability, answer, history, rate_words, fresh)
            words = (capitalized, availability, answer, history, rate_words, fresh_end)
        else:
            reasons = (level, availability, history, rate_words, fresh)
            words = (capitalized, availability, history, rate_words, fresh_end)
        availability_pts = self.rounded.get(availability_points)
        if availability_pts is None:
            availability_pts = self.round(availability_points)
        # In the order of Candidate's fields, made as a tuple is (NamedTuple's __new__ takes
        # its 26 arguments by name, in Python).
        return _new(
            Candidate,
            (
                fid,  # freelancer_id
                name,  # name
                -neg_score,  # score
                rate_value,  # rate
                status,  # availability
                self.separator.join(words),  # explanation
                reasons,  # reasons
                level_value,  # level
                seniority,  # seniority
                headline,  # headline
                city,  # city
                self.role_id,  # role_id
                free,  # free_days
                busy,  # busy_days
                missions or 0,  # missions
                rating,  # avg_rating
                rehire,  # would_rehire
                last_end,  # last_mission_end
                rate.within_budget,  # within_budget
                rate.position,  # rate_position
                confirmed_at,  # confirmed_at
                confirmed_by,  # confirmed_by
                fresh_days,  # freshness_days
                fresh,  # freshness
                answer_key,  # poll_answer
                {  # components: the four parts of the score, each rounded to 0.1
                    "skill": skill,
                    "availability": availability_pts,
                    "collaboration": round(row.collaboration, 1),
                    "rate": rate_points,
                },
            ),
        )

    def round(self, points: float) -> float:
        """``round(points, 1)``, for the availability points many candidates share."""
        found = self.rounded[points] = round(points, 1)
        return found

    def add_level(self, level: int, points: float) -> tuple[str, str, float]:
        """The level in the skill, in words, the same capitalized (a sentence starts so) and
        its points rounded."""
        words = _level_words(self.lang, level, self.label)
        found = self.levels[level] = (words, words[0].upper() + words[1:], round(points, 1))
        return found

    def add_days(self, mask: int) -> tuple[tuple[str, ...], tuple[str, ...], str, str]:
        """The free days, the busy days, free | partial | busy and the same in words, of a mask
        of busy days."""
        days, bits = self.query.days, self.bits
        first, end = (mask & -mask).bit_length() - 1, mask.bit_length()
        if mask and mask == (1 << end) - (1 << first):  # one run of busy days: two slices
            busy, free = days[first:end], days[:first] + days[end:]
        elif mask:
            busy = tuple([d for d, bit in zip(days, bits, strict=True) if mask & bit])
            free = tuple([d for d, bit in zip(days, bits, strict=True) if not mask & bit])
        else:
            busy, free = (), days
        words = _availability_words(self.lang, len(days), len(free), busy[:4])
        found = self.days[mask] = (free, busy, _status_of(free, busy), words)
        return found

    def add_rate(self, s: Scored) -> tuple[str, float]:
        """The rate against the budget and the benchmark, in words, and its points rounded."""
        row, rate, query = s.row, s.rate, self.query
        median = (query.benches.get(row.seniority) or NO_BENCH).get("median")
        words = _rate_words(
            self.lang,
            row.rate,
            query.budget,
            rate.within_budget,
            rate.position,
            row.seniority,
            median,
        )
        found = self.rates[row.seniority, row.rate] = (words, round(rate.points, 1))
        return found


@lru_cache(maxsize=4096)
def _missions_words(lang: str, n_missions: int, rating: float | None) -> tuple[str, float | None]:
    """The number of past missions and their average rating, in words, and that rating
    rounded."""
    words = ngettext("{n} past mission", "{n} past missions", n_missions, lang).format(n=n_missions)
    if rating is None:
        return words, None
    words += ngettext(" rated {rating}/5", " rated {rating}/5", n_missions, lang).format(
        rating=format_number(rating, lang)
    )
    return words, round(rating, 2) if rating else None


@lru_cache(maxsize=1024)
def _rehire_words(lang: str, n_notes: int, yes: int, no: int) -> str:
    """The would-rehire answers of the notes, when one says yes or no (a "no" comes first)."""
    if no:
        return ngettext(
            ", would not rehire ({n} of {notes} notes)",
            ", would not rehire ({n} of {notes} notes)",
            no,
            lang,
        ).format(n=no, notes=n_notes)
    return ngettext(
        ", would rehire ({n} of {notes} notes)",
        ", would rehire ({n} of {notes} notes)",
        yes,
        lang,
    ).format(n=yes, notes=n_notes)


@lru_cache(maxsize=1024)
def _last_mission_words(lang: str, last_end: str | None, day0: dt.date) -> str:
    """How long ago the last mission ended, or until when it goes on."""
    if last_end and last_end >= day0.isoformat():
        return _(", on a mission until {day}", lang).format(day=format_date(last_end, lang))
    ago = _ago((day0 - _date(last_end)).days if last_end else NEVER_DAYS, lang)
    return _(", last ended {ago}", lang).format(ago=ago)


def _ago(days: int, lang: str) -> str:
    if days <= 0:
        return _("today", lang)
    if days == 1:
        return _("yesterday", lang)
    if days < 60:
        return _("{n} days ago", lang).format(n=days)
    months = round(days / 30.4)
    if months < 24:
        return _("{n} months ago", lang).format(n=months)
    return _("{n} years ago", lang).format(n=days // 365)


#: Who confirmed an availability, in words.
_CONFIRMED_BY = {
    "answer": N_("by their answer"),
    "declared": N_("by a declared period"),
    "manager": N_("by a manager"),
    "import": N_("by an import"),
}


@lru_cache(maxsize=8192)
def _freshness(
    confirmed_at: str | None, by: str | None, today: dt.date, lang: str
) -> tuple[int | None, str, str]:
    """How fresh a confirmed availability is, in days and in words (and the same words ending
    a sentence: they come last in an explanation). Cached: candidates share a few hundred
    (date, source) pairs, and ranking explains hundreds of them per request."""
    if not confirmed_at:
        text = _("availability never confirmed", lang)
        return None, text, text + "."
    days = (today - _date(confirmed_at)).days
    how = _(_CONFIRMED_BY[by], lang) if by in _CONFIRMED_BY else ""
    when = _ago(days, lang)
    if days > STALE_DAYS:
        text = _("availability stale: last confirmed {when}", lang).format(when=when)
    else:
        text = _("availability confirmed {when}", lang).format(when=when)
    text = f"{text} {how}".strip()
    return days, text, text + "."


def availability_freshness(
    confirmed_at: str | None, by: str | None, today: dt.date, lang: str
) -> str:
    """How fresh a freelancer's confirmed availability is, in words ("availability confirmed 3
    days ago by their answer"), as the candidates' explanations say it."""
    return _freshness(confirmed_at, by, today, lang)[1]


@lru_cache(maxsize=512)
def _level_words(lang: str, lvl: int, label: str) -> str:
    return _("level {level}/5 in {skill}", lang).format(level=lvl, skill=label)


@lru_cache(maxsize=4096)
def _availability_words(lang: str, n_days: int, n_free: int, busy: tuple[str, ...]) -> str:
    """Free, partly free (the first busy days shown) or busy, in words. ``busy`` holds at most
    four busy days: three are shown, a fourth means "and more"."""
    if not busy:
        return _("free on all {n} working days", lang).format(n=n_days)
    if n_free:
        shown = ", ".join(format_date(d, lang) for d in busy[:3]) + ("…" if len(busy) > 3 else "")
        return _("free {free} of {n} working days (busy {days})", lang).format(
            free=n_free, n=n_days, days=shown
        )
    return _("busy on every working day of the request", lang)


@lru_cache(maxsize=4096)
def _rate_words(
    lang: str,
    rate: int | None,
    budget: int | None,
    within: bool | None,
    pos: str | None,
    seniority: str,
    median: float | None,
) -> str:
    """The rate against the budget and the agency's benchmark, in words. Cached: rates are
    round numbers, so a few hundred combinations cover every candidate of a request."""
    if rate is None:
        return _("daily rate unknown", lang)
    money = partial(format_money, lang=lang)
    if budget is None:
        words = _("{rate}/day", lang).format(rate=money(rate))
    elif within:
        words = _("{rate}/day, within the {budget} budget", lang).format(
            rate=money(rate), budget=money(budget)
        )
    else:
        words = _("{rate}/day, {over} over the {budget} budget", lang).format(
            rate=money(rate), over=money(rate - budget), budget=money(budget)
        )
    if pos:
        words += _(", {position} for a {seniority} profile (median {median})", lang).format(
            position=_(_POSITION_TEXTS[pos], lang),
            seniority=_seniority_word(seniority, lang),
            median=money(median),
        )
    return words
