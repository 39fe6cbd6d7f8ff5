"""The talent pool app: search the pool, read a freelancer's profile, act on them.

Search by name, skill (any of its names or labels) and city; the profile (skills and levels,
missions, notes, daily rate against the benchmark, availability and how fresh it is, lists) is
:mod:`fmstoolkit.ui.pool_views`'. Three tabs show the skills coverage, who is free next month
and the alumni not contacted for long. The buttons run the shared actions, as the CLI does:
add to a list (:func:`fmstoolkit.pool.add_to_list`), queue a check-in
(:func:`fmstoolkit.actions.freelancers.queue_checkin`), opt out
(:func:`fmstoolkit.actions.freelancers.opt_out`); an error is shown beside the button pressed.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w
import sqlite_utils

from .. import pool
from ..actions import freelancers as freelancer_actions
from ..errors import FmsError
from ..i18n import N_, current_lang, format_money, ngettext
from .common import database, translate
from .forms import ERROR_STYLE
from .pool_views import coverage_html, free_html, profile_html, quiet_html

TEXTS = {
        "name": N_("Name"),
    "skill": N_("Skill"),
    "city": N_("City"),
    "search": N_("Search"),
    "none": N_("Nobody matches: try fewer words."),
    "pick": N_("Pick a freelancer in the list to see their profile."),
    "list_name": N_("List"),
    "add": N_("Add to the list"),
    "checkin": N_("Ask for their news"),
    "opt_out": N_("Opt out"),
    "need_one": N_("Pick a freelancer first."),
    "need_list": N_("Type the name of a list (it is created if it does not exist)."),
    "added": N_("{name} added to the list '{list}'."),
    "checkin_queued": N_("A message asking {name} for their news is queued."),
    "opted_out": N_("{name} opted out: no more messages ({n} waiting cancelled)."),
    "tab_coverage": N_("Skills coverage"),
    "tab_free": N_("Free next month"),
    "tab_quiet": N_("Alumni without news"),
    "row": N_("{name} · {headline} · {city} · {rate}"),
}  # fmt: skip


def t(key: str, lang: str, **params: Any) -> str:
    return translate(TEXTS, key, lang, **params)


def _error(text: str) -> str:
    return f'<span style="{ERROR_STYLE}">⚠ {html.escape(text)}</span>'


def why(exc: FmsError, lang: str) -> str:
    """The error's sentences without field names (its problems, one after the other)."""
    problems = getattr(exc, "problems", None) or []
    return " ".join(p.what(lang) for p in problems) or exc.head(lang)


def _done(text: str) -> str:
    return f'<span style="color:#1b5e20">✓ {html.escape(text)}</span>'


