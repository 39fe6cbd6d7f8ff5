"""The Telegram assistant, the bot's way in: what freelancers do in the chat (``fms bot``).

- :mod:`.app`: the python-telegram-bot ``Application`` wired in one place
  (:func:`build_assistant`, :func:`run_assistant`);
- :mod:`.handlers`: one small async function per thing a freelancer does (``/start``, a button,
  ``/cancel``, a typed answer), each ending in a shared action or the domain;
- :mod:`.conversations`: the forms rendered as chat, one question at a time, their state in
  SQLite.

The way out (sending the outbox's messages, the flood limiter) is
:mod:`fmstoolkit.notify.telegram`, which the assistant uses and which never imports it.
"""

from __future__ import annotations

from .app import build_assistant, run_assistant

__all__ = ["build_assistant", "run_assistant"]
