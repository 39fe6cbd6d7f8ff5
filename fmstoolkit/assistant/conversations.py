"""The forms rendered as chat: a form definition (:mod:`fmstoolkit.forms.definitions`) asked
in a chat, one field at a time.

The freelancer answers the feedback form in Telegram: each field becomes a question in their
language (the definition's label and help, translated), with inline buttons for ratings
(1 to 5) and choices, or a free-text prompt with a *Skip* button when the field is optional.
Every answer is checked with the same rules as the notebook's widgets (``FormDef.problems``,
hence the pydantic answer model, :class:`fmstoolkit.models.FeedbackAnswers`); a wrong answer is
told and the same question asked again.

Why a small state machine over the definition rather than one handler per form (or PTB's
``ConversationHandler``): the definition already says everything a question needs (label, help,
type, choices, required), so the state of a conversation is only *which form, which mission,
which field, and the answers so far* (:class:`State`). That fits in one row of SQLite
(``_conversations``, see ``db.m003_conversations``), so restarting the bot loses nothing, and any
other form becomes a chat form by adding one :class:`ChatForm` to :data:`CHAT_FORMS`, without new
handlers and without a second copy of the validation rules. ``ConversationHandler`` keeps its
state in memory (or in a pickle beside the database, with the chat ids in it) and wants one
callback per state.

This module imports no python-telegram-bot: it returns texts and :class:`Button` s (the outbox's
channel-neutral buttons); :mod:`fmstoolkit.assistant.handlers` turns them into Bot API calls.
Saving goes through the offboarding domain (:func:`fmstoolkit.offboarding.save_feedback`, which
checks with :func:`fmstoolkit.offboarding.check_open` that the offboarding is still open); the
only table written here is the assistant's own ``_conversations``.

Button data is signed (:func:`fmstoolkit.notify.callbacks.sign`): ``<form>:<mission>:<step>_<n>``
(``n`` the index of the choice, or ``skip``), so a button of an earlier question or of another
mission is recognised and refused, and nobody can forge an answer for someone else.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .. import offboarding
from ..errors import NotFound, Problem
from ..forms.definitions import FEEDBACK, FieldDef, FormDef
from ..i18n import N_, _
from ..notify import callbacks
from ..notify.message import Button

#: Button types: fields answered with a press (typed text is accepted too).
BUTTON_TYPES = ("rating", "choice", "yesno")
#: The value of the button that opens a chat form: the request's button carries
#: ``<form>:<mission>:start`` (signed).
START_BUTTON = "start"

#: What the conversation says besides the form's own labels (English source sentences).
_TEXTS = {
    "type": N_("Type your answer."),
    "type_or_skip": N_("Type your answer, or press Skip."),
    "press": N_("Press a button (or type your answer)."),
    "skip": N_("Skip"),
    "skipped": N_("skipped"),
    "rating_expected": N_("Please answer with a number from 1 to 5, or press one of the buttons."),
    "number_expected": N_("Please type a number."),
    "choice_expected": N_("Please press one of the buttons (or type one of: {choices})."),
    "not_valid": N_("This answer is not valid: {problem}"),
}


def text(key: str, lang: str, **params: Any) -> str:
    """One of the conversation's sentences, in ``lang``, with its ``{placeholders}`` filled."""
    translated = _(_TEXTS[key], lang)
    return translated.format(**params) if params else translated


