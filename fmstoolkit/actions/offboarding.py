"""Closing an offboarding, as the notebook's close button and ``fms offboard --answers`` do it.

One action, three effects: the domain closes the offboarding (:mod:`fmstoolkit.offboarding`)
and the recommendation is queued for the freelancer, both in one transaction; then the notes
database is republished (:func:`fmstoolkit.publish.publish`) and the outcome recorded on the
offboarding. A failed publish does not undo the close: it is returned under ``publish`` and
kept in ``offboardings.publish_error`` (``fms publish`` again once fixed).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

import sqlite_utils

from .. import offboarding
from .. import publish as publishing
from ..errors import FmsError
from .messages import enqueue_recommendation

#: What publishing the notes database can raise: a database error, a file that cannot be
#: written, or a sentence for the user (a folder given as the notes file, a transaction open).
PUBLISH_ERRORS = (sqlite3.Error, OSError, FmsError)


def close_offboarding(
    db: sqlite_utils.Database,
    mission_id: int,
    lists: list[str] | str | None = None,
    *,
    today: dt.date | str | None = None,
    publish: bool = True,
) -> dict[str, Any]:
    """Close the offboarding of a mission (:func:`fmstoolkit.offboarding.close`), queue its
    recommendation for the freelancer, then republish the notes database unless ``publish``
    is false.

    Returns the close's result with ``recommendation_message_id`` (the outbox message) and
    ``publish`` (``{"status": "published", ...counts}`` or ``{"status": "failed", "error"}``).
    """
    with db.atomic():
        result = offboarding.close(db, mission_id, lists, today=today)
        result["recommendation_message_id"] = _queue_recommendation(db, mission_id)
    return _published(db, mission_id, result, publish)


def apply_offboarding_answers(
    db: sqlite_utils.Database,
    mission_id: int,
    answers: dict[str, Any],
    *,
    today: dt.date | str | None = None,
    publish: bool = True,
) -> dict[str, Any]:
    """Apply a whole offboarding from answers and close it
    (:func:`fmstoolkit.offboarding.apply_answers`), queue the recommendation, then republish
    the notes database unless ``publish`` is false. Same result as :func:`close_offboarding`,
    plus the invoice check."""
    with db.atomic():
        result = offboarding.apply_answers(db, mission_id, answers, today=today)
        result["recommendation_message_id"] = _queue_recommendation(db, mission_id)
    return _published(db, mission_id, result, publish)


def _queue_recommendation(db: sqlite_utils.Database, mission_id: int) -> int | None:
    """The outbox message delivering the recommendation (the one already queued, when the
    manager sent it before closing), or None when there is none to send."""
    if offboarding.recommendation_of(db, mission_id) is None:
        return None
    return enqueue_recommendation(db, mission_id)


def _published(
    db: sqlite_utils.Database, mission_id: int, result: dict[str, Any], publish: bool
) -> dict[str, Any]:
    if not publish:
        return result
    try:
        stats = publishing.publish(db)
    except PUBLISH_ERRORS as exc:
        error = str(exc)
        offboarding.record_publish(db, mission_id, error=error)
        result["publish"] = {"status": "failed", "error": error}
        return result
    offboarding.record_publish(db, mission_id)
    result["publish"] = {"status": "published", **stats}
    return result
