"""fmstoolkit: a freelance management toolkit for small agencies.

The domain modules (pool, planning, offboarding, followups, publish, privacy) work over one
SQLite database opened by :mod:`fmstoolkit.db`; notebooks, the ``fms`` command and the
notifiers are thin layers on top of them.
"""

__version__ = "0.1.0"
