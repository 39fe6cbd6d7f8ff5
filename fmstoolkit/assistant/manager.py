"""The manager's side of the Telegram assistant: linking their chat, and staffing from it.

* :func:`start`: ``/start mgr_…`` from the link ``fms manager invite`` printed links this chat
  as the manager's (:mod:`fmstoolkit.manager_chat`); a token used already, or unknown, is
  refused with a sentence (the chat is not linked);
* :func:`staff_button`: *Assign* or *Wait* under a freelancer's yes. The data is verified first
  (:mod:`fmstoolkit.notify.callbacks`: a forged or edited button is refused), then the press
  must come from the manager's linked chat (a freelancer who got hold of the button is
  refused). *Assign* runs :func:`fmstoolkit.actions.manager.assign_from_poll`, the app's own
  action: the mission, the double-booking check (its sentence comes back as the answer), the
  confirmation to the freelancer, the others told the role is filled. A second *Assign* is
  refused by that action (the role is filled): nothing is written twice. *Wait* only says so.

Replies are in the agency's language (``FMS_LANG``). :mod:`.app` registers these before the
freelancers' handlers (a manager token and the ``staff`` buttons are told apart by their
prefix).
"""

from __future__ import annotations

import html
import logging

from telegram import Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from .. import manager_chat
from ..actions import manager as manager_actions
from ..actions.staffing import STAFF
from ..errors import FmsError
from ..i18n import N_, _
from ..notify import callbacks
from ..notify.telegram import flood_retrying
from .handlers import DB, SETTINGS

logger = logging.getLogger(__name__)

#: ``/start`` with a manager token (what :func:`start` handles), and the manager's buttons.
START_PATTERN = rf"^/start(@\w+)?\s+{manager_chat.TOKEN_PREFIX}"
STAFF_PATTERN = rf"^{STAFF}:"

_TEXTS = {
    "linked": N_(
        "This chat is now the manager's: digests, alerts and freelancers' answers will come here."
    ),
    "used": N_("This manager link was used already: run fms manager invite for a new one."),
    "unknown": N_("This manager link is not valid: run fms manager invite for a new one."),
    "invalid": N_("This button is not valid (it was changed or has expired)."),
    "not_manager": N_("This button is for the agency's manager."),
    "assigned": N_("Assigned: mission #{id}, the confirmation goes to the freelancer."),
    "waiting": N_("Noted: you wait for other answers."),
}


def _text(context: ContextTypes.DEFAULT_TYPE, key: str, **params: object) -> str:
    translated = _(_TEXTS[key], context.bot_data[SETTINGS].lang)
    return translated.format(**params) if params else translated


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """``/start <manager token>``: link this chat as the manager's (once per token)."""
    token = context.args[0] if context.args else ""
    outcome = manager_chat.link(context.bot_data[DB], token, update.effective_chat.id)
    logger.info("manager chat: link %s", outcome)
    await flood_retrying()(update.effective_message.reply_text, _text(context, outcome))


async def staff_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """*Assign* or *Wait* under a freelancer's yes, from the manager's chat only."""
    query = update.callback_query
    db = context.bot_data[DB]
    try:
        kind, poll_id, value = callbacks.verify(query.data or "", key=callbacks.secret_for(db))
    except FmsError:
        logger.warning("A staffing button with invalid callback data was pressed")
        await query.answer(_text(context, "invalid"), show_alert=True)
        return
    if kind != STAFF or not manager_chat.is_manager_chat(db, query.from_user.id):
        logger.warning("A staffing button was pressed outside the manager's chat")
        await query.answer(_text(context, "not_manager"), show_alert=True)
        return
    if value != "assign":
        await query.answer(_text(context, "waiting"))
        return
    try:
        mission = manager_actions.assign_from_poll(db, poll_id)
    except FmsError as error:
        await query.answer(error.message(context.bot_data[SETTINGS].lang), show_alert=True)
        return
    logger.info("manager: poll #%s assigned, mission #%s", poll_id, mission["id"])
    done = _text(context, "assigned", id=mission["id"])
    await query.answer(done)
    message = query.message
    if message is not None and getattr(message, "text", None):
        try:  # the answer under the message; without reply_markup the buttons go away
            await flood_retrying()(
                query.edit_message_text,
                f"{message.text_html}\n\n<i>{html.escape(done, quote=False)}</i>",
                parse_mode="HTML",
            )
        except BadRequest as error:
            logger.info("Could not edit the staffing message: %s", error.message)
