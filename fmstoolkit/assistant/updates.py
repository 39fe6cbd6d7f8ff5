"""The Telegram updates already handled, so that one delivered twice is handled once.

Telegram delivers an update again when the bot did not confirm it: the assistant restarted
after handling it but before its next ``getUpdates`` (which confirms by its offset), or a
webhook answer came too late. Every handler's write is not idempotent by itself (``/off`` adds
a period, a typed answer moves a chat form on), so the assistant claims each ``update_id`` in
``_telegram_updates`` (migration m008) before any handler runs, and drops an update whose id
is claimed already.

The claim comes first, in its own transaction: a crash between the claim and the handler's
write loses that one update (the freelancer sees no reply and presses again), where claiming
after the write would record it twice; a visible loss is the better failure. Ids are kept
:data:`KEEP_DAYS` days (Telegram keeps an unconfirmed update 24 hours), and carry no personal
data. Like ``_conversations``, the table is the assistant's working state: this module is the
only one that writes it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .. import clock

#: How long a handled update's id is kept.
KEEP_DAYS = 3


def claim(db: Any, update_id: int) -> bool:
    """Record that the update ``update_id`` is being handled; False when it was already."""
    with db.atomic():
        cursor = db.execute(
            "INSERT OR IGNORE INTO _telegram_updates (update_id, received_at) VALUES (?, ?)",
            [update_id, clock.stamp()],
        )
        first = cursor.rowcount == 1
        if first and update_id % 100 == 0:  # now and then, forget the old ones
            prune(db)
    return first


def prune(db: Any, days: int = KEEP_DAYS) -> int:
    """Forget the ids of updates handled more than ``days`` days ago; return how many."""
    before = clock.stamp(clock.now() - dt.timedelta(days=days))
    with db.atomic():
        return db.execute(
            "DELETE FROM _telegram_updates WHERE received_at < ?", [before]
        ).rowcount
