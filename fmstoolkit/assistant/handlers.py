"""The assistant's handlers: what freelancers do in the chat, each a small async function.

* :func:`start`: ``/start <token>`` from the "connect on Telegram" invitation connects the chat
  (:func:`fmstoolkit.actions.freelancers.link_telegram_chat`); a known freelancer writing again
  after blocking the bot opens their chat again (``reopen_telegram_chat``);
* :func:`button`: a press on an inline button, whose signed data is verified first
  (:mod:`fmstoolkit.notify.callbacks`): an availability answer
  (:func:`fmstoolkit.actions.planning.answer_poll`), or a button of a chat form (the request's
  *start* button, or the answer to a question; :mod:`.conversations`);
* :func:`typed_answer`: a text message, the answer to the current question of a chat form;
* :func:`cancel`: ``/cancel`` stops the chat form being answered (nothing is saved);
* :func:`error_handler`: logs what failed, without the update (it holds chat ids and texts).

The handlers write no table themselves: they call the shared actions and the domain, and the
chat forms save through the offboarding domain. Their replies wait out Telegram's flood answers
(:func:`fmstoolkit.notify.telegram.flood_retrying`): a handler that gave up would leave the
freelancer's answer without a reply. :mod:`.app` wires them into PTB's ``Application``.
"""

from __future__ import annotations

import html
import logging
from typing import Any

from telegram import CallbackQuery, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from .. import offboarding, pool
from ..actions import freelancers
from ..actions import planning as planning_actions
from ..errors import FmsError
from ..i18n import N_, _
from ..notify import callbacks
from ..notify.telegram import flood_retrying, inline_keyboard
from . import conversations
from .conversations import ChatForm, Outcome, State

logger = logging.getLogger(__name__)

#: Where the Application keeps the database and the settings (``context.bot_data``).
DB = "db"
SETTINGS = "settings"
#: The kind of the availability buttons: ``poll:<poll id>:<yes|no|maybe>`` (signed).
POLL = "poll"
#: The monthly check's buttons: ``avail:<freelancer id>:<yes|no><YYYYMM of the month asked>``.
AVAIL = "avail"

Freelancer = dict[str, Any] | None

#: The handlers' replies (English source sentences, translated in the freelancer's language).
_TEXTS = {
    "noted": N_("Thank you, noted: {answer}."),
    "your_answer": N_("Your answer: {answer}"),
    "invalid": N_("This button is not valid (it was changed or has expired)."),
    "not_yours": N_("This question was not sent to you."),
    "not_handled": N_("Thank you! Please answer by email for this one."),
    "linked": N_(
        "Your Telegram is connected: the agency's questions and follow-ups will come here."
    ),
    "unknown_link": N_("This link is not valid any more: ask the agency for a new invitation."),
    "hello": N_("Hello! Open the link of the agency's invitation to connect your Telegram."),
    "form_noted": N_("Noted: {answer}"),
    "form_stale": N_("This question was already answered."),
    "form_closed": N_(
        "This form is not open any more: press the button of the request to start again."
    ),
    "form_not_yours": N_("This form was not sent to you."),
    "cancelled": N_("Stopped: nothing was saved. Press the button of the request to start again."),
    "nothing_to_cancel": N_("There is nothing to cancel."),
}
#: The availability answers, as the freelancer reads them.
_ANSWERS = {"yes": N_("yes"), "no": N_("no"), "maybe": N_("maybe")}


def _text(key: str, lang: str, **params: Any) -> str:
    """One of the replies, in ``lang``, with its ``{placeholders}`` filled."""
    translated = _(_TEXTS[key], lang)
    return translated.format(**params) if params else translated


def _lang(context: ContextTypes.DEFAULT_TYPE, freelancer: Freelancer) -> str:
    """The freelancer's language, else the agency's (``FMS_LANG``)."""
    return (freelancer or {}).get("lang") or context.bot_data[SETTINGS].lang


def _escape_html(value: str) -> str:
    return html.escape(value, quote=False)


def _poll_freelancer(db: Any, poll_id: int) -> int | None:
    """Whom the availability question was sent to (a read; answering is the action's)."""
    row = db.execute("SELECT freelancer_id FROM polls WHERE id = ?", [poll_id]).fetchone()
    return row[0] if row else None


# --- commands ---------------------------------------------------------------------------------


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/start <token>`` from the invitation's deep link: connect this chat to the contact."""
    db = context.bot_data[DB]
    chat_id = update.effective_chat.id
    token = context.args[0] if context.args else None
    linked = freelancers.link_telegram_chat(db, token, chat_id) if token else None
    if linked is not None:
        reply = _text("linked", _lang(context, linked))
    else:
        freelancer = freelancers.reopen_telegram_chat(db, chat_id)  # back after blocking us?
        key = "unknown_link" if token else ("linked" if freelancer else "hello")
        reply = _text(key, _lang(context, freelancer))
    await flood_retrying()(update.effective_message.reply_text, reply)


