"""The errors a user can cause, each with a sentence a manager understands.

Every error carries its message in English and French; ``str(error)`` gives it in the language
of the settings (``FMS_LANG``). The CLI prints it and exits with code 2; a widget shows it beside
the field named by ``error.field``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


def current_lang() -> str:
    from .config import get_settings

    try:
        return get_settings().lang
    except Exception:  # a broken setting must not hide the error being reported
        return "fr"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where (row, field) and what, in both languages."""

    en: str
    fr: str
    field: str | None = None
    row: int | None = None

    def message(self, lang: str | None = None) -> str:
        lang = lang or current_lang()
        text = self.fr if lang == "fr" else self.en
        where = []
        if self.row is not None:
            where.append(f"ligne {self.row}" if lang == "fr" else f"line {self.row}")
        if self.field:
            where.append(f"champ « {self.field} »" if lang == "fr" else f"field '{self.field}'")
        if where:
            sep = " : " if lang == "fr" else ": "
            return ", ".join(where).capitalize() + sep + text
        return text

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "message": self.message()}


class FmsError(Exception):
    """Base of every error a user can cause. ``en``/``fr`` may use ``{placeholders}``."""

    exit_code = 2

    def __init__(
        self,
        en: str,
        fr: str | None = None,
        *,
        field: str | None = None,
        problems: list[Problem] | None = None,
        **params: Any,
    ) -> None:
        self.en = en.format(**params) if params else en
        self.fr = (fr.format(**params) if params else fr) if fr else self.en
        self.field = field
        self.problems = list(problems or [])
        self.params = params
        super().__init__(self.en)

    def message(self, lang: str | None = None) -> str:
        lang = lang or current_lang()
        head = self.fr if lang == "fr" else self.en
        if not self.problems:
            return head
        return "\n".join([head] + ["  - " + p.message(lang) for p in self.problems])

    def __str__(self) -> str:
        return self.message()

    def as_dict(self) -> dict[str, Any]:
        return {
            "error": type(self).__name__,
            "message": self.message(),
            "field": self.field,
            "problems": [p.as_dict() for p in self.problems],
        }


class InvalidInput(FmsError):
    """Input that does not validate: a field, a row of a file, a whole form."""


class NotFound(FmsError):
    """A record named by the user does not exist."""


class Conflict(FmsError):
    """The action clashes with existing data (double booking, duplicate)."""


class InvalidState(FmsError):
    """The action is not allowed in the record's current state (closing an open checklist...)."""


class DatabaseError(FmsError):
    """The database cannot be used as it is (newer schema, not a database, locked...)."""


class DeliveryError(FmsError):
    """A message could not be delivered (configuration, channel closed...)."""
