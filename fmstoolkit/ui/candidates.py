"""The ranked candidates of a role as an HTML table: rank, name, level, score, rate and where it
stands, availability (with its freshness), whether they were asked and what they answered, and
the explanation of the rank. Names and facts only: no contact data."""

from __future__ import annotations

import html
from typing import Any

from ..config import get_settings
from ..i18n import N_, _, format_date, format_day
from ..i18n_labels import status_label
from .common import translate
from .rates import seniority_label

TEXTS = {
    "no_candidates": N_("No candidate matches these filters."),
}  # fmt: skip

COLUMNS = (
    ("rank", N_("#")),
    ("name", N_("Freelancer")),
    ("level", N_("Level")),
    ("seniority", N_("Seniority")),
    ("score", N_("Score")),
    ("rate", N_("Rate (€)")),
    ("availability", N_("Availability")),
    ("poll", N_("Asked")),
    ("explanation", N_("Why")),
)
AVAILABILITY = {
    "free": (N_("free"), "#1b7837"),
    "partial": (N_("partly free"), "#b35806"),
    "busy": (N_("busy"), "#b00020"),
}
RATE_POSITION = {
    "below": N_("below the usual range"),
    "low": N_("low"),
    "typical": N_("typical"),
    "high": N_("high"),
    "above": N_("above the usual range"),
}


def availability_label(availability: str, lang: str) -> str:
    """"free", "partly free" or "busy", in ``lang``."""
    text = AVAILABILITY.get(availability, (None,))[0]
    return _(text, lang) if text else availability


def _cell(
    candidate: Any, key: str, lang: str, rank: int, polls: dict[int, dict] | None = None
) -> str:
    if key == "rank":
        return str(rank)
    if key == "seniority":
        return html.escape(seniority_label(candidate.seniority or "", lang))
    if key == "score":
        return f"{candidate.score:.0f}"
    if key == "rate":
        if candidate.rate is None:
            return "?"
        text = str(candidate.rate)
        if candidate.rate_position in RATE_POSITION:
            text += f" <small>({_(RATE_POSITION[candidate.rate_position], lang)})</small>"
        if candidate.within_budget is False:
            text += " <small style='color:#b00020'>" + _("over budget", lang)
            text += "</small>"
        return text
    if key == "availability":
        color = AVAILABILITY.get(candidate.availability, (None, "#222"))[1]
        label = availability_label(candidate.availability, lang)
        text = f"<b style='color:{color}'>{html.escape(label)}</b>"
        if candidate.availability == "partial" and candidate.free_days:
            free = ", ".join(format_day(d, lang) for d in candidate.free_days[:6])
            days = _("free: {days}", lang).format(days=free)
            text += f"<br><small>{html.escape(days)}</small>"
        if candidate.freshness:
            text += f"<br><small>{html.escape(candidate.freshness)}</small>"
        return text
    if key == "poll":
        poll = (polls or {}).get(candidate.freelancer_id)
        if poll is None:
            return html.escape(status_label("answer", candidate.poll_answer, lang))
        asked = str(poll.get("asked_at") or "")[:10]
        answer = status_label("answer", poll.get("answer"), lang) or _("no answer yet", lang)
        channel = status_label("channel", poll.get("channel"), lang)
        asked = format_date(asked, lang) if asked else ""
        return f"{html.escape(answer)}<br><small>{asked} · {html.escape(channel)}</small>"
    return html.escape(str(getattr(candidate, key, "") or ""))


def candidates_html(
    candidates: list[Any], lang: str | None = None, polls: dict[int, dict] | None = None,
    start: int = 1,
) -> str:
    """The ranked candidates as an HTML table (rank, name, level, score, rate, availability,
    whether they were asked and what they answered, explanation). ``polls`` maps freelancer ids
    to their poll of the request. Names and facts only: no contact data."""
    lang = lang or get_settings().lang
    if not candidates:
        return f"<i>{html.escape(translate(TEXTS, 'no_candidates', lang))}</i>"
    head = "".join(
        f"<th style='text-align:left;padding:2px 6px'>{html.escape(_(label, lang))}</th>"
        for _key, label in COLUMNS
    )
    rows = "".join(
        "<tr>"
        + "".join(
            f"<td style='vertical-align:top;padding:2px 6px'>{_cell(c, key, lang, i, polls)}</td>"
            for key, _label in COLUMNS
        )
        + "</tr>"
        for i, c in enumerate(candidates, start)
    )
    return f"<table class='fms-candidates'><thead><tr>{head}</tr></thead>{rows}</table>"


