"""Dates on chart axes in the reader's language (Babel, not plotly.js's English months)."""

from __future__ import annotations

import datetime as dt
import re

from offboarding_fixtures import FEEDBACK, make_mission

from fmstoolkit import clock, offboarding
from fmstoolkit.ui.chart_dates import date_ticks, period_label
from fmstoolkit.ui.offboarding import trends_figure
from fmstoolkit.ui.schedule import timeline_figure

ENGLISH_MONTHS = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\b")


def test_the_schedule_axis_names_months_in_french(db):
    start = clock.today()
    fig = timeline_figure(db, start, start + dt.timedelta(days=29), lang="fr")
    axis = fig.layout.xaxis
    assert axis.tickformat is None  # no plotly.js date format, which would be English
    assert len(axis.tickvals) == len(axis.ticktext) <= 12
    assert all(dt.date.fromisoformat(v).weekday() == 0 for v in axis.tickvals)  # Mondays
    text = " ".join(axis.ticktext)
    assert ENGLISH_MONTHS.findall(text) == []
    assert re.search(r"\b(nov|déc|janv)\.", text)


def test_ticks_every_day_for_a_short_window_and_the_year_when_it_changes():
    ticks = date_ticks(dt.date(2026, 12, 28), dt.date(2027, 1, 2), "fr")
    assert ticks["ticktext"] == ["28 déc. 2026", "29 déc.", "30 déc.", "31 déc.",
                                 "1 janv. 2027", "2 janv."]  # fmt: skip
    assert date_ticks(dt.date(2026, 12, 28), dt.date(2026, 12, 29), "en")["ticktext"] == [
        "28 Dec 2026", "29 Dec"]  # fmt: skip


def test_feedback_trends_by_month_and_quarter_in_french(db):
    ended = make_mission(db, start=clock.days_from_today(-40).isoformat(),
                         end=clock.days_from_today(-3).isoformat())  # fmt: skip
    offboarding.save_feedback(db, ended["mission_id"], FEEDBACK)
    fig = trends_figure(db, lang="fr")
    assert list(fig.data[0].x) == [period_label(clock.today().strftime("%Y-%m"), "fr")]
    assert fig.layout.xaxis.type == "category"
    assert period_label("2026-03", "fr") == "mars 2026"
    assert period_label("2026-Q1", "fr") == "T1 2026"
    assert ENGLISH_MONTHS.findall(" ".join(fig.data[0].x)) == []
