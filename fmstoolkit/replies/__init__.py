"""Freelancers' e-mail replies to the agency's messages (the domain side, no network).

- :mod:`.mail`: which of our messages a raw e-mail answers (``In-Reply-To`` / ``References``
  holding a Message-ID the outbox gave), who sent it, its text;
- :mod:`.answer`: what it answers (yes / no / maybe, unsubscribe, or unreadable), read above
  the quoted text;
- :mod:`.ledger`: the mails already read (so one read twice records nothing twice), and the
  counts the manager's digest shows.
"""

from . import ledger
from .answer import MAYBE, NO, OUTCOMES, UNREADABLE, UNSUBSCRIBE, YES, read_answer, reply_text
from .mail import IncomingMail, outbox_message_id, parse_mail, referenced_outbox_ids

__all__ = [
    "MAYBE",
    "NO",
    "OUTCOMES",
    "UNREADABLE",
    "UNSUBSCRIBE",
    "YES",
    "IncomingMail",
    "ledger",
    "outbox_message_id",
    "parse_mail",
    "read_answer",
    "referenced_outbox_ids",
    "reply_text",
]