@dataclass
class State:
    """Where a freelancer is in a chat form: which form, for which mission, which step, and the
    answers so far (field name -> value, JSON-serialisable)."""

    form: str
    mission_id: int
    step: int = 0
    answers: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Question:
    """What to send: an HTML text and an inline keyboard (rows of buttons)."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()


@dataclass(frozen=True)
class Outcome:
    """What an answer did. ``ok``: accepted and the state moved on (``done`` after the last
    field); otherwise ``problem`` says why (in the freelancer's language) and the state is
    unchanged. ``stale``: a button of another question (already answered) was pressed.
    ``echo`` is the accepted answer as shown to the freelancer."""

    state: State
    ok: bool
    done: bool = False
    problem: str | None = None
    stale: bool = False
    echo: str | None = None
    field: FieldDef | None = None


def _escape(value: str) -> str:
    """Escape for Telegram's HTML (quotes need no escaping there: keep them readable)."""
    return html.escape(value, quote=False)


_VALUE_RE = re.compile(r"^(\d{1,3})_(\d{1,3}|skip)$")


@dataclass(frozen=True)
class ChatForm:
    """A form asked in a chat. ``fixed``: values set without asking (the feedback's source is
    ``freelancer``); ``save(db, mission_id, values)`` stores the answers at the end;
    ``check(db, mission_id)`` raises an :class:`~fmstoolkit.errors.FmsError` when the form can
    no longer be answered (the offboarding is closed); ``title`` (else the form's own title),
    ``intro`` and ``thanks`` are English source sentences, shown translated, ``intro`` formatted
    with ``project`` and ``questions``."""

    form: FormDef
    save: Callable[[Any, int, dict[str, Any]], Any]
    check: Callable[[Any, int], Any] | None = None
    fixed: dict[str, Any] = field(default_factory=dict)
    title: str | None = None
    intro: str = ""
    thanks: str = N_("Thank you!")

    @property
    def name(self) -> str:
        return self.form.name

    @property
    def fields(self) -> tuple[FieldDef, ...]:
        """The fields asked, in the definition's order (the fixed ones are not asked)."""
        return tuple(f for f in self.form.fields if f.name not in self.fixed)

    def start(self, mission_id: int) -> State:
        return State(self.name, mission_id)

    def values(self, state: State) -> dict[str, Any]:
        """The answers with the fixed values: what :attr:`save` receives."""
        return {**state.answers, **self.fixed}

    # -- what to send ----------------------------------------------------------------------

    def intro_text(self, lang: str, *, project: str) -> str:
        if not self.intro:
            return ""
        return _escape(_(self.intro, lang).format(project=project, questions=len(self.fields)))

    def thanks_text(self, lang: str) -> str:
        return _escape(_(self.thanks, lang))

    def question(self, state: State, lang: str, *, key: bytes | None = None) -> Question:
        """The question of the current step, as HTML with its buttons."""
        f = self.fields[state.step]
        title = _(self.title, lang) if self.title else self.form.title(lang)
        lines = [
            f"<b>{_escape(title)}</b> ({state.step + 1}/{len(self.fields)})",
            f"<b>{_escape(f.label(lang))}</b>",
        ]
        if f.help(lang):
            lines.append(f"<i>{_escape(f.help(lang))}</i>")

        def data(value: str) -> str:
            return callbacks.sign(self.name, state.mission_id, f"{state.step}_{value}", key=key)

        rows: list[tuple[Button, ...]] = []
        options = f.options()
        if options:
            buttons = [
                Button(c.label(lang), callback_data=data(str(i))) for i, c in enumerate(options)
            ]
            if f.type == "rating" or (
                len(options) <= 3 and all(len(b.label) <= 12 for b in buttons)
            ):
                rows.append(tuple(buttons))
            else:
                rows.extend((b,) for b in buttons)
            lines.append(text("press", lang))
        else:
            lines.append(text("type" if f.required else "type_or_skip", lang))
        if not f.required:
            rows.append((Button(text("skip", lang), callback_data=data("skip")),))
        return Question("\n".join(lines), tuple(rows))

    # -- answers ---------------------------------------------------------------------------

    def press(self, state: State, value: str, lang: str) -> Outcome:
        """A button of the form was pressed (``value``: the verified ``<step>_<n>`` part)."""
        m = _VALUE_RE.match(value)
        if m is None or int(m.group(1)) != state.step or state.step >= len(self.fields):
            return Outcome(state, ok=False, stale=True)
        f = self.fields[state.step]
        if m.group(2) == "skip":
            if f.required:
                return Outcome(state, ok=False, stale=True)
            return self._accept(state, f, None, text("skipped", lang), lang)
        options = f.options()
        index = int(m.group(2))
        if index >= len(options):
            return Outcome(state, ok=False, stale=True)
        return self._accept(state, f, options[index].value, options[index].label(lang), lang)

    def type_text(self, state: State, typed: str, lang: str) -> Outcome:
        """The freelancer typed ``typed`` while the current question was asked."""
        f = self.fields[state.step]
        typed = typed.strip()
        value: Any = typed
        echo = typed
        if f.type == "rating":
            if not re.fullmatch(r"[+-]?\d+", typed):
                return Outcome(state, ok=False, problem=text("rating_expected", lang), field=f)
            value = int(typed)
        elif f.type == "number":
            try:
                value = float(typed.replace(",", ".").replace(" ", ""))
            except ValueError:
                return Outcome(state, ok=False, problem=text("number_expected", lang), field=f)
            value = int(value) if value.is_integer() else value
        elif f.options():
            # the value, or the label in either language (a French speaker may type "oui")
            wanted = typed.casefold()
            match = [
                c
                for c in f.options()
                if wanted
                in (str(c.value).casefold(), c.label("fr").casefold(), c.label("en").casefold())
            ]
            if not match:
                choices = ", ".join(c.label(lang) for c in f.options())
                problem = text("choice_expected", lang, choices=choices)
                return Outcome(state, ok=False, problem=problem, field=f)
            value, echo = match[0].value, match[0].label(lang)
        elif f.type == "list":
            value = [part.strip() for part in typed.split(",") if part.strip()]
        return self._accept(state, f, value, echo, lang)

    def problems(self, state: State, f: FieldDef, value: Any) -> list[Problem]:
        """The problems of ``value`` for the field ``f``, through the form's own rules (the
        required and choice checks, then the pydantic answer model)."""
        values = {**self.values(state), f.name: value}
        return [p for p in self.form.problems(values) if p.field == f.name]

    def _accept(self, state: State, f: FieldDef, value: Any, echo: str, lang: str) -> Outcome:
        problems = self.problems(state, f, value)
        if problems:
            problem = text("not_valid", lang, problem=problems[0].what(lang))
            return Outcome(state, ok=False, problem=problem, field=f)
        if isinstance(value, dt.date):
            value = value.isoformat()
        answers = {**state.answers, f.name: value}
        step = state.step + 1
        new = State(state.form, state.mission_id, step, answers)
        return Outcome(new, ok=True, done=step >= len(self.fields), echo=echo, field=f)


# --- the forms a freelancer can answer in a chat -------------------------------------------------


def mission_freelancer(db: Any, mission_id: int) -> int | None:
    """The freelancer of a mission (who alone may answer its forms), None when unknown."""
    try:
        return offboarding.get_mission(db, mission_id)["freelancer_id"]
    except NotFound:
        return None


CHAT_FORMS: dict[str, ChatForm] = {
    "feedback": ChatForm(
        FEEDBACK,
        save=offboarding.save_feedback,
        check=offboarding.check_open,  # the offboarding's own rule: not closed nor cancelled
        fixed={"source": "freelancer"},
        title=N_("Your feedback"),
        intro=N_(
            "Thank you for giving your feedback on your mission ({project}): {questions} short "
            "questions. Send /cancel to stop at any time."
        ),
        thanks=N_("Thank you! Your feedback was sent to the agency."),
    ),
}


# --- the state, in SQLite ------------------------------------------------------------------------


def load(db: Any, freelancer_id: int) -> State | None:
    """The freelancer's conversation in progress, None when there is none."""
    row = db.execute(
        "SELECT form, mission_id, step, answers FROM _conversations WHERE freelancer_id = ?",
        [freelancer_id],
    ).fetchone()
    if row is None:
        return None
    return State(row[0], row[1], row[2], json.loads(row[3] or "{}"))


def store(db: Any, freelancer_id: int, state: State) -> None:
    """Save where the freelancer is (one conversation per freelancer: a new one replaces it)."""
    with db.atomic():
        db.execute(
            "INSERT INTO _conversations (freelancer_id, form, mission_id, step, answers, "
            "updated_at) VALUES (?, ?, ?, ?, ?, clock_now()) "
            "ON CONFLICT(freelancer_id) DO UPDATE SET form = excluded.form, "
            "mission_id = excluded.mission_id, step = excluded.step, "
            "answers = excluded.answers, updated_at = excluded.updated_at",
            [
                freelancer_id,
                state.form,
                state.mission_id,
                state.step,
                json.dumps(state.answers, ensure_ascii=False),
            ],
        )


def clear(db: Any, freelancer_id: int) -> bool:
    """Forget the freelancer's conversation; True when there was one."""
    with db.atomic():
        cursor = db.execute("DELETE FROM _conversations WHERE freelancer_id = ?", [freelancer_id])
    return cursor.rowcount > 0
