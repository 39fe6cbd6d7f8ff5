"""The rate benchmark of a skill as a chart: the quartiles of the daily rates the agency actually
paid, per seniority, with the candidates' quoted rates drawn on top.

One box per seniority is drawn from the quartiles computed by
:func:`fmstoolkit.planning.rate_benchmarks` (``q1``/``median``/``q3``, whiskers at min and max)
rather than from the raw rates, so the chart says exactly what ``fms benchmark-rate`` and
Datasette's ``rate_benchmarks`` say (one definition: :func:`fmstoolkit.planning.rates.quartiles`,
inclusive); plotly's own box statistics, computed from raw points, would be a second one.
plotly is the project's chart library: interactive in JupyterLab, rendered headless by nbclient.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import plotly.graph_objects as go

from .. import planning
from ..config import get_settings
from ..i18n import N_, _, ngettext
from ..models import SENIORITIES
from .common import figure_ready

SENIORITY_LABELS = {
    None: N_("all"),
    "junior": N_("junior"),
    "confirmed": N_("confirmed"),
    "senior": N_("senior"),
}


def seniority_label(seniority: str | None, lang: str | None = None) -> str:
    text = SENIORITY_LABELS.get(seniority)
    return _(text, lang) if text else str(seniority)


def _value(candidate: Any, key: str) -> Any:
    return candidate.get(key) if isinstance(candidate, dict) else getattr(candidate, key, None)


def rate_traces(
    db, skill: str | int, candidates: Iterable[Any] = (), lang: str | None = None
) -> tuple[list[go.Box], go.Scatter, dict[str, Any]]:
    """The boxes (one per seniority that has paid rates, then all seniorities together), the
    candidates' points, and a description of the benchmark (skill label, how many rates)."""
    lang = lang or get_settings().lang
    benchmarks = planning.rate_benchmarks(db, skill)
    boxes = []
    label = str(skill)
    count = 0
    for bench in benchmarks:
        label = bench.get("skill_label") or label
        if bench["seniority"] is None:  # all seniorities: the total
            count = bench["count"] or 0
        if not bench["count"]:
            continue
        name = seniority_label(bench["seniority"], lang)
        boxes.append(
            go.Box(
                name=name,
                x=[name],
                q1=[bench["q1"]],
                median=[bench["median"]],
                q3=[bench["q3"]],
                lowerfence=[bench["min"]],
                upperfence=[bench["max"]],
                boxpoints=False,
                marker_color="#8da0cb" if bench["seniority"] else "#bbbbbb",
                showlegend=False,
                hoverinfo="y",
            )
        )
    people = [c for c in candidates if _value(c, "rate")]
    points = go.Scatter(
        name=_("Candidates", lang),
        x=[seniority_label(_value(c, "seniority") or "confirmed", lang) for c in people],
        y=[_value(c, "rate") for c in people],
        text=[_value(c, "name") for c in people],
        customdata=[_value(c, "freelancer_id") for c in people],
        mode="markers",
        marker={"size": 11, "color": "#e7298a", "symbol": "diamond"},
        hovertemplate="%{text}: %{y} €<extra></extra>",
    )
    return boxes, points, {"skill_label": label, "count": count}


def _title(info: dict[str, Any], lang: str) -> str:
    return ngettext(
        "Daily rates paid — {skill} ({count} mission)",
        "Daily rates paid — {skill} ({count} missions)",
        info["count"],
        lang,
    ).format(skill=info["skill_label"], count=info["count"])


def rate_figure(
    db,
    skill: str | int,
    candidates: Iterable[Any] = (),
    *,
    lang: str | None = None,
    widget: bool = False,
) -> go.Figure:
    """The benchmark chart of ``skill`` (a name, label or id) with ``candidates`` (Candidate
    objects or dicts with name, rate, seniority) as points. ``widget=True`` gives a
    FigureWidget, which the planning app updates in place."""
    lang = lang or get_settings().lang
    boxes, points, info = rate_traces(db, skill, candidates, lang)
    fig = (go.FigureWidget if widget else go.Figure)(data=[*boxes, points])
    _layout(fig, info, lang)
    return figure_ready(fig) if widget else fig


def _layout(fig: go.Figure, info: dict[str, Any], lang: str) -> None:
    fig.update_layout(
        title=_title(info, lang),
        yaxis={"title": _("€ / day", lang), "rangemode": "tozero"},
        xaxis={
            "categoryorder": "array",
            "categoryarray": [seniority_label(s, lang) for s in (*SENIORITIES, None)],
        },
        height=360,
        margin={"t": 50, "b": 40, "l": 60, "r": 20},
        legend={"orientation": "h"},
    )


def update_rate_figure(
    fig: go.FigureWidget, db, skill: str | int, candidates: Iterable[Any] = (), lang=None
) -> None:
    """Redraw ``fig`` (made by :func:`rate_figure`) for another skill or other candidates."""
    lang = lang or get_settings().lang
    boxes, points, info = rate_traces(db, skill, candidates, lang)
    fig.data = ()
    fig.add_traces([*boxes, points])
    _layout(fig, info, lang)
