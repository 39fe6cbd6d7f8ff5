"""The errors a user can cause, each with a sentence a manager understands.

An error holds its sentence as an English source string with ``{placeholders}`` (a gettext
msgid, see :mod:`fmstoolkit.i18n`) and the values to put in them; it is translated when it is
shown, in the reader's language: ``str(error)`` in the settings' language (``FMS_LANG``),
``error.message(lang)`` in any. The CLI prints it and exits with code 2; a widget shows it
beside the field named by ``error.field``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Any

from .i18n import _, current_lang, localized


def _format(text: str, params: Mapping[str, Any], lang: str | None) -> str:
    translated = _(text, lang)
    return translated.format(**localized(params, lang)) if params else translated


@dataclass(frozen=True, init=False)
class Problem:
    """One thing wrong with an input: where (row, field) and what (a sentence to translate,
    with the values of its ``{placeholders}`` in ``params``)."""

    text: str
    field: str | None = None
    row: int | None = None
    params: Mapping[str, Any] = dc_field(default_factory=dict)

    def __init__(
        self,
        text: str,
        field: str | None = None,
        row: int | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> None:
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "field", field)
        object.__setattr__(self, "row", row)
        object.__setattr__(self, "params", dict(params or {}))

    def what(self, lang: str | None = None) -> str:
        """The sentence alone, in ``lang``."""
        return _format(self.text, self.params, lang)

    def message(self, lang: str | None = None) -> str:
        """Where and what: "Line 4, field 'skills': unknown skill …"."""
        lang = current_lang(lang)
        where = []
        if self.row is not None:
            where.append(_("line {row}", lang).format(row=self.row))
        if self.field:
            where.append(_("field '{field}'", lang).format(field=self.field))
        if not where:
            return self.what(lang)
        return _("{where}: {what}", lang).format(
            where=", ".join(where).capitalize(), what=self.what(lang)
        )

    def located(self, field: str | None = None, row: int | None = None) -> Problem:
        """The same problem at another place (a section of a form, a line of a file)."""
        return Problem(self.text, field=field or self.field, row=row or self.row,
                       params=self.params)  # fmt: skip

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "message": self.message()}


class FmsError(Exception):
    """Base of every error a user can cause: ``message`` is the English source sentence,
    ``params`` the values of its ``{placeholders}``."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        problems: list[Problem] | None = None,
        **params: Any,
    ) -> None:
        self.text = message
        self.field = field
        self.problems = list(problems or [])
        self.params = params
        super().__init__(_format(message, params, "en"))

    def head(self, lang: str | None = None) -> str:
        """The sentence, without the list of problems."""
        return _format(self.text, self.params, lang)

    def message(self, lang: str | None = None) -> str:
        lang = current_lang(lang)
        if not self.problems:
            return self.head(lang)
        return "\n".join([self.head(lang)] + ["  - " + p.message(lang) for p in self.problems])

    def as_problem(self, field: str | None = None) -> Problem:
        """The error as one problem of a form (shown beside ``field``)."""
        return Problem(self.text, field=field or self.field, params=self.params)

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
