"""Matching: ranking the freelancers who could fill a role, with the reasons in words.

Two steps. **Scoring** (:mod:`.scoring`) reads every candidate of the role with one set-based
query and gives each its four score components and total, in numbers only. **Explaining**
(here) sorts them and writes the sentence of reasons for the candidates shown only (``top``):
their headline, city and availability confirmation are read then, for those candidates, and
the words are built from the same facts as the points. ``top=None`` explains them all.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

import sqlite_utils

from ..errors import InvalidState, NotFound
from ._common import STALE_DAYS, _date, _fmt_date, _lang, _seniority_word, _t, _today
from .free_busy import _status_of
from .rates import _POSITION_WORDS
from .requests import get_request
from .scoring import (
    AVAILABLE_SQL,
    COMPONENTS,
    NEVER_DAYS,
    NO_BENCH,
    RoleQuery,
    Scored,
    ScoreRow,
    best_first,
    role_query,
    score_role,
)

__all__ = ["AVAILABLE_SQL", "Candidate", "rank_candidates", "rank_roles"]


@dataclass
class Candidate:
    """One freelancer ranked for one role of a request, with the reasons for the rank."""

    freelancer_id: int
    name: str
    score: float
    rate: int | None
    availability: str  # free | partial | busy
    explanation: str
    reasons: list[str] = field(default_factory=list)
    level: int = 0
    seniority: str = "confirmed"
    headline: str | None = None
    city: str | None = None
    role_id: int | None = None
    free_days: list[str] = field(default_factory=list)
    busy_days: list[str] = field(default_factory=list)
    missions: int = 0
    avg_rating: float | None = None
    would_rehire: str | None = None
    last_mission_end: str | None = None
    within_budget: bool | None = None
    rate_position: str | None = None
    confirmed_at: str | None = None
    confirmed_by: str | None = None
    freshness_days: int | None = None
    freshness: str = ""
    poll_answer: str | None = None
    components: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _pick_role(req: Mapping[str, Any], role_id: int | None) -> dict[str, Any]:
    roles = req["roles"]
    if not roles:
        raise InvalidState(
            "Request #{id} has no role to staff.",
            "La demande n° {id} n'a aucun rôle.",
            id=req["id"],
        )
    if role_id is None:
        return next((r for r in roles if not r["filled"]), roles[0])
    for role in roles:
        if role["id"] == role_id:
            return role
    raise NotFound(
        "Request #{id} has no role #{role}.",
        "La demande n° {id} n'a pas de rôle n° {role}.",
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
    scored = score_role(db.conn, query, free_only=free_only, under_budget=under_budget)
    shown = best_first(scored, top)
    if not shown:
        return []
    explain = _Explainer(query, role, lang)
    details = _details(db.conn, [s.id for s in shown])
    return [explain(s, details[s.id]) for s in shown]


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


class _Details(NamedTuple):
    """What only the words need, read for the candidates shown."""

    id: int
    headline: str | None
    city: str | None
    confirmed_at: str | None
    confirmed_by: str | None


_DETAILS_SQL = (
    "SELECT id, headline, city, availability_confirmed_at AS confirmed_at, "
    "availability_confirmed_by AS confirmed_by FROM freelancers "
    "WHERE id IN (SELECT value FROM json_each(?))"
)


def _details(conn: Any, ids: list[int]) -> dict[int, _Details]:
    """The :class:`_Details` of the freelancers ``ids``, by id (one query, any number of ids)."""
    return {d.id: d for d in map(_Details._make, conn.execute(_DETAILS_SQL, [json.dumps(ids)]))}


_ANSWER_WORDS = {
    "no": ("answered no to this request", "a répondu non à cette demande"),
    "yes": ("answered yes to this request", "a répondu oui à cette demande"),
    "maybe": ("answered maybe to this request", "a répondu peut-être à cette demande"),
}


class _Explainer:
    """Turns a :class:`Scored` candidate of one role into a :class:`Candidate` with its words."""

    def __init__(self, query: RoleQuery, role: Mapping[str, Any], lang: str) -> None:
        self.query = query
        self.role_id = role["id"]
        self.label = role["skill_label"]
        self.lang = lang
        self.today = query.day0.isoformat()
        self.n_days = len(query.days)
        self.separator = _t(lang, "; ", " ; ")
        self.answers = {a: _t(lang, *words) for a, words in _ANSWER_WORDS.items()}

    def __call__(self, s: Scored, info: _Details) -> Candidate:
        row = s.row
        free, busy = s.free_and_busy(self.query.days)
        reasons = self.reasons(s, len(free), busy)
        fresh_days, fresh = _freshness(
            info.confirmed_at, info.confirmed_by, self.query.day0, self.lang
        )
        reasons.append(fresh)
        sentence = self.separator.join(reasons)
        hired = bool(row.missions)
        return Candidate(
            freelancer_id=row.id,
            name=row.name,
            score=s.score,
            rate=row.rate,
            availability=_status_of(free, busy),
            explanation=sentence[0].upper() + sentence[1:] + ".",
            reasons=reasons,
            level=row.level,
            seniority=row.seniority,
            headline=info.headline,
            city=info.city,
            role_id=self.role_id,
            free_days=free,
            busy_days=busy,
            missions=row.missions if hired else 0,
            avg_rating=round(row.rating_avg, 2) if hired and row.rating_avg else None,
            would_rehire=_would_rehire(row) if hired else None,
            last_mission_end=row.last_end if hired else None,
            within_budget=s.rate.within_budget,
            rate_position=s.rate.position,
            confirmed_at=info.confirmed_at,
            confirmed_by=info.confirmed_by,
            freshness_days=fresh_days,
            freshness=fresh,
            poll_answer=s.answer,
            components={name: round(p, 1) for name, p in zip(COMPONENTS, s.points, strict=True)},
        )

    def reasons(self, s: Scored, n_free: int, busy: list[str]) -> list[str]:
        """The facts behind the score, in words, in the order of its parts."""
        row, lang, query = s.row, self.lang, self.query
        reasons = [
            _level_words(lang, row.level, self.label),
            _availability_words(lang, self.n_days, n_free, tuple(busy[:4])),
        ]
        if s.answer in self.answers:
            reasons.append(self.answers[s.answer])
        reasons.append(self.history(row) if row.missions else _NEVER_HIRED[lang == "fr"])
        median = (query.benches.get(row.seniority) or NO_BENCH).get("median")
        reasons.append(
            _rate_words(
                lang,
                row.rate,
                query.budget,
                s.rate.within_budget,
                s.rate.position,
                row.seniority,
                median,
            )
        )
        return reasons

    def history(self, row: ScoreRow) -> str:
        """Past missions, their rating and the would-rehire answers, and the last mission."""
        lang, n_missions, n_notes = self.lang, row.missions, row.notes
        yes, no = row.rehire_yes or 0, row.rehire_no or 0
        plural = "s" if n_missions > 1 else ""
        if lang == "fr":
            words = f"{n_missions} mission{plural} passée{plural}"
        else:
            words = f"{n_missions} past mission{plural}"
        if row.rating_avg is not None:
            words += _t(
                lang, f" rated {row.rating_avg:.1f}/5", f" notée{plural} {row.rating_avg:.1f}/5"
            )
        if n_notes and no:
            words += _t(
                lang,
                f", would not rehire ({no} of {n_notes} notes)",
                f", à ne pas reprendre ({no} note{('s' if no > 1 else '')} sur {n_notes})",
            )
        elif n_notes and yes:
            words += _t(
                lang,
                f", would rehire ({yes} of {n_notes} notes)",
                f", à reprendre ({yes} note{('s' if yes > 1 else '')} sur {n_notes})",
            )
        last_end = row.last_end
        if last_end and last_end >= self.today:
            return words + _on_mission_until(last_end, lang)
        return words + _last_ended(last_end, self.query.day0, lang)


_NEVER_HIRED = ("no past mission with the agency", "aucune mission passée avec l'agence")


def _would_rehire(row: ScoreRow) -> str | None:
    if not row.notes:
        return None
    return "no" if row.rehire_no else ("yes" if row.rehire_yes else "maybe")


@lru_cache(maxsize=512)
def _on_mission_until(last_end: str, lang: str) -> str:
    return (
        f", en mission jusqu'au {_fmt_date(last_end, lang)}"
        if lang == "fr"
        else f", on a mission until {last_end}"
    )


def _ago(days: int, lang: str) -> str:
    if days <= 0:
        return "aujourd'hui" if lang == "fr" else "today"
    if days == 1:
        return "hier" if lang == "fr" else "yesterday"
    if days < 60:
        return f"il y a {days} jours" if lang == "fr" else f"{days} days ago"
    months = round(days / 30.4)
    if months < 24:
        return f"il y a {months} mois" if lang == "fr" else f"{months} months ago"
    return f"il y a {days // 365} ans" if lang == "fr" else f"{days // 365} years ago"


@lru_cache(maxsize=4096)
def _freshness(
    confirmed_at: str | None, by: str | None, today: dt.date, lang: str
) -> tuple[int | None, str]:
    """How fresh a confirmed availability is, in days and in words. Cached: candidates share
    a few hundred (date, source) pairs, and ranking explains hundreds of them per request."""
    if not confirmed_at:
        return (
            None,
            "disponibilité jamais confirmée" if lang == "fr" else "availability never confirmed",
        )
    days = (today - _date(confirmed_at)).days
    how = {
        "answer": "par sa réponse" if lang == "fr" else "by their answer",
        "declared": "par une période déclarée" if lang == "fr" else "by a declared period",
        "manager": "par un manager" if lang == "fr" else "by a manager",
        "import": "par un import" if lang == "fr" else "by an import",
    }.get(by or "", "")
    when = _ago(days, lang)
    if days > STALE_DAYS:
        text = (
            f"disponibilité ancienne : confirmée {when}"
            if lang == "fr"
            else f"availability stale: last confirmed {when}"
        )
    else:
        text = (
            f"disponibilité confirmée {when}" if lang == "fr" else f"availability confirmed {when}"
        )
    return (days, f"{text} {how}".strip())


@lru_cache(maxsize=4096)
def _last_ended(last_end: str | None, day0: dt.date, lang: str) -> str:
    ago = _ago((day0 - _date(last_end)).days if last_end else NEVER_DAYS, lang)
    return f", dernière finie {ago}" if lang == "fr" else f", last ended {ago}"


@lru_cache(maxsize=512)
def _level_words(lang: str, lvl: int, label: str) -> str:
    return f"niveau {lvl}/5 en {label}" if lang == "fr" else f"level {lvl}/5 in {label}"


@lru_cache(maxsize=4096)
def _availability_words(lang: str, n_days: int, n_free: int, busy: tuple[str, ...]) -> str:
    """Free, partly free (the first busy days shown) or busy, in words. ``busy`` holds at most
    four busy days: three are shown, a fourth means "and more"."""
    if not busy:
        return (
            f"libre les {n_days} jours ouvrés"
            if lang == "fr"
            else f"free on all {n_days} working days"
        )
    if n_free:
        shown = ", ".join(busy[:3]) + ("…" if len(busy) > 3 else "")
        return (
            f"libre {n_free} jours ouvrés sur {n_days} (occupé {shown})"
            if lang == "fr"
            else f"free {n_free} of {n_days} working days (busy {shown})"
        )
    return (
        "occupé tous les jours ouvrés de la demande"
        if lang == "fr"
        else "busy on every working day of the request"
    )


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
        return "tarif journalier inconnu" if lang == "fr" else "daily rate unknown"
    if budget is None:
        words = f"{rate} €/j" if lang == "fr" else f"{rate} €/day"
    elif within:
        words = (
            f"{rate} €/j, dans le budget de {budget} €"
            if lang == "fr"
            else f"{rate} €/day, within the {budget} € budget"
        )
    else:
        words = (
            f"{rate} €/j, {rate - budget} € au-dessus du budget de {budget} €"
            if lang == "fr"
            else f"{rate} €/day, {rate - budget} € over the {budget} € budget"
        )
    if pos:
        en, fr = _POSITION_WORDS[pos]
        words += (
            f", {fr} pour un profil {_seniority_word(seniority, lang)} (médiane {median:g} €)"
            if lang == "fr"
            else f", {en} for a {seniority} (median {median:g} €)"
        )
    return words