class PoolApp(w.VBox):
    """Search, profile, actions and the three overviews; ``.refresh()`` rereads them."""

    def __init__(self, db: sqlite_utils.Database, lang: str | None = None) -> None:
        self.db, self.lang = db, current_lang(lang)
        lang = self.lang
        wide = w.Layout(width="auto", flex="0 0 auto")
        self.name = w.Text(placeholder=t("name", lang), layout=w.Layout(width="14em"))
        self.skill = w.Combobox(placeholder=t("skill", lang), layout=w.Layout(width="18em"),
                                options=sorted({pool.skill_label(s, lang)
                                                for s in pool.skills(db)}))  # fmt: skip
        self.city = w.Text(placeholder=t("city", lang), layout=w.Layout(width="12em"))
        self.search_button = w.Button(description=t("search", lang), icon="search",
                                      button_style="primary", layout=wide)  # fmt: skip
        self.search_message = w.HTML()
        self.results = w.Select(options=[], rows=20, layout=w.Layout(width="36em", flex="0 0 auto"))
        self.profile = w.HTML(f"<i>{html.escape(t('pick', lang))}</i>",
                              layout=w.Layout(padding="0 0 0 1em"))
        self.list_name = w.Combobox(placeholder=t("list_name", lang), layout=w.Layout(width="16em"))
        self.add_button = w.Button(description=t("add", lang), icon="plus", layout=wide)
        self.checkin_button = w.Button(description=t("checkin", lang), icon="envelope", layout=wide)
        self.optout_button = w.Button(description=t("opt_out", lang), icon="ban",
                                      button_style="warning", layout=wide)  # fmt: skip
        self.action_message = w.HTML()
        self.tabs = w.Tab([w.HTML(), w.HTML(), w.HTML()])
        for i, key in enumerate(("tab_coverage", "tab_free", "tab_quiet")):
            self.tabs.set_title(i, t(key, lang))
        self.search_button.on_click(lambda _b: self.search())
        for box in (self.name, self.city):
            box.continuous_update = False
        self.results.observe(lambda ch: self.show(ch["new"]), names="value")
        self.add_button.on_click(lambda _b: self.add_to_list())
        self.checkin_button.on_click(lambda _b: self.queue_checkin())
        self.optout_button.on_click(lambda _b: self.opt_out())
        super().__init__([
            w.HBox([self.name, self.skill, self.city, self.search_button]),
            self.search_message,
            w.HBox([self.list_name, self.add_button, self.checkin_button, self.optout_button],
                   layout=w.Layout(flex_flow="row wrap")),
            self.action_message,
            w.HBox([self.results, self.profile]),
            self.tabs,
        ])  # fmt: skip
        self.refresh()
        self.search()

    # reads ----------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reread the lists' names and the three overviews."""
        self.list_name.options = [r["name"] for r in pool.talent_lists(self.db)]
        views = (coverage_html, free_html, quiet_html)
        for child, view in zip(self.tabs.children, views, strict=True):
            child.value = view(self.db, self.lang)

    def search(self) -> list[dict[str, Any]]:
        """The freelancers matching the three boxes, in the list (the first one shown)."""
        self.search_message.value = ""
        try:
            rows = pool.search(self.db, self.name.value.strip(), skill=self.skill.value.strip(),
                               city=self.city.value.strip())  # fmt: skip
        except FmsError as exc:  # an unknown skill: the sentence names the closest one
            self.search_message.value = _error(why(exc, self.lang))
            return []
        self.results.options = [
            (t("row", self.lang, name=r["name"], headline=r["headline"] or "",
               city=r["city"] or "", rate=format_money(r["daily_rate"], self.lang)), r["id"])
            for r in rows
        ]  # fmt: skip
        found = ngettext("{n} freelancer found.", "{n} freelancers found.", len(rows), self.lang)
        self.search_message.value = html.escape(found.format(n=len(rows)) if rows
                                                else t("none", self.lang))  # fmt: skip
        if rows:
            self.results.value = rows[0]["id"]
        return rows

    def show(self, freelancer_id: int | None) -> None:
        self.action_message.value = ""
        if freelancer_id is None:
            self.profile.value = f"<i>{html.escape(t('pick', self.lang))}</i>"
            return
        self.profile.value = profile_html(self.db, freelancer_id, self.lang)

    # actions --------------------------------------------------------------------------------

    def _chosen(self) -> tuple[int, str] | None:
        fid = self.results.value
        if fid is None:
            self.action_message.value = _error(t("need_one", self.lang))
            return None
        return fid, pool.freelancer_row(self.db, fid, "name")["name"]

    def _run(self, action, done_key: str, **done) -> bool:
        chosen = self._chosen()
        if chosen is None:
            return False
        fid, name = chosen
        try:
            result = action(fid)
        except FmsError as exc:
            self.action_message.value = _error(why(exc, self.lang))
            return False
        extra = {k: f(result) for k, f in done.items()}
        self.show(fid)
        self.refresh()
        self.action_message.value = _done(t(done_key, self.lang, name=name, **extra))
        return True

    def add_to_list(self) -> bool:
        list_name = self.list_name.value.strip()
        if not list_name:
            self.action_message.value = _error(t("need_list", self.lang))
            return False
        return self._run(lambda fid: pool.add_to_list(self.db, list_name, fid), "added",
                         list=lambda _r: list_name)  # fmt: skip

    def queue_checkin(self) -> bool:
        return self._run(lambda fid: freelancer_actions.queue_checkin(self.db, fid),
                         "checkin_queued")  # fmt: skip

    def opt_out(self) -> bool:
        return self._run(lambda fid: freelancer_actions.opt_out(self.db, fid), "opted_out",
                         n=lambda r: len(r["cancelled"]))  # fmt: skip


def app(db=None, lang: str | None = None) -> PoolApp:
    """The talent pool app on ``db`` (default: ``FMS_DB``)."""
    return PoolApp(database(db), lang)
