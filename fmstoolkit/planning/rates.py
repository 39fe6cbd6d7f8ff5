"""The agency's rate benchmark: what it has paid per skill and seniority, and where a quote stands.

Rates are the daily rates of the skill's past missions (:data:`PAID_MISSIONS_WHERE`: not
cancelled, started by today), per seniority of the freelancer, cached on the ``Database`` object
until the database changes. :func:`quartiles` is the one definition of the rate quartiles: the
ranking, ``fms benchmark-rate``, the notebook chart and the published ``rate_benchmarks`` table
(:mod:`fmstoolkit.publish`) all call it. ``rate_position`` puts a quoted rate in words (below,
low, typical, high, above) and the matching score uses the same positions.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections.abc import Mapping, Sequence
from typing import Any

import sqlite_utils

from ..errors import InvalidInput, Problem
from ..i18n import N_, _, format_money, ngettext
from ..models import invalid
from ._common import (
    SENIORITIES,
    _lang,
    _positive_int,
    _seniority_word,
    _skill,
    _skill_label,
    _today,
)

#: Which missions' daily rates count as "paid" (SQL over ``missions m``, parameter ``:today``):
#: not cancelled, started on or before the day. Planning and publishing both filter with it, so
#: ``fms benchmark-rate`` and Datasette's ``rate_benchmarks`` count the same missions.
PAID_MISSIONS_WHERE = "m.status != 'cancelled' AND m.start_date <= :today"


def quartiles(values: Sequence[float]) -> tuple[float, float, float]:
    """The first quartile, median and third quartile of ``values`` (in any order).

    Definition: the *inclusive* method of :func:`statistics.quantiles` (``method="inclusive"``,
    the same as numpy's and pandas' default "linear" and Excel's ``QUARTILE.INC``): the values
    are sorted and quartile k sits at position ``k * (n - 1) / 4``, interpolating linearly
    between the two neighbouring rates. Why: the agency's samples are small (a handful of
    missions per skill and seniority), where the minimum and maximum paid are real bounds of
    what a quote can be compared with; the inclusive method stays between them and moves
    smoothly as missions are added, whereas nearest rank jumps from one rate to the next and the
    exclusive method extrapolates beyond the rates actually paid. The values are not rounded:
    for whole-euro rates they are multiples of a quarter euro, exact in floating point, so every
    caller shows and stores the same numbers. A single rate is its own three quartiles; an empty
    sequence raises :class:`statistics.StatisticsError` (callers say "no rate" instead).
    """
    if len(values) == 1:
        only = float(values[0])
        return only, only, only
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return float(q1), float(median), float(q3)


def _rates_by_seniority(
    db: sqlite_utils.Database, skill_id: int, today: dt.date
) -> dict[str, list[int]]:
    """Daily rates paid in past missions of a skill, sorted, per seniority of the freelancer.

    Cached on the ``Database`` object until the database changes (``total_changes()`` for this
    connection, ``PRAGMA data_version`` for the others), so ranking many requests for one skill
    reads the missions of that skill once.
    """
    conn = db.conn
    key = (
        conn.total_changes,
        conn.execute("PRAGMA data_version").fetchone()[0],
        skill_id,
        today.isoformat(),
    )
    cache = db.__dict__.setdefault("_fms_rates_cache", {})
    cached = cache.get(key)
    if cached is not None:
        return cached
    out: dict[str, list[int]] = {s: [] for s in SENIORITIES}
    for seniority, rate in conn.execute(
        "SELECT f.seniority, m.daily_rate FROM missions m "
        "JOIN freelancers f ON f.id = m.freelancer_id "
        f"WHERE m.skill_id = :skill_id AND {PAID_MISSIONS_WHERE}",
        {"skill_id": skill_id, "today": today.isoformat()},
    ):
        out.setdefault(seniority, []).append(rate)
    for rates in out.values():
        rates.sort()
    if len(cache) > 64:
        cache.clear()
    cache[key] = out
    return out


def _benchmarks_by_seniority(
    db: sqlite_utils.Database, skill_id: int, today: dt.date
) -> dict[str, dict[str, Any]]:
    """The quartiles of :func:`_rates_by_seniority`, cached with them."""
    rates = _rates_by_seniority(db, skill_id, today)
    cache = db.__dict__.setdefault("_fms_bench_cache", {})
    key = id(rates)
    if cache.get(key, (None,))[0] is not rates:
        if len(cache) > 64:
            cache.clear()
        cache[key] = (rates, {s: _quartiles(r) for s, r in rates.items()})
    return cache[key][1]


def _quartiles(rates: list[int]) -> dict[str, Any]:
    """count, min, q1, median, q3 (:func:`quartiles`) and max of sorted ``rates``."""
    if not rates:
        return {"count": 0, "min": None, "q1": None, "median": None, "q3": None, "max": None}
    q1, median, q3 = quartiles(rates)
    return {
        "count": len(rates),
        "min": rates[0],
        "q1": q1,
        "median": median,
        "q3": q3,
        "max": rates[-1],
    }


def paid_rates(
    db: sqlite_utils.Database,
    skill: str | int,
    *,
    seniority: str | None = None,
    today: dt.date | str | None = None,
) -> list[int]:
    """The daily rates actually paid in past missions of a skill (one seniority or all)."""
    s = _skill(db, skill)
    by = _rates_by_seniority(db, s["id"], _today(today))
    if seniority:
        _check_seniority(seniority)
        return list(by.get(seniority, []))
    return sorted(r for rates in by.values() for r in rates)


def _check_seniority(seniority: str | None) -> None:
    if seniority is not None and seniority not in SENIORITIES:
        raise InvalidInput(
            "Unknown seniority '{value}'; use junior, confirmed or senior.",
            field="seniority",
            value=seniority,
        )


def rate_benchmark(
    db: sqlite_utils.Database,
    skill: str | int,
    *,
    seniority: str | None = None,
    today: dt.date | str | None = None,
    lang: str | None = None,
) -> dict[str, Any]:
    """Quartiles of the daily rates paid for a skill (and seniority) in past missions.

    Past missions: not cancelled, started on or before ``today``. The numbers are None when the
    agency never paid for that skill at that seniority.
    """
    lang = _lang(lang)
    _check_seniority(seniority)
    s = _skill(db, skill)
    rates = paid_rates(db, s["id"], seniority=seniority, today=today)
    return {
        "skill": s["name"],
        "skill_id": s["id"],
        "skill_label": _skill_label(s, lang),
        "seniority": seniority,
    } | _quartiles(rates)


def rate_benchmarks(
    db: sqlite_utils.Database, skill: str | int, *, today: dt.date | str | None = None
) -> list[dict[str, Any]]:
    """The benchmark of a skill for every seniority, then all seniorities (seniority None)."""
    return [rate_benchmark(db, skill, seniority=s, today=today) for s in (*SENIORITIES, None)]


def _position(rate: int | None, bench: Mapping[str, Any]) -> str | None:
    """below < min <= low < q1 <= typical <= q3 < high <= max < above."""
    if rate is None or not bench.get("count"):
        return None
    if rate < bench["min"]:
        return "below"
    if rate < bench["q1"]:
        return "low"
    if rate <= bench["q3"]:
        return "typical"
    return "high" if rate <= bench["max"] else "above"


_POSITION_TEXTS = {
    "below": N_("below every rate the agency paid"),
    "low": N_("in the lower quarter of the agency's rates"),
    "typical": N_("typical of the agency's rates"),
    "high": N_("in the upper quarter of the agency's rates"),
    "above": N_("above every rate the agency paid"),
}


def rate_position(
    db: sqlite_utils.Database,
    skill: str | int,
    seniority: str | None,
    rate: int,
    *,
    today: dt.date | str | None = None,
    lang: str | None = None,
) -> dict[str, Any]:
    """Where a quoted daily rate stands against the agency's benchmark for the skill/seniority.

    ``position``: below (under every rate paid), low (lowest quarter), typical (the middle
    half, first to third quartile), high (top quarter), above (over every rate paid); None when
    the agency has no rate for that skill and seniority. ``text`` says it in words.
    """
    lang = _lang(lang)
    problems: list[Problem] = []
    value = _positive_int(rate, "rate", problems)
    if problems:
        raise invalid(problems)
    bench = rate_benchmark(db, skill, seniority=seniority, today=today, lang=lang)
    pos = _position(value, bench)
    who = f"{bench['skill_label']}" + (f", {_seniority_word(seniority, lang)}" if seniority else "")
    if pos is None:
        text = _("{rate}/day: no past rate to compare for {who}", lang).format(
            rate=format_money(value, lang), who=who
        )
    else:
        text = ngettext(
            "{rate}/day is {position} for {who} (median {median}, {q1}–{q3} for the middle "
            "half, {count} mission)",
            "{rate}/day is {position} for {who} (median {median}, {q1}–{q3} for the middle "
            "half, {count} missions)",
            bench["count"],
            lang,
        ).format(
            rate=format_money(value, lang), position=_(_POSITION_TEXTS[pos], lang), who=who,
            median=format_money(bench["median"], lang), q1=format_money(bench["q1"], lang),
            q3=format_money(bench["q3"], lang), count=bench["count"],
        )  # fmt: skip
    return {"rate": value, "position": pos, "text": text, "benchmark": bench}
