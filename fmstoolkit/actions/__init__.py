"""What a manager or a freelancer does: one function per action, shared by every entry point.

An action spans the domain and the outbox (ask availability, assign and confirm, close an
offboarding and republish...). The CLI, the notebooks and the Telegram assistant call these
functions, and only these, for those actions, so that a button, a command and a chat message
behave the same. Actions import the domain and :mod:`fmstoolkit.notify.outbox`; nothing in the
domain imports them.
"""