async def cancel(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/cancel``: stop the form being answered (nothing is saved)."""
    db = context.bot_data[DB]
    freelancer = pool.freelancer_by_chat(db, update.effective_chat.id)
    stopped = freelancer is not None and conversations.clear(db, freelancer["id"])
    reply = _text("cancelled" if stopped else "nothing_to_cancel", _lang(context, freelancer))
    await flood_retrying()(update.effective_message.reply_text, reply)


# --- buttons ----------------------------------------------------------------------------------


async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A freelancer pressed an inline button: verify its signature, then hand it on."""
    query = update.callback_query
    db = context.bot_data[DB]
    freelancer = pool.freelancer_by_chat(db, query.from_user.id)
    lang = _lang(context, freelancer)
    try:
        kind, obj_id, value = callbacks.verify(query.data or "", key=callbacks.secret_for(db))
    except FmsError:
        logger.warning("A Telegram button with invalid callback data was pressed")
        await query.answer(_text("invalid", lang), show_alert=True)
        return
    if kind in conversations.CHAT_FORMS:
        await _form_button(update, context, freelancer, lang, kind, obj_id, value)
    elif kind == POLL:
        await _poll_button(query, context, freelancer, lang, obj_id, value)
    elif kind == AVAIL:
        await _availability_button(query, context, freelancer, lang, obj_id, value)
    else:
        await query.answer(_text("not_handled", lang))


async def _poll_button(
    query: CallbackQuery,
    context: ContextTypes.DEFAULT_TYPE,
    freelancer: Freelancer,
    lang: str,
    poll_id: int,
    value: str,
) -> None:
    """An availability answer: recorded by the action, then shown under the question."""
    db = context.bot_data[DB]
    if freelancer is None or _poll_freelancer(db, poll_id) != freelancer["id"]:
        await query.answer(_text("not_yours", lang), show_alert=True)
        return
    try:  # a second press changes the answer only while the request is open
        planning_actions.answer_poll(db, poll_id, value, by_freelancer=True)
    except FmsError as error:
        await query.answer(error.message(lang), show_alert=True)
        return
    await _show_answer(query, lang, _(_ANSWERS[value], lang) if value in _ANSWERS else value)


async def _availability_button(
    query: CallbackQuery,
    context: ContextTypes.DEFAULT_TYPE,
    freelancer: Freelancer,
    lang: str,
    freelancer_id: int,
    value: str,
) -> None:
    """The answer to "still available next month?": recorded by the action, then shown."""
    db = context.bot_data[DB]
    if freelancer is None or freelancer_id != freelancer["id"]:
        await query.answer(_text("not_yours", lang), show_alert=True)
        return
    answer, month = value[:-6], value[-6:]
    try:
        planning_actions.answer_availability_check(
            db, freelancer_id, answer, f"{month[:4]}-{month[4:]}"
        )
    except FmsError as error:
        await query.answer(error.message(lang), show_alert=True)
        return
    await _show_answer(query, lang, _(_ANSWERS[answer], lang))


async def _show_answer(query: CallbackQuery, lang: str, answer: str) -> None:
    """Thank the freelancer and write their answer under the question (its buttons go)."""
    await query.answer(_text("noted", lang, answer=answer))
    message = query.message
    if message is not None and getattr(message, "text", None):
        # Show the answer under the question; without reply_markup the buttons go away.
        note = html.escape(_text("your_answer", lang, answer=answer))
        try:
            await flood_retrying()(
                query.edit_message_text, f"{message.text_html}\n\n<i>{note}</i>", parse_mode="HTML"
            )
        except BadRequest as error:  # the message is too old to edit, or already edited
            logger.info("Could not edit the answered question: %s", error.message)


async def _form_button(
    update: Update,
    context: ContextTypes.DEFAULT_TYPE,
    freelancer: Freelancer,
    lang: str,
    kind: str,
    mission_id: int,
    value: str,
) -> None:
    """A button of a chat form: ``start`` (from the request) or the answer to a question."""
    query = update.callback_query
    db = context.bot_data[DB]
    chat_form = conversations.CHAT_FORMS[kind]
    if freelancer is None or conversations.mission_freelancer(db, mission_id) != freelancer["id"]:
        await query.answer(_text("form_not_yours", lang), show_alert=True)
        return
    chat_id = update.effective_chat.id
    state = conversations.load(db, freelancer["id"])
    current = state is not None and (state.form, state.mission_id) == (kind, mission_id)
    if value == conversations.START_BUTTON:
        try:
            if chat_form.check is not None:
                chat_form.check(db, mission_id)
            project = offboarding.get_mission(db, mission_id)["project"]
        except FmsError as error:
            await query.answer(error.message(lang), show_alert=True)
            return
        # Pressed again while answering this form: go on where the freelancer was.
        if not current:
            state = chat_form.start(mission_id)
            conversations.store(db, freelancer["id"], state)
        await query.answer()
        intro = chat_form.intro_text(lang, project=project)
        await _send_question(context, chat_id, chat_form, state, lang, before=intro)
        return
    if not current:
        await query.answer(_text("form_closed", lang), show_alert=True)
        return
    outcome = chat_form.press(state, value, lang)
    if outcome.stale:
        await query.answer(_text("form_stale", lang))
        return
    await query.answer(_text("form_noted", lang, answer=outcome.echo) if outcome.ok else None)
    await _form_outcome(
        context,
        chat_id,
        freelancer["id"],
        chat_form,
        outcome,
        lang,
        query=query if outcome.ok else None,
    )


# --- texts ------------------------------------------------------------------------------------


async def typed_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A text message: the answer to the current question of a chat form, if one is open."""
    db = context.bot_data[DB]
    chat_id = update.effective_chat.id
    freelancer = pool.freelancer_by_chat(db, chat_id)
    if freelancer is None:
        return
    state = conversations.load(db, freelancer["id"])
    chat_form = conversations.CHAT_FORMS.get(state.form) if state else None
    if state is None or chat_form is None or state.step >= len(chat_form.fields):
        return
    lang = _lang(context, freelancer)
    outcome = chat_form.type_text(state, update.effective_message.text or "", lang)
    await _form_outcome(context, chat_id, freelancer["id"], chat_form, outcome, lang)


async def error_handler(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log what failed, by its type only: the update and the error's text may hold chat ids."""
    logger.error("The Telegram assistant failed on an update: %s", type(context.error).__name__)


# --- asking a chat form's questions -----------------------------------------------------------


async def _send_question(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    chat_form: ChatForm,
    state: State,
    lang: str,
    *,
    before: str = "",
    query: CallbackQuery | None = None,
) -> None:
    """Ask the current question of a chat form: in place of the question just answered with a
    button (``query``) when possible, else as a new message. ``before`` is HTML put above it."""
    question = chat_form.question(state, lang, key=callbacks.secret_for(context.bot_data[DB]))
    body = f"{before}\n\n{question.text}" if before else question.text
    markup = inline_keyboard(question.buttons)
    if query is not None and query.message is not None:
        try:
            await flood_retrying()(
                query.edit_message_text, body, parse_mode="HTML", reply_markup=markup
            )
            return
        except BadRequest as error:  # too old to edit: ask in a new message
            logger.info("Could not edit the form's question: %s", error.message)
    await flood_retrying()(
        context.bot.send_message, chat_id, body, parse_mode="HTML", reply_markup=markup
    )


async def _form_outcome(
    context: ContextTypes.DEFAULT_TYPE,
    chat_id: int,
    freelancer_id: int,
    chat_form: ChatForm,
    outcome: Outcome,
    lang: str,
    *,
    query: CallbackQuery | None = None,
) -> None:
    """After an answer: ask again (with the problem), save and thank, or ask the next one."""
    db = context.bot_data[DB]
    if not outcome.ok:
        problem = _escape_html(outcome.problem or "")
        await _send_question(context, chat_id, chat_form, outcome.state, lang, before=problem)
        return
    label = _escape_html(outcome.field.label(lang)) if outcome.field else ""
    answered = _("{label}: {answer}", lang).format(
        label=label, answer=_escape_html(outcome.echo or "")
    )
    echo = f"<i>{answered}</i>"
    if not outcome.done:
        conversations.store(db, freelancer_id, outcome.state)
        await _send_question(
            context, chat_id, chat_form, outcome.state, lang, before=echo, query=query
        )
        return
    try:
        chat_form.save(db, outcome.state.mission_id, chat_form.values(outcome.state))
    except FmsError as error:
        conversations.clear(db, freelancer_id)
        await flood_retrying()(context.bot.send_message, chat_id, error.message(lang))
        return
    conversations.clear(db, freelancer_id)
    if query is not None and query.message is not None:
        thanks = f"{echo}\n\n{chat_form.thanks_text(lang)}"
        try:
            await flood_retrying()(query.edit_message_text, thanks, parse_mode="HTML")
            return
        except BadRequest as error:
            logger.info("Could not edit the form's question: %s", error.message)
    await flood_retrying()(
        context.bot.send_message, chat_id, chat_form.thanks_text(lang), parse_mode="HTML"
    )
